//! Connection Software's HTTP API transport on loopback: against the simulator (outcomes,
//! failover, no retry), and against a bare socket (what goes on the wire, the legacy answer
//! format). `sendsms --api http` is tested with the command, in `sendsms/tests/cli/`.

use std::ops::Deref;
use std::time::Duration;

use generated_client::core::{QueryError, ReportClass, RequestError, ResponseMismatch};
use generated_client::csoft::simulated::{self, Account, Report, HTTP_API_OPERATION};
use generated_client::csoft::{
    http_api, Api, Client, Credentials, ListMismatch, Message, ReportCode,
};
use generated_client::simulator::{Failure, Repeat, RunningSimulator, SimulatorConfig};
use soap_runtime::client::CallError;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::common::{loopback, stopped_at_failure, Servers};

const USER: &str = "ANOther.61234";
const PIN: &str = "s3cretPIN";
const BARRED: &str = "447700900666";

/// The simulated servers, with this module's clients.
struct Gateway(Servers);

impl Deref for Gateway {
    type Target = Servers;

    fn deref(&self) -> &Servers {
        &self.0
    }
}

impl Gateway {
    /// A simulated primary and secondary server sharing one account.
    async fn start() -> Self {
        let mut account = Account::new(USER, PIN);
        account.credit = "100.00".parse().unwrap();
        let mut config = SimulatorConfig::default();
        config.csoft.accounts = vec![account];
        config.csoft.number_reports = [(BARRED.to_owned(), Report::new(8, "Blacklisted"))].into();
        Self(Servers::start(config).await)
    }

    /// A client for the HTTP API of primary then secondary, with short timeouts.
    fn client(&self) -> Client {
        self.client_with(PIN)
    }

    fn client_with(&self, pin: &str) -> Client {
        http_client(
            pin,
            vec![
                self.primary.url(http_api::PATH),
                self.secondary.url(http_api::PATH),
            ],
        )
    }

    fn posts(&self, server: &RunningSimulator) -> u64 {
        server.request_count(HTTP_API_OPERATION)
    }
}

fn http_client(pin: &str, endpoints: Vec<String>) -> Client {
    Client::builder(Credentials::new(USER, pin).unwrap())
        .api(Api::Http)
        .endpoints(endpoints)
        .connect_timeout(Duration::from_millis(500))
        .timeout(Duration::from_secs(2))
        .build()
        .expect("the client builds")
}

#[tokio::test]
async fn outcomes_are_the_same_as_through_soap() {
    let gateway = Gateway::start().await;
    let message = Message::text("Hello, world & all", ["447700900001", BARRED]);
    let report = gateway.client().send(&message).await.expect("answered");
    let soap = Client::builder(Credentials::new(USER, PIN).unwrap())
        .endpoints(vec![gateway.primary.url(simulated::PATH)])
        .build()
        .unwrap()
        .send(&message)
        .await
        .expect("answered");

    let through_http: Vec<_> = report
        .iter()
        .map(|o| (o.recipient, o.report, o.class, o.text))
        .collect();
    let through_soap: Vec<_> = soap
        .iter()
        .map(|o| (o.recipient, o.report, o.class, o.text))
        .collect();
    assert_eq!(through_http, through_soap);
    assert_eq!(
        through_http[..],
        [
            (
                Some("447700900001"),
                ReportCode::Queued,
                ReportClass::Accepted,
                "Accepted: message queued"
            ),
            (
                Some(BARRED),
                ReportCode::Blacklisted,
                ReportClass::Rejected,
                "Blacklisted"
            ),
        ]
    );
    // The identifiers are the ones the gateway gave, decoded, and the text arrived whole.
    let submissions = gateway.csoft().submissions(None);
    assert_eq!(submissions[0].text.as_deref(), Some("Hello, world & all"));
    let ids: Vec<&str> = submissions[0]
        .recipients
        .iter()
        .map(|r| r.message_identifier.as_str())
        .collect();
    assert_eq!(report.iter().map(|o| o.message_id).collect::<Vec<_>>(), ids);
    assert_eq!(gateway.posts(&gateway.primary), 1);
    assert_eq!(
        gateway.primary.request_count("SubmitMessage"),
        1,
        "the SOAP one"
    );
}

#[tokio::test]
async fn a_thousand_recipients_take_three_posts_with_outcomes_in_order() {
    let gateway = Gateway::start().await;
    let to: Vec<String> = (0..1000)
        .map(|i| format!("4477009{:05}", 10_000 + i))
        .collect();
    let report = gateway
        .client()
        .send(&Message::text("bulk", to.clone()))
        .await
        .expect("sent");
    assert_eq!(report.len(), 1000);
    assert_eq!(report.requests(), 3);
    assert!(report.all_accepted());
    assert_eq!(gateway.posts(&gateway.primary), 3);
    for (outcome, number) in report.iter().zip(&to) {
        assert_eq!(outcome.recipient, Some(number.as_str()));
    }
    assert!(to.iter().all(|n| gateway.csoft().deliveries_to(n) == 1));
}

/// A one-request HTTP server on loopback: hands back the raw request it got, answering
/// `answer` with HTTP 200.
async fn capture(answer: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let url = format!(
        "http://{}/webservices/http/sendsms",
        listener.local_addr().unwrap()
    );
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut stream = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            stream.read_line(&mut line).await.unwrap();
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).await.unwrap();
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html;\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
        stream
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .unwrap();
        head + &String::from_utf8(body).expect("a form is ASCII")
    });
    (url, task)
}

#[tokio::test]
async fn a_hebrew_alef_goes_on_the_wire_as_one_escape_per_octet() {
    let (url, request) = capture("MessageIdentifier=30106CCE&Report=%2D2&Text=Accepted").await;
    let report = http_client(PIN, vec![url])
        .send(&Message::text("\u{5D0}", ["447700912345"]))
        .await
        .expect("answered");
    let request = request.await.unwrap();
    let (head, body) = request.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("POST /webservices/http/sendsms HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/x-www-form-urlencoded; charset=\"utf-8\""),
        "{head}"
    );
    assert_eq!(
        body,
        "Username=ANOther.61234&PIN=s3cretPIN&SendTo=447700912345&Message=%D7%90&ResponseFormat=3"
    );
    let outcome = report.get(0).unwrap();
    assert_eq!(
        (outcome.message_id, outcome.report),
        ("30106CCE", ReportCode::Queued)
    );

    // And the simulator decodes it back to the Alef.
    let gateway = Gateway::start().await;
    gateway
        .client()
        .send(&Message::text("\u{5D0}", ["447700912345"]))
        .await
        .unwrap();
    assert_eq!(
        gateway.csoft().submissions(None)[0].text.as_deref(),
        Some("\u{5D0}")
    );
}

#[tokio::test]
async fn the_documented_answer_formats_become_outcomes() {
    // ResponseFormat=3, as the document shows it, for two recipients.
    let (url, _) = capture(
        "MessageIdentifier=30106CCE,30106CCF&Report=%2D2,15&Text=Accepted%20by%20csoft%3A%20queued,Out%20of%20credit",
    )
    .await;
    let report = http_client(PIN, vec![url])
        .send(&Message::text("hi", ["447700912345", "447700911223"]))
        .await
        .expect("answered");
    let outcomes: Vec<_> = report
        .iter()
        .map(|o| (o.message_id, o.report, o.text))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("30106CCE", ReportCode::Queued, "Accepted by csoft: queued"),
            ("30106CCF", ReportCode::OutOfCredit, "Out of credit"),
        ]
    );

    // ResponseFormat=1: one value for the request.
    let (url, _) = capture("MessageIdentifier=30106CCE&Report=2&Text=Invalid%20Login").await;
    let report = http_client(PIN, vec![url])
        .send(&Message::text("hi", ["447700912345"]))
        .await
        .expect("answered");
    let outcome = report.get(0).unwrap();
    assert_eq!(
        (outcome.message_id, outcome.report, outcome.text),
        ("30106CCE", ReportCode::InvalidLogin, "Invalid Login")
    );

    // ResponseFormat=0: a legacy code for the whole request, which says nothing per
    // recipient: outcome unknown, not resent.
    let (url, _) = capture("171 - Invalid login").await;
    let stopped = stopped_at_failure(
        http_client(PIN, vec![url])
            .send(&Message::text("hi", ["447700912345"]))
            .await,
    );
    match &stopped.failed.error {
        RequestError::Mismatch(ResponseMismatch::Vendor(error)) => {
            match error.downcast_ref::<ListMismatch>() {
                Some(ListMismatch::Legacy { code, text }) => {
                    assert_eq!((*code, text.as_str()), (171, "Invalid login"));
                }
                other => panic!("expected the legacy answer, got {other:?}"),
            }
        }
        other => panic!("expected the legacy answer, got {other:?}"),
    }
    assert!(stopped.failed.error.may_have_been_received());
    assert_eq!(stopped.failed.recipients, ["447700912345"]);
}

#[tokio::test]
async fn a_primary_refusing_connections_sends_the_one_post_to_the_secondary() {
    let gateway = Gateway::start().await;
    gateway.primary.refuse_connections().await.unwrap();
    let report = gateway
        .client()
        .send(&Message::text("hello", ["447700900001"]))
        .await
        .expect("sent through the secondary");
    assert!(report.all_accepted());
    assert_eq!(gateway.primary.connections_accepted(), 0);
    assert_eq!(gateway.posts(&gateway.secondary), 1);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn both_endpoints_unreachable_sends_nothing() {
    let gateway = Gateway::start().await;
    gateway.primary.refuse_connections().await.unwrap();
    gateway.secondary.refuse_connections().await.unwrap();
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    match stopped.failed.error {
        RequestError::Call(CallError::Unreachable { attempts }) => {
            assert_eq!(attempts.len(), 2);
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert_eq!(stopped.failed.recipients, ["447700900001"]);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 0);
}

#[tokio::test]
async fn a_dropped_connection_is_outcome_unknown_and_never_resent() {
    let gateway = Gateway::start().await;
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    assert!(
        matches!(
            &stopped.failed.error,
            RequestError::Call(CallError::OutcomeUnknown { endpoint, .. })
                if *endpoint == gateway.primary.url(http_api::PATH)
        ),
        "{stopped:?}"
    );
    assert_eq!(gateway.posts(&gateway.primary), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.secondary.connections_accepted(), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn no_answer_in_time_is_outcome_unknown() {
    let gateway = Gateway::start().await;
    gateway
        .primary
        .set_failure(Failure::Delay(Duration::from_secs(3)), Repeat::Once);
    let client = Client::builder(Credentials::new(USER, PIN).unwrap())
        .api(Api::Http)
        .endpoints(vec![
            gateway.primary.url(http_api::PATH),
            gateway.secondary.url(http_api::PATH),
        ])
        .connect_timeout(Duration::from_millis(100))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let stopped = stopped_at_failure(client.send(&Message::text("hello", ["447700900001"])).await);
    assert!(
        matches!(
            stopped.failed.error,
            RequestError::Call(CallError::OutcomeUnknown { .. })
        ),
        "{stopped:?}"
    );
    assert_eq!(gateway.posts(&gateway.primary), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
}

#[tokio::test]
async fn an_error_status_or_an_unreadable_answer_is_never_retried() {
    let gateway = Gateway::start().await;
    gateway.primary.set_failure(Failure::Http500, Repeat::Once);
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    assert!(
        matches!(
            stopped.failed.error,
            RequestError::Call(CallError::BadResponse { status: 500, .. })
        ),
        "{stopped:?}"
    );
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 0);

    gateway
        .primary
        .set_failure(Failure::MalformedBody, Repeat::Once);
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900002"]))
            .await,
    );
    match &stopped.failed.error {
        RequestError::Call(error @ CallError::BadResponse { status: 200, .. }) => {
            assert!(error.may_have_been_received())
        }
        other => panic!("expected a bad response, got {other:?}"),
    }
    assert_eq!(gateway.posts(&gateway.primary), 2);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900002"), 1);
}

#[tokio::test]
async fn an_invalid_login_is_one_post_and_never_retried() {
    let gateway = Gateway::start().await;
    let report = gateway
        .client_with("wrongpin")
        .send(&Message::text("hello", ["447700900001", "447700900002"]))
        .await
        .expect("answered");
    assert!(report
        .iter()
        .all(|o| o.report == ReportCode::InvalidLogin && o.class == ReportClass::AccountFailure));
    assert_eq!(gateway.simulator.request_count(HTTP_API_OPERATION), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
}

#[tokio::test]
async fn account_queries_are_not_in_the_http_api() {
    let gateway = Gateway::start().await;
    let error = gateway.client().available_credit().await.unwrap_err();
    // Not offered by the HTTP API (the old `NotInHttpApi`), in words that say so.
    assert!(
        matches!(&error, QueryError::NotOffered(why) if why.contains("the HTTP API only sends messages")),
        "{error}"
    );
    assert_eq!(gateway.primary.total_requests(), 0);
    // Without endpoints of its own, the HTTP API client uses the vendor's HTTP API servers.
    let client = Client::builder(Credentials::new(USER, PIN).unwrap())
        .api(Api::Http)
        .build()
        .unwrap();
    assert_eq!(
        client.endpoints(),
        [
            "https://www.csoft.co.uk/webservices/http/sendsms",
            "https://www2.csoft.co.uk/webservices/http/sendsms"
        ]
    );
}
