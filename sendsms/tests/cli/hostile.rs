//! Hostile answers and requests given to the `sendsms` binary, one child process each under a
//! memory limit and a deadline (see `tests/support/bounded.rs`): a client whose gateway
//! answers a reference bomb, a hundred thousand nested elements or a 100 MB body, and the
//! simulator and the receipt receiver posted 100 MB. Each ends with a clear error (or
//! serves on), never a crash, a hang or an exhausted memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::bounded::{bounded, finish, run_bounded, Finished};
use crate::common::BIN;

const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// A loopback HTTP server on a thread of its own that answers every request with `body`;
/// it lives as long as the test binary (its thread blocks in `accept`).
fn answering(body: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().unwrap();
    let body = std::sync::Arc::new(body);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let body = std::sync::Arc::clone(&body);
            std::thread::spawn(move || answer(stream, &body));
        }
    });
    addr
}

/// Reads one request (head and body) and answers `body`. Write errors are the client
/// hanging up on an answer it will not read whole, which is what some tests want.
fn answer(stream: TcpStream, body: &[u8]) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut request = vec![0; length];
    if reader.read_exact(&mut request).is_err() {
        return;
    }
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// `sendsms` with a clean environment and a short timeout.
fn sendsms(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    // The developer's own settings must not leak into a test.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SENDSMS_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command.args(["--timeout", "10"]).args(args);
    command
}

/// A Connection Software send to two numbers through a gateway answering `body`.
fn send_via(body: Vec<u8>) -> Finished {
    let url = format!("http://{}/sendsms5", answering(body));
    run_bounded(&sendsms(&[
        "--primary",
        &url,
        "--username",
        "demo",
        "--pin",
        "demo1234",
        "send",
        "--to",
        "447700900001,447700900002",
        "--text",
        "hi",
    ]))
}

/// A Clickatell send through a gateway answering `body` (to the login as to anything).
fn clickatell_via(body: Vec<u8>) -> Finished {
    let url = format!("http://{}/soap/webservice.php", answering(body));
    run_bounded(&sendsms(&[
        "--vendor",
        "clickatell",
        "--primary",
        &url,
        "--api-id",
        "3210987",
        "--username",
        "demo",
        "--password",
        "demo1234",
        "send",
        "--to",
        "447700900001",
        "--text",
        "hi",
    ]))
}

/// A SOAP 1.1 envelope around `body`.
fn envelope(body: &str) -> Vec<u8> {
    format!(r#"<E:Envelope xmlns:E="{SOAP_NS}"><E:Body>{body}</E:Body></E:Envelope>"#).into_bytes()
}

/// A `SubmitMessageResponse` with these lists.
fn submit_response(ids: &str, report: &str, text: &str) -> String {
    format!(
        r#"<ns2:SubmitMessageResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><MessageIdentifier>{ids}</MessageIdentifier><Report>{report}</Report><Text>{text}</Text></ns2:SubmitMessageResponse>"#
    )
}

/// Asserts a clean failure: a non-zero exit status with `message` on stderr, and no
/// outcome printed as if the gateway had said something it did not.
fn failed_with(finished: &Finished, message: &str) {
    assert_ne!(finished.code(), 0, "{}{}", finished.stdout, finished.stderr);
    assert!(
        finished.stderr.contains(message),
        "expected {message:?} in {}",
        finished.stderr
    );
}

#[test]
fn a_multi_reference_bomb_is_a_clear_error() {
    // The 150-byte answer that once aborted the client after 18 s at 6.7 GB.
    let bomb = envelope(r##"<m id="a"><i href="#a"/><i href="#a"/><i href="#a"/></m>"##);
    let finished = clickatell_via(bomb);
    failed_with(&finished, "the references form a cycle");
}

#[test]
fn self_and_mutual_references_are_clear_errors() {
    let own = envelope(r##"<r><x href="#a"/></r><m id="a"><y href="#a"/></m>"##);
    failed_with(&clickatell_via(own), "cycle");
    let mutual = envelope(
        r##"<r><x href="#a"/></r><m id="a"><y href="#b"/></m><m id="b"><y href="#a"/></m>"##,
    );
    failed_with(&clickatell_via(mutual), "cycle");
}

#[test]
fn a_doubling_chain_of_references_is_refused_by_size() {
    let mut body = String::from(r##"<r><x href="#t0"/></r>"##);
    for level in 0..60 {
        let next = level + 1;
        body.push_str(&format!(
            r##"<m id="t{level}"><i href="#t{next}"/><i href="#t{next}"/></m>"##
        ));
    }
    body.push_str(r#"<m id="t60">x</m>"#);
    failed_with(
        &clickatell_via(envelope(&body)),
        "more than 4 times its size",
    );
}

#[test]
fn an_entity_bomb_is_refused_as_a_dtd() {
    let mut dtd = String::from("<!ENTITY l0 \"lol\">");
    for level in 1..10 {
        let previous = format!("&l{};", level - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY l{level} \"{previous}\">"));
    }
    let mut bomb = format!("<!DOCTYPE E:Envelope [{dtd}]>").into_bytes();
    bomb.extend(envelope(&submit_response("&l9;", "1", "x")));
    failed_with(&send_via(bomb), "may not have a DTD");
}

/// Readers recurse once per level of the elements they know (none of this WSDL's types nests
/// in itself, and the runtime stops any that does at 256 levels); an element they do not know
/// is skipped without recursion, however deep.
#[test]
fn an_answer_nested_a_hundred_thousand_deep_is_refused_or_skipped() {
    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    let inside_text = submit_response("A1,A2", "-2,-2", &deep);
    failed_with(
        &send_via(envelope(&inside_text)),
        "<Text> should hold text, but contains <a>",
    );
    let unknown = submit_response("A1,A2", "-2,-2", "ok,ok").replacen(
        "<MessageIdentifier>",
        &format!("{deep}<MessageIdentifier>"),
        1,
    );
    let finished = send_via(envelope(&unknown));
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
    assert_eq!(finished.stdout.lines().count(), 2, "{}", finished.stdout);
}

#[test]
fn a_ten_megabyte_attribute_is_read_within_bounds() {
    // Report -2: accepted and queued.
    let body = submit_response("A1,A2", "-2,-2", "ok,ok").replacen(
        "<MessageIdentifier>",
        &format!("<Pad x=\"{}\"/><MessageIdentifier>", "p".repeat(10 << 20)),
        1,
    );
    let finished = send_via(envelope(&body));
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
    assert_eq!(finished.stdout.lines().count(), 2, "{}", finished.stdout);
}

#[test]
fn an_answer_that_is_not_utf8_is_a_clear_error() {
    let mut answer = envelope(&submit_response("A1,A2", "-2,-2", "ok,ok"));
    let at = answer.iter().position(|&b| b == b'o').unwrap();
    answer[at] = 0xFF;
    failed_with(&send_via(answer), "the body is not UTF-8");
}

#[test]
fn a_million_commas_are_a_mismatch_not_a_million_outcomes() {
    let commas = ",".repeat(1_000_000);
    let finished = send_via(envelope(&submit_response(&commas, &commas, &commas)));
    failed_with(&finished, "report codes");
}

#[test]
fn a_hundred_megabyte_answer_is_cut_at_the_answer_limit() {
    let mut answer = envelope(&submit_response("A1,A2", "-2,-2", "ok,ok"));
    answer.extend(std::iter::repeat_n(b' ', 100 << 20));
    failed_with(
        &send_via(answer),
        "the answer is larger than 16777216 bytes",
    );
}

/// Starts `args` (a server printing its URL on `stream`'s first lines), bounded, and returns
/// the child and the URL.
fn serve(args: &[&str], url_on_stderr: bool) -> (std::process::Child, String) {
    let mut child = bounded(&sendsms(args))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let pipe: Box<dyn Read + Send> = if url_on_stderr {
        Box::new(child.stderr.take().unwrap())
    } else {
        Box::new(child.stdout.take().unwrap())
    };
    let mut lines = BufReader::new(pipe).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the server prints its URL")
            .expect("a line");
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.to_owned();
        }
    };
    // The rest of the pipe is drained so the server never blocks writing to it.
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// POSTs `chunk` `times` over to `url` and returns the status line, if the server answered
/// one before hanging up.
fn post(url: &str, chunk: &[u8], times: usize) -> Option<String> {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let mut stream = TcpStream::connect(authority).expect("the server listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /{path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: text/xml\r\nSOAPAction: \"\"\r\nContent-Length: {}\r\n\r\n",
        chunk.len() * times
    );
    stream.write_all(head.as_bytes()).unwrap();
    for _ in 0..times {
        if stream.write_all(chunk).is_err() {
            break; // the server stopped reading: what a limit does
        }
    }
    let mut answer = String::new();
    let _ = BufReader::new(stream).read_line(&mut answer);
    (!answer.is_empty()).then_some(answer)
}

/// 100 MB of `<`.
fn post_huge(url: &str) -> Option<String> {
    post(url, &[b'<'; 1 << 20], 100)
}

/// A POST the server must still answer normally after a hostile one.
fn still_serves(url: &str) -> String {
    post(url, b"", 1).expect("the server still answers")
}

/// Ctrl-C for the server, and what it left: it must stop cleanly, having used no more memory
/// than its limit allowed.
fn stop(child: std::process::Child) -> Finished {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    finish(child)
}

/// Posts 100 MB to the server `args` starts: it must refuse (or hang up), then serve on, and
/// stop cleanly on Ctrl-C within its memory limit.
fn refuses_a_hundred_megabytes_and_serves_on(args: &[&str], url_on_stderr: bool) {
    let (child, url) = serve(args, url_on_stderr);
    if let Some(answer) = post_huge(&url) {
        assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    }
    assert!(still_serves(&url).starts_with("HTTP/1.1"));
    let finished = stop(child);
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
}

#[test]
fn the_simulator_refuses_a_hundred_megabyte_post_and_serves_on() {
    refuses_a_hundred_megabytes_and_serves_on(&["simulate", "--bind", "127.0.0.1:0"], false);
}

#[test]
fn the_receiver_refuses_a_hundred_megabyte_post_and_serves_on() {
    refuses_a_hundred_megabytes_and_serves_on(
        &["receipts", "serve", "--bind", "127.0.0.1:0"],
        true,
    );
}

/// The Clickatell simulator reads encoded requests, multi-references and all: the bomb that
/// aborted the client is a fault answer for it.
#[test]
fn the_simulator_answers_a_multi_reference_bomb_with_a_fault() {
    let (child, banner_url) = serve(&["simulate", "--bind", "127.0.0.1:0"], false);
    let authority = banner_url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    let url = format!("http://{authority}/soap/webservice.php");
    let bomb = envelope(r##"<m id="a"><i href="#a"/><i href="#a"/><i href="#a"/></m>"##);
    let answer = post(&url, &bomb, 1).expect("an answer");
    assert!(
        answer.starts_with("HTTP/1.1 500") || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
    assert!(still_serves(&url).starts_with("HTTP/1.1"));
    let finished = stop(child);
    assert_eq!(finished.code(), 0, "{}", finished.stderr);
}

/// An address-book send names no recipients, so only the cap bounds what its answer becomes:
/// 8 million codes in a 16 MB answer are refused, not turned into 600 MB of outcomes.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn an_address_book_send_refuses_millions_of_outcomes() {
    use generated_client::csoft::{Client, Credentials, Message, MAX_OUTCOMES_WITHOUT_NUMBERS};
    let codes = "0,".repeat(8_000_000);
    let codes = codes.trim_end_matches(',');
    let url = format!(
        "http://{}/sendsms5",
        answering(envelope(&submit_response("", codes, "")))
    );
    let client = Client::builder(Credentials::new("demo", "demo1234").unwrap())
        .endpoints(vec![url])
        .build()
        .unwrap();
    let message = Message::text("hi", Vec::<String>::new()).address_book("Friends", None);
    let error = client.send(&message).await.unwrap_err().to_string();
    assert!(
        error.contains(&format!(
            "answered more than {MAX_OUTCOMES_WITHOUT_NUMBERS} outcomes for one request"
        )),
        "{error}"
    );
}
