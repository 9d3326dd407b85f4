//! `wsdl2rust::generate_from_bytes`: a WSDL held in memory generates what the same file does,
//! and refuses to import, having no folder to find imports in.

use std::path::Path;

use wsdl2rust::{generate_from_bytes, generate_report, Options};

fn fixture(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(relative)
}

#[test]
fn bytes_generate_what_their_file_does() {
    let path = fixture("vendor_shape/service.wsdl");
    let options = Options::new("wsdl2rust service.wsdl");
    let from_file = generate_report(&path, &options).expect("the file generates");
    let bytes = std::fs::read(&path).unwrap();
    let from_bytes =
        generate_from_bytes("service.wsdl", &bytes, &options).expect("the bytes generate");
    assert_eq!(from_bytes.code, from_file.code);
}

#[test]
fn an_import_from_memory_is_an_error_at_the_import() {
    let bytes = std::fs::read(fixture("multi_file/service.wsdl")).unwrap();
    let error = generate_from_bytes("service.wsdl", &bytes, &Options::new("test")).unwrap_err();
    assert_eq!(
        (error.location.file.as_path(), error.location.line),
        (Path::new("service.wsdl"), 14)
    );
    assert!(error.message.contains("read from memory"), "{error}");
}

#[test]
fn hostile_bytes_are_errors_with_their_location() {
    let deep = "<a>".repeat(5_000);
    let error =
        generate_from_bytes("deep.xsd", deep.as_bytes(), &Options::new("test")).unwrap_err();
    assert_eq!(error.to_string(), "deep.xsd:1:3001: elements are nested more than 1000 deep: no WSDL or XML Schema needs that");
}
