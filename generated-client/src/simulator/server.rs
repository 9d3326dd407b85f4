//! The HTTP side: one axum handler per API (the Connection Software SOAP API at [`PATH`],
//! its HTTP API at [`crate::http_api::PATH`], Clickatell's at
//! [`super::clickatell::PATH`]), which counts the request, applies the injected failure if
//! any, and lets the gateway answer: the SOAP APIs through the servers generated from their
//! WSDLs, which route each request to the gateway's implementation of their traits.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use soap_runtime::server::{Context, Dispatch, Incoming};

use super::gateway::{Gateway, Reply};
use super::net::ConnInfo;
use super::{Failure, Repeat};
use crate::generated::clickatell::clickatell_sms_binding::ClickatellSmsBindingServer;
use crate::generated::sendsms5::service::ServiceServer;

/// The path the simulator serves, like the vendor's `/sendsms5`.
pub(crate) const PATH: &str = "/sendsms5";

/// The injected failure of one listener.
#[derive(Debug, Default)]
pub(crate) struct Failures {
    current: Mutex<Option<(Failure, Repeat)>>,
}

impl Failures {
    pub(crate) fn set(&self, failure: Option<(Failure, Repeat)>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = failure;
    }

    /// The failure for the request at hand; a `Once` failure is used up by it.
    fn take(&self) -> Option<Failure> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        match *current {
            Some((failure, Repeat::Once)) => {
                *current = None;
                Some(failure)
            }
            Some((failure, Repeat::UntilCleared)) => Some(failure),
            None => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) gateway: Arc<Gateway>,
    failures: Arc<Failures>,
    pub(crate) server: SocketAddr,
    csoft: ServiceServer<Gateway>,
    clickatell: ClickatellSmsBindingServer<Gateway>,
}

pub(crate) fn router(gateway: Arc<Gateway>, failures: Arc<Failures>, server: SocketAddr) -> Router {
    Router::new()
        .route(
            PATH,
            post(|State(app): State<App>, info, headers, body| async move {
                handle_soap(&app, &app.csoft, info, headers, body).await
            }),
        )
        .route(crate::http_api::PATH, post(super::http_api::handle))
        .route(
            super::clickatell::PATH,
            post(|State(app): State<App>, info, headers, body| async move {
                handle_soap(&app, &app.clickatell, info, headers, body).await
            }),
        )
        .with_state(App {
            csoft: ServiceServer::from_arc(Arc::clone(&gateway)),
            clickatell: ClickatellSmsBindingServer::from_arc(Arc::clone(&gateway)),
            gateway,
            failures,
            server,
        })
}

/// Which API a request came through: it decides how answers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// SOAP envelopes, `text/xml`.
    Soap,
    /// The HTTP API's plain text.
    Http,
}

/// A SOAP request, routed by the generated server `dispatcher` to its operation, which is
/// counted before the server serves it (or an injected failure stands in for it).
async fn handle_soap<D: Dispatch>(
    app: &App,
    dispatcher: &D,
    ConnectInfo(info): ConnectInfo<ConnInfo>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let context = Context::new(None, Some(app.server), Vec::new());
    let incoming = Incoming::new(
        &body,
        header(header::CONTENT_TYPE.as_str()),
        header("soapaction"),
        context,
    );
    match incoming.route(dispatcher.operations()) {
        Ok(routed) => {
            let operation = routed.operation().name;
            serve(app, &info, Some(operation), Api::Soap, || async {
                Reply::from(dispatcher.serve(routed).await)
            })
            .await
        }
        Err(answer) => {
            serve(app, &info, None, Api::Soap, || async {
                Reply::from(answer)
            })
            .await
        }
    }
}

/// Counts a request for `operation`, applies the injected failure if any, and has
/// `carry_out` do the request and say the answer.
pub(crate) async fn serve<Carried: Future<Output = Reply>>(
    app: &App,
    info: &ConnInfo,
    operation: Option<&str>,
    api: Api,
    carry_out: impl FnOnce() -> Carried,
) -> Response {
    app.gateway.count_request(app.server, operation);
    tracing::debug!(server = %app.server, operation = operation.unwrap_or("?"), "request");
    let failure = app.failures.take();
    let respond = |reply| respond(api, reply);
    if failure == Some(Failure::Http500) {
        // The server "failed" before doing anything: nothing is sent, nothing is charged.
        return respond(match api {
            Api::Soap => Reply::server_fault("simulated server failure"),
            Api::Http => Reply {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                body: "simulated server failure".to_owned(),
            },
        });
    }
    // Every other failure strikes after the request was carried out: the dangerous case for a
    // client, which cannot tell whether its messages went out.
    let reply = carry_out().await;
    match failure {
        None | Some(Failure::Http500) => respond(reply),
        Some(Failure::Delay(delay)) => {
            // A connection cut meanwhile (shutdown, refusing) ends the wait: nobody is left to
            // answer.
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = info.conn.killed() => {}
            }
            respond(reply)
        }
        Some(Failure::DropConnection) => {
            tracing::debug!(server = %app.server, "dropping the connection without an answer");
            info.conn.kill();
            // Never written: the connection fails as hyper starts writing it.
            respond(reply)
        }
        Some(Failure::MalformedBody) => respond(Reply {
            status: StatusCode::OK,
            body: match api {
                Api::Soap => truncated(reply.body),
                Api::Http => cut_before_report(reply.body),
            },
        }),
    }
}

/// An HTTP API answer cut off in transit before its `Report`: half of a short `tag=value`
/// answer could still read as a whole one, the part before `Report` never does.
fn cut_before_report(mut body: String) -> String {
    match body.find("Report=") {
        Some(cut) => {
            body.truncate(cut.saturating_sub(1));
            body
        }
        None => truncated(body),
    }
}

/// The first half of an envelope: a reply cut off in transit. What follows the body's element
/// (its end tag, then those of Body and Envelope) is shorter than what precedes its content
/// (the prolog and start tags with their namespace declarations), so the cut always falls
/// before that element ends and no reader can take the rest for a complete answer.
fn truncated(mut body: String) -> String {
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body.truncate(cut);
    body
}

fn respond(api: Api, reply: Reply) -> Response {
    let content_type = match api {
        Api::Soap => "text/xml; charset=utf-8",
        // What the vendor's HTTP API answers with.
        Api::Http => "text/html; charset=utf-8",
    };
    (
        reply.status,
        [(header::CONTENT_TYPE, content_type)],
        reply.body,
    )
        .into_response()
}
