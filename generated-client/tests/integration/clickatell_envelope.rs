//! The Clickatell rpc/encoded bindings (`wsdl/clickatell.wsdl`) against the example `sendmsg`
//! envelope of Clickatell's SOAP API page, compared as parsed XML trees.
//!
//! What the comparison holds equal, element by element in document order:
//!
//! * the element's expanded name (namespace and local name; prefixes may differ);
//! * `xsi:type`, as a resolved QName;
//! * `SOAP-ENC:arrayType`, as a resolved QName plus the `[length]`;
//! * `xsi:nil`;
//! * the text of elements that have no child elements;
//! * the encoding style in effect (`SOAP-ENV:encodingStyle` of the element or its nearest
//!   ancestor) on `Body` and everything inside it. The example declares it on `Envelope`, the
//!   runtime on `Body`: SOAP 1.1 (section 4.1.1) gives both the same meaning for the body, so
//!   the `Envelope` element itself is the one place where the comparison does not look at it.
//!
//! Absent parameters: the client writes every part of the message, an absent one (`None`) as
//! an empty element with `xsi:nil="true"` and its `xsi:type`, exactly as the example does for
//! `session_id` and the sending options. None is omitted, so the request has the example's
//! elements, all of them, in its order.

use generated_client::generated::clickatell::clickatell_sms_binding::{
    Sendmsg, SendmsgInput, ENDPOINTS,
};
use generated_client::generated::clickatell::ArrayOfString;
use soap_runtime::envelope::{read_request, read_response, write_request};
use soap_runtime::NoHeaders;
use soap_runtime::Operation;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";

/// The request of Clickatell's example, with its prefixes, declarations and element order
/// (whitespace between elements aside).
const EXAMPLE_REQUEST: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<SOAP-ENV:Envelope SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:tns="soap.clickatell.com">
  <SOAP-ENV:Body>
    <tns:sendmsg xmlns:tns="soap.clickatell.com">
      <session_id xsi:nil="true" xsi:type="xsd:string"/>
      <api_id xsi:type="xsd:int">1234</api_id>
      <user xsi:type="xsd:string">demo</user>
      <password xsi:type="xsd:string">demo</password>
      <to xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[2]">
        <item xsi:type="xsd:string">2799912345</item>
        <item xsi:type="xsd:string">27999123134</item>
      </to>
      <from xsi:type="xsd:string">me</from>
      <text xsi:type="xsd:string">Initial test message</text>
      <concat xsi:nil="true" xsi:type="xsd:int"/>
      <deliv_ack xsi:nil="true" xsi:type="xsd:int"/>
      <callback xsi:nil="true" xsi:type="xsd:int"/>
      <deliv_time xsi:nil="true" xsi:type="xsd:int"/>
      <max_credits xsi:nil="true" xsi:type="xsd:float"/>
      <req_feat xsi:nil="true" xsi:type="xsd:int"/>
      <queue xsi:nil="true" xsi:type="xsd:int"/>
      <escalate xsi:nil="true" xsi:type="xsd:int"/>
      <mo xsi:nil="true" xsi:type="xsd:int"/>
      <cliMsgId xsi:nil="true" xsi:type="xsd:string"/>
      <unicode xsi:nil="true" xsi:type="xsd:int"/>
      <msg_type xsi:nil="true" xsi:type="xsd:string"/>
      <udh xsi:nil="true" xsi:type="xsd:string"/>
      <data xsi:nil="true" xsi:type="xsd:string"/>
      <validity xsi:nil="true" xsi:type="xsd:int"/>
    </tns:sendmsg>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"#;

/// The example's request as a value of the generated input type.
fn example_input() -> SendmsgInput {
    SendmsgInput {
        api_id: Some(1234),
        user: Some("demo".into()),
        password: Some("demo".into()),
        to: Some(ArrayOfString {
            items: vec!["2799912345".into(), "27999123134".into()],
        }),
        from: Some("me".into()),
        text: Some("Initial test message".into()),
        ..SendmsgInput::default()
    }
}

/// A QName-valued attribute, resolved against the namespaces in scope at `node`.
fn resolve(node: roxmltree::Node<'_, '_>, value: &str) -> (Option<String>, String) {
    let (prefix, local) = match value.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, value),
    };
    let ns = node.lookup_namespace_uri(prefix);
    assert!(
        prefix.is_none() || ns.is_some(),
        "prefix {prefix:?} of {value:?} is not declared at <{}>",
        node.tag_name().name()
    );
    (ns.map(str::to_owned), local.to_owned())
}

/// What the comparison looks at in one element (see the module documentation).
#[derive(Debug, PartialEq)]
struct Shape {
    depth: usize,
    name: (Option<String>, String),
    xsi_type: Option<(Option<String>, String)>,
    array_type: Option<((Option<String>, String), String)>,
    nil: Option<String>,
    text: Option<String>,
    encoding_style: Option<String>,
}

fn shapes(xml: &str) -> Vec<Shape> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = doc.root_element();
    root.descendants()
        .filter(roxmltree::Node::is_element)
        .map(|node| {
            let leaf = !node.children().any(|c| c.is_element());
            Shape {
                depth: node.ancestors().filter(roxmltree::Node::is_element).count(),
                name: (
                    node.tag_name().namespace().map(str::to_owned),
                    node.tag_name().name().to_owned(),
                ),
                xsi_type: node.attribute((XSI, "type")).map(|v| resolve(node, v)),
                array_type: node.attribute((SOAP_ENC, "arrayType")).map(|v| {
                    let (qname, length) = v.split_once('[').expect("an arrayType with [length]");
                    (resolve(node, qname), format!("[{length}"))
                }),
                nil: node.attribute((XSI, "nil")).map(str::to_owned),
                text: leaf.then(|| node.text().unwrap_or("").to_owned()),
                // Not compared on the Envelope itself (see the module documentation).
                encoding_style: (node != root)
                    .then(|| {
                        node.ancestors()
                            .find_map(|a| a.attribute((SOAP_ENV, "encodingStyle")))
                            .map(str::to_owned)
                    })
                    .flatten(),
            }
        })
        .collect()
}

#[test]
fn the_example_request_parses_into_the_expected_shape() {
    // A guard on the comparison itself: it sees what the example holds.
    let example = shapes(EXAMPLE_REQUEST);
    assert_eq!(
        example.len(),
        2 + 1 + 22 + 2,
        "Envelope, Body, sendmsg, 22 parts, 2 items"
    );
    let to = example
        .iter()
        .find(|s| s.name.1 == "to")
        .expect("a `to` element");
    assert_eq!(
        to.array_type,
        Some((
            (
                Some("http://www.w3.org/2001/XMLSchema".to_owned()),
                "string".to_owned()
            ),
            "[2]".to_owned()
        ))
    );
    assert_eq!(
        example.iter().filter(|s| s.nil.is_some()).count(),
        16,
        "session_id and the 15 sending options are nil"
    );
}

#[test]
fn a_written_sendmsg_request_has_the_structure_of_the_documented_example() {
    let written = write_request::<Sendmsg>(&example_input(), &NoHeaders);
    let (written_shapes, example_shapes) = (shapes(&written), shapes(EXAMPLE_REQUEST));
    for (index, (ours, theirs)) in written_shapes.iter().zip(&example_shapes).enumerate() {
        assert_eq!(
            ours, theirs,
            "element {index} differs from the example\nwritten: {written}"
        );
    }
    assert_eq!(
        written_shapes.len(),
        example_shapes.len(),
        "the written request has a different number of elements\nwritten: {written}"
    );
}

#[test]
fn the_array_type_length_follows_the_number_of_recipients() {
    let mut input = example_input();
    input.to = Some(ArrayOfString {
        items: vec![
            "27999000001".into(),
            "27999000002".into(),
            "27999000003".into(),
        ],
    });
    let written = write_request::<Sendmsg>(&input, &NoHeaders);
    let to = shapes(&written)
        .into_iter()
        .find(|s| s.name.1 == "to")
        .expect("a `to` element");
    assert_eq!(to.array_type.expect("an arrayType").1, "[3]");
}

#[test]
fn the_documented_example_reads_as_the_same_request() {
    let read = read_request::<Sendmsg>(EXAMPLE_REQUEST).expect("the example reads");
    assert_eq!(read.body, example_input());
}

#[test]
fn the_operation_posts_to_the_documented_endpoint() {
    assert_eq!(
        ENDPOINTS.iter().map(|e| e.address).collect::<Vec<&str>>(),
        ["http://api.clickatell.com/soap/webservice.php"]
    );
    assert_eq!(
        Sendmsg::INFO.soap_action,
        "http://api.clickatell.com/soap/webservice.php/sendmsg"
    );
}

/// A `sendmsg` response as Clickatell's PHP server writes one: rpc/encoded, the `return` part
/// a SOAP-encoded array with one typed string per recipient.
const PHP_RESPONSE: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<SOAP-ENV:Envelope SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:tns="soap.clickatell.com">
  <SOAP-ENV:Body>
    <ns1:sendmsgResponse xmlns:ns1="soap.clickatell.com">
      <return xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[2]">
        <item xsi:type="xsd:string">ID: 1234abcd</item>
        <item xsi:type="xsd:string">ID: 5678ef01</item>
      </return>
    </ns1:sendmsgResponse>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"#;

#[test]
fn a_sendmsg_response_from_the_php_server_reads_back() {
    let response = read_response::<Sendmsg>(PHP_RESPONSE).expect("the response reads");
    let lines = response.body.r#return.expect("a `return` part");
    assert_eq!(lines.items, ["ID: 1234abcd", "ID: 5678ef01"]);
}
