//! The generated sendsms5 types against the vendor's documented messages: requests written by
//! them are valid by the schema, and the documented responses read back into typed values.

use generated_client::generated::sendsms5::{
    DeliveryOption, Message, Recipient, SendOptions, SendOptionsSendTimeDelay, SubmitMessage,
    SubmitMessagePin, SubmitMessageResponse, SubmitMessageUsername,
};
use soap_runtime::{read_document, write_document, Nillable, QName};

const NS: &str = "http://www.csoft.co.uk/dtd/sendsms5.xsd";

/// The success response body of the "Sending SMS" document (1999 schema namespaces,
/// `xsi:type` on every element, a `Reserved` block to ignore).
const SUCCESS: &str = r#"<ns2:SubmitMessageResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"
    xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance" xmlns:xsd="http://www.w3.org/1999/XMLSchema"
    xsi:type="ns2:SubmitMessageResponse">
<MessageIdentifier xsi:type="xsd:string">302B461B,302B461C</MessageIdentifier>
<Report xsi:type="xsd:int">99,99</Report>
<Text xsi:type="xsd:string">Test message succeeded,Test message succeeded</Text>
<Reserved xsi:type="ns2:Reserved">
<Field1 xsi:type="xsd:string"></Field1>
</Reserved></ns2:SubmitMessageResponse>"#;

fn request() -> SubmitMessage {
    SubmitMessage {
        username: Nillable::Value(SubmitMessageUsername::new("Another.12345").unwrap()),
        pin: Nillable::Value(SubmitMessagePin::new("123456").unwrap()),
        recipient: Nillable::Value(Recipient {
            send_to: Nillable::Value("447700912345,447700911223".into()),
            send_options: Nillable::Value(SendOptions {
                send_time_delay: Nillable::Value(SendOptionsSendTimeDelay::new(5u16).unwrap()),
                delivery_option: Some(DeliveryOption::Economy),
                ..Default::default()
            }),
            ..Default::default()
        }),
        message: Nillable::Value(Message {
            text_message: Nillable::Value("test message & <more>".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn the_documented_success_response_reads_into_typed_fields() {
    let response: SubmitMessageResponse = read_document(SUCCESS).unwrap();
    assert_eq!(response.message_identifier, "302B461B,302B461C");
    assert_eq!(response.report, "99,99");
    assert_eq!(
        response.text.as_deref(),
        Nillable::Value("Test message succeeded,Test message succeeded")
    );
    assert!(response.reserved.is_some());
}

#[test]
fn a_response_without_a_required_element_is_an_error_naming_it() {
    let missing = SUCCESS.replace("<Report xsi:type=\"xsd:int\">99,99</Report>", "");
    let error = read_document::<SubmitMessageResponse>(&missing).unwrap_err();
    assert!(error.to_string().contains("<Report>"), "{error}");
}

#[test]
fn a_request_round_trips() {
    let xml = write_document(QName::qualified(NS, "SubmitMessage"), &request());
    assert!(xml.starts_with(
        "<ns1:SubmitMessage xmlns:ns1=\"http://www.csoft.co.uk/dtd/sendsms5.xsd\"><Username>"
    ));
    assert!(
        xml.contains("<TextMessage>test message &amp; &lt;more&gt;</TextMessage>"),
        "{xml}"
    );
    let back: SubmitMessage = read_document(&xml).unwrap();
    assert_eq!(back, request());
}

#[test]
fn facets_from_the_documents_are_checked_when_values_are_built() {
    assert!(SubmitMessageUsername::new("x".repeat(20)).is_ok());
    let error = SubmitMessageUsername::new("x".repeat(21)).unwrap_err();
    assert_eq!((error.facet, error.value.as_str()), ("maxLength", "21"));
    assert!(SendOptionsSendTimeDelay::new(0u16).is_err());
    assert!(SendOptionsSendTimeDelay::new(10080u16).is_ok());
    assert!(SendOptionsSendTimeDelay::new(10081u16).is_err());
}

/// Every kind of request envelope the client writes is valid, its body by
/// `wsdl/sendsms5.xsd`, checked by an independent validator (xmllint, which `.ci/run` installs):
/// messages as `Client::submit_request` builds them, with each option, and every account query.
#[test]
fn every_request_body_the_client_writes_is_valid_by_the_schema() {
    use generated_client::csoft::{self, Client, Credentials, Delivery};
    use generated_client::generated::sendsms5::{self as wire, service};
    use soap_runtime::envelope::write_request;
    use soap_runtime::NoHeaders;

    let Ok(status) = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint is required in CI"
        );
        eprintln!("xmllint is not installed: skipping schema validation");
        return;
    };
    assert!(status.status.success());

    let client = Client::builder(Credentials::new("ANOther.61234", "123456").unwrap())
        .build()
        .unwrap();
    let numbers: Vec<String> = (0..350).map(|i| format!("4477009{i:05}")).collect();
    let text = "Hello & <welcome>";
    let base = csoft::Message::text(text, numbers.clone());
    let messages = [
        base.clone(),
        csoft::Message::flash("Flash!", ["447700912345"]),
        base.clone()
            .delay_minutes(10080)
            .delivery(Delivery::Economy)
            .reply_to("csoft.co.uk"),
        base.clone()
            .send_at(chrono::Utc::now() + chrono::TimeDelta::hours(2)),
        csoft::Message::text(text, Vec::<String>::new())
            .address_book("Friends", Some("Close".into())),
    ];
    let mut envelopes = Vec::new();
    for message in &messages {
        let request = client.submit_request(message, message.message().numbers(), message.book());
        envelopes.push(write_request::<service::SubmitMessage>(
            &request, &NoHeaders,
        ));
    }
    // The account queries carry the credentials only, as the client builds them.
    let (user, pin) = ("ANOther.61234", "123456");
    envelopes.push(write_request::<service::AvailableCredit>(
        &wire::AvailableCredit {
            username: Nillable::absent_if_none(wire::AvailableCreditUsername::new(user).ok()),
            pin: Nillable::absent_if_none(wire::AvailableCreditPin::new(pin).ok()),
        },
        &NoHeaders,
    ));
    envelopes.push(write_request::<service::AvailableMessages>(
        &wire::AvailableMessages {
            username: Nillable::absent_if_none(wire::AvailableMessagesUsername::new(user).ok()),
            pin: Nillable::absent_if_none(wire::AvailableMessagesPin::new(pin).ok()),
        },
        &NoHeaders,
    ));
    envelopes.push(write_request::<service::PermittedReplyTo>(
        &wire::PermittedReplyTo {
            username: Nillable::absent_if_none(wire::PermittedReplyToUsername::new(user).ok()),
            pin: Nillable::absent_if_none(wire::PermittedReplyToPin::new(pin).ok()),
        },
        &NoHeaders,
    ));
    envelopes.push(write_request::<service::CollectMessages>(
        &wire::CollectMessages {
            username: Nillable::Value(user.into()),
            pin: Nillable::Value(pin.into()),
        },
        &NoHeaders,
    ));
    envelopes.push(write_request::<service::MobileMessengerVersion>(
        &wire::MobileMessengerVersion {},
        &NoHeaders,
    ));
    envelopes.push(write_request::<service::QueryAddressBook>(
        &wire::QueryAddressBook {
            username: user.into(),
            pin: pin.into(),
            address_book_name: Nillable::Value("Friends".into()),
            address_book_group_name: Nillable::Absent,
        },
        &NoHeaders,
    ));

    let dir = std::env::temp_dir().join(format!("sendsms5-xsd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The whole envelope is validated: a small SOAP 1.1 envelope schema (written here, with
    // only what a request uses) whose Body holds, strictly, an element of sendsms5.xsd.
    let sendsms5_xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/../wsdl/sendsms5.xsd");
    let envelope_xsd = format!(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="http://schemas.xmlsoap.org/soap/envelope/" elementFormDefault="qualified">
  <xs:import namespace="http://www.csoft.co.uk/dtd/sendsms5.xsd" schemaLocation="file://{sendsms5_xsd}"/>
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Body">
          <xs:complexType>
            <xs:sequence><xs:any namespace="http://www.csoft.co.uk/dtd/sendsms5.xsd" processContents="strict"/></xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>"#
    );
    let schema = dir.join("envelope.xsd");
    std::fs::write(&schema, envelope_xsd).unwrap();
    for (index, envelope) in envelopes.iter().enumerate() {
        let instance = dir.join(format!("request-{index}.xml"));
        std::fs::write(&instance, envelope).unwrap();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(&instance)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "request {index} is not valid:\n{}\n{envelope}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(envelopes.len(), 11);
}

mod envelopes {
    use super::*;
    use generated_client::generated::sendsms5::service;
    use soap_runtime::envelope::{read_response, write_request, EnvelopeError, FaultCode};
    use soap_runtime::NoHeaders;

    /// The whole success response of the "Sending SMS" document, as a server sends it.
    const SUCCESS_ENVELOPE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope
xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"
xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"
xmlns:xsd="http://www.w3.org/1999/XMLSchema"
xmlns:ns1="http://www.csoft.co.uk/dtd/sendsms2.xsd"
xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd">
<SOAP-ENV:Body SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
<ns2:SubmitMessageResponse xsi:type="ns2:SubmitMessageResponse">
<MessageIdentifier xsi:type="xsd:string">302B4645,302B4646</MessageIdentifier>
<Report xsi:type="xsd:int">2,2</Report>
<Text xsi:type="xsd:string">For more detailed
information on this Report number, please visit www.csoft.co.uk</Text>
<Reserved xsi:type="ns2:Reserved"></Reserved>
</ns2:SubmitMessageResponse>
</SOAP-ENV:Body>
</SOAP-ENV:Envelope>"#;

    #[test]
    fn a_request_envelope_has_the_vendor_shape() {
        let xml = write_request::<service::SubmitMessage>(&request(), &NoHeaders);
        assert!(xml.starts_with(concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">"#,
            r#"<soap:Body><ns1:SubmitMessage xmlns:ns1="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Username>Another.12345</Username>"#
        )), "{xml}");
        assert!(
            xml.ends_with("</ns1:SubmitMessage></soap:Body></soap:Envelope>"),
            "{xml}"
        );
    }

    #[test]
    fn the_documented_failure_response_reads_back() {
        let received = read_response::<service::SubmitMessage>(SUCCESS_ENVELOPE).unwrap();
        assert_eq!(received.body.message_identifier, "302B4645,302B4646");
        assert_eq!(received.body.report, "2,2");
        assert_eq!(
            received.body.text.as_deref(),
            Nillable::Value("For more detailed\ninformation on this Report number, please visit www.csoft.co.uk")
        );
    }

    #[test]
    fn a_soap_fault_is_a_typed_error() {
        let fault = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
            <faultcode>s:Server</faultcode><faultstring>Out of order</faultstring>
            <detail><reason>maintenance</reason></detail></s:Fault></s:Body></s:Envelope>"#;
        match read_response::<service::SubmitMessage>(fault) {
            Err(EnvelopeError::Fault(fault)) => {
                assert_eq!(
                    (&fault.code, fault.reason.as_str()),
                    (&FaultCode::Server, "Out of order")
                );
                assert_eq!(fault.raw_detail.len(), 1);
                assert_eq!(fault.raw_detail[0].as_str(), "<reason>maintenance</reason>");
            }
            other => panic!("expected a fault, got {other:?}"),
        }
    }

    #[test]
    fn the_wrong_body_element_is_an_error_not_a_default() {
        let wrong = SUCCESS_ENVELOPE.replace("SubmitMessageResponse", "AvailableCreditResponse");
        let error = read_response::<service::SubmitMessage>(&wrong).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("expected <SubmitMessageResponse>"),
            "{error}"
        );
    }
}
