//! An embedded simulator of every registered vendor's gateway, for tests and
//! `sendsms simulate`.
//!
//! Each listener serves every vendor's simulated API over HTTP/1.1 with keep-alive, on
//! loopback addresses only: Connection Software's SOAP API at
//! `http://127.0.0.1:PORT/sendsms5` and its HTTP API at `/webservices/http/sendsms`
//! ([`crate::csoft::simulated`]), Clickatell's SOAP API at `/soap/webservice.php`
//! ([`crate::clickatell::simulated`]). The SOAP APIs are served by the servers generated from
//! the vendors' WSDLs, so requests are read and answers written with the same bindings the
//! clients use.
//!
//! One [`Simulator`] holds the state: each vendor's accounts, credit and logs
//! ([`Simulator::gateways`]), and request counters. [`Simulator::start`] opens a listener on
//! it, and may be called again to open a second one (a primary and a secondary server sharing
//! accounts). Each [`RunningSimulator`] can then be made to misbehave, at run time, to test
//! failover.
//!
//! A request that is not UTF-8, not a SOAP envelope, has an empty body, names an unknown
//! operation or cannot be read as its operation's request is answered by the generated server
//! with a `Client` Fault saying why.
//!
//! # Example
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use std::time::Duration;
//!
//! use generated_client::csoft::simulated::Account;
//! use generated_client::simulator::{Failure, Repeat, Simulator, SimulatorConfig};
//!
//! # async fn example() -> Result<(), generated_client::simulator::Error> {
//! let mut config = SimulatorConfig::default();
//! config.csoft.accounts = vec![Account::new("ANOther.61234", "123456")];
//! let simulator = Simulator::new(config);
//! let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
//! let (primary, secondary) = simulator.start_pair(loopback, loopback).await?;
//! // The primary goes down; the secondary answers, slowly, once.
//! primary.refuse_connections().await?;
//! secondary.set_failure(Failure::Delay(Duration::from_millis(100)), Repeat::Once);
//! // ... send through a client configured with the two listeners' URLs ...
//! assert_eq!(primary.total_requests(), 0);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::simulated::net::{Command, ConnInfo, Registry, SimListener};
use crate::simulated::{Counters, Failures, Listener};
pub use crate::simulated::{Failure, ReceiptsTo, Repeat};
pub use crate::simulated_gateways::{Gateways, SimulatorConfig};

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

/// Simulated gateways of every vendor: accounts, credit and logs shared by all of its
/// listeners.
///
/// Cloning gives another handle on the same state.
#[derive(Clone)]
pub struct Simulator {
    gateways: Arc<Gateways>,
    counters: Arc<Counters>,
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
            gateways: Arc::new(Gateways::new(config)),
            counters: Arc::default(),
        }
    }

    /// Every vendor's simulated gateway: its state, and what it received.
    pub fn gateways(&self) -> &Gateways {
        &self.gateways
    }

    /// How many requests for `operation` (e.g. `"SubmitMessage"`) all listeners received.
    pub fn request_count(&self, operation: &str) -> u64 {
        self.counters.operation_requests(None, operation)
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
            Arc::clone(&self.counters),
        );
        let routes = Listener::new(
            local_addr,
            Arc::clone(&failures),
            Arc::clone(&self.counters),
        );
        let app = self
            .gateways
            .routes(&routes)
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
        tracing::info!(%local_addr, "simulator listening");
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

    /// The URL of `path` on this listener (a vendor's `PATH`), e.g.
    /// `http://127.0.0.1:PORT/sendsms5`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.local_addr)
    }

    /// The simulator whose state this listener serves.
    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// Makes this listener misbehave, for the next request or until cleared, whatever the
    /// vendor. Replaces any failure set before.
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
            .counters
            .operation_requests(Some(self.local_addr), operation)
    }

    /// How many HTTP requests this listener received, unreadable ones included.
    pub fn total_requests(&self) -> u64 {
        self.simulator.counters.requests(Some(self.local_addr))
    }

    /// How many TCP connections this listener accepted: with keep-alive, fewer than requests.
    pub fn connections_accepted(&self) -> u64 {
        self.simulator.counters.connections(self.local_addr)
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

/// What `sendsms simulate` serves: where, and in which state.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimulateOptions {
    /// The address to serve on, on loopback (port 0 picks a free port).
    pub bind: SocketAddr,
    /// Also serve on this address, as the secondary server (same accounts and credit).
    pub secondary_bind: Option<SocketAddr>,
    /// The state to start in.
    pub config: SimulatorConfig,
}

impl SimulateOptions {
    /// The simulator in state `config`, on `bind`.
    pub fn new(bind: SocketAddr, config: SimulatorConfig) -> Self {
        Self {
            bind,
            secondary_bind: None,
            config,
        }
    }
}

/// Why `simulate` could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// A listener could not start (not a loopback address, or the port is taken).
    #[error(transparent)]
    Start(#[from] Error),
    /// The URLs could not be printed.
    #[error("cannot write")]
    Output(#[source] io::Error),
}

/// How many requests the listeners served, for the closing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Served {
    /// Requests to the primary listener.
    pub primary: u64,
    /// Requests to the secondary listener, if there was one.
    pub secondary: Option<u64>,
}

/// Starts the listeners `options` ask for on the current tokio runtime, writes what a user
/// needs to `out` (every vendor's URLs, accounts and the lines to paste), serves until `stop`
/// resolves, then shuts the listeners down.
///
/// `stop` should be ready to notice its signal before `run` is called: the URLs are printed
/// as soon as the listeners are up, and a script may act on them at once.
pub async fn run(
    options: SimulateOptions,
    out: &mut dyn Write,
    stop: impl Future<Output = ()>,
) -> Result<Served, SimulateError> {
    let simulator = Simulator::new(options.config.clone());
    let primary = simulator.start(options.bind).await?;
    let secondary = match options.secondary_bind {
        Some(addr) => Some(simulator.start(addr).await?),
        None => None,
    };
    let listeners: Vec<SocketAddr> = std::iter::once(primary.local_addr())
        .chain(secondary.as_ref().map(RunningSimulator::local_addr))
        .collect();
    let described = options.config.describe(&listeners, out).and_then(|()| {
        writeln!(out)?;
        writeln!(out, "Serving until Ctrl-C.")?;
        out.flush()
    });
    if let Err(error) = described {
        return Err(SimulateError::Output(error));
    }
    stop.await;
    let served = Served {
        primary: primary.total_requests(),
        secondary: secondary.as_ref().map(RunningSimulator::total_requests),
    };
    primary.shutdown().await;
    if let Some(secondary) = secondary {
        secondary.shutdown().await;
    }
    Ok(served)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn prints_every_vendors_urls_and_serves_until_stopped() {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let options = SimulateOptions {
            secondary_bind: Some(loopback),
            ..SimulateOptions::new(loopback, SimulatorConfig::demo())
        };
        let mut out = Vec::new();
        let served = run(options, &mut out, async {}).await.unwrap();
        assert_eq!(
            served,
            Served {
                primary: 0,
                secondary: Some(0)
            }
        );
        let out = String::from_utf8(out).unwrap();
        for expected in [
            "export SENDSMS_PRIMARY=http://127.0.0.1:",
            "export SENDSMS_SECONDARY=http://127.0.0.1:",
            "export SENDSMS_PIN=demo1234",
            "Simulated Clickatell gateway",
            "Serving until Ctrl-C.",
        ] {
            assert!(out.contains(expected), "{expected}: {out}");
        }
    }

    #[tokio::test]
    async fn only_loopback_is_served() {
        let options =
            SimulateOptions::new(SocketAddr::from(([0, 0, 0, 0], 0)), SimulatorConfig::demo());
        let error = run(options, &mut Vec::new(), async {}).await.unwrap_err();
        assert!(
            matches!(error, SimulateError::Start(Error::NotLoopback(_))),
            "{error}"
        );
    }
}
