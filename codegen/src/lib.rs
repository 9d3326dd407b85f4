//! `wsdl2rust`: reads a WSDL 1.1 document and its XML Schemas and writes a Rust module: types
//! for the messages, and for every SOAP binding its operations, a typed client and a server
//! trait with its dispatcher, over the `soap-runtime` crate (see [`RUNTIME_VERSION`]).
//!
//! In a build script, [`Builder`] generates into `OUT_DIR`, as prost-build and tonic-build do:
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     wsdl2rust::Builder::new().compile(&["wsdl/accounts.wsdl"])?;
//!     Ok(())
//! }
//! ```
//!
//! The `wsdl2rust` command (package `wsdl2rust-cli`) writes the same module to a file.
//!
//! The work is three stages, each with its own module:
//!
//! 1. `read`: files → a faithful document model, imports followed, names resolved.
//! 2. `lower`: document model → `ir`, a description of the Rust module with every naming
//!    and XML decision made.
//! 3. `emit`: IR → tokens (quote) → text (prettyplease).
//!
//! The stages' models are public only with the `internals` feature (the workspace's xtask
//! reads them): they change with the generator, so they are no part of its stable API.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::Path;

mod builder;
mod emit;
mod error;
#[cfg(feature = "internals")]
#[allow(missing_docs)] // unstable internals, documented where it helps
pub mod ir;
#[cfg(not(feature = "internals"))]
mod ir;
#[cfg(feature = "internals")]
#[allow(missing_docs)] // unstable internals, documented where it helps
pub mod lower;
#[cfg(not(feature = "internals"))]
mod lower;
#[cfg(feature = "internals")]
#[allow(missing_docs)] // unstable internals, documented where it helps
pub mod read;
#[cfg(not(feature = "internals"))]
mod read;

pub use error::{Error, Location};

pub use builder::{BuildError, Builder};
pub use emit::Form;

/// How to generate: which sides of each binding, how strictly, in which form.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The command that regenerates the output, named in its `@generated` header line.
    pub command: String,
    /// Leave out what refers to undefined messages, operations, types or elements (each is
    /// reported) instead of failing.
    pub lenient: bool,
    /// Write a typed client for each binding.
    pub client: bool,
    /// Write a server trait and its dispatcher for each binding.
    pub server: bool,
    /// Whether the module is a file of its own or text for `include!`.
    pub form: Form,
}

impl Options {
    /// Strict options whose header names `command`: clients and servers, as a module file.
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            lenient: false,
            client: true,
            server: true,
            form: Form::Module,
        }
    }

    /// The same options, lenient.
    pub fn lenient(self) -> Self {
        Self {
            lenient: true,
            ..self
        }
    }

    /// The same options, with or without clients.
    pub fn client(self, client: bool) -> Self {
        Self { client, ..self }
    }

    /// The same options, with or without servers.
    pub fn server(self, server: bool) -> Self {
        Self { server, ..self }
    }

    /// The same options, for this form of output.
    pub fn form(self, form: Form) -> Self {
        Self { form, ..self }
    }
}

/// A generated module, and what lenient mode left out of it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Generated {
    /// The Rust module.
    pub code: String,
    /// The undefined references that were skipped (empty unless lenient).
    pub skipped: Vec<Error>,
    /// Every file read: the WSDL, and what it imports and includes.
    pub files: Vec<std::path::PathBuf>,
}

/// Reads the WSDL (or XSD) at `path`, with everything it imports, and returns the Rust module.
pub fn generate(path: &Path, options: &Options) -> Result<String, Error> {
    generate_report(path, options).map(|generated| generated.code)
}

/// Like [`generate`], also returning what lenient mode left out and which files were read.
pub fn generate_report(path: &Path, options: &Options) -> Result<Generated, Error> {
    let documents = read::load(path)?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    generate_documents(documents, &file_name, path, options)
}

/// Like [`generate_report`] for a WSDL or XSD held in memory (the bytes a file would hold),
/// which `name` stands for in messages. It cannot import other files: an import with a
/// location is an error. Fuzzing uses it, and so can a program that fetched a WSDL itself.
pub fn generate_from_bytes(
    name: &str,
    bytes: &[u8],
    options: &Options,
) -> Result<Generated, Error> {
    let documents = read::load_bytes(name, bytes)?;
    generate_documents(documents, name, Path::new(name), options)
}

/// Lowers and emits what was read; `file_name` goes into the header, `path` into errors.
fn generate_documents(
    documents: read::Documents,
    file_name: &str,
    path: &Path,
    options: &Options,
) -> Result<Generated, Error> {
    let (module, skipped) = lower::lower(&documents, options.lenient)?;
    let header = [
        format!(
            "@generated by `{}` from `{file_name}`. Do not edit by hand.",
            options.command
        ),
        format!(
            "The types and stubs below lean on the `soap-runtime` crate, version {RUNTIME_VERSION}."
        ),
    ];
    let sides = emit::Sides {
        client: options.client,
        server: options.server,
    };
    let code = emit::emit(&module, &header, sides, options.form).map_err(|message| {
        Error::new(Location::file(path), format!("internal error: {message}"))
    })?;
    Ok(Generated {
        code,
        skipped,
        files: documents.files,
    })
}

/// The version of `soap-runtime` that generated code needs (semver-compatible releases
/// included): the one released with this generator.
pub const RUNTIME_VERSION: &str = "0.1";
