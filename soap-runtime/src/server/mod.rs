//! Serving SOAP operations: a generated server (one per binding) finds the operation a
//! request is for, reads its input, calls the method of the binding's trait that user code
//! implements, and writes the response or a SOAP Fault. This module is what it leans on; it
//! knows nothing of HTTP beyond a status and a content type, so any HTTP server can carry it.
//! [`SoapServer`] (feature `server`) carries it on axum.
//!
//! Whatever a request holds, it gets an answer, never a panic: a body that is not a SOAP
//! envelope, holds a DTD, names no operation of the binding or cannot be read as the
//! operation's input is answered with a `Client` (`Sender`) fault that says what was wrong; a
//! header block it must understand and does not (one marked `mustUnderstand` that is not among
//! the operation's) with a `MustUnderstand` fault; a method that panics is answered with a
//! `Server` (`Receiver`) fault.

#[cfg(feature = "server")]
mod axum_server;

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::envelope::{read_request, write_envelope, write_fault, EnvelopeError, Fault};
use crate::read::XmlReader;
use crate::{MessageInfo, NoFault, Operation, OperationInfo, QName, SoapVersion};

pub use crate::client::BoxFuture;
#[cfg(feature = "server")]
pub use axum_server::{SoapServer, DEFAULT_BODY_LIMIT};

/// A generated server: routes one request to the operation it is for, and serves it.
///
/// The two steps are apart so that an HTTP layer can act on the operation before it is
/// served (count it, check who may call it, refuse it): [`Incoming::route`] with
/// [`Dispatch::operations`], then [`Dispatch::serve`]. [`Dispatch::dispatch`] does both.
pub trait Dispatch: Send + Sync + 'static {
    /// The binding's operations, in its order: what requests are routed by.
    fn operations(&self) -> &'static [&'static OperationInfo];

    /// Serves a request routed to one of [`Dispatch::operations`].
    fn serve<'a>(&'a self, routed: Routed<'a>) -> BoxFuture<'a, Outgoing>;

    /// Routes and serves one request.
    fn dispatch<'a>(&'a self, request: Incoming<'a>) -> BoxFuture<'a, Outgoing> {
        Box::pin(async move {
            match request.route(self.operations()) {
                Ok(routed) => self.serve(routed).await,
                Err(answer) => answer,
            }
        })
    }
}

/// What is known of a request besides its SOAP message: where it came from, and its HTTP
/// headers.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Context {
    /// The client's address, when the HTTP server knows it.
    pub remote_addr: Option<SocketAddr>,
    /// The address the request came in on, when the HTTP server knows it.
    pub local_addr: Option<SocketAddr>,
    /// The HTTP headers, names in lower case, in the order received.
    pub http_headers: Vec<(String, String)>,
    /// The action the request named (`SOAPAction` in SOAP 1.1, the `action` parameter of
    /// the content type in SOAP 1.2), without quotes.
    pub soap_action: Option<String>,
    /// The namespace of the body's element, as sent (readers match by local name, so a
    /// request in a namespace other than the WSDL's still reaches its operation).
    pub body_namespace: Option<String>,
}

impl Context {
    /// A context with these addresses and HTTP headers.
    pub fn new(
        remote_addr: Option<SocketAddr>,
        local_addr: Option<SocketAddr>,
        http_headers: Vec<(String, String)>,
    ) -> Self {
        Self {
            remote_addr,
            local_addr,
            http_headers,
            soap_action: None,
            body_namespace: None,
        }
    }

    /// The value of an HTTP header (the first, if repeated), by case-insensitive name.
    pub fn http_header(&self, name: &str) -> Option<&str> {
        self.http_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request as it came over HTTP.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Incoming<'a> {
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The `SOAPAction` header, as sent (quoted or not).
    pub soap_action: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
    /// Where it came from.
    pub context: Context,
}

impl<'a> Incoming<'a> {
    /// A request with this body, content type and `SOAPAction` header.
    pub fn new(
        body: &'a [u8],
        content_type: Option<&'a str>,
        soap_action: Option<&'a str>,
        context: Context,
    ) -> Self {
        Self {
            content_type,
            soap_action,
            body,
            context,
        }
    }

    /// Finds which of `operations` (a binding's, in its order) the request is for: in
    /// document style by the body's element, then by action among operations that share it;
    /// in rpc style by the wrapper element, named after the operation. The answer to send
    /// instead comes back when there is none, or the request is not a SOAP envelope.
    pub fn route(mut self, operations: &[&'static OperationInfo]) -> Result<Routed<'a>, Outgoing> {
        // Faults about the envelope itself are written in the binding's version until the
        // request's own is known.
        let binding_version = operations
            .first()
            .map_or(SoapVersion::Soap11, |op| op.version);
        let client = |version, reason: String| client_fault(version, None, reason);
        let xml = std::str::from_utf8(self.body)
            .map_err(|e| client(binding_version, format!("the request is not UTF-8: {e}")))?;
        let peeked = peek(xml).map_err(|reason| client(binding_version, reason))?;
        let version = peeked.version;
        if operations.first().is_some_and(|op| op.version != version) {
            return Err(answer_fault(
                version,
                None,
                &Fault::<NoFault>::new(
                    crate::envelope::FaultCode::VersionMismatch,
                    format!(
                        "this service speaks {}, not {}",
                        version_name(binding_version),
                        version_name(version)
                    ),
                ),
            ));
        }
        let action = self.action(version);
        let index =
            choose(operations, peeked.body.as_ref(), action.as_deref()).ok_or_else(|| {
                let what = match &peeked.body {
                    Some((ns, local)) => match ns {
                        Some(ns) => format!("the body holds <{local}> in {ns}"),
                        None => format!("the body holds <{local}>"),
                    },
                    None => "the body is empty".to_owned(),
                };
                client(
                    version,
                    format!("{what}, which is the input of no operation of this service"),
                )
            })?;
        let info = operations[index];
        let understood = |(ns, local): &(Option<String>, String)| {
            info.input
                .headers
                .iter()
                .any(|known| known.local == local && known.ns == ns.as_deref())
        };
        if let Some((ns, local)) = peeked.must_understand.iter().find(|h| !understood(h)) {
            // SOAP 1.1 §4.2.3, SOAP 1.2 §5.2.3: a header block the receiver must understand
            // and does not is refused whole, never silently ignored.
            return Err(answer_fault(
                version,
                Some(info.name),
                &Fault::<NoFault>::new(
                    crate::envelope::FaultCode::MustUnderstand,
                    format!(
                        "header <{local}>{} must be understood, and {} does not know it",
                        ns.as_ref()
                            .map(|ns| format!(" in {ns}"))
                            .unwrap_or_default(),
                        info.name
                    ),
                ),
            ));
        }
        self.context.soap_action = action;
        self.context.body_namespace = peeked.body.and_then(|(ns, _)| ns);
        Ok(Routed {
            xml,
            info,
            index,
            version,
            context: self.context,
        })
    }

    /// The action the request names, without quotes: the `SOAPAction` header in SOAP 1.1,
    /// the `action` parameter of the content type in SOAP 1.2 (or the header, which some
    /// clients send anyway).
    fn action(&self, version: SoapVersion) -> Option<String> {
        let from_content_type = || {
            self.content_type?.split(';').skip(1).find_map(|param| {
                let (name, value) = param.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("action")
                    .then(|| unquote(value))
            })
        };
        let from_header = || self.soap_action.map(unquote);
        match version {
            SoapVersion::Soap11 => from_header(),
            SoapVersion::Soap12 => from_content_type().or_else(from_header),
        }
    }
}

fn unquote(value: &str) -> String {
    let value = value.trim();
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
        .to_owned()
}

fn version_name(version: SoapVersion) -> &'static str {
    match version {
        SoapVersion::Soap11 => "SOAP 1.1",
        SoapVersion::Soap12 => "SOAP 1.2",
    }
}

/// The index of the operation a request is for, if any.
fn choose(
    operations: &[&'static OperationInfo],
    body: Option<&(Option<String>, String)>,
    action: Option<&str>,
) -> Option<usize> {
    let action_matches = |op: &OperationInfo| {
        action.is_some_and(|a| !op.soap_action.is_empty() && op.soap_action == a)
    };
    let candidates: Vec<usize> = match body {
        Some((ns, local)) => {
            let by_local: Vec<usize> = (0..operations.len())
                .filter(|&i| {
                    operations[i]
                        .input
                        .body_element
                        .is_some_and(|e| e.local == local)
                })
                .collect();
            // The namespace decides between operations whose elements differ only by it;
            // otherwise it is not held against a request (readers are lenient about it).
            let by_name: Vec<usize> = by_local
                .iter()
                .copied()
                .filter(|&i| operations[i].input.body_element.and_then(|e| e.ns) == ns.as_deref())
                .collect();
            match (by_name.is_empty(), by_local.is_empty()) {
                (false, _) => by_name,
                (true, false) => by_local,
                // Parts written side by side (document style with several parts): only the
                // action can tell.
                (true, true) => (0..operations.len())
                    .filter(|&i| operations[i].input.body_element.is_none())
                    .collect(),
            }
        }
        None => (0..operations.len())
            .filter(|&i| operations[i].input.body_element.is_none())
            .collect(),
    };
    match candidates.as_slice() {
        [] => None,
        [only] => Some(*only),
        several => several
            .iter()
            .copied()
            .find(|&i| action_matches(operations[i]))
            .or(Some(several[0])),
    }
}

/// The envelope's version, the headers this node must understand, and the body's first
/// element (namespace, local name).
struct Peeked {
    version: SoapVersion,
    must_understand: Vec<(Option<String>, String)>,
    body: Option<(Option<String>, String)>,
}

/// Whether a header block is one this node must understand: marked `mustUnderstand` (`1`, or
/// `true` in SOAP 1.2) and meant for it (no actor or role, or the next node's, or in SOAP
/// 1.2 the ultimate receiver's). The attributes are matched by local name, as everything in
/// a request is read here.
fn must_understand(
    header: &crate::Element<'_, '_>,
    version: SoapVersion,
) -> Result<bool, crate::ReadError> {
    let marked = header
        .attribute("mustUnderstand")?
        .is_some_and(|value| matches!(value.trim(), "1" | "true"));
    if !marked {
        return Ok(false);
    }
    let for_us = match version {
        SoapVersion::Soap11 => header
            .attribute("actor")?
            .is_none_or(|actor| actor.trim() == "http://schemas.xmlsoap.org/soap/actor/next"),
        SoapVersion::Soap12 => header.attribute("role")?.is_none_or(|role| {
            matches!(
                role.trim(),
                "http://www.w3.org/2003/05/soap-envelope/role/next"
                    | "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
            )
        }),
    };
    Ok(for_us)
}

fn peek(xml: &str) -> Result<Peeked, String> {
    const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
    let unreadable = |e: crate::ReadError| format!("unreadable request: {e}");
    let mut reader = XmlReader::new(xml);
    // SOAP forbids a DTD, and refusing one rules out entity expansion bombs.
    let mut envelope = reader.root_with(false).map_err(unreadable)?;
    let version = match (envelope.local_name(), envelope.namespace().as_deref()) {
        ("Envelope", Some(SOAP11)) => SoapVersion::Soap11,
        ("Envelope", Some(SOAP12)) => SoapVersion::Soap12,
        (local, ns) => {
            return Err(format!(
                "the request is not a SOAP envelope (1.1 or 1.2) but <{local}>{}",
                ns.map(|ns| format!(" in {ns}")).unwrap_or_default()
            ))
        }
    };
    let mut must = Vec::new();
    while let Some(mut child) = envelope.next_child().map_err(unreadable)? {
        match child.local_name() {
            "Header" => {
                while let Some(header) = child.next_child().map_err(unreadable)? {
                    if must_understand(&header, version).map_err(unreadable)? {
                        must.push((header.namespace(), header.local_name().to_owned()));
                    }
                }
            }
            "Body" => {
                let body = child
                    .next_child()
                    .map_err(unreadable)?
                    .map(|element| (element.namespace(), element.local_name().to_owned()));
                return Ok(Peeked {
                    version,
                    must_understand: must,
                    body,
                });
            }
            _ => {}
        }
    }
    Err("the SOAP envelope has no Body".to_owned())
}

/// A request whose operation is known.
#[derive(Debug)]
pub struct Routed<'a> {
    xml: &'a str,
    info: &'static OperationInfo,
    index: usize,
    version: SoapVersion,
    context: Context,
}

impl Routed<'_> {
    /// The position of the operation in the list given to [`Incoming::route`].
    pub fn index(&self) -> usize {
        self.index
    }

    /// The operation the request is for.
    pub fn operation(&self) -> &'static OperationInfo {
        self.info
    }

    /// The SOAP version of the request's envelope.
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// Where the request came from, its HTTP headers and its action.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Reads the request as operation `O`'s input and headers, has `handler` answer it, and
    /// writes the answer: the response, or the fault the handler returned, or a `Client`
    /// fault when the input cannot be read, or a `Server` fault when the handler panics.
    pub async fn serve<O, H, Fut>(self, handler: H) -> Outgoing
    where
        O: Operation,
        H: FnOnce(Request<O>) -> Fut,
        Fut: Future<Output = ServerResult<O>>,
    {
        let name = Some(self.info.name);
        let version = self.version;
        if (O::INFO.binding, O::INFO.name) != (self.info.binding, self.info.name) {
            // Routed with another binding's operations: a bug of the caller's, answered
            // rather than served as the wrong operation.
            return answer_fault(
                version,
                name,
                &Fault::<NoFault>::server(format!(
                    "a request for {} was given to the server of {}",
                    self.info.name,
                    O::INFO.binding
                )),
            );
        }
        let received = match read_request::<O>(self.xml) {
            Ok(received) => received,
            Err(EnvelopeError::Read(error)) => {
                return client_fault(
                    version,
                    name,
                    format!("cannot read {}: {error}", self.info.name),
                )
            }
            Err(EnvelopeError::Fault(_)) => {
                return client_fault(version, name, "a request cannot be a SOAP Fault".into())
            }
        };
        let request = Request {
            body: received.body,
            headers: received.headers,
            version,
            context: self.context,
        };
        let answered = CatchUnwind(std::pin::pin!(handler(request))).await;
        let output = O::INFO.output.unwrap_or(MessageInfo::EMPTY);
        match answered {
            Ok(Ok(response)) => {
                let message = match response.body_element {
                    Some(element) => MessageInfo {
                        body_element: Some(element),
                        ..output
                    },
                    None => output,
                };
                Outgoing {
                    status: 200,
                    content_type: version.content_type(),
                    body: write_envelope(version, &message, &response.headers, &response.body),
                    operation: name,
                }
            }
            Ok(Err(fault)) => answer_fault(version, name, &fault),
            Err(()) => {
                tracing::error!(
                    operation = self.info.name,
                    "the operation's method panicked"
                );
                answer_fault(
                    version,
                    name,
                    &Fault::<NoFault>::server(format!(
                        "the server failed while answering {}",
                        self.info.name
                    )),
                )
            }
        }
    }
}

/// Polls a future, turning a panic into `Err(())`. Written here rather than taken from
/// futures-util so that the runtime's core needs no dependency for it; it holds no unsafe
/// code, only `catch_unwind` around each poll.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut *inner).poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(())),
        }
    }
}

/// An answer to send over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outgoing {
    /// The HTTP status: 200 for a response; for a fault, 500, or 400 for a SOAP 1.2 `Sender`
    /// fault.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The SOAP envelope.
    pub body: String,
    /// The operation the request was for, when it could be found.
    pub operation: Option<&'static str>,
}

impl Outgoing {
    /// A fault envelope to answer with, in `version`, for `operation` if known.
    pub fn fault<D: crate::FaultDetail>(
        version: SoapVersion,
        operation: Option<&'static str>,
        fault: &Fault<D>,
    ) -> Self {
        answer_fault(version, operation, fault)
    }
}

fn client_fault(version: SoapVersion, operation: Option<&'static str>, reason: String) -> Outgoing {
    answer_fault(version, operation, &Fault::<NoFault>::client(reason))
}

fn answer_fault<D: crate::FaultDetail>(
    version: SoapVersion,
    operation: Option<&'static str>,
    fault: &Fault<D>,
) -> Outgoing {
    // SOAP 1.1 sends every fault with 500; SOAP 1.2 blames the sender with 400.
    let status = match (version, &fault.code) {
        (SoapVersion::Soap12, crate::envelope::FaultCode::Client) => 400,
        _ => 500,
    };
    Outgoing {
        status,
        content_type: version.content_type(),
        body: write_fault(version, fault),
        operation,
    }
}

/// An operation's input as a server method receives it: the body and headers of operation
/// `O`'s request, and where it came from.
#[non_exhaustive]
pub struct Request<O: Operation> {
    /// The input body.
    pub body: O::Input,
    /// The input's SOAP headers.
    pub headers: O::InputHeaders,
    /// The SOAP version of the envelope.
    pub version: SoapVersion,
    /// Where it came from, its HTTP headers and its action.
    pub context: Context,
}

impl<O: Operation> Request<O> {
    /// The input body, the rest dropped.
    pub fn into_body(self) -> O::Input {
        self.body
    }
}

impl<O: Operation> fmt::Debug for Request<O>
where
    O::Input: fmt::Debug,
    O::InputHeaders: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &O::INFO.name)
            .field("body", &self.body)
            .field("headers", &self.headers)
            .field("version", &self.version)
            .field("context", &self.context)
            .finish()
    }
}

/// What a server method answers for operation `O`: the output body, and its SOAP headers.
#[non_exhaustive]
pub struct Response<O: Operation> {
    /// The output body.
    pub body: O::Output,
    /// The output's SOAP headers.
    pub headers: O::OutputHeaders,
    /// Another element than the WSDL's to hold the body (the same content, another
    /// namespace), when a server answers in the namespace a request came in.
    pub body_element: Option<QName>,
}

impl<O: Operation> Response<O> {
    /// A response with this body and no headers.
    pub fn new(body: O::Output) -> Self {
        Self::with_headers(body, O::OutputHeaders::default())
    }

    /// A response with this body and these headers.
    pub fn with_headers(body: O::Output, headers: O::OutputHeaders) -> Self {
        Self {
            body,
            headers,
            body_element: None,
        }
    }

    /// The same response, its body written as element `element` rather than the WSDL's.
    pub fn in_element(mut self, element: QName) -> Self {
        self.body_element = Some(element);
        self
    }
}

impl<O: Operation> fmt::Debug for Response<O>
where
    O::Output: fmt::Debug,
    O::OutputHeaders: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("operation", &O::INFO.name)
            .field("body", &self.body)
            .field("headers", &self.headers)
            .field("body_element", &self.body_element)
            .finish()
    }
}

/// What a server method returns for operation `O`: a response, or a fault whose detail is one
/// of the operation's declared faults.
pub type ServerResult<O> = Result<Response<O>, Fault<<O as Operation>::Fault>>;

/// The answer of a method a server does not implement: a `Server` fault saying so. Generated
/// server traits use it as the default body of every method.
pub fn not_implemented<O: Operation>(_request: Request<O>) -> std::future::Ready<ServerResult<O>> {
    std::future::ready(Err(Fault::server(format!(
        "operation {} is not implemented by this server",
        O::INFO.name
    ))))
}

/// Why reading a request body stopped: for HTTP layers that check limits themselves.
pub fn too_large(version: SoapVersion, limit: usize) -> Outgoing {
    client_fault(
        version,
        None,
        format!("the request is larger than {limit} bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Style;

    const AUTH: QName = QName::qualified("urn:t", "Auth");

    static LOOKUP: OperationInfo = OperationInfo {
        name: "Lookup",
        binding: "Test",
        soap_action: "urn:t#Lookup",
        style: Style::Document,
        version: SoapVersion::Soap11,
        input: MessageInfo::element("urn:t", "Lookup").with_headers(&[AUTH]),
        output: None,
    };
    static LOOKUP12: OperationInfo = OperationInfo {
        version: SoapVersion::Soap12,
        ..LOOKUP
    };

    /// Routes a request whose Header holds `header`, in SOAP 1.1 or 1.2.
    fn route_with_header(header: &str, info: &'static OperationInfo) -> Result<(), Outgoing> {
        let ns = info.version.envelope_namespace();
        let body = format!(
            r#"<s:Envelope xmlns:s="{ns}" xmlns:t="urn:t"><s:Header>{header}</s:Header><s:Body><t:Lookup/></s:Body></s:Envelope>"#
        );
        Incoming::new(body.as_bytes(), None, None, Context::default())
            .route(&[info])
            .map(|routed| assert_eq!(routed.operation().name, "Lookup"))
    }

    #[test]
    fn a_header_that_must_be_understood_and_is_not_is_refused() {
        for (header, info) in [
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="1"/>"#,
                &LOOKUP,
            ),
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="true"/>"#,
                &LOOKUP12,
            ),
            // The name decides, namespace included.
            (r#"<Auth xmlns="urn:other" s:mustUnderstand="1"/>"#, &LOOKUP),
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="1" s:actor="http://schemas.xmlsoap.org/soap/actor/next"/>"#,
                &LOOKUP,
            ),
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="1" s:role="http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"/>"#,
                &LOOKUP12,
            ),
        ] {
            let refused = route_with_header(header, info).expect_err(header);
            assert_eq!(refused.status, 500, "{header}");
            assert_eq!(refused.operation, Some("Lookup"));
            let named = ["&lt;Trace&gt; in urn:x", "&lt;Auth&gt; in urn:other"];
            assert!(
                refused
                    .body
                    .contains("<faultcode>soap:MustUnderstand</faultcode>")
                    || refused
                        .body
                        .contains("<soap:Value>soap:MustUnderstand</soap:Value>"),
                "{header}: {}",
                refused.body
            );
            assert!(
                named.iter().any(|name| refused.body.contains(name)),
                "{header}: {}",
                refused.body
            );
        }
    }

    /// Found by the `server_requests` fuzz target: the Fault quoted the request's root element
    /// name, U+0000 and all, and was no XML.
    #[test]
    fn a_fault_quoting_characters_xml_cannot_hold_is_still_xml() {
        let body = "<Env\u{0}\u{1}elope xmlns=\"urn:x\"/>";
        let refused = Incoming::new(body.as_bytes(), None, None, Context::default())
            .route(&[&LOOKUP])
            .expect_err("not a SOAP envelope");
        let answer = roxmltree::Document::parse(&refused.body)
            .unwrap_or_else(|e| panic!("{e}: {:?}", refused.body));
        let reason = answer
            .descendants()
            .find(|n| n.has_tag_name("faultstring"))
            .and_then(|n| n.text())
            .unwrap_or_default();
        assert!(reason.contains("<Env\u{fffd}\u{fffd}elope>"), "{reason}");
    }

    #[test]
    fn headers_understood_optional_or_for_others_are_served() {
        for (header, info) in [
            (r#"<t:Auth s:mustUnderstand="1"/>"#, &LOOKUP),
            (r#"<t:Auth s:mustUnderstand="true"/>"#, &LOOKUP12),
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="0"/>"#,
                &LOOKUP,
            ),
            (r#"<x:Trace xmlns:x="urn:x"/>"#, &LOOKUP12),
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="1" s:actor="urn:some-other-node"/>"#,
                &LOOKUP,
            ),
            (
                r#"<x:Trace xmlns:x="urn:x" s:mustUnderstand="true" s:role="http://www.w3.org/2003/05/soap-envelope/role/none"/>"#,
                &LOOKUP12,
            ),
        ] {
            route_with_header(header, info).unwrap_or_else(|refused| {
                panic!("{header}: {}", refused.body);
            });
        }
    }
}
