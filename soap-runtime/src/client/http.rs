//! The seam between SOAP and HTTP: what [`SoapClient`](super::SoapClient) asks of an HTTP
//! implementation, and the one fact it needs back when a request fails, whether the request
//! may have reached the server.
//!
//! [`ReqwestTransport`](super::ReqwestTransport) (feature `client`) is the implementation used
//! by default; another HTTP stack, or a test double, implements [`HttpTransport`].

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

/// A future that is `Send`, boxed: what [`HttpTransport::post`] returns, so that the trait
/// stays object-safe and one client can hold any implementation.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One HTTP POST to make.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpRequest<'a> {
    /// The endpoint's URL.
    pub url: &'a str,
    /// The `Content-Type` header.
    pub content_type: &'a str,
    /// Further headers (`SOAPAction`, and those the client was configured with).
    pub headers: &'a [(String, String)],
    /// The body. Cloning it is cheap, as a failover to the next endpoint needs.
    pub body: Bytes,
    /// The largest answer body to read: a longer one is [`TransportError::may_have_reached`],
    /// never read whole into memory.
    pub max_answer_bytes: usize,
}

impl<'a> HttpRequest<'a> {
    /// A POST of `body` to `url` with this content type and these further headers.
    pub fn new(
        url: &'a str,
        content_type: &'a str,
        headers: &'a [(String, String)],
        body: Bytes,
        max_answer_bytes: usize,
    ) -> Self {
        Self {
            url,
            content_type,
            headers,
            body,
            max_answer_bytes,
        }
    }
}

/// The whole answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, read whole (up to the request's limit).
    pub body: Bytes,
}

impl HttpResponse {
    /// An answer with this status, content type and body.
    pub fn new(status: u16, content_type: Option<String>, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// Whether a failed request may have reached the server: what decides between failing over
/// and reporting an unknown outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Nothing of the request can have been received: the name did not resolve, the
    /// connection was refused or timed out, the TLS handshake failed.
    NotSent,
    /// The request may have been written, in part or whole: the connection broke, no answer
    /// came in time, the answer was cut off or too large.
    MayHaveReached,
}

/// Why an HTTP exchange failed, and whether the server may have the request.
#[derive(Debug)]
pub struct TransportError {
    reach: Reach,
    source: Box<dyn StdError + Send + Sync>,
}

impl TransportError {
    /// A failure before any byte of the request was written: the next endpoint may be tried.
    pub fn not_sent(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            reach: Reach::NotSent,
            source: source.into(),
        }
    }

    /// A failure after the request may have been written: it must not be sent again.
    pub fn may_have_reached(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            reach: Reach::MayHaveReached,
            source: source.into(),
        }
    }

    /// Whether the server may have the request.
    pub fn reach(&self) -> Reach {
        self.reach
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cause's own chain is where HTTP stacks keep the useful part ("connection
        // refused"), so it is shown whole here; `source()` gives it as a value too.
        let mut text = self.source.to_string();
        let mut cause = self.source.source();
        while let Some(error) = cause {
            let more = error.to_string();
            if !text.contains(&more) {
                text.push_str(": ");
                text.push_str(&more);
            }
            cause = error.source();
        }
        f.write_str(&text)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// An HTTP client as [`SoapClient`](super::SoapClient) uses it: one POST at a time, and an
/// honest answer to "may the server have it?" when it fails.
///
/// An implementation must:
/// * never follow a redirect (that would send the request somewhere else);
/// * never retry on its own;
/// * report [`Reach::NotSent`] only when no byte of the request can have been written;
/// * read at most [`HttpRequest::max_answer_bytes`] of an answer.
pub trait HttpTransport: Send + Sync + fmt::Debug + 'static {
    /// Sends one POST and reads its whole answer, whatever its status.
    fn post<'a>(
        &'a self,
        request: HttpRequest<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>>;
}
