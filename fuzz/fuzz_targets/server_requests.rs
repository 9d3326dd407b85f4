//! Requests read by the generated servers of every module (sendsms5, clickatell,
//! deliveryreceipt) through `soap_runtime::server::Dispatch::dispatch`, answered by the
//! simulated gateways, by a receipt answerer, and by the delivery-receipt `Receiver` behind its
//! HTTP layer, with the body, the content type and the SOAPAction all taken from the input.
//!
//! Whatever the request, it must get an answer, never a panic; the answer must be a SOAP
//! envelope (well-formed XML, as roxmltree reads it) in the content type of its version; a
//! Fault exactly when the status is not 200, with the status SOAP gives its code; a request
//! that is not UTF-8, holds a DTD or is not a SOAP envelope with a Body (roxmltree decides)
//! must get a `Client` (`Sender`) Fault; and a `Server` (`Receiver`) Fault may only say that an
//! operation is not implemented. Each request is also given to the same server over an
//! implementation that answers nothing: wherever that one answers a Fault before any method is
//! reached (routing, reading), the real one must answer the very same.
//!
//! The input: a first line naming the server (`sendsms5`, `clickatell`, `deliveryreceipt`,
//! `receiver`, `receiver-login`; another picks one by its length), then up to eight requests
//! separated by lines `%%`, served one after the other by the same server (so that a Clickatell
//! session from `auth` can be used by the next request). Each request is a Content-Type line,
//! a SOAPAction line (`-` for a header that is absent) and the body.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderValue, Method};
use axum::Router;
use generated_client::csoft::receipts::{
    DeliveryReceipt, ReceiptCredentials, Receiver, Rejection, DEFAULT_BODY_LIMIT,
};
use generated_client::generated::{clickatell, deliveryreceipt, sendsms5};
use generated_client::simulated::SimulatedVendor;
use generated_client::{clickatell as ct_vendor, csoft};
use http_body_util::BodyExt as _;
use libfuzzer_sys::fuzz_target;
use soap_runtime::server::{
    Context, Dispatch, Incoming, Request, Response, ServerResult, SoapServer,
};
use soap_runtime::SoapVersion;
use tower::ServiceExt as _;

use clickatell::clickatell_sms_binding as ct;
use deliveryreceipt::delivery_receipt as dr;
use sendsms5::service as cs;

/// An implementation of every generated server trait that answers nothing: each method is the
/// trait's default, a `Server` Fault saying it is not implemented.
struct Unanswered;
impl cs::Service for Unanswered {}
impl ct::ClickatellSmsBinding for Unanswered {}
impl dr::DeliveryReceipt for Unanswered {}

/// Answers every delivery receipt with Report 0, its MessageIdentifier echoed.
struct Acknowledge;
impl dr::DeliveryReceipt for Acknowledge {
    async fn submit_delivery_receipt(
        &self,
        request: Request<dr::SubmitDeliveryReceipt>,
    ) -> ServerResult<dr::SubmitDeliveryReceipt> {
        let receipt = request.body;
        Ok(Response::new(
            deliveryreceipt::SubmitDeliveryReceiptResponse {
                message_identifier: receipt.message_identifier,
                report: deliveryreceipt::ReportNumber::new(0).expect("0 is a report number"),
                text: soap_runtime::Nillable::Absent,
            },
        ))
    }
}

/// The receiver's handler: takes every receipt but those whose identifier ends in 7, which it
/// rejects, so that both answers are written.
async fn handle(receipt: DeliveryReceipt) -> Result<(), Rejection> {
    if receipt.message_id.ends_with('7') {
        Err(Rejection::catch_all().with_text("rejected by the fuzz target"))
    } else {
        Ok(())
    }
}

/// The Username and PIN `receiver-login` requires.
const RECEIPT_USERNAME: &str = "receipts";
const RECEIPT_PIN: &str = "s3cret";

/// The most requests read from one input.
const MAX_REQUESTS: usize = 8;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// The HTTP routers: the real receivers (without and with credentials) and the same HTTP
/// layer over [`Unanswered`].
struct Routers {
    receiver: Router,
    receiver_login: Router,
    unanswered: Router,
}

fn routers() -> &'static Routers {
    static ROUTERS: OnceLock<Routers> = OnceLock::new();
    ROUTERS.get_or_init(|| {
        let credentials =
            ReceiptCredentials::new(RECEIPT_USERNAME, RECEIPT_PIN).expect("valid credentials");
        Routers {
            receiver: Receiver::new(handle).router(),
            receiver_login: Receiver::new(handle).credentials(credentials).router(),
            unanswered: SoapServer::new(dr::DeliveryReceiptServer::new(Unanswered))
                .body_limit(DEFAULT_BODY_LIMIT)
                .router(),
        }
    })
}

/// One request as the input gives it.
struct Sent<'a> {
    content_type: Option<&'a str>,
    soap_action: Option<&'a str>,
    body: &'a [u8],
}

impl Sent<'_> {
    fn incoming(&self) -> Incoming<'_> {
        Incoming::new(
            self.body,
            self.content_type,
            self.soap_action,
            Context::default(),
        )
    }

    /// Whether the body is one the servers promise to refuse with a `Client` Fault, as an
    /// independent parser (roxmltree) sees it: not UTF-8, with a DTD, or well-formed but not a
    /// SOAP envelope with a Body. (A body that is not well-formed is not among them: the
    /// runtime's reader is lenient, and reads what it needs of it.)
    fn must_be_refused(&self) -> bool {
        let Ok(xml) = std::str::from_utf8(self.body) else {
            return true;
        };
        match roxmltree::Document::parse(xml) {
            Err(roxmltree::Error::DtdDetected) => true,
            Err(_) => false,
            Ok(doc) => {
                let root = doc.root_element();
                let ns = root.tag_name().namespace().unwrap_or_default();
                let envelope = root.tag_name().name() == "Envelope"
                    && [SoapVersion::Soap11, SoapVersion::Soap12]
                        .iter()
                        .any(|v| v.envelope_namespace() == ns);
                // The servers find the Body by its local name, whatever its namespace.
                !envelope || !elements(root).iter().any(|n| n.tag_name().name() == "Body")
            }
        }
    }

    /// The request over HTTP, as the receiver's HTTP layer gets it; a header value HTTP cannot
    /// carry is left out, as no client could send it.
    fn http(&self) -> axum::http::Request<Body> {
        let mut request = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/receipts");
        let headers = [
            ("content-type", self.content_type),
            ("soapaction", self.soap_action),
        ];
        for (name, value) in headers {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
                request = request.header(name, value);
            }
        }
        request
            .body(Body::from(self.body.to_vec()))
            .expect("a valid request")
    }
}

/// Splits the input into its requests; `-` stands for an absent header.
fn requests(input: &[u8]) -> Vec<Sent<'_>> {
    fn line(rest: &[u8]) -> (&[u8], &[u8]) {
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &[]),
        }
    }
    fn header(line: &[u8]) -> Option<&str> {
        match std::str::from_utf8(line) {
            Ok("-") | Err(_) => None,
            Ok(text) => Some(text),
        }
    }
    let mut sent = Vec::new();
    let mut rest = input;
    while sent.len() < MAX_REQUESTS {
        let (content_type, after) = line(rest);
        let (soap_action, after) = line(after);
        let (body, next) = match find(after, b"\n%%\n") {
            Some(at) => (&after[..at], Some(&after[at + 4..])),
            None => (after, None),
        };
        sent.push(Sent {
            content_type: header(content_type),
            soap_action: header(soap_action),
            body,
        });
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    sent
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An answer as it goes over HTTP.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl From<soap_runtime::server::Outgoing> for Answer {
    fn from(outgoing: soap_runtime::server::Outgoing) -> Self {
        Self {
            status: outgoing.status,
            content_type: outgoing.content_type.to_owned(),
            body: outgoing.body,
        }
    }
}

/// What an answer's envelope holds: its version, and for a Fault its code (local name) and
/// reason.
struct Envelope {
    version: SoapVersion,
    fault: Option<(String, String)>,
}

fn examine(answer: &Answer) -> Envelope {
    let doc = roxmltree::Document::parse(&answer.body)
        .unwrap_or_else(|e| panic!("the answer is not XML ({e}): {answer:?}"));
    let envelope = doc.root_element();
    let ns = envelope.tag_name().namespace().unwrap_or_default();
    let version = [SoapVersion::Soap11, SoapVersion::Soap12]
        .into_iter()
        .find(|v| v.envelope_namespace() == ns)
        .unwrap_or_else(|| panic!("the answer is not a SOAP envelope: {answer:?}"));
    assert_eq!(envelope.tag_name().name(), "Envelope", "{answer:?}");
    assert_eq!(answer.content_type, version.content_type(), "{answer:?}");
    let body = elements(envelope)
        .into_iter()
        .find(|n| n.has_tag_name((ns, "Body")))
        .unwrap_or_else(|| panic!("the answer has no Body: {answer:?}"));
    let content = elements(body)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("the answer's Body is empty: {answer:?}"));
    if !content.has_tag_name((ns, "Fault")) {
        return Envelope {
            version,
            fault: None,
        };
    }
    let text = |path: &[&str]| {
        let mut node = content;
        for name in path {
            node = elements(node)
                .into_iter()
                .find(|n| n.tag_name().name() == *name)
                .unwrap_or_else(|| panic!("the Fault has no {name}: {answer:?}"));
        }
        node.text().unwrap_or_default().trim().to_owned()
    };
    let (code, reason) = match version {
        SoapVersion::Soap11 => (text(&["faultcode"]), text(&["faultstring"])),
        _ => (text(&["Code", "Value"]), text(&["Reason", "Text"])),
    };
    let local = code.rsplit(':').next().unwrap_or_default().to_owned();
    Envelope {
        version,
        fault: Some((local, reason)),
    }
}

fn elements<'a, 'input>(node: roxmltree::Node<'a, 'input>) -> Vec<roxmltree::Node<'a, 'input>> {
    node.children().filter(|n| n.is_element()).collect()
}

fn is_client(code: &str) -> bool {
    matches!(code, "Client" | "Sender")
}

fn is_server(code: &str) -> bool {
    matches!(code, "Server" | "Receiver")
}

/// What must hold of `real`, the answer to `sent`, given `unanswered`, the same server's answer
/// over [`Unanswered`]. `http` is set for answers through the receiver's HTTP layer, which also
/// answers 405, 413 and 415 (and 400 for a body it could not read).
fn check(sent: &Sent<'_>, real: &Answer, unanswered: &Answer, http: bool) {
    let envelope = examine(real);
    match &envelope.fault {
        None => assert_eq!(real.status, 200, "a response is sent with 200: {real:?}"),
        Some((code, reason)) => {
            let soap_status = match (envelope.version, code.as_str()) {
                (SoapVersion::Soap12, "Sender") => 400,
                _ => 500,
            };
            let http_status =
                http && is_client(code) && [400, 405, 413, 415].contains(&real.status);
            assert!(
                real.status == soap_status || http_status,
                "a {code} Fault is sent with {soap_status}: {real:?}"
            );
            if is_server(code) {
                assert!(
                    reason.contains("is not implemented"),
                    "a Server Fault for anything but a missing method: {real:?}"
                );
            }
        }
    }
    if sent.must_be_refused() {
        let code = envelope.fault.as_ref().map(|(code, _)| code.as_str());
        assert!(
            code.is_some_and(is_client),
            "a request that is not a SOAP envelope got {code:?}: {real:?}"
        );
    }
    let before_any_method = match examine(unanswered).fault {
        None => panic!("a server that implements nothing answered: {unanswered:?}"),
        Some((code, _)) => !is_server(&code),
    };
    if before_any_method {
        assert_eq!(
            real, unanswered,
            "refused before any method was reached, but not as the server that answers nothing refused it"
        );
    }
}

/// Serves each request with `real` and with `unanswered` and checks the answers.
fn dispatch_all<R: Dispatch, U: Dispatch>(sent: &[Sent<'_>], real: &R, unanswered: &U) {
    for request in sent {
        let (real_answer, unanswered_answer) = runtime().block_on(async {
            (
                real.dispatch(request.incoming()).await,
                unanswered.dispatch(request.incoming()).await,
            )
        });
        let names: Vec<&str> = real.operations().iter().map(|op| op.name).collect();
        match real_answer.operation {
            Some(name) => assert!(
                names.contains(&name),
                "answered for {name}, not an operation"
            ),
            None => assert_ne!(real_answer.status, 200, "answered 200 for no operation"),
        }
        check(
            request,
            &real_answer.into(),
            &unanswered_answer.into(),
            false,
        );
    }
}

/// Serves each request through a receiver's HTTP layer and through the same layer over
/// [`Unanswered`], and checks the answers.
fn post_all(sent: &[Sent<'_>], receiver: &Router) {
    let unanswered = &routers().unanswered;
    for request in sent {
        let (real, refused) = runtime().block_on(async {
            (
                answer_of(receiver.clone(), request).await,
                answer_of(unanswered.clone(), request).await,
            )
        });
        check(request, &real, &refused, true);
    }
}

async fn answer_of(router: Router, sent: &Sent<'_>) -> Answer {
    let response = router
        .oneshot(sent.http())
        .await
        .unwrap_or_else(|never| match never {});
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("a text content type").to_owned())
        .unwrap_or_default();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("the answer's body")
        .to_bytes();
    let body = String::from_utf8(bytes.to_vec()).expect("the answer is UTF-8");
    Answer {
        status,
        content_type,
        body,
    }
}

/// A simulated gateway with its demo accounts (`sendsms simulate`'s).
fn demo<G: SimulatedVendor>() -> G {
    G::new(G::demo())
}

const SERVERS: &[&str] = &[
    "sendsms5",
    "clickatell",
    "deliveryreceipt",
    "receiver",
    "receiver-login",
];

fuzz_target!(|data: &[u8]| {
    let (name, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let server = SERVERS
        .iter()
        .copied()
        .find(|s| s.as_bytes() == name)
        .unwrap_or(SERVERS[name.len() % SERVERS.len()]);
    let sent = requests(rest);
    // Fresh gateways for every input, so that each run is the same whatever ran before.
    match server {
        "sendsms5" => dispatch_all(
            &sent,
            &cs::ServiceServer::new(demo::<csoft::simulated::Gateway>()),
            &cs::ServiceServer::new(Unanswered),
        ),
        "clickatell" => dispatch_all(
            &sent,
            &ct::ClickatellSmsBindingServer::new(demo::<ct_vendor::simulated::Gateway>()),
            &ct::ClickatellSmsBindingServer::new(Unanswered),
        ),
        "deliveryreceipt" => dispatch_all(
            &sent,
            &dr::DeliveryReceiptServer::new(Acknowledge),
            &dr::DeliveryReceiptServer::new(Unanswered),
        ),
        "receiver" => post_all(&sent, &routers().receiver),
        _ => post_all(&sent, &routers().receiver_login),
    }
});
