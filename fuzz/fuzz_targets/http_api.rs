//! The HTTP API's answers (`ResponseFormat` 0, 1 and 3), read and split into per-recipient
//! outcomes as a send does, for a list of numbers and for an address-book send.
#![no_main]

use generated_client::http_api::HttpApiResponse;
use generated_client::SendReport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let Ok(HttpApiResponse::Lists {
        message_identifier,
        report,
        text,
    }) = HttpApiResponse::parse(&body)
    else {
        return;
    };
    // As many numbers as the codes, so that the lists often fit.
    let count = report.split(',').count().min(1_000);
    let numbers: Vec<String> = (0..count).map(|i| format!("4477009{i:05}")).collect();
    for recipients in [Some(numbers.as_slice()), None] {
        let mut outcomes = SendReport::default();
        if outcomes
            .push_lists(recipients, &message_identifier, &report, text.as_deref())
            .is_ok()
        {
            assert!(outcomes.iter().count() == outcomes.len());
        }
    }
});
