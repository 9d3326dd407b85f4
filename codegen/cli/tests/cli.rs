//! The `wsdl2rust` binary as a user runs it: exit status, the output file, errors on standard
//! error with their `file:line:col`, and output that does not change from one run to the next.
//! The inputs are the fixtures of the `codegen-tests` crate (`tests/fixtures/`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(relative)
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn wsdl2rust(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsdl2rust"))
        .args(args)
        .output()
        .expect("wsdl2rust runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn writes_the_module_to_the_output_file() {
    let dir = scratch("output_file");
    let out = dir.join("sms.rs");
    let wsdl = fixture("vendor_shape/service.wsdl");
    let output = wsdl2rust(&[wsdl.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        output.stdout.is_empty(),
        "with -o nothing goes to standard output"
    );
    let code = std::fs::read_to_string(&out).expect("the output file was written");
    assert!(code.starts_with("// @generated"), "{code}");
    // The header says how to regenerate, without the path the WSDL was given by.
    let first_line = code.lines().next().unwrap_or_default();
    assert!(
        first_line.contains("`wsdl2rust service.wsdl`"),
        "{first_line}"
    );
    assert!(code.contains("pub struct SubmitMessage"), "{code}");
}

#[test]
fn writes_the_module_to_standard_output_without_o() {
    let dir = scratch("stdout");
    let out = dir.join("sms.rs");
    let wsdl = fixture("vendor_shape/service.wsdl");
    let to_file = wsdl2rust(&[wsdl.as_os_str(), "--output".as_ref(), out.as_os_str()]);
    assert!(to_file.status.success(), "{}", stderr(&to_file));
    let to_stdout = wsdl2rust(&[wsdl.as_os_str()]);
    assert!(to_stdout.status.success(), "{}", stderr(&to_stdout));
    let file = std::fs::read(&out).expect("the output file");
    assert!(
        file == to_stdout.stdout,
        "standard output differs from the -o file"
    );
}

#[test]
fn a_missing_file_is_an_error() {
    let wsdl = fixture("errors/no-such-file.wsdl");
    let output = wsdl2rust(&[wsdl.as_os_str()]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {}", wsdl.display())),
        "{message}"
    );
    assert!(message.contains("cannot read"), "{message}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_not_well_formed_file_is_an_error_at_its_line_and_column() {
    let dir = scratch("not_well_formed");
    let out = dir.join("never.rs");
    let wsdl = fixture("errors/not_well_formed.wsdl");
    let output = wsdl2rust(&[wsdl.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {}:7:3: ", wsdl.display())),
        "{message}"
    );
    assert!(message.contains("not well-formed"), "{message}");
    assert!(!out.exists(), "no output file after an error");
}

#[test]
fn an_unwritable_output_is_an_error() {
    let dir = scratch("unwritable");
    let out = dir.join("no-such-folder/out.rs");
    let wsdl = fixture("vendor_shape/service.wsdl");
    let output = wsdl2rust(&[wsdl.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.starts_with("error: "), "{message}");
    assert!(message.contains("out.rs"), "{message}");
}

#[test]
fn usage_errors_and_help() {
    let output = wsdl2rust(&[]);
    assert!(!output.status.success(), "the WSDL argument is required");
    assert!(stderr(&output).contains("Usage"), "{}", stderr(&output));
    let help = wsdl2rust(&["--help".as_ref()]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--output"));
}

/// Two runs write byte-identical files: for a single-file WSDL, for one spread over several
/// files, and for the workspace's own (largest) WSDL.
#[test]
fn output_is_deterministic() {
    let dir = scratch("deterministic");
    let workspace_wsdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wsdl/sendsms5.wsdl");
    let inputs = [
        fixture("vendor_shape/service.wsdl"),
        fixture("multi_file/service.wsdl"),
        fixture("choice/service.wsdl"),
        workspace_wsdl,
    ];
    for (i, wsdl) in inputs.iter().enumerate() {
        let runs: Vec<Vec<u8>> = (0..2)
            .map(|run| {
                let out = dir.join(format!("{i}-{run}.rs"));
                let output = wsdl2rust(&[wsdl.as_os_str(), "-o".as_ref(), out.as_os_str()]);
                assert!(output.status.success(), "{}", stderr(&output));
                std::fs::read(&out).expect("the output file")
            })
            .collect();
        assert!(!runs[0].is_empty());
        assert!(runs[0] == runs[1], "{}: two runs differ", wsdl.display());
    }
}

/// The generator renders on as many threads as the machine offers; the text must not depend
/// on how many that is. `taskset` (Linux) pins a run to one core, which the standard library's
/// `available_parallelism` honours.
#[test]
fn output_does_not_depend_on_the_number_of_cores() {
    if Command::new("taskset").arg("--version").output().is_err() {
        eprintln!("taskset not found: skipped");
        return;
    }
    let wsdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wsdl/sendsms5.wsdl");
    let all_cores = wsdl2rust(&[wsdl.as_os_str()]);
    let one_core = Command::new("taskset")
        .args(["--cpu-list", "0"])
        .arg(env!("CARGO_BIN_EXE_wsdl2rust"))
        .arg(&wsdl)
        .output()
        .expect("taskset runs");
    assert!(all_cores.status.success(), "{}", stderr(&all_cores));
    assert!(one_core.status.success(), "{}", stderr(&one_core));
    assert!(
        all_cores.stdout == one_core.stdout,
        "one core and all cores give different output"
    );
}

#[test]
fn lenient_mode_warns_and_generates() {
    let wsdl = fixture("errors/dangling_type.wsdl");
    let strict = wsdl2rust(&[wsdl.as_os_str()]);
    assert!(!strict.status.success());
    let lenient = wsdl2rust(&["--lenient".as_ref(), wsdl.as_os_str()]);
    assert!(lenient.status.success(), "{}", stderr(&lenient));
    let message = stderr(&lenient);
    assert!(
        message.starts_with(&format!("warning: left out: {}:11:11: ", wsdl.display())),
        "{message}"
    );
    assert!(String::from_utf8_lossy(&lenient.stdout).starts_with("// @generated"));
}

/// The module must not depend on the directory the generator was run from.
#[test]
fn lenient_output_does_not_depend_on_the_working_directory() {
    let errors = fixture("errors");
    let run = |dir: &Path, wsdl: &str| -> Vec<u8> {
        let output = Command::new(env!("CARGO_BIN_EXE_wsdl2rust"))
            .args(["--lenient", wsdl])
            .current_dir(dir)
            .output()
            .expect("wsdl2rust runs");
        assert!(output.status.success(), "{}", stderr(&output));
        output.stdout
    };
    let here = run(&errors, "dangling_type.wsdl");
    let above = run(
        errors.parent().expect("fixtures"),
        "errors/dangling_type.wsdl",
    );
    assert!(here == above, "the output names the path it was given");
}
