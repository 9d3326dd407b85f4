//! The XSD built-in types: their Rust forms and text forms.
//!
//! Numbers, booleans and strings map to Rust's own types. Types without an exact Rust
//! counterpart keep their lexical form, checked when read: [`Decimal`] (exact, never a float),
//! [`DateTime`], [`Date`], [`Time`]. Binary types hold bytes.

use std::fmt;

use base64::Engine as _;

use crate::{Namespaces, SimpleValue, Text, ValueError, XmlWriter};

impl SimpleValue for String {
    fn write_text(&self, out: &mut Text<'_>) {
        out.push(self);
    }

    fn parse_text(text: &str) -> Result<Self, ValueError> {
        Ok(text.to_owned())
    }
}

impl SimpleValue for bool {
    fn write_text(&self, out: &mut Text<'_>) {
        out.push_plain(if *self { "true" } else { "false" });
    }

    fn parse_text(text: &str) -> Result<Self, ValueError> {
        match text.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(ValueError::new("xsd:boolean", text)),
        }
    }
}

macro_rules! integer {
    ($($ty:ty => $xsd:literal),* $(,)?) => {$(
        impl SimpleValue for $ty {
            fn write_text(&self, out: &mut Text<'_>) {
                out.push_plain(itoa::Buffer::new().format(*self));
            }

            fn parse_text(text: &str) -> Result<Self, ValueError> {
                text.trim().parse().map_err(|_| ValueError::new($xsd, text))
            }
        }
    )*};
}

integer! {
    i8 => "xsd:byte", i16 => "xsd:short", i32 => "xsd:int", i64 => "xsd:long", i128 => "xsd:integer",
    u8 => "xsd:unsignedByte", u16 => "xsd:unsignedShort", u32 => "xsd:unsignedInt",
    u64 => "xsd:unsignedLong", u128 => "xsd:nonNegativeInteger",
}

macro_rules! float {
    ($($ty:ty => $xsd:literal),*) => {$(
        impl SimpleValue for $ty {
            fn write_text(&self, out: &mut Text<'_>) {
                if self.is_nan() {
                    out.push_plain("NaN");
                } else if self.is_infinite() {
                    out.push_plain(if *self > 0.0 { "INF" } else { "-INF" });
                } else {
                    out.push_plain(ryu::Buffer::new().format_finite(*self));
                }
            }

            fn parse_text(text: &str) -> Result<Self, ValueError> {
                match text.trim() {
                    "INF" | "+INF" => Ok(<$ty>::INFINITY),
                    "-INF" => Ok(<$ty>::NEG_INFINITY),
                    "NaN" => Ok(<$ty>::NAN),
                    t if t.contains(['i', 'I', 'n', 'N']) => Err(ValueError::new($xsd, text)),
                    t => t.parse().map_err(|_| ValueError::new($xsd, text)),
                }
            }
        }
    )*};
}

float!(f32 => "xsd:float", f64 => "xsd:double");

/// Defines a newtype over `String` that holds a checked lexical form.
macro_rules! lexical {
    ($(#[$doc:meta])* $name:ident, $xsd:literal, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Checks `text` and keeps it (surrounding whitespace removed).
            pub fn new(text: &str) -> Result<Self, ValueError> {
                let trimmed = text.trim();
                if $check(trimmed.as_bytes()) {
                    Ok(Self(trimmed.to_owned()))
                } else {
                    Err(ValueError::new($xsd, text))
                }
            }

            /// The lexical form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValueError;

            fn from_str(text: &str) -> Result<Self, ValueError> {
                Self::new(text)
            }
        }

        impl SimpleValue for $name {
            fn write_text(&self, out: &mut Text<'_>) {
                out.push(&self.0);
            }

            fn parse_text(text: &str) -> Result<Self, ValueError> {
                Self::new(text)
            }
        }
    };
}

lexical!(
    /// `xsd:decimal`: an exact decimal number, kept as written (never rounded through a float).
    Decimal, "xsd:decimal", is_decimal
);
lexical!(
    /// `xsd:dateTime`: `YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`, kept as written.
    DateTime, "xsd:dateTime", is_date_time
);
lexical!(
    /// `xsd:date`: `YYYY-MM-DD[Z|±hh:mm]`, kept as written.
    Date, "xsd:date", is_date
);
lexical!(
    /// `xsd:time`: `hh:mm:ss[.fff][Z|±hh:mm]`, kept as written.
    Time, "xsd:time", is_time
);

fn digits(bytes: &[u8], n: usize) -> Option<&[u8]> {
    (bytes.len() >= n && bytes[..n].iter().all(u8::is_ascii_digit)).then(|| &bytes[n..])
}

fn literal(bytes: &[u8], c: u8) -> Option<&[u8]> {
    (bytes.first() == Some(&c)).then(|| &bytes[1..])
}

fn is_decimal(bytes: &[u8]) -> bool {
    let bytes = match bytes.first() {
        Some(b'+' | b'-') => &bytes[1..],
        _ => bytes,
    };
    let (int, frac) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], Some(&bytes[dot + 1..])),
        None => (bytes, None),
    };
    let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()))
}

/// `YYYY-MM-DD` (years of four or more digits, optionally negative); returns the rest.
fn date_part(bytes: &[u8]) -> Option<&[u8]> {
    let bytes = literal(bytes, b'-').unwrap_or(bytes);
    let year_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if year_len < 4 {
        return None;
    }
    let rest = literal(&bytes[year_len..], b'-')?;
    let (month, rest) = (rest.get(..2)?, digits(rest, 2)?);
    let rest = literal(rest, b'-')?;
    let (day, rest) = (rest.get(..2)?, digits(rest, 2)?);
    let number = |d: &[u8]| (d[0] - b'0') * 10 + (d[1] - b'0');
    ((1..=12).contains(&number(month)) && (1..=31).contains(&number(day))).then_some(rest)
}

/// `hh:mm:ss[.fff]`; returns the rest.
fn time_part(bytes: &[u8]) -> Option<&[u8]> {
    let rest = digits(bytes, 2)?;
    let rest = digits(literal(rest, b':')?, 2)?;
    let rest = digits(literal(rest, b':')?, 2)?;
    match literal(rest, b'.') {
        Some(frac) => {
            let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
            (n > 0).then(|| &frac[n..])
        }
        None => Some(rest),
    }
}

fn is_timezone(bytes: &[u8]) -> bool {
    match bytes {
        [] | [b'Z'] => true,
        [b'+' | b'-', rest @ ..] => digits(rest, 2)
            .and_then(|r| literal(r, b':'))
            .and_then(|r| digits(r, 2))
            .is_some_and(<[u8]>::is_empty),
        _ => false,
    }
}

fn is_date_time(bytes: &[u8]) -> bool {
    date_part(bytes)
        .and_then(|rest| literal(rest, b'T'))
        .and_then(time_part)
        .is_some_and(is_timezone)
}

fn is_date(bytes: &[u8]) -> bool {
    date_part(bytes).is_some_and(is_timezone)
}

fn is_time(bytes: &[u8]) -> bool {
    time_part(bytes).is_some_and(is_timezone)
}

/// `xsd:hexBinary`: bytes, written as upper-case hex.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct HexBinary(pub Vec<u8>);

impl SimpleValue for HexBinary {
    fn write_text(&self, out: &mut Text<'_>) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut pair = [0u8; 2];
        for byte in &self.0 {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xF)];
            out.push_plain(std::str::from_utf8(&pair).unwrap_or_default());
        }
    }

    fn parse_text(text: &str) -> Result<Self, ValueError> {
        let hex = text.trim().as_bytes();
        let nibble = |b: u8| (b as char).to_digit(16);
        if !hex.len().is_multiple_of(2) {
            return Err(ValueError::new("xsd:hexBinary", text));
        }
        hex.chunks(2)
            .map(|pair| Some((nibble(pair[0])? * 16 + nibble(pair[1])?) as u8))
            .collect::<Option<Vec<u8>>>()
            .map(Self)
            .ok_or_else(|| ValueError::new("xsd:hexBinary", text))
    }
}

/// `xsd:base64Binary`: bytes, written in standard base64.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Base64Binary(pub Vec<u8>);

impl SimpleValue for Base64Binary {
    fn write_text(&self, out: &mut Text<'_>) {
        out.push_plain(&base64::engine::general_purpose::STANDARD.encode(&self.0));
    }

    fn parse_text(text: &str) -> Result<Self, ValueError> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map(Self)
            .map_err(|_| ValueError::new("xsd:base64Binary", text))
    }
}

/// An `xsd:list`: items separated by whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: SimpleValue> SimpleValue for List<T> {
    fn write_text(&self, out: &mut Text<'_>) {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_plain(" ");
            }
            item.write_text(out);
        }
    }

    fn parse_text(text: &str) -> Result<Self, ValueError> {
        Self::parse_in(text, &Namespaces::NONE)
    }

    fn parse_in(text: &str, namespaces: &Namespaces<'_>) -> Result<Self, ValueError> {
        text.split_ascii_whitespace()
            .map(|item| T::parse_in(item, namespaces))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn declare_namespaces(&self, w: &mut XmlWriter) {
        for item in &self.0 {
            item.declare_namespaces(w);
        }
    }
}

/// `xsd:QName`: a name with the namespace its prefix stood for where it was read.
///
/// The prefix itself is not kept: it only meant something where it was declared. When the
/// value is written, the writer declares a prefix for the namespace on the element (or finds
/// one already in scope) and writes the name with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QNameValue {
    /// The namespace, or `None` for a name in no namespace.
    pub ns: Option<String>,
    /// The local part.
    pub local: String,
}

impl QNameValue {
    /// A name in a namespace.
    pub fn qualified(ns: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            ns: Some(ns.into()),
            local: local.into(),
        }
    }

    /// A name in no namespace.
    pub fn unqualified(local: impl Into<String>) -> Self {
        Self {
            ns: None,
            local: local.into(),
        }
    }

    /// The namespace (`""` for none) and the local name, for matching.
    pub fn parts(&self) -> (&str, &str) {
        (self.ns.as_deref().unwrap_or(""), &self.local)
    }

    /// The local name, if the name is in `ns` (`""` for no namespace).
    pub fn local_in(&self, ns: &str) -> Option<&str> {
        (self.ns.as_deref().unwrap_or("") == ns).then_some(self.local.as_str())
    }
}

impl fmt::Display for QNameValue {
    /// `{namespace}local`, or `local` for a name in no namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ns {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}

impl SimpleValue for QNameValue {
    /// `prefix:local`, with the prefix [`SimpleValue::declare_namespaces`] declared.
    fn write_text(&self, out: &mut Text<'_>) {
        if let Some(prefix) = self.ns.as_deref().and_then(|ns| out.prefix_of(ns)) {
            let prefix = prefix.to_owned();
            out.push(&prefix);
            out.push(":");
        }
        out.push(&self.local);
    }

    /// Only an unprefixed name (in no namespace) can be read without the declarations in
    /// scope; the reader uses [`SimpleValue::parse_in`].
    fn parse_text(text: &str) -> Result<Self, ValueError> {
        Self::parse_in(text, &Namespaces::NONE)
    }

    /// Resolves the prefix; an unprefixed name is in the default namespace, as XML Schema says.
    fn parse_in(text: &str, namespaces: &Namespaces<'_>) -> Result<Self, ValueError> {
        let trimmed = text.trim();
        let (prefix, local) = match trimmed.split_once(':') {
            Some((prefix, local)) => (Some(prefix), local),
            None => (None, trimmed),
        };
        let is_name = |s: &str| {
            !s.is_empty()
                && !s.contains(|c: char| c.is_whitespace() || c == ':')
                && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
        };
        if !is_name(local) || !prefix.is_none_or(is_name) {
            return Err(ValueError::new("xsd:QName", text));
        }
        let ns = namespaces.namespace_of(prefix);
        if prefix.is_some() && ns.is_none() {
            return Err(ValueError::new("xsd:QName with a declared prefix", text));
        }
        Ok(Self {
            ns: ns.map(str::to_owned),
            local: local.to_owned(),
        })
    }

    fn declare_namespaces(&self, w: &mut XmlWriter) {
        if let Some(ns) = &self.ns {
            w.declare_namespace(ns);
        }
    }
}

/// An element matched by `xsd:any`, kept as it was written, made to stand on its own: when it
/// was read, the namespace declarations of its ancestors that it uses (in names or in values
/// such as `xsi:type`) were added to its start tag, so it means the same wherever it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AnyElement(String);

impl AnyElement {
    /// Wraps a well-formed element, written as XML; it is written back as it is, so every
    /// prefix it uses should be declared in it.
    pub fn from_raw(xml: String) -> Self {
        Self(xml)
    }

    /// The element as XML.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Writes the element back.
    pub fn write(&self, w: &mut XmlWriter) {
        w.raw(&self.0);
    }
}

/// The content of an `xsd:anyType` element (what lies between its tags), kept as written,
/// with the namespace prefixes it uses.
///
/// When written, the element that holds it declares those prefixes again, except the default
/// namespace (the writer never uses one, so unprefixed names stay in no namespace) and a prefix
/// that element's own start tag binds to another namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AnyContent {
    xml: String,
    /// (prefix, namespace) pairs, sorted; `None` is the default namespace.
    namespaces: Vec<(Option<String>, String)>,
}

impl AnyContent {
    /// Wraps well-formed content, written as XML, that declares every prefix it uses.
    pub fn from_raw(xml: String) -> Self {
        Self::with_namespaces(xml, Vec::new())
    }

    /// Wraps well-formed content that uses these (prefix, namespace) declarations, made
    /// outside it.
    pub fn with_namespaces(xml: String, mut namespaces: Vec<(Option<String>, String)>) -> Self {
        namespaces.sort();
        Self { xml, namespaces }
    }

    /// The content as XML.
    pub fn as_str(&self) -> &str {
        &self.xml
    }

    /// The declarations made outside the content that it uses.
    pub fn namespaces(&self) -> &[(Option<String>, String)] {
        &self.namespaces
    }
}

impl crate::XmlValue for AnyContent {
    fn write_attributes(&self, w: &mut XmlWriter) {
        for (prefix, ns) in &self.namespaces {
            if let Some(prefix) = prefix {
                w.keep_prefix(prefix, ns);
            }
        }
    }

    fn write_content(&self, w: &mut XmlWriter) {
        w.raw(&self.xml);
    }

    fn read(element: crate::Element<'_, '_>) -> Result<Self, crate::ReadError> {
        element.capture_content()
    }
}

/// One attribute matched by `xsd:anyAttribute`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnyAttribute {
    /// Its namespace, if qualified.
    pub ns: Option<String>,
    /// Its local name.
    pub local: String,
    /// Its value, unescaped.
    pub value: String,
}

/// The attributes matched by `xsd:anyAttribute`, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AnyAttributes(pub Vec<AnyAttribute>);

impl AnyAttributes {
    /// Writes them into the open start tag.
    pub fn write(&self, w: &mut XmlWriter) {
        for a in &self.0 {
            w.dynamic_attribute(a.ns.as_deref(), &a.local, &a.value);
        }
    }
}

/// A value that breaks a facet of its simple type (a length, a bound).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{type_name}: {value:?} breaks {facet} {limit}")]
#[non_exhaustive]
pub struct FacetError {
    /// The restricted type's name.
    pub type_name: &'static str,
    /// The facet, e.g. `maxLength`.
    pub facet: &'static str,
    /// The facet's value, as in the schema.
    pub limit: &'static str,
    /// The offending value (for a length facet, its length).
    pub value: String,
}

impl FacetError {
    /// `value` breaks the facet `facet` (`maxLength`, say) of `type_name`, whose limit in the
    /// schema is `limit`.
    pub fn new(
        type_name: &'static str,
        facet: &'static str,
        limit: &'static str,
        value: impl Into<String>,
    ) -> Self {
        Self {
            type_name,
            facet,
            limit,
            value: value.into(),
        }
    }
}

/// How many units a length facet counts: characters for strings, bytes for binary, items for
/// lists.
pub trait FacetLength {
    /// The length in the facet's units.
    fn facet_length(&self) -> usize;
}

impl FacetLength for String {
    fn facet_length(&self) -> usize {
        self.chars().count()
    }
}

impl FacetLength for HexBinary {
    fn facet_length(&self) -> usize {
        self.0.len()
    }
}

impl FacetLength for Base64Binary {
    fn facet_length(&self) -> usize {
        self.0.len()
    }
}

impl<T> FacetLength for List<T> {
    fn facet_length(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: SimpleValue>(value: &T) -> String {
        let mut w = XmlWriter::new();
        value.write_text(&mut w.text());
        w.into_string()
    }

    #[test]
    fn numbers_are_strict() {
        assert_eq!(i32::parse_text(" 42 "), Ok(42));
        assert!(i32::parse_text("4x").is_err());
        assert!(u16::parse_text("70000").is_err());
        assert!(f64::parse_text("inf").is_err());
        assert_eq!(text(&f64::NEG_INFINITY), "-INF");
        assert_eq!(text(&1.5f32), "1.5");
    }

    #[test]
    fn lexical_types_check_their_form() {
        assert!(DateTime::new("2026-11-21T23:16:45Z").is_ok());
        assert!(DateTime::new("2026-11-21T23:16:45.123+01:00").is_ok());
        assert!(DateTime::new("2026-11-21T23:16:45").is_ok());
        assert!(DateTime::new("2026-13-21T23:16:45Z").is_err());
        assert!(DateTime::new("2026-11-21 23:16:45").is_err());
        assert!(Date::new("2026-11-21").is_ok());
        assert!(Time::new("23:16:45.5Z").is_ok());
        assert!(Decimal::new("-12.50").is_ok());
        assert!(Decimal::new(".5").is_ok());
        assert!(Decimal::new(".").is_err());
        assert!(Decimal::new("1e5").is_err());
    }

    #[test]
    fn binary_round_trips() {
        let bytes = HexBinary(vec![0x00, 0xAB, 0x7f]);
        assert_eq!(text(&bytes), "00AB7F");
        assert_eq!(HexBinary::parse_text("00ab7F"), Ok(bytes));
        assert!(HexBinary::parse_text("0").is_err());
        let b64 = Base64Binary(b"hello".to_vec());
        assert_eq!(Base64Binary::parse_text(&text(&b64)), Ok(b64));
    }

    #[test]
    fn lists_split_on_whitespace() {
        let list = List::<i32>::parse_text(" 1  2\n3 ").unwrap();
        assert_eq!(list.0, [1, 2, 3]);
        assert_eq!(text(&list), "1 2 3");
    }
}
