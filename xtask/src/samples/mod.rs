//! `cargo xtask corpus DIR --samples`: every operation of the corpus read and written.
//!
//! For each corpus entry, gSOAP writes a sample request and response for every operation (see
//! [`gsoap`]). The throwaway crate of the entry gets a harness (see [`harness`]) that routes
//! each request to its operation as the generated server would, reads each sample into the
//! operation's generated input or output type and writes it back;
//! the written message is then compared with the sample as a tree (see [`compare`] for what may
//! differ). A failure is excused only by a line of `xtask/sample-exceptions.tsv` (see
//! [`exceptions`]) that names it and says why.

mod compare;
mod exceptions;
mod gsoap;
mod harness;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use exceptions::{Exception, Exceptions};
use gsoap::{Gsoap, Samples};
use harness::OperationRef;

/// The exceptions file, relative to the workspace root.
const EXCEPTIONS: &str = "xtask/sample-exceptions.tsv";

/// The command-line options of the sample check.
#[derive(clap::Args, Debug, Clone)]
pub struct SampleArgs {
    /// Also read gSOAP's sample request and response of every operation into the generated
    /// types, write them back and compare (needs the Debian package gsoap).
    #[arg(long)]
    pub samples: bool,
    /// gSOAP's data folder, holding WS/typemap.dat and import/.
    #[arg(long, value_name = "DIR", default_value = "/usr/share/gsoap")]
    pub gsoap_share: PathBuf,
}

/// The sample check of one corpus run: what each crate holds, then what came of it.
pub struct Plan {
    gsoap: Gsoap,
    entries: Vec<Entry>,
    /// For the wall time in the report.
    started: Instant,
    gsoap_time: Duration,
}

struct Entry {
    crate_name: String,
    crate_dir: PathBuf,
    wsdl: PathBuf,
    operations: Vec<OperationRef>,
    samples: Result<Samples, String>,
}

impl Plan {
    /// A plan when `--samples` was given, after checking that gSOAP can be run.
    pub fn new(args: &SampleArgs) -> Result<Option<Self>> {
        if !args.samples {
            return Ok(None);
        }
        let gsoap = Gsoap {
            share: args.gsoap_share.clone(),
        };
        gsoap.check()?;
        Ok(Some(Self {
            gsoap,
            entries: Vec::new(),
            started: Instant::now(),
            gsoap_time: Duration::ZERO,
        }))
    }

    /// Adds the harness to the crate in `crate_dir`, generated from `wsdl` (leniently when
    /// `lenient`, as its library was).
    pub fn add(
        &mut self,
        crate_name: &str,
        crate_dir: &Path,
        wsdl: &Path,
        lenient: bool,
    ) -> Result<()> {
        let documents = wsdl2rust::read::load(wsdl)?;
        let (module, _) = wsdl2rust::lower::lower(&documents, lenient)?;
        let operations = harness::operations(&module);
        let (files, lib_line) = harness::files(crate_name, &operations);
        for (name, text) in files {
            let path = crate_dir.join("src").join(name);
            fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        let lib = crate_dir.join("src/lib.rs");
        let mut lib_text =
            fs::read_to_string(&lib).with_context(|| format!("reading {}", lib.display()))?;
        lib_text.push_str(lib_line);
        fs::write(&lib, lib_text).with_context(|| format!("writing {}", lib.display()))?;
        self.entries.push(Entry {
            crate_name: crate_name.to_owned(),
            crate_dir: crate_dir.to_path_buf(),
            wsdl: wsdl.to_path_buf(),
            operations,
            samples: Err("not generated yet".into()),
        });
        Ok(())
    }

    /// Runs gSOAP for every entry, a few at a time.
    pub fn generate_samples(&mut self) {
        let started = Instant::now();
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        let next = AtomicUsize::new(0);
        let results = Mutex::new(BTreeMap::new());
        let (gsoap, entries) = (&self.gsoap, &self.entries);
        std::thread::scope(|scope| {
            for _ in 0..threads.min(entries.len()) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(entry) = entries.get(i) else { break };
                    let versions: Vec<(String, bool)> = entry
                        .operations
                        .iter()
                        .map(|op| (op.binding.clone(), op.soap12))
                        .collect();
                    let samples = gsoap
                        .samples(&entry.wsdl, &entry.crate_dir.join("samples"), &versions)
                        .map_err(|e| format!("{e:#}"));
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(i, samples);
                });
            }
        });
        let results = results
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (i, samples) in results {
            self.entries[i].samples = samples;
        }
        self.gsoap_time = started.elapsed();
    }

    /// Runs the harness of every crate that compiled, compares, prints the report and fails
    /// unless every failure is excused and every exception still applies.
    pub fn run(
        &self,
        root: &Path,
        target_dir: &Path,
        compiled: impl Fn(&str) -> bool,
    ) -> Result<()> {
        let exceptions = Exceptions::load(&root.join(EXCEPTIONS))?;
        let run_started = Instant::now();
        let mut results = Vec::new();
        for entry in &self.entries {
            if !compiled(&entry.crate_name) {
                continue;
            }
            results.push(check_entry(entry, target_dir)?);
        }
        let report = Report::new(&results, &exceptions);
        print!("{report}");
        let stale = exceptions.stale(&report.excused, |entry| {
            results.iter().any(|r| r.crate_name == entry)
        });
        for exception in &stale {
            println!(
                "stale exception, {EXCEPTIONS}:{}: {} {} {} no longer fails with {:?}; remove or update it",
                exception.line, exception.entry, exception.operation, exception.message, exception.expect
            );
        }
        println!("{}", report.summary());
        println!(
            "samples: wall time {:.1} s from generating the code to the last comparison (gSOAP {:.1} s, harnesses and comparisons {:.1} s, the rest generating and building)",
            self.started.elapsed().as_secs_f64(),
            self.gsoap_time.as_secs_f64(),
            run_started.elapsed().as_secs_f64()
        );
        if report.unexcused > 0 || !stale.is_empty() {
            bail!(
                "the sample check failed: {} message(s) failed unexcused, {} stale exception(s)",
                report.unexcused,
                stale.len()
            );
        }
        Ok(())
    }
}

/// Why one message did not round-trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub stage: Stage,
    pub reason: String,
}

/// How far a message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// gSOAP wrote no (usable) sample.
    Sample,
    /// gSOAP wrote a sample for an operation the generated module does not have.
    Unmatched,
    /// The request was not routed to its operation, as the generated server would route it.
    Route,
    /// The sample could not be read into the generated type (or the harness died on it).
    Read,
    /// What was written is not well-formed XML.
    Write,
    /// What was written differs from the sample.
    Compare,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sample => "sample",
            Self::Unmatched => "unmatched",
            Self::Route => "route",
            Self::Read => "read",
            Self::Write => "write",
            Self::Compare => "compare",
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.stage, self.reason)
    }
}

/// What came of one message of one operation.
#[derive(Debug, Clone)]
struct MessageResult {
    /// `Binding.Operation`, as in the WSDL (and in gSOAP's file names).
    operation: String,
    /// `req` or `res`.
    message: &'static str,
    outcome: Result<(), Failure>,
}

struct EntryResult {
    crate_name: String,
    /// Notes from gSOAP's run.
    notes: Vec<String>,
    messages: Vec<MessageResult>,
}

/// One sample for the harness.
struct PlanLine {
    /// Where its result goes in the entry's messages.
    index: usize,
    /// `binding_module::Operation`.
    key: String,
    request: bool,
    sample: PathBuf,
    /// Where the harness writes what it read.
    written: PathBuf,
}

fn direction(request: bool) -> &'static str {
    if request {
        "req"
    } else {
        "res"
    }
}

/// Pairs samples with operations, runs the harness over them and compares what it wrote.
fn check_entry(entry: &Entry, target_dir: &Path) -> Result<EntryResult> {
    let written_dir = entry.crate_dir.join("samples/written");
    fs::create_dir_all(&written_dir)?;
    let samples = entry.samples.as_ref().map_err(String::as_str);
    let (mut messages, plan) = pair(&entry.operations, samples, &written_dir);
    let binary = target_dir.join("debug").join(&entry.crate_name);
    let outcomes = run_harness(&binary, &entry.crate_dir.join("samples"), &plan)?;
    for (line, outcome) in plan.iter().zip(outcomes) {
        messages[line.index].outcome =
            outcome.and_then(|()| compare_files(&line.sample, &line.written));
    }
    Ok(EntryResult {
        crate_name: entry.crate_name.clone(),
        notes: samples.map(|s| s.notes.clone()).unwrap_or_default(),
        messages,
    })
}

/// One result per message of every operation (a request, and a response unless one-way) and
/// per sample of no operation; and the harness's plan for the messages that have a sample,
/// whose results are still to come.
fn pair(
    operations: &[OperationRef],
    samples: Result<&Samples, &str>,
    written_dir: &Path,
) -> (Vec<MessageResult>, Vec<PlanLine>) {
    let mut messages = Vec::new();
    let mut plan = Vec::new();
    let no_samples: &[gsoap::Sample] = &[];
    let found = samples.map_or(no_samples, |s| &s.samples);
    for op in operations {
        for request in [true, false].into_iter().filter(|r| *r || op.response) {
            let sample = found.iter().find(|s| {
                s.binding == op.binding && s.operation == op.operation && s.request == request
            });
            let outcome = match (sample, samples) {
                (Some(sample), _) => {
                    plan.push(PlanLine {
                        index: messages.len(),
                        key: op.key.clone(),
                        request,
                        sample: sample.path.clone(),
                        written: written_dir.join(sample.path.file_name().unwrap_or_default()),
                    });
                    Ok(())
                }
                (None, Ok(_)) => Err(Failure {
                    stage: Stage::Sample,
                    reason: "gSOAP wrote no sample for it".into(),
                }),
                (None, Err(error)) => Err(Failure {
                    stage: Stage::Sample,
                    reason: format!("gSOAP wrote no samples: {error}"),
                }),
            };
            messages.push(MessageResult {
                operation: format!("{}.{}", op.binding, op.operation),
                message: direction(request),
                outcome,
            });
        }
    }
    for sample in found {
        let known = operations.iter().any(|op| {
            op.binding == sample.binding
                && op.operation == sample.operation
                && (sample.request || op.response)
        });
        if !known {
            messages.push(MessageResult {
                operation: format!("{}.{}", sample.binding, sample.operation),
                message: direction(sample.request),
                outcome: Err(Failure {
                    stage: Stage::Unmatched,
                    reason: format!(
                        "the generated module has no such operation (sample {})",
                        sample.path.display()
                    ),
                }),
            });
        }
    }
    (messages, plan)
}

/// Runs the harness over the plan, restarting it past a sample that killed it, and returns
/// one outcome per plan line.
fn run_harness(binary: &Path, dir: &Path, plan: &[PlanLine]) -> Result<Vec<Result<(), Failure>>> {
    let mut outcomes = Vec::with_capacity(plan.len());
    while outcomes.len() < plan.len() {
        let rest = &plan[outcomes.len()..];
        let lines: String = rest
            .iter()
            .map(|line| {
                format!(
                    "{}\t{}\t{}\t{}\n",
                    line.key,
                    direction(line.request),
                    line.sample.display(),
                    line.written.display()
                )
            })
            .collect();
        let plan_file = dir.join("plan.tsv");
        fs::write(&plan_file, lines)?;
        let output = Command::new(binary)
            .arg(&plan_file)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", binary.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        for line in stdout.lines().take(rest.len()) {
            outcomes.push(match line {
                "ok" => Ok(()),
                other => Err(match other.strip_prefix("route: ") {
                    Some(reason) => Failure {
                        stage: Stage::Route,
                        reason: reason.to_owned(),
                    },
                    None => Failure {
                        stage: Stage::Read,
                        reason: other.strip_prefix("read: ").unwrap_or(other).to_owned(),
                    },
                }),
            });
        }
        if outcomes.len() < plan.len() {
            // The harness died on the next sample (a stack overflow aborts): that sample
            // fails, and the harness starts again after it.
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            outcomes.push(Err(Failure {
                stage: Stage::Read,
                reason: format!("the harness died ({}): {last}", output.status),
            }));
        }
    }
    Ok(outcomes)
}

/// Compares the written message with its sample.
fn compare_files(sample: &Path, written: &Path) -> Result<(), Failure> {
    let read = |path: &Path, stage: Stage| {
        fs::read_to_string(path).map_err(|e| Failure {
            stage,
            reason: format!("reading {}: {e}", path.display()),
        })
    };
    let (sample_text, written_text) = (read(sample, Stage::Sample)?, read(written, Stage::Write)?);
    let sample_doc = roxmltree::Document::parse(&sample_text).map_err(|e| Failure {
        stage: Stage::Sample,
        reason: format!("the sample is not well-formed: {e}"),
    })?;
    let written_doc = roxmltree::Document::parse(&written_text).map_err(|e| Failure {
        stage: Stage::Write,
        reason: format!("what was written is not well-formed: {e}"),
    })?;
    match compare::difference(&sample_doc, &written_doc) {
        None => Ok(()),
        Some(difference) => Err(Failure {
            stage: Stage::Compare,
            reason: difference.to_string(),
        }),
    }
}

/// The per-entry table and the failures, with the exceptions applied.
struct Report<'a> {
    rows: Vec<Row>,
    /// Each failure, with the exception that excuses it.
    failures: Vec<(&'a str, &'a MessageResult, Option<&'a Exception>)>,
    notes: Vec<(&'a str, &'a str)>,
    excused: Vec<&'a Exception>,
    unexcused: usize,
    totals: Row,
}

#[derive(Default, Clone)]
struct Row {
    name: String,
    operations: usize,
    read: usize,
    equal: usize,
    failed: usize,
    excused: usize,
}

impl<'a> Report<'a> {
    fn new(results: &'a [EntryResult], exceptions: &'a Exceptions) -> Self {
        let mut report = Report {
            rows: Vec::new(),
            failures: Vec::new(),
            notes: Vec::new(),
            excused: Vec::new(),
            unexcused: 0,
            totals: Row {
                name: "total".into(),
                ..Row::default()
            },
        };
        for result in results {
            let mut row = Row {
                name: result.crate_name.clone(),
                ..Row::default()
            };
            for note in &result.notes {
                report.notes.push((&result.crate_name, note));
            }
            // An operation is read when each of its messages was read, equal when each
            // round-tripped equal, and excused when each failure of it is.
            let mut operations: BTreeMap<&str, Vec<&MessageResult>> = BTreeMap::new();
            for message in &result.messages {
                operations
                    .entry(&message.operation)
                    .or_default()
                    .push(message);
            }
            for (operation, messages) in operations {
                row.operations += 1;
                let read = messages.iter().all(|m| match &m.outcome {
                    Ok(()) => true,
                    Err(f) => f.stage > Stage::Read,
                });
                let equal = messages.iter().all(|m| m.outcome.is_ok());
                row.read += usize::from(read);
                row.equal += usize::from(equal);
                if equal {
                    continue;
                }
                row.failed += 1;
                let mut all_excused = true;
                for message in messages {
                    let Err(failure) = &message.outcome else {
                        continue;
                    };
                    let exception = exceptions.find(
                        &result.crate_name,
                        operation,
                        message.message,
                        &failure.to_string(),
                    );
                    match exception {
                        Some(e) => report.excused.push(e),
                        None => {
                            all_excused = false;
                            report.unexcused += 1;
                        }
                    }
                    report
                        .failures
                        .push((&result.crate_name, message, exception));
                }
                row.excused += usize::from(all_excused);
            }
            for (total, n) in [
                (&mut report.totals.operations, row.operations),
                (&mut report.totals.read, row.read),
                (&mut report.totals.equal, row.equal),
                (&mut report.totals.failed, row.failed),
                (&mut report.totals.excused, row.excused),
            ] {
                *total += n;
            }
            report.rows.push(row);
        }
        report
    }

    /// The one line CI logs show: operations read, round-tripped equal, failed.
    fn summary(&self) -> String {
        let t = &self.totals;
        format!(
            "samples: {} operations: {} read, {} round-tripped equal, {} failed ({} excused by {EXCEPTIONS}, {} not)",
            t.operations,
            t.read,
            t.equal,
            t.failed,
            t.excused,
            t.failed - t.excused
        )
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = ["crate", "operations", "read", "equal", "failed", "excused"];
        let cells = |r: &Row| {
            [
                r.name.clone(),
                r.operations.to_string(),
                r.read.to_string(),
                r.equal.to_string(),
                r.failed.to_string(),
                r.excused.to_string(),
            ]
        };
        let rows: Vec<[String; 6]> = self
            .rows
            .iter()
            .chain(std::iter::once(&self.totals))
            .map(cells)
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        writeln!(f, "\nsample messages, read and written back:")?;
        let header = header.map(String::from);
        for row in std::iter::once(&header).chain(&rows) {
            write!(f, "{:<w$}", row[0], w = widths[0])?;
            for (cell, w) in row.iter().zip(widths).skip(1) {
                write!(f, "  {cell:>w$}")?;
            }
            writeln!(f)?;
        }
        for (entry, note) in &self.notes {
            writeln!(f, "note: {entry}: {note}")?;
        }
        for (entry, message, exception) in &self.failures {
            let failure = message
                .outcome
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            let excuse = match exception {
                Some(e) => format!(" [excused: {}, line {}]", e.kind, e.line),
                None => String::new(),
            };
            writeln!(
                f,
                "{entry} {} {}: {failure}{excuse}",
                message.operation, message.message
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(binding: &str, operation: &str, response: bool) -> OperationRef {
        OperationRef {
            binding: binding.into(),
            operation: operation.into(),
            key: format!("m::{operation}"),
            soap12: false,
            response,
        }
    }

    fn sample(binding: &str, operation: &str, request: bool) -> gsoap::Sample {
        let suffix = direction(request);
        gsoap::Sample {
            binding: binding.into(),
            operation: operation.into(),
            request,
            path: PathBuf::from(format!("/s/{binding}.{operation}.{suffix}.xml")),
        }
    }

    fn outcomes(messages: &[MessageResult]) -> Vec<(String, &str, Option<Stage>)> {
        messages
            .iter()
            .map(|m| {
                let stage = m.outcome.as_ref().err().map(|f| f.stage);
                (m.operation.clone(), m.message, stage)
            })
            .collect()
    }

    #[test]
    fn every_message_of_every_operation_is_accounted_for() {
        let operations = [
            op("B", "both", true),
            op("B", "oneWay", false),
            op("B", "lost", true),
        ];
        let samples = Samples {
            samples: vec![
                sample("B", "both", true),
                sample("B", "both", false),
                sample("B", "oneWay", true),
                // A response for a one-way operation, and an operation nobody generated.
                sample("B", "oneWay", false),
                sample("Other", "x", true),
            ],
            notes: Vec::new(),
        };
        let (messages, plan) = pair(&operations, Ok(&samples), Path::new("/w"));
        assert_eq!(
            outcomes(&messages),
            [
                ("B.both".into(), "req", None),
                ("B.both".into(), "res", None),
                ("B.oneWay".into(), "req", None),
                ("B.lost".into(), "req", Some(Stage::Sample)),
                ("B.lost".into(), "res", Some(Stage::Sample)),
                ("B.oneWay".into(), "res", Some(Stage::Unmatched)),
                ("Other.x".into(), "req", Some(Stage::Unmatched)),
            ]
        );
        let planned: Vec<_> = plan
            .iter()
            .map(|l| (l.index, l.key.as_str(), l.request, l.written.clone()))
            .collect();
        assert_eq!(
            planned,
            [
                (0, "m::both", true, PathBuf::from("/w/B.both.req.xml")),
                (1, "m::both", false, PathBuf::from("/w/B.both.res.xml")),
                (2, "m::oneWay", true, PathBuf::from("/w/B.oneWay.req.xml")),
            ]
        );
    }

    #[test]
    fn when_gsoap_fails_every_message_fails_with_its_reason() {
        let (messages, plan) = pair(&[op("B", "x", true)], Err("wsdl2h failed"), Path::new("/w"));
        assert!(plan.is_empty());
        assert_eq!(messages.len(), 2);
        for m in &messages {
            let failure = m.outcome.as_ref().expect_err("fails");
            assert_eq!(
                failure.to_string(),
                "sample: gSOAP wrote no samples: wsdl2h failed"
            );
        }
    }

    /// A harness that dies after its first sample is started again after the sample it died on.
    #[cfg(unix)]
    #[test]
    fn a_harness_that_dies_is_restarted_past_the_sample_that_killed_it() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("xtask-harness-test-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("a scratch folder");
        let harness = dir.join("harness");
        fs::write(
            &harness,
            "#!/bin/sh\necho ok\necho 'stack overflow' >&2\nexit 134\n",
        )
        .expect("writes");
        fs::set_permissions(&harness, fs::Permissions::from_mode(0o755)).expect("executable");
        let line = |index| PlanLine {
            index,
            key: "m::Op".into(),
            request: true,
            sample: dir.join("s.xml"),
            written: dir.join("w.xml"),
        };
        let plan = [line(0), line(1), line(2)];
        let outcomes = run_harness(&harness, &dir, &plan).expect("runs");
        fs::remove_dir_all(&dir).expect("cleans up");
        let shown: Vec<String> = outcomes
            .iter()
            .map(|o| {
                o.as_ref()
                    .map_or_else(ToString::to_string, |()| "ok".into())
            })
            .collect();
        assert_eq!(shown.len(), 3);
        assert_eq!((shown[0].as_str(), shown[2].as_str()), ("ok", "ok"));
        assert!(
            shown[1].starts_with("read: the harness died") && shown[1].ends_with("stack overflow"),
            "{shown:?}"
        );
    }

    #[test]
    fn operations_are_counted_read_equal_failed_and_excused() {
        let failed = |stage, reason: &str| {
            Err(Failure {
                stage,
                reason: reason.into(),
            })
        };
        let message = |operation: &str, message, outcome| MessageResult {
            operation: operation.into(),
            message,
            outcome,
        };
        let results = [EntryResult {
            crate_name: "e".into(),
            notes: Vec::new(),
            messages: vec![
                message("B.ok", "req", Ok(())),
                message("B.ok", "res", Ok(())),
                message("B.differs", "req", Ok(())),
                message("B.differs", "res", failed(Stage::Compare, "/a: text")),
                message("B.unread", "req", failed(Stage::Read, "bad")),
                message("B.unread", "res", Ok(())),
            ],
        }];
        let exceptions = Exceptions::parse(
            "entry\toperation\tmessage\tkind\texpect\treason\ne\tB.differs\tres\tsample-generator\t/a: text\tshown\n",
        )
        .expect("parses");
        let report = Report::new(&results, &exceptions);
        let t = &report.totals;
        assert_eq!(
            (t.operations, t.read, t.equal, t.failed, t.excused),
            (3, 2, 1, 2, 1)
        );
        assert_eq!(report.unexcused, 1);
        assert_eq!(
            report.summary(),
            "samples: 3 operations: 2 read, 1 round-tripped equal, 2 failed (1 excused by xtask/sample-exceptions.tsv, 1 not)"
        );
        assert!(exceptions.stale(&report.excused, |_| true).is_empty());
    }
}
