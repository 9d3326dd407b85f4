//! Calling SOAP services: a [`SoapClient`] writes an operation's request envelope, posts it to
//! the first endpoint that can be reached, and reads the answer into the operation's output,
//! its headers, or its typed fault. Generated clients (one per binding) are thin wrappers
//! around it.
//!
//! The rule it keeps is the one that stops a message going out twice: fail over to the next
//! endpoint only when the request cannot have reached a server (the name did not resolve, the
//! connection was refused or timed out, the TLS handshake failed), and never send a request
//! again once it may have. Everything after that point (a dropped connection, no answer in
//! time, an answer cut off or too large) is [`CallError::OutcomeUnknown`], and nothing is sent
//! anywhere else. Redirects are never followed, for the same reason.
//!
//! An endpoint that could not be reached is skipped for a cool-down (60 seconds by default),
//! so a dead primary does not cost a connect timeout on every call; after the cool-down it is
//! tried first again. When every endpoint is cooling down, all are tried, in order.
//!
//! HTTP itself is behind the [`HttpTransport`] trait: [`ReqwestTransport`] (reqwest with
//! rustls, feature `client`) by default, or any implementation given to
//! [`ClientBuilder::transport`].

mod http;
#[cfg(feature = "client")]
mod reqwest_transport;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::envelope::{read_response, write_request, EnvelopeError, Fault, ResponseMessage};
use crate::{Endpoint, Operation, ReadError, SoapVersion};

pub use http::{BoxFuture, HttpRequest, HttpResponse, HttpTransport, Reach, TransportError};
#[cfg(feature = "client")]
pub use reqwest_transport::ReqwestTransport;

/// Why a call failed, and what is known about whether a server got the request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError<F> {
    /// No endpoint could be reached: the request was sent nowhere.
    #[error("no endpoint could be reached ({})", describe_attempts(.attempts))]
    Unreachable {
        /// Each endpoint tried, and why it could not be reached, in the order tried.
        attempts: Vec<Attempt>,
    },
    /// The request may have reached `endpoint` (it was written, then the connection failed,
    /// no answer came in time, or the answer was cut off or too large). It was not sent
    /// anywhere else.
    #[error("outcome unknown: the request may have reached {endpoint}, which did not answer ({source}); it was not resent")]
    OutcomeUnknown {
        /// The endpoint that may have received the request.
        endpoint: String,
        /// What happened.
        source: TransportError,
    },
    /// The server answered with a SOAP Fault.
    #[error("{endpoint} answered with a SOAP fault: {fault}")]
    Fault {
        /// The endpoint that answered.
        endpoint: String,
        /// The HTTP status it came with (500 in SOAP 1.1, 400 or 500 in SOAP 1.2).
        status: u16,
        /// The fault, with its detail typed when it is one of the operation's (boxed: it is
        /// large, and errors are passed around by value).
        #[source]
        fault: Box<Fault<F>>,
    },
    /// The server answered something that is not the operation's response: a body that is
    /// not SOAP, or not this operation's, or a SOAP response with an error status. The request
    /// reached it.
    #[error("{endpoint} answered HTTP {status} ({}) that is not the expected SOAP response: {problem}; the body begins {body_start:?}", content_type.as_deref().unwrap_or("no content type"))]
    BadResponse {
        /// The endpoint that answered.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The answer's content type, if it had one.
        content_type: Option<String>,
        /// The first bytes of the body (at most [`BODY_START`]), lossily decoded.
        body_start: String,
        /// What was wrong with it.
        problem: String,
        /// The reader's error, when the body could not be read as the response.
        #[source]
        source: Option<Box<ReadError>>,
    },
}

/// What a call of operation `O` returns: its output body, or why there is none.
pub type CallResult<O> = Result<<O as Operation>::Output, CallError<<O as Operation>::Fault>>;

/// How much of an unexpected answer's body a [`CallError::BadResponse`] keeps.
pub const BODY_START: usize = 200;

/// One endpoint that could not be reached.
#[derive(Debug)]
#[non_exhaustive]
pub struct Attempt {
    /// The endpoint.
    pub endpoint: String,
    /// Why it could not be reached.
    pub error: TransportError,
}

fn describe_attempts(attempts: &[Attempt]) -> String {
    attempts
        .iter()
        .map(|attempt| format!("{}: {}", attempt.endpoint, attempt.error))
        .collect::<Vec<_>>()
        .join("; ")
}

impl<F> CallError<F> {
    /// Whether the request may have been received by a server: every error but
    /// [`CallError::Unreachable`]. Such a request must not be sent again automatically.
    pub fn may_have_been_received(&self) -> bool {
        !matches!(self, Self::Unreachable { .. })
    }

    /// The same error with the fault detail of another type (dropped, the raw detail kept):
    /// for passing an error on from an operation with other declared faults.
    pub fn without_detail<E>(self) -> CallError<E> {
        match self {
            Self::Unreachable { attempts } => CallError::Unreachable { attempts },
            Self::OutcomeUnknown { endpoint, source } => {
                CallError::OutcomeUnknown { endpoint, source }
            }
            Self::Fault {
                endpoint,
                status,
                fault,
            } => CallError::Fault {
                endpoint,
                status,
                fault: Box::new(fault.without_detail()),
            },
            Self::BadResponse {
                endpoint,
                status,
                content_type,
                body_start,
                problem,
                source,
            } => CallError::BadResponse {
                endpoint,
                status,
                content_type,
                body_start,
                problem,
                source,
            },
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No endpoint was given.
    #[error("no endpoint to send to")]
    NoEndpoints,
    /// An endpoint is not an http or https URL.
    #[error("endpoint {0:?} is not an http:// or https:// URL")]
    BadEndpoint(String),
    /// The connect timeout is not shorter than the overall timeout: a slow connection would
    /// then end as "outcome unknown" instead of failing over.
    #[error("the connect timeout must be shorter than the overall timeout")]
    Timeouts,
    /// An extra HTTP header is not one a client may set.
    #[error("HTTP header {name:?} cannot be set: {reason}")]
    BadHeader {
        /// The header's name.
        name: String,
        /// Why not.
        reason: &'static str,
    },
    /// No HTTP transport was given, and the `client` feature, which brings the default one,
    /// is off.
    #[error("no HTTP transport: enable soap-runtime's `client` feature, or give one with ClientBuilder::transport")]
    NoTransport,
    /// The default HTTP client could not be set up (TLS).
    #[error("cannot set up HTTP")]
    Http(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Settings of a [`SoapClient`]; [`SoapClient::builder`] makes one.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    endpoints: Vec<String>,
    connect_timeout: Duration,
    timeout: Duration,
    cooldown: Duration,
    max_answer_bytes: usize,
    headers: Vec<(String, String)>,
    transport: Option<Arc<dyn HttpTransport>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            endpoints: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            cooldown: Duration::from_secs(60),
            max_answer_bytes: 16 << 20,
            headers: Vec::new(),
            transport: None,
        }
    }
}

/// Headers the client writes itself, which an extra header must not replace.
const OWN_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "soapaction",
];

impl ClientBuilder {
    /// The endpoint URLs, in the order to try them (the first is the primary). Replaces any
    /// given before.
    pub fn endpoints(mut self, endpoints: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.endpoints = endpoints.into_iter().map(Into::into).collect();
        self
    }

    /// The addresses of a generated binding's ports (its `ENDPOINTS`), in the WSDL's order.
    pub fn ports(self, ports: &[Endpoint]) -> Self {
        self.endpoints(ports.iter().map(|port| port.address))
    }

    /// How long to wait for a TCP connection and TLS handshake (10 s by default). A request
    /// that cannot connect in time fails over to the next endpoint.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for a whole exchange, connection included (30 s by default). A
    /// request that times out after connecting has an unknown outcome.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long an unreachable endpoint is skipped (60 s by default).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The largest answer read (16 MiB by default): a server, or something posing as one,
    /// cannot make the client hold an unbounded body in memory. A larger answer is an
    /// unknown outcome.
    pub fn max_answer_bytes(mut self, bytes: usize) -> Self {
        self.max_answer_bytes = bytes;
        self
    }

    /// An HTTP header sent with every request of this client (an API key, say).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// HTTP basic authentication on every request.
    pub fn basic_auth(self, username: &str, password: &str) -> Self {
        use base64::Engine as _;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        self.header("Authorization", format!("Basic {token}"))
    }

    /// The HTTP implementation to use instead of the default [`ReqwestTransport`]. The
    /// timeouts of this builder are then the transport's business.
    pub fn transport(mut self, transport: impl HttpTransport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The client.
    pub fn build(self) -> Result<SoapClient, ConfigError> {
        if self.endpoints.is_empty() {
            return Err(ConfigError::NoEndpoints);
        }
        if let Some(bad) = self.endpoints.iter().find(|e| !is_http_url(e)) {
            return Err(ConfigError::BadEndpoint(bad.clone()));
        }
        for (name, value) in &self.headers {
            check_header(name, value)?;
        }
        let transport = match self.transport {
            Some(transport) => transport,
            None => self.default_transport()?,
        };
        let unreachable_since = Mutex::new(vec![None; self.endpoints.len()]);
        Ok(SoapClient {
            inner: Arc::new(Inner {
                transport,
                endpoints: self.endpoints,
                cooldown: self.cooldown,
                max_answer_bytes: self.max_answer_bytes,
                headers: self.headers,
                unreachable_since,
            }),
        })
    }

    #[cfg(feature = "client")]
    fn default_transport(&self) -> Result<Arc<dyn HttpTransport>, ConfigError> {
        if self.connect_timeout >= self.timeout {
            return Err(ConfigError::Timeouts);
        }
        let loopback = self.endpoints.iter().all(|e| is_loopback(e));
        ReqwestTransport::new(self.connect_timeout, self.timeout, loopback)
            .map(|transport| Arc::new(transport) as Arc<dyn HttpTransport>)
    }

    #[cfg(not(feature = "client"))]
    fn default_transport(&self) -> Result<Arc<dyn HttpTransport>, ConfigError> {
        Err(ConfigError::NoTransport)
    }
}

/// Whether `url` is `http://host…` or `https://host…`.
fn is_http_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty() && !rest.starts_with(['/', '?', '#']) && !url.contains(char::is_whitespace)
}

/// Whether an endpoint's host is a loopback address (`localhost`, 127.0.0.0/8, `::1`).
#[cfg_attr(not(feature = "client"), allow(dead_code))]
fn is_loopback(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        // An IPv6 host comes bracketed, as in the URL.
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_header(name: &str, value: &str) -> Result<(), ConfigError> {
    let bad = |reason| {
        Err(ConfigError::BadHeader {
            name: name.to_owned(),
            reason,
        })
    };
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return bad("not a valid header name");
    }
    if value.contains(['\r', '\n', '\0']) {
        return bad("a header value cannot hold a line break");
    }
    if OWN_HEADERS.iter().any(|own| own.eq_ignore_ascii_case(name)) {
        return bad("the client writes it itself");
    }
    Ok(())
}

/// A SOAP client: endpoints in order of preference, the failover rules of this module, and
/// an [`HttpTransport`]. Cloning it is cheap, and clones share the endpoints' cool-downs.
#[derive(Clone)]
pub struct SoapClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<dyn HttpTransport>,
    endpoints: Vec<String>,
    cooldown: Duration,
    max_answer_bytes: usize,
    headers: Vec<(String, String)>,
    /// When each endpoint was last found unreachable.
    unreachable_since: Mutex<Vec<Option<Instant>>>,
}

impl fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials: only their names are shown.
        let headers: Vec<&str> = self.inner.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("SoapClient")
            .field("endpoints", &self.inner.endpoints)
            .field("headers", &headers)
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}

/// A whole answer from the endpoint that took a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer<'a> {
    /// The endpoint that answered.
    pub endpoint: &'a str,
    /// The answer.
    pub response: HttpResponse,
}

impl HttpAnswer<'_> {
    /// The error for an answer that is not what the request asked for (`problem` says why);
    /// the request reached the server.
    pub fn bad<F>(&self, problem: impl Into<String>, source: Option<ReadError>) -> CallError<F> {
        let body = &self.response.body;
        let start = String::from_utf8_lossy(&body[..body.len().min(BODY_START)]).into_owned();
        CallError::BadResponse {
            endpoint: self.endpoint.to_owned(),
            status: self.response.status,
            content_type: self.response.content_type.clone(),
            body_start: start,
            problem: problem.into(),
            source: source.map(Box::new),
        }
    }

    /// The body as text; an answer that is not UTF-8 is a [`CallError::BadResponse`].
    pub fn text<F>(&self) -> Result<&str, CallError<F>> {
        std::str::from_utf8(&self.response.body).map_err(|e| {
            self.bad(
                format!("the body is not UTF-8 ({e}), as SOAP and this client need"),
                None,
            )
        })
    }
}

impl SoapClient {
    /// A builder with the defaults: 10 s to connect, 30 s in all, 60 s cool-down, answers of
    /// up to 16 MiB; endpoints still to give.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The endpoints, in order of preference.
    pub fn endpoints(&self) -> &[String] {
        &self.inner.endpoints
    }

    /// Calls operation `O` with `input` and no SOAP headers, and returns its output body, or
    /// its fault.
    pub async fn call<O: Operation>(&self, input: &O::Input) -> CallResult<O> {
        self.call_with_headers::<O>(input, &O::InputHeaders::default())
            .await
            .map(|response| response.body)
    }

    /// Calls operation `O`: writes `input` and `headers` in its request envelope, posts it,
    /// and reads its response: the output body and headers, or its fault.
    pub async fn call_with_headers<O: Operation>(
        &self,
        input: &O::Input,
        headers: &O::InputHeaders,
    ) -> Result<ResponseMessage<O>, CallError<O::Fault>> {
        let body = Bytes::from(write_request::<O>(input, headers));
        let info = &O::INFO;
        let (content_type, http_headers) = match info.version {
            SoapVersion::Soap11 => (
                SoapVersion::Soap11.content_type().to_owned(),
                vec![("SOAPAction".to_owned(), format!("\"{}\"", info.soap_action))],
            ),
            // SOAP 1.2 carries the action as a parameter of the media type, and has no
            // SOAPAction header.
            SoapVersion::Soap12 if info.soap_action.is_empty() => {
                (SoapVersion::Soap12.content_type().to_owned(), Vec::new())
            }
            SoapVersion::Soap12 => (
                format!(
                    "{}; action=\"{}\"",
                    SoapVersion::Soap12.content_type(),
                    info.soap_action
                ),
                Vec::new(),
            ),
        };
        let answer = self.post(&content_type, &http_headers, body).await?;
        read_answer::<O>(&answer)
    }

    /// Posts `body` under the rules of this module (endpoints in order, failover only while
    /// nothing can have been sent, never a second send), with `headers` and the client's own
    /// headers, and reads the whole answer, whatever its HTTP status: what it means is the
    /// caller's to say. For APIs beside SOAP that the same servers offer (a form post, say).
    pub async fn post<F>(
        &self,
        content_type: &str,
        headers: &[(String, String)],
        body: impl Into<Bytes>,
    ) -> Result<HttpAnswer<'_>, CallError<F>> {
        let body = body.into();
        let inner = &*self.inner;
        let mut all_headers = Vec::with_capacity(headers.len() + inner.headers.len());
        all_headers.extend_from_slice(headers);
        all_headers.extend_from_slice(&inner.headers);
        let mut attempts = Vec::new();
        let order = self.order();
        for (tried, &index) in order.iter().enumerate() {
            let endpoint = &inner.endpoints[index];
            let request = HttpRequest::new(
                endpoint,
                content_type,
                &all_headers,
                body.clone(),
                inner.max_answer_bytes,
            );
            match inner.transport.post(request).await {
                Ok(response) => {
                    self.mark(index, false);
                    return Ok(HttpAnswer { endpoint, response });
                }
                Err(error) if error.reach() == Reach::NotSent => {
                    if tried + 1 < order.len() {
                        tracing::warn!(endpoint = %endpoint, %error, "endpoint unreachable; trying the next one");
                    } else {
                        tracing::warn!(endpoint = %endpoint, %error, "endpoint unreachable");
                    }
                    self.mark(index, true);
                    attempts.push(Attempt {
                        endpoint: endpoint.clone(),
                        error,
                    });
                }
                Err(error) => {
                    return Err(CallError::OutcomeUnknown {
                        endpoint: endpoint.clone(),
                        source: error,
                    })
                }
            }
        }
        Err(CallError::Unreachable { attempts })
    }

    /// The order to try the endpoints in now: those not cooling down first, in configured
    /// order; then the others, in configured order.
    fn order(&self) -> Vec<usize> {
        let now = Instant::now();
        let since = self
            .inner
            .unreachable_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let cooling =
            |i: &usize| since[*i].is_some_and(|t| now.duration_since(t) < self.inner.cooldown);
        let (cold, ready): (Vec<usize>, Vec<usize>) =
            (0..self.inner.endpoints.len()).partition(cooling);
        ready.into_iter().chain(cold).collect()
    }

    fn mark(&self, index: usize, unreachable: bool) {
        let mut since = self
            .inner
            .unreachable_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        since[index] = unreachable.then(Instant::now);
    }
}

const EMPTY_SOAP11: &str =
    r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body/></Envelope>"#;
const EMPTY_SOAP12: &str =
    r#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>"#;

/// Operation `O`'s response from an answer: a SOAP Fault, an error status or a body that is
/// not the response is an error, never retried.
fn read_answer<O: Operation>(
    answer: &HttpAnswer<'_>,
) -> Result<ResponseMessage<O>, CallError<O::Fault>> {
    let status = answer.response.status;
    let success = (200..300).contains(&status);
    let text = if O::INFO.output.is_none() && success && answer.response.body.is_empty() {
        // A one-way operation: HTTP 202 (or 200) with nothing in it, read as the empty
        // envelope it stands for.
        match O::INFO.version {
            SoapVersion::Soap11 => EMPTY_SOAP11,
            SoapVersion::Soap12 => EMPTY_SOAP12,
        }
    } else {
        answer.text()?
    };
    match read_response::<O>(text) {
        Ok(received) if success => Ok(received),
        Ok(_) => Err(answer.bad(
            format!("a SOAP response with HTTP status {status}, which is not a success"),
            None,
        )),
        Err(EnvelopeError::Fault(fault)) => Err(CallError::Fault {
            endpoint: answer.endpoint.to_owned(),
            status,
            fault: Box::new(fault),
        }),
        Err(EnvelopeError::Read(error)) => Err(answer.bad(error.to_string(), Some(error))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_endpoints_are_recognised() {
        for yes in [
            "http://127.0.0.1:8081/sendsms5",
            "http://127.1.2.3/x",
            "http://localhost:8081/sendsms5",
            "http://[::1]:8081/sendsms5",
            "http://user@127.0.0.1/",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "https://www.csoft.co.uk/sendsms5",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://127.0.0.1.example.com/",
            "not a url",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn only_http_urls_are_endpoints() {
        for yes in ["http://a", "HTTPS://b.example/x", "http://127.0.0.1:9/"] {
            assert!(is_http_url(yes), "{yes}");
        }
        for no in ["ftp://a", "http://", "https:///x", "http://a b", "a", ""] {
            assert!(!is_http_url(no), "{no}");
        }
    }

    #[test]
    fn extra_headers_are_checked() {
        assert!(check_header("X-Api-Key", "k").is_ok());
        for (name, value) in [
            ("", "v"),
            ("Bad Name", "v"),
            ("X-Ok", "a\r\nInjected: yes"),
            ("Content-Type", "text/plain"),
            ("soapaction", "x"),
        ] {
            assert!(check_header(name, value).is_err(), "{name:?} {value:?}");
        }
    }
}
