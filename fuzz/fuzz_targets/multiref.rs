//! SOAP-encoded multi-reference resolution on any text: it must end with the resolved
//! document or an error, never a panic, and the result must stay within its size limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soap_runtime::multiref::{resolve, MAX_GROWTH};

fuzz_target!(|data: &[u8]| {
    let xml = String::from_utf8_lossy(data);
    if let Ok(resolved) = resolve(&xml) {
        assert!(
            resolved.len() <= xml.len() * MAX_GROWTH,
            "{} bytes resolved to {}",
            xml.len(),
            resolved.len()
        );
    }
});
