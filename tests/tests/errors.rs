//! Bad input gives an error, never a panic, and the error says where: `file:line:col` of the
//! offending construct (the element that makes the bad reference, the import that fails, the
//! tag that breaks well-formedness) and words that name what is wrong.
//!
//! The inputs are in `tests/fixtures/errors/`; each comment in them says what is wrong.

mod common;

use std::path::{Path, PathBuf};

fn error_fixture(name: &str) -> PathBuf {
    common::fixture(&format!("errors/{name}"))
}

/// Generates `file`, which must fail; checks the error's location (in `at_file`, which is
/// `file` unless the problem is in a file it imports) and that the message holds `words`.
fn assert_error(file: &str, at_file: &str, line: u32, column: u32, words: &[&str]) {
    let path = error_fixture(file);
    let result = std::panic::catch_unwind(|| {
        wsdl2rust::generate(&path, &wsdl2rust::Options::new("errors.rs"))
    });
    let Ok(result) = result else {
        panic!("{file}: the generator panicked");
    };
    let error = match result {
        Ok(_) => panic!("{file}: generated without error"),
        Err(error) => error,
    };
    let shown = error.to_string();
    let location = format!("{}:{line}:{column}: ", error_fixture(at_file).display());
    assert!(
        shown.starts_with(&location),
        "{file}: expected the error at {location}, got: {shown}"
    );
    assert_eq!(
        (error.location.line, error.location.column),
        (line, column),
        "{shown}"
    );
    for word in words {
        assert!(
            shown.contains(word),
            "{file}: the message should mention {word:?}: {shown}"
        );
    }
}

#[test]
fn not_well_formed_xml() {
    // At the end tag that does not match.
    assert_error(
        "not_well_formed.wsdl",
        "not_well_formed.wsdl",
        7,
        3,
        &["not well-formed", "wsdl:mesage"],
    );
}

#[test]
fn dangling_type_reference() {
    // At the element whose type attribute names nothing.
    assert_error(
        "dangling_type.wsdl",
        "dangling_type.wsdl",
        11,
        11,
        &["type", "Money", "not defined", "--lenient"],
    );
}

#[test]
fn dangling_message_reference() {
    // At the wsdl:output that names the message.
    assert_error(
        "dangling_message.wsdl",
        "dangling_message.wsdl",
        14,
        7,
        &["message", "PingReply", "not defined", "--lenient"],
    );
}

#[test]
fn missing_wsdl_import() {
    // At the wsdl:import, naming the file it looked for.
    assert_error(
        "missing_import.wsdl",
        "missing_import.wsdl",
        5,
        3,
        &["cannot read", "no-such-file.wsdl"],
    );
}

#[test]
fn missing_schema_import() {
    assert_error(
        "missing_schema_import.wsdl",
        "missing_schema_import.wsdl",
        8,
        7,
        &["cannot read", "absent.xsd"],
    );
}

#[test]
fn import_cycle() {
    // At the import that closes the cycle, in the second file, with the chain of files.
    assert_error(
        "cycle_a.wsdl",
        "cycle_b.wsdl",
        6,
        3,
        &["import cycle", "cycle_a.wsdl", "cycle_b.wsdl"],
    );
}

#[test]
fn unknown_binding() {
    // At the port that names the binding.
    assert_error(
        "unknown_binding.wsdl",
        "unknown_binding.wsdl",
        24,
        5,
        &["port", "PingPort", "binding", "PingBindng", "not defined"],
    );
}

#[test]
fn empty_file() {
    assert_error("empty.wsdl", "empty.wsdl", 1, 1, &["empty"]);
}

#[test]
fn wsdl_2_0() {
    // At the root element, saying what was expected instead.
    assert_error(
        "wsdl20.wsdl",
        "wsdl20.wsdl",
        3,
        1,
        &["WSDL 2.0", "not supported", "WSDL 1.1"],
    );
}

#[test]
fn unknown_xsd_construct() {
    assert_error(
        "unknown_construct.wsdl",
        "unknown_construct.wsdl",
        13,
        11,
        &["unsupported", "xsd:assert"],
    );
}

#[test]
fn undeclared_prefix() {
    assert_error(
        "undeclared_prefix.wsdl",
        "undeclared_prefix.wsdl",
        8,
        7,
        &["prefix", "money", "not declared"],
    );
}

#[test]
fn malformed_occurrence() {
    assert_error(
        "bad_occurs.wsdl",
        "bad_occurs.wsdl",
        10,
        11,
        &["maxOccurs", "many"],
    );
}

#[test]
fn a_file_that_does_not_exist() {
    let path = error_fixture("no-such-file.wsdl");
    let error = wsdl2rust::generate(&path, &wsdl2rust::Options::new("errors.rs"))
        .expect_err("there is no such file");
    let shown = error.to_string();
    assert!(
        shown.starts_with(&path.display().to_string()),
        "the error should name the file: {shown}"
    );
    assert!(shown.contains("cannot read"), "{shown}");
}

/// Lenient mode leaves out what an undefined reference spoils, and reports each one with the
/// same location the strict error has.
#[test]
fn lenient_mode_reports_what_it_leaves_out() {
    let cases = [
        ("dangling_type.wsdl", 11, 11, "Money"),
        ("dangling_message.wsdl", 14, 7, "PingReply"),
    ];
    for (file, line, column, name) in cases {
        let path = error_fixture(file);
        let options = wsdl2rust::Options::new("errors.rs").lenient();
        let generated = wsdl2rust::generate_report(&path, &options)
            .unwrap_or_else(|e| panic!("{file}: lenient mode still failed: {e}"));
        assert_eq!(
            generated.skipped.len(),
            1,
            "{file}: {:?}",
            generated.skipped
        );
        let skipped = &generated.skipped[0];
        assert_eq!(
            (skipped.location.line, skipped.location.column),
            (line, column),
            "{skipped}"
        );
        assert!(skipped.message.contains(name), "{skipped}");
        assert!(generated.code.starts_with("// @generated"));
    }
}

/// Leniency is about undefined references; a file that is not XML still fails.
#[test]
fn lenient_mode_still_rejects_malformed_input() {
    let options = wsdl2rust::Options::new("errors.rs").lenient();
    for file in ["not_well_formed.wsdl", "empty.wsdl", "wsdl20.wsdl"] {
        assert!(
            wsdl2rust::generate_report(&error_fixture(file), &options).is_err(),
            "{file}"
        );
    }
}

#[test]
fn every_error_fixture_is_tested() {
    let tested = [
        "bad_occurs.wsdl",
        "cycle_a.wsdl",
        "cycle_b.wsdl",
        "dangling_message.wsdl",
        "dangling_type.wsdl",
        "duplicate_element.wsdl",
        "duplicate_groups.wsdl",
        "duplicate_type.wsdl",
        "empty.wsdl",
        "missing_import.wsdl",
        "missing_schema_import.wsdl",
        "not_well_formed.wsdl",
        "schemas/duplicates.xsd",
        "undeclared_prefix.wsdl",
        "unknown_binding.wsdl",
        "unknown_construct.wsdl",
        "wsdl20.wsdl",
    ];
    assert_eq!(
        common::files_under(&error_fixture(""), ""),
        tested.map(str::to_owned)
    );
}

/// Damaged copies of a good WSDL: cut short at many points, or with one character changed.
/// None may panic; each either generates or fails with an error located in the damaged file.
#[test]
fn damaged_input_never_panics() {
    let original = common::fixture_text("vendor_shape/service.wsdl");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("damaged");
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let mut damaged: Vec<String> = Vec::new();
    let boundaries: Vec<usize> = original.char_indices().map(|(i, _)| i).collect();
    for cut in boundaries.iter().step_by(37) {
        damaged.push(original[..*cut].to_owned());
    }
    for (i, at) in boundaries.iter().enumerate().step_by(53) {
        let replacement = ["<", ">", "\"", "&", ":", "x", "/"][i % 7];
        let end = boundaries.get(i + 1).copied().unwrap_or(original.len());
        damaged.push(format!(
            "{}{replacement}{}",
            &original[..*at],
            &original[end..]
        ));
    }
    let mut failures = 0;
    for (i, text) in damaged.iter().enumerate() {
        let path = dir.join(format!("damaged_{i}.wsdl"));
        std::fs::write(&path, text).expect("a scratch file");
        let result = std::panic::catch_unwind(|| {
            wsdl2rust::generate(&path, &wsdl2rust::Options::new("errors.rs"))
        });
        match result {
            Err(_) => panic!("the generator panicked on {}", path.display()),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                failures += 1;
                let shown = error.to_string();
                assert!(
                    shown.starts_with(&path.display().to_string()),
                    "{}: the error should be located in the damaged file: {shown}",
                    path.display()
                );
            }
        }
    }
    // Most cuts leave a document that is not well-formed: the errors were really exercised.
    assert!(
        failures > damaged.len() / 2,
        "{failures} of {}",
        damaged.len()
    );
}

#[test]
fn a_type_defined_twice() {
    // At the second definition, naming the first.
    assert_error(
        "duplicate_type.wsdl",
        "duplicate_type.wsdl",
        13,
        7,
        &[
            "type `{urn:errors}Money` is defined twice",
            &format!("{}:8:7", error_fixture("duplicate_type.wsdl").display()),
        ],
    );
}

#[test]
fn an_element_defined_again_in_an_included_schema() {
    // The included file is read first; the inline definition is the second.
    assert_error(
        "duplicate_element.wsdl",
        "duplicate_element.wsdl",
        9,
        7,
        &[
            "element `{urn:errors}Order` is defined twice",
            &format!("{}:4:3", error_fixture("schemas/duplicates.xsd").display()),
        ],
    );
}

#[test]
fn groups_attribute_groups_and_attributes_defined_twice() {
    assert_error(
        "duplicate_groups.wsdl",
        "duplicate_groups.wsdl",
        21,
        7,
        &[
            "attribute `{urn:errors}lang` is defined twice",
            "duplicate_groups.wsdl:14:7",
        ],
    );
    // Lenient mode keeps the first definitions and names every repeated one.
    let options = wsdl2rust::Options::new("errors.rs").lenient();
    let report = wsdl2rust::generate_report(&error_fixture("duplicate_groups.wsdl"), &options)
        .expect("lenient mode keeps the first definitions");
    let skipped: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(skipped.len(), 3, "{skipped:#?}");
    for (what, first, second) in [
        ("group `{urn:errors}Address`", "8:7", "15:7"),
        ("attribute group `{urn:errors}Audit`", "11:7", "18:7"),
        ("attribute `{urn:errors}lang`", "14:7", "21:7"),
    ] {
        assert!(
            skipped.iter().any(
                |s| s.contains(&format!("{second}: {what} is defined twice"))
                    && s.ends_with(&format!("duplicate_groups.wsdl:{first}"))
            ),
            "{what}: {skipped:#?}"
        );
    }
}
