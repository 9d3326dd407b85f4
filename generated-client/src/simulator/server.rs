//! The HTTP side: one axum handler per listener, which counts the request, applies the
//! injected failure if any, and lets the gateway answer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::gateway::{peek, Gateway, Reply};
use super::net::ConnInfo;
use super::{Failure, Repeat};

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
struct App {
    gateway: Arc<Gateway>,
    failures: Arc<Failures>,
    server: SocketAddr,
}

pub(crate) fn router(gateway: Arc<Gateway>, failures: Arc<Failures>, server: SocketAddr) -> Router {
    Router::new().route(PATH, post(handle)).with_state(App {
        gateway,
        failures,
        server,
    })
}

async fn handle(
    State(app): State<App>,
    ConnectInfo(info): ConnectInfo<ConnInfo>,
    body: Bytes,
) -> Response {
    let peeked = peek(&body);
    let operation = peeked.as_ref().ok().map(|p| p.operation.as_str());
    app.gateway.count_request(app.server, operation);
    tracing::debug!(server = %app.server, operation = operation.unwrap_or("?"), "request");
    let failure = app.failures.take();
    if failure == Some(Failure::Http500) {
        // The server "failed" before doing anything: nothing is sent, nothing is charged.
        return respond(Reply::server_fault("simulated server failure"));
    }
    // Every other failure strikes after the request was carried out: the dangerous case for a
    // client, which cannot tell whether its messages went out.
    let reply = match peeked {
        Ok(request) => app.gateway.process(app.server, &request),
        Err(reply) => reply,
    };
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
            body: truncated(reply.body),
        }),
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

fn respond(reply: Reply) -> Response {
    (
        reply.status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        reply.body,
    )
        .into_response()
}
