//! `wsdl2rust`: writes the Rust module for a WSDL (or XSD) file.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Most of the generator's time goes to building, parsing and printing token trees, which
/// allocate many small objects; mimalloc takes about a third off the run time that glibc's
/// allocator spends on them (measured with `cargo bench -p wsdl2rust-cli`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generates Rust from a WSDL 1.1 file and its schemas: types, and for every binding a typed
/// client and a server.
///
/// The output compiles as a module of its own (`mod name;`) or as the lib.rs of a crate whose
/// only dependency is `soap-runtime` (with its `client` feature to call services, `server` to
/// serve them over axum).
#[derive(Parser)]
#[command(name = "wsdl2rust", version)]
struct Args {
    /// The WSDL (or XSD) file to read; imports are found relative to it.
    wsdl: PathBuf,
    /// Where to write the module (standard output if not given).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Leave out (with a warning) operations and headers that refer to undefined messages,
    /// and read undefined types and elements as untyped XML, instead of failing.
    #[arg(long)]
    lenient: bool,
    /// Write no typed clients.
    #[arg(long)]
    no_client: bool,
    /// Write no server traits or dispatchers.
    #[arg(long)]
    no_server: bool,
    /// Write text for `include!` (no inner attributes: the module's documentation becomes
    /// plain comments) instead of a module file.
    #[arg(long)]
    include: bool,
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
    let form = if args.include {
        wsdl2rust::Form::Include
    } else {
        wsdl2rust::Form::Module
    };
    let mut options = wsdl2rust::Options::new(command)
        .client(!args.no_client)
        .server(!args.no_server)
        .form(form);
    options.lenient = args.lenient;
    let code = match wsdl2rust::generate_report(&args.wsdl, &options) {
        Ok(generated) => {
            for skipped in &generated.skipped {
                report(&format!("warning: left out: {skipped}"));
            }
            generated.code
        }
        Err(error) => {
            report(&format!("error: {error}"));
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
            report(&format!("error: {message}"));
            ExitCode::FAILURE
        }
    }
}

/// Writes a line to standard error. A closed stderr (say, piped into `head`) must not stop
/// the module from being written, so write errors are ignored here, unlike `eprintln!`.
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}
