//! Reading XML: a pull reader over a borrowed string, handed to generated code one element at a
//! time.
//!
//! Children are matched by local name, whatever their prefix; `xsi:type` and other attributes the
//! reader was not asked for are ignored; a child that generated code did not consume is skipped.

use std::borrow::Cow;
use std::fmt;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::{SimpleValue, ValueError, XmlValue};

/// Where in the input a read error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Byte offset from the start of the input.
    pub offset: usize,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Location {
    fn of(input: &str, offset: usize) -> Self {
        let offset = offset.min(input.len());
        let before = &input.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Self {
            offset,
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a document could not be read into a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The input is not well-formed XML.
    #[error("malformed XML: {0}")]
    Syntax(String),
    /// The input ended inside an element, or had no root element.
    #[error("unexpected end of input")]
    UnexpectedEof,
    /// A required child element is missing.
    #[error("<{parent}> has no <{element}>, which is required")]
    MissingElement {
        /// The element that should have had the child.
        parent: String,
        /// The missing child's local name.
        element: &'static str,
    },
    /// A required attribute is missing.
    #[error("<{parent}> has no attribute {attribute}, which is required")]
    MissingAttribute {
        /// The element that should have had the attribute.
        parent: String,
        /// The missing attribute's local name.
        attribute: &'static str,
    },
    /// An element or attribute holds text that is not a value of its type.
    #[error("{name}: {error}")]
    Value {
        /// The element (`<name>`) or attribute (`@name`).
        name: String,
        /// What was wrong with the text.
        error: ValueError,
    },
    /// An element of a simple type contains a child element.
    #[error("<{parent}> should hold text, but contains <{child}>")]
    ElementInText {
        /// The element that should hold text.
        parent: String,
        /// The child element found.
        child: String,
    },
    /// Elements are nested deeper than [`MAX_DEPTH`]: no schema means that, and reading on
    /// would exhaust the stack.
    #[error("elements are nested more than {limit} deep")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The document's root element is not the one expected.
    #[error("expected <{expected}>, found <{found}>")]
    UnexpectedElement {
        /// The expected local name.
        expected: String,
        /// The local name found.
        found: String,
    },
}

/// An error reading XML into a value, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at {location})")]
pub struct ReadError {
    /// What went wrong.
    pub kind: ReadErrorKind,
    /// Where.
    pub location: Location,
}

/// How deep elements may nest. Generated readers recurse once per level, so a hostile document
/// a hundred thousand levels deep would otherwise overflow the stack; real SOAP messages stay
/// far below this.
pub const MAX_DEPTH: usize = 256;

/// A pull reader over a whole document held in memory.
pub struct XmlReader<'a> {
    inner: NsReader<&'a [u8]>,
    input: &'a str,
    /// How many elements are open.
    depth: usize,
}

impl<'a> XmlReader<'a> {
    /// A reader over `input`.
    pub fn new(input: &'a str) -> Self {
        let mut inner = NsReader::from_str(input);
        inner.config_mut().expand_empty_elements = false;
        Self {
            inner,
            input,
            depth: 0,
        }
    }

    /// The input being read.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// An error at byte `offset` of the input.
    pub fn error(&self, kind: ReadErrorKind, offset: usize) -> ReadError {
        ReadError {
            kind,
            location: Location::of(self.input, offset),
        }
    }

    /// Reads the root element's start tag (skipping the prolog).
    pub fn root(&mut self) -> Result<Element<'_, 'a>, ReadError> {
        self.root_with(true)
    }

    /// Like [`XmlReader::root`], refusing a document with a DTD when `dtd_allowed` is false
    /// (SOAP forbids them; nothing reads an entity from one either way).
    pub fn root_with(&mut self, dtd_allowed: bool) -> Result<Element<'_, 'a>, ReadError> {
        loop {
            let (offset, event) = self.next_event()?;
            match event {
                Event::Start(start) => {
                    self.depth += 1;
                    let depth = self.depth;
                    return Ok(self.element(start, offset, depth, State::Open));
                }
                Event::Empty(start) => {
                    let depth = self.depth + 1;
                    return Ok(self.element(start, offset, depth, State::Empty));
                }
                Event::Eof => return Err(self.error(ReadErrorKind::UnexpectedEof, offset)),
                Event::DocType(_) if !dtd_allowed => {
                    return Err(self.error(
                        ReadErrorKind::Syntax("a SOAP message may not have a DTD".into()),
                        offset,
                    ))
                }
                Event::Text(text) if !is_blank(&text) => {
                    return Err(self.error(
                        ReadErrorKind::Syntax("text before the root element".into()),
                        offset,
                    ))
                }
                _ => {}
            }
        }
    }

    fn element(
        &mut self,
        start: BytesStart<'a>,
        offset: usize,
        depth: usize,
        state: State,
    ) -> Element<'_, 'a> {
        let end_of_start = self.inner.buffer_position() as usize;
        Element {
            reader: self,
            start,
            offset,
            end_of_start,
            depth,
            state,
        }
    }

    /// The next event and the byte offset where it starts.
    fn next_event(&mut self) -> Result<(usize, Event<'a>), ReadError> {
        let offset = self.inner.buffer_position() as usize;
        match self.inner.read_event() {
            Ok(event) => Ok((offset, event)),
            Err(e) => {
                let at = self.inner.error_position() as usize;
                Err(self.error(ReadErrorKind::Syntax(e.to_string()), at))
            }
        }
    }
}

fn is_blank(text: &[u8]) -> bool {
    text.iter().all(u8::is_ascii_whitespace)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The start tag was read; content follows.
    Open,
    /// `<name/>`: there is no content.
    Empty,
    /// The end tag was read.
    Closed,
}

/// One element whose start tag has been read: its name and attributes, and its content still to
/// be read, as child elements ([`Element::next_child`]) or as text ([`Element::text`]).
pub struct Element<'r, 'a> {
    reader: &'r mut XmlReader<'a>,
    start: BytesStart<'a>,
    offset: usize,
    end_of_start: usize,
    /// The reader's depth while inside this element.
    depth: usize,
    state: State,
}

impl<'r, 'a> Element<'r, 'a> {
    /// The local name (without prefix).
    pub fn local_name(&self) -> &str {
        std::str::from_utf8(self.start.local_name().into_inner()).unwrap_or("")
    }

    /// The namespace the element's name is in, if any. Call it before reading the content:
    /// it is resolved against the declarations in scope at the time of the call.
    pub fn namespace(&self) -> Option<String> {
        match self.reader.inner.resolve_element(self.start.name()).0 {
            ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.into_inner()).into_owned()),
            _ => None,
        }
    }

    /// Byte offset of the start tag in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// An error located at this element's start tag.
    pub fn error(&self, kind: ReadErrorKind) -> ReadError {
        self.reader.error(kind, self.offset)
    }

    /// The error for a required child that is missing.
    pub fn missing(&self, element: &'static str) -> ReadError {
        self.error(ReadErrorKind::MissingElement {
            parent: self.local_name().to_owned(),
            element,
        })
    }

    /// `value`, or the error for a missing required child `element`.
    pub fn required<T>(&self, value: Option<T>, element: &'static str) -> Result<T, ReadError> {
        value.ok_or_else(|| self.missing(element))
    }

    /// The value of the attribute with this local name (whatever its prefix; namespace
    /// declarations are not attributes here).
    pub fn attribute(&self, local: &str) -> Result<Option<Cow<'_, str>>, ReadError> {
        for attribute in self.start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| self.syntax(e.to_string()))?;
            let key = attribute.key;
            if key.as_namespace_binding().is_none() && key.local_name().as_ref() == local.as_bytes()
            {
                let value = attribute
                    .unescape_value()
                    .map_err(|e| self.syntax(e.to_string()))?;
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// The attribute with this local name, parsed as `T`.
    pub fn attribute_value<T: SimpleValue>(
        &self,
        local: &'static str,
    ) -> Result<Option<T>, ReadError> {
        match self.attribute(local)? {
            None => Ok(None),
            Some(text) => T::parse_text(&text).map(Some).map_err(|error| {
                self.error(ReadErrorKind::Value {
                    name: format!("@{local}"),
                    error,
                })
            }),
        }
    }

    /// A required attribute, parsed as `T`.
    pub fn required_attribute<T: SimpleValue>(&self, local: &'static str) -> Result<T, ReadError> {
        self.attribute_value(local)?.ok_or_else(|| {
            self.error(ReadErrorKind::MissingAttribute {
                parent: self.local_name().to_owned(),
                attribute: local,
            })
        })
    }

    /// Every attribute that is not a namespace declaration, with its resolved namespace, except
    /// those whose local names are in `known` and the `xsi:` ones. Call it before reading content.
    pub fn other_attributes(&self, known: &[&str]) -> Result<crate::AnyAttributes, ReadError> {
        let mut found = Vec::new();
        for attribute in self.start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| self.syntax(e.to_string()))?;
            let key = attribute.key;
            if key.as_namespace_binding().is_some() {
                continue;
            }
            let (ns, local) = self.reader.inner.resolve_attribute(key);
            let ns = match ns {
                ResolveResult::Bound(ns) => {
                    Some(String::from_utf8_lossy(ns.into_inner()).into_owned())
                }
                _ => None,
            };
            let local = String::from_utf8_lossy(local.into_inner()).into_owned();
            let is_xsi = ns.as_deref().is_some_and(is_xsi_namespace);
            if is_xsi || (ns.is_none() && known.contains(&local.as_str())) {
                continue;
            }
            let value = attribute
                .unescape_value()
                .map_err(|e| self.syntax(e.to_string()))?;
            found.push(crate::builtin::AnyAttribute {
                ns,
                local,
                value: value.into_owned(),
            });
        }
        Ok(crate::AnyAttributes(found))
    }

    /// Whether the element carries `xsi:nil="true"`.
    pub fn is_nil(&self) -> bool {
        self.start
            .attributes()
            .with_checks(false)
            .flatten()
            .any(|a| {
                a.key.local_name().as_ref() == b"nil"
                    && a.key.prefix().is_some()
                    && matches!(a.value.as_ref(), b"true" | b"1")
            })
    }

    /// The next child element, or `None` at the end of this element. Text between children
    /// (whitespace, mixed content) is passed over; whatever is left unread of the previous
    /// child is skipped.
    pub fn next_child(&mut self) -> Result<Option<Element<'_, 'a>>, ReadError> {
        if self.state != State::Open {
            return Ok(None);
        }
        self.skip_to_depth(self.depth)?;
        loop {
            let (offset, event) = self.reader.next_event()?;
            match event {
                Event::Start(start) => {
                    self.reader.depth += 1;
                    let depth = self.reader.depth;
                    if depth > MAX_DEPTH {
                        return Err(self
                            .reader
                            .error(ReadErrorKind::TooDeep { limit: MAX_DEPTH }, offset));
                    }
                    return Ok(Some(self.reader.element(start, offset, depth, State::Open)));
                }
                Event::Empty(start) => {
                    let depth = self.reader.depth + 1;
                    return Ok(Some(self.reader.element(
                        start,
                        offset,
                        depth,
                        State::Empty,
                    )));
                }
                Event::End(_) => {
                    self.reader.depth -= 1;
                    self.state = State::Closed;
                    return Ok(None);
                }
                Event::Eof => return Err(self.reader.error(ReadErrorKind::UnexpectedEof, offset)),
                _ => {}
            }
        }
    }

    /// Reads the element's content as text (entities resolved, CDATA included). Borrows from
    /// the input when the text had no escapes.
    pub fn text(mut self) -> Result<Cow<'a, str>, ReadError> {
        self.take_text()
    }

    fn take_text(&mut self) -> Result<Cow<'a, str>, ReadError> {
        if self.state != State::Open {
            return Ok(Cow::Borrowed(""));
        }
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            let (offset, event) = self.reader.next_event()?;
            let piece = match event {
                Event::Text(t) => t.unescape().map_err(|e| {
                    self.reader
                        .error(ReadErrorKind::Syntax(e.to_string()), offset)
                })?,
                Event::CData(c) => match c.into_inner() {
                    Cow::Borrowed(bytes) => Cow::Borrowed(self.utf8(bytes, offset)?),
                    Cow::Owned(bytes) => Cow::Owned(self.utf8(&bytes, offset)?.to_owned()),
                },
                Event::Start(child) | Event::Empty(child) => {
                    let child =
                        String::from_utf8_lossy(child.local_name().into_inner()).into_owned();
                    let parent = self.local_name().to_owned();
                    return Err(self
                        .reader
                        .error(ReadErrorKind::ElementInText { parent, child }, offset));
                }
                Event::End(_) => {
                    self.reader.depth -= 1;
                    self.state = State::Closed;
                    return Ok(text.unwrap_or(Cow::Borrowed("")));
                }
                Event::Eof => return Err(self.reader.error(ReadErrorKind::UnexpectedEof, offset)),
                _ => continue,
            };
            text = Some(match text {
                None => piece,
                Some(so_far) => Cow::Owned(so_far.into_owned() + &piece),
            });
        }
    }

    fn utf8<'b>(&self, bytes: &'b [u8], offset: usize) -> Result<&'b str, ReadError> {
        std::str::from_utf8(bytes).map_err(|e| {
            self.reader
                .error(ReadErrorKind::Syntax(e.to_string()), offset)
        })
    }

    /// Reads the text and parses it as `T`.
    pub fn parse<T: SimpleValue>(mut self) -> Result<T, ReadError> {
        let text = self.take_text()?;
        T::parse_text(&text).map_err(|error| {
            self.error(ReadErrorKind::Value {
                name: format!("<{}>", self.local_name()),
                error,
            })
        })
    }

    /// Reads the content as a `T`.
    pub fn read<T: XmlValue>(self) -> Result<T, ReadError> {
        T::read(self)
    }

    /// Reads the content as a `T`, or `None` for `xsi:nil="true"`.
    pub fn read_nillable<T: XmlValue>(self) -> Result<Option<T>, ReadError> {
        if self.is_nil() {
            Ok(None)
        } else {
            T::read(self).map(Some)
        }
    }

    /// Reads the content as a boxed `T` (a field that breaks a cycle of types).
    pub fn read_boxed<T: XmlValue>(self) -> Result<Box<T>, ReadError> {
        T::read(self).map(Box::new)
    }

    /// The whole element as written in the input, for `xsd:any`.
    pub fn capture(mut self) -> Result<crate::AnyElement, ReadError> {
        let start = self.offset;
        let end = match self.state {
            State::Empty | State::Closed => self.end_of_start,
            State::Open => {
                self.skip_to_depth(self.depth - 1)?;
                self.state = State::Closed;
                self.reader.inner.buffer_position() as usize
            }
        };
        Ok(crate::AnyElement::from_raw(
            self.reader.input[start..end].to_owned(),
        ))
    }

    /// The element's content (between its tags) as written in the input, for `xsd:anyType`.
    pub fn capture_content(mut self) -> Result<crate::AnyContent, ReadError> {
        let start = self.end_of_start;
        let xml = match self.state {
            State::Empty | State::Closed => String::new(),
            State::Open => {
                // Read up to, not past, the end tag: its offset is where the content stops.
                self.skip_to_depth(self.depth)?;
                loop {
                    let (offset, event) = self.reader.next_event()?;
                    match event {
                        Event::Start(_) => self.reader.depth += 1,
                        Event::End(_) => {
                            self.reader.depth -= 1;
                            if self.reader.depth < self.depth {
                                self.state = State::Closed;
                                break self.reader.input[start..offset].to_owned();
                            }
                        }
                        Event::Eof => {
                            return Err(self.reader.error(ReadErrorKind::UnexpectedEof, offset))
                        }
                        _ => {}
                    }
                }
            }
        };
        Ok(crate::AnyContent::from_raw(xml))
    }

    /// Consumes events until the reader is back at `depth`.
    fn skip_to_depth(&mut self, depth: usize) -> Result<(), ReadError> {
        while self.reader.depth > depth {
            let (offset, event) = self.reader.next_event()?;
            match event {
                Event::Start(_) => self.reader.depth += 1,
                Event::End(_) => self.reader.depth -= 1,
                Event::Eof => return Err(self.reader.error(ReadErrorKind::UnexpectedEof, offset)),
                _ => {}
            }
        }
        Ok(())
    }

    fn syntax(&self, message: String) -> ReadError {
        self.error(ReadErrorKind::Syntax(message))
    }
}

/// The XML Schema instance namespaces: 2001, and the 1999 one that older servers still send.
pub(crate) fn is_xsi_namespace(ns: &str) -> bool {
    matches!(
        ns,
        crate::XSI_NS | "http://www.w3.org/1999/XMLSchema-instance"
    )
}

/// Reads a whole document whose root element holds a `T`; the root's name is not checked.
pub fn read_document<T: XmlValue>(xml: &str) -> Result<T, ReadError> {
    let mut reader = XmlReader::new(xml);
    let root = reader.root()?;
    T::read(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters() {
        let input = "ab\nçd<x>";
        let at = Location::of(input, input.find('<').unwrap());
        assert_eq!((at.line, at.column), (2, 3));
    }

    #[test]
    fn children_are_found_whatever_was_left_unread() {
        let xml = "<a x='1' p:nil='true' xmlns:p='urn:p'><b><deep>1</deep></b>text<c>2</c><d/></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        assert_eq!(root.attribute("x").unwrap().as_deref(), Some("1"));
        assert!(root.is_nil());
        let mut names = Vec::new();
        while let Some(child) = root.next_child().unwrap() {
            names.push(child.local_name().to_owned());
        }
        assert_eq!(names, ["b", "c", "d"]);
    }

    #[test]
    fn text_joins_pieces_and_rejects_children() {
        let mut reader = XmlReader::new("<a>x &amp; <![CDATA[<y>]]></a>");
        assert_eq!(reader.root().unwrap().text().unwrap(), "x & <y>");
        let mut reader = XmlReader::new("<a>x<b/></a>");
        let err = reader.root().unwrap().text().unwrap_err();
        assert!(
            matches!(err.kind, ReadErrorKind::ElementInText { .. }),
            "{err}"
        );
    }

    #[test]
    fn nesting_is_limited() {
        fn descend(mut element: Element<'_, '_>) -> Result<(), ReadError> {
            while let Some(child) = element.next_child()? {
                descend(child)?;
            }
            Ok(())
        }
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let fits = nested(MAX_DEPTH);
        assert!(descend(XmlReader::new(&fits).root().unwrap()).is_ok());
        let deep = nested(MAX_DEPTH + 1);
        let error = descend(XmlReader::new(&deep).root().unwrap()).unwrap_err();
        assert_eq!(error.kind, ReadErrorKind::TooDeep { limit: MAX_DEPTH });
    }

    #[test]
    fn a_dtd_can_be_refused() {
        let xml = "<!DOCTYPE a [<!ENTITY b \"bbbb\">]><a/>";
        assert!(XmlReader::new(xml).root_with(false).is_err());
        assert!(XmlReader::new(xml).root_with(true).is_ok());
    }

    #[test]
    fn unknown_entities_are_errors_not_expansions() {
        let xml = "<!DOCTYPE a [<!ENTITY b \"bbbbbbbb\">]><a>&b;&b;</a>";
        let mut reader = XmlReader::new(xml);
        assert!(reader.root().unwrap().text().is_err());
    }

    #[test]
    fn capture_keeps_the_element_as_written() {
        let xml = "<a><x:any xmlns:x='urn:x' k='v'><in/>t</x:any><b/></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        let any = root.next_child().unwrap().unwrap().capture().unwrap();
        assert_eq!(any.as_str(), "<x:any xmlns:x='urn:x' k='v'><in/>t</x:any>");
        assert_eq!(root.next_child().unwrap().unwrap().local_name(), "b");
        let mut reader = XmlReader::new("<a> <b>1</b>x</a>");
        assert_eq!(
            reader.root().unwrap().capture_content().unwrap().as_str(),
            " <b>1</b>x"
        );
    }
}
