//! The default [`HttpTransport`]: reqwest over HTTP/1.1 keep-alive, rustls for https.

use std::time::Duration;

use super::http::{BoxFuture, HttpRequest, HttpResponse, HttpTransport, TransportError};
use super::ConfigError;

/// reqwest with rustls: HTTP/1.1 with keep-alive, redirects never followed, answers read up
/// to the request's limit.
///
/// A request fails over (is [`Reach::NotSent`](super::Reach::NotSent)) only on what reqwest
/// reports as a connect error (the name did not resolve, the connection was refused or timed
/// out, the TLS handshake failed): all raised before any byte of the request is written.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with these timeouts. When `loopback_only`, proxies from the environment
    /// are ignored: a proxy cannot reach this machine's loopback (a simulator, a test server),
    /// and through a proxy a refused connection comes back as the proxy's HTTP 502, which is
    /// an answer, never resent: failover would never happen.
    pub fn new(
        connect_timeout: Duration,
        timeout: Duration,
        loopback_only: bool,
    ) -> Result<Self, ConfigError> {
        let mut http = reqwest::Client::builder();
        if loopback_only {
            http = http.no_proxy();
        }
        let http = http
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .http1_only()
            // A redirect would send the request to another place: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Http(Box::new(e)))?;
        Ok(Self { http })
    }
}

impl HttpTransport for ReqwestTransport {
    fn post<'a>(
        &'a self,
        request: HttpRequest<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let mut builder = self
                .http
                .post(request.url)
                .header(reqwest::header::CONTENT_TYPE, request.content_type);
            for (name, value) in request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            let response = builder.body(request.body).send().await.map_err(|error| {
                // A request that could not even be built (a bad URL) was sent nowhere.
                if error.is_connect() || error.is_builder() {
                    TransportError::not_sent(error)
                } else {
                    TransportError::may_have_reached(error)
                }
            })?;
            read_whole(response, request.max_answer_bytes).await
        })
    }
}

/// The status, content type and body of an answer, the body read up to `limit` bytes. Any
/// failure leaves the outcome unknown: the server has the request.
async fn read_whole(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<HttpResponse, TransportError> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(TransportError::may_have_reached)?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse::new(status, content_type, body))
}

fn too_large(limit: usize) -> TransportError {
    TransportError::may_have_reached(format!("the answer is larger than {limit} bytes; not read"))
}
