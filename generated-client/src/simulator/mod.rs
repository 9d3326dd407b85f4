//! An embedded simulator of the Connection Software gateway, for tests and `sendsms simulate`.
//!
//! It serves the SOAP API (SOAP 1.1, `text/xml`) over HTTP/1.1 with keep-alive at
//! `http://127.0.0.1:PORT/sendsms5`, on loopback addresses only. Requests are read and answers
//! written with the same generated bindings the client uses, from the server's side
//! ([`read_request`](soap_runtime::envelope::read_request) and
//! [`write_response`](soap_runtime::envelope::write_response)); dispatch is on the local name of
//! the body's element.
//!
//! Every listener also serves Clickatell's rpc/encoded SOAP API at
//! `http://127.0.0.1:PORT/soap/webservice.php`, with accounts and sessions of its own: see
//! [`clickatell`] and [`Simulator::clickatell`].
//!
//! One [`Simulator`] holds the state: accounts and their credit, the log of SubmitMessage
//! requests, request counters. [`Simulator::start`] opens a listener on it, and may be called
//! again to open a second one (a primary and a secondary server sharing accounts). Each
//! [`RunningSimulator`] can then be made to misbehave, at run time, to test failover.
//!
//! # Behaviour
//!
//! SubmitMessage answers, for each number of `SendTo` (comma-separated, spaces allowed) and then
//! of `SendToAddressBook` (`Book` or `Book::Group`), in that order, a unique eight-hex-digit
//! message identifier, a report code and its text, comma-separated as the vendor does:
//!
//! * a wrong or missing Username or PIN: 2 for every number;
//! * a number that is not all digits: 3;
//! * a test account ([`Account::test`]): 99, free of charge;
//! * a number in [`SimulatorConfig::number_reports`]: that report; a positive code is a
//!   rejection and costs nothing;
//! * otherwise [`SimulatorConfig::accepted_report`] (-2, queued) when the credit covers the
//!   message, which is then charged; 15 (out of credit) when it does not.
//!
//! A SubmitMessage without any number is answered with a `soap:Client` Fault.
//!
//! AvailableCredit answers the currency and the credit with four decimal places,
//! AvailableMessages the credit divided by the message price, rounded down, PermittedReplyTo the
//! account's ReplyTo values followed by `csoft.co.uk`, QueryAddressBook the matching entries of
//! the account's address books, MobileMessengerVersion a fixed release, and CollectMessages an
//! empty list with report 0 (report 2 on a wrong login).
//!
//! The vendor documents no answer to an account query (AvailableCredit, AvailableMessages,
//! PermittedReplyTo, QueryAddressBook) with a wrong Username or PIN; the simulator answers
//! HTTP 500 with a Fault whose faultcode is `soap:Client` and faultstring `Invalid login`.
//!
//! A request that is not UTF-8, not a SOAP envelope, has an empty body, names an unknown
//! operation or cannot be read as its operation's request is answered HTTP 500 with a
//! `soap:Client` Fault saying why.
//!
//! The HTTP API (a form-encoded POST to `/webservices/http/sendsms`, on every listener) is a
//! SubmitMessage like any other, answered in the `ResponseFormat` it asks for: see
//! [`RunningSimulator::http_api_url`]. Injected [`Failure`]s apply to it too.
//!
//! An account with [`Account::delivery_receipts`] gets a delivery receipt posted (SOAP
//! `SubmitDeliveryReceipt`, as the gateway does) for every message accepted for it, to its
//! URL, and posted again while it is not answered Report 0: see [`ReceiptTarget`] and
//! [`Simulator::delivery_receipts`].
//!
//! # Example
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use std::time::Duration;
//!
//! use generated_client::simulator::{Account, Failure, Repeat, Simulator, SimulatorConfig};
//!
//! # async fn example() -> Result<(), generated_client::simulator::Error> {
//! let simulator = Simulator::new(SimulatorConfig {
//!     accounts: vec![Account::new("ANOther.61234", "123456")],
//!     ..SimulatorConfig::default()
//! });
//! let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
//! let (primary, secondary) = simulator.start_pair(loopback, loopback).await?;
//! // The primary goes down; the secondary answers, slowly, once.
//! primary.refuse_connections().await?;
//! secondary.set_failure(Failure::Delay(Duration::from_millis(100)), Repeat::Once);
//! // ... send through a client configured with primary.url() and secondary.url() ...
//! assert_eq!(primary.total_requests(), 0);
//! assert!(simulator.submissions().iter().all(|s| s.server == secondary.local_addr()));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod cli;
pub mod clickatell;
mod config;
mod gateway;
mod http_api;
mod net;
mod receipts;
mod server;

use std::fmt;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use self::config::{Account, Contact, Report, SimulatorConfig};
use self::gateway::Gateway;
pub use self::http_api::OPERATION as HTTP_API_OPERATION;
use self::net::{Command, ConnInfo, Registry, SimListener};
pub use self::receipts::{PostedReceipt, ReceiptArgs, ReceiptTarget};
use self::server::Failures;

/// How long [`RunningSimulator::shutdown`] waits for connections to close before it stops
/// serving them the hard way.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why a simulator could not start or be controlled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The simulator only listens on loopback addresses.
    #[error("the simulator listens on loopback addresses only, not on {0}")]
    NotLoopback(SocketAddr),
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The listener's task has ended (it was shut down, or the runtime is going away).
    #[error("the simulator on {0} is no longer running")]
    Stopped(SocketAddr),
}

/// A way for a listener to misbehave, set with [`RunningSimulator::set_failure`].
///
/// Refusing connections is not among them: see [`RunningSimulator::refuse_connections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// Read the whole request, carry it out, then close the connection without sending a byte
    /// of response: a lost answer.
    DropConnection,
    /// Carry the request out, then wait this long before answering (cut short if the
    /// connection is closed meanwhile).
    Delay(Duration),
    /// Answer HTTP 500 with a `soap:Server` Fault, without carrying the request out.
    Http500,
    /// Carry the request out, then answer HTTP 200 with only the first half of the envelope,
    /// which is not well-formed XML.
    MalformedBody,
}

/// How long a [`Failure`] lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// For the next request on the listener only.
    Once,
    /// For every request until [`RunningSimulator::clear_failure`] (or another
    /// [`RunningSimulator::set_failure`]).
    UntilCleared,
}

/// A SubmitMessage request as the simulator received and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The local address of the listener that received it.
    pub server: SocketAddr,
    /// The Username sent, if any.
    pub username: Option<String>,
    /// The text of the TextMessage (or FlashMessage), if any.
    pub text: Option<String>,
    /// The ReplyTo sent, if any.
    pub reply_to: Option<String>,
    /// One entry per number, in the order of the request.
    pub recipients: Vec<RecipientResult>,
}

/// What the simulator answered for one number of a SubmitMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientResult {
    /// The number, as sent (trimmed).
    pub number: String,
    /// The message identifier answered.
    pub message_identifier: String,
    /// The report code answered.
    pub report: i32,
    /// The report's text as answered.
    pub text: String,
    /// Whether the message was accepted for delivery (and paid for).
    pub accepted: bool,
}

/// A simulated gateway: accounts, credit and logs shared by all of its listeners.
///
/// Cloning gives another handle on the same state.
#[derive(Clone)]
pub struct Simulator {
    gateway: Arc<Gateway>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator").finish_non_exhaustive()
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new(SimulatorConfig::default())
    }
}

impl Simulator {
    /// A simulator in the state the configuration describes.
    pub fn new(config: SimulatorConfig) -> Self {
        Self {
            gateway: Arc::new(Gateway::new(config)),
        }
    }

    /// Starts serving on `addr`, a loopback address (port 0 picks a free port), on the
    /// current tokio runtime. Every listener started from one simulator shares its state.
    pub async fn start(&self, addr: SocketAddr) -> Result<RunningSimulator, Error> {
        if !addr.ip().is_loopback() {
            return Err(Error::NotLoopback(addr));
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { addr, source })?;

        let registry = Arc::new(Registry::default());
        let failures = Arc::new(Failures::default());
        let (commands, receiver) = mpsc::unbounded_channel();
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let listener = SimListener::new(
            listener,
            local_addr,
            receiver,
            Arc::clone(&registry),
            Arc::clone(&self.gateway),
        );
        let app = server::router(Arc::clone(&self.gateway), Arc::clone(&failures), local_addr)
            .into_make_service_with_connect_info::<ConnInfo>();
        let serve = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // Sent by `shutdown`, or dropped with the handle: either way, stop.
                let _ = shutdown_signal.await;
            })
            .into_future();
        let task = tokio::spawn(async move {
            if let Err(e) = serve.await {
                tracing::warn!(server = %local_addr, error = %e, "simulator stopped");
            }
        });
        tracing::info!(url = %format!("http://{local_addr}{}", server::PATH), "simulator listening");
        Ok(RunningSimulator {
            simulator: self.clone(),
            local_addr,
            failures,
            registry,
            commands,
            accepting: tokio::sync::Mutex::new(true),
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Starts a primary and a secondary listener sharing this simulator's state, as for
    /// `sendsms simulate --bind A --secondary-bind B`.
    pub async fn start_pair(
        &self,
        primary: SocketAddr,
        secondary: SocketAddr,
    ) -> Result<(RunningSimulator, RunningSimulator), Error> {
        let primary = self.start(primary).await?;
        let secondary = self.start(secondary).await?;
        Ok((primary, secondary))
    }

    /// Every SubmitMessage received by any listener, oldest first.
    pub fn submissions(&self) -> Vec<Submission> {
        self.gateway.submissions(None)
    }

    /// How many messages to `number` were accepted for delivery, over all listeners: more
    /// than one means the recipient got the message twice.
    pub fn deliveries_to(&self, number: &str) -> usize {
        self.gateway.deliveries_to(number)
    }

    /// How many requests for `operation` (e.g. `"SubmitMessage"`) all listeners received.
    pub fn request_count(&self, operation: &str) -> u64 {
        self.gateway.operation_requests(None, operation)
    }

    /// The credit left on an account, if there is one with that Username.
    pub fn credit(&self, username: &str) -> Option<Decimal> {
        self.gateway.credit(username)
    }

    /// Sets the credit of an account; `false` if there is no account with that Username.
    pub fn set_credit(&self, username: &str, credit: Decimal) -> bool {
        self.gateway.set_credit(username, credit)
    }

    /// The Clickatell side: its sends, credit and sessions (which it can end at will).
    pub fn clickatell(&self) -> &clickatell::Service {
        self.gateway.clickatell()
    }

    /// Every delivery receipt posted so far (for accounts with
    /// [`Account::delivery_receipts`]), oldest first, with what became of it.
    pub fn delivery_receipts(&self) -> Vec<PostedReceipt> {
        self.gateway.delivery_receipts()
    }
}

/// One listener of a [`Simulator`], serving until [`shutdown`](Self::shutdown) or until
/// dropped.
pub struct RunningSimulator {
    simulator: Simulator,
    local_addr: SocketAddr,
    failures: Arc<Failures>,
    registry: Arc<Registry>,
    commands: mpsc::UnboundedSender<Command>,
    /// Whether the listening socket is open; the lock also keeps two changes from crossing.
    accepting: tokio::sync::Mutex<bool>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl RunningSimulator {
    /// The address listened on (with the actual port when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The service address, e.g. `http://127.0.0.1:PORT/sendsms5`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.local_addr, server::PATH)
    }

    /// Clickatell's SOAP endpoint, e.g. `http://127.0.0.1:PORT/soap/webservice.php`.
    pub fn clickatell_url(&self) -> String {
        format!("http://{}{}", self.local_addr, clickatell::PATH)
    }

    /// The HTTP API's address, e.g. `http://127.0.0.1:PORT/webservices/http/sendsms`.
    pub fn http_api_url(&self) -> String {
        format!("http://{}{}", self.local_addr, crate::http_api::PATH)
    }

    /// The simulator whose state this listener serves.
    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// Makes this listener misbehave, for the next request or until cleared. Replaces any
    /// failure set before.
    pub fn set_failure(&self, failure: Failure, repeat: Repeat) {
        tracing::info!(server = %self.local_addr, ?failure, ?repeat, "simulator failure set");
        self.failures.set(Some((failure, repeat)));
    }

    /// Makes this listener behave again.
    pub fn clear_failure(&self) {
        self.failures.set(None);
    }

    /// Closes the listening socket, so that connecting is refused, and closes every open
    /// connection (idle keep-alive ones included, and requests in progress without an
    /// answer), as a server that went down. Returns once the socket is closed.
    pub async fn refuse_connections(&self) -> Result<(), Error> {
        let mut accepting = self.accepting.lock().await;
        if *accepting {
            let (ack, done) = oneshot::channel();
            self.send(Command::Close(ack))?;
            done.await.map_err(|_| Error::Stopped(self.local_addr))?;
            *accepting = false;
        }
        Ok(())
    }

    /// Listens again, on the same address and port, after
    /// [`refuse_connections`](Self::refuse_connections). Fails if the port was taken meanwhile.
    pub async fn accept_connections(&self) -> Result<(), Error> {
        let mut accepting = self.accepting.lock().await;
        if !*accepting {
            let addr = self.local_addr;
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Bind { addr, source })?;
            let (ack, done) = oneshot::channel();
            self.send(Command::Open(listener, ack))?;
            done.await.map_err(|_| Error::Stopped(addr))?;
            *accepting = true;
        }
        Ok(())
    }

    /// How many requests for `operation` (e.g. `"SubmitMessage"`) this listener received,
    /// whatever it then answered (failures included).
    pub fn request_count(&self, operation: &str) -> u64 {
        self.simulator
            .gateway
            .operation_requests(Some(self.local_addr), operation)
    }

    /// How many HTTP requests this listener received, unreadable ones included.
    pub fn total_requests(&self) -> u64 {
        self.simulator.gateway.requests(Some(self.local_addr))
    }

    /// How many TCP connections this listener accepted: with keep-alive, fewer than requests.
    pub fn connections_accepted(&self) -> u64 {
        self.simulator.gateway.connections(self.local_addr)
    }

    /// The SubmitMessage requests this listener received, oldest first.
    pub fn submissions(&self) -> Vec<Submission> {
        self.simulator.gateway.submissions(Some(self.local_addr))
    }

    /// Stops listening, closes every connection, and waits for the server task to end.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
        tracing::info!(server = %self.local_addr, "simulator shut down");
    }

    fn send(&self, command: Command) -> Result<(), Error> {
        self.commands
            .send(command)
            .map_err(|_| Error::Stopped(self.local_addr))
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // The graceful shutdown waits for connections to end: end them now.
        self.registry.close();
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.stop();
    }
}
