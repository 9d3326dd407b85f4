//! Scaffolding shared by the integration tests: simulators on loopback, the `sendsms` binary
//! and its output, and child processes with their lines read on threads of their own.
//!
//! Each test file declares `mod common;`, and so compiles this module into its own test
//! binary; every binary uses only a subset of it, so unused items there are not warnings.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[cfg(feature = "simulator")]
use generated_client::simulator::{RunningSimulator, Simulator, SimulatorConfig};
use rust_decimal::Decimal;

/// The `sendsms` binary built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_sendsms");

/// The line after which `sendsms simulate` serves.
pub const SERVING: &str = "Serving until Ctrl-C.";

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

/// A simulated primary and secondary server sharing one state. Each test file adds the
/// methods it needs (clients for it, request counts) in an `impl Gateway` of its own.
#[cfg(feature = "simulator")]
pub struct Gateway {
    pub simulator: Simulator,
    pub primary: RunningSimulator,
    pub secondary: RunningSimulator,
}

#[cfg(feature = "simulator")]
impl Gateway {
    /// Both listeners on free loopback ports.
    pub async fn serve(config: SimulatorConfig) -> Self {
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
}

/// A primary and a secondary simulator, served by a runtime of their own while the test
/// thread waits for the binary.
#[cfg(feature = "simulator")]
pub struct BlockingGateway {
    pub simulator: Simulator,
    pub primary: RunningSimulator,
    pub secondary: RunningSimulator,
    // Last: dropped after the listeners.
    pub runtime: tokio::runtime::Runtime,
}

#[cfg(feature = "simulator")]
impl BlockingGateway {
    pub fn serve(config: SimulatorConfig) -> Self {
        let runtime = runtime();
        let simulator = Simulator::new(config);
        let (primary, secondary) = runtime
            .block_on(simulator.start_pair(loopback(), loopback()))
            .expect("the simulator starts");
        Self {
            simulator,
            primary,
            secondary,
            runtime,
        }
    }
}

/// A runtime with one worker thread, to serve while a test thread blocks.
#[cfg(feature = "simulator")]
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The binary with `args`, and with `environment` removed so that the developer's own
/// settings cannot leak into a test.
pub fn sendsms_without(environment: &[&str], args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    for name in environment {
        command.env_remove(name);
    }
    command.args(args);
    command
}

/// What a finished run of the binary left.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

pub fn run(command: &mut Command) -> Ran {
    let output = command.output().expect("sendsms runs");
    Ran {
        code: output.status.code().expect("an exit status"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 errors"),
    }
}

/// A child process killed if the test ends before it does.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Lines of a child's pipe, on a thread of their own so that waiting for one can time out.
pub fn lines(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            if sender.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    receiver
}

/// `command` (a `sendsms simulate`) started with its stdout piped and its stderr dropped, and
/// the lines of its stdout.
pub fn spawn_simulate(command: &mut Command) -> (Running, mpsc::Receiver<String>) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sendsms simulate starts");
    let mut simulate = Running(child);
    let stdout = lines(simulate.0.stdout.take().unwrap());
    (simulate, stdout)
}

/// The banner of `sendsms simulate`: its lines up to and with [`SERVING`], or as many as came
/// within `wait` of each other.
pub fn banner(lines: &mpsc::Receiver<String>, wait: Duration) -> Vec<String> {
    let mut banner = Vec::new();
    while let Ok(line) = lines.recv_timeout(wait) {
        let serving = line == SERVING;
        banner.push(line);
        if serving {
            break;
        }
    }
    banner
}

/// The URL a banner line names.
pub fn url_in(banner: &str) -> &str {
    banner
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {banner:?}"))
}

/// Ctrl-C for `child`, and its exit status once it has stopped.
pub fn interrupt(child: &mut Running) -> ExitStatus {
    let status = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
}
