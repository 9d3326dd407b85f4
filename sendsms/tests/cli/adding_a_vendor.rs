//! The README's "Adding a SOAP SMS vendor", followed for a fixture vendor, TinySMS
//! (`tests/fixtures/tinysms/`), in a copy of the workspace: its WSDL goes into `wsdl/` and
//! `cargo xtask regen` generates its module; one entry joins the list of vendors in
//! generated-client's `lib.rs`; its vendor module and its simulated gateway go into
//! `generated-client/src/tinysms/`. Then the copy's `sendsms simulate` serves TinySMS beside
//! the other vendors, and its `sendsms --vendor tinysms` sends through it and reads the credit;
//! and nothing else of the copy changed: not `sendsms`, not the simulator, not xtask.
//!
//! The copy builds offline, with the repository's lock file, in a target folder of its own
//! under this build's `CARGO_TARGET_TMPDIR`, kept from run to run: the first run compiles the
//! dependencies of `sendsms` and xtask there, later runs only generated-client and `sendsms`.
//! (Sharing this build's own target folder would put the copy's `sendsms` where these tests
//! run the repository's, and let the copy reuse binaries built for the repository's paths,
//! such as xtask's, which then regenerates the repository instead of the copy.)

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{self, banner, interrupt, run, spawn_simulate, url_in, Ran};

/// What adding TinySMS changes in the workspace, and nothing else may change.
const ADDED: [&str; 6] = [
    "wsdl/tinysms.wsdl",
    "generated-client/src/generated/tinysms.rs",
    "generated-client/src/generated/mod.rs",
    "generated-client/src/lib.rs",
    "generated-client/src/tinysms/mod.rs",
    "generated-client/src/tinysms/simulated.rs",
];

/// The entry that makes TinySMS known to `sendsms` and the simulator.
const ENTRY: &str = "    tinysms::TinySms,\n";

/// The copy of the workspace, removed when the test ends (passed or not) unless
/// `KEEP_VENDOR_FIXTURE` is set, to look at it.
struct WorkspaceCopy(PathBuf);

impl Drop for WorkspaceCopy {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_VENDOR_FIXTURE").is_none() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("sendsms is in the workspace")
}

/// Whether a folder is left out of the copy: build output, and the repository's history.
fn left_out(name: &std::ffi::OsStr) -> bool {
    name == "target" || name == ".git"
}

/// Copies the files under `from` into `to`, each with its modification time, so that cargo
/// finds what it built from them last time fresh.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (source, copy) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_dir() && !left_out(&entry.file_name()) {
            copy_tree(&source, &copy);
        } else if kind.is_file() {
            fs::copy(&source, &copy).unwrap();
            let modified = entry.metadata().unwrap().modified().unwrap();
            fs::File::options()
                .write(true)
                .open(&copy)
                .and_then(|file| file.set_modified(modified))
                .unwrap();
        }
    }
}

/// Every file under `root`, by its path relative to it, with its contents.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() && !left_out(&entry.file_name()) {
                walk(root, &entry.path(), found);
            } else if kind.is_file() {
                let path = entry.path();
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                found.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(root, root, &mut found);
    found
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// `cargo` in the copy, offline, with the lock file as it is, building into `target`.
fn cargo(workspace: &Path, target: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args(["--offline", "--locked"])
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        // Intermediate artifacts too: a build folder of the developer's must not be shared.
        .env("CARGO_BUILD_BUILD_DIR", target)
        // A build that is run once and thrown away: no debug info to write and link, no
        // incremental state to keep.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?} failed in the copy:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The copy's `sendsms` with `args`, with a clean environment and a short timeout.
fn sendsms(binary: &Path, args: &[&str]) -> Command {
    let mut command = common::command(binary, &["--timeout", "5"]);
    command.args(args);
    command
}

/// The words of each line of `sendsms` output: number, message id, code (TinySMS's answers
/// have no text).
fn columns(ran: &Ran) -> Vec<Vec<&str>> {
    ran.lines()
        .iter()
        .map(|l| l.split_whitespace().collect())
        .collect()
}

/// The objects of `sendsms --json` output.
fn objects(ran: &Ran) -> Vec<serde_json::Value> {
    ran.lines()
        .iter()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

#[test]
fn a_vendor_is_its_wsdl_one_list_entry_its_module_and_its_simulated_gateway() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tinysms");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("adding-a-vendor");
    let target = scratch.join("target");
    // Always the same folder (so two runs of this test at once would share it): xtask's
    // binary names the folder it was built in, and cargo finds it fresh wherever it is run.
    let workspace = WorkspaceCopy(scratch.join("workspace"));
    let workspace = workspace.0.as_path();
    let _ = fs::remove_dir_all(workspace);
    let started = Instant::now();
    copy_tree(repository(), workspace);
    let before = files(workspace);

    // 1. The WSDL, in wsdl/, and `cargo xtask regen`, which generates a module for each WSDL
    //    there and declares them all.
    write(
        &workspace.join("wsdl/tinysms.wsdl"),
        &fs::read_to_string(fixture.join("tinysms.wsdl")).unwrap(),
    );
    let regen = cargo(workspace, &target, &["xtask", "regen"]);
    let regen = String::from_utf8(regen.stdout).unwrap();
    assert!(
        regen.contains("written   generated-client/src/generated/tinysms.rs"),
        "{regen}"
    );
    assert!(
        !repository()
            .join("generated-client/src/generated/tinysms.rs")
            .exists(),
        "regen wrote into the repository instead of the copy"
    );
    let regenerated = started.elapsed();

    // 2. One entry in the list of vendors.
    let lib = workspace.join("generated-client/src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    let list = text.find("vendors! {\n").expect("the list of vendors");
    let end = list + text[list..].find("\n}").expect("the end of the list") + 1;
    write(&lib, &format!("{}{ENTRY}{}", &text[..end], &text[end..]));

    // 3. The vendor module and its simulated gateway.
    for file in ["mod.rs", "simulated.rs"] {
        write(
            &workspace.join("generated-client/src/tinysms").join(file),
            &fs::read_to_string(fixture.join(file)).unwrap(),
        );
    }

    cargo(workspace, &target, &["build", "--quiet", "-p", "sendsms"]);
    let built = started.elapsed();
    let binary = target.join("debug/sendsms");

    // The command line has the vendor's setting, from its registration alone.
    let help = run(&mut sendsms(&binary, &["--help"]));
    assert!(
        help.stdout.contains("--account <A>") && help.stdout.contains("(TinySMS)"),
        "{}",
        help.stdout
    );

    // The simulator serves TinySMS beside the other vendors, and says how to send through it.
    let (mut simulate, received) = spawn_simulate(&mut sendsms(
        &binary,
        &["simulate", "--bind", "127.0.0.1:0"],
    ));
    let lines = banner(&received, Duration::from_secs(10));
    let at = lines
        .iter()
        .position(|l| l == "Simulated TinySMS gateway, on the same listener")
        .unwrap_or_else(|| panic!("no TinySMS in the banner: {lines:#?}"));
    let url = url_in(&lines[at + 1]).to_owned();
    assert!(url.ends_with("/tinysms"), "{url}");
    assert!(
        lines.contains(&"Simulated Connection Software gateway (loopback only)".to_owned()),
        "{lines:#?}"
    );
    let printed = format!(
        "sendsms --vendor tinysms --primary {url} --account demo send --to 447700900001 --text Hello"
    );
    assert!(lines.contains(&printed), "{lines:#?}");
    let tinysms = |args: &[&str]| {
        let mut command = sendsms(&binary, &["--vendor", "tinysms", "--primary", &url]);
        run(command.args(args))
    };

    // A send: one outcome per number, in order; the bad number is rejected, so exit status 1.
    let ran = tinysms(&[
        "--account",
        "demo",
        "send",
        "--to",
        "447700900001,447700900666,+44 7700 900002",
        "--text",
        "Hello",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        columns(&ran),
        [
            ["447700900001", "T1", "0"],
            ["447700900666", "-", "2"],
            ["447700900002", "T2", "0"],
        ]
    );
    let ran = tinysms(&["--account", "demo", "credit"]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "8 credits\n"));

    // A bulk send goes in requests of 50, and stops when the credit runs out: the rest is
    // never sent.
    let to: Vec<String> = (0..60)
        .map(|i| format!("4477009{:05}", 10_000 + i))
        .collect();
    let ran = tinysms(&[
        "--account",
        "demo",
        "send",
        "--json",
        "--to",
        &to.join(","),
        "--text",
        "Hi",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let objects = objects(&ran);
    let classes: Vec<(&str, &str)> = objects
        .iter()
        .map(|o| {
            (
                o["recipient"].as_str().unwrap(),
                o["class"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str)> = to
        .iter()
        .enumerate()
        .map(|(i, number)| {
            let class = match i {
                0..8 => "accepted",
                8..50 => "account_failure",
                _ => "not_sent",
            };
            (number.as_str(), class)
        })
        .collect();
    assert_eq!(classes, expected);
    assert_eq!(objects[0]["report"], 0);
    assert_eq!(objects[0]["message_id"], "T3");
    assert_eq!(objects[8]["report"], 3);
    assert!(
        ran.stderr
            .contains("the gateway answered 3 (out of credit) for the account"),
        "{}",
        ran.stderr
    );
    let ran = tinysms(&["--account", "demo", "credit"]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "0 credits\n"));

    // An account TinySMS does not know: every recipient's answer, and a refused query.
    let ran = tinysms(&[
        "--account",
        "nobody",
        "send",
        "--to",
        "447700900001,447700900002",
        "--text",
        "Hi",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        columns(&ran),
        [["447700900001", "-", "1"], ["447700900002", "-", "1"]]
    );
    let ran = tinysms(&["--account", "nobody", "credit"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("Unknown account"), "{}", ran.stderr);
    // Another vendor's settings are not TinySMS's.
    let ran = tinysms(&["--account", "demo", "--pin", "1234", "credit"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("--pin is not an option of TinySMS (--vendor tinysms)"),
        "{}",
        ran.stderr
    );

    let status = interrupt(&mut simulate);
    assert!(status.success(), "a clean shutdown: {status}");
    let rest: Vec<String> =
        std::iter::from_fn(|| received.recv_timeout(Duration::from_secs(10)).ok()).collect();
    assert_eq!(rest, ["Stopped after 6 request(s) on the primary."]);

    // Nothing else changed: not sendsms, not the simulator's shared files, not xtask's list;
    // the list of vendors and the generated declarations by one line each.
    let after = files(workspace);
    let changed: BTreeSet<&Path> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .map(PathBuf::as_path)
        .collect();
    let added: BTreeSet<&Path> = ADDED.iter().map(Path::new).collect();
    assert_eq!(changed, added);
    let one_more_line = |path: &str, line: &str| {
        let (old, new) = (&before[Path::new(path)], &after[Path::new(path)]);
        let at = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let at = old[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        assert_eq!(
            [&old[..at], line.as_bytes(), &old[at..]].concat(),
            *new,
            "{path} gained more than {line:?}"
        );
    };
    one_more_line("generated-client/src/lib.rs", ENTRY);
    one_more_line(
        "generated-client/src/generated/mod.rs",
        "pub mod tinysms;\n",
    );
    eprintln!(
        "adding a vendor: copied and regenerated in {:.1} s, built in {:.1} s, ran in {:.1} s",
        regenerated.as_secs_f64(),
        (built - regenerated).as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    );
}
