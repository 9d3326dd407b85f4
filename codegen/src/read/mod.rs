//! Stage 1: read WSDL and XSD files into a faithful document model.
//!
//! Every file is parsed with roxmltree and turned at once into owned model types
//! ([`wsdl::Definitions`], [`xsd::Schema`]) whose names are already resolved to namespaces and
//! whose items carry their source [`Location`]. Imports are followed here, so later stages see
//! one set of documents and never touch the file system.

mod prescan;
pub mod wsdl;
pub mod xsd;

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use roxmltree::{Document, Node};

use crate::{Error, Location};

pub const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
pub const WSDL2_NS: &str = "http://www.w3.org/ns/wsdl";
pub const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// Older schema namespaces that some SOAP toolkits still write.
pub const XSD_OLD_NS: [&str; 2] = [
    "http://www.w3.org/1999/XMLSchema",
    "http://www.w3.org/2000/10/XMLSchema",
];
pub const SOAP_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";

/// Whether `ns` is the XML Schema namespace (any of its versions).
pub fn is_xsd_ns(ns: &str) -> bool {
    ns == XSD_NS || XSD_OLD_NS.contains(&ns)
}

/// A name resolved to its namespace (empty for none).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub ns: String,
    pub local: String,
}

impl QName {
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            ns: ns.into(),
            local: local.into(),
        }
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ns.is_empty() {
            write!(f, "{}", self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// Everything read from one root file and what it imports.
#[derive(Debug, Default)]
pub struct Documents {
    /// WSDL documents, the root first, then imports in the order met.
    pub wsdls: Vec<wsdl::Definitions>,
    /// Schemas, inline ones and imported files, in the order met.
    pub schemas: Vec<xsd::Schema>,
    /// Every file read, the root first, as its path was given or joined: what a build script
    /// watches for changes.
    pub files: Vec<PathBuf>,
}

/// Reads `path` (a WSDL or an XSD) and everything it imports.
pub fn load(path: &Path) -> Result<Documents, Error> {
    let mut loader = Loader::default();
    loader.load_file(path, None, Expect::Any, None)?;
    Ok(loader.documents)
}

/// Reads a WSDL or XSD held in memory, as [`load`] reads a file's bytes; `name` stands for
/// its file in locations. It has no folder to resolve imports against, so an import with a
/// location is an error at the import.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Documents, Error> {
    let mut loader = Loader {
        in_memory: true,
        ..Loader::default()
    };
    let file = PathBuf::from(name);
    loader.load_document(&file, file.clone(), bytes, Expect::Any, None)?;
    Ok(loader.documents)
}

/// The largest file an import may name, in bytes: the largest real WSDL known is a few
/// megabytes, and reading stops here, whatever the file claims or becomes meanwhile.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// A file's bytes, if it is a regular file of at most [`MAX_FILE_BYTES`]. A device such as
/// `/dev/zero` or a FIFO would be read forever or block, so the type is checked before the
/// file is opened; the read stops one byte past the limit, for a file that grows meanwhile.
fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return Err(format!("cannot read {}: it is {kind}", path.display()));
    }
    let too_large = || {
        format!(
            "cannot read {}: it is larger than {} MiB",
            path.display(),
            MAX_FILE_BYTES >> 20
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    // The file may have been swapped for another kind since the check: look again at what
    // was opened.
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(format!(
            "cannot read {}: it is not a regular file",
            path.display()
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// What kind of document an import expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Any,
    Schema,
}

/// How a file has been read.
enum Seen {
    /// As itself: it is not read again.
    Once,
    /// As a chameleon schema (no target namespace), into these namespaces.
    Chameleon(Vec<String>),
}

#[derive(Default)]
struct Loader {
    documents: Documents,
    /// Files already read. Each is read once (so XSD import cycles are harmless, and a schema
    /// that two others import is not defined twice), except a chameleon schema included into
    /// several namespaces, which defines its names in each.
    seen: HashMap<PathBuf, Seen>,
    /// The chain of `wsdl:import`s being followed, to report a cycle.
    wsdl_chain: Vec<PathBuf>,
    /// Whether the root document came from memory: its imports have no folder to be found in.
    in_memory: bool,
}

impl Loader {
    /// Reads one file. `from` is the import that named it (for errors); `chameleon` is the
    /// including schema's target namespace, for an `xsd:include` of a schema that has none.
    fn load_file(
        &mut self,
        path: &Path,
        from: Option<&Location>,
        expect: Expect,
        chameleon: Option<&str>,
    ) -> Result<(), Error> {
        let at = |message: String| match from {
            Some(location) => Error::new(location.clone(), message),
            None => Error::new(Location::file(path), message),
        };
        if self.in_memory {
            return Err(at(format!(
                "cannot import {}: the document was read from memory, with no folder to find imports in",
                path.display()
            )));
        }
        let canonical = path
            .canonicalize()
            .map_err(|e| at(format!("cannot read {}: {e}", path.display())))?;
        if self.wsdl_chain.contains(&canonical) {
            let mut chain: Vec<String> = self
                .wsdl_chain
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            chain.push(canonical.display().to_string());
            return Err(at(format!("import cycle: {}", chain.join(" -> "))));
        }
        match self.seen.get(&canonical) {
            Some(Seen::Once) => return Ok(()),
            Some(Seen::Chameleon(namespaces))
                if namespaces.iter().any(|ns| Some(ns.as_str()) == chameleon) =>
            {
                return Ok(())
            }
            _ => {}
        }
        self.documents.files.push(path.to_path_buf());
        let bytes = read_file(path).map_err(at)?;
        self.load_document(path, canonical, &bytes, expect, chameleon)
    }

    /// Parses one document's bytes and follows its imports. `path` names it in locations
    /// and is what its imports are resolved against.
    fn load_document(
        &mut self,
        path: &Path,
        canonical: PathBuf,
        bytes: &[u8],
        expect: Expect,
        chameleon: Option<&str>,
    ) -> Result<(), Error> {
        let file = Arc::new(path.to_path_buf());
        let text = decode(bytes).map_err(|(offset, message)| {
            let (line, column) =
                LineIndex::new(&String::from_utf8_lossy(&bytes[..offset])).position(offset);
            Error::new(
                Location {
                    file: file.clone(),
                    line,
                    column,
                },
                message,
            )
        })?;
        if text.trim().is_empty() {
            let (line, column) = LineIndex::new(&text).position(text.len());
            return Err(Error::new(
                Location {
                    file: file.clone(),
                    line,
                    column,
                },
                "the file is empty: expected a WSDL or XML Schema document",
            ));
        }
        // Before roxmltree, whose tokenizer recurses once per level of nesting.
        prescan::check(&text).map_err(|refused| {
            let (line, column) = LineIndex::new(&text).position(refused.offset);
            Error::new(
                Location {
                    file: file.clone(),
                    line,
                    column,
                },
                refused.message,
            )
        })?;
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = Document::parse_with_options(&text, options).map_err(|e| {
            let pos = e.pos();
            Error::new(
                Location {
                    file: file.clone(),
                    line: pos.row,
                    column: pos.col,
                },
                format!("not well-formed XML: {e}"),
            )
        })?;
        let source = Source {
            file,
            lines: LineIndex::new(&text),
        };
        let root = doc.root_element();
        // Marked before its imports are followed, so a cycle of imports ends here.
        match (chameleon, root.attribute("targetNamespace")) {
            (Some(lent), None) => match self.seen.entry(canonical.clone()) {
                Entry::Occupied(mut seen) => {
                    if let Seen::Chameleon(namespaces) = seen.get_mut() {
                        namespaces.push(lent.to_owned());
                    }
                }
                Entry::Vacant(seen) => {
                    seen.insert(Seen::Chameleon(vec![lent.to_owned()]));
                }
            },
            _ => {
                self.seen.insert(canonical.clone(), Seen::Once);
            }
        }
        let ns = root.tag_name().namespace().unwrap_or("");
        let base = path.parent().unwrap_or(Path::new("."));
        match (ns, root.tag_name().name()) {
            (WSDL_NS, "definitions") if expect == Expect::Any => {
                self.wsdl_chain.push(canonical);
                let definitions = wsdl::read(&source, root)?;
                for import in &definitions.imports {
                    self.load_file(
                        &base.join(&import.location),
                        Some(&import.at),
                        Expect::Any,
                        None,
                    )?;
                }
                for schema in &definitions.schemas {
                    self.load_schema_imports(schema, base)?;
                }
                self.wsdl_chain.pop();
                self.documents
                    .schemas
                    .extend(definitions.schemas.iter().cloned());
                self.documents.wsdls.push(definitions);
            }
            (ns, "schema") if is_xsd_ns(ns) => {
                let schema = xsd::read_schema(&source, root, chameleon)?;
                self.load_schema_imports(&schema, base)?;
                self.documents.schemas.push(schema);
            }
            (WSDL2_NS, "description") => {
                return Err(source.error(
                    root,
                    "WSDL 2.0 is not supported: expected a WSDL 1.1 <definitions>",
                ));
            }
            (ns, name) => {
                let wanted = if expect == Expect::Schema {
                    "an XML Schema <xsd:schema>"
                } else {
                    "a WSDL 1.1 <wsdl:definitions> or an XML Schema <xsd:schema>"
                };
                return Err(source.error(
                    root,
                    format!("expected {wanted}, found <{name}> in namespace {ns:?}"),
                ));
            }
        }
        Ok(())
    }

    fn load_schema_imports(&mut self, schema: &xsd::Schema, base: &Path) -> Result<(), Error> {
        let base = schema.location.file.parent().unwrap_or(base).to_path_buf();
        for import in &schema.imports {
            // A location-less import (the SOAP encoding namespace, or one that another schema
            // here defines) is resolved by namespace; a reference that finds nothing is
            // reported where it is made.
            if let Some(location) = &import.location {
                let chameleon = import.include.then_some(schema.target_namespace.as_str());
                self.load_file(
                    &base.join(location),
                    Some(&import.at),
                    Expect::Schema,
                    chameleon,
                )?;
            }
        }
        Ok(())
    }
}

/// The file's text: UTF-8 (a byte-order mark is dropped), or ISO-8859-1 when the XML
/// declaration says so.
/// On error, the byte offset of the first byte that is not UTF-8, and why.
fn decode(original: &[u8]) -> Result<String, (usize, String)> {
    let bytes = original.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(original);
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let declaration = head.split("?>").next().unwrap_or("");
    let latin1 = head.starts_with("<?xml")
        && ["iso-8859-1", "latin1", "latin-1"]
            .iter()
            .any(|e| declaration.contains(e));
    if latin1 {
        return Ok(bytes.iter().map(|&b| char::from(b)).collect());
    }
    let bom = 3 * usize::from(bytes.len() < original.len());
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let offset = bom + e.utf8_error().valid_up_to();
        (offset, format!("the file is not UTF-8 (invalid byte at offset {offset}) and does not declare ISO-8859-1"))
    })
}

/// Where each line of a file starts, to turn byte offsets into lines and columns without
/// rescanning the file for every node (roxmltree's own `text_pos_at` does, which made a large
/// WSDL take quadratic time).
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    /// Line and column (both from 1; the column counts characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

/// One parsed file, for locating and resolving what is read from it.
pub struct Source<'input> {
    pub file: Arc<PathBuf>,
    pub lines: LineIndex<'input>,
}

impl<'input> Source<'input> {
    pub fn location(&self, node: Node<'_, 'input>) -> Location {
        let (line, column) = self.lines.position(node.range().start);
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    pub fn error(&self, node: Node<'_, 'input>, message: impl Into<String>) -> Error {
        Error::new(self.location(node), message)
    }

    /// A required attribute.
    pub fn required<'n>(&self, node: Node<'n, 'input>, name: &str) -> Result<&'n str, Error> {
        node.attribute(name).ok_or_else(|| {
            self.error(
                node,
                format!("<{}> needs the attribute `{name}`", node.tag_name().name()),
            )
        })
    }

    /// Resolves a QName-valued attribute's text (`prefix:local` or `local`) against the
    /// namespace declarations in scope at `node`. An unprefixed name is in the default
    /// namespace, as XML Schema says.
    pub fn resolve(&self, node: Node<'_, 'input>, text: &str) -> Result<QName, Error> {
        let text = text.trim();
        match text.split_once(':') {
            Some((prefix, local)) => match node.lookup_namespace_uri(Some(prefix)) {
                Some(ns) => Ok(QName::new(ns, local)),
                None if prefix == "xml" => {
                    Ok(QName::new("http://www.w3.org/XML/1998/namespace", local))
                }
                None => Err(self.error(
                    node,
                    format!("the prefix `{prefix}` in `{text}` is not declared"),
                )),
            },
            None => Ok(QName::new(
                node.lookup_namespace_uri(None).unwrap_or(""),
                text,
            )),
        }
    }

    /// A QName-valued attribute, resolved.
    pub fn qname_attr(&self, node: Node<'_, 'input>, name: &str) -> Result<Option<QName>, Error> {
        node.attribute(name)
            .map(|text| self.resolve(node, text))
            .transpose()
    }
}

/// The text of `<documentation>` children of `node` (directly, or inside `<annotation>`),
/// with lines trimmed and paragraphs kept.
pub fn documentation(node: Node<'_, '_>) -> Option<String> {
    let mut text = String::new();
    for child in node.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "annotation" => {
                if let Some(doc) = documentation(child) {
                    push_paragraph(&mut text, &doc);
                }
            }
            "documentation" => {
                let raw: String = child
                    .descendants()
                    .filter(Node::is_text)
                    .filter_map(|n| n.text())
                    .collect();
                push_paragraph(&mut text, &normalize(&raw));
            }
            _ => {}
        }
    }
    (!text.is_empty()).then_some(text)
}

fn push_paragraph(text: &mut String, paragraph: &str) {
    if paragraph.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(paragraph);
}

/// Trims each line and keeps at most one empty line between paragraphs.
fn normalize(raw: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in raw.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(line);
    }
    out
}

/// The child elements of `node`, skipping text and comments.
pub fn elements<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}
