//! The SOAP client's rules, over a scripted HTTP transport: which endpoint gets a request, when
//! the next one is tried and when never, cool-downs, what each SOAP version puts in the HTTP
//! request, and the errors with their sources.

use std::collections::VecDeque;
use std::error::Error as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use soap_runtime::client::{
    BoxFuture, CallError, HttpRequest, HttpResponse, HttpTransport, SoapClient, TransportError,
};
use soap_runtime::{Empty, MessageInfo, NoFault, NoHeaders, Operation, OperationInfo, QName};

/// What the transport does with the next request.
#[derive(Debug)]
enum Step {
    Refuse,
    Drop,
    Answer(u16, &'static str, &'static str),
}

/// A request as the transport saw it.
#[derive(Debug, Clone)]
struct Seen {
    url: String,
    content_type: String,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Debug, Clone, Default)]
struct Scripted {
    steps: Arc<Mutex<VecDeque<Step>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        Self {
            steps: Arc::new(Mutex::new(steps.into_iter().collect())),
            seen: Arc::default(),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn urls(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.url).collect()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("tcp connect error")]
struct Refused(#[source] std::io::Error);

impl HttpTransport for Scripted {
    fn post<'a>(
        &'a self,
        request: HttpRequest<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        self.seen.lock().unwrap().push(Seen {
            url: request.url.to_owned(),
            content_type: request.content_type.to_owned(),
            headers: request.headers.to_vec(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        let step = self
            .steps
            .lock()
            .unwrap()
            .pop_front()
            .expect("a step for every request");
        Box::pin(async move {
            match step {
                Step::Refuse => Err(TransportError::not_sent(Refused(std::io::Error::new(
                    std::io::ErrorKind::ConnectionRefused,
                    "connection refused",
                )))),
                Step::Drop => Err(TransportError::may_have_reached("connection reset")),
                Step::Answer(status, content_type, body) => Ok(HttpResponse::new(
                    status,
                    Some(content_type.to_owned()),
                    body.as_bytes().to_vec(),
                )),
            }
        })
    }
}

const NS: &str = "urn:test";

/// A document/literal operation with an empty body element, `Ping` → `PingResponse`.
struct Ping<const V12: bool>;

impl<const V12: bool> Operation for Ping<V12> {
    type Input = Empty;
    type Output = Empty;
    type InputHeaders = NoHeaders;
    type OutputHeaders = NoHeaders;
    type Fault = NoFault;
    const INFO: OperationInfo = {
        let info = OperationInfo::new("Ping", "Test", MessageInfo::element(NS, "Ping"))
            .action("urn:test#Ping")
            .output(MessageInfo::literal(Some(QName::qualified(
                NS,
                "PingResponse",
            ))));
        if V12 {
            info.soap12()
        } else {
            info
        }
    };
}

const PONG11: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:PingResponse xmlns:m="urn:test"/></s:Body></s:Envelope>"#;
const PONG12: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><m:PingResponse xmlns:m="urn:test"/></s:Body></s:Envelope>"#;

fn client(transport: &Scripted, cooldown: Duration) -> SoapClient {
    SoapClient::builder()
        .endpoints(["http://primary/", "http://secondary/"])
        .cooldown(cooldown)
        .header("X-Api-Key", "k")
        .transport(transport.clone())
        .build()
        .expect("a client")
}

#[tokio::test]
async fn an_unreachable_primary_fails_over_and_cools_down() {
    let transport = Scripted::new([
        Step::Refuse,
        Step::Answer(200, "text/xml", PONG11),
        // Within the cool-down the secondary goes first.
        Step::Answer(200, "text/xml", PONG11),
    ]);
    let client = client(&transport, Duration::from_secs(60));
    client.call::<Ping<false>>(&Empty).await.expect("answered");
    client.call::<Ping<false>>(&Empty).await.expect("answered");
    assert_eq!(
        transport.urls(),
        ["http://primary/", "http://secondary/", "http://secondary/"]
    );
}

#[tokio::test]
async fn after_the_cool_down_the_primary_is_first_again() {
    let transport = Scripted::new([
        Step::Refuse,
        Step::Answer(200, "text/xml", PONG11),
        Step::Answer(200, "text/xml", PONG11),
    ]);
    let client = client(&transport, Duration::ZERO);
    client.call::<Ping<false>>(&Empty).await.expect("answered");
    client.call::<Ping<false>>(&Empty).await.expect("answered");
    assert_eq!(
        transport.urls(),
        ["http://primary/", "http://secondary/", "http://primary/"]
    );
}

#[tokio::test]
async fn a_request_that_may_have_arrived_is_never_sent_again() {
    let transport = Scripted::new([Step::Drop]);
    let client = client(&transport, Duration::from_secs(60));
    let error = client
        .call::<Ping<false>>(&Empty)
        .await
        .expect_err("dropped");
    assert!(error.may_have_been_received());
    match &error {
        CallError::OutcomeUnknown { endpoint, source } => {
            assert_eq!(endpoint, "http://primary/");
            assert_eq!(source.to_string(), "connection reset");
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    // The secondary was never asked.
    assert_eq!(transport.urls(), ["http://primary/"]);
}

#[tokio::test]
async fn an_error_answer_is_final() {
    for answer in [
        Step::Answer(500, "text/html", "<html>oops</html>"),
        Step::Answer(
            500,
            "text/xml",
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>down</faultstring></s:Fault></s:Body></s:Envelope>"#,
        ),
        Step::Answer(307, "text/plain", ""),
    ] {
        let transport = Scripted::new([answer]);
        let client = client(&transport, Duration::from_secs(60));
        let error = client
            .call::<Ping<false>>(&Empty)
            .await
            .expect_err("an error");
        assert!(
            matches!(
                error,
                CallError::Fault { .. } | CallError::BadResponse { .. }
            ),
            "{error:?}"
        );
        assert_eq!(transport.urls(), ["http://primary/"]);
    }
}

#[tokio::test]
async fn nothing_reachable_lists_each_attempt_with_its_cause() {
    let transport = Scripted::new([Step::Refuse, Step::Refuse]);
    let client = client(&transport, Duration::from_secs(60));
    let error = client
        .call::<Ping<false>>(&Empty)
        .await
        .expect_err("unreachable");
    assert!(!error.may_have_been_received());
    let shown = error.to_string();
    assert!(
        shown.contains("http://primary/: tcp connect error: connection refused"),
        "{shown}"
    );
    assert!(shown.contains("http://secondary/"), "{shown}");
    match &error {
        CallError::Unreachable { attempts } => {
            assert_eq!(attempts.len(), 2);
            // The chain is kept as values: attempt → transport error → the cause's own.
            let cause = attempts[0].error.source().expect("the cause");
            assert_eq!(cause.to_string(), "tcp connect error");
            let io = cause.source().expect("the io error");
            assert_eq!(io.to_string(), "connection refused");
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn soap11_sends_soapaction_and_soap12_puts_the_action_in_the_content_type() {
    let transport = Scripted::new([
        Step::Answer(200, "text/xml", PONG11),
        Step::Answer(200, "application/soap+xml", PONG12),
    ]);
    let client = client(&transport, Duration::from_secs(60));
    client.call::<Ping<false>>(&Empty).await.expect("answered");
    client.call::<Ping<true>>(&Empty).await.expect("answered");
    let seen = transport.seen();
    assert_eq!(seen[0].content_type, "text/xml; charset=utf-8");
    assert_eq!(
        seen[0].headers,
        [
            ("SOAPAction".to_owned(), "\"urn:test#Ping\"".to_owned()),
            ("X-Api-Key".to_owned(), "k".to_owned())
        ]
    );
    assert!(seen[0].body.contains("schemas.xmlsoap.org/soap/envelope"));
    assert_eq!(
        seen[1].content_type,
        "application/soap+xml; charset=utf-8; action=\"urn:test#Ping\""
    );
    assert_eq!(
        seen[1].headers,
        [("X-Api-Key".to_owned(), "k".to_owned())],
        "no SOAPAction header in SOAP 1.2"
    );
    assert!(seen[1].body.contains("www.w3.org/2003/05/soap-envelope"));
}

#[test]
fn bad_settings_are_refused() {
    let transport = Scripted::default();
    let with = |builder: soap_runtime::client::ClientBuilder| {
        builder.transport(transport.clone()).build().map(|_| ())
    };
    assert!(with(SoapClient::builder()).is_err(), "no endpoint");
    assert!(with(SoapClient::builder().endpoints(["ftp://x/"])).is_err());
    assert!(with(
        SoapClient::builder()
            .endpoints(["http://x/"])
            .header("Bad Header", "v")
    )
    .is_err());
    assert!(with(
        SoapClient::builder()
            .endpoints(["http://x/"])
            .header("X-Ok", "a\r\nInjected: 1")
    )
    .is_err());
    assert!(with(SoapClient::builder().endpoints(["http://x/"])).is_ok());
}

#[test]
fn the_debug_form_shows_no_header_values() {
    let client = SoapClient::builder()
        .endpoints(["http://x/"])
        .basic_auth("user", "secret-password")
        .transport(Scripted::default())
        .build()
        .expect("a client");
    let shown = format!("{client:?}");
    assert!(shown.contains("Authorization"), "{shown}");
    assert!(!shown.contains("Basic"), "{shown}");
}
