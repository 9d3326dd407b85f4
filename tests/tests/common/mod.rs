//! Helpers shared by the test binaries: where the fixtures are, and the namespace-aware XML
//! comparison the round-trip tests rest on.

// Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::{Debug, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use roxmltree::{Document, Node, NodeType};
use soap_runtime::{QName, XmlValue};

/// The crate directory, `tests/`.
pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root.
pub fn workspace_dir() -> &'static Path {
    crate_dir()
        .parent()
        .expect("the tests crate lives inside the workspace")
}

/// A path under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    crate_dir().join("fixtures").join(relative)
}

/// The text of a file under `tests/fixtures/`.
pub fn fixture_text(relative: &str) -> String {
    let path = fixture(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The files under `dir` (recursively) whose names end with `suffix`, relative to `dir` with
/// `/` separators, sorted.
pub fn files_under(dir: &Path, suffix: &str) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, suffix: &str, out: &mut Vec<String>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, suffix, out);
            } else if path.to_string_lossy().ends_with(suffix) {
                let relative = path.strip_prefix(root).expect("under the root");
                let parts: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, suffix, &mut out);
    out.sort();
    out
}

/// Reads the instance document `relative` into a `T`, writes it back as the element `root`,
/// and checks that the two documents say the same thing (see [`assert_same_xml`]) and that
/// reading the written document gives the same value again. Both documents are also validated
/// against the fixture's schema with xmllint (see [`validate`]). Returns the value read, for
/// the caller to check typed fields.
pub fn roundtrip<T: XmlValue + PartialEq + Debug>(relative: &str, root: QName) -> T {
    let original = fixture_text(relative);
    validate(relative, "the instance", &original);
    let value: T = soap_runtime::read_document(&original)
        .unwrap_or_else(|e| panic!("{relative}: cannot read the instance: {e}"));
    let written = soap_runtime::write_document(root, &value);
    let fixture_name = relative.split('/').next().unwrap_or_default();
    let qnames = QNAME_VALUES
        .iter()
        .find(|(fixture, _)| *fixture == fixture_name)
        .map_or(&[][..], |(_, names)| names);
    if let Some(difference) = xml_difference_with(&original, &written, qnames) {
        panic!("the XML differs: {difference}\n--- expected:\n{original}\n--- actual:\n{written}");
    }
    validate(relative, "the written document", &written);
    let again: T = soap_runtime::read_document(&written)
        .unwrap_or_else(|e| panic!("{relative}: cannot read what was written: {e}\n{written}"));
    assert_eq!(again, value, "{relative}: reading the written document");
    value
}

/// Panics, showing both documents, unless `expected` and `actual` are the same XML tree as
/// far as a namespace-aware reader can tell: see [`xml_difference`].
pub fn assert_same_xml(expected: &str, actual: &str) {
    if let Some(difference) = xml_difference(expected, actual) {
        panic!("the XML differs: {difference}\n--- expected:\n{expected}\n--- actual:\n{actual}");
    }
}

/// How `actual` differs from `expected`, or `None` when they are the same tree: the same
/// elements by expanded name (namespace URI and local name; prefixes do not matter) in the same
/// order, the same attributes by expanded name and value (in any order; namespace declarations
/// are not attributes; the value of `xsi:type`, a QName, is compared as the expanded name it
/// stands for), and the same text, where text nodes holding only whitespace are ignored.
/// Comments and processing instructions are ignored.
pub fn xml_difference(expected: &str, actual: &str) -> Option<String> {
    xml_difference_with(expected, actual, &[])
}

/// The elements and attributes, by local name, whose values are `xsd:QName`s (or lists of
/// them), in each fixture's instance documents: a writer may bind other prefixes, so they are
/// compared as the expanded names they stand for, like `xsi:type`.
const QNAME_VALUES: &[(&str, &[&str])] = &[
    ("builtins", &["aQName"]),
    (
        "qname_values",
        &["applies", "short", "also", "fallback", "kind", "code"],
    ),
];

/// [`xml_difference`], comparing the text of elements and the values of attributes named in
/// `qnames` as lists of expanded names.
pub fn xml_difference_with(expected: &str, actual: &str, qnames: &[&str]) -> Option<String> {
    let expected = match Document::parse(expected) {
        Ok(doc) => doc,
        Err(e) => return Some(format!("the expected document does not parse: {e}")),
    };
    let actual = match Document::parse(actual) {
        Ok(doc) => doc,
        Err(e) => return Some(format!("the actual document does not parse: {e}")),
    };
    let (e, a) = (expected.root_element(), actual.root_element());
    if expanded(e) != expanded(a) {
        return Some(format!(
            "root element {} instead of {}",
            expanded(a),
            expanded(e)
        ));
    }
    compare(e, a, &format!("/{}", e.tag_name().name()), qnames)
}

fn expanded(node: Node<'_, '_>) -> String {
    let name = node.tag_name();
    // `xmlns=""` gives an empty namespace, which is no namespace.
    match name.namespace().filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{{{ns}}}{}", name.name()),
        None => name.name().to_owned(),
    }
}

const XSI_TYPE: &str = "{http://www.w3.org/2001/XMLSchema-instance}type";

/// A list of QName values as `{namespace}local` names, their prefixes resolved where they are
/// written (an unprefixed one is in the default namespace, as XML Schema says).
fn expanded_value(node: Node<'_, '_>, value: &str) -> String {
    let names: Vec<String> = value
        .split_whitespace()
        .map(|name| {
            let (prefix, local) = match name.split_once(':') {
                Some((prefix, local)) => (Some(prefix), local),
                None => (None, name),
            };
            match node.lookup_namespace_uri(prefix) {
                Some(ns) if !ns.is_empty() => format!("{{{ns}}}{local}"),
                _ => local.to_owned(),
            }
        })
        .collect();
    names.join(" ")
}

fn attributes(node: Node<'_, '_>, qnames: &[&str]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = node
        .attributes()
        .map(|a| {
            let name = match a.namespace() {
                Some(ns) => format!("{{{ns}}}{}", a.name()),
                None => a.name().to_owned(),
            };
            let value = if name == XSI_TYPE || qnames.contains(&a.name()) {
                expanded_value(node, a.value())
            } else {
                a.value().to_owned()
            };
            (name, value)
        })
        .collect();
    out.sort();
    out
}

/// The children that count: elements, and text that is not only whitespace.
fn content<'a, 'i>(node: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    node.children()
        .filter(|c| match c.node_type() {
            NodeType::Element => true,
            NodeType::Text => !c.text().unwrap_or("").trim().is_empty(),
            _ => false,
        })
        .collect()
}

fn describe(node: Node<'_, '_>) -> String {
    if node.is_element() {
        format!("element {}", expanded(node))
    } else {
        format!("text {:?}", node.text().unwrap_or(""))
    }
}

fn compare(
    expected: Node<'_, '_>,
    actual: Node<'_, '_>,
    path: &str,
    qnames: &[&str],
) -> Option<String> {
    let (ea, aa) = (attributes(expected, qnames), attributes(actual, qnames));
    if ea != aa {
        return Some(format!("{path}: attributes {aa:?} instead of {ea:?}"));
    }
    let (ec, ac) = (content(expected), content(actual));
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for (i, e) in ec.iter().enumerate() {
        let Some(a) = ac.get(i) else {
            return Some(format!("{path}: {} is missing", describe(*e)));
        };
        match (e.is_element(), a.is_element()) {
            (true, true) => {
                if expanded(*e) != expanded(*a) {
                    return Some(format!(
                        "{path}: {} instead of {}",
                        describe(*a),
                        describe(*e)
                    ));
                }
                let count = seen.entry(expanded(*e)).or_default();
                *count += 1;
                let mut child_path = String::new();
                let _ = write!(child_path, "{path}/{}[{count}]", e.tag_name().name());
                if let Some(difference) = compare(*e, *a, &child_path, qnames) {
                    return Some(difference);
                }
            }
            (false, false) if e.text() == a.text() => {}
            (false, false) if qnames.contains(&expected.tag_name().name()) => {
                let resolved = |node: Node<'_, '_>| expanded_value(node, node.text().unwrap_or(""));
                if resolved(*e) != resolved(*a) {
                    return Some(format!(
                        "{path}: QNames {} instead of {}",
                        resolved(*a),
                        resolved(*e)
                    ));
                }
            }
            _ => {
                return Some(format!(
                    "{path}: {} instead of {}",
                    describe(*a),
                    describe(*e)
                ))
            }
        }
    }
    if let Some(extra) = ac.get(ec.len()) {
        return Some(format!("{path}: unexpected {}", describe(*extra)));
    }
    None
}

/// Instance documents that are not valid against their schema, and why: they are still read
/// and written, but not validated.
const NOT_VALIDATED: &[(&str, &str)] = &[
    (
        "enumerations/tracking.xml",
        "holds values outside the enumeration on purpose",
    ),
    (
        "list_union/layout.xml",
        "holds a colour outside the enumeration on purpose",
    ),
    (
        "builtins/sample.xml",
        "uses 128-bit extremes, and xmllint takes at most 24 digits in xs:decimal and its kin",
    ),
    (
        "multi_file/order.xml",
        "its root element is declared in an imported schema file, and only inline schemas are \
         extracted for xmllint",
    ),
    (
        "rpc_encoded/names.xml",
        "its array type restricts SOAP-ENC:Array to no content (the items are given by \
         wsdl:arrayType alone), so XML Schema allows no item",
    ),
    (
        "rpc_encoded/encoded_names.xml",
        "its array type restricts SOAP-ENC:Array to no content (the items are given by \
         wsdl:arrayType alone), so XML Schema allows no item",
    ),
];

/// Validates `xml` (the instance `relative`, or what was written from it) with `xmllint
/// --schema` against the schemas of the instance's fixture, unless the instance is listed as
/// not valid. Without xmllint (CI installs it) the check is skipped with a note.
pub fn validate(relative: &str, what: &str, xml: &str) {
    if NOT_VALIDATED.iter().any(|(file, _)| *file == relative) {
        return;
    }
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("xmllint not found: {relative} is not validated against its schema");
        return;
    }
    let fixture_name = relative.split('/').next().expect("a fixture folder");
    let root_ns = Document::parse(xml)
        .ok()
        .and_then(|d| d.root_element().tag_name().namespace().map(str::to_owned))
        .unwrap_or_default();
    let schemas = schemas_of(fixture_name);
    let schema = schemas
        .iter()
        .find(|(ns, _)| *ns == root_ns)
        .map(|(_, path)| path)
        .unwrap_or_else(|| panic!("{relative}: no inline schema for namespace {root_ns:?}"));
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xmllint");
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let document = scratch.join(format!(
        "{}-{}.xml",
        relative.replace('/', "-"),
        if what == "the instance" { "in" } else { "out" }
    ));
    std::fs::write(&document, xml).expect("a scratch file");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(schema)
        .arg(&document)
        .output()
        .expect("xmllint runs");
    assert!(
        output.status.success(),
        "{relative}: {what} is not valid against its schema:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The standalone schemas of a fixture, written once per test process: tests run in parallel,
/// and one must not rewrite a file that xmllint is reading for another.
fn schemas_of(fixture_name: &str) -> Vec<(String, PathBuf)> {
    static WRITTEN: Mutex<BTreeMap<String, Vec<(String, PathBuf)>>> = Mutex::new(BTreeMap::new());
    let mut written = WRITTEN.lock().unwrap_or_else(PoisonError::into_inner);
    written
        .entry(fixture_name.to_owned())
        .or_insert_with(|| extract_schemas(fixture_name))
        .clone()
}

/// Writes each inline schema of `fixtures/<fixture>/service.wsdl` to a standalone file, as
/// (target namespace, path). A standalone schema needs the namespace declarations it inherited
/// from the WSDL, location-less imports of its sibling schemas pointed at their files, and
/// relative locations made absolute.
fn extract_schemas(fixture_name: &str) -> Vec<(String, PathBuf)> {
    const XSD: &str = "http://www.w3.org/2001/XMLSchema";
    const SOAP_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";
    let wsdl_path = fixture(&format!("{fixture_name}/service.wsdl"));
    let text = fixture_text(&format!("{fixture_name}/service.wsdl"));
    let doc = Document::parse(&text).expect("the fixture WSDL parses");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xmllint")
        .join(fixture_name);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let schemas: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.tag_name().namespace() == Some(XSD) && n.tag_name().name() == "schema")
        .collect();
    let files: Vec<(String, PathBuf)> = schemas
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let ns = s.attribute("targetNamespace").unwrap_or("").to_owned();
            (ns, dir.join(format!("schema{i}.xsd")))
        })
        .collect();
    let base = wsdl_path.parent().expect("a fixture folder");
    for (schema, (_, file)) in schemas.iter().zip(&files) {
        let range = schema.range();
        let source = &text[range.clone()];
        let start_tag_end = source.find('>').expect("a start tag");
        let start_tag = &source[..start_tag_end];
        // Namespace declarations in scope that the schema element does not make itself.
        let mut inherited = String::new();
        for ns in schema.namespaces() {
            let declaration = match ns.name() {
                Some(prefix) => format!("xmlns:{prefix}="),
                None => "xmlns=".to_owned(),
            };
            if !start_tag.contains(&declaration) {
                let _ = write!(inherited, " {declaration}\"{}\"", ns.uri());
            }
        }
        // Rewrite import and include elements, from the last so earlier offsets stay good.
        let mut body = source.to_owned();
        let imports: Vec<Node<'_, '_>> = schema
            .children()
            .filter(|c| {
                c.tag_name().namespace() == Some(XSD)
                    && matches!(c.tag_name().name(), "import" | "include")
            })
            .collect();
        for import in imports.iter().rev() {
            let location = match import.attribute("schemaLocation") {
                Some(relative) => Some(base.join(relative)),
                None => import.attribute("namespace").and_then(|ns| {
                    files
                        .iter()
                        .find(|(target, path)| target == ns && path != file)
                        .map(|(_, path)| path.clone())
                        .or_else(|| {
                            // The SOAP encoding, as real WSDLs import it: without a location.
                            (ns == SOAP_ENC_NS)
                                .then(|| crate_dir().join("schemas/soap-encoding.xsd"))
                        })
                }),
            };
            let Some(location) = location else { continue };
            let r = import.range();
            let (start, end) = (r.start - range.start, r.end - range.start);
            let name = &body[start + 1..]
                .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .next()
                .expect("a tag name")
                .to_owned();
            let namespace = import
                .attribute("namespace")
                .map(|ns| format!(" namespace=\"{ns}\""))
                .unwrap_or_default();
            let replacement = format!(
                "<{name}{namespace} schemaLocation=\"{}\"/>",
                location.display()
            );
            body.replace_range(start..end, &replacement);
        }
        body.insert_str(start_tag_end, &inherited);
        std::fs::write(file, body).expect("a scratch schema");
    }
    files
}
