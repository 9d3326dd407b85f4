//! Timings of the generator on the Connection Software WSDL: the library call alone, and the
//! `wsdl2rust` binary as a user runs it (process start, reading, generating and writing).
//! Run with `cargo bench -p wsdl2rust-cli`.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    divan::main();
}

/// The WSDL, by absolute path so the benchmark does not depend on the current directory.
fn sendsms5() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wsdl/sendsms5.wsdl")
}

/// `wsdl2rust::generate` in process: reading the WSDL and its schema, lowering, emitting.
#[divan::bench]
fn library(bencher: divan::Bencher) {
    let path = sendsms5();
    let options = wsdl2rust::Options::new("cargo bench -p wsdl2rust-cli");
    // A failure would time the error path and report a meaningless number, so stop instead.
    bencher.bench_local(|| {
        wsdl2rust::generate(divan::black_box(&path), &options).unwrap_or_else(|e| panic!("{e}"))
    });
}

/// The built `wsdl2rust` binary, end to end, writing its output to a temporary file.
#[divan::bench]
fn binary(bencher: divan::Bencher) {
    let path = sendsms5();
    let out = std::env::temp_dir().join(format!("wsdl2rust-bench-{}.rs", std::process::id()));
    bencher.bench_local(|| {
        let output = Command::new(env!("CARGO_BIN_EXE_wsdl2rust"))
            .arg(&path)
            .arg("-o")
            .arg(&out)
            .stdin(Stdio::null())
            .output()
            .expect("cannot start wsdl2rust");
        assert!(
            output.status.success(),
            "wsdl2rust failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    });
    // Best effort: the file is in the temp dir anyway, and a leftover does no harm.
    let _ = std::fs::remove_file(&out);
}
