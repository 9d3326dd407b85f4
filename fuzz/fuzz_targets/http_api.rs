//! The HTTP API's answers (`ResponseFormat` 0, 1 and 3), read and split into per-recipient
//! outcomes as a send does, for a list of numbers and for an address-book send.
#![no_main]

use generated_client::csoft::fuzzing::read_http_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    // As many numbers as the body has commas, so that the lists often fit.
    let count = body.split(',').count().min(1_000);
    let numbers: Vec<String> = (0..count).map(|i| format!("4477009{i:05}")).collect();
    for recipients in [Some(numbers.as_slice()), None] {
        if let Some(Ok(outcomes)) = read_http_answer(recipients, &body) {
            assert!(outcomes.iter().count() == outcomes.len());
        }
    }
});
