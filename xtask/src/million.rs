//! `cargo xtask bench-million`: a million recipients through the simulator on loopback,
//! whole process, as a user runs it: the release `sendsms send --to @FILE` against a release
//! `sendsms simulate`, with the SQLite journal and `--parallel 8`, and without a journal
//! with `--parallel 1` and `--parallel 8`. Each run gets a fresh simulator; its wall time and
//! the `sendsms send` process's peak resident memory are printed.
//!
//! A benchmark, not a test: nothing here fails on a figure. The peak memory is the child's
//! own (`getrusage(RUSAGE_CHILDREN)` in a measuring process that runs nothing else), so that
//! neither the build nor the simulator counts.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const USERNAME: &str = "bench";
const PIN: &str = "bench1234";

/// `bench-million`'s options.
#[derive(clap::Args)]
pub struct MillionArgs {
    /// How many recipients.
    #[arg(long, default_value_t = 1_000_000)]
    count: usize,
    /// Only these runs, of journal-8, plain-1, plain-8 (default: all three).
    #[arg(long, value_delimiter = ',')]
    runs: Vec<String>,
}

/// One measured run: its name, and the `sendsms send` options that make it.
struct Run {
    name: &'static str,
    journal: bool,
    parallel: u32,
}

const RUNS: [Run; 3] = [
    Run {
        name: "journal-8",
        journal: true,
        parallel: 8,
    },
    Run {
        name: "plain-1",
        journal: false,
        parallel: 1,
    },
    Run {
        name: "plain-8",
        journal: false,
        parallel: 8,
    },
];

pub fn bench(root: &Path, args: &MillionArgs) -> Result<()> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "sendsms"])
        .current_dir(root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p sendsms failed");
    }
    let sendsms = root.join("target/release/sendsms");
    let dir = root.join("target/bench-million");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let list = dir.join("numbers.txt");
    write_numbers(&list, args.count)?;
    let config = dir.join("simulator.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"csoft": {{"accounts": [{{"username": "{USERNAME}", "pin": "{PIN}", "credit": "1000000000"}}]}}}}"#
        ),
    )?;
    println!(
        "{} recipients, requests of 350, sendsms and its simulator on loopback",
        args.count
    );
    println!(
        "{:<10} {:>9} {:>14} {:>10}",
        "run", "seconds", "recipients/s", "peak MiB"
    );
    for run in RUNS
        .iter()
        .filter(|r| args.runs.is_empty() || args.runs.iter().any(|n| n == r.name))
    {
        let m = measure_run(&sendsms, &dir, &list, &config, run)?;
        println!(
            "{:<10} {:>9.2} {:>14.0} {:>10.1} {:>9.2} {:>14}",
            run.name,
            m.seconds,
            args.count as f64 / m.seconds,
            m.peak_kib as f64 / 1024.0,
            m.cpu,
            m.simulator_cpu
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.2}")),
        );
    }
    Ok(())
}

fn write_numbers(path: &Path, count: usize) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in 0..count {
        writeln!(out, "44{:010}", 7_000_000_000 + i)?;
    }
    out.flush()?;
    Ok(())
}

/// A simulator for one run, then `sendsms send` under [`measure`]: seconds and peak KiB.
fn measure_run(
    sendsms: &Path,
    dir: &Path,
    list: &Path,
    config: &Path,
    run: &Run,
) -> Result<Measured> {
    let mut simulator = Simulator::start(sendsms, config)?;
    let journal = dir.join("journal.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", journal.display()));
    }
    let mut send = vec![
        "--primary".to_owned(),
        simulator.url.clone(),
        "--username".to_owned(),
        USERNAME.to_owned(),
        "--pin".to_owned(),
        PIN.to_owned(),
        "send".to_owned(),
        "--to".to_owned(),
        format!("@{}", list.display()),
        "--text".to_owned(),
        "Your appointment is at 10:30 tomorrow. Reply STOP to opt out.".to_owned(),
        "--parallel".to_owned(),
        run.parallel.to_string(),
    ];
    if run.journal {
        send.extend(["--journal".to_owned(), journal.display().to_string()]);
    }
    let output = dir.join(format!("{}.out", run.name));
    let measured = Command::new(std::env::current_exe()?)
        .arg("measure")
        .arg(&output)
        .arg(sendsms)
        .args(&send)
        .stderr(Stdio::inherit())
        .output()
        .context("running the measuring process")?;
    let simulator_cpu = simulator.cpu_seconds();
    simulator.stop();
    let text = String::from_utf8_lossy(&measured.stdout);
    let mut fields = text.split_whitespace();
    let (Some(code), Some(seconds), Some(peak), Some(cpu)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        bail!("the measuring process answered {text:?}");
    };
    if code != "0" {
        bail!(
            "{}: sendsms send exited {code}; its output is in {}",
            run.name,
            output.display()
        );
    }
    Ok(Measured {
        seconds: seconds.parse()?,
        peak_kib: peak.parse()?,
        cpu: cpu.parse()?,
        simulator_cpu,
    })
}

/// What one run measured.
struct Measured {
    seconds: f64,
    peak_kib: u64,
    /// CPU seconds of `sendsms send`, user and system.
    cpu: f64,
    /// CPU seconds of its simulator, if they could be read (Linux).
    simulator_cpu: Option<f64>,
}

/// `xtask measure OUT PROGRAM ARGS…`: runs the program (stdout to OUT, stderr inherited),
/// and prints its exit status, wall seconds and peak resident KiB: the measuring process
/// has no other child, so `RUSAGE_CHILDREN` is the program's own.
pub fn measure(out: &Path, program: &Path, args: &[String]) -> Result<()> {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(std::fs::File::create(out)?)
        .status()
        .with_context(|| format!("running {}", program.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    let cpu = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    println!(
        "{} {seconds:.3} {} {:.3}",
        status.code().unwrap_or(-1),
        usage.max_rss(),
        cpu(usage.user_time()) + cpu(usage.system_time())
    );
    Ok(())
}

/// A `sendsms simulate` of its own, on a free loopback port.
struct Simulator {
    child: Child,
    url: String,
}

impl Simulator {
    fn start(sendsms: &Path, config: &Path) -> Result<Self> {
        let mut child = Command::new(sendsms)
            .args(["simulate", "--bind", "127.0.0.1:0", "--config"])
            .arg(config)
            // The simulator logs every request at debug level: not while measuring.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting sendsms simulate")?;
        let stdout = child.stdout.take().context("the simulator's stdout")?;
        let mut url = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if url.is_none() && line.trim_start().starts_with("primary:") {
                url = line.split_whitespace().nth(1).map(str::to_owned);
            }
            if line == "Serving until Ctrl-C." || Instant::now() > deadline {
                break;
            }
        }
        match url {
            Some(url) => Ok(Self { child, url }),
            None => {
                let _ = child.kill();
                bail!("sendsms simulate printed no primary URL")
            }
        }
    }

    /// Its CPU seconds so far, user and system, from `/proc` (Linux; `None` elsewhere).
    fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // After the command name (in parentheses, which may hold spaces): utime and stime
        // are the 12th and 13th fields, in clock ticks (100 a second on Linux).
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}
