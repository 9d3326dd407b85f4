//! A generated server on axum: every path, POST only, a body size limit, the SOAP content
//! types; everything else answered with the right HTTP status and a SOAP Fault.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt as _;

use super::{client_fault, Context, Dispatch, Incoming, Outgoing};
use crate::SoapVersion;

/// The largest request body read by default: 4 MiB, far above any ordinary SOAP request,
/// and small enough that many at once cannot exhaust memory.
pub const DEFAULT_BODY_LIMIT: usize = 4 << 20;

/// A generated server ([`Dispatch`]) served over HTTP by axum.
///
/// ```no_run
/// # async fn example<D: soap_runtime::server::Dispatch>(dispatcher: D) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// soap_runtime::server::SoapServer::new(dispatcher).serve(listener).await
/// # }
/// ```
pub struct SoapServer<D> {
    dispatcher: Arc<D>,
    body_limit: usize,
}

impl<D> std::fmt::Debug for SoapServer<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapServer")
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// The address a request came in on, which [`SoapServer::serve`] adds to every request.
#[derive(Debug, Clone, Copy)]
struct LocalAddr(SocketAddr);

impl<D: Dispatch> SoapServer<D> {
    /// A server for `dispatcher`, reading bodies of up to [`DEFAULT_BODY_LIMIT`].
    pub fn new(dispatcher: D) -> Self {
        Self {
            dispatcher: Arc::new(dispatcher),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// The largest request body read; a larger one is answered 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// An axum router that serves the binding at every path, to nest or merge into an
    /// application's own.
    pub fn router(self) -> Router {
        let shared = Arc::new(self);
        Router::new().fallback(handle::<D>).with_state(shared)
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        self.serve_with_shutdown(listener, std::future::pending())
            .await
    }

    /// Serves on `listener` until `signal` completes, then lets requests in progress finish.
    pub async fn serve_with_shutdown(
        self,
        listener: tokio::net::TcpListener,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let local = listener.local_addr()?;
        let app = self
            .router()
            .layer(axum::Extension(LocalAddr(local)))
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await
    }
}

/// Every request, whatever its method and path.
async fn handle<D: Dispatch>(
    State(server): State<Arc<SoapServer<D>>>,
    request: Request,
) -> Response {
    // Faults about HTTP itself are written in SOAP 1.1 unless the request asks for 1.2.
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let version = match content_type.map(media_type) {
        Some(mime) if mime.eq_ignore_ascii_case("application/soap+xml") => SoapVersion::Soap12,
        _ => SoapVersion::Soap11,
    };
    if parts.method != Method::POST {
        let mut response = fault_response(
            StatusCode::METHOD_NOT_ALLOWED,
            version,
            format!("SOAP requests are POSTed, not sent with {}", parts.method),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if let Some(content_type) = content_type {
        if !is_soap_media_type(content_type) {
            return fault_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                version,
                format!("a SOAP request is text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2), not {content_type}"),
            );
        }
    } else if parts.headers.contains_key(header::CONTENT_TYPE) {
        return fault_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            version,
            "the Content-Type header is not text".to_owned(),
        );
    }
    let too_large = || {
        fault_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            version,
            format!("the request is larger than {} bytes", server.body_limit),
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > server.body_limit as u64) {
        return too_large();
    }
    let body = match http_body_util::Limited::new(body, server.body_limit)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return too_large(),
        // The connection failed while the body came: nobody may be left to answer.
        Err(error) => {
            return fault_response(
                StatusCode::BAD_REQUEST,
                version,
                format!("the request body could not be read: {error}"),
            )
        }
    };
    let context = Context::new(
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0),
        parts.extensions.get::<LocalAddr>().map(|local| local.0),
        header_list(&parts.headers),
    );
    let soap_action = parts
        .headers
        .get("soapaction")
        .and_then(|v| v.to_str().ok());
    let outgoing = server
        .dispatcher
        .dispatch(Incoming::new(&body, content_type, soap_action, context))
        .await;
    into_response(outgoing)
}

fn into_response(outgoing: Outgoing) -> Response {
    let status = StatusCode::from_u16(outgoing.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, outgoing.content_type)],
        outgoing.body,
    )
        .into_response()
}

fn fault_response(status: StatusCode, version: SoapVersion, reason: String) -> Response {
    let mut response = into_response(client_fault(version, None, reason));
    *response.status_mut() = status;
    response
}

/// The media type of a Content-Type, without parameters.
fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// Whether a Content-Type is one SOAP comes as: `text/xml` (1.1), `application/soap+xml`
/// (1.2), and the variants real senders use: `application/xml`, and `text/soap`, which some
/// SMS gateways post their callbacks as.
fn is_soap_media_type(content_type: &str) -> bool {
    let mime = media_type(content_type);
    [
        "text/xml",
        "application/soap+xml",
        "application/xml",
        "text/soap",
    ]
    .iter()
    .any(|known| mime.eq_ignore_ascii_case(known))
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap_media_types_are_recognised() {
        for yes in [
            "text/xml",
            "text/xml; charset=utf-8",
            "application/soap+xml; charset=utf-8; action=\"urn:x\"",
            "TEXT/SOAP",
            "application/xml",
        ] {
            assert!(is_soap_media_type(yes), "{yes}");
        }
        for no in ["text/plain", "application/json", "", "multipart/related"] {
            assert!(!is_soap_media_type(no), "{no}");
        }
    }
}
