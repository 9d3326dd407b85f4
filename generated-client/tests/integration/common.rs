//! Scaffolding shared by the tests against the simulator: simulators on loopback, numbers and
//! amounts to send and count with, and what a send that stopped left.

use std::fmt;
use std::net::SocketAddr;

use generated_client::core::{FailedRequest, SendError, SendReport, Stop};
use generated_client::simulator::{RunningSimulator, Simulator, SimulatorConfig};
use generated_client::{clickatell, csoft};
use rust_decimal::Decimal;

/// Any free port on the loopback interface.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

pub fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// `count` distinct UK mobile numbers.
pub fn numbers(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("4477009{:05}", 10_000 + i))
        .collect()
}

/// A simulated primary and secondary server sharing one state. Each test module wraps it in a
/// `Gateway` of its own, which adds the methods it needs (clients for it, request counts).
pub struct Servers {
    pub simulator: Simulator,
    pub primary: RunningSimulator,
    pub secondary: RunningSimulator,
}

impl Servers {
    /// Both listeners on free loopback ports.
    pub async fn start(config: SimulatorConfig) -> Self {
        let simulator = Simulator::new(config);
        let (primary, secondary) = simulator
            .start_pair(loopback(), loopback())
            .await
            .expect("the simulator starts");
        Self {
            simulator,
            primary,
            secondary,
        }
    }

    /// The Connection Software gateway both listeners serve.
    pub fn csoft(&self) -> &csoft::simulated::Gateway {
        self.simulator.gateways().csoft()
    }

    /// The Clickatell gateway both listeners serve.
    pub fn clickatell(&self) -> &clickatell::simulated::Gateway {
        self.simulator.gateways().clickatell()
    }
}

/// A send that stopped at its one failed request (requests going one at a time): what was
/// answered before it, the failed request, and the numbers never sent.
#[derive(Debug)]
pub struct StoppedAt<C> {
    pub completed: SendReport<C>,
    pub failed: FailedRequest,
    pub not_sent: Vec<String>,
}

/// The send stopped because one request failed: nothing else failed, and no account failure
/// stopped it.
pub fn stopped_at_failure<C: fmt::Debug>(
    result: Result<SendReport<C>, SendError<C>>,
) -> StoppedAt<C> {
    let incomplete = match result {
        Err(SendError::Incomplete(incomplete)) => *incomplete,
        other => panic!("expected a failed request, got {other:?}"),
    };
    assert!(matches!(incomplete.stop, Stop::Failed), "{incomplete:?}");
    let mut failed = incomplete.failed;
    assert_eq!(failed.len(), 1, "one failed request: {failed:?}");
    StoppedAt {
        completed: incomplete.completed,
        failed: failed.remove(0),
        not_sent: incomplete.not_sent,
    }
}

/// The send stopped because an answer reported an account failure, with requests left: its
/// code, what was answered, and the numbers never sent. No request failed.
pub fn stopped_by_account_failure<C: fmt::Debug>(
    result: Result<SendReport<C>, SendError<C>>,
) -> (C, SendReport<C>, Vec<String>) {
    let incomplete = match result {
        Err(SendError::Incomplete(incomplete)) => *incomplete,
        other => panic!("expected an account failure, got {other:?}"),
    };
    assert!(incomplete.failed.is_empty(), "{incomplete:?}");
    match incomplete.stop {
        Stop::AccountFailure(code) => (code, incomplete.completed, incomplete.not_sent),
        other => panic!("expected an account failure, got {other:?}"),
    }
}
