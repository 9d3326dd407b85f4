//! Property tests: what the writer escapes, the reader (and any conformant XML parser) gives
//! back unchanged, for any text XML can carry; and the built-in simple types' text forms parse
//! back to the same value.

use std::fmt::Debug;

use proptest::prelude::*;
use soap_runtime::{
    read_document, write_document, Element, QName, ReadError, SimpleValue, XmlReader, XmlValue,
    XmlWriter,
};

/// A character XML 1.0 can hold: not a control character other than tab, line feed and
/// carriage return, and not U+FFFE or U+FFFF (Rust strings hold no surrogates).
fn xml_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("a character XML can hold", |&c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    })
}

/// Text XML can hold, biased towards the characters that need escaping or that parsers
/// normalise (markup, quotes, whitespace, line ends).
fn xml_text() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        '<', '>', '&', '"', '\'', ' ', '\t', '\n', '\r', ']', ';', '#',
    ]);
    prop::collection::vec(prop_oneof![3 => xml_char(), 2 => tricky], 0..48)
        .prop_map(String::from_iter)
}

/// An element with one attribute, `a`, for writing attribute values.
#[derive(Debug, PartialEq)]
struct WithAttribute(String);

impl XmlValue for WithAttribute {
    fn write_attributes(&self, w: &mut XmlWriter) {
        w.attribute("a", &self.0);
    }

    fn write_content(&self, _w: &mut XmlWriter) {}

    fn read(element: Element<'_, '_>) -> Result<Self, ReadError> {
        element.required_attribute("a").map(Self)
    }
}

fn text_form<T: SimpleValue>(value: &T) -> String {
    let mut w = XmlWriter::new();
    value.write_text(&mut w.text());
    w.into_string()
}

/// The text form parses back to the value, and so does a whole element holding it.
fn check_simple<T: SimpleValue + XmlValue + PartialEq + Debug>(
    value: T,
) -> Result<(), TestCaseError> {
    let text = text_form(&value);
    prop_assert_eq!(
        &T::parse_text(&text).expect("parses"),
        &value,
        "text {:?}",
        text
    );
    let xml = write_document("v", &value);
    prop_assert_eq!(
        read_document::<T>(&xml).expect("reads"),
        value,
        "document {}",
        xml
    );
    Ok(())
}

proptest! {
    #[test]
    fn element_text_reads_back_unchanged(text in xml_text()) {
        let xml = write_document(QName::qualified("urn:t", "t"), &text);
        let mut reader = XmlReader::new(&xml);
        let read = reader.root().expect("a root").text().expect("text");
        prop_assert_eq!(read.as_ref(), text.as_str(), "document {}", xml);
        // A conformant parser (line-end normalisation and all) agrees.
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        prop_assert_eq!(doc.root_element().text().unwrap_or(""), text.as_str());
    }

    #[test]
    fn attribute_values_read_back_unchanged(text in xml_text()) {
        let xml = write_document("e", &WithAttribute(text.clone()));
        let read: WithAttribute = read_document(&xml).expect("reads");
        prop_assert_eq!(&read.0, &text, "document {}", xml);
        // Attribute-value normalisation turns literal tabs and line ends into spaces; the
        // writer's character references must keep them.
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        prop_assert_eq!(doc.root_element().attribute("a"), Some(text.as_str()));
    }

    #[test]
    fn i64_round_trips(value in any::<i64>()) {
        check_simple(value)?;
    }

    #[test]
    fn u16_round_trips(value in any::<u16>()) {
        check_simple(value)?;
    }

    #[test]
    fn bool_round_trips(value in any::<bool>()) {
        check_simple(value)?;
    }

    #[test]
    fn finite_f64_round_trips(value in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
        let text = text_form(&value);
        let parsed = f64::parse_text(&text).expect("parses");
        // Bit for bit, so -0.0 stays negative and no digit is lost.
        prop_assert_eq!(parsed.to_bits(), value.to_bits(), "text {:?}", text);
        let xml = write_document("v", &value);
        prop_assert_eq!(read_document::<f64>(&xml).expect("reads").to_bits(), value.to_bits());
    }

    /// Whatever the bits, including NaN and infinities: writing gives a text that parses.
    #[test]
    fn any_f64_writes_parseable_text(bits in any::<u64>()) {
        let value = f64::from_bits(bits);
        let parsed = f64::parse_text(&text_form(&value)).expect("parses");
        prop_assert!(parsed.to_bits() == value.to_bits() || (parsed.is_nan() && value.is_nan()));
    }
}
