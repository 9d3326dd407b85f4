//! `wsdl2rust`: writes the Rust module for a WSDL (or XSD) file.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Generates Rust types and SOAP operation stubs from a WSDL 1.1 file and its schemas.
///
/// The output compiles as the lib.rs of a crate whose only dependency is `soap-runtime`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The WSDL (or XSD) file to read; imports are found relative to it.
    wsdl: PathBuf,
    /// Where to write the module (standard output if not given).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let command = format!(
        "wsdl2rust {}",
        args.wsdl
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let code = match codegen::generate(&args.wsdl, &codegen::Options::new(command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let written = match &args.output {
        Some(path) => {
            std::fs::write(path, code).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(code.as_bytes())
                .map_err(|e| format!("cannot write to standard output: {e}"))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
