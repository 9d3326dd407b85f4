//! Workspace chores, run as `cargo xtask <command>`: regenerating the checked-in client modules,
//! checking that they are fresh, and compiling the generator's output for a corpus of WSDLs
//! (and, with `--samples`, reading and writing a sample of every message of it).
#![forbid(unsafe_code)]

mod samples;

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use codegen::Options;

/// Every module `regen` writes, as (WSDL, output) paths relative to the workspace root.
/// Adding a vendor is one line here, plus a `pub mod` in generated-client and a vendor layer:
/// see "Adding a SOAP SMS vendor" in the README.
const GENERATED: &[(&str, &str)] = &[
    (
        "wsdl/sendsms5.wsdl",
        "generated-client/src/generated/sendsms5.rs",
    ),
    (
        "wsdl/clickatell.wsdl",
        "generated-client/src/generated/clickatell.rs",
    ),
    (
        "wsdl/deliveryreceipt.wsdl",
        "generated-client/src/generated/deliveryreceipt.rs",
    ),
];

/// The folder the outputs above live in. `regen` deletes any other `*.rs` here, so dropping a
/// vendor from `GENERATED` cannot leave a stale module compiling in the client.
const GENERATED_DIR: &str = "generated-client/src/generated";

/// Named in the `@generated` header of every checked-in module, so readers know how to redo it.
const REGEN_COMMAND: &str = "cargo xtask regen";

/// How many compiler errors to show per corpus crate; the first few say what is wrong, and a
/// broken generator can produce thousands.
const ERRORS_SHOWN: usize = 3;

#[derive(Parser)]
#[command(about = "Workspace chores for the wsdl2rust generator")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Regenerate the checked-in client modules from their WSDLs.
    Regen,
    /// Fail if a checked-in client module differs from what the generator writes now.
    Check,
    /// Generate a module for every WSDL entry point of a corpus and compile them all.
    Corpus(CorpusArgs),
}

#[derive(clap::Args)]
struct CorpusArgs {
    /// The corpus folder, holding MANIFEST.tsv.
    dir: PathBuf,
    /// One more WSDL to include; may be repeated.
    #[arg(long, value_name = "PATH")]
    extra: Vec<PathBuf>,
    /// Where to write the throwaway crates, outside the repository [default: a new folder in the
    /// system temp dir, removed if everything passes].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Cargo target dir for the throwaway crates [default: target/corpus in the repository, so
    /// repeated runs reuse the build of soap-runtime and its dependencies].
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,
    #[command(flatten)]
    samples: samples::SampleArgs,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask has no parent folder")?
        .to_path_buf();
    match cli.command {
        Cmd::Regen => regen(&root),
        Cmd::Check => check(&root),
        Cmd::Corpus(args) => corpus(&root, &args),
    }
}

/// Writes every module in `GENERATED` whose text changed, and deletes stray ones.
fn regen(root: &Path) -> Result<()> {
    enter(root)?;
    let options = Options::new(REGEN_COMMAND);
    for (wsdl, out) in GENERATED {
        let text = codegen::generate(Path::new(wsdl), &options)?;
        // Leaving an unchanged file alone keeps its mtime, so cargo does not rebuild the client.
        if fs::read_to_string(out).is_ok_and(|old| old == text) {
            println!("unchanged {out}");
            continue;
        }
        if let Some(parent) = Path::new(out).parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(out, text).with_context(|| format!("writing {out}"))?;
        println!("written   {out}");
    }
    for stray in stray_files()? {
        fs::remove_file(&stray).with_context(|| format!("deleting {stray}"))?;
        println!("deleted   {stray}");
    }
    Ok(())
}

/// Fails, naming each file, if any checked-in module is stale, missing or stray.
fn check(root: &Path) -> Result<()> {
    enter(root)?;
    let options = Options::new(REGEN_COMMAND);
    let mut problems = Vec::new();
    for (wsdl, out) in GENERATED {
        let expected = codegen::generate(Path::new(wsdl), &options)?;
        match fs::read_to_string(out) {
            Ok(found) if found == expected => {}
            Ok(found) => problems.push(format!(
                "{out} is out of date; {}",
                first_difference(&expected, &found)
            )),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                problems.push(format!("{out} is missing"));
            }
            Err(e) => return Err(e).with_context(|| format!("reading {out}")),
        }
    }
    for stray in stray_files()? {
        problems.push(format!("{stray} is not produced from any WSDL"));
    }
    if problems.is_empty() {
        println!("generated code is fresh ({} file(s))", GENERATED.len());
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    bail!("generated code is out of date: run `{REGEN_COMMAND}`")
}

/// Makes the workspace root the current directory, so that the generator sees the same relative
/// WSDL path on every machine: anything it echoes from the path into the module (a header, an
/// error) must not depend on where the repository was cloned, or `check` would fail in CI.
fn enter(root: &Path) -> Result<()> {
    std::env::set_current_dir(root).with_context(|| format!("entering {}", root.display()))
}

/// `*.rs` files in `GENERATED_DIR` that no entry produces, relative to the root. A `mod.rs` is
/// the client's own, not the generator's, so it is never stray.
fn stray_files() -> Result<Vec<String>> {
    let produced: BTreeSet<&str> = GENERATED.iter().map(|(_, out)| *out).collect();
    let entries = match fs::read_dir(GENERATED_DIR) {
        Ok(entries) => entries,
        // On a fresh clone before the first regen there may be no folder yet; nothing is stray.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("listing {GENERATED_DIR}")),
    };
    let mut stray = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let path = format!("{GENERATED_DIR}/{name}");
        if name.ends_with(".rs") && name != "mod.rs" && !produced.contains(path.as_str()) {
            stray.push(path);
        }
    }
    stray.sort();
    Ok(stray)
}

/// Says where two texts first differ, to show what changed without running a diff tool.
fn first_difference(expected: &str, found: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let found: Vec<&str> = found.lines().collect();
    let show = |line: Option<&&str>| line.map_or("end of file".to_owned(), |l| format!("{l:?}"));
    match (0..expected.len().max(found.len())).find(|&i| expected.get(i) != found.get(i)) {
        Some(i) => format!(
            "line {}: expected {}, found {}",
            i + 1,
            show(expected.get(i)),
            show(found.get(i))
        ),
        None => "the lines match; line endings or the final newline differ".to_owned(),
    }
}

/// One WSDL of the corpus and the crate its module becomes.
struct Entry {
    crate_name: String,
    wsdl: PathBuf,
}

/// What happened to one entry.
struct Outcome {
    entry: Entry,
    /// Lines of generated code, or the generator's located error.
    generated: Result<usize, codegen::Error>,
    /// Why strict generation failed, when lenient mode then succeeded; and what it left out.
    strict_error: Option<codegen::Error>,
    left_out: Vec<codegen::Error>,
    /// Whether cargo reported the crate as failed.
    failed: bool,
    errors: Vec<String>,
    warnings: usize,
}

/// Generates every corpus entry point into a crate of a throwaway workspace and checks them all
/// with one cargo run, which shares the dependency build and compiles crates in parallel.
fn corpus(root: &Path, args: &CorpusArgs) -> Result<()> {
    let entries = corpus_entries(&args.dir, &args.extra)?;
    let out = match &args.out {
        Some(dir) => std::path::absolute(dir)?,
        None => std::env::temp_dir().join(unique_name()),
    };
    // Inside the repository the crates would show up in `git status` and in tools that walk it.
    if out.starts_with(root) {
        bail!("--out {} is inside the repository", out.display());
    }
    let target_dir = match &args.target_dir {
        // Absolute, because cargo runs in `out`, not here.
        Some(dir) => std::path::absolute(dir)?,
        None => root.join("target/corpus"),
    };
    let soap_runtime = root.join("soap-runtime");

    // Before anything is written: without gSOAP there is nothing to do.
    let mut sample_plan = samples::Plan::new(&args.samples)?;
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let options = Options::new("cargo xtask corpus");
    let mut outcomes = Vec::new();
    for entry in entries {
        // Strict first; a WSDL with undefined references (some real ones have them) is then
        // generated leniently, and the report says what was left out.
        let (generated, strict_error) = match codegen::generate_report(&entry.wsdl, &options) {
            Ok(generated) => (Ok(generated), None),
            Err(strict) => (
                codegen::generate_report(&entry.wsdl, &options.clone().lenient()),
                Some(strict),
            ),
        };
        let left_out = generated
            .as_ref()
            .map(|g| g.skipped.clone())
            .unwrap_or_default();
        if let Ok(generated) = &generated {
            write_crate(
                &out.join(&entry.crate_name),
                &entry.crate_name,
                &generated.code,
                &soap_runtime,
            )?;
            if let Some(plan) = &mut sample_plan {
                let crate_dir = out.join(&entry.crate_name);
                plan.add(
                    &entry.crate_name,
                    &crate_dir,
                    &entry.wsdl,
                    strict_error.is_some(),
                )?;
            }
        }
        outcomes.push(Outcome {
            generated: generated.map(|g| g.code.lines().count()),
            strict_error,
            left_out,
            entry,
            failed: false,
            errors: Vec::new(),
            warnings: 0,
        });
    }

    let members: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.generated.is_ok())
        .map(|o| o.entry.crate_name.as_str())
        .collect();
    if let Some(plan) = &mut sample_plan {
        plan.generate_samples();
    }
    if !members.is_empty() {
        write_workspace(root, &out, &members)?;
        // The harnesses must run, so in the sample check the crates are built instead.
        let compile = if sample_plan.is_some() {
            Compile::Build
        } else {
            Compile::Clippy
        };
        cargo_compile(&out, &target_dir, compile, &mut outcomes)?;
    }

    print_report(&outcomes);
    let samples_result = match &sample_plan {
        Some(plan) => plan.run(root, &target_dir, |name| {
            outcomes
                .iter()
                .any(|o| o.entry.crate_name == name && o.generated.is_ok() && !o.failed)
        }),
        None => Ok(()),
    };
    let failures = outcomes
        .iter()
        .filter(|o| o.generated.is_err() || o.failed)
        .count();
    if failures > 0 {
        bail!(
            "{failures} of {} corpus entries failed; the crates are in {}",
            outcomes.len(),
            out.display()
        );
    }
    samples_result.with_context(|| format!("the crates and samples are in {}", out.display()))?;
    if args.out.is_none() {
        // Nothing to inspect when all passed; each run would otherwise leave a folder behind.
        fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    if sample_plan.is_some() {
        println!("all {} corpus entries generate and build", outcomes.len());
    } else {
        println!(
            "all {} corpus entries generate and compile, clippy-clean",
            outcomes.len()
        );
    }
    Ok(())
}

/// The manifest's entry points, then the extras, each with a unique, valid crate name.
fn corpus_entries(dir: &Path, extras: &[PathBuf]) -> Result<Vec<Entry>> {
    let manifest = dir.join("MANIFEST.tsv");
    let text =
        fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, l)| l.split('\t').collect())
        .unwrap_or_default();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{}: no `{name}` column", manifest.display()))
    };
    let (short_name, local_path, style) = (
        column("short_name")?,
        column("local_path")?,
        column("style")?,
    );

    // (prefix, file) pairs; the prefix keeps same-named files of different sets apart.
    let mut wsdls = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| {
            fields
                .get(i)
                .copied()
                .with_context(|| format!("{}:{}: too few columns", manifest.display(), index + 1))
        };
        // Schemas and interface-only WSDLs are marked `n/a`: they are imported by the entry
        // points and have no binding to generate on their own.
        if field(style)?.starts_with("n/a") {
            continue;
        }
        wsdls.push((field(short_name)?.to_owned(), dir.join(field(local_path)?)));
    }
    for extra in extras {
        let folder = extra.parent().and_then(Path::file_name).unwrap_or_default();
        wsdls.push((folder.to_string_lossy().into_owned(), extra.clone()));
    }

    let mut used = BTreeSet::new();
    let mut entries = Vec::new();
    for (prefix, wsdl) in wsdls {
        let stem = wsdl.file_stem().unwrap_or_default().to_string_lossy();
        let base = crate_name(&format!("{prefix}-{stem}"));
        let mut name = base.clone();
        for n in 2.. {
            if used.insert(name.clone()) {
                break;
            }
            name = format!("{base}-{n}");
        }
        entries.push(Entry {
            crate_name: name,
            wsdl,
        });
    }
    Ok(entries)
}

/// A cargo package name from free text: lower-case ASCII letters, digits, `_` and single `-`,
/// starting with a letter (cargo rejects a leading digit).
fn crate_name(text: &str) -> String {
    let mut name = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.to_owned()
    } else {
        format!("wsdl-{name}")
    }
}

/// A folder name no other run uses, so concurrent runs cannot trample each other.
fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("wsdl2rust-corpus-{}-{nanos}", std::process::id())
}

/// A crate whose only dependency is soap-runtime (no features), holding the generated module
/// as a private module: what a user's crate that uses a few operations of a WSDL looks like,
/// so that clippy sees every unused operation, type and method as a user's build would.
fn write_crate(dir: &Path, name: &str, module: &str, soap_runtime: &Path) -> Result<()> {
    fs::create_dir_all(dir.join("src")).with_context(|| format!("creating {}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nsoap-runtime = {{ path = {} }}\n",
        toml_string(soap_runtime)
    );
    fs::write(dir.join("Cargo.toml"), manifest)?;
    fs::write(
        dir.join("src/lib.rs"),
        "//! Written by `cargo xtask corpus`: the generated module, private, as a user keeps it.\n\
         mod generated;\n",
    )?;
    fs::write(dir.join("src/generated.rs"), module)?;
    Ok(())
}

/// The workspace over all generated crates, with the repository's lock file so soap-runtime's
/// dependencies resolve to the versions the repository tests, without a registry update.
fn write_workspace(root: &Path, out: &Path, members: &[&str]) -> Result<()> {
    let list: Vec<String> = members.iter().map(|m| format!("    \"{m}\",\n")).collect();
    // Nobody debugs the throwaway crates: without debug info, building them for `--samples`
    // takes a fifth less time.
    let manifest = format!(
        "# Written by `cargo xtask corpus`; throwaway.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n\n\
         [profile.dev]\ndebug = 0\n",
        list.concat()
    );
    fs::write(out.join("Cargo.toml"), manifest)?;
    fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).context("copying Cargo.lock")?;
    Ok(())
}

/// A TOML basic string holding a path.
fn toml_string(path: &Path) -> String {
    format!("{:?}", path.to_string_lossy())
}

/// What the corpus run asks of cargo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compile {
    /// `cargo clippy`, every warning an error (as in a strict user's build).
    Clippy,
    /// `cargo build`, so that the sample harnesses can run (the corpus step lints).
    Build,
}

impl Compile {
    fn subcommand(self) -> &'static str {
        match self {
            Self::Clippy => "clippy",
            Self::Build => "build",
        }
    }
}

/// Runs cargo once over the workspace in `out` and files each diagnostic under the crate whose
/// source it points into.
fn cargo_compile(
    out: &Path,
    target_dir: &Path,
    compile: Compile,
    outcomes: &mut [Outcome],
) -> Result<()> {
    let subcommand = compile.subcommand();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("cargo {subcommand} in {} …", out.display());
    let mut child = Command::new(cargo)
        .current_dir(out)
        .args([
            subcommand,
            "--workspace",
            "--keep-going",
            "--message-format",
            "short",
        ])
        // Colour codes would break the parsing below, and CI may ask for them.
        .args(["--color", "never"])
        .arg("--target-dir")
        .arg(target_dir)
        .args(match compile {
            Compile::Clippy => &["--", "-D", "warnings"][..],
            Compile::Build => &[],
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running cargo {subcommand}"))?;

    let mut stray = Vec::new();
    let stderr = child.stderr.take().context("no stderr")?;
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        let trimmed = line.trim_start();
        // Echo cargo's progress, since checking a large corpus takes a while.
        if [
            "Compiling ",
            "Checking ",
            "Finished ",
            "Locking ",
            "Downloaded ",
        ]
        .iter()
        .any(|p| trimmed.starts_with(p))
        {
            eprintln!("{line}");
        } else if !file_diagnostic(&line, outcomes) && !crate_failure(&line, outcomes) {
            stray.push(line);
        }
    }
    let status = child.wait()?;
    if !status.success() && !outcomes.iter().any(|o| o.failed) {
        // Cargo failed but not in any generated crate: in soap-runtime, or before compiling.
        for line in &stray {
            eprintln!("{line}");
        }
        bail!("cargo {subcommand} failed outside the generated crates");
    }
    Ok(())
}

/// Files a short-format diagnostic (`crate/src/lib.rs:1:2: error[E0000]: …`) under its crate.
/// Cargo gives workspace members' paths relative to the workspace root, so the first component
/// is the crate's folder, which is its name.
fn file_diagnostic(line: &str, outcomes: &mut [Outcome]) -> bool {
    let Some((location, message)) = line.split_once(": ") else {
        return false;
    };
    let Some(folder) = location.split_once('/').map(|(f, _)| f) else {
        return false;
    };
    let Some(outcome) = outcomes.iter_mut().find(|o| o.entry.crate_name == folder) else {
        return false;
    };
    if message.starts_with("error") {
        outcome.failed = true;
        outcome.errors.push(line.to_owned());
    } else if message.starts_with("warning") {
        outcome.warnings += 1;
    }
    true
}

/// Marks the crate named by cargo's ``error: could not compile `name` `` line as failed, which
/// catches failures whose diagnostics had no file location.
fn crate_failure(line: &str, outcomes: &mut [Outcome]) -> bool {
    let Some(rest) = line.strip_prefix("error: could not compile `") else {
        return false;
    };
    let name = rest.split('`').next().unwrap_or_default();
    match outcomes.iter_mut().find(|o| o.entry.crate_name == name) {
        Some(outcome) => {
            outcome.failed = true;
            true
        }
        None => false,
    }
}

/// The table of results, then the details of each failure.
fn print_report(outcomes: &[Outcome]) {
    let rows: Vec<[String; 4]> = outcomes
        .iter()
        .map(|o| {
            let (generate, compile, lines) = match &o.generated {
                Err(_) => ("error".into(), "-".into(), "-".into()),
                Ok(lines) => {
                    let compile = match (o.failed, o.warnings) {
                        (true, _) => format!("error ({})", o.errors.len()),
                        (false, 0) => "ok".into(),
                        (false, n) => format!("ok ({n} warnings)"),
                    };
                    let generate = match o.left_out.len() {
                        0 => "ok".into(),
                        n => format!("lenient ({n} left out)"),
                    };
                    (generate, compile, lines.to_string())
                }
            };
            [o.entry.crate_name.clone(), generate, compile, lines]
        })
        .collect();
    let header = ["crate", "generate", "compile", "lines"].map(String::from);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    println!();
    for row in std::iter::once(&header).chain(&rows) {
        println!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    }
    for o in outcomes {
        if let (Some(strict), Ok(_)) = (&o.strict_error, &o.generated) {
            println!(
                "\n{} ({}): strict: {strict}\n  generated with --lenient, which left out {} item(s), the first: {}",
                o.entry.crate_name,
                o.entry.wsdl.display(),
                o.left_out.len(),
                o.left_out.first().map(ToString::to_string).unwrap_or_default()
            );
        }
        if let Err(error) = &o.generated {
            println!(
                "\n{} ({}): generate: {error}",
                o.entry.crate_name,
                o.entry.wsdl.display()
            );
        } else if o.failed {
            println!(
                "\n{} ({}): compile:",
                o.entry.crate_name,
                o.entry.wsdl.display()
            );
            for error in o.errors.iter().take(ERRORS_SHOWN) {
                println!("  {error}");
            }
            if o.errors.len() > ERRORS_SHOWN {
                println!("  … and {} more", o.errors.len() - ERRORS_SHOWN);
            }
        }
    }
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_difference_is_named_by_line() {
        assert_eq!(
            first_difference("a\nb\nc\n", "a\nB\nc\n"),
            "line 2: expected \"b\", found \"B\""
        );
        assert_eq!(
            first_difference("a\nb\n", "a\n"),
            "line 2: expected \"b\", found end of file"
        );
        assert_eq!(
            first_difference("a\nb\n", "a\r\nb"),
            "the lines match; line endings or the final newline differ"
        );
    }

    #[test]
    fn crate_names_are_valid_cargo_package_names() {
        assert_eq!(
            crate_name("parlayx-sms-v2_2 parlayx_sms_send_service_2_2"),
            "parlayx-sms-v2_2-parlayx_sms_send_service_2_2"
        );
        assert_eq!(crate_name("2nd Service!"), "wsdl-2nd-service");
        assert_eq!(crate_name("www.sendsms5"), "www-sendsms5");
    }

    /// What `cargo xtask check` compares: every checked-in module with what the generator
    /// writes now. A hand edit shows as a difference.
    #[test]
    fn the_checked_in_modules_are_what_the_generator_writes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace");
        for (wsdl, output) in GENERATED {
            let expected = codegen::generate(&root.join(wsdl), &Options::new(REGEN_COMMAND))
                .expect("generates");
            let found = fs::read_to_string(root.join(output)).expect("checked in");
            // The header names the WSDL by file name only, so the path used here is irrelevant.
            assert_eq!(
                expected,
                found,
                "{output}: {}",
                first_difference(&expected, &found)
            );
            let edited = found.replacen("pub ", "pub  ", 1);
            assert_ne!(expected, edited, "a hand edit must show");
        }
    }
}
