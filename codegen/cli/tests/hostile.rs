//! Hostile inputs given to the `wsdl2rust` binary, one child process each under a memory
//! limit and a deadline (see `tests/support/bounded.rs`): each must end with exit status 1
//! and an error that says where and what, never a crash, a hang or an exhausted memory.

#[path = "../../../tests/support/bounded.rs"]
mod bounded;

use std::path::{Path, PathBuf};
use std::process::Command;

use bounded::{run_bounded, Finished};

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Runs `wsdl2rust` on a file `name` holding `bytes`, written to the test's scratch folder.
fn generate(test: &str, name: &str, bytes: &[u8]) -> (PathBuf, Finished) {
    let dir = scratch(test);
    let input = dir.join(name);
    std::fs::write(&input, bytes).expect("the input is written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_wsdl2rust"));
    command.arg(&input).arg("-o").arg(dir.join("out.rs"));
    let finished = run_bounded(&command);
    (dir, finished)
}

/// Asserts a clean failure whose message holds `location` (`file:line:col`) and `message`.
fn refused(finished: &Finished, location: &str, message: &str) {
    assert_eq!(finished.code(), 1, "{}", finished.stderr);
    assert!(
        finished.stderr.contains(location),
        "expected {location:?} in {}",
        finished.stderr
    );
    assert!(
        finished.stderr.contains(message),
        "expected {message:?} in {}",
        finished.stderr
    );
}

fn schema(body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns:t="urn:t">
{body}
</xs:schema>
"#
    )
}

/// `levels` groups, each using the next twice in a sequence; the last holds `leaf`.
fn doubling_groups(levels: usize, leaf: &str) -> String {
    let mut body = String::new();
    for level in 0..levels {
        let next = level + 1;
        body.push_str(&format!(
            "<xs:group name=\"g{level}\"><xs:sequence><xs:group ref=\"t:g{next}\"/><xs:group ref=\"t:g{next}\"/></xs:sequence></xs:group>\n"
        ));
    }
    body.push_str(&format!(
        "<xs:group name=\"g{levels}\"><xs:sequence>{leaf}</xs:sequence></xs:group>\n"
    ));
    body.push_str(
        "<xs:complexType name=\"T\"><xs:sequence><xs:group ref=\"t:g0\"/></xs:sequence></xs:complexType>\n",
    );
    schema(&body)
}

#[test]
fn elements_nested_a_hundred_thousand_deep_are_refused_before_parsing() {
    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    let (_, finished) = generate("nesting", "deep.xsd", deep.as_bytes());
    // The 1,001st start tag, at byte 3,000 of the only line.
    refused(&finished, "deep.xsd:1:3001:", "nested more than 1000 deep");
}

#[test]
fn nesting_within_the_limit_is_parsed() {
    let body = "<xs:annotation><xs:appinfo>".to_owned()
        + &"<a>".repeat(990)
        + &"</a>".repeat(990)
        + "</xs:appinfo></xs:annotation>"
        + "<xs:complexType name=\"E\"><xs:sequence><xs:element name=\"x\" type=\"xs:string\"/></xs:sequence></xs:complexType>";
    let (dir, finished) = generate("nesting_ok", "ok.xsd", schema(&body).as_bytes());
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
    let code = std::fs::read_to_string(dir.join("out.rs")).unwrap();
    assert!(code.contains("pub struct E"), "{code}");
}

#[test]
fn entity_bombs_are_refused() {
    // The billion laughs: roxmltree stops entities nesting in entities.
    let mut dtd = String::from("<!ENTITY l0 \"lol\">");
    for level in 1..10 {
        let previous = format!("&l{};", level - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY l{level} \"{previous}\">"));
    }
    let laughs = format!("<!DOCTYPE r [{dtd}]><r>&l9;</r>");
    let (_, finished) = generate("laughs", "laughs.xsd", laughs.as_bytes());
    refused(&finished, "laughs.xsd:1:", "entity");
    // One long entity referenced many times: the text would be 10 GB.
    let long = "x".repeat(100_000);
    let wide = format!(
        "<!DOCTYPE r [<!ENTITY e \"{long}\">]>\n<r>{}</r>",
        "&e;".repeat(100_000)
    );
    let (_, finished) = generate("wide_entity", "wide.xsd", wide.as_bytes());
    refused(&finished, "wide.xsd:2:4:", "entity references");
}

#[test]
fn a_ten_megabyte_attribute_is_read() {
    let body = format!(
        "<xs:element name=\"e\" type=\"xs:string\" xmlns:x=\"urn:x\" x:note=\"{}\"/>",
        "n".repeat(10 << 20)
    );
    let (_, finished) = generate("attribute", "big.xsd", schema(&body).as_bytes());
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
}

#[test]
fn invalid_utf8_is_located() {
    let mut bytes = schema("<xs:element name=\"e\" type=\"xs:string\"/>").into_bytes();
    let at = bytes.iter().position(|&b| b == b'e').unwrap();
    bytes[at] = 0xFF;
    let (_, finished) = generate("utf8", "bad.xsd", &bytes);
    refused(&finished, "bad.xsd:", "not UTF-8");
}

#[test]
fn exponential_groups_are_refused_at_the_cap() {
    let leaf = "<xs:element name=\"leaf\" type=\"xs:string\"/>";
    let (_, finished) = generate("groups", "groups.xsd", doubling_groups(24, leaf).as_bytes());
    refused(&finished, "groups.xsd:", "more than 10000 fields");
    // Empty groups inline to no field at all, and still take 2^40 steps.
    let (_, finished) = generate(
        "empty_groups",
        "empty.xsd",
        doubling_groups(40, "").as_bytes(),
    );
    refused(&finished, "empty.xsd:", "more than 200000 steps");
}

#[test]
fn exponential_attribute_groups_are_refused_at_the_cap() {
    let mut body = String::new();
    for level in 0..24 {
        let next = level + 1;
        body.push_str(&format!(
            "<xs:attributeGroup name=\"a{level}\"><xs:attributeGroup ref=\"t:a{next}\"/><xs:attributeGroup ref=\"t:a{next}\"/></xs:attributeGroup>\n"
        ));
    }
    body.push_str("<xs:attributeGroup name=\"a24\"><xs:attribute name=\"leaf\" type=\"xs:string\"/></xs:attributeGroup>\n");
    body.push_str(
        "<xs:complexType name=\"T\"><xs:attributeGroup ref=\"t:a0\"/></xs:complexType>\n",
    );
    let (_, finished) = generate("attribute_groups", "attrs.xsd", schema(&body).as_bytes());
    refused(&finished, "attrs.xsd:", "more than 10000 attributes");
}

#[test]
fn many_types_inlining_one_large_group_are_refused_at_the_cap() {
    let elements: String = (0..9_000)
        .map(|i| format!("<xs:element name=\"e{i}\" type=\"xs:string\"/>"))
        .collect();
    let mut body =
        format!("<xs:group name=\"big\"><xs:sequence>{elements}</xs:sequence></xs:group>\n");
    for i in 0..200 {
        body.push_str(&format!(
            "<xs:complexType name=\"T{i}\"><xs:sequence><xs:group ref=\"t:big\"/></xs:sequence></xs:complexType>\n"
        ));
    }
    let (_, finished) = generate("wide_groups", "wide.xsd", schema(&body).as_bytes());
    refused(&finished, "wide.xsd:", "more than 200000 steps");
}

#[test]
fn groups_that_contain_themselves_are_refused() {
    let own = schema(concat!(
        "<xs:group name=\"g\"><xs:sequence><xs:group ref=\"t:g\"/></xs:sequence></xs:group>",
        "<xs:complexType name=\"T\"><xs:sequence><xs:group ref=\"t:g\"/></xs:sequence></xs:complexType>",
    ));
    let (_, finished) = generate("self_group", "own.xsd", own.as_bytes());
    refused(&finished, "own.xsd:3:", "group `{urn:t}g` contains itself");
    let mutual = schema(concat!(
        "<xs:attributeGroup name=\"a\"><xs:attributeGroup ref=\"t:b\"/></xs:attributeGroup>",
        "<xs:attributeGroup name=\"b\"><xs:attributeGroup ref=\"t:a\"/></xs:attributeGroup>",
        "<xs:complexType name=\"T\"><xs:attributeGroup ref=\"t:a\"/></xs:complexType>",
    ));
    let (_, finished) = generate("mutual_groups", "mutual.xsd", mutual.as_bytes());
    refused(&finished, "mutual.xsd:3:", "contains itself");
}

/// A schema importing `location`, and the error for it, at the import (line 3, column 1).
fn import(test: &str, location: &Path) -> Finished {
    let body = format!(
        "<xs:import namespace=\"urn:x\" schemaLocation=\"{}\"/>",
        location.display()
    );
    generate(test, "import.xsd", schema(&body).as_bytes()).1
}

#[test]
fn imports_of_devices_fifos_and_folders_are_refused_at_the_import() {
    let finished = import("dev_zero", Path::new("/dev/zero"));
    refused(
        &finished,
        "import.xsd:3:1:",
        "/dev/zero: it is not a regular file",
    );
    let dir = scratch("fifo_target");
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let finished = import("fifo", &fifo);
    refused(&finished, "import.xsd:3:1:", "it is not a regular file");
    let finished = import("folder", &dir);
    refused(&finished, "import.xsd:3:1:", "it is a directory");
}

#[test]
fn an_import_of_a_file_over_64_mib_is_refused_unread() {
    let dir = scratch("large_target");
    let large = dir.join("large.xsd");
    // Sparse: no disk is written, and the size alone refuses it.
    let file = std::fs::File::create(&large).unwrap();
    file.set_len((64 << 20) + 1).unwrap();
    let finished = import("large", &large);
    refused(&finished, "import.xsd:3:1:", "it is larger than 64 MiB");
}

#[test]
fn simple_content_deriving_from_itself_is_refused() {
    // Followed without end before: a hang in release builds, a stack overflow in debug ones.
    let own = schema(concat!(
        "<xs:complexType name=\"A\"><xs:simpleContent><xs:extension base=\"t:A\"/></xs:simpleContent></xs:complexType>",
        "<xs:element name=\"e\" type=\"t:A\"/>",
    ));
    let (_, finished) = generate("simple_content_self", "own.xsd", own.as_bytes());
    refused(
        &finished,
        "own.xsd:3:",
        "type `{urn:t}A` derives from itself",
    );
    let mutual = schema(concat!(
        "<xs:complexType name=\"A\"><xs:simpleContent><xs:extension base=\"t:B\"/></xs:simpleContent></xs:complexType>",
        "<xs:complexType name=\"B\"><xs:simpleContent><xs:restriction base=\"t:A\"/></xs:simpleContent></xs:complexType>",
        "<xs:element name=\"e\" type=\"t:A\"/>",
    ));
    let (_, finished) = generate("simple_content_mutual", "mutual.xsd", mutual.as_bytes());
    refused(&finished, "mutual.xsd:3:", "derives from itself");
}

/// Twenty thousand types, each deriving from the next: lowering a type lowers its bases
/// recursively, which overflowed the stack.
#[test]
fn a_chain_of_twenty_thousand_derivations_is_refused() {
    for (test, content) in [
        ("complex_chain", "complexContent"),
        ("simple_chain", "simpleContent"),
    ] {
        let mut body = String::new();
        for i in (1..=20_000).rev() {
            let base = i - 1;
            body.push_str(&format!(
                "<xs:complexType name=\"T{i}\"><xs:{content}><xs:extension base=\"t:T{base}\"/></xs:{content}></xs:complexType>\n"
            ));
        }
        body.push_str(&match content {
            "complexContent" => "<xs:complexType name=\"T0\"><xs:sequence><xs:element name=\"e\" type=\"xs:string\"/></xs:sequence></xs:complexType>".to_owned(),
            _ => "<xs:complexType name=\"T0\"><xs:simpleContent><xs:extension base=\"xs:string\"/></xs:simpleContent></xs:complexType>".to_owned(),
        });
        let (_, finished) = generate(test, "chain.xsd", schema(&body).as_bytes());
        refused(
            &finished,
            "chain.xsd:",
            "derives through more than 100 base types",
        );
    }
}

/// Two thousand restrictions with facets of a type that is an alias of an alias … five
/// thousand deep: each facet looked for its built-in through the chain, each step a search of
/// every type, which took hours. Now the result is a module, in bounded time.
#[test]
fn facets_on_a_long_chain_of_aliases_are_bounded() {
    let mut body = String::new();
    for i in 1..=5_000 {
        let base = i - 1;
        body.push_str(&format!(
            "<xs:simpleType name=\"S{i}\"><xs:restriction base=\"t:S{base}\"/></xs:simpleType>\n"
        ));
    }
    body.push_str("<xs:simpleType name=\"S0\"><xs:restriction base=\"xs:int\"><xs:minInclusive value=\"1\"/></xs:restriction></xs:simpleType>\n");
    for i in 0..2_000 {
        body.push_str(&format!(
            "<xs:simpleType name=\"F{i}\"><xs:restriction base=\"t:S5000\"><xs:maxInclusive value=\"5\"/></xs:restriction></xs:simpleType>\n"
        ));
    }
    let (_, finished) = generate("alias_chain", "aliases.xsd", schema(&body).as_bytes());
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
}

#[test]
fn a_chain_of_twenty_thousand_substitution_groups_is_refused() {
    let mut body = String::new();
    for i in (1..=20_000).rev() {
        let head = i - 1;
        body.push_str(&format!(
            "<xs:element name=\"E{i}\" substitutionGroup=\"t:E{head}\"/>\n"
        ));
    }
    body.push_str("<xs:element name=\"E0\" type=\"xs:string\"/>");
    body.push_str("<xs:complexType name=\"T\"><xs:sequence><xs:element ref=\"t:E20000\"/></xs:sequence></xs:complexType>");
    let (_, finished) = generate("substitution_chain", "heads.xsd", schema(&body).as_bytes());
    refused(
        &finished,
        "heads.xsd:",
        "substitution groups nest more than 100 deep",
    );
}
