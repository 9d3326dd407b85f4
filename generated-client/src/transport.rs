//! Requests over HTTP with endpoint failover that never sends a request twice: SOAP calls
//! ([`Transport::call`]) and, through the same rules ([`Transport::send_with_failover`]), the
//! HTTP API's form posts ([`crate::http_api`]).
//!
//! The rule, from the vendor's documents: fail over to the next endpoint when a server cannot
//! be reached, and never retry a request whose outcome is in doubt or that got an error report.
//! So a request moves on only when it cannot have reached the server: the name did not
//! resolve, the TCP connection was refused or timed out, or the TLS handshake failed (reqwest
//! reports all of these as connect errors, raised before any byte of the request is written).
//! Once a connection is up and the request may have been written, any failure (the connection
//! dropped, no answer in time) is [`CallError::OutcomeUnknown`], and nothing is sent anywhere
//! else.
//!
//! An endpoint that could not be reached is skipped for a cool-down (60 seconds by default),
//! so a dead primary does not cost a connect timeout on every request; after the cool-down it
//! is tried first again. If every endpoint is cooling down, all are tried in order anyway.
//!
//! When every endpoint is on loopback (the simulator), proxy settings from the environment
//! are ignored: a proxy cannot reach this machine's loopback, and through one a refused
//! connection would come back as the proxy's HTTP 502, which is never resent.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use soap_runtime::envelope::{read_response, write_request, EnvelopeError, Fault};
use soap_runtime::{Operation, ReadError};

/// Why a call failed, and what is known about whether the server got it.
#[derive(Debug, thiserror::Error)]
pub enum CallError<F> {
    /// No endpoint could be reached: the request was sent nowhere.
    #[error("no endpoint could be reached ({})", describe_attempts(.attempts))]
    Unreachable {
        /// Each endpoint tried, and why it could not be reached.
        attempts: Vec<(String, String)>,
    },
    /// The request may have reached `endpoint` (it was written, then the connection failed or
    /// no answer came in time). It was not sent anywhere else.
    #[error("outcome unknown: the request may have reached {endpoint}, which did not answer ({reason}); it was not resent")]
    OutcomeUnknown {
        /// The endpoint that may have received the request.
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// The server answered with a SOAP Fault.
    #[error("{endpoint} answered with a SOAP fault: {fault}")]
    Fault {
        /// The endpoint that answered.
        endpoint: String,
        /// The fault.
        fault: Fault<F>,
    },
    /// The server answered something that is not the operation's response (an HTTP error
    /// status without a SOAP Fault, or a body that cannot be read). The request reached it.
    #[error("{endpoint} answered HTTP {status} with an unreadable or unexpected body: {reason}")]
    BadResponse {
        /// The endpoint that answered.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong with the body.
        reason: String,
    },
}

fn describe_attempts(attempts: &[(String, String)]) -> String {
    attempts
        .iter()
        .map(|(endpoint, reason)| format!("{endpoint}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl<F> CallError<F> {
    /// Whether the request may have been received by a server (every error but
    /// [`CallError::Unreachable`]).
    pub fn may_have_been_received(&self) -> bool {
        !matches!(self, Self::Unreachable { .. })
    }
}

/// Settings of a [`Transport`].
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Endpoint URLs in the order to try them (primary first).
    pub endpoints: Vec<String>,
    /// How long to wait for a TCP connection and TLS handshake.
    pub connect_timeout: Duration,
    /// How long to wait for the whole exchange, connection included.
    pub timeout: Duration,
    /// How long an unreachable endpoint is skipped.
    pub cooldown: Duration,
    /// The largest answer read: a server (or something posing as one) cannot make the client
    /// hold an unbounded body in memory.
    pub max_answer_bytes: usize,
}

impl TransportConfig {
    /// The defaults (10 s to connect, 30 s in all, 60 s cool-down) for these endpoints.
    pub fn new(endpoints: Vec<String>) -> Self {
        Self {
            endpoints,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            cooldown: Duration::from_secs(60),
            max_answer_bytes: 16 << 20,
        }
    }

    /// The defaults for the ports a generated binding lists (its `ENDPOINTS`), in the WSDL's
    /// order: the first is the primary.
    pub fn for_ports(ports: &[soap_runtime::Endpoint]) -> Self {
        Self::new(ports.iter().map(|port| port.address.to_owned()).collect())
    }
}

/// Configuration errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot set up HTTP: {0}")]
    Http(String),
}

/// Sends requests to the first endpoint that can be reached.
#[derive(Debug)]
pub struct Transport {
    http: reqwest::Client,
    endpoints: Vec<String>,
    cooldown: Duration,
    max_answer_bytes: usize,
    /// When each endpoint was last found unreachable.
    unreachable_since: Mutex<Vec<Option<Instant>>>,
}

impl Transport {
    /// A transport over HTTP/1.1 with keep-alive, rustls for https.
    pub fn new(config: TransportConfig) -> Result<Self, ConfigError> {
        if config.endpoints.is_empty() {
            return Err(ConfigError::NoEndpoints);
        }
        if let Some(bad) = config.endpoints.iter().find(|e| {
            reqwest::Url::parse(e).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        }) {
            return Err(ConfigError::BadEndpoint(bad.clone()));
        }
        if config.connect_timeout >= config.timeout {
            return Err(ConfigError::Timeouts);
        }
        let mut http = reqwest::Client::builder();
        if config.endpoints.iter().all(|e| is_loopback(e)) {
            // A proxy from the environment cannot reach this machine's loopback (the
            // simulator), and through a proxy a refused connection comes back as the proxy's
            // HTTP 502, which must not be resent: failover would never happen.
            http = http.no_proxy();
        }
        let http = http
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .http1_only()
            // A redirect would resend the request to another place: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        let unreachable_since = Mutex::new(vec![None; config.endpoints.len()]);
        Ok(Self {
            http,
            endpoints: config.endpoints,
            cooldown: config.cooldown,
            max_answer_bytes: config.max_answer_bytes,
            unreachable_since,
        })
    }

    /// The endpoints, in order of preference.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The order to try the endpoints in now: those not cooling down first, in configured
    /// order; then the others, in configured order.
    fn order(&self) -> Vec<usize> {
        let now = Instant::now();
        let since = self
            .unreachable_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let cooling = |i: &usize| since[*i].is_some_and(|t| now.duration_since(t) < self.cooldown);
        let (cold, ready): (Vec<usize>, Vec<usize>) = (0..self.endpoints.len()).partition(cooling);
        ready.into_iter().chain(cold).collect()
    }

    fn mark(&self, index: usize, unreachable: bool) {
        let mut since = self
            .unreachable_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        since[index] = unreachable.then(Instant::now);
    }

    /// Calls operation `O` with `input`.
    pub async fn call<O: Operation>(
        &self,
        input: &O::Input,
    ) -> Result<O::Output, CallError<O::Fault>> {
        let body = write_request::<O>(input, &Default::default());
        let answer = self
            .send_with_failover(|http, endpoint| {
                http.post(endpoint)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        O::INFO.version.content_type(),
                    )
                    .header("SOAPAction", format!("\"{}\"", O::INFO.soap_action))
                    .body(body.clone())
            })
            .await?;
        read_soap_answer::<O>(answer)
    }

    /// Sends the request that `request` builds (from this transport's HTTP client and an
    /// endpoint URL) to the first endpoint that can be reached, and reads the whole answer.
    ///
    /// This is where the rules of this module live, for every API: endpoints in order, those
    /// cooling down last; on to the next one only when the request cannot have reached the
    /// server (a connect error); once it may have, [`CallError::OutcomeUnknown`] for any
    /// failure, and nothing is sent anywhere else. The answer is returned whatever its HTTP
    /// status: what it means is the caller's to say, and none is ever resent.
    pub async fn send_with_failover<F>(
        &self,
        request: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<HttpAnswer<'_>, CallError<F>> {
        let mut attempts = Vec::new();
        let order = self.order();
        for (tried, &index) in order.iter().enumerate() {
            let endpoint = &self.endpoints[index];
            match request(&self.http, endpoint).send().await {
                Err(error) if error.is_connect() => {
                    let reason = error_chain(&error);
                    if tried + 1 < order.len() {
                        tracing::warn!(endpoint = %endpoint, error = %reason, "endpoint unreachable; trying the next one");
                    } else {
                        tracing::warn!(endpoint = %endpoint, error = %reason, "endpoint unreachable");
                    }
                    self.mark(index, true);
                    attempts.push((endpoint.clone(), reason));
                }
                Err(error) => {
                    return Err(CallError::OutcomeUnknown {
                        endpoint: endpoint.clone(),
                        reason: error_chain(&error),
                    });
                }
                Ok(response) => {
                    self.mark(index, false);
                    let status = response.status().as_u16();
                    return self
                        .read_answer(response)
                        .await
                        .map(|body| HttpAnswer {
                            endpoint,
                            status,
                            body,
                        })
                        .map_err(|reason| CallError::OutcomeUnknown {
                            endpoint: endpoint.clone(),
                            reason,
                        });
                }
            }
        }
        Err(CallError::Unreachable { attempts })
    }
}

impl Transport {
    /// The answer's body, read up to the size limit. Either failure leaves the outcome
    /// unknown: the server has the request.
    async fn read_answer(&self, mut response: reqwest::Response) -> Result<String, String> {
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("the answer was cut off: {}", error_chain(&e)))?
        {
            if body.len() + chunk.len() > self.max_answer_bytes {
                return Err(format!(
                    "the answer is larger than {} bytes; not read",
                    self.max_answer_bytes
                ));
            }
            body.extend_from_slice(&chunk);
        }
        // SOAP and the HTTP API answer in UTF-8 (a declared ISO-8859-1 body is ASCII in
        // practice); anything else is kept, replaced, for the reader to reject.
        Ok(String::from_utf8(body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

/// A whole answer from the endpoint that took a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer<'a> {
    /// The endpoint that answered.
    pub endpoint: &'a str,
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

impl HttpAnswer<'_> {
    /// The error for an answer that is not what the request asks for; the request reached
    /// the server.
    pub fn bad<F>(&self, reason: impl Into<String>) -> CallError<F> {
        bad(self.endpoint, self.status, reason.into())
    }
}

/// Operation `O`'s output from a SOAP answer: a SOAP Fault, an error status or an unreadable
/// body is an error, never retried.
fn read_soap_answer<O: Operation>(
    answer: HttpAnswer<'_>,
) -> Result<O::Output, CallError<O::Fault>> {
    match read_response::<O>(&answer.body) {
        Ok(received) if answer.status == 200 => Ok(received.body),
        Ok(_) => Err(answer.bad("a SOAP response with an error status")),
        Err(EnvelopeError::Fault(fault)) => Err(CallError::Fault {
            endpoint: answer.endpoint.to_owned(),
            fault,
        }),
        Err(EnvelopeError::Read(error)) => Err(answer.bad(read_reason(&error))),
    }
}

/// Whether an endpoint's host is a loopback address (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    // An IPv6 host comes bracketed, as in the URL.
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn bad<F>(endpoint: &str, status: u16, reason: String) -> CallError<F> {
    CallError::BadResponse {
        endpoint: endpoint.to_owned(),
        status,
        reason,
    }
}

fn read_reason(error: &ReadError) -> String {
    error.to_string()
}

/// An error with its causes, which is where reqwest keeps the useful part ("connection
/// refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
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
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "https://www.csoft.co.uk/sendsms5",
            "http://10.0.0.1/",
            "http://[::2]/",
            "not a url",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }
}
