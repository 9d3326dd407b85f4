//! Checks on the generated API itself, beyond reading and writing documents: facet checks in
//! constructors, which fields are boxed, the SOAP facts operation stubs carry, headers and
//! fault details.

mod common;

use std::any::type_name;

use codegen_tests as fixtures;
use soap_runtime::{
    BodyUse, FaultDetail, Headers, Operation, QName, SoapVersion, Style, XmlReader, XmlWriter,
};

fn type_of<T>(_: &T) -> &'static str {
    type_name::<T>()
}

#[test]
fn every_fixture_folder_is_compiled_in() {
    let mut folders: Vec<String> = std::fs::read_dir(common::fixture(""))
        .expect("the fixtures folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .map(|p| {
            p.file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "errors")
        .collect();
    folders.sort();
    assert_eq!(fixtures::FIXTURES, folders);
}

#[test]
fn length_facets_are_checked_by_new() {
    use fixtures::facets::Callsign;
    for good in ["ABC", "GB7ABC", "ABCDEFGH", "ÅÄÖ"] {
        let callsign = Callsign::new(good).unwrap_or_else(|e| panic!("{good:?}: {e}"));
        assert_eq!(callsign.get(), good);
    }
    let short = Callsign::new("AB").expect_err("2 characters is below minLength 3");
    assert_eq!(
        (short.facet, short.limit, short.value.as_str()),
        ("minLength", "3", "2")
    );
    let long = Callsign::new("ABCDEFGHI").expect_err("9 characters is above maxLength 8");
    assert_eq!((long.facet, long.limit), ("maxLength", "8"));
    assert!(long.to_string().contains("Callsign"), "{long}");
}

#[test]
fn numeric_bounds_are_checked_by_new() {
    use fixtures::facets::{Latitude, Percent};
    for good in [0, 1, 50, 100] {
        assert_eq!(*Percent::new(good).expect("in range").get(), good);
    }
    for bad in [-1, 101, i32::MIN, i32::MAX] {
        let error = Percent::new(bad).expect_err("out of range");
        assert_eq!(error.value, bad.to_string());
    }
    assert_eq!(Percent::new(101).unwrap_err().facet, "maxInclusive");
    assert_eq!(Percent::new(-1).unwrap_err().facet, "minInclusive");
    // Exclusive bounds: the bound itself is out.
    assert!(Latitude::new(-89.999).is_ok());
    assert!(Latitude::new(89.999).is_ok());
    assert_eq!(Latitude::new(-90.0).unwrap_err().facet, "minExclusive");
    assert_eq!(Latitude::new(90.0).unwrap_err().facet, "maxExclusive");
    // An anonymous restriction on an attribute gets the same treatment.
    use fixtures::anonymous_types::ForecastDayOffset;
    assert!(ForecastDayOffset::new(6).is_ok());
    assert!(ForecastDayOffset::new(7).is_err());
}

#[test]
fn binary_length_is_counted_in_bytes() {
    use fixtures::facets::Checksum;
    use soap_runtime::HexBinary;
    assert!(Checksum::new(HexBinary(vec![1, 2, 3, 4])).is_ok());
    let error = Checksum::new(HexBinary(vec![1, 2, 3])).expect_err("3 bytes, not 4");
    assert_eq!((error.facet, error.value.as_str()), ("length", "3"));
}

#[test]
fn enumeration_values_outside_the_schema_are_kept() {
    use fixtures::enumerations::Status;
    use soap_runtime::SimpleValue;
    assert_eq!(Status::parse_text("delivered"), Ok(Status::Delivered));
    assert_eq!(Status::parse_text("Unknown"), Ok(Status::Unknown2));
    let unknown = Status::parse_text("held at customs").expect("any text is a Status");
    assert_eq!(unknown, Status::Unknown("held at customs".into()));
    assert_eq!(unknown.as_str(), "held at customs");
    assert_eq!(Status::InTransit.as_str(), "in-transit");
}

/// A Box breaks a cycle of types; a field outside any cycle, or already behind a Vec, needs none.
#[test]
fn only_fields_that_close_a_cycle_are_boxed() {
    let tree = fixtures::recursion::TreeNode::default();
    assert!(type_of(&tree.first_child).contains("Box<"));
    assert!(!type_of(&tree.sibling).contains("Box<"));
    assert!(!type_of(&tree.leaf).contains("Box<"));
    assert!(!type_of(&tree.name).contains("Box<"));
    let paragraph = fixtures::recursion::Paragraph {
        text: String::new(),
        aside: None,
    };
    let section = fixtures::recursion::Section {
        heading: String::new(),
        // `into` works whether or not this field is the boxed one.
        #[allow(clippy::useless_conversion)]
        body: paragraph.clone().into(),
    };
    let boxed = [type_of(&section.body), type_of(&paragraph.aside)]
        .iter()
        .filter(|t| t.contains("Box<"))
        .count();
    assert_eq!(boxed, 1, "one box breaks the Section/Paragraph cycle");
    // Types nowhere near a cycle have no boxes at all.
    let shipment = fixtures::sequence_occurs::Shipment::default();
    assert!(!type_of(&shipment.signed_by).contains("Box<"));
}

#[test]
fn document_literal_operation_facts() {
    use fixtures::sequence_occurs::shipping_binding::{Ship, ENDPOINTS};
    let info = Ship::INFO;
    assert_eq!((info.name, info.binding), ("Ship", "ShippingBinding"));
    assert_eq!(info.soap_action, "urn:fixture:occurs#Ship");
    assert_eq!(
        (info.style, info.version),
        (Style::Document, SoapVersion::Soap11)
    );
    assert_eq!(
        info.input.body_element,
        Some(QName::qualified("urn:fixture:occurs", "Shipment"))
    );
    assert_eq!(info.input.body_use, BodyUse::Literal);
    assert_eq!(
        info.output.and_then(|o| o.body_element),
        Some(QName::qualified("urn:fixture:occurs", "Receipt"))
    );
    assert_eq!(
        type_name::<<Ship as Operation>::Fault>(),
        type_name::<soap_runtime::NoFault>()
    );
    assert_eq!(
        type_name::<<Ship as Operation>::Input>(),
        type_name::<fixtures::sequence_occurs::Shipment>()
    );
    assert_eq!(ENDPOINTS.len(), 1);
    assert_eq!(ENDPOINTS[0].address, "http://localhost/occurs");
    assert_eq!(ENDPOINTS[0].port, "ShippingPort");
}

#[test]
fn one_way_operation_has_no_output() {
    use fixtures::complex_content::fleet_binding::Inspect;
    assert!(Inspect::INFO.output.is_none());
    assert_eq!(
        type_name::<<Inspect as Operation>::Output>(),
        type_name::<soap_runtime::Empty>()
    );
}

#[test]
fn soap12_operation_with_headers_and_faults() {
    use fixtures::soap12_headers_faults::accounts_soap12::{GetBalance, ENDPOINTS};
    let info = GetBalance::INFO;
    assert_eq!(info.version, SoapVersion::Soap12);
    assert_eq!(ENDPOINTS[0].version, SoapVersion::Soap12);
    assert_eq!(info.soap_action, "urn:fixture:soap12:GetBalance");
    use fixtures::soap12_headers_faults::accounts_soap12::{
        GetBalanceFault, GetBalanceInputHeaders, GetBalanceOutputHeaders,
    };
    // The header parts are the headers types: the request's credentials, the response's
    // rate limit; the faults are the variants of the operation's fault type.
    assert_eq!(
        type_name::<<GetBalance as Operation>::InputHeaders>(),
        type_name::<GetBalanceInputHeaders>()
    );
    assert_eq!(
        type_name::<<GetBalance as Operation>::OutputHeaders>(),
        type_name::<GetBalanceOutputHeaders>()
    );
    assert_eq!(
        type_name::<<GetBalance as Operation>::Fault>(),
        type_name::<GetBalanceFault>()
    );
    let limit = GetBalanceOutputHeaders {
        rate_limit: Some(10),
    };
    let mut w = XmlWriter::new();
    limit.write_headers(&mut w);
    assert_eq!(
        w.into_string(),
        r#"<ns1:RateLimit xmlns:ns1="urn:fixture:soap12">10</ns1:RateLimit>"#
    );
    // The response's header part is not also in its body.
    assert_eq!(
        type_name::<<GetBalance as Operation>::Output>(),
        type_name::<fixtures::soap12_headers_faults::GetBalanceResponse>()
    );
}

/// One port type, three bindings: SOAP 1.2 and SOAP 1.1 get a module each, with the
/// endpoints of their own ports; the HTTP GET binding gets none.
#[test]
fn each_soap_binding_has_its_own_module_and_endpoints() {
    use fixtures::soap12_headers_faults::{accounts_soap, accounts_soap12};
    assert_eq!(accounts_soap::GetBalance::INFO.version, SoapVersion::Soap11);
    assert_eq!(accounts_soap::GetBalance::INFO.binding, "AccountsSoap");
    assert_eq!(accounts_soap12::GetBalance::INFO.binding, "AccountsSoap12");
    let ports = |endpoints: &[soap_runtime::Endpoint]| -> Vec<(&str, SoapVersion)> {
        endpoints.iter().map(|e| (e.port, e.version)).collect()
    };
    assert_eq!(
        ports(accounts_soap::ENDPOINTS),
        [("AccountsSoap", SoapVersion::Soap11)]
    );
    assert_eq!(
        ports(accounts_soap12::ENDPOINTS),
        [("AccountsSoap12", SoapVersion::Soap12)]
    );
    // The request and fault types are shared, not generated once per binding.
    assert_eq!(
        type_name::<<accounts_soap::GetBalance as Operation>::Input>(),
        type_name::<<accounts_soap12::GetBalance as Operation>::Input>()
    );
}

/// Each direction names the header elements it declares, which its server understands (and a
/// request's other mustUnderstand headers are refused by): the request's message of its own,
/// the response's part of the response message; SOAP 1.1's response declares none.
#[test]
fn messages_list_the_headers_they_declare() {
    use fixtures::soap12_headers_faults::{accounts_soap, accounts_soap12};
    let credentials = QName::qualified("urn:fixture:soap12", "Credentials");
    let limit = QName::qualified("urn:fixture:soap12", "RateLimit");
    let info = accounts_soap12::GetBalance::INFO;
    assert_eq!(info.input.headers, [credentials]);
    assert_eq!(info.output.map(|m| m.headers), Some(&[limit][..]));
    let info = accounts_soap::GetBalance::INFO;
    assert_eq!(info.input.headers, [credentials]);
    assert_eq!(info.output.map(|m| m.headers), Some(&[][..]));
}

#[test]
fn soap12_headers_read_and_write() {
    use fixtures::soap12_headers_faults::accounts_soap12::GetBalanceInputHeaders;
    let header = r#"<env:Header xmlns:env="http://www.w3.org/2003/05/soap-envelope"
        xmlns:a="urn:fixture:soap12">
        <a:Credentials realm="eu"><a:user>ops</a:user><a:token>k</a:token></a:Credentials>
        <other:Trace xmlns:other="urn:other">ignored</other:Trace>
    </env:Header>"#;
    let mut reader = XmlReader::new(header);
    let headers = GetBalanceInputHeaders::read_headers(reader.root().expect("a root"))
        .expect("the headers read");
    let credentials = headers.credentials.as_ref().expect("credentials");
    assert_eq!(
        (credentials.user.as_str(), credentials.token.as_str()),
        ("ops", "k")
    );
    let mut w = XmlWriter::new();
    headers.write_headers(&mut w);
    let written = format!("<Header>{}</Header>", w.into_string());
    let expected = r#"<Header><a:Credentials xmlns:a="urn:fixture:soap12" realm="eu">
        <a:user>ops</a:user><a:token>k</a:token></a:Credentials></Header>"#;
    common::assert_same_xml(expected, &written);
}

#[test]
fn fault_details_are_recognised_by_element() {
    use fixtures::soap12_headers_faults::accounts_soap12::GetBalanceFault;
    let detail = r#"<detail><d:AccessDenied xmlns:d="urn:fixture:soap12">
        <d:reason>locked</d:reason></d:AccessDenied></detail>"#;
    let mut reader = XmlReader::new(detail);
    let fault = GetBalanceFault::read_detail(reader.root().expect("a root"))
        .expect("the detail reads")
        .expect("a declared fault");
    let GetBalanceFault::Denied(denied) = &fault else {
        panic!("expected Denied, got {fault:?}");
    };
    assert_eq!(
        (denied.reason.as_str(), denied.retry_after),
        ("locked", None)
    );
    let mut w = XmlWriter::new();
    fault.write_detail(&mut w);
    common::assert_same_xml(
        r#"<d:AccessDenied xmlns:d="urn:fixture:soap12"><d:reason>locked</d:reason></d:AccessDenied>"#,
        w.as_str(),
    );
    // A detail holding no declared fault is not an error.
    let mut reader = XmlReader::new("<detail><x:Other xmlns:x='urn:x'/></detail>");
    let none = GetBalanceFault::read_detail(reader.root().expect("a root")).expect("reads");
    assert!(none.is_none());
}

#[test]
fn rpc_encoded_operation_facts() {
    use fixtures::rpc_encoded::directory_binding::Lookup;
    let info = Lookup::INFO;
    assert_eq!(info.style, Style::Rpc);
    assert_eq!(info.input.body_use, BodyUse::Encoded);
    assert_eq!(
        info.input.encoding_style,
        Some("http://schemas.xmlsoap.org/soap/encoding/")
    );
    // The rpc wrapper is named after the operation, in the soap:body namespace.
    assert_eq!(
        info.input.body_element,
        Some(QName::qualified("urn:fixture:rpc:body", "Lookup"))
    );
    let output = info.output.expect("a response");
    assert_eq!(
        output.body_element,
        Some(QName::qualified("urn:fixture:rpc:body", "LookupResponse"))
    );
    // The parts are the fields of the wrapper's type, in order, each an accessor of its
    // type.
    let input = fixtures::rpc_encoded::directory_binding::LookupInput {
        department: Some("sales".to_owned()),
        limit: Some(3),
    };
    let written = soap_runtime::write_document("Lookup", &input);
    let xsd = "http://www.w3.org/2001/XMLSchema";
    let document = roxmltree::Document::parse(&written).expect("well-formed");
    let parts: Vec<_> = document
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|n| {
            let xsi_type = n
                .attribute(("http://www.w3.org/2001/XMLSchema-instance", "type"))
                .unwrap_or_default();
            let (prefix, local) = xsi_type.split_once(':').unwrap_or(("", xsi_type));
            (
                n.tag_name().name().to_owned(),
                n.lookup_namespace_uri(Some(prefix)).map(str::to_owned),
                local.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            (
                "department".to_owned(),
                Some(xsd.to_owned()),
                "string".to_owned()
            ),
            ("limit".to_owned(), Some(xsd.to_owned()), "int".to_owned()),
        ]
    );
}

#[test]
fn one_name_for_element_type_message_and_operation() {
    use fixtures::tricky_names::echo::{Echo, SendPdu, ENDPOINTS};
    assert_eq!(Echo::INFO.name, "Echo");
    assert_eq!(
        type_name::<<Echo as Operation>::Input>(),
        type_name::<fixtures::tricky_names::Echo>()
    );
    assert_eq!(SendPdu::INFO.name, "send-pdu");
    assert_eq!(
        type_name::<<SendPdu as Operation>::Input>(),
        type_name::<fixtures::tricky_names::SmsSubmitPdu>()
    );
    assert_eq!(
        (ENDPOINTS[0].service, ENDPOINTS[0].binding),
        ("Echo", "Echo")
    );
    // The global element with an anonymous type named like a complexType gets a name of its own.
    let element = fixtures::tricky_names::OptionElement { flag: true };
    assert!(element.flag);
}

#[test]
fn imported_wsdl_binds_to_its_port_type() {
    use fixtures::multi_file::orders_binding::{SubmitOrder, ENDPOINTS};
    assert_eq!(
        SubmitOrder::INFO.soap_action,
        "urn:fixture:multi#SubmitOrder"
    );
    assert_eq!(
        type_name::<<SubmitOrder as Operation>::Output>(),
        type_name::<fixtures::multi_file::Confirmation>()
    );
    assert_eq!(ENDPOINTS[0].address, "http://localhost/orders");
}

#[test]
fn vendor_shape_operation_facts() {
    use fixtures::vendor_shape::service::{SubmitMessage, ENDPOINTS};
    let info = SubmitMessage::INFO;
    assert_eq!(
        (info.name, info.binding, info.soap_action),
        ("SubmitMessage", "Service", "")
    );
    assert_eq!(
        info.input.body_element,
        Some(QName::qualified(
            "urn:fixture:vendor:sms.xsd",
            "SubmitMessage"
        ))
    );
    assert_eq!(ENDPOINTS[0].address, "https://sms.example.invalid/service");
}

#[test]
fn generating_twice_gives_the_same_text() {
    let options = wsdl2rust::Options::new("generated.rs");
    for fixture in fixtures::FIXTURES {
        let path = common::fixture(&format!("{fixture}/service.wsdl"));
        let first = wsdl2rust::generate(&path, &options).expect("the fixture generates");
        let second = wsdl2rust::generate(&path, &options).expect("the fixture generates");
        assert!(first == second, "{fixture}: two runs differ");
    }
}

/// An `xsi:type` the schema does not know, on a concrete base, reads as the base (its own
/// fields, the rest skipped) and is written as the base, without the unknown type; naming the
/// base itself is the base too.
#[test]
fn an_unknown_xsi_type_on_a_concrete_base_reads_as_the_base() {
    use fixtures::xsi_type::AnyAnimal;
    let xml = r#"<z:Animal xmlns:z="urn:fixture:xsi-type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:new="urn:example:newer" xsi:type="new:Parrot" id="5"><name>Polly</name><words>12</words></z:Animal>"#;
    let animal: AnyAnimal = soap_runtime::read_document(xml).expect("reads as the base");
    let AnyAnimal::Animal(base) = &animal else {
        panic!("the base: {animal:?}")
    };
    assert_eq!((base.id, base.name.as_str()), (Some(5), "Polly"));
    let written =
        soap_runtime::write_document(QName::qualified("urn:fixture:xsi-type", "Animal"), &animal);
    assert!(!written.contains("type="), "{written}");
    let named = xml.replace("new:Parrot", "z:Animal");
    let animal: AnyAnimal = soap_runtime::read_document(&named).expect("reads");
    assert!(matches!(animal, AnyAnimal::Animal(_)), "{animal:?}");
}

/// An abstract type has no instances of its own: an element of it must name a derived type.
#[test]
fn an_abstract_base_needs_an_xsi_type_naming_a_derived_type() {
    use fixtures::xsi_type::AnyShape;
    for (xml, says) in [
        (
            r#"<Shape xmlns="urn:fixture:xsi-type"><label xmlns="">x</label></Shape>"#,
            "no xsi:type",
        ),
        (
            r#"<Shape xmlns="urn:fixture:xsi-type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xsi:type="Hexagon"><label xmlns="">x</label></Shape>"#,
            "{urn:fixture:xsi-type}Hexagon is not a type derived from it",
        ),
    ] {
        let error = soap_runtime::read_document::<AnyShape>(xml).expect_err("abstract");
        let shown = error.to_string();
        assert!(
            shown.contains("abstract type Shape") && shown.contains(says),
            "{shown}"
        );
    }
}

/// A derived type is written with its `xsi:type`, in the namespace it is defined in, with a
/// prefix declared for it; a fault detail keeps its derived type through an envelope.
#[test]
fn derived_types_are_written_with_their_type_even_in_a_fault() {
    use fixtures::xsi_type::zoo_binding::{Visit, VisitFault};
    use fixtures::xsi_type::{AnyAnimal, AnyFault, Cat, NotFound};
    use soap_runtime::envelope::{read_response, write_fault, EnvelopeError, Fault};
    let cat = AnyAnimal::Cat(Box::new(Cat {
        name: "Tom".into(),
        lives: 9,
        indoor: None,
        id: None,
    }));
    let written =
        soap_runtime::write_document(QName::qualified("urn:fixture:xsi-type", "Animal"), &cat);
    let doc = roxmltree::Document::parse(&written).expect("well-formed");
    let root = doc.root_element();
    let xsi_type = root
        .attribute(("http://www.w3.org/2001/XMLSchema-instance", "type"))
        .expect("an xsi:type");
    let (prefix, local) = xsi_type.split_once(':').expect("a prefixed name");
    assert_eq!(
        (root.lookup_namespace_uri(Some(prefix)), local),
        (Some("urn:fixture:xsi-type:cats"), "Cat"),
        "{written}"
    );
    let fault = Fault::server("no such animal").with_detail(VisitFault::Failed(
        AnyFault::NotFound(Box::new(NotFound {
            message: "gone".into(),
            key: "rex".into(),
        })),
    ));
    let envelope = write_fault(soap_runtime::SoapVersion::Soap11, &fault);
    let Err(EnvelopeError::Fault(read)) = read_response::<Visit>(&envelope) else {
        panic!("a fault: {envelope}")
    };
    assert_eq!(read.detail, fault.detail, "{envelope}");
}

/// `xsi:nil` may be written `1`; a nillable element read as nil is written back as nil.
#[test]
fn nil_is_true_or_one() {
    let xml = r#"<n:Person xmlns:n="urn:fixture:nillable" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <name>x</name><born xsi:nil="1"/><phone xsi:nil="1"/></n:Person>"#;
    let person: fixtures::nillable::Person = soap_runtime::read_document(xml).expect("reads");
    assert!(person.born.is_nil() && person.phone.is_none());
    let written =
        soap_runtime::write_document(QName::qualified("urn:fixture:nillable", "Person"), &person);
    assert_eq!(written.matches("xsi:nil=\"true\"").count(), 2, "{written}");
}

/// A required group that is missing is an error naming the element it begins with; a
/// choice's alternative that is missing its required elements is one too.
#[test]
fn missing_groups_are_errors_naming_an_element() {
    let xml = r#"<t:Timetable xmlns:t="urn:fixture:repeats"><line>X</line></t:Timetable>"#;
    let error = soap_runtime::read_document::<fixtures::repeated_groups::Timetable>(xml)
        .expect_err("the train-or-bus choice is required");
    assert!(error.to_string().contains("<train>"), "{error}");
    let xml = r#"<t:Timetable xmlns:t="urn:fixture:repeats"><line>X</line><from>A</from><train>1</train><car>C</car></t:Timetable>"#;
    let error = soap_runtime::read_document::<fixtures::repeated_groups::Timetable>(xml)
        .expect_err("a leg needs its to");
    assert!(error.to_string().contains("<to>"), "{error}");
}
