//! rpc/encoded messages as SOAP toolkits write them: typed accessors, `SOAP-ENC:Array`s, and
//! multi-references (`href="#id"` pointing at a `multiRef` elsewhere in the body).

use codegen_tests as fixtures;
use fixtures::rpc_encoded::directory_binding::{Lookup, LookupInput};
use soap_runtime::envelope::{read_request, read_response, write_request};
use soap_runtime::NoHeaders;

/// A response in the Apache Axis style: the arrays and each struct in them are multi-refs.
const AXIS_RESPONSE: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/">
 <soapenv:Body>
  <ns1:LookupResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="urn:fixture:rpc:body">
   <names href="#id0"/>
   <people href="#id1"/>
  </ns1:LookupResponse>
  <multiRef id="id0" soapenc:root="0" xsi:type="soapenc:Array" soapenc:arrayType="xsd:string[2]">
   <item xsi:type="xsd:string">Ada</item>
   <item xsi:type="xsd:string">Grace</item>
  </multiRef>
  <multiRef id="id1" soapenc:root="0" xsi:type="soapenc:Array" soapenc:arrayType="ns2:Person[2]" xmlns:ns2="urn:fixture:rpc">
   <item href="#id2"/>
   <item href="#id3"/>
  </multiRef>
  <multiRef id="id2" soapenc:root="0" xsi:type="ns3:Person" xmlns:ns3="urn:fixture:rpc">
   <name xsi:type="xsd:string">Ada</name><extension xsi:type="xsd:int">101</extension>
  </multiRef>
  <multiRef id="id3" soapenc:root="0" xsi:type="ns4:Person" xmlns:ns4="urn:fixture:rpc">
   <extension xsi:type="xsd:int">102</extension><name xsi:type="xsd:string">Grace</name>
  </multiRef>
 </soapenv:Body>
</soapenv:Envelope>"##;

#[test]
fn an_encoded_response_with_arrays_and_multi_references_reads_into_typed_values() {
    let response = read_response::<Lookup>(AXIS_RESPONSE).expect("the response reads");
    let names = response.body.names.expect("names");
    assert_eq!(names.items, ["Ada", "Grace"]);
    let people = response.body.people.expect("people");
    let read: Vec<(&str, i32)> = people
        .items
        .iter()
        .map(|p| (p.name.as_str(), p.extension))
        .collect();
    assert_eq!(read, [("Ada", 101), ("Grace", 102)]);
}

#[test]
fn an_encoded_request_names_every_part_type_and_writes_absent_parts_as_nil() {
    let request = LookupInput {
        department: Some("Research & Development".into()),
        limit: None,
    };
    let xml = write_request::<Lookup>(&request, &NoHeaders);
    let expected = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" "#,
        r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" "#,
        r#"xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/">"#,
        r#"<soap:Body soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">"#,
        r#"<ns1:Lookup xmlns:ns1="urn:fixture:rpc:body"><department xsi:type="xsd:string">Research &amp; Development</department>"#,
        r#"<limit xsi:nil="true" xsi:type="xsd:int"/></ns1:Lookup></soap:Body></soap:Envelope>"#
    );
    assert_eq!(xml, expected);
    let back = read_request::<Lookup>(&xml).expect("the request reads back");
    assert_eq!(back.body, request);
}
