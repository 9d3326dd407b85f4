//! The HTTP side of every simulated API: a handler counts the request under its operation,
//! applies the listener's injected failure if any, and lets the vendor answer, SOAP requests
//! through the server generated from the vendor's WSDL ([`Listener::soap`]), other APIs
//! through a function of the vendor's ([`Listener::custom`]).

use std::future::Future;

use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use soap_runtime::envelope::Fault;
use soap_runtime::server::{Context, Dispatch, Incoming, Outgoing};
use soap_runtime::{NoFault, SoapVersion};

use super::net::ConnInfo;
use super::{Failure, Listener};

/// An answer: HTTP status, content type, body, and where a cut-off copy of it is cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: String,
    /// Where [`Failure::MalformedBody`] cuts the body: half-way unless the vendor says
    /// otherwise (half of a short answer could still read as a whole one).
    cut_at: Option<usize>,
}

impl Reply {
    /// An answer with this status, content type and body.
    pub fn new(status: StatusCode, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type,
            body,
            cut_at: None,
        }
    }

    /// The same answer, cut at byte `at` (rounded down to a character boundary) when a
    /// malformed answer is asked for.
    pub fn cut_at(mut self, at: usize) -> Self {
        self.cut_at = Some(at);
        self
    }

    /// The answer's body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// A SOAP 1.1 Fault blaming the server (`soap:Server`), with HTTP 500 as SOAP 1.1 sends
    /// every Fault.
    pub fn server_fault(reason: impl Into<String>) -> Self {
        Outgoing::fault(SoapVersion::Soap11, None, &Fault::<NoFault>::server(reason)).into()
    }

    /// The answer of a server that "failed" before doing anything, as plain text.
    fn failed(content_type: &'static str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            content_type,
            "simulated server failure".to_owned(),
        )
    }

    /// The first part of the body: an answer cut off in transit.
    fn truncated(mut self) -> Self {
        // What follows a SOAP body's element (its end tag, then those of Body and Envelope)
        // is shorter than what precedes its content (the prolog and start tags with their
        // namespace declarations), so half-way always falls before that element ends and no
        // reader can take the rest for a complete answer.
        let mut cut = self
            .cut_at
            .unwrap_or(self.body.len() / 2)
            .min(self.body.len());
        while !self.body.is_char_boundary(cut) {
            cut -= 1;
        }
        self.body.truncate(cut);
        self.status = StatusCode::OK;
        self
    }

    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, self.content_type)],
            self.body,
        )
            .into_response()
    }
}

impl From<Outgoing> for Reply {
    fn from(outgoing: Outgoing) -> Self {
        Self::new(
            StatusCode::from_u16(outgoing.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            outgoing.content_type,
            outgoing.body,
        )
    }
}

impl Listener {
    /// A route serving a SOAP API through a generated server: each request is routed to its
    /// operation, counted under its name, and served (or an injected failure stands in).
    pub fn soap<D: Dispatch + Clone>(&self, dispatcher: D) -> MethodRouter {
        let listener = self.clone();
        post(
            move |ConnectInfo(info): ConnectInfo<ConnInfo>, headers: HeaderMap, body: Bytes| async move {
                let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
                let context = Context::new(None, Some(listener.server), Vec::new());
                let incoming = Incoming::new(
                    &body,
                    header(header::CONTENT_TYPE.as_str()),
                    header("soapaction"),
                    context,
                );
                match incoming.route(dispatcher.operations()) {
                    Ok(routed) => {
                        let operation = routed.operation().name;
                        let failed = Reply::server_fault("simulated server failure");
                        listener
                            .serve(&info, Some(operation), failed, || async {
                                Reply::from(dispatcher.serve(routed).await)
                            })
                            .await
                    }
                    Err(answer) => {
                        let failed = Reply::server_fault("simulated server failure");
                        listener
                            .serve(&info, None, failed, || async { Reply::from(answer) })
                            .await
                    }
                }
            },
        )
    }

    /// A route serving an API of the vendor's own (a form post, say), answered in
    /// `content_type`: `answer` gets the body and the listener's address; requests are
    /// counted under `operation`.
    pub fn custom<F>(
        &self,
        operation: &'static str,
        content_type: &'static str,
        answer: F,
    ) -> MethodRouter
    where
        F: Fn(&[u8], std::net::SocketAddr) -> Reply + Clone + Send + Sync + 'static,
    {
        let listener = self.clone();
        post(
            move |ConnectInfo(info): ConnectInfo<ConnInfo>, body: Bytes| async move {
                let failed = Reply::failed(content_type);
                listener
                    .serve(&info, Some(operation), failed, || async {
                        answer(&body, listener.server)
                    })
                    .await
            },
        )
    }

    /// Counts a request for `operation`, applies the injected failure if any, and has
    /// `carry_out` do the request and say the answer. `failed` is the answer of a server that
    /// fails before doing anything.
    async fn serve<Carried: Future<Output = Reply>>(
        &self,
        info: &ConnInfo,
        operation: Option<&str>,
        failed: Reply,
        carry_out: impl FnOnce() -> Carried,
    ) -> Response {
        self.counters.count_request(self.server, operation);
        tracing::debug!(server = %self.server, operation = operation.unwrap_or("?"), "request");
        let failure = self.failures.take();
        if failure == Some(Failure::Http500) {
            // The server "failed" before doing anything: nothing is sent, nothing is charged.
            return failed.into_response();
        }
        // Every other failure strikes after the request was carried out: the dangerous case
        // for a client, which cannot tell whether its messages went out.
        let reply = carry_out().await;
        match failure {
            None | Some(Failure::Http500) => reply.into_response(),
            Some(Failure::Delay(delay)) => {
                // A connection cut meanwhile (shutdown, refusing) ends the wait: nobody is
                // left to answer.
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = info.conn.killed() => {}
                }
                reply.into_response()
            }
            Some(Failure::DropConnection) => {
                tracing::debug!(server = %self.server, "dropping the connection without an answer");
                info.conn.kill();
                // Never written: the connection fails as hyper starts writing it.
                reply.into_response()
            }
            Some(Failure::MalformedBody) => reply.truncated().into_response(),
        }
    }
}
