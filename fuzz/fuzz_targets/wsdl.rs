//! The generator from bytes: read (the pre-scan, roxmltree, the WSDL and XSD model), lower and
//! emit. Any input must end in a module or an error with a location; an "internal error" is
//! the generator writing tokens that do not parse, a bug.
#![no_main]

use wsdl2rust::{generate_from_bytes, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Odd lengths in lenient mode, so both modes are explored.
    let mut options = Options::new("fuzz");
    if data.len() % 2 == 1 {
        options = options.lenient();
    }
    if let Err(error) = generate_from_bytes("fuzz.wsdl", data, &options) {
        assert!(!error.message.starts_with("internal error"), "{error}");
    }
});
