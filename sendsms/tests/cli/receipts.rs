//! `sendsms receipts serve` on loopback: the vendor's example POST, byte for byte, printed as
//! its JSON line and acknowledged; and the Username and PIN it checks, those of its own command
//! line only. The receiver in process is tested in generated-client's
//! `tests/integration/receipts.rs`.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{self, interrupt, lines, url_in, Running};
use crate::receipt_exchange::{answered, exchange};

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

/// `sendsms receipts serve` on a free loopback port, its address, and its stdout and stderr.
fn serve_cli(
    extra: &[&str],
) -> (
    Running,
    SocketAddr,
    mpsc::Receiver<String>,
    mpsc::Receiver<String>,
) {
    let mut child = common::sendsms(&["receipts", "serve", "--bind", "127.0.0.1:0"])
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
    let child = common::sendsms(&["receipts", "serve", "--bind", "127.0.0.1:0"])
        .env("SENDSMS_USERNAME", "demo")
        .env("SENDSMS_PIN", "demo1234")
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

    let ran = common::sendsms(&[
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
