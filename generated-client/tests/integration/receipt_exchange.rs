//! A delivery receipt receiver's HTTP exchange at the byte level, shared by the tests of the
//! receiver in process (`receipts.rs`) and those of `sendsms receipts serve`
//! (`sendsms/tests/cli/receipts.rs`, which includes this file): raw requests, even malformed
//! ones, on a connection of their own, and the answers read whole.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use generated_client::generated::deliveryreceipt::delivery_receipt::SubmitDeliveryReceipt;
use soap_runtime::envelope::read_response;

/// A status and a body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// Sends raw bytes on a new connection and reads the answer to the end (the server closes an
/// HTTP/1.0 connection, and one the request asks to close).
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // A server may answer before reading all of a body it refuses, and close: the rest of the
    // request is then not wanted.
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
            Err(error) if !raw.is_empty() => {
                // A reset after the answer came: the answer is whole if its length says so.
                eprintln!("read ended with {error}");
                break;
            }
            Err(error) => panic!("no answer: {error}"),
        }
    }
    let text = String::from_utf8(raw).expect("a UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("headers and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    Answer {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

/// What a SubmitDeliveryReceiptResponse says: MessageIdentifier, Report, Text.
pub fn answered(answer: &Answer) -> (String, i32, Option<String>) {
    assert_eq!(answer.status, 200, "{answer:?}");
    let response = read_response::<SubmitDeliveryReceipt>(&answer.body)
        .unwrap_or_else(|e| panic!("not a SubmitDeliveryReceiptResponse ({e}): {}", answer.body))
        .body;
    (
        response.message_identifier.get().clone(),
        *response.report.get(),
        response.text.into_value().map(|t| t.get().clone()),
    )
}
