//! Client hot paths: writing a SubmitMessage envelope, and reading a SubmitMessageResponse
//! into per-recipient outcomes, for 1 and 350 recipients (the most per request).
//!
//! Run with `cargo bench -p generated-client --bench client`.

use generated_client::generated::sendsms5::service;
use generated_client::{Client, Credentials, Message, SendReport};
use soap_runtime::envelope::{read_response, write_request};
use soap_runtime::NoHeaders;

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [1, 350];

fn numbers(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("4477009{i:05}")).collect()
}

/// A response as the gateway writes it: identifiers, codes and texts, one per recipient.
fn response_envelope(count: usize) -> String {
    let list = |item: &dyn Fn(usize) -> String| (0..count).map(item).collect::<Vec<_>>().join(",");
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" "#,
            r#"xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance" xmlns:xsd="http://www.w3.org/1999/XMLSchema" "#,
            r#"xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><SOAP-ENV:Body><ns2:SubmitMessageResponse>"#,
            r#"<MessageIdentifier xsi:type="xsd:string">{}</MessageIdentifier><Report xsi:type="xsd:int">{}</Report>"#,
            r#"<Text xsi:type="xsd:string">{}</Text><Reserved><Field1/></Reserved></ns2:SubmitMessageResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        ),
        list(&|i| format!("{:08X}", 0x302B_461B + i)),
        list(&|_| "-2".to_owned()),
        list(&|_| "Accepted by csoft: queued".to_owned()),
    )
}

#[divan::bench(args = SIZES)]
fn encode_submit_message(bencher: divan::Bencher, count: usize) {
    let client = Client::builder(Credentials::new("ANOther.61234", "123456").unwrap())
        .build()
        .unwrap();
    let to = numbers(count);
    let message = Message::text(
        "Your appointment is at 10:30 tomorrow. Reply STOP to opt out.",
        to.clone(),
    );
    let request = client.submit_request(&message, &to, None);
    bencher.bench_local(|| {
        write_request::<service::SubmitMessage>(divan::black_box(&request), &NoHeaders)
    });
}

#[divan::bench(args = SIZES)]
fn decode_submit_message_response(bencher: divan::Bencher, count: usize) {
    let xml = response_envelope(count);
    let to = numbers(count);
    bencher.bench_local(|| {
        let response = read_response::<service::SubmitMessage>(divan::black_box(&xml)).unwrap();
        let mut report = SendReport::default();
        report.push(Some(&to), &response.body).unwrap();
        report
    });
}

#[divan::bench(args = SIZES)]
fn tmp_read_only(bencher: divan::Bencher, count: usize) {
    let xml = response_envelope(count);
    bencher
        .bench_local(|| read_response::<service::SubmitMessage>(divan::black_box(&xml)).unwrap());
}

#[divan::bench(args = SIZES)]
fn tmp_push_only(bencher: divan::Bencher, count: usize) {
    let xml = response_envelope(count);
    let to = numbers(count);
    let response = read_response::<service::SubmitMessage>(&xml).unwrap();
    bencher.bench_local(|| {
        let mut report = SendReport::default();
        report
            .push(Some(&to), divan::black_box(&response.body))
            .unwrap();
        report
    });
}
