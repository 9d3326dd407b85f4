//! SOAP-encoded multi-references: an accessor `<item href="#id1"/>` whose value is the element
//! `<multiRef id="id1">…</multiRef>` elsewhere in the body (Apache Axis writes every struct
//! this way). Before a document is read, each reference is replaced by a copy of the element
//! it points to, so generated readers never see the indirection.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::read::{ReadError, ReadErrorKind, XmlReader};

/// How many rounds of replacement a document may need (a reference inside a referenced
/// element needs a second round). More means a cycle of references.
const MAX_ROUNDS: usize = 16;

/// The document with every `href="#…"` accessor replaced by what it refers to; the input
/// itself when it has none.
pub fn resolve(xml: &str) -> Result<Cow<'_, str>, ReadError> {
    let mut text = Cow::Borrowed(xml);
    for _ in 0..MAX_ROUNDS {
        if !has_reference(&text) {
            return Ok(text);
        }
        text = Cow::Owned(resolve_once(&text)?);
    }
    Err(error(
        xml,
        "SOAP multi-references refer to each other in a cycle".into(),
        0,
    ))
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

/// An element with an `id`: its other attributes and its content.
struct Target<'a> {
    attributes: Attributes,
    content: &'a str,
}

/// An element with an `id` whose end is still to come.
struct Open {
    id: String,
    attributes: Attributes,
    content_start: usize,
}

/// An element's attributes, keys and values as written (values still escaped).
fn attributes(
    xml: &str,
    start: &BytesStart<'_>,
    offset: usize,
) -> Result<Vec<(String, String)>, ReadError> {
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

fn resolve_once(xml: &str) -> Result<String, ReadError> {
    let syntax = |reader: &Reader<&[u8]>, e: quick_xml::Error| {
        error(xml, e.to_string(), reader.error_position() as usize)
    };
    // First pass: every element with an `id`, and what it holds.
    let mut targets: HashMap<String, Target<'_>> = HashMap::new();
    let mut open: Vec<Option<Open>> = Vec::new();
    let mut reader = Reader::from_str(xml);
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| syntax(&reader, e))?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(start) => {
                let attrs = attributes(xml, &start, before)?;
                let id = value(&attrs, "id").map(str::to_owned);
                open.push(id.map(|id| Open {
                    id,
                    attributes: attrs,
                    content_start: after,
                }));
            }
            Event::Empty(start) => {
                let attrs = attributes(xml, &start, before)?;
                if let Some(id) = value(&attrs, "id").map(str::to_owned) {
                    targets.insert(
                        id,
                        Target {
                            attributes: without(attrs, "id"),
                            content: "",
                        },
                    );
                }
            }
            Event::End(_) => {
                if let Some(Some(Open {
                    id,
                    attributes,
                    content_start,
                })) = open.pop()
                {
                    targets.insert(
                        id,
                        Target {
                            attributes: without(attributes, "id"),
                            content: &xml[content_start..before],
                        },
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }

    // Second pass: copy the document, replacing each reference by its target.
    let mut out = String::with_capacity(xml.len() * 2);
    let mut copied = 0;
    let mut reader = Reader::from_str(xml);
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| syntax(&reader, e))?;
        let (start, empty) = match event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::Eof => break,
            _ => continue,
        };
        let attrs = attributes(xml, &start, before)?;
        let Some(reference) = value(&attrs, "href").and_then(|v| v.strip_prefix('#')) else {
            continue;
        };
        let target = targets.get(reference).ok_or_else(|| {
            error(
                xml,
                format!("href=\"#{reference}\" refers to no element with that id"),
                before,
            )
        })?;
        let name = String::from_utf8_lossy(start.name().into_inner()).into_owned();
        out.push_str(&xml[copied..before]);
        out.push('<');
        out.push_str(&name);
        let own = attrs.iter().filter(|(k, _)| k != "href");
        let borrowed = target
            .attributes
            .iter()
            .filter(|(k, _)| value(&attrs, k).is_none());
        for (key, value) in own.chain(borrowed) {
            out.push(' ');
            out.push_str(key);
            out.push_str("=\"");
            out.push_str(&value.replace('"', "&quot;"));
            out.push('"');
        }
        out.push('>');
        out.push_str(target.content);
        out.push_str("</");
        out.push_str(&name);
        out.push('>');
        if !empty {
            // Whatever the reference itself holds (normally nothing) is replaced too.
            let mut depth = 1;
            while depth > 0 {
                match reader.read_event().map_err(|e| syntax(&reader, e))? {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth -= 1,
                    Event::Eof => return Err(error(xml, "unexpected end of input".into(), before)),
                    _ => {}
                }
            }
        }
        copied = reader.buffer_position() as usize;
    }
    out.push_str(&xml[copied..]);
    Ok(out)
}

fn without(attributes: Attributes, key: &str) -> Attributes {
    attributes.into_iter().filter(|(k, _)| k != key).collect()
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
}
