//! Scaffolding shared by the command's tests: the `sendsms` binary and its output, simulators
//! on loopback served while a test thread waits for the binary, and child processes with their
//! lines read on threads of their own.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use generated_client::simulator::{RunningSimulator, Simulator, SimulatorConfig};
use generated_client::{clickatell, csoft};
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

/// A primary and a secondary simulator, served by a runtime of their own while the test
/// thread waits for the binary. Each test module wraps it in a `Gateway` of its own, which
/// adds the methods it needs (the command pointed at it, request counts).
pub struct Servers {
    pub simulator: Simulator,
    pub primary: RunningSimulator,
    pub secondary: RunningSimulator,
    // Last: dropped after the listeners.
    pub runtime: tokio::runtime::Runtime,
}

impl Servers {
    pub fn start(config: SimulatorConfig) -> Self {
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

    /// The Connection Software gateway both listeners serve.
    pub fn csoft(&self) -> &csoft::simulated::Gateway {
        self.simulator.gateways().csoft()
    }

    /// The Clickatell gateway both listeners serve.
    pub fn clickatell(&self) -> &clickatell::simulated::Gateway {
        self.simulator.gateways().clickatell()
    }
}

/// A runtime with one worker thread, to serve while a test thread blocks.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Everything `sendsms` reads from the environment, every vendor's settings among them.
pub const ENVIRONMENT: [&str; 12] = [
    "SENDSMS_VENDOR",
    "SENDSMS_PRIMARY",
    "SENDSMS_SECONDARY",
    "SENDSMS_USERNAME",
    "SENDSMS_PIN",
    "SENDSMS_API",
    "SENDSMS_API_ID",
    "SENDSMS_PASSWORD",
    "SENDSMS_ACCOUNT",
    "SENDSMS_JOURNAL",
    "SENDSMS_JOURNAL_SCHEMA",
    "RUST_LOG",
];

/// `binary` (a `sendsms`) with `args`, and without [`ENVIRONMENT`], so that the developer's
/// own settings cannot leak into a test.
pub fn command(binary: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    for name in ENVIRONMENT {
        command.env_remove(name);
    }
    command.args(args);
    command
}

/// The binary built for these tests with `args`, in a clean environment.
pub fn sendsms(args: &[&str]) -> Command {
    command(Path::new(BIN), args)
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
