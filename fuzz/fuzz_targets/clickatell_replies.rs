//! Clickatell's `sendmsg` answer lines (`ID: … To: …`, `ERR: …`), read into per-recipient
//! outcomes as a send does. The first byte picks how many numbers the request had; the rest
//! is the answer, one line per recipient.
#![no_main]

use generated_client::clickatell::fuzzing::read_sendmsg_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Even: one number per line (the usual answer); odd: 1 to 4 numbers, whatever came.
    let count = if first % 2 == 0 {
        lines.len()
    } else {
        usize::from(first / 2 % 4) + 1
    };
    let numbers: Vec<String> = (1..=count).map(|i| format!("4477009{i:05}")).collect();
    if let Ok(report) = read_sendmsg_answer(&numbers, &lines) {
        assert_eq!(report.len(), numbers.len());
    }
});
