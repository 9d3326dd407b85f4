//! The SOAP toolkits the interop tests run against, found (and for gSOAP, built) once per test
//! run, and the processes they run in, which a [`Process`] guard kills when dropped (so also
//! when a test fails).
//!
//! A peer that is not installed skips its tests with a message, unless `SOAP_INTEROP=required`
//! (set by `.ci/run`), where it fails them: CI must not pass by testing nothing.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

/// How long a peer server may take to say it listens, and a peer client to finish.
const PEER_TIMEOUT: Duration = Duration::from_secs(60);

/// The interop folder: the peers' sources (`tests/interop/`).
fn interop_dir() -> PathBuf {
    crate::common::crate_dir().join("interop")
}

/// The interop service description (`tests/fixtures/interop/service.wsdl`).
pub fn wsdl() -> PathBuf {
    crate::common::fixture("interop/service.wsdl")
}

/// Whether a missing peer fails the test rather than skipping it.
fn required() -> bool {
    std::env::var("SOAP_INTEROP").is_ok_and(|v| v == "required")
}

/// `found`, or, when the peer is missing, `None` after saying why (or a panic, when peers are
/// required).
fn or_skip<T>(found: &'static Result<T, String>) -> Option<&'static T> {
    match found {
        Ok(peer) => Some(peer),
        Err(why) if required() => panic!("{why} (SOAP_INTEROP=required, so this fails)"),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

/// gSOAP's server and client of the interop service, built from `tests/interop/gsoap/`.
#[derive(Debug)]
pub struct Gsoap {
    /// The server: `server NAME` prints `listening PORT`.
    pub server: PathBuf,
    /// The client: `client SOAP11_URL SOAP12_URL ENCODED_URL` prints its report.
    pub client: PathBuf,
}

/// gSOAP's programs, built on first use; `None` (after saying why) when gSOAP is not installed.
pub fn gsoap() -> Option<&'static Gsoap> {
    static BUILT: OnceLock<Result<Gsoap, String>> = OnceLock::new();
    or_skip(BUILT.get_or_init(build_gsoap))
}

/// The gSOAP import folder of Debian's `gsoap` package, which holds `soap12.h`.
const GSOAP_IMPORT: &str = "/usr/share/gsoap/import";
/// gSOAP's runtime header, from Debian's `libgsoap-dev`.
const STDSOAP2_H: &str = "/usr/include/stdsoap2.h";

/// Runs wsdl2h and soapcpp2 on the WSDL and compiles the server and client with g++, into a
/// folder under the target directory named after a hash of every input, so a second run
/// reuses the programs and a changed input rebuilds them.
fn build_gsoap() -> Result<Gsoap, String> {
    let missing = "gSOAP is not installed (apt-get install gsoap libgsoap-dev g++)";
    for tool in ["wsdl2h", "soapcpp2", "g++"] {
        if !on_path(tool) {
            return Err(format!("{missing}: no {tool}"));
        }
    }
    if !Path::new(GSOAP_IMPORT).join("soap12.h").is_file() || !Path::new(STDSOAP2_H).is_file() {
        return Err(format!("{missing}: no {STDSOAP2_H} or {GSOAP_IMPORT}"));
    }
    let sources = interop_dir().join("gsoap");
    let inputs = [
        wsdl(),
        crate::common::fixture("interop/inventory.xsd"),
        sources.join("server.cpp"),
        sources.join("client.cpp"),
    ];
    let mut hasher = DefaultHasher::new();
    for input in &inputs {
        read(input).hash(&mut hasher);
    }
    // The runtime's header changes with gSOAP's version, which may change what soapcpp2 writes.
    std::fs::read(STDSOAP2_H)
        .unwrap_or_default()
        .hash(&mut hasher);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("interop-gsoap")
        .join(format!("{:016x}", hasher.finish()));
    let built = Gsoap {
        server: dir.join("server"),
        client: dir.join("client"),
    };
    if built.server.is_file() && built.client.is_file() {
        return Ok(built);
    }
    // Built in a folder of its own, then renamed: an interrupted build leaves no half. The
    // builds of earlier inputs go first.
    let work = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(dir.parent().expect("under interop-gsoap"));
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    run(
        Command::new("wsdl2h")
            .args(["-L", "-o"])
            .arg(work.join("inventory.h"))
            .arg(wsdl())
            .current_dir(&work),
        "wsdl2h",
    );
    run(
        Command::new("soapcpp2")
            .args(["-j", "-x", "-I", GSOAP_IMPORT, "-d"])
            .arg(&work)
            .arg(work.join("inventory.h"))
            .current_dir(&work),
        "soapcpp2",
    );
    let compile = |program: &str, generated: &[&str]| {
        let mut command = Command::new("g++");
        // Pure virtual operations: one the peer forgot to implement fails to compile.
        command
            .args(["-O0", "-w", "-DWITH_PURE_VIRTUAL", "-I"])
            .arg(&work)
            .arg(sources.join(format!("{program}.cpp")))
            .arg(work.join("soapC.cpp"));
        for file in generated {
            command.arg(work.join(file));
        }
        command.arg("-lgsoap++").arg("-o").arg(work.join(program));
        command
            .current_dir(&work)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run g++: {e}"))
    };
    // Both at once: the machine has two cores.
    let server = compile(
        "server",
        &[
            "soapInventorySoapService.cpp",
            "soapStockSoapEncodedService.cpp",
        ],
    );
    let client = compile(
        "client",
        &[
            "soapInventorySoapProxy.cpp",
            "soapStockSoapEncodedProxy.cpp",
        ],
    );
    for (program, child) in [("server", server), ("client", client)] {
        let output = child.wait_with_output().expect("g++ ends");
        assert!(
            output.status.success(),
            "g++ could not build the gSOAP {program}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&work, &dir).map_err(|e| format!("cannot rename {}: {e}", work.display()))?;
    Ok(built)
}

/// Whether `tool` is a file in one of the `PATH` folders.
fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Runs a build step, which must succeed.
fn run(command: &mut Command, what: &str) -> std::process::Output {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A Python interpreter that has zeep, from the venv `.ci/run` makes.
#[derive(Debug)]
pub struct Python {
    /// The interpreter.
    pub interpreter: PathBuf,
}

impl Python {
    /// A command running one of the scripts of `tests/interop/python/`.
    pub fn script(&self, name: &str) -> Command {
        let mut command = Command::new(&self.interpreter);
        command.arg(interop_dir().join("python").join(name));
        command
    }
}

/// The Python peers' interpreter: `SOAP_INTEROP_PYTHON`, else the venv in the target folder
/// that `.ci/run` makes; `None` (after saying why) when neither has zeep.
pub fn python() -> Option<&'static Python> {
    static FOUND: OnceLock<Result<Python, String>> = OnceLock::new();
    or_skip(FOUND.get_or_init(|| {
        let interpreter = match std::env::var_os("SOAP_INTEROP_PYTHON") {
            Some(path) => PathBuf::from(path),
            None => Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .expect("the target folder holds tmp/")
                .join("interop-venv/bin/python"),
        };
        let has_zeep = Command::new(&interpreter)
            .args(["-c", "import zeep"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if has_zeep {
            Ok(Python { interpreter })
        } else {
            Err(format!(
                "{} cannot import zeep: make the venv as .ci/run does (python3 -m venv \
                 target/interop-venv && target/interop-venv/bin/pip install -r \
                 tests/interop/python/requirements.txt), or set SOAP_INTEROP_PYTHON",
                interpreter.display()
            ))
        }
    }))
}

/// A peer's process, killed when the guard is dropped. Its standard error is collected, to
/// show when something about it fails.
pub struct Process {
    name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Process {
    /// Starts `command` with its output piped.
    pub fn start(name: &str, command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let (send, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("piped");
        let collected = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                collected
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Self {
            name: name.to_owned(),
            child,
            lines,
            stderr,
        }
    }

    /// Waits for a server's `listening PORT` line, and returns the port.
    pub fn port(&self) -> u16 {
        let line = self.lines.recv_timeout(PEER_TIMEOUT).unwrap_or_else(|e| {
            panic!(
                "{} did not say it listens ({e}); its stderr:\n{}",
                self.name,
                self.stderr()
            )
        });
        line.strip_prefix("listening ")
            .and_then(|port| port.trim().parse().ok())
            .unwrap_or_else(|| panic!("{} said {line:?}, not `listening PORT`", self.name))
    }

    /// Waits for a client to end, and returns its report: each `key=value` line of its
    /// output. It must exit with success.
    pub fn report(mut self) -> Report {
        let mut entries = Vec::new();
        loop {
            match self.lines.recv_timeout(PEER_TIMEOUT) {
                Ok(line) => match line.split_once('=') {
                    Some((key, value)) => entries.push((key.to_owned(), value.to_owned())),
                    None => panic!("{} printed {line:?}, not `key=value`", self.name),
                },
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "{} did not finish; its stderr:\n{}",
                        self.name,
                        self.stderr()
                    )
                }
            }
        }
        let status = self.child.wait().expect("the client ends");
        assert!(
            status.success(),
            "{} failed ({status}); its stderr:\n{}",
            self.name,
            self.stderr()
        );
        Report {
            peer: self.name.clone(),
            entries,
        }
    }

    fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Gone already, for a client that finished.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a peer client printed: `call.field=value` lines, in order.
#[derive(Debug)]
pub struct Report {
    peer: String,
    entries: Vec<(String, String)>,
}

impl Report {
    /// The value of `key`, which must be there.
    pub fn get(&self, key: &str) -> &str {
        self.find(key).unwrap_or_else(|| {
            panic!(
                "{} reported no {key}; its report:\n{}",
                self.peer,
                self.text()
            )
        })
    }

    /// The value of `key`, if reported.
    pub fn find(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The fields reported for `call`, as `field=value` lines, in order: for comparing a
    /// call's whole outcome at once.
    pub fn call(&self, call: &str) -> Vec<String> {
        let prefix = format!("{call}.");
        self.entries
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|field| format!("{field}={v}")))
            .collect()
    }

    /// The whole report, for messages.
    pub fn text(&self) -> String {
        self.entries
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }
}
