//! What a simulated vendor plugs into: the listeners' shared machinery (counting requests by
//! operation, injected failures, sockets that can be cut), and the [`SimulatedVendor`] trait
//! a vendor's simulated gateway implements. The simulator itself, which serves every
//! registered vendor on each listener, is [`crate::simulator`].

pub(crate) mod net;
mod server;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;

pub use server::Reply;

/// A vendor's simulated gateway: its state (accounts, credit, what it received), built from
/// its part of the simulator's configuration, and the routes it serves on every listener.
pub trait SimulatedVendor: Send + Sync + Sized + 'static {
    /// Its part of the simulator's configuration (in JSON, the member named after the
    /// vendor's module).
    type Config: fmt::Debug
        + Clone
        + Default
        + PartialEq
        + serde::Serialize
        + serde::de::DeserializeOwned
        + Send
        + Sync;

    /// The gateway in the state `config` describes.
    fn new(config: Self::Config) -> Self;

    /// The demo accounts of `sendsms simulate`.
    fn demo() -> Self::Config;

    /// The routes it serves on `listener`, built with [`Listener::soap`] and
    /// [`Listener::custom`] so that requests are counted and injected failures apply.
    fn routes(state: &Arc<Self>, listener: &Listener) -> Router;

    /// What `sendsms simulate` prints about it, served on `listeners` (the primary first, then
    /// the secondary, if any): its URLs, its accounts, how to point `sendsms` at it.
    fn describe(
        config: &Self::Config,
        listeners: &[SocketAddr],
        out: &mut dyn io::Write,
    ) -> io::Result<()>;

    /// Makes every account post delivery receipts to `to`, if the vendor has them; whether
    /// it does.
    fn post_receipts(config: &mut Self::Config, to: &ReceiptsTo) -> bool {
        let _ = (config, to);
        false
    }
}

/// Where a simulated gateway posts delivery receipts (`sendsms simulate --receipts-to`), and
/// the credentials they carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptsTo {
    /// The receiver's URL.
    pub url: String,
    /// The Username receipts carry, for a receiver that requires one.
    pub username: Option<String>,
    /// The PIN they carry.
    pub pin: Option<String>,
}

impl ReceiptsTo {
    /// Receipts posted to `url`, without credentials.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            username: None,
            pin: None,
        }
    }

    /// The same, the receipts carrying this Username and PIN (each if given).
    pub fn credentials(mut self, username: Option<String>, pin: Option<String>) -> Self {
        self.username = username;
        self.pin = pin;
        self
    }
}

/// A way for a listener to misbehave, set with
/// [`RunningSimulator::set_failure`](crate::simulator::RunningSimulator::set_failure).
///
/// Refusing connections is not among them: see
/// [`RunningSimulator::refuse_connections`](crate::simulator::RunningSimulator::refuse_connections).
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
    /// Carry the request out, then answer HTTP 200 with only the first half of the answer,
    /// which cannot be read.
    MalformedBody,
}

/// How long a [`Failure`] lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Repeat {
    /// For the next request on the listener only.
    Once,
    /// For every request until cleared (or another failure is set).
    UntilCleared,
}

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

/// Requests and connections seen by one listener.
#[derive(Debug, Default)]
struct Counts {
    connections: u64,
    requests: u64,
    by_operation: BTreeMap<String, u64>,
}

/// What every listener of a simulator saw, by listener: connections, requests, requests by
/// operation.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    counts: Mutex<BTreeMap<SocketAddr, Counts>>,
}

impl Counters {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<SocketAddr, Counts>> {
        // Counters stay usable whatever a panicking holder did.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn count_connection(&self, server: SocketAddr) {
        self.lock().entry(server).or_default().connections += 1;
    }

    /// Counts one request on `server`, under its operation when it could be found.
    fn count_request(&self, server: SocketAddr, operation: Option<&str>) {
        let mut counts = self.lock();
        let counts = counts.entry(server).or_default();
        counts.requests += 1;
        if let Some(operation) = operation {
            *counts.by_operation.entry(operation.to_owned()).or_default() += 1;
        }
    }

    pub(crate) fn connections(&self, server: SocketAddr) -> u64 {
        self.lock().get(&server).map_or(0, |c| c.connections)
    }

    pub(crate) fn requests(&self, server: Option<SocketAddr>) -> u64 {
        self.lock()
            .iter()
            .filter(|(addr, _)| server.is_none_or(|s| s == **addr))
            .map(|(_, c)| c.requests)
            .sum()
    }

    pub(crate) fn operation_requests(&self, server: Option<SocketAddr>, operation: &str) -> u64 {
        self.lock()
            .iter()
            .filter(|(addr, _)| server.is_none_or(|s| s == **addr))
            .filter_map(|(_, c)| c.by_operation.get(operation))
            .sum()
    }
}

/// The listener a request came in on: the simulator's HTTP layer always sets it.
pub fn listener_of(context: &soap_runtime::server::Context) -> SocketAddr {
    context
        .local_addr
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
}

/// One listener, as a simulated vendor's routes see it: its address, and the shared
/// counting and failures its handlers go through.
#[derive(Debug, Clone)]
pub struct Listener {
    server: SocketAddr,
    failures: Arc<Failures>,
    counters: Arc<Counters>,
}

impl Listener {
    pub(crate) fn new(
        server: SocketAddr,
        failures: Arc<Failures>,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            server,
            failures,
            counters,
        }
    }

    /// The listener's address.
    pub fn server(&self) -> SocketAddr {
        self.server
    }
}
