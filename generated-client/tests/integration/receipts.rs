//! The delivery receipt receiver on loopback: the vendor's example POST, byte for byte, to
//! `sendsms receipts serve` and to a [`Receiver`] in process; 10,000 receipts over 100
//! connections; and bad input, which is answered and never reaches the handler.
#![cfg(feature = "receipts")]

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::{interrupt, lines, url_in, Running, BIN};
use generated_client::generated::deliveryreceipt::delivery_receipt::SubmitDeliveryReceipt;
use generated_client::receipts::{
    DeliveryReceipt, ReceiptCredentials, Receiver, Rejection, RunningReceiver,
};
use generated_client::{ReportClass, ReportCode};
use soap_runtime::envelope::read_response;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// The request line and headers of the vendor's example POST (the real-time delivery receipt
/// document), as printed there: one per line, ending in a line feed.
const EXAMPLE_HEAD: &str = "POST /cgi-bin/deliveryrecript.pl HTTP/1.0\n\
Host: www.another.com:80\n\
Content-Type: text/soap\n\
Content-Length: 909\n";

/// The example's body as printed, up to the (blank but for spaces) line after it. The
/// envelope is 905 bytes; Content-Length says 909, so a server reads 4 of the spaces after it
/// too, which XML allows after the root element.
const EXAMPLE_BODY: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"          \n",
    " xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" \n",
    " xmlns:xsi=\"http://www.w3.org/1999/XMLSchema-instance\" \n",
    " xmlns:xsd=\"http://www.w3.org/1999/XMLSchema\" \n",
    " xmlns:ns1=\"http://www.itsarrived.net/dtd/sendsms2\"\n",
    " xmlns:ns2=\"http://www.itsarrived.net/dtd/sendsms3\">\n",
    "<SOAP-ENV:Body SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">\n",
    "<ns2:SubmitDeliveryReceipt>\n",
    "<Username xsi:type=\"xsd:string\">ANOther.61234</Username>\n",
    "<PIN xsi:type=\"xsd:string\">BLUE.music</PIN>\n",
    "<Timestamp1 xsi:type=\"xsd:dateTime\">2002-08-27T13:38:00Z</Timestamp1>\n",
    "<SentTo xsi:type=\"xsd:string\">447009123456</SentTo>\n",
    "<MessageIdentifier xsi:type=\"xsd:string\">3C7D98A4</MessageIdentifier>\n",
    "<Report xsi:type=\"xsd:int\">0</Report>\n",
    "</ns2:SubmitDeliveryReceipt>\n",
    "</SOAP-ENV:Body>\n",
    "</SOAP-ENV:Envelope>\n",
    "       \n",
);

/// The example POST on the wire. The document prints no empty line between the headers and
/// the body, which HTTP needs: it is the one byte added. Headers end in a bare line feed, as
/// printed, or in CR LF, as HTTP prefers.
fn example_post(crlf: bool) -> Vec<u8> {
    let head = if crlf {
        EXAMPLE_HEAD.replace('\n', "\r\n") + "\r\n"
    } else {
        format!("{EXAMPLE_HEAD}\n")
    };
    [head.as_bytes(), EXAMPLE_BODY.as_bytes()].concat()
}

/// The example's JSON line.
const EXAMPLE_JSON: &str = r#"{"sent_to":"447009123456","timestamp":"2002-08-27T13:38:00Z","message_id":"3C7D98A4","report":0,"class":"delivered"}"#;

/// A status and a body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

/// Sends raw bytes on a new connection and reads the answer to the end (the server closes an
/// HTTP/1.0 connection, and one the request asks to close).
fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
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

/// A POST of `body` with `Connection: close`.
fn post(addr: SocketAddr, content_type: &str, body: &[u8]) -> Answer {
    let head = format!(
        "POST /receipts HTTP/1.1\r\nHost: receipts.example\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    exchange(addr, &[head.as_bytes(), body].concat())
}

/// What a SubmitDeliveryReceiptResponse says: MessageIdentifier, Report, Text.
fn answered(answer: &Answer) -> (String, i32, Option<String>) {
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

/// A SubmitDeliveryReceipt as a newer gateway might write it: SOAP 1.1, 2001 XMLSchema,
/// literal.
fn receipt_xml(namespace: &str, message_id: &str, extra: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <s:Body><r:SubmitDeliveryReceipt xmlns:r=\"{namespace}\">{extra}\
         <SentTo>447700900001</SentTo><Timestamp1>2026-11-21T10:00:00+01:00</Timestamp1>\
         <MessageIdentifier>{message_id}</MessageIdentifier><Report>-3</Report>\
         </r:SubmitDeliveryReceipt></s:Body></s:Envelope>"
    )
}

/// Receipts a handler was given.
#[derive(Clone, Default)]
struct Taken(Arc<Mutex<Vec<DeliveryReceipt>>>);

impl Taken {
    fn all(&self) -> Vec<DeliveryReceipt> {
        self.0.lock().unwrap().clone()
    }
}

/// A receiver on loopback whose handler records every receipt and takes it.
async fn recording(
    configure: impl FnOnce(Receiver<RecordAll>) -> Receiver<RecordAll>,
) -> (RunningReceiver, Taken) {
    let taken = Taken::default();
    let receiver = configure(Receiver::new(RecordAll(taken.clone())));
    let running = receiver
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("binds");
    (running, taken)
}

struct RecordAll(Taken);

impl generated_client::receipts::ReceiptHandler for RecordAll {
    async fn handle(&self, receipt: DeliveryReceipt) -> Result<(), Rejection> {
        self.0 .0.lock().unwrap().push(receipt);
        Ok(())
    }
}

/// `sendsms receipts serve` on a free loopback port, its address, and its stdout and stderr.
fn serve_cli(
    extra: &[&str],
) -> (
    Running,
    SocketAddr,
    mpsc::Receiver<String>,
    mpsc::Receiver<String>,
) {
    let mut child = common::sendsms_without(
        &["SENDSMS_USERNAME", "SENDSMS_PIN", "RUST_LOG"],
        &["receipts", "serve", "--bind", "127.0.0.1:0"],
    )
    .args(extra)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("sendsms receipts serve starts");
    let stdout = lines(child.stdout.take().unwrap());
    let stderr = lines(child.stderr.take().unwrap());
    let banner = stderr
        .recv_timeout(Duration::from_secs(10))
        .expect("a banner");
    let addr = url_in(&banner)
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("an address");
    (Running(child), addr, stdout, stderr)
}

#[test]
fn the_vendor_example_post_byte_for_byte_prints_its_json_line_and_is_acknowledged() {
    let (mut serve, addr, stdout, stderr) = serve_cli(&[]);
    for crlf in [false, true] {
        let answer = exchange(addr, &example_post(crlf));
        assert!(
            answer.headers.contains("content-type: text/xml"),
            "{answer:?}"
        );
        // The answer is in the receipt's namespace, as the document's example answer is.
        assert!(
            answer
                .body
                .contains("SubmitDeliveryReceiptResponse xmlns:ns1=\"http://www.itsarrived.net/dtd/sendsms3\""),
            "{}",
            answer.body
        );
        assert_eq!(answered(&answer), ("3C7D98A4".to_owned(), 0, None));
        let line = stdout
            .recv_timeout(Duration::from_secs(10))
            .expect("a JSON line");
        assert_eq!(line, EXAMPLE_JSON);
    }
    let status = interrupt(&mut serve);
    assert!(status.success(), "{status}");
    let rest: Vec<String> =
        std::iter::from_fn(|| stderr.recv_timeout(Duration::from_secs(5)).ok()).collect();
    assert_eq!(rest, ["Stopped after 2 receipt(s)."]);
}

#[test]
fn the_cli_checks_the_username_and_pin_given_on_its_command_line_only() {
    // The gateway account's settings in the environment are not the receipt server's.
    let mut command = Command::new(BIN);
    let child = command
        .env("SENDSMS_USERNAME", "demo")
        .env("SENDSMS_PIN", "demo1234")
        .args(["receipts", "serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let stderr = lines(child.0.stderr.take().unwrap());
    let banner = stderr.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(!banner.contains("required"), "{banner}");
    drop(child);

    let (_serve, addr, stdout, _stderr) =
        serve_cli(&["--username", "ANOther.61234", "--pin", "wrong.PIN"]);
    let answer = exchange(addr, &example_post(true));
    assert_eq!(
        answered(&answer),
        ("3C7D98A4".to_owned(), 2, Some("Invalid login".to_owned()))
    );
    assert!(stdout.recv_timeout(Duration::from_millis(300)).is_err());
    let (_serve, addr, stdout, _stderr) =
        serve_cli(&["--username", "ANOther.61234", "--pin", "BLUE.music"]);
    assert_eq!(answered(&exchange(addr, &example_post(true))).1, 0);
    assert_eq!(
        stdout.recv_timeout(Duration::from_secs(10)).unwrap(),
        EXAMPLE_JSON
    );

    let ran = Command::new(BIN)
        .args([
            "receipts",
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--username",
            "u",
        ])
        .output()
        .unwrap();
    assert_eq!(ran.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_is_typed_and_answered_in_its_own_namespace() {
    let (receiver, taken) = recording(|r| r).await;
    let addr = receiver.local_addr();
    let sendsms5 = generated_client::receipts::SENDSMS5_NAMESPACE;
    let answer = tokio::task::spawn_blocking(move || {
        post(
            addr,
            "text/xml; charset=utf-8",
            receipt_xml(sendsms5, "302B4600", "").as_bytes(),
        )
    })
    .await
    .unwrap();
    assert!(
        answer.body.contains(&format!("xmlns:ns1=\"{sendsms5}\"")),
        "{}",
        answer.body
    );
    assert_eq!(answered(&answer), ("302B4600".to_owned(), 0, None));
    let receipt = &taken.all()[0];
    assert_eq!(receipt.sent_to, "447700900001");
    assert_eq!(receipt.message_id, "302B4600");
    assert_eq!(receipt.report, ReportCode::Delayed);
    assert_eq!(receipt.class, ReportClass::Accepted);
    // Converted to UTC.
    assert_eq!(receipt.timestamp.to_rfc3339(), "2026-11-21T09:00:00+00:00");
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_the_handler_did_not_take_is_never_answered_0() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let receiver = Receiver::new(move |receipt: DeliveryReceipt| {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            match receipt.message_id.as_str() {
                "CATCHALL" => Err(Rejection::catch_all()),
                "CHOSEN" => {
                    Err(Rejection::code(ReportCode::InvalidNumber).with_text("x".repeat(300)))
                }
                "ZERO" => Err(Rejection::code(ReportCode::Delivered)),
                "PANIC" => panic!("a handler bug (call {call})"),
                _ => Ok(()),
            }
        }
    })
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    .await
    .unwrap();
    let addr = receiver.local_addr();
    let answers = tokio::task::spawn_blocking(move || {
        ["CATCHALL", "CHOSEN", "ZERO", "PANIC", "FINE"].map(|id| {
            answered(&post(
                addr,
                "text/soap",
                receipt_xml("urn:any", id, "").as_bytes(),
            ))
        })
    })
    .await
    .unwrap();
    assert_eq!((answers[0].1, answers[0].2.as_deref()), (-1, None));
    assert_eq!(answers[1].1, 3);
    assert_eq!(answers[1].2.as_ref().map(|t| t.chars().count()), Some(255));
    assert_eq!(answers[2].1, -1, "a rejection with code 0 is answered -1");
    assert_eq!(
        (answers[3].1, answers[3].2.as_deref()),
        (-1, Some("the receipt handler failed"))
    );
    assert_eq!((answers[4].0.as_str(), answers[4].1), ("FINE", 0));
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_answered_and_never_reaches_the_handler() {
    let credentials = ReceiptCredentials::new("ANOther.61234", "BLUE.music").unwrap();
    let (receiver, taken) = recording(|r| r.credentials(credentials).body_limit(4096)).await;
    let addr = receiver.local_addr();
    let shown = format!("{receiver:?}");
    let answers = tokio::task::spawn_blocking(move || {
        let good = receipt_xml(
            "http://www.itsarrived.net/dtd/sendsms3",
            "3C7D98A4",
            "<Username>ANOther.61234</Username><PIN>BLUE.music</PIN>",
        );
        let bomb = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]>\
             <s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
             <SubmitDeliveryReceipt><Username>&lol9;</Username></SubmitDeliveryReceipt>\
             </s:Body></s:Envelope>",
            (1..10)
                .map(|i| format!(
                    "<!ENTITY lol{i} \"{}\">",
                    format!("&lol{};", i - 1)
                        .replace("&lol0;", "&lol;")
                        .repeat(10)
                ))
                .collect::<String>()
        );
        let cases: Vec<(&str, Answer)> = vec![
            ("empty body", post(addr, "text/soap", b"")),
            (
                "truncated XML",
                post(addr, "text/soap", &good.as_bytes()[..good.len() / 2]),
            ),
            (
                "wrong root element",
                post(addr, "text/soap", b"<html><body>hello</body></html>"),
            ),
            (
                "wrong body element",
                post(
                    addr,
                    "text/soap",
                    good.replace("SubmitDeliveryReceipt", "SubmitMessage")
                        .as_bytes(),
                ),
            ),
            (
                "missing MessageIdentifier",
                post(
                    addr,
                    "text/soap",
                    good.replace("<MessageIdentifier>3C7D98A4</MessageIdentifier>", "")
                        .as_bytes(),
                ),
            ),
            (
                "empty MessageIdentifier",
                post(addr, "text/soap", good.replace("3C7D98A4", " ").as_bytes()),
            ),
            (
                "a report that is not a number",
                post(addr, "text/soap", good.replace(">-3<", ">x<").as_bytes()),
            ),
            (
                "entity expansion bomb",
                post(addr, "text/soap", bomb.as_bytes()),
            ),
            ("not UTF-8", post(addr, "text/soap", &[0xff, 0xfe, 0x3c])),
            (
                "body over the limit",
                post(
                    addr,
                    "text/soap",
                    good.replace("<PIN>", &" ".repeat(5000)).as_bytes(),
                ),
            ),
            (
                "wrong content type",
                post(addr, "application/json", good.as_bytes()),
            ),
            (
                "GET",
                exchange(
                    addr,
                    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                ),
            ),
            (
                "wrong PIN",
                post(
                    addr,
                    "text/soap",
                    good.replace("BLUE.music", "BLUE.musiC").as_bytes(),
                ),
            ),
            (
                "no Username and PIN",
                post(
                    addr,
                    "text/soap",
                    good.replace(
                        "<Username>ANOther.61234</Username><PIN>BLUE.music</PIN>",
                        "",
                    )
                    .as_bytes(),
                ),
            ),
        ];
        (cases, good)
    })
    .await
    .unwrap();
    let (cases, fine) = answers;
    for (case, answer) in &cases {
        match *case {
            "wrong PIN" | "no Username and PIN" => {
                assert_eq!(
                    answered(answer),
                    ("3C7D98A4".to_owned(), 2, Some("Invalid login".to_owned())),
                    "{case}"
                );
            }
            _ => {
                let expected = match *case {
                    "body over the limit" => 413,
                    "wrong content type" => 415,
                    "GET" => 405,
                    _ => 500,
                };
                assert_eq!(answer.status, expected, "{case}: {answer:?}");
                assert!(
                    answer.body.contains("<faultcode>soap:Client</faultcode>"),
                    "{case}: a SOAP Fault: {}",
                    answer.body
                );
            }
        }
    }
    let get = &cases.iter().find(|(case, _)| *case == "GET").unwrap().1;
    assert!(get.headers.contains("allow: post"), "{get:?}");
    assert!(taken.all().is_empty(), "{:?}", taken.all());
    // The same receipt, right, is taken after all that.
    let fine = tokio::task::spawn_blocking(move || post(addr, "text/soap", fine.as_bytes()))
        .await
        .unwrap();
    assert_eq!(answered(&fine).1, 0);
    assert_eq!(taken.all().len(), 1);
    assert!(
        !shown.contains("BLUE.music") && !shown.contains("ANOther"),
        "{shown}"
    );
    receiver.shutdown().await;
}

/// One keep-alive HTTP/1.1 connection that posts receipts one after another.
struct Connection {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        stream.set_nodelay(true).unwrap();
        Self {
            stream: tokio::io::BufReader::new(stream),
        }
    }

    /// Posts one receipt and reads its answer's status and body.
    async fn post(&mut self, body: &str) -> (u16, String) {
        let request = format!(
            "POST / HTTP/1.1\r\nHost: receipts\r\nContent-Type: text/soap\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .unwrap();
        let mut line = String::new();
        self.stream.read_line(&mut line).await.unwrap();
        let status = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body).await.unwrap();
        (status, String::from_utf8(body).unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_receipts_over_100_connections_each_reach_the_handler_once() {
    const CONNECTIONS: usize = 100;
    const PER_CONNECTION: usize = 100;
    let seen = Arc::new(Mutex::new(HashMap::<String, u32>::new()));
    let record = Arc::clone(&seen);
    let receiver = Receiver::new(move |receipt: DeliveryReceipt| {
        *record
            .lock()
            .unwrap()
            .entry(receipt.message_id)
            .or_default() += 1;
        async { Ok(()) }
    })
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    .await
    .unwrap();
    let addr = receiver.local_addr();

    // Every connection is open before the clock starts.
    let mut connections = Vec::new();
    for _ in 0..CONNECTIONS {
        connections.push(Connection::open(addr).await);
    }
    let started = Instant::now();
    let tasks: Vec<_> = connections
        .into_iter()
        .enumerate()
        .map(|(c, mut connection)| {
            tokio::spawn(async move {
                let mut wrong = Vec::new();
                for i in 0..PER_CONNECTION {
                    let id = format!("{c:04X}{i:04X}");
                    let (status, body) = connection
                        .post(&receipt_xml(
                            "http://www.itsarrived.net/dtd/sendsms3",
                            &id,
                            "",
                        ))
                        .await;
                    let answer = read_response::<SubmitDeliveryReceipt>(&body).map(|r| r.body);
                    let fine = status == 200
                        && answer.as_ref().is_ok_and(|a| {
                            *a.report.get() == 0 && a.message_identifier.get() == &id
                        });
                    if !fine {
                        wrong.push((id, status, body));
                    }
                }
                wrong
            })
        })
        .collect();
    let mut wrong = Vec::new();
    for task in tasks {
        wrong.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    assert!(
        wrong.is_empty(),
        "{} wrong answers, first: {:?}",
        wrong.len(),
        wrong.first()
    );

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(seen.len(), CONNECTIONS * PER_CONNECTION, "none is lost");
    assert!(
        seen.values().all(|&n| n == 1),
        "each reaches the handler once"
    );
    let total = CONNECTIONS * PER_CONNECTION;
    println!(
        "{total} receipts over {CONNECTIONS} connections in {:.2} s: {:.0} receipts/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    receiver.shutdown().await;
}
