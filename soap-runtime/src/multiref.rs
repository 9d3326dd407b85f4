//! SOAP-encoded multi-references: an accessor `<item href="#id1"/>` whose value is the element
//! `<multiRef id="id1">…</multiRef>` elsewhere in the body (Apache Axis writes every struct
//! this way). Before a document is read, each reference is replaced by a copy of the element
//! it points to, so generated readers never see the indirection.
//!
//! A hostile answer can make that copy huge: three references to the element that holds them
//! are a cycle, and a chain of elements each referring twice to the next doubles at every
//! link. So the document is read once into an index (every element with an `id`, every
//! reference), the references between targets are checked for cycles and the size of the
//! result is computed from the index, all before one byte is copied; only then is the
//! document written out, each reference expanded from the index. Everything is linear in
//! the size of the input plus the size of the result, and the result may be at most
//! [`MAX_GROWTH`] times the input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::read::{ReadError, ReadErrorKind, XmlReader, MAX_DEPTH};

/// How many times larger than the input the resolved document may be. A legitimate body
/// refers to each target once (Axis) or a few times, which at most doubles it; a result
/// larger than this is a reference bomb, refused before anything is copied.
pub const MAX_GROWTH: usize = 4;

/// The document with every `href="#…"` accessor replaced by what it refers to; the input
/// itself when it has none.
///
/// A reference to no element, references that reach the element holding them (a cycle),
/// references nested more than [`MAX_DEPTH`] deep, or a result more than [`MAX_GROWTH`]
/// times the size of `xml` are errors.
pub fn resolve(xml: &str) -> Result<Cow<'_, str>, ReadError> {
    if !has_reference(xml) {
        return Ok(Cow::Borrowed(xml));
    }
    // quick-xml skips a byte-order mark and counts its positions from after it; the index
    // works on what follows, and the mark is put back in front.
    let (bom, body) = match xml.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", xml),
    };
    let index = Index::read(body)?;
    if index.references.is_empty() {
        return Ok(Cow::Borrowed(xml));
    }
    let mut lengths = vec![Expanded::Pending; index.targets.len()];
    let whole = 0..body.len();
    let len = index
        .expanded_len(whole.clone(), &mut lengths, 0)?
        .saturating_add(bom.len());
    if len > xml.len().saturating_mul(MAX_GROWTH) {
        let size = if len == usize::MAX {
            "an unbounded size".to_owned()
        } else {
            format!("{len} bytes")
        };
        return Err(error(
            body,
            format!(
                "SOAP multi-references would expand this {}-byte message to {size}, more than {MAX_GROWTH} times its size",
                xml.len()
            ),
            0,
        ));
    }
    let mut out = String::with_capacity(len);
    out.push_str(bom);
    index.write(whole, &mut out);
    Ok(Cow::Owned(out))
}

/// Whether the text has `href="#…` or `href='#…`. Every response is checked, so one
/// vectorised search for `href=` does it, not a scan per quote style.
fn has_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"href=")
        .any(|at| matches!(bytes.get(at + 5..at + 7), Some(b"\"#" | b"'#")))
}

fn error(xml: &str, message: String, offset: usize) -> ReadError {
    XmlReader::new(xml).error(ReadErrorKind::Syntax(message), offset)
}

/// Attributes as written: keys, and values still escaped.
type Attributes = Vec<(String, String)>;

/// An element with an `id`: its other attributes and where its content lies.
struct Target {
    attributes: Attributes,
    content: Range<usize>,
}

/// An element with an `href="#…"`: where it lies (its content included), its name and other
/// attributes, and the target it refers to.
struct Reference {
    span: Range<usize>,
    name: String,
    attributes: Attributes,
    target: usize,
    /// The first reference after this one's span: the references inside a reference are
    /// replaced with it, so expanding skips them in one step.
    next: usize,
}

/// The expanded length of a target's content, as far as it is known.
#[derive(Debug, Clone, Copy)]
enum Expanded {
    Pending,
    /// Being computed: meeting it again is a cycle.
    Open,
    Done(usize),
}

/// Every target and every reference of a document, read in one pass.
struct Index<'a> {
    xml: &'a str,
    targets: Vec<Target>,
    /// In document order.
    references: Vec<Reference>,
}

/// An element whose end is still to come: the target and reference it is, if any.
struct OpenElement {
    target: Option<usize>,
    reference: Option<usize>,
}

impl<'a> Index<'a> {
    fn read(xml: &'a str) -> Result<Self, ReadError> {
        let syntax = |reader: &Reader<&[u8]>, e: quick_xml::Error| {
            error(xml, e.to_string(), reader.error_position() as usize)
        };
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut targets = Vec::new();
        // Each reference with the id it names, resolved once every target is known.
        let mut references: Vec<(Reference, String)> = Vec::new();
        let mut open: Vec<OpenElement> = Vec::new();
        let mut reader = Reader::from_str(xml);
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| syntax(&reader, e))?;
            let after = reader.buffer_position() as usize;
            let (start, empty) = match event {
                Event::Start(start) => (start, false),
                Event::Empty(start) => (start, true),
                Event::End(_) => {
                    let element = open.pop();
                    if let Some(t) = element.as_ref().and_then(|e| e.target) {
                        let target: &mut Target = &mut targets[t];
                        target.content.end = before;
                    }
                    if let Some(r) = element.and_then(|e| e.reference) {
                        references[r].0.span.end = after;
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let attrs = attributes(xml, &start, before)?;
            let target = value(&attrs, "id").map(|id| {
                // A later element with the same id wins, as it always has.
                ids.insert(id.to_owned(), targets.len());
                targets.push(Target {
                    attributes: without(&attrs, &["id", "href"]),
                    content: after..after,
                });
                targets.len() - 1
            });
            let reference = value(&attrs, "href")
                .and_then(|v| v.strip_prefix('#'))
                .map(|id| {
                    references.push((
                        Reference {
                            span: before..after,
                            name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
                            attributes: without(&attrs, &["href"]),
                            target: 0,
                            next: 0,
                        },
                        id.to_owned(),
                    ));
                    references.len() - 1
                });
            if !empty {
                open.push(OpenElement { target, reference });
            }
        }
        let mut resolved = Vec::with_capacity(references.len());
        for (mut reference, id) in references {
            reference.target = *ids.get(&id).ok_or_else(|| {
                error(
                    xml,
                    format!("href=\"#{id}\" refers to no element with that id"),
                    reference.span.start,
                )
            })?;
            resolved.push(reference);
        }
        let starts: Vec<usize> = resolved.iter().map(|r| r.span.start).collect();
        for reference in &mut resolved {
            reference.next = starts.partition_point(|&start| start < reference.span.end);
        }
        Ok(Self {
            xml,
            targets,
            references: resolved,
        })
    }
}

impl Index<'_> {
    /// The references to expand in `range`: those not inside another one.
    fn references_in(&self, range: Range<usize>) -> impl Iterator<Item = &Reference> + '_ {
        let mut at = self
            .references
            .partition_point(|r| r.span.start < range.start);
        std::iter::from_fn(move || {
            let reference = self.references.get(at)?;
            if reference.span.start >= range.end {
                return None;
            }
            at = reference.next;
            Some(reference)
        })
    }

    /// The length of `range` once expanded, `usize::MAX` when that overflows. `lengths`
    /// keeps each target's, so each is computed once; `depth` is how many references lead
    /// here.
    fn expanded_len(
        &self,
        range: Range<usize>,
        lengths: &mut [Expanded],
        depth: usize,
    ) -> Result<usize, ReadError> {
        let mut len = range.len();
        for reference in self.references_in(range) {
            let content = match lengths[reference.target] {
                Expanded::Done(len) => len,
                Expanded::Open => {
                    return Err(self.error(
                        reference,
                        "refers to an element that holds it: the references form a cycle",
                    ))
                }
                Expanded::Pending if depth >= MAX_DEPTH => {
                    return Err(self.error(
                        reference,
                        &format!("is in a chain of references more than {MAX_DEPTH} deep"),
                    ))
                }
                Expanded::Pending => {
                    lengths[reference.target] = Expanded::Open;
                    let target = &self.targets[reference.target];
                    let len = self.expanded_len(target.content.clone(), lengths, depth + 1)?;
                    lengths[reference.target] = Expanded::Done(len);
                    len
                }
            };
            let mut tags = Length(0);
            self.write_open(reference, &mut tags)
                .and_then(|()| self.write_close(reference, &mut tags))
                .expect("counting cannot fail");
            len = (len - reference.span.len())
                .saturating_add(tags.0)
                .saturating_add(content);
        }
        Ok(len)
    }

    fn error(&self, reference: &Reference, what: &str) -> ReadError {
        let target = &self.xml[reference.span.clone()];
        let tag = target.split_once('>').map_or(target, |(tag, _)| tag);
        error(
            self.xml,
            format!("the SOAP multi-reference {tag}> {what}"),
            reference.span.start,
        )
    }

    /// Writes `range` with its references expanded. [`Index::expanded_len`] has checked
    /// them: no cycle, and a bounded depth.
    fn write(&self, range: Range<usize>, out: &mut String) {
        let mut copied = range.start;
        for reference in self.references_in(range.clone()) {
            out.push_str(&self.xml[copied..reference.span.start]);
            self.write_open(reference, out)
                .expect("writing to a String cannot fail");
            self.write(self.targets[reference.target].content.clone(), out);
            self.write_close(reference, out)
                .expect("writing to a String cannot fail");
            copied = reference.span.end;
        }
        out.push_str(&self.xml[copied..range.end]);
    }

    /// The reference's start tag: its own attributes, then those of its target that it
    /// does not have.
    fn write_open(&self, reference: &Reference, out: &mut impl fmt::Write) -> fmt::Result {
        out.write_char('<')?;
        out.write_str(&reference.name)?;
        let own = &reference.attributes;
        let borrowed = self.targets[reference.target]
            .attributes
            .iter()
            .filter(|(k, _)| value(own, k).is_none());
        for (key, value) in own.iter().chain(borrowed) {
            write!(out, " {key}=\"")?;
            // A value written between single quotes may hold double ones.
            for (i, part) in value.split('"').enumerate() {
                if i > 0 {
                    out.write_str("&quot;")?;
                }
                out.write_str(part)?;
            }
            out.write_char('"')?;
        }
        out.write_char('>')
    }

    fn write_close(&self, reference: &Reference, out: &mut impl fmt::Write) -> fmt::Result {
        write!(out, "</{}>", reference.name)
    }
}

/// A [`fmt::Write`] that only counts, to know how long a text would be without writing it.
struct Length(usize);

impl fmt::Write for Length {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}

/// An element's attributes, keys and values as written (values still escaped).
fn attributes(xml: &str, start: &BytesStart<'_>, offset: usize) -> Result<Attributes, ReadError> {
    start
        .attributes()
        .with_checks(false)
        .map(|attribute| {
            let attribute = attribute.map_err(|e| error(xml, e.to_string(), offset))?;
            let key = String::from_utf8_lossy(attribute.key.into_inner()).into_owned();
            Ok((key, String::from_utf8_lossy(&attribute.value).into_owned()))
        })
        .collect()
}

fn value<'v>(attributes: &'v [(String, String)], key: &str) -> Option<&'v str> {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn without(attributes: &[(String, String)], keys: &[&str]) -> Attributes {
    attributes
        .iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_replaced_by_their_targets() {
        let xml = r##"<Body><r><item href="#a"/><item href="#b"></item></r><m id="a" t="x"><n>1</n></m><m id='b'><n href="#c"/></m><m id="c">3</m></Body>"##;
        let resolved = resolve(xml).unwrap();
        assert_eq!(
            resolved,
            r#"<Body><r><item t="x"><n>1</n></item><item><n>3</n></item></r><m id="a" t="x"><n>1</n></m><m id='b'><n>3</n></m><m id="c">3</m></Body>"#
        );
    }

    #[test]
    fn documents_without_references_are_not_copied() {
        assert!(matches!(
            resolve("<a href='x'/>").unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn dangling_and_cyclic_references_are_errors() {
        assert!(resolve(r##"<a><b href="#x"/></a>"##).is_err());
        assert!(resolve(r##"<a><b href="#x"/><c id="x"><d href="#x"/></c></a>"##).is_err());
    }
    /// The 150-byte answer that once made a Clickatell client allocate 12 GB and abort.
    const BOMB: &str = r##"<E:Envelope xmlns:E="http://schemas.xmlsoap.org/soap/envelope/"><E:Body><m id="a"><i href="#a"/><i href="#a"/><i href="#a"/></m></E:Body></E:Envelope>"##;

    fn message(result: Result<Cow<'_, str>, ReadError>) -> String {
        match result {
            Ok(resolved) => panic!("resolved to {} bytes", resolved.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_target_that_refers_to_itself_is_a_cycle_found_before_copying() {
        let error = message(resolve(BOMB));
        assert!(error.contains("cycle"), "{error}");
        assert!(error.contains(r##"<i href="#a"/>"##), "{error}");
        let error = message(resolve(
            r##"<r><x href="#a"/><m id="a"><n href="#b"/></m><m id="b"><n href="#a"/></m></r>"##,
        ));
        assert!(error.contains("cycle"), "{error}");
    }

    /// A chain of targets each referring twice to the next: every target is expanded once
    /// to know the size, and 2^40 copies are refused without being made.
    #[test]
    fn a_doubling_chain_is_refused_by_its_size() {
        let mut xml = String::from(r##"<r><x href="#t0"/>"##);
        for level in 0..40 {
            let next = level + 1;
            xml.push_str(&format!(
                r##"<m id="t{level}"><i href="#t{next}"/><i href="#t{next}"/></m>"##
            ));
        }
        xml.push_str(r#"<m id="t40">leaf</m></r>"#);
        let error = message(resolve(&xml));
        assert!(error.contains("more than 4 times its size"), "{error}");
        assert!(
            error.contains("an unbounded size") || error.contains("bytes"),
            "{error}"
        );
    }

    #[test]
    fn a_target_may_be_shared_within_the_size_limit() {
        let xml = r##"<r><p href="#a"/><p href="#a"/><p href="#a"/><m id="a" t="s">Ada</m></r>"##;
        assert_eq!(
            resolve(xml).unwrap(),
            r#"<r><p t="s">Ada</p><p t="s">Ada</p><p t="s">Ada</p><m id="a" t="s">Ada</m></r>"#
        );
    }

    #[test]
    fn a_chain_of_references_deeper_than_the_reader_allows_is_refused() {
        let mut xml = String::from(r##"<r><x href="#t0"/>"##);
        for level in 0..=MAX_DEPTH {
            xml.push_str(&format!(
                r##"<m id="t{level}"><i href="#t{}"/></m>"##,
                level + 1
            ));
        }
        xml.push_str(&format!(r#"<m id="t{}"/></r>"#, MAX_DEPTH + 1));
        let error = message(resolve(&xml));
        assert!(error.contains("more than 256 deep"), "{error}");
    }

    #[test]
    fn references_inside_a_reference_are_replaced_with_it() {
        let xml = r##"<r><x href="#a"><y href="#nowhere-ok"/></x><m id="a">1</m><m id="nowhere-ok"/></r>"##;
        assert_eq!(
            resolve(xml).unwrap(),
            r#"<r><x>1</x><m id="a">1</m><m id="nowhere-ok"/></r>"#
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_root_is_kept() {
        let xml = "\u{feff}<r><x href=\"#a\"/><m id=\"a\">1</m></r>";
        assert_eq!(
            resolve(xml).unwrap(),
            "\u{feff}<r><x>1</x><m id=\"a\">1</m></r>"
        );
    }
}
