//! `cargo xtask bench-codegen [WSDL]`: the `wsdl2rust` process against xsd-parser 1.5 (with its
//! quick_xml serializers and deserializers) on the same WSDL, all release builds, each run
//! start to finish with its output written to a file, and their wall times compared.
//! xsd-parser runs twice over: built as its users get it (cargo's release profile, the system
//! allocator), and built as `wsdl2rust` is (fat LTO, one codegen unit, mimalloc), which tells
//! the generators apart from the build settings.
//!
//! A benchmark run by hand, not a test: nothing here asserts a speed. The programs run in
//! rotation (which goes first changes every round), so that drift in the machine's load lands
//! on all of them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The folder of the xsd-parser program: a workspace of its own, so xsd-parser never enters
/// this workspace's lock file or build.
const XSD_PARSER_DIR: &str = "bench/xsd-parser";

/// Where the xsd-parser program is built, inside the workspace's (ignored) target folder.
const XSD_PARSER_TARGET: &str = "target/bench-xsd-parser";

#[derive(clap::Args)]
pub struct BenchArgs {
    /// The WSDL both programs read; relative to the repository root.
    #[arg(default_value = "wsdl/sendsms5.wsdl")]
    wsdl: PathBuf,
    /// Timed runs of each program.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Untimed runs of each program first (page cache, CPU frequency).
    #[arg(long, default_value_t = 5)]
    warmup: u32,
    /// Have xsd-parser's output formatted with prettyplease, as `wsdl2rust` formats its own
    /// (by default it is the token stream's text, as xsd-parser's examples write it).
    #[arg(long)]
    pretty: bool,
}

/// One program as it is timed: what it is called in the table, and its command line.
struct Contender {
    label: String,
    program: PathBuf,
    args: Vec<PathBuf>,
    output: PathBuf,
    times: Vec<Duration>,
}

impl Contender {
    /// Runs the program once, start to finish, and returns its wall time.
    fn run(&self) -> Result<Duration> {
        let start = Instant::now();
        let outcome = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let elapsed = start.elapsed();
        let outcome = outcome.with_context(|| format!("starting {}", self.program.display()))?;
        if !outcome.status.success() {
            bail!(
                "{} failed ({}): {}",
                self.label,
                outcome.status,
                String::from_utf8_lossy(&outcome.stderr).trim_end()
            );
        }
        Ok(elapsed)
    }
}

/// The two builds of the xsd-parser program: as a user of xsd-parser gets it, and as
/// `wsdl2rust` is built. Each is (label, cargo arguments, folder under the target dir).
const XSD_PARSER_BUILDS: [(&str, &[&str], &str); 2] = [
    ("release profile, system malloc", &["--release"], "release"),
    (
        "as wsdl2rust: fat LTO, mimalloc",
        &["--profile", "as-wsdl2rust", "--features", "mimalloc"],
        "as-wsdl2rust",
    ),
];

pub fn bench_codegen(root: &Path, args: &BenchArgs) -> Result<()> {
    let wsdl = root.join(&args.wsdl);
    if !wsdl.is_file() {
        bail!("{}: no such file", wsdl.display());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    build(Command::new(&cargo).current_dir(root).args([
        "build",
        "--release",
        "--package",
        "wsdl2rust-cli",
    ]))?;
    let manifest = root.join(XSD_PARSER_DIR).join("Cargo.toml");
    let xsd_parser_target = root.join(XSD_PARSER_TARGET);
    for (_, flags, _) in XSD_PARSER_BUILDS {
        build(
            Command::new(&cargo)
                .current_dir(root)
                .args(["build", "--locked", "--manifest-path"])
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&xsd_parser_target)
                .args(flags),
        )?;
    }

    let scratch = std::env::temp_dir().join(crate::unique_name("wsdl2rust-bench"));
    fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let result = measure(root, &wsdl, &xsd_parser_target, &scratch, args);
    // Best effort: the folder is in the temp dir, and a leftover does no harm.
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn measure(
    root: &Path,
    wsdl: &Path,
    xsd_parser_target: &Path,
    scratch: &Path,
    args: &BenchArgs,
) -> Result<()> {
    let version = locked_version(&root.join(XSD_PARSER_DIR).join("Cargo.lock"))?;
    let ours_out = scratch.join("wsdl2rust.rs");
    let mut contenders = vec![Contender {
        label: "wsdl2rust".into(),
        program: root.join("target/release/wsdl2rust"),
        args: vec![wsdl.to_path_buf(), "-o".into(), ours_out.clone()],
        output: ours_out,
        times: Vec::new(),
    }];
    for (i, (build, _, folder)) in XSD_PARSER_BUILDS.iter().enumerate() {
        let output = scratch.join(format!("xsd-parser-{i}.rs"));
        let mut theirs_args = vec![wsdl.to_path_buf(), output.clone()];
        if args.pretty {
            theirs_args.push("--pretty".into());
        }
        contenders.push(Contender {
            label: format!(
                "xsd-parser {version}, {build}{}",
                if args.pretty { ", formatted" } else { "" }
            ),
            program: xsd_parser_target.join(folder).join("xsd-parser-bench"),
            args: theirs_args,
            output,
            times: Vec::new(),
        });
    }

    for _ in 0..args.warmup {
        for contender in &contenders {
            contender.run()?;
        }
    }
    for round in 0..args.runs as usize {
        // Which goes first rotates, so none always runs right after the same other one.
        for k in 0..contenders.len() {
            let i = (round + k) % contenders.len();
            let time = contenders[i].run()?;
            contenders[i].times.push(time);
        }
    }

    let shown = wsdl.strip_prefix(root).unwrap_or(wsdl);
    println!(
        "{}: {} runs of each process after {} warm-up runs, in rotation; wall time",
        shown.display(),
        args.runs,
        args.warmup
    );
    let width = contenders.iter().map(|c| c.label.len()).max().unwrap_or(0);
    println!(
        "{:width$}  {:>9}  {:>9}  {:>9}  {:>9}  output",
        "", "median", "min", "p90", "max"
    );
    let mut summaries = Vec::new();
    for contender in &mut contenders {
        contender.times.sort_unstable();
        let summary = Summary::of(&contender.times);
        let written = fs::read_to_string(&contender.output)
            .with_context(|| format!("reading {}", contender.output.display()))?;
        println!(
            "{:width$}  {:>9}  {:>9}  {:>9}  {:>9}  {} lines, {} KB",
            contender.label,
            millis(summary.median),
            millis(summary.min),
            millis(summary.p90),
            millis(summary.max),
            written.lines().count(),
            written.len() / 1000
        );
        summaries.push(summary);
    }
    let ours = &summaries[0];
    for (theirs, (build, _, _)) in summaries[1..].iter().zip(XSD_PARSER_BUILDS) {
        println!(
            "wsdl2rust is {:.1}x as fast as xsd-parser ({build}) by median, {:.1}x by min, {:.1}x by p90",
            ratio(theirs.median, ours.median),
            ratio(theirs.min, ours.min),
            ratio(theirs.p90, ours.p90)
        );
    }
    Ok(())
}

/// Runs a cargo build, its progress on the terminal, and fails if it does.
fn build(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// Order statistics of sorted times.
struct Summary {
    min: Duration,
    median: Duration,
    p90: Duration,
    max: Duration,
}

impl Summary {
    /// `sorted` must be sorted and not empty (there is at least one run).
    fn of(sorted: &[Duration]) -> Self {
        Self {
            min: sorted[0],
            median: percentile(sorted, 50),
            p90: percentile(sorted, 90),
            max: sorted[sorted.len() - 1],
        }
    }
}

/// The nearest-rank percentile of sorted times: the smallest time that at least `percent`
/// per cent of the runs do not exceed.
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// The version of xsd-parser a lock file pins, for the table's label.
fn locked_version(lock: &Path) -> Result<String> {
    let text = fs::read_to_string(lock).with_context(|| format!("reading {}", lock.display()))?;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"xsd-parser\"" {
            let version = lines.next().and_then(|l| l.strip_prefix("version = \""));
            if let Some(version) = version.and_then(|v| v.strip_suffix('"')) {
                return Ok(version.to_owned());
            }
        }
    }
    bail!("{} pins no xsd-parser", lock.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let times = ms(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(percentile(&times, 50), Duration::from_millis(5));
        assert_eq!(percentile(&times, 90), Duration::from_millis(9));
        assert_eq!(percentile(&times, 100), Duration::from_millis(10));
        assert_eq!(percentile(&ms(&[7]), 90), Duration::from_millis(7));
        let summary = Summary::of(&ms(&[2, 3, 40]));
        assert_eq!(
            (summary.min, summary.median, summary.p90, summary.max),
            (
                Duration::from_millis(2),
                Duration::from_millis(3),
                Duration::from_millis(40),
                Duration::from_millis(40)
            )
        );
    }

    #[test]
    fn the_benchmark_names_the_xsd_parser_version_it_pins() {
        let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/xsd-parser/Cargo.lock");
        let version = locked_version(&lock).unwrap();
        assert!(version.starts_with("1.5."), "{version}");
    }
}
