//! Child processes run under a memory limit and a deadline, for the hostile-input tests of
//! the `wsdl2rust` and `sendsms` binaries (each test file includes this one with `#[path]`).
//!
//! Memory is bounded with `prlimit --as` (util-linux), a limit on the child's address space:
//! past it an allocation fails and the child aborts, so a test that expects a clear error
//! fails instead. Address space, not resident memory, is what an rlimit can bound; it counts
//! reserved but untouched memory too (thread stacks, allocator arenas), so the limit is set
//! well above what the binaries use (`MALLOC_ARENA_MAX=2` keeps glibc from reserving 64 MiB
//! per thread) and far below what the faults these tests guard against took (6.7 GB). The
//! deadline is generous too: it tells a hang from a slow machine, it does not measure speed.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The address space a child may use.
pub const ADDRESS_SPACE: u64 = 1 << 30;

/// How long a child may take before it is taken to hang.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// `command` wrapped in `prlimit --as`, with the same arguments and environment. Without
/// `prlimit` (not Linux), the command as it is: the deadline still holds.
pub fn bounded(command: &Command) -> Command {
    let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let mut wrapped = match prlimit {
        Some(prlimit) => {
            let mut wrapped = Command::new(prlimit);
            wrapped
                .arg(format!("--as={ADDRESS_SPACE}"))
                .arg("--")
                .arg(command.get_program());
            wrapped
        }
        None => {
            eprintln!("prlimit not found: the child's memory is not limited");
            Command::new(command.get_program())
        }
    };
    wrapped.args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped.env("MALLOC_ARENA_MAX", "2");
    wrapped
}

/// What a child left when it ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// The exit code; a panic if a signal ended the child (an abort, an overflowed stack).
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {:?}\n{}", self.status, self.stderr))
    }
}

/// Runs `command` bounded, with no standard input, to its end.
pub fn run_bounded(command: &Command) -> Finished {
    let child = bounded(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts");
    finish(child)
}

/// Waits for `child` (started with piped stdout and stderr) until [`DEADLINE`]; kills it
/// and panics past that.
pub fn finish(mut child: Child) -> Finished {
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child did not end within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Finished {
        status,
        stdout: stdout.join().expect("stdout is read"),
        stderr: stderr.join().expect("stderr is read"),
    }
}

/// A pipe read to its end on a thread of its own, so that a child filling it cannot block.
fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
