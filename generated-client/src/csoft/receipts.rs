//! Receiving the gateway's real-time delivery receipts.
//!
//! For a corporate account, the gateway POSTs one SOAP `SubmitDeliveryReceipt` to a URL the
//! customer configures, each time it records a message's delivery status, and expects a
//! `SubmitDeliveryReceiptResponse` back. A [`Receiver`] is that server: it reads each POST with
//! the bindings generated from `wsdl/deliveryreceipt.wsdl`, turns it into a typed
//! [`DeliveryReceipt`], hands it to a [`ReceiptHandler`] (user code), and answers with the
//! generated writer:
//!
//! * **Report 0** when the handler took the receipt;
//! * otherwise the report code the handler chose ([`Rejection::code`]), or **-1**, the
//!   catch-all, when it chose none, chose 0, chose a code that is not three characters, or
//!   panicked. A receipt the handler did not take is never answered 0, so the gateway keeps it;
//! * **Report 2** (invalid login) when a Username and PIN are configured
//!   ([`Receiver::credentials`]) and the receipt does not carry them. They are compared in
//!   constant time, and never logged or shown by `Debug`.
//!
//! What reaches the handler is what the gateway documents, read leniently where senders
//! differ: SOAP 1.1 as `text/soap` or `text/xml`, the body element in the example's
//! `http://www.itsarrived.net/dtd/sendsms3` namespace or the sendsms5 schema's (the answer
//! uses the namespace the receipt came in), 1999 or 2001 XMLSchema, `xsi:type` attributes and
//! an `encodingStyle`, elements in any order, any path on the server.
//!
//! Everything else is answered, never crashed on: a method other than POST gets 405; another
//! Content-Type 415; a body over the limit ([`DEFAULT_BODY_LIMIT`], 64 KiB, by default) 413;
//! a body that is not UTF-8, not XML, holds a DTD (SOAP forbids them, and they are how entity
//! bombs come), is not a `SubmitDeliveryReceipt`, or lacks one of its required elements gets
//! a SOAP Fault (`soap:Client`) with HTTP 500, as SOAP 1.1 sends every Fault. In each of
//! these cases the handler is not called.
//!
//! ```no_run
//! use std::net::SocketAddr;
//!
//! use generated_client::csoft::receipts::{DeliveryReceipt, Receiver, Rejection};
//!
//! # async fn example() -> std::io::Result<()> {
//! let receiver = Receiver::new(|receipt: DeliveryReceipt| async move {
//!     println!("{} {} {}", receipt.message_id, receipt.sent_to, receipt.report);
//!     Ok::<(), Rejection>(())
//! });
//! let running = receiver.bind(SocketAddr::from(([127, 0, 0, 1], 8090))).await?;
//! // The gateway's receipt URL is running.url(), behind whatever terminates TLS.
//! # running.shutdown().await;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use soap_runtime::envelope::Fault;
use soap_runtime::server::{Request, Response, ServerResult, SoapServer};
use soap_runtime::{Nillable, QName};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::codes::ReportCode;
use crate::core::ReportClass;
use crate::generated::deliveryreceipt::delivery_receipt::{self as binding, DeliveryReceiptServer};
use crate::generated::deliveryreceipt::{self as wire, ReportNumber, ResponseText};

/// The largest body read by default: a receipt is under 1 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The namespace of the sendsms5 schema, which newer gateways use for the receipt's elements.
pub const SENDSMS5_NAMESPACE: &str = "http://www.csoft.co.uk/dtd/sendsms5.xsd";

/// The longest `Text` an answer may carry.
const MAX_TEXT: usize = 255;

/// How long [`RunningReceiver::shutdown`] lets requests in progress finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// One delivery receipt, as the gateway posted it.
///
/// Serialized (for `sendsms receipts serve`) as
/// `{"sent_to":"447700912345","timestamp":"2002-08-27T13:38:00Z","message_id":"3C7D98A4","report":0,"class":"delivered"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct DeliveryReceipt {
    /// The number of the phone the message was sent to (`SentTo`).
    pub sent_to: String,
    /// When the status was recorded (`Timestamp1`); for a delivered message, when it reached
    /// the phone. A time the gateway wrote without a zone is taken as UTC, as it documents.
    #[serde(serialize_with = "utc_seconds")]
    pub timestamp: DateTime<Utc>,
    /// The identifier SubmitMessage answered for the message (`MessageIdentifier`): the
    /// `message_id` of [`Outcome`](crate::core::Outcome).
    pub message_id: String,
    /// The message's status (`Report`).
    pub report: ReportCode,
    /// What the status means for a program.
    pub class: ReportClass,
}

fn utc_seconds<S: serde::Serializer>(
    time: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// Why a handler did not take a receipt: the report code to answer, and optional text.
///
/// The gateway keeps a receipt that was not answered 0. A code of 0, or one that is not three
/// characters (-99 to 999), is answered -1 instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    code: ReportCode,
    text: Option<String>,
}

impl Rejection {
    /// The catch-all, -1: the documents' answer when nothing more precise applies.
    pub fn catch_all() -> Self {
        Self::code(ReportCode::CatchAll)
    }

    /// A Connection Software report code (the documents forbid codes of one's own), such as
    /// the code for a receipt that matches no message this server sent.
    pub fn code(code: ReportCode) -> Self {
        Self { code, text: None }
    }

    /// Adds a text to the answer (cut to 255 characters), to help debug an integration.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The code the answer will carry: never 0.
    pub fn answered_code(&self) -> ReportCode {
        match self.code.code() {
            0 => ReportCode::CatchAll,
            code if ReportNumber::new(code).is_err() => ReportCode::CatchAll,
            _ => self.code,
        }
    }
}

impl Default for Rejection {
    fn default() -> Self {
        Self::catch_all()
    }
}

/// User code that takes delivery receipts. Any `async` closure from [`DeliveryReceipt`] to
/// `Result<(), Rejection>` is one.
///
/// It runs once for every receipt that reaches it, concurrently for concurrent receipts. It
/// should return only once the receipt is safe (written, queued, stored): the answer 0 tells
/// the gateway to forget it.
pub trait ReceiptHandler: Send + Sync + 'static {
    /// Takes one receipt: `Ok` to acknowledge it, `Err` to have the gateway keep it.
    fn handle(
        &self,
        receipt: DeliveryReceipt,
    ) -> impl Future<Output = Result<(), Rejection>> + Send;
}

impl<F, Fut> ReceiptHandler for F
where
    F: Fn(DeliveryReceipt) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Rejection>> + Send,
{
    fn handle(
        &self,
        receipt: DeliveryReceipt,
    ) -> impl Future<Output = Result<(), Rejection>> + Send {
        self(receipt)
    }
}

/// The Username and PIN a receipt must carry, as configured on the gateway's website (1 to 20
/// characters each). Neither ever appears in `Debug` output or in logs.
#[derive(Clone)]
pub struct ReceiptCredentials {
    username: String,
    pin: String,
}

impl fmt::Debug for ReceiptCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptCredentials(<redacted>)")
    }
}

/// Credentials the gateway could never send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the receipt {field} must be 1 to 20 characters, not {length}")]
#[non_exhaustive]
pub struct InvalidCredential {
    /// `Username` or `PIN`.
    pub field: &'static str,
    /// Its length in characters.
    pub length: usize,
}

impl ReceiptCredentials {
    /// Checks the documented sizes: 1 to 20 characters each.
    pub fn new(
        username: impl Into<String>,
        pin: impl Into<String>,
    ) -> Result<Self, InvalidCredential> {
        let (username, pin) = (username.into(), pin.into());
        for (field, value) in [("Username", &username), ("PIN", &pin)] {
            let length = value.chars().count();
            if !(1..=20).contains(&length) {
                return Err(InvalidCredential { field, length });
            }
        }
        Ok(Self { username, pin })
    }

    /// Whether a receipt's Username and PIN are these.
    ///
    /// With `subtle`, the time taken does not depend on where the values first differ, so it
    /// cannot be used to guess them a character at a time; it depends only on the lengths.
    /// Both are always compared (`&`, not `&&`), so the time does not tell which one was wrong.
    fn admit(&self, username: Option<&str>, pin: Option<&str>) -> bool {
        let username_ok = self
            .username
            .as_bytes()
            .ct_eq(username.unwrap_or_default().as_bytes());
        let pin_ok = self
            .pin
            .as_bytes()
            .ct_eq(pin.unwrap_or_default().as_bytes());
        bool::from(username_ok & pin_ok)
    }
}

/// A delivery receipt server: a handler, and optionally the Username and PIN receipts must
/// carry.
pub struct Receiver<H> {
    handler: Arc<H>,
    credentials: Option<ReceiptCredentials>,
    body_limit: usize,
}

impl<H> fmt::Debug for Receiver<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("credentials", &self.credentials)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

impl<H: ReceiptHandler> Receiver<H> {
    /// A receiver that hands every receipt to `handler`, without credentials, reading bodies
    /// of up to [`DEFAULT_BODY_LIMIT`].
    pub fn new(handler: H) -> Self {
        Self {
            handler: Arc::new(handler),
            credentials: None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// Requires this Username and PIN in every receipt (as configured on the gateway).
    pub fn credentials(mut self, credentials: ReceiptCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The largest body read, in bytes; a larger one is answered 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The receiver as an axum router that answers every path, to serve on its own or to
    /// `nest` in an application.
    pub fn router(self) -> Router {
        let receipts = Receipts {
            handler: self.handler,
            credentials: self.credentials,
        };
        SoapServer::new(DeliveryReceiptServer::new(receipts))
            .body_limit(self.body_limit)
            .router()
    }

    /// Serves on `addr` (port 0 picks a free port) on the current tokio runtime, until
    /// [`RunningReceiver::shutdown`] or until the handle is dropped.
    pub async fn bind(self, addr: SocketAddr) -> std::io::Result<RunningReceiver> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let serve = axum::serve(listener, self.router())
            .with_graceful_shutdown(async move {
                // Sent by `shutdown`, or dropped with the handle: either way, stop.
                let _ = stopped.await;
            })
            .into_future();
        let task = tokio::spawn(async move {
            if let Err(error) = serve.await {
                tracing::warn!(%local_addr, %error, "receipt server stopped");
            }
        });
        tracing::info!(%local_addr, "receiving delivery receipts");
        Ok(RunningReceiver {
            local_addr,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A [`Receiver`] serving on a socket.
#[derive(Debug)]
pub struct RunningReceiver {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningReceiver {
    /// The address listened on (with the actual port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A URL to configure as the receipt URL: `http://ADDR/` (any path is served).
    pub fn url(&self) -> String {
        format!("http://{}/", self.local_addr)
    }

    /// Stops listening, lets requests in progress finish (for a few seconds at most), and
    /// waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for RunningReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The receiver's side of the generated server trait.
struct Receipts<H> {
    handler: Arc<H>,
    credentials: Option<ReceiptCredentials>,
}

impl<H: ReceiptHandler> binding::DeliveryReceipt for Receipts<H> {
    async fn submit_delivery_receipt(
        &self,
        request: Request<binding::SubmitDeliveryReceipt>,
    ) -> ServerResult<binding::SubmitDeliveryReceipt> {
        let sendsms5 = request.context.body_namespace.as_deref() == Some(SENDSMS5_NAMESPACE);
        let wire = request.body;
        let receipt = match receipt_of(&wire) {
            Ok(receipt) => receipt,
            Err(reason) => {
                tracing::warn!(%reason, "unreadable delivery receipt refused");
                return Err(Fault::client(reason));
            }
        };
        let username = wire.username.as_ref().map(|u| u.get().as_str());
        let pin = wire.pin.as_ref().map(|p| p.get().as_str());
        let (code, text) = match &self.credentials {
            Some(credentials) if !credentials.admit(username, pin) => {
                tracing::warn!(
                    message_id = %receipt.message_id,
                    "delivery receipt with a wrong Username or PIN refused"
                );
                (ReportCode::InvalidLogin, Some("Invalid login".to_owned()))
            }
            _ => take(&self.handler, receipt.clone()).await,
        };
        tracing::debug!(
            message_id = %receipt.message_id,
            report = %receipt.report.code(),
            answer = code.code(),
            "delivery receipt"
        );
        let response = Response::new(answer(wire.message_identifier, code, text));
        // The answer goes back in the namespace its receipt came in.
        Ok(if sendsms5 {
            response.in_element(QName::qualified(
                SENDSMS5_NAMESPACE,
                "SubmitDeliveryReceiptResponse",
            ))
        } else {
            response
        })
    }
}

/// Runs the handler in a task of its own, so that a panic in it is an answer (-1), not a lost
/// connection.
async fn take<H: ReceiptHandler>(
    handler: &Arc<H>,
    receipt: DeliveryReceipt,
) -> (ReportCode, Option<String>) {
    let handler = Arc::clone(handler);
    let task = tokio::spawn(async move { handler.handle(receipt).await });
    match task.await {
        Ok(Ok(())) => (ReportCode::Delivered, None),
        Ok(Err(rejection)) => (rejection.answered_code(), rejection.text),
        Err(error) => {
            tracing::error!(%error, "the delivery receipt handler failed");
            (
                ReportCode::CatchAll,
                Some("the receipt handler failed".to_owned()),
            )
        }
    }
}

/// The receipt a request carries, or why it is not one.
fn receipt_of(wire: &wire::SubmitDeliveryReceipt) -> Result<DeliveryReceipt, String> {
    let message_id = wire.message_identifier.get().trim();
    if message_id.is_empty() {
        return Err("<MessageIdentifier> is empty".into());
    }
    let sent_to = wire.sent_to.get().trim();
    if sent_to.is_empty() {
        return Err("<SentTo> is empty".into());
    }
    let timestamp = utc(wire.timestamp1.as_str()).ok_or_else(|| {
        format!(
            "<Timestamp1> {:?} is not a time this receiver can represent",
            wire.timestamp1.as_str()
        )
    })?;
    let report = ReportCode::from_i32(*wire.report.get());
    Ok(DeliveryReceipt {
        sent_to: sent_to.to_owned(),
        timestamp,
        message_id: message_id.to_owned(),
        report,
        class: report.class(),
    })
}

/// The SubmitDeliveryReceiptResponse: the MessageIdentifier as it came, the code, the text.
fn answer(
    message_identifier: wire::MessageIdentifier,
    code: ReportCode,
    text: Option<String>,
) -> wire::SubmitDeliveryReceiptResponse {
    wire::SubmitDeliveryReceiptResponse {
        message_identifier,
        // Every code that gets here fits (-99 to 999): 0, 2, or a checked rejection.
        report: ReportNumber::new(code.code())
            .unwrap_or_else(|_| ReportNumber::new(-1).expect("-1 is a report number")),
        text: Nillable::absent_if_none(text.map(|text| {
            let cut: String = text.chars().take(MAX_TEXT).collect();
            ResponseText::new(cut).expect("cut to the maximum length")
        })),
    }
}

/// `Timestamp1` in UTC: with its offset applied, or as UTC when it has none.
fn utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.to_utc())
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_utc() {
        let utc = |text| utc(text).map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        assert_eq!(
            utc("2002-08-27T13:38:00Z").as_deref(),
            Some("2002-08-27T13:38:00Z")
        );
        assert_eq!(
            utc("2002-08-27T15:38:00+02:00").as_deref(),
            Some("2002-08-27T13:38:00Z")
        );
        assert_eq!(
            utc("2002-08-27T13:38:00").as_deref(),
            Some("2002-08-27T13:38:00Z")
        );
        assert_eq!(
            utc("2002-08-27T13:38:00.250Z").as_deref(),
            Some("2002-08-27T13:38:00.250Z")
        );
        assert_eq!(utc("2002-02-30T13:38:00Z"), None);
    }

    #[test]
    fn a_rejection_is_never_answered_0() {
        assert_eq!(Rejection::default().answered_code(), ReportCode::CatchAll);
        assert_eq!(
            Rejection::code(ReportCode::Delivered).answered_code(),
            ReportCode::CatchAll
        );
        assert_eq!(
            Rejection::code(ReportCode::Other(1000)).answered_code(),
            ReportCode::CatchAll
        );
        assert_eq!(
            Rejection::code(ReportCode::InvalidNumber).answered_code(),
            ReportCode::InvalidNumber
        );
    }

    #[test]
    fn credentials_are_compared_whole_and_never_shown() {
        let credentials = ReceiptCredentials::new("receipts", "s3cret").unwrap();
        assert!(credentials.admit(Some("receipts"), Some("s3cret")));
        for (username, pin) in [
            (Some("receipts"), Some("s3cre")),
            (Some("receipts"), Some("s3cret!")),
            (Some("Receipts"), Some("s3cret")),
            (None, Some("s3cret")),
            (Some("receipts"), None),
            (None, None),
        ] {
            assert!(!credentials.admit(username, pin), "{username:?} {pin:?}");
        }
        let shown = format!("{credentials:?}");
        assert!(
            !shown.contains("receipts") && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(ReceiptCredentials::new("", "x").is_err());
        assert!(ReceiptCredentials::new("x", "p".repeat(21)).is_err());
    }
}
