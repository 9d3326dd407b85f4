//! Reading XML: a pull reader over a borrowed string, handed to generated code one element at a
//! time.
//!
//! Children are matched by local name, whatever their prefix; `xsi:type` and other attributes the
//! reader was not asked for are ignored; a child that generated code did not consume is skipped.

use std::borrow::Cow;
use std::fmt;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::NsReader;

use crate::{OrNil, QNameValue, SimpleValue, ValueError, XmlMixed, XmlValue};

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
    /// An element of an abstract type names, with `xsi:type`, no type derived from it that
    /// the schema defines (or names none).
    #[error("<{element}> is of the abstract type {abstract_type}, and {found}")]
    AbstractType {
        /// The element.
        element: String,
        /// The abstract type's name.
        abstract_type: &'static str,
        /// What its `xsi:type` says instead.
        found: String,
    },
}

/// An error reading XML into a value, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at {location})")]
#[non_exhaustive]
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
    /// An event read but given back ([`Element::put_back`], or the end of mixed content met
    /// while text was pending), with its offset: the next one to hand out.
    pending: Option<(usize, Event<'a>)>,
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
            pending: None,
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
        if let Some(pending) = self.pending.take() {
            return Ok(pending);
        }
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

/// The namespace prefixes in scope where a value is read, to resolve the prefix of an
/// `xsd:QName` (see [`crate::SimpleValue::parse_in`]).
#[derive(Clone, Copy)]
pub struct Namespaces<'r> {
    reader: Option<&'r NsReader<&'r [u8]>>,
}

impl fmt::Debug for Namespaces<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (prefix, ns) in self.bindings() {
            map.entry(&prefix.unwrap_or(""), &ns);
        }
        map.finish()
    }
}

impl<'r> Namespaces<'r> {
    /// No declarations at all: only unprefixed names (in no namespace) resolve.
    pub const NONE: Namespaces<'static> = Namespaces { reader: None };

    /// The namespace bound to `prefix` (`None`: the default namespace), if any.
    pub fn namespace_of(&self, prefix: Option<&str>) -> Option<&'r str> {
        if prefix == Some("xml") {
            return Some(XML_NS);
        }
        self.bindings()
            .find(|(p, _)| *p == prefix)
            .map(|(_, ns)| ns)
            .filter(|ns| !ns.is_empty())
    }

    /// The declarations in scope, outermost first, each prefix once (`None`: the default
    /// namespace).
    pub fn bindings(&self) -> impl Iterator<Item = (Option<&'r str>, &'r str)> {
        self.reader
            .into_iter()
            .flat_map(NsReader::prefixes)
            .filter_map(|(prefix, ns)| {
                let prefix = match prefix {
                    PrefixDeclaration::Default => None,
                    PrefixDeclaration::Named(p) => Some(std::str::from_utf8(p).ok()?),
                };
                Some((prefix, std::str::from_utf8(ns.into_inner()).ok()?))
            })
    }
}

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

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

    /// The namespace declarations in scope at this element (its own included). Call it before
    /// reading the content.
    pub fn namespaces(&self) -> Namespaces<'_> {
        Namespaces {
            reader: Some(&self.reader.inner),
        }
    }

    /// The type `xsi:type` names, resolved against the declarations in scope. Call it before
    /// reading the content.
    pub fn xsi_type(&self) -> Result<Option<QNameValue>, ReadError> {
        for attribute in self.start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| self.syntax(e.to_string()))?;
            if attribute.key.local_name().as_ref() != b"type" {
                continue;
            }
            let (ns, _) = self.reader.inner.resolve_attribute(attribute.key);
            let is_xsi = matches!(ns, ResolveResult::Bound(ns)
                if std::str::from_utf8(ns.into_inner()).is_ok_and(is_xsi_namespace));
            if is_xsi {
                let value = attribute
                    .unescape_value()
                    .map_err(|e| self.syntax(e.to_string()))?;
                return QNameValue::parse_in(&value, &self.namespaces())
                    .map(Some)
                    .map_err(|error| {
                        self.error(ReadErrorKind::Value {
                            name: "@xsi:type".to_owned(),
                            error,
                        })
                    });
            }
        }
        Ok(None)
    }

    /// The error for an element of the abstract type `abstract_type` whose `xsi:type` names
    /// no type this reader knows as derived from it.
    pub fn abstract_type(&self, abstract_type: &'static str) -> ReadError {
        let found = match self.xsi_type() {
            Ok(Some(name)) => format!("its xsi:type {name} is not a type derived from it"),
            Ok(None) => "it has no xsi:type naming a type derived from it".to_owned(),
            Err(error) => return error,
        };
        self.error(ReadErrorKind::AbstractType {
            element: self.local_name().to_owned(),
            abstract_type,
            found,
        })
    }

    /// The dimensions a SOAP-encoded array gives in `SOAP-ENC:arrayType` (`xsd:int[2,3]` gives
    /// 2 and 3); empty when it gives none.
    pub fn array_dimensions(&self) -> Result<Vec<usize>, ReadError> {
        let Some(value) = self.attribute("arrayType")? else {
            return Ok(Vec::new());
        };
        let dims = value
            .trim_end()
            .strip_suffix(']')
            .and_then(|v| v.rsplit_once('['))
            .map_or("", |(_, dims)| dims);
        if dims.trim().is_empty() {
            return Ok(Vec::new());
        }
        dims.split(',')
            .map(|d| d.trim().parse::<usize>())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                self.error(ReadErrorKind::Value {
                    name: "@SOAP-ENC:arrayType".to_owned(),
                    error: ValueError::new("array dimensions", &value),
                })
            })
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
            Some(text) => T::parse_in(&text, &self.namespaces())
                .map(Some)
                .map_err(|error| {
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

    /// Gives back a child just returned by [`Element::next_child`], unread: the next call
    /// returns it again. A group that reads itself from its parent ([`crate::XmlGroup`]) is
    /// handed the parent this way.
    pub fn put_back(self) {
        let event = match self.state {
            State::Empty => Event::Empty(self.start),
            State::Open | State::Closed => {
                self.reader.depth -= 1;
                Event::Start(self.start)
            }
        };
        self.reader.pending = Some((self.offset, event));
    }

    /// The next piece of mixed content: a run of text (entities resolved, CDATA included) or
    /// a child element; `None` at the end of this element. Comments and processing
    /// instructions are passed over; whatever is left unread of the previous child is skipped.
    pub fn next_mixed(&mut self) -> Result<Option<Mixed<'_, 'a>>, ReadError> {
        if self.state != State::Open {
            return Ok(None);
        }
        self.skip_to_depth(self.depth)?;
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            let (offset, event) = self.reader.next_event()?;
            let piece = match event {
                Event::Text(_) | Event::CData(_) => self.text_piece(event, offset)?,
                Event::Start(_) | Event::Empty(_) | Event::End(_) if text.is_some() => {
                    // The text before it comes first; the event is handed out next time.
                    self.reader.pending = Some((offset, event));
                    return Ok(text.map(Mixed::Text));
                }
                Event::Start(_) | Event::Empty(_) => {
                    self.reader.pending = Some((offset, event));
                    return Ok(self.next_child()?.map(Mixed::Element));
                }
                Event::End(_) => {
                    self.reader.depth -= 1;
                    self.state = State::Closed;
                    return Ok(None);
                }
                Event::Eof => return Err(self.reader.error(ReadErrorKind::UnexpectedEof, offset)),
                _ => continue,
            };
            text = Some(joined(text, piece));
        }
    }

    /// The error for a child that is none of the elements expected here.
    pub fn unexpected(&self, expected: &str) -> ReadError {
        self.error(ReadErrorKind::UnexpectedElement {
            expected: expected.to_owned(),
            found: self.local_name().to_owned(),
        })
    }

    /// Reads the next children while they are named `local`, as `T`s: the repetitions of one
    /// alternative of a choice, held together.
    pub fn read_consecutive<T: XmlValue>(&mut self, local: &str) -> Result<Vec<T>, ReadError> {
        let mut items = Vec::new();
        while let Some(child) = self.next_child()? {
            if child.local_name() != local {
                child.put_back();
                break;
            }
            items.push(child.read()?);
        }
        Ok(items)
    }

    /// Reads occurrences of a group while the next child begins one; the first must.
    pub fn read_groups<T: crate::XmlGroup>(&mut self) -> Result<Vec<T>, ReadError> {
        let mut items = vec![T::read_group(self)?];
        while let Some(child) = self.next_child()? {
            let again = T::accepts(child.local_name());
            child.put_back();
            if !again {
                break;
            }
            items.push(T::read_group(self)?);
        }
        Ok(items)
    }

    /// Reads mixed content to the end of the element, in document order.
    pub fn read_mixed<T: XmlMixed>(&mut self) -> Result<Vec<T>, ReadError> {
        let mut content = Vec::new();
        while let Some(piece) = self.next_mixed()? {
            match piece {
                Mixed::Text(text) => content.push(T::text(text.into_owned())),
                Mixed::Element(child) => content.extend(T::read_element(child)?),
            }
        }
        Ok(content)
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
                Event::Text(_) | Event::CData(_) => self.text_piece(event, offset)?,
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
            text = Some(joined(text, piece));
        }
    }

    /// The text of a text or CDATA event (entities resolved), borrowed from the input when
    /// it can be; empty for any other event.
    fn text_piece(&self, event: Event<'a>, offset: usize) -> Result<Cow<'a, str>, ReadError> {
        match event {
            Event::Text(t) => t.unescape().map_err(|e| {
                self.reader
                    .error(ReadErrorKind::Syntax(e.to_string()), offset)
            }),
            Event::CData(c) => match c.into_inner() {
                Cow::Borrowed(bytes) => Ok(Cow::Borrowed(self.utf8(bytes, offset)?)),
                Cow::Owned(bytes) => Ok(Cow::Owned(self.utf8(&bytes, offset)?.to_owned())),
            },
            _ => Ok(Cow::Borrowed("")),
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
        // The end tag is read, but its declarations stay in scope until the next event.
        T::parse_in(&text, &self.namespaces()).map_err(|error| {
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

    /// Reads the content as a `T`, or nil for `xsi:nil="true"`: into an `Option<T>` (nil is
    /// `None`) or a [`crate::Nillable<T>`] (nil is `Nil`), whichever the caller holds.
    pub fn read_nillable<T: XmlValue, R: OrNil<T>>(self) -> Result<R, ReadError> {
        if self.is_nil() {
            Ok(R::nil())
        } else {
            T::read(self).map(R::value)
        }
    }

    /// Reads the content as a boxed `T` (a field that breaks a cycle of types).
    pub fn read_boxed<T: XmlValue>(self) -> Result<Box<T>, ReadError> {
        T::read(self).map(Box::new)
    }

    /// The whole element as written in the input, for `xsd:any`, made to stand on its own:
    /// the namespace declarations it inherits and uses are added to its start tag.
    pub fn capture(mut self) -> Result<crate::AnyElement, ReadError> {
        let start = self.offset;
        let inherited = self.inherited_bindings();
        let end = match self.state {
            State::Empty | State::Closed => self.end_of_start,
            State::Open => {
                self.skip_to_depth(self.depth - 1)?;
                self.state = State::Closed;
                self.reader.inner.buffer_position() as usize
            }
        };
        let xml = &self.reader.input[start..end];
        let declarations = used_declarations(&inherited, xml);
        if declarations.is_empty() {
            return Ok(crate::AnyElement::from_raw(xml.to_owned()));
        }
        // Right after `<name`: the tag name is the start tag's first token.
        let name_end = 1 + self.start.name().as_ref().len();
        let mut standalone = String::with_capacity(xml.len() + declarations.len());
        standalone.push_str(&xml[..name_end]);
        standalone.push_str(&declarations);
        standalone.push_str(&xml[name_end..]);
        Ok(crate::AnyElement::from_raw(standalone))
    }

    /// The declarations in scope that this element does not make itself.
    fn inherited_bindings(&self) -> Vec<(Option<String>, String)> {
        let own: Vec<Option<Vec<u8>>> = self
            .start
            .attributes()
            .with_checks(false)
            .flatten()
            .filter_map(|a| match a.key.as_namespace_binding()? {
                PrefixDeclaration::Default => Some(None),
                PrefixDeclaration::Named(p) => Some(Some(p.to_vec())),
            })
            .collect();
        self.namespaces()
            .bindings()
            .filter(|(prefix, _)| !own.contains(&prefix.map(|p| p.as_bytes().to_vec())))
            .map(|(prefix, ns)| (prefix.map(str::to_owned), ns.to_owned()))
            .collect()
    }

    /// The element's content (between its tags) as written in the input, for `xsd:anyType`,
    /// with the namespace declarations in scope that it uses (the element's own included:
    /// the element is written again by someone else, who will declare them).
    pub fn capture_content(mut self) -> Result<crate::AnyContent, ReadError> {
        let start = self.end_of_start;
        let in_scope: Vec<(Option<String>, String)> = self
            .namespaces()
            .bindings()
            .map(|(prefix, ns)| (prefix.map(str::to_owned), ns.to_owned()))
            .collect();
        let xml = match self.state {
            State::Empty | State::Closed => "",
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
                                break &self.reader.input[start..offset];
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
        let bindings = in_scope
            .into_iter()
            .filter(|(prefix, _)| uses_prefix(xml, prefix.as_deref()))
            .collect();
        Ok(crate::AnyContent::with_namespaces(xml.to_owned(), bindings))
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

/// Text read so far, and the next piece of it.
fn joined<'a>(so_far: Option<Cow<'a, str>>, piece: Cow<'a, str>) -> Cow<'a, str> {
    match so_far {
        None => piece,
        Some(so_far) => Cow::Owned(so_far.into_owned() + &piece),
    }
}

/// One piece of mixed content, from [`Element::next_mixed`].
pub enum Mixed<'r, 'a> {
    /// A run of text.
    Text(Cow<'a, str>),
    /// A child element.
    Element(Element<'r, 'a>),
}

/// Whether `xml` may use `prefix` (`None`: the default namespace, used by any unprefixed
/// element name). A textual search: a false positive only adds a declaration that does no
/// harm, and it also finds a prefix used inside a value (an `xsi:type`, a QName).
fn uses_prefix(xml: &str, prefix: Option<&str>) -> bool {
    match prefix {
        Some(prefix) => memchr::memmem::find_iter(xml.as_bytes(), prefix.as_bytes()).any(|at| {
            let before = at.checked_sub(1).map(|i| xml.as_bytes()[i]);
            let name_starts =
                !before.is_some_and(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
            name_starts && xml.as_bytes().get(at + prefix.len()) == Some(&b':')
        }),
        None => xml.contains('<'),
    }
}

/// ` xmlns:p="ns"` for each inherited binding that `xml` uses.
fn used_declarations(inherited: &[(Option<String>, String)], xml: &str) -> String {
    let mut out = String::new();
    for (prefix, ns) in inherited {
        if !uses_prefix(xml, prefix.as_deref()) {
            continue;
        }
        match prefix {
            Some(prefix) => {
                out.push_str(" xmlns:");
                out.push_str(prefix);
            }
            None => out.push_str(" xmlns"),
        }
        out.push_str("=\"");
        crate::write::escape_attribute(&mut out, ns);
        out.push('"');
    }
    out
}

/// The XML Schema instance namespaces: 2001, and the 1999 one that older servers still send.
pub(crate) fn is_xsi_namespace(ns: &str) -> bool {
    matches!(
        ns,
        crate::XSI_NS | "http://www.w3.org/1999/XMLSchema-instance"
    )
}

/// The items of a two-dimensional SOAP-encoded array, read one after another, as rows of the
/// length its `arrayType` gave (see [`Element::array_dimensions`]); one row when it gave none.
pub fn array_rows<T>(items: Vec<T>, dimensions: &[usize]) -> Vec<Vec<T>> {
    let columns = match dimensions {
        [_, columns] if *columns > 0 => *columns,
        _ => items.len().max(1),
    };
    let mut rows = Vec::with_capacity(items.len() / columns + 1);
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        rows.push(items.by_ref().take(columns).collect());
    }
    rows
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
    fn a_child_put_back_is_read_again() {
        let xml = "<a><b x='1'><c/></b><d/></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        root.next_child().unwrap().unwrap().put_back();
        let mut b = root.next_child().unwrap().unwrap();
        assert_eq!(
            (b.local_name(), b.attribute("x").unwrap().as_deref()),
            ("b", Some("1"))
        );
        b.next_child().unwrap().unwrap().put_back();
        assert_eq!(b.next_child().unwrap().unwrap().local_name(), "c");
        assert!(b.next_child().unwrap().is_none());
        let d = root.next_child().unwrap().unwrap();
        assert_eq!(d.local_name(), "d");
        d.put_back();
        assert_eq!(root.next_child().unwrap().unwrap().local_name(), "d");
        assert!(root.next_child().unwrap().is_none());
    }

    #[test]
    fn mixed_content_comes_in_document_order() {
        let xml = "<a>one <b>two</b><!-- x --> three &amp; <![CDATA[four]]><c/></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        let mut pieces = Vec::new();
        while let Some(piece) = root.next_mixed().unwrap() {
            pieces.push(match piece {
                Mixed::Text(text) => format!("text {text:?}"),
                Mixed::Element(child) => format!("element {}", child.local_name()),
            });
        }
        assert_eq!(
            pieces,
            [
                "text \"one \"",
                "element b",
                "text \" three & four\"",
                "element c"
            ]
        );
    }

    #[test]
    fn xsi_type_is_resolved_against_the_prefixes_in_scope() {
        let xml = "<a xmlns:t='urn:t' xmlns:i='http://www.w3.org/2001/XMLSchema-instance'>\
                   <b i:type='t:Derived'/><c xmlns='urn:d' i:type='Plain'/><d type='t:x'/></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        let b = root.next_child().unwrap().unwrap();
        assert_eq!(
            b.xsi_type().unwrap(),
            Some(QNameValue::qualified("urn:t", "Derived"))
        );
        let c = root.next_child().unwrap().unwrap();
        assert_eq!(
            c.xsi_type().unwrap(),
            Some(QNameValue::qualified("urn:d", "Plain"))
        );
        let d = root.next_child().unwrap().unwrap();
        assert_eq!(d.xsi_type().unwrap(), None, "not the xsi namespace");
        let error = d.abstract_type("Base");
        assert!(error.to_string().contains("abstract type Base"), "{error}");
    }

    #[test]
    fn array_dimensions_come_from_the_array_type() {
        let xml =
            "<a xmlns:e='http://schemas.xmlsoap.org/soap/encoding/' e:arrayType='xsd:int[2, 3]'/>";
        let mut reader = XmlReader::new(xml);
        assert_eq!(reader.root().unwrap().array_dimensions().unwrap(), [2, 3]);
        let mut reader = XmlReader::new("<a arrayType='xsd:string[][]'/>");
        assert!(reader
            .root()
            .unwrap()
            .array_dimensions()
            .unwrap()
            .is_empty());
        let mut reader = XmlReader::new("<a arrayType='xsd:string[x]'/>");
        assert!(reader.root().unwrap().array_dimensions().is_err());
    }

    #[test]
    fn a_captured_element_declares_the_prefixes_it_inherits() {
        let xml = "<a xmlns:m='urn:m' xmlns:x='urn:x' xmlns='urn:d' xmlns:u='urn:unused'>\
                   <m:meta k='x:v'><item/></m:meta></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        let any = root.next_child().unwrap().unwrap().capture().unwrap();
        assert_eq!(
            any.as_str(),
            "<m:meta xmlns:m=\"urn:m\" xmlns:x=\"urn:x\" xmlns=\"urn:d\" k='x:v'><item/></m:meta>"
        );
        let doc = roxmltree::Document::parse(any.as_str()).unwrap();
        assert_eq!(
            doc.root_element()
                .first_child()
                .unwrap()
                .tag_name()
                .namespace(),
            Some("urn:d")
        );
    }

    #[test]
    fn captured_content_keeps_the_prefixes_it_uses() {
        let xml =
            "<a xmlns:m='urn:m' xmlns:u='urn:unused'><b xmlns:n='urn:n'><m:x>n:y</m:x></b></a>";
        let mut reader = XmlReader::new(xml);
        let mut root = reader.root().unwrap();
        let content = root
            .next_child()
            .unwrap()
            .unwrap()
            .capture_content()
            .unwrap();
        assert_eq!(content.as_str(), "<m:x>n:y</m:x>");
        let namespaces: Vec<_> = content
            .namespaces()
            .iter()
            .map(|(p, ns)| (p.as_deref(), ns.as_str()))
            .collect();
        assert_eq!(namespaces, [(Some("m"), "urn:m"), (Some("n"), "urn:n")]);
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
