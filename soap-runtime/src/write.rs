//! Writing XML: a string buffer that knows which namespace prefixes are in scope.

use crate::{Nillable, QName, SimpleValue, XmlGroup, XmlMixed, XmlValue, XSI_NS};

/// The SOAP 1.1 encoding namespace (`SOAP-ENC:Array`, `SOAP-ENC:arrayType`).
pub const SOAP_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// What to write for an optional element that has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// Leave the element out (`minOccurs="0"`).
    Omit,
    /// Write `<name xsi:nil="true"/>` (a required, nillable element).
    Nil,
}

/// A namespace prefix declared on an element that is still open.
#[derive(Debug)]
struct Binding {
    prefix: String,
    ns: String,
    /// The element depth that declared it; it goes out of scope when that element ends.
    depth: usize,
}

/// Writes XML into a `String`.
///
/// Qualified names get a prefix: one already in scope for the namespace, or a fresh `nsN`
/// declared on the element that first needs it. Unqualified names get none, and the default
/// namespace is never used, so unqualified children of qualified elements stay unqualified.
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: String,
    bindings: Vec<Binding>,
    depth: usize,
    next_prefix: usize,
}

impl XmlWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer whose buffer has room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: String::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// The XML written so far.
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// The XML written.
    pub fn into_string(self) -> String {
        self.buf
    }

    /// Appends markup as it is, unescaped (an XML declaration, a captured `xsd:any` element).
    pub fn raw(&mut self, xml: &str) {
        self.buf.push_str(xml);
    }

    /// A sink for the text content of the element that is open.
    pub fn text(&mut self) -> Text<'_> {
        Text {
            buf: &mut self.buf,
            attribute: false,
            bindings: &self.bindings,
        }
    }

    /// Opens `<name`, leaving the start tag open for attributes and declarations.
    pub fn start(&mut self, name: &QName) {
        self.depth += 1;
        self.buf.push('<');
        self.push_qualified(name.ns, name.local, false);
    }

    /// Opens `<prefix:name xmlns:prefix="ns"`: an element in a namespace, with the prefix
    /// chosen (`soap` for an envelope) rather than a generated one.
    pub fn start_declaring(&mut self, name: &QName, prefix: &str) {
        if let Some(ns) = name.ns {
            self.bindings.push(Binding {
                prefix: prefix.to_owned(),
                ns: ns.to_owned(),
                depth: self.depth + 1,
            });
        }
        self.start(name);
        if name.ns.is_some() {
            self.buf.push(' ');
            self.push_declaration(self.bindings.len() - 1);
        }
    }

    /// Declares `prefix` for `ns` on the start tag that is open; later names in `ns` use it.
    pub fn declare(&mut self, prefix: &str, ns: &str) {
        self.bindings.push(Binding {
            prefix: prefix.to_owned(),
            ns: ns.to_owned(),
            depth: self.depth,
        });
        self.buf.push(' ');
        self.push_declaration(self.bindings.len() - 1);
    }

    /// Closes the open start tag with `>`.
    pub fn close_start(&mut self) {
        self.buf.push('>');
    }

    /// Writes `</name>`, or turns the start tag into `<name/>` when nothing was written since.
    pub fn end(&mut self, name: &QName, content_start: usize) {
        if self.buf.len() == content_start {
            self.buf.pop();
            self.buf.push_str("/>");
        } else {
            self.buf.push_str("</");
            if let Some(ns) = name.ns {
                if ns == XML_NS {
                    self.buf.push_str("xml:");
                } else if let Some(binding) = self.bindings.iter().rev().find(|b| b.ns == ns) {
                    self.buf.push_str(&binding.prefix);
                    self.buf.push(':');
                }
            }
            self.buf.push_str(name.local);
            self.buf.push('>');
        }
        while self.bindings.last().is_some_and(|b| b.depth == self.depth) {
            self.bindings.pop();
        }
        self.depth -= 1;
    }

    /// Writes one element holding `value`, with `xsi:type` when the value is of a type
    /// derived from the element's.
    pub fn element<T: XmlValue>(&mut self, name: impl Into<QName>, value: &T) {
        let name = name.into();
        self.start(&name);
        if let Some(derived) = value.xsi_type() {
            self.xsi_type(derived);
        }
        value.write_attributes(self);
        self.close_start();
        let content_start = self.buf.len();
        value.write_content(self);
        self.end(&name, content_start);
    }

    /// Writes `<name xsi:nil="true"/>`.
    pub fn nil(&mut self, name: impl Into<QName>) {
        self.start(&name.into());
        self.buf.push(' ');
        self.push_qualified(Some(XSI_NS), "nil", true);
        self.buf.push_str("=\"true\"/>");
        while self.bindings.last().is_some_and(|b| b.depth == self.depth) {
            self.bindings.pop();
        }
        self.depth -= 1;
    }

    /// Writes an optional element: the value, or what `absent` says when there is none.
    pub fn optional_or<T: XmlValue>(
        &mut self,
        name: impl Into<QName>,
        value: Option<&T>,
        absent: Absent,
    ) {
        match (value, absent) {
            (Some(value), _) => self.element(name, value),
            (None, Absent::Omit) => {}
            (None, Absent::Nil) => self.nil(name),
        }
    }

    /// Writes an element when there is a value (`minOccurs="0"`).
    pub fn optional<T: XmlValue>(&mut self, name: impl Into<QName>, value: Option<&T>) {
        self.optional_or(name, value, Absent::Omit);
    }

    /// Writes the value, or `xsi:nil="true"` when there is none (a required, nillable element).
    pub fn nillable<T: XmlValue>(&mut self, name: impl Into<QName>, value: Option<&T>) {
        self.optional_or(name, value, Absent::Nil);
    }

    /// Writes an optional, nillable element in the state it is in: nothing, `xsi:nil`, or
    /// the value.
    pub fn nillable_value<T: XmlValue>(&mut self, name: impl Into<QName>, value: Nillable<&T>) {
        match value {
            Nillable::Absent => {}
            Nillable::Nil => self.nil(name),
            Nillable::Value(value) => self.element(name, value),
        }
    }

    /// Writes a group of elements (a choice, a sequence occurrence, a substitution group).
    pub fn group<T: XmlGroup>(&mut self, group: &T) {
        group.write_group(self);
    }

    /// Writes a group when there is one.
    pub fn optional_group<T: XmlGroup>(&mut self, group: Option<&T>) {
        if let Some(group) = group {
            group.write_group(self);
        }
    }

    /// Writes each group, in order.
    pub fn groups<T: XmlGroup>(&mut self, groups: &[T]) {
        for group in groups {
            group.write_group(self);
        }
    }

    /// Writes mixed content: its text and elements, in order.
    pub fn mixed<T: XmlMixed>(&mut self, content: &[T]) {
        for piece in content {
            piece.write_mixed(self);
        }
    }

    /// Writes one element for each value, in order.
    pub fn elements<T: XmlValue>(&mut self, name: impl Into<QName>, values: &[T]) {
        let name = name.into();
        for value in values {
            self.element(name, value);
        }
    }

    /// Writes one element for each item, `xsi:nil` for the missing ones.
    pub fn nillable_elements<T: XmlValue>(&mut self, name: impl Into<QName>, values: &[Option<T>]) {
        let name = name.into();
        for value in values {
            self.nillable(name, value.as_ref());
        }
    }

    /// Writes a SOAP-encoded accessor: `<name xsi:type="…">value</name>`, or
    /// `<name xsi:nil="true" xsi:type="…"/>` when there is no value (as SOAP toolkits write
    /// an rpc/encoded part that has none).
    pub fn encoded<T: XmlValue>(
        &mut self,
        name: impl Into<QName>,
        xsi_type: QName,
        value: Option<&T>,
    ) {
        let name = name.into();
        self.start(&name);
        if value.is_none() {
            self.buf.push(' ');
            self.push_qualified(Some(XSI_NS), "nil", true);
            self.buf.push_str("=\"true\"");
        }
        // A value of a derived type names its own type instead.
        self.xsi_type(value.and_then(XmlValue::xsi_type).unwrap_or(xsi_type));
        if let Some(value) = value {
            value.write_attributes(self);
        }
        self.close_start();
        let content_start = self.buf.len();
        if let Some(value) = value {
            value.write_content(self);
        }
        self.end(&name, content_start);
    }

    /// Writes ` xsi:type="p:local"` into the open start tag, declaring the prefixes it needs.
    pub fn xsi_type(&mut self, type_name: QName) {
        let value = self.qname_value(type_name);
        self.buf.push(' ');
        self.push_qualified(Some(XSI_NS), "type", true);
        self.buf.push_str("=\"");
        self.buf.push_str(&value);
        self.buf.push('"');
    }

    /// Writes ` SOAP-ENC:arrayType="p:item[len]"` into the open start tag of a SOAP-encoded
    /// array.
    pub fn array_type(&mut self, item_type: QName, len: usize) {
        self.array_type_of(item_type, "", &[len]);
    }

    /// Writes ` SOAP-ENC:arrayType="p:item{ranks}[d1,d2…]"`: an array of `dimensions`, whose
    /// items are arrays themselves when `item_ranks` says so (`[]` for an array of arrays).
    pub fn array_type_of(&mut self, item_type: QName, item_ranks: &str, dimensions: &[usize]) {
        // The items will each name their type: bind `xsi` here, once, rather than on each.
        self.qname_value(QName::qualified(XSI_NS, "type"));
        let mut value = self.qname_value(item_type);
        value.push_str(item_ranks);
        value.push('[');
        for (i, dimension) in dimensions.iter().enumerate() {
            if i > 0 {
                value.push(',');
            }
            value.push_str(itoa::Buffer::new().format(*dimension));
        }
        value.push(']');
        self.dynamic_attribute(Some(SOAP_ENC_NS), "arrayType", &value);
    }

    /// Writes the items of a two-dimensional SOAP-encoded array, row after row. Its
    /// `arrayType` gives the number of rows and the length of the first row: every row is
    /// expected to be as long.
    pub fn array_rows<T: XmlValue>(
        &mut self,
        name: impl Into<QName>,
        item_type: QName,
        rows: &[Vec<T>],
    ) {
        let name = name.into();
        for row in rows {
            self.array_items(name, item_type, row);
        }
    }

    /// Writes a SOAP-encoded array's items, each with its `xsi:type`.
    pub fn array_items<T: XmlValue>(
        &mut self,
        name: impl Into<QName>,
        item_type: QName,
        values: &[T],
    ) {
        let name = name.into();
        for value in values {
            self.encoded(name, item_type, Some(value));
        }
    }

    /// A QName as text (`prefix:local`) for an attribute value, declaring its namespace on
    /// the open start tag if it has no prefix in scope.
    fn qname_value(&mut self, name: QName) -> String {
        let Some(ns) = name.ns else {
            return name.local.to_owned();
        };
        let (index, fresh) = self.binding_for(ns);
        if fresh {
            self.buf.push(' ');
            self.push_declaration(index);
        }
        format!("{}:{}", self.bindings[index].prefix, name.local)
    }

    /// Declares a prefix for `ns` on the open start tag, unless one is in scope already: for a
    /// value that names something in `ns` by prefix (an `xsd:QName`).
    pub fn declare_namespace(&mut self, ns: &str) {
        if ns == XML_NS {
            return;
        }
        let (index, fresh) = self.binding_for(ns);
        if fresh {
            self.buf.push(' ');
            self.push_declaration(index);
        }
    }

    /// Declares `prefix` for `ns` on the open start tag, for content written as it was read
    /// (`xsd:anyType`) that uses the prefix: unless it is in scope with that meaning already,
    /// or this very tag has bound it to something else (it cannot be bound twice).
    pub fn keep_prefix(&mut self, prefix: &str, ns: &str) {
        match self.bindings.iter().rev().find(|b| b.prefix == prefix) {
            Some(b) if b.ns == ns || b.depth == self.depth => {}
            _ => self.declare(prefix, ns),
        }
    }

    /// Writes elements captured by `xsd:any`, as they were.
    pub fn any_elements(&mut self, elements: &[crate::AnyElement]) {
        for element in elements {
            element.write(self);
        }
    }

    /// Writes a simple value as the text content of the open element.
    pub fn simple<T: SimpleValue>(&mut self, value: &T) {
        value.write_text(&mut self.text());
    }

    /// Writes ` name="value"` into the open start tag.
    pub fn attribute<T: SimpleValue>(&mut self, name: impl Into<QName>, value: &T) {
        let name = name.into();
        value.declare_namespaces(self);
        self.buf.push(' ');
        self.push_qualified(name.ns, name.local, true);
        self.buf.push_str("=\"");
        value.write_text(&mut Text {
            buf: &mut self.buf,
            attribute: true,
            bindings: &self.bindings,
        });
        self.buf.push('"');
    }

    /// Writes an attribute when it has a value.
    pub fn optional_attribute<T: SimpleValue>(
        &mut self,
        name: impl Into<QName>,
        value: &Option<T>,
    ) {
        if let Some(value) = value {
            self.attribute(name, value);
        }
    }

    /// Writes an attribute whose name and namespace are only known at run time.
    pub fn dynamic_attribute(&mut self, ns: Option<&str>, local: &str, value: &str) {
        self.buf.push(' ');
        self.push_qualified(ns, local, true);
        self.buf.push_str("=\"");
        escape(&mut self.buf, value, true);
        self.buf.push('"');
    }

    /// The prefix bound to `ns` in the current scope, innermost first.
    pub fn prefix_of(&self, ns: &str) -> Option<&str> {
        prefix_in(&self.bindings, ns)
    }

    /// Writes `prefix:local`, declaring a fresh prefix on the open tag when `ns` has none in
    /// scope. An element's declaration follows its name; an attribute's precedes it.
    fn push_qualified(&mut self, ns: Option<&str>, local: &str, attribute: bool) {
        let Some(ns) = ns else {
            self.buf.push_str(local);
            return;
        };
        if ns == XML_NS {
            self.buf.push_str("xml:");
            self.buf.push_str(local);
            return;
        }
        let (index, fresh) = self.binding_for(ns);
        if fresh && attribute {
            self.push_declaration(index);
            self.buf.push(' ');
        }
        self.buf.push_str(&self.bindings[index].prefix);
        self.buf.push(':');
        self.buf.push_str(local);
        if fresh && !attribute {
            self.buf.push(' ');
            self.push_declaration(index);
        }
    }

    /// The binding of `ns` in scope, or a new one with a fresh prefix (the caller writes its
    /// declaration, where the syntax allows); and whether it is new.
    fn binding_for(&mut self, ns: &str) -> (usize, bool) {
        if let Some(index) = self.bindings.iter().rposition(|b| b.ns == ns) {
            return (index, false);
        }
        let prefix = self.fresh_prefix(ns);
        self.bindings.push(Binding {
            prefix,
            ns: ns.to_owned(),
            depth: self.depth,
        });
        (self.bindings.len() - 1, true)
    }

    fn push_declaration(&mut self, index: usize) {
        let binding = &self.bindings[index];
        self.buf.push_str("xmlns:");
        self.buf.push_str(&binding.prefix);
        self.buf.push_str("=\"");
        escape(&mut self.buf, &binding.ns, true);
        self.buf.push('"');
    }

    fn fresh_prefix(&mut self, ns: &str) -> String {
        // The conventional prefixes where they are free, for XML a person can read.
        let conventional = match ns {
            XSI_NS => Some("xsi"),
            crate::XSD_NS => Some("xsd"),
            SOAP_ENC_NS => Some("SOAP-ENC"),
            _ => None,
        };
        if let Some(prefix) = conventional.filter(|p| self.bindings.iter().all(|b| b.prefix != *p))
        {
            return prefix.to_owned();
        }
        loop {
            self.next_prefix += 1;
            let prefix = format!("ns{}", self.next_prefix);
            if self.bindings.iter().all(|b| b.prefix != prefix) {
                return prefix;
            }
        }
    }
}

/// Text content being written: escapes `&`, `<`, `>` (and quotes inside attributes).
pub struct Text<'w> {
    buf: &'w mut String,
    attribute: bool,
    bindings: &'w [Binding],
}

impl Text<'_> {
    /// The prefix bound to `ns` where the text is written (declared with
    /// [`XmlWriter::declare_namespace`] beforehand).
    pub fn prefix_of(&self, ns: &str) -> Option<&str> {
        prefix_in(self.bindings, ns)
    }

    /// Appends `text`, escaped.
    pub fn push(&mut self, text: &str) {
        escape(self.buf, text, self.attribute);
    }

    /// Appends text that needs no escaping (digits, `true`, hex). The caller vouches for it.
    pub fn push_plain(&mut self, text: &str) {
        debug_assert!(!text.contains(['&', '<', '>', '"']));
        self.buf.push_str(text);
    }
}

/// The prefix the innermost of `bindings` gives `ns`.
fn prefix_in<'b>(bindings: &'b [Binding], ns: &str) -> Option<&'b str> {
    bindings
        .iter()
        .rev()
        .find(|b| b.ns == ns)
        .map(|b| b.prefix.as_str())
}

/// Escapes an attribute value.
pub(crate) fn escape_attribute(out: &mut String, text: &str) {
    escape(out, text, true);
}

/// Escapes markup characters. Carriage returns and, in attributes, tabs and newlines become
/// character references, so a reader's whitespace normalisation gives back the same text.
///
/// Characters XML 1.0 cannot hold at all, not even as references (the C0 controls other than
/// tab, newline and carriage return, U+FFFE and U+FFFF), are written as U+FFFD, the
/// replacement character: a document with one of them is not XML, and no peer would read it.
/// They reach here from text read leniently (a request's element name quoted in a Fault).
fn escape(out: &mut String, text: &str, attribute: bool) {
    let bytes = text.as_bytes();
    // Most text needs no escaping (numbers, plain words, a recipient list of kilobytes), and
    // a few passes that each look at many bytes at once find that out at a fraction of the
    // cost of looking at each byte: the text is then copied in one go.
    let markup = memchr::memchr3(b'&', b'<', b'>', bytes);
    let quote = if attribute {
        memchr::memchr(b'"', bytes)
    } else {
        None
    };
    let control = first_control(bytes, attribute);
    let Some(first) = markup.into_iter().chain(quote).chain(control).min() else {
        out.push_str(text);
        return;
    };
    out.push_str(&text[..first]);
    let mut last = first;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'\r' => ("&#13;", 1),
            b'"' if attribute => ("&quot;", 1),
            b'\n' if attribute => ("&#10;", 1),
            b'\t' if attribute => ("&#9;", 1),
            b'\t' | b'\n' => continue,
            0..0x20 => ("\u{FFFD}", 1),
            // U+FFFE and U+FFFF: EF BF BE and EF BF BF. Their continuation bytes match no arm.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => ("\u{FFFD}", 3),
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(replacement);
        last = i + len;
    }
    out.push_str(&text[last..]);
}

/// Where the first control character is that [`escape`] changes (a carriage return; in an
/// attribute also a tab or newline; anything [`starts_forbidden`]), if any. memchr has no
/// search for a range of bytes, so blocks of 64 are looked at without branching, which the
/// compiler vectorises, and only a block with a control character or 0xEF in it is looked at
/// byte by byte.
fn first_control(bytes: &[u8], attribute: bool) -> Option<usize> {
    const BLOCK: usize = 64;
    let changed =
        |b: u8| b == b'\r' || (attribute && matches!(b, b'\n' | b'\t')) || starts_forbidden(b);
    let mut blocks = bytes.chunks_exact(BLOCK);
    for (index, block) in blocks.by_ref().enumerate() {
        let block: &[u8; BLOCK] = block.try_into().expect("chunks_exact gives whole blocks");
        let mut suspect = 0u8;
        for &b in block {
            suspect |= u8::from(b < 0x20) | u8::from(b == 0xEF);
        }
        if suspect != 0 {
            if let Some(at) = block.iter().position(|&b| changed(b)) {
                return Some(index * BLOCK + at);
            }
        }
    }
    let rest = blocks.remainder();
    let start = bytes.len() - rest.len();
    rest.iter().position(|&b| changed(b)).map(|at| start + at)
}

/// Whether byte `b` may begin a character XML 1.0 cannot hold: a C0 control other than tab,
/// newline and carriage return, or 0xEF, the first byte of U+FFFE and U+FFFF (and of other
/// characters, which [`escape`] copies).
fn starts_forbidden(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF
}

/// Writes `value` as a whole document whose root element is `name`.
pub fn write_document<T: XmlValue>(name: impl Into<QName>, value: &T) -> String {
    let mut w = XmlWriter::new();
    w.element(name, value);
    w.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        let mut out = String::new();
        escape(&mut out, "a<b>&\"c\"\r\n", false);
        assert_eq!(out, "a&lt;b&gt;&amp;\"c\"&#13;\n");
        out.clear();
        escape(&mut out, "\"x\"\n", true);
        assert_eq!(out, "&quot;x&quot;&#10;");
    }

    /// Found by the `server_requests` fuzz target: a Fault quoting a request's element name
    /// that held U+0000 was not XML.
    #[test]
    fn characters_xml_cannot_hold_are_replaced() {
        for attribute in [false, true] {
            let mut out = String::new();
            escape(
                &mut out,
                "a\0b\u{1}\u{1f}c\u{fffe}\u{ffff}\u{fffd}\u{ef00}\u{20ac}<",
                attribute,
            );
            assert_eq!(
                out, "a\u{fffd}b\u{fffd}\u{fffd}c\u{fffd}\u{fffd}\u{fffd}\u{ef00}\u{20ac}&lt;",
                "attribute: {attribute}"
            );
        }
        let mut out = String::new();
        escape(&mut out, "tab\tnew\nline\u{7f}", false);
        assert_eq!(out, "tab\tnew\nline\u{7f}");
    }

    #[test]
    fn a_forbidden_character_is_found_wherever_it_stands() {
        for at in 0..100 {
            for benign in ["", "\n", "\t"] {
                let text = format!("{}{benign}{}\u{1}tail", "7".repeat(at), "8".repeat(at % 7));
                let mut out = String::new();
                escape(&mut out, &text, false);
                assert_eq!(out, text.replace('\u{1}', "\u{fffd}"), "{text:?}");
            }
        }
        let numbers = "447700900123,".repeat(350);
        assert_eq!(first_control(numbers.as_bytes(), true), None);
        let with_newline = format!("{numbers}\n");
        assert_eq!(first_control(with_newline.as_bytes(), false), None);
        assert_eq!(
            first_control(with_newline.as_bytes(), true),
            Some(numbers.len())
        );
    }

    #[test]
    fn encoded_accessors_and_arrays_carry_their_types() {
        let mut w = XmlWriter::new();
        let string = QName::qualified(crate::XSD_NS, "string");
        let items = ["2799912345".to_owned(), "27999123134".to_owned()];
        w.start(&QName::unqualified("to"));
        w.xsi_type(QName::qualified(SOAP_ENC_NS, "Array"));
        w.array_type(string, items.len());
        w.close_start();
        let at = w.as_str().len();
        w.array_items("item", string, &items);
        w.end(&QName::unqualified("to"), at);
        w.encoded("session_id", string, None::<&String>);
        assert_eq!(
            w.into_string(),
            concat!(
                r#"<to xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
                r#"xsi:type="SOAP-ENC:Array" xmlns:xsd="http://www.w3.org/2001/XMLSchema" SOAP-ENC:arrayType="xsd:string[2]">"#,
                r#"<item xsi:type="xsd:string">2799912345</item><item xsi:type="xsd:string">27999123134</item></to>"#,
                r#"<session_id xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true" "#,
                r#"xmlns:xsd="http://www.w3.org/2001/XMLSchema" xsi:type="xsd:string"/>"#
            )
        );
    }

    #[test]
    fn qname_values_are_written_with_a_declared_prefix() {
        let mut w = XmlWriter::new();
        let outer = QName::qualified("urn:a", "Outer");
        w.start(&outer);
        w.attribute("kind", &crate::QNameValue::qualified("urn:k", "Big"));
        w.close_start();
        let at = w.as_str().len();
        w.element("same", &crate::QNameValue::qualified("urn:a", "Local"));
        w.element("plain", &crate::QNameValue::unqualified("Bare"));
        w.end(&outer, at);
        assert_eq!(
            w.into_string(),
            "<ns1:Outer xmlns:ns1=\"urn:a\" xmlns:ns2=\"urn:k\" kind=\"ns2:Big\">\
             <same>ns1:Local</same><plain>Bare</plain></ns1:Outer>"
        );
    }

    #[test]
    fn optional_nillable_elements_have_three_states() {
        let mut w = XmlWriter::new();
        w.nillable_value("a", Nillable::<i32>::Absent.as_ref());
        w.nillable_value("b", Nillable::<i32>::Nil.as_ref());
        w.nillable_value("c", Nillable::Value(&5));
        assert_eq!(
            w.into_string(),
            "<b xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/><c>5</c>"
        );
    }

    #[test]
    fn arrays_of_arrays_and_two_dimensions_name_their_shape() {
        let mut w = XmlWriter::new();
        let string = QName::qualified(crate::XSD_NS, "string");
        w.start(&QName::unqualified("grid"));
        w.array_type_of(string, "", &[2, 3]);
        w.close_start();
        let at = w.as_str().len();
        let rows = vec![vec!["a".to_owned()], vec!["b".to_owned()]];
        w.array_rows("item", string, &rows);
        w.end(&QName::unqualified("grid"), at);
        w.start(&QName::unqualified("nested"));
        w.array_type_of(string, "[]", &[4]);
        w.close_start();
        assert_eq!(
            w.into_string(),
            concat!(
                r#"<grid xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" "#,
                r#"xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" SOAP-ENC:arrayType="xsd:string[2,3]">"#,
                r#"<item xsi:type="xsd:string">a</item><item xsi:type="xsd:string">b</item></grid>"#,
                r#"<nested xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" "#,
                r#"xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" SOAP-ENC:arrayType="xsd:string[][4]">"#
            )
        );
    }

    #[test]
    fn declares_prefixes_where_first_needed_and_reuses_them() {
        let mut w = XmlWriter::new();
        let outer = QName::qualified("urn:a", "Outer");
        let inner = QName::qualified("urn:a", "Inner");
        let plain = QName::unqualified("Plain");
        w.start(&outer);
        w.attribute(QName::qualified("urn:b", "flag"), &true);
        w.close_start();
        let at = w.as_str().len();
        w.element(inner, &"x".to_owned());
        w.element(plain, &String::new());
        w.nil(plain);
        w.end(&outer, at);
        assert_eq!(
            w.into_string(),
            "<ns1:Outer xmlns:ns1=\"urn:a\" xmlns:ns2=\"urn:b\" ns2:flag=\"true\"><ns1:Inner>x</ns1:Inner>\
             <Plain/><Plain xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/></ns1:Outer>"
        );
    }
}
