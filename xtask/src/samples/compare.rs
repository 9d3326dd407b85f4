//! Whether a message the generated code wrote says what gSOAP's sample said, compared as
//! namespace-aware trees.
//!
//! What may differ, and why each is harmless to a SOAP peer:
//!
//! - **Prefixes, and where namespaces are declared.** Names are compared as (namespace URI,
//!   local name); `xmlns` declarations are not attributes. The values of the attributes that
//!   hold QNames (`xsi:type`, SOAP 1.1 `SOAP-ENC:arrayType`, SOAP 1.2 `SOAP-ENC:itemType`) are
//!   compared with their prefix resolved in scope, so `ns1:Item[2]` equals `tns:Item[2]` when
//!   both prefixes name the same namespace, and an unbound prefix never equals a bound one.
//! - **Attribute order**, which XML gives no meaning.
//! - **Comments and processing instructions.** gSOAP marks each `xsd:any` slot with
//!   `<!-- extensibility element(s) -->`; no SOAP stack reads comments.
//! - **Indentation**: whitespace-only text in an element that holds elements or comments, or
//!   that spans lines. Such an element has element-only content (a complex type), where XML
//!   Schema ignores whitespace; gSOAP indents even an empty one over two lines, and writes every
//!   simple value on one line (its samples hold empty strings, zeros, the first enumeration
//!   value), so a line break in whitespace-only text is never a value of its. Other text counts,
//!   whitespace included: `<a> </a>` and `<a/>` differ.
//! - **The order of SOAP header blocks.** gSOAP writes them sorted by name, the generated code
//!   in the WSDL's order; SOAP 1.1 §4.2 and SOAP 1.2 part 1 §5.2 give header blocks no order
//!   (each is processed on its own), so each block of the sample is paired with the written
//!   block of the same name.
//! - **An empty SOAP `Header`.** gSOAP writes `<SOAP-ENV:Header></SOAP-ENV:Header>` for a
//!   message without header blocks; SOAP 1.1 §4.2 and 1.2 §5.2 make the Header optional, and an
//!   empty one carries nothing.
//! - **An `xsi:type` that only the written message has, under a SOAP-encoding `encodingStyle`.**
//!   SOAP 1.1 §5.1 lets every accessor of an encoded body name its type, and the runtime always
//!   does (some servers need it); gSOAP leaves it to the schema. In a literal body, an extra
//!   `xsi:type` is a difference, and so is an `xsi:type` of the sample's that was not written.
//!
//! Everything else is a difference: element names and order, attribute names and values, text.

use std::fmt;

use roxmltree::{Document, Node, NodeType};

const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const SOAP11_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
const SOAP11_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";
const SOAP12_ENC: &str = "http://www.w3.org/2003/05/soap-encoding";

/// The first node where the written message departs from the sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The node, as `/prefix:name/prefix:name[2]/…` with the sample's prefixes (the written
    /// message's for a node only it has).
    pub path: String,
    /// What differs there, on one line.
    pub reason: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// How `written` differs from `sample`, or `None` when they say the same.
pub fn difference(sample: &Document<'_>, written: &Document<'_>) -> Option<Difference> {
    let (s, w) = (sample.root_element(), written.root_element());
    let path = format!("/{}", label(s, 1, false));
    if expanded(s) != expanded(w) {
        return Some(Difference {
            path,
            reason: format!("expected element {}, found {}", expanded(s), expanded(w)),
        });
    }
    element(s, w, &path, false)
}

/// Compares two elements of the same name: attributes, then content.
fn element(s: Node<'_, '_>, w: Node<'_, '_>, path: &str, encoded: bool) -> Option<Difference> {
    let encoded = encoding_style(s).map_or(encoded, is_soap_encoding);
    let at = |reason: String| {
        Some(Difference {
            path: path.to_owned(),
            reason,
        })
    };
    for a in s.attributes() {
        let found = w
            .attributes()
            .find(|b| b.name() == a.name() && b.namespace() == a.namespace());
        let name = attribute_name(a.namespace(), a.name());
        match found {
            None => {
                return at(format!(
                    "attribute {name}=\"{}\" was not written",
                    a.value()
                ))
            }
            Some(b) => {
                let (expected, found) = (
                    attribute_value(s, a.namespace(), a.name(), a.value()),
                    attribute_value(w, b.namespace(), b.name(), b.value()),
                );
                if expected != found {
                    return at(format!(
                        "attribute {name}: expected {}, found {}",
                        shown(&expected),
                        shown(&found)
                    ));
                }
            }
        }
    }
    for b in w.attributes() {
        let in_sample = s
            .attributes()
            .any(|a| a.name() == b.name() && a.namespace() == b.namespace());
        let allowed = encoded && b.namespace() == Some(XSI_NS) && b.name() == "type";
        if !in_sample && !allowed {
            return at(format!(
                "attribute {}=\"{}\" is not in the sample",
                attribute_name(b.namespace(), b.name()),
                b.value()
            ));
        }
    }

    let (sc, mut wc) = (content(s), content(w));
    if is_header(s) {
        wc = match paired(&sc, wc) {
            Ok(wc) => wc,
            Err(missing) => {
                return Some(Difference {
                    path: format!("{path}/{}", describe_at(missing, &sc)),
                    reason: format!("{} was not written", describe(missing)),
                })
            }
        };
    }
    if !sc.iter().chain(&wc).any(Node::is_element) {
        let (expected, found) = (text(s), text(w));
        return (expected != found).then(|| Difference {
            path: path.to_owned(),
            reason: format!(
                "text: expected {}, found {}",
                shown(&expected),
                shown(&found)
            ),
        });
    }
    for (i, sn) in sc.iter().enumerate() {
        let child_path = format!("{path}/{}", describe_at(*sn, &sc));
        let Some(wn) = wc.get(i) else {
            return Some(Difference {
                path: child_path,
                reason: format!("{} was not written", describe(*sn)),
            });
        };
        match (sn.is_element(), wn.is_element()) {
            (true, true) if expanded(*sn) == expanded(*wn) => {
                if let Some(d) = element(*sn, *wn, &child_path, encoded) {
                    return Some(d);
                }
            }
            (false, false) if sn.text() == wn.text() => {}
            _ => {
                return Some(Difference {
                    path: child_path,
                    reason: format!("expected {}, found {}", describe(*sn), describe(*wn)),
                })
            }
        }
    }
    wc.get(sc.len()).map(|extra| Difference {
        path: format!("{path}/{}", describe_at(*extra, &wc)),
        reason: format!("unexpected {}", describe(*extra)),
    })
}

/// The children that carry meaning: elements, and text, except indentation (see the module
/// doc) and an empty SOAP Header.
fn content<'a, 'i>(node: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    let structured = node.children().any(|c| c.is_element() || c.is_comment());
    node.children()
        .filter(|c| match c.node_type() {
            NodeType::Element => !is_empty_header(*c),
            NodeType::Text => !is_indentation(c.text().unwrap_or(""), structured),
            _ => false,
        })
        .collect()
}

fn is_indentation(text: &str, structured: bool) -> bool {
    text.trim().is_empty() && (structured || text.contains('\n'))
}

fn is_empty_header(node: Node<'_, '_>) -> bool {
    is_header(node) && !node.children().any(|c| c.is_element())
}

/// Whether this is the `Header` of a SOAP envelope.
fn is_header(node: Node<'_, '_>) -> bool {
    let in_envelope =
        |n: Node<'_, '_>| matches!(n.tag_name().namespace(), Some(SOAP11_ENV | SOAP12_ENV));
    node.tag_name().name() == "Header"
        && in_envelope(node)
        && node.parent_element().is_some_and(in_envelope)
}

/// `written` reordered so that each of the sample's nodes faces the first written node of the
/// same name not taken yet, the rest following in their order; or the first sample node that
/// has no such node.
fn paired<'a, 'i>(
    sample: &[Node<'a, 'i>],
    written: Vec<Node<'a, 'i>>,
) -> Result<Vec<Node<'a, 'i>>, Node<'a, 'i>> {
    let mut rest: Vec<Option<Node<'a, 'i>>> = written.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(rest.len());
    for s in sample {
        let found = rest.iter_mut().find(|w| {
            w.is_some_and(|w| w.is_element() == s.is_element() && expanded(w) == expanded(*s))
        });
        out.push(found.and_then(Option::take).ok_or(*s)?);
    }
    out.extend(rest.into_iter().flatten());
    Ok(out)
}

/// The text of an element without child elements (comments may split it), indentation aside.
fn text(node: Node<'_, '_>) -> String {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .filter_map(|c| c.text())
        .collect();
    if is_indentation(&text, node.children().any(|c| c.is_comment())) {
        String::new()
    } else {
        text
    }
}

/// The `encodingStyle` this element sets, if it sets one.
fn encoding_style<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attributes()
        .find(|a| {
            a.name() == "encodingStyle" && matches!(a.namespace(), Some(SOAP11_ENV | SOAP12_ENV))
        })
        .map(|a| a.value())
}

/// Whether an `encodingStyle` value (a list of URIs) names SOAP encoding; `""` switches it off.
fn is_soap_encoding(style: &str) -> bool {
    style
        .split_whitespace()
        .any(|uri| uri.starts_with(SOAP11_ENC) || uri.starts_with(SOAP12_ENC))
}

/// An attribute's value as compared: QName values with their prefix resolved.
fn attribute_value(node: Node<'_, '_>, ns: Option<&str>, name: &str, value: &str) -> String {
    let holds_qname = matches!(
        (ns, name),
        (Some(XSI_NS), "type") | (Some(SOAP11_ENC), "arrayType") | (Some(SOAP12_ENC), "itemType")
    );
    if !holds_qname {
        return value.to_owned();
    }
    let value = value.trim();
    let (prefix, local) = match value.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, value),
    };
    match (prefix, node.lookup_namespace_uri(prefix)) {
        (_, Some(uri)) if !uri.is_empty() => format!("{{{uri}}}{local}"),
        (Some(prefix), _) => format!("{prefix}:{local} (prefix {prefix} unbound)"),
        (None, _) => local.to_owned(),
    }
}

/// `{namespace}local`, or `local` for a name in no namespace.
fn expanded(node: Node<'_, '_>) -> String {
    let name = node.tag_name();
    match name.namespace().filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{{{ns}}}{}", name.name()),
        None => name.name().to_owned(),
    }
}

fn attribute_name(ns: Option<&str>, local: &str) -> String {
    match ns {
        Some(ns) => format!("{{{ns}}}{local}"),
        None => local.to_owned(),
    }
}

fn describe(node: Node<'_, '_>) -> String {
    if node.is_element() {
        format!("element {}", expanded(node))
    } else {
        format!("text {}", shown(node.text().unwrap_or("")))
    }
}

/// A path step for a child, indexed among its same-named siblings when it has any.
fn describe_at(node: Node<'_, '_>, siblings: &[Node<'_, '_>]) -> String {
    if !node.is_element() {
        return "text()".to_owned();
    }
    let same: Vec<_> = siblings
        .iter()
        .filter(|n| n.is_element() && expanded(**n) == expanded(node))
        .collect();
    let index = same.iter().position(|n| **n == node).map_or(1, |i| i + 1);
    label(node, index, same.len() > 1)
}

/// `prefix:local` as the document spells it, with `[index]` when asked.
fn label(node: Node<'_, '_>, index: usize, indexed: bool) -> String {
    let name = node.tag_name();
    let prefix = name
        .namespace()
        .and_then(|ns| node.lookup_prefix(ns))
        .filter(|p| !p.is_empty());
    let mut out = match prefix {
        Some(p) => format!("{p}:{}", name.name()),
        None => name.name().to_owned(),
    };
    if indexed {
        out.push_str(&format!("[{index}]"));
    }
    out
}

/// A text quoted and cut to a readable length, on one line.
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let cut: String = text.chars().take(MAX).collect();
    if cut.len() < text.len() {
        format!("{:?}…", cut)
    } else {
        format!("{cut:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(sample: &str, written: &str) -> Option<String> {
        let s = Document::parse(sample).expect("sample parses");
        let w = Document::parse(written).expect("written parses");
        difference(&s, &w).map(|d| d.to_string())
    }

    const ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

    #[test]
    fn prefixes_declarations_attribute_order_comments_and_indentation_do_not_count() {
        let sample = format!(
            r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENV}" xmlns:ns1="urn:a">
             <SOAP-ENV:Body>
              <ns1:op a="1" b="2">
               <!-- extensibility element(s) -->
               <x>text</x>
              </ns1:op>
             </SOAP-ENV:Body>
            </SOAP-ENV:Envelope>"#
        );
        let written = format!(
            r#"<soap:Envelope xmlns:soap="{ENV}"><soap:Body><t:op xmlns:t="urn:a" b="2" a="1"><x>text</x></t:op></soap:Body></soap:Envelope>"#
        );
        assert_eq!(diff(&sample, &written), None);
    }

    #[test]
    fn an_empty_header_is_no_header() {
        let sample = format!(
            r#"<e:Envelope xmlns:e="{ENV}"><e:Header>
             </e:Header><e:Body/></e:Envelope>"#
        );
        let written = format!(r#"<e:Envelope xmlns:e="{ENV}"><e:Body/></e:Envelope>"#);
        assert_eq!(diff(&sample, &written), None);
        let with_block = format!(
            r#"<e:Envelope xmlns:e="{ENV}"><e:Header><h/></e:Header><e:Body/></e:Envelope>"#
        );
        assert_eq!(
            diff(&with_block, &written).as_deref(),
            Some("/e:Envelope/e:Header: expected element {http://schemas.xmlsoap.org/soap/envelope/}Header, found element {http://schemas.xmlsoap.org/soap/envelope/}Body")
        );
    }

    #[test]
    fn an_empty_complex_element_indented_over_two_lines_is_empty() {
        assert_eq!(diff("<a>\n  </a>", "<a/>"), None);
        assert_eq!(diff("<a>\n  <!-- any -->\n  </a>", "<a></a>"), None);
        assert!(diff("<a>\n x </a>", "<a/>").is_some());
    }

    #[test]
    fn header_blocks_pair_by_name_in_any_order() {
        let envelope = |header: &str| {
            format!(
                r#"<e:Envelope xmlns:e="{ENV}"><e:Header>{header}</e:Header><e:Body/></e:Envelope>"#
            )
        };
        let sample = envelope("<a>1</a><b>2</b>");
        assert_eq!(diff(&sample, &envelope("<b>2</b><a>1</a>")), None);
        assert_eq!(
            diff(&sample, &envelope("<b>2</b><a>3</a>")).as_deref(),
            Some("/e:Envelope/e:Header/a: text: expected \"1\", found \"3\"")
        );
        assert_eq!(
            diff(&sample, &envelope("<b>2</b>")).as_deref(),
            Some("/e:Envelope/e:Header/a: element a was not written")
        );
        // Elsewhere, order counts.
        assert!(diff("<r><a/><b/></r>", "<r><b/><a/></r>").is_some());
    }

    #[test]
    fn text_of_a_simple_value_counts_whitespace_included() {
        assert_eq!(
            diff("<a><b> </b></a>", "<a><b/></a>").as_deref(),
            Some("/a/b: text: expected \" \", found \"\"")
        );
        assert_eq!(
            diff("<a><b>1</b><b>2</b></a>", "<a><b>1</b><b>3</b></a>").as_deref(),
            Some("/a/b[2]: text: expected \"2\", found \"3\"")
        );
    }

    #[test]
    fn missing_extra_and_renamed_elements_are_named_by_path() {
        assert_eq!(
            diff("<a><b/><c/></a>", "<a><b/></a>").as_deref(),
            Some("/a/c: element c was not written")
        );
        assert_eq!(
            diff("<a><b/></a>", "<a><b/><c/></a>").as_deref(),
            Some("/a/c: unexpected element c")
        );
        assert_eq!(
            diff(r#"<a xmlns:p="urn:p"><p:b/></a>"#, "<a><b/></a>").as_deref(),
            Some("/a/p:b: expected element {urn:p}b, found element b")
        );
    }

    #[test]
    fn attributes_are_compared_by_expanded_name_and_value() {
        assert_eq!(
            diff(r#"<a x="1"/>"#, r#"<a x="2"/>"#).as_deref(),
            Some("/a: attribute x: expected \"1\", found \"2\"")
        );
        assert_eq!(
            diff(r#"<a x="1"/>"#, "<a/>").as_deref(),
            Some("/a: attribute x=\"1\" was not written")
        );
        assert_eq!(
            diff("<a/>", r#"<a y="1"/>"#).as_deref(),
            Some("/a: attribute y=\"1\" is not in the sample")
        );
    }

    #[test]
    fn qname_values_compare_resolved() {
        let enc = SOAP11_ENC;
        let sample = format!(r#"<a xmlns:E="{enc}" xmlns:ns1="urn:t" E:arrayType="ns1:Item[1]"/>"#);
        let same = format!(r#"<a xmlns:S="{enc}" xmlns:t="urn:t" S:arrayType="t:Item[1]"/>"#);
        assert_eq!(diff(&sample, &same), None);
        let unbound = format!(r#"<a xmlns:S="{enc}" S:arrayType="t:Item[1]"/>"#);
        assert_eq!(
            diff(&sample, &unbound).as_deref(),
            Some("/a: attribute {http://schemas.xmlsoap.org/soap/encoding/}arrayType: expected \"{urn:t}Item[1]\", found \"t:Item[1] (prefix t unbound)\"")
        );
    }

    #[test]
    fn an_extra_xsi_type_is_allowed_only_under_soap_encoding() {
        let body = |style: &str| {
            format!(
                r#"<e:Envelope xmlns:e="{ENV}" xmlns:i="{XSI_NS}" xmlns:d="http://www.w3.org/2001/XMLSchema"><e:Body{style}><op><n i:type="d:int">1</n></op></e:Body></e:Envelope>"#
            )
        };
        let sample = |style: &str| body(style).replace(r#" i:type="d:int""#, "");
        let encoded = format!(r#" e:encodingStyle="{SOAP11_ENC}""#);
        assert_eq!(diff(&sample(&encoded), &body(&encoded)), None);
        assert_eq!(
            diff(&sample(""), &body("")).as_deref(),
            Some("/e:Envelope/e:Body/op/n: attribute {http://www.w3.org/2001/XMLSchema-instance}type=\"d:int\" is not in the sample")
        );
        // The sample's xsi:type must be written, encoded or not.
        assert!(
            diff(&body(&encoded), &sample(&encoded)).is_some_and(|d| d.contains("was not written"))
        );
    }
}
