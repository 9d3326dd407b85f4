//! The build-script entry point: WSDLs in, modules in `OUT_DIR` out, in the manner of
//! prost-build and tonic-build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::{generate_report, Error, Form, Options};

/// Why a build script's generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A WSDL (or what it imports) could not be read or turned into Rust.
    #[error(transparent)]
    Generate(#[from] Error),
    /// No output folder was given and `OUT_DIR` is not set (not run from a build script).
    #[error("no output folder: call Builder::out_dir, or run from a build script, where cargo sets OUT_DIR")]
    NoOutDir,
    /// Two WSDLs would be written to the same module file.
    #[error("{first} and {second} would both be written to {module}.rs: give one a module name of its own with Builder::compile_as")]
    SameModule {
        /// The module name.
        module: String,
        /// The first WSDL.
        first: PathBuf,
        /// The second WSDL.
        second: PathBuf,
    },
    /// A module could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Generates Rust modules from WSDLs in a build script.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     wsdl2rust::Builder::new().server(false).compile(&["wsdl/calculator.wsdl"])?;
///     Ok(())
/// }
/// ```
///
/// Each WSDL becomes `OUT_DIR/<file stem>.rs`, included with
/// `soap_runtime::include_generated!("<file stem>")` inside a module of the crate's own. Cargo
/// is told to run the script again when any file read changes: the WSDL, and every schema and
/// WSDL it imports or includes.
#[derive(Debug, Clone)]
pub struct Builder {
    options: Options,
    out_dir: Option<PathBuf>,
    rerun_if_changed: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// Clients and servers, strict, into `OUT_DIR`.
    pub fn new() -> Self {
        Self {
            options: Options::new("wsdl2rust (build.rs)").form(Form::Include),
            out_dir: None,
            rerun_if_changed: true,
        }
    }

    /// Whether to write a typed client for each binding (on by default).
    pub fn client(mut self, client: bool) -> Self {
        self.options = self.options.client(client);
        self
    }

    /// Whether to write a server trait and its dispatcher for each binding (on by default).
    pub fn server(mut self, server: bool) -> Self {
        self.options = self.options.server(server);
        self
    }

    /// Whether to leave out, with a warning, what refers to undefined messages, types or
    /// elements, instead of failing (off by default).
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.options.lenient = lenient;
        self
    }

    /// Where to write the modules (`OUT_DIR` by default).
    pub fn out_dir(mut self, out_dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(out_dir.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for every file read (on by default).
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Self {
        self.rerun_if_changed = emit;
        self
    }

    /// Generates one module per WSDL, each named after its file stem. Returns the files
    /// written.
    pub fn compile(&self, wsdls: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, BuildError> {
        let named: Vec<(String, &Path)> = wsdls
            .iter()
            .map(|wsdl| {
                let wsdl = wsdl.as_ref();
                let stem = wsdl
                    .file_stem()
                    .map_or_else(|| "wsdl".into(), |s| s.to_string_lossy().into_owned());
                (stem, wsdl)
            })
            .collect();
        let mut seen: Vec<(&str, &Path)> = Vec::new();
        for (module, wsdl) in &named {
            if let Some((_, first)) = seen.iter().find(|(m, _)| m == module) {
                return Err(BuildError::SameModule {
                    module: module.clone(),
                    first: first.to_path_buf(),
                    second: wsdl.to_path_buf(),
                });
            }
            seen.push((module, wsdl));
        }
        named
            .iter()
            .map(|(module, wsdl)| self.compile_as(wsdl, module))
            .collect()
    }

    /// Generates the module for one WSDL as `<module>.rs`. Returns the file written.
    pub fn compile_as(&self, wsdl: impl AsRef<Path>, module: &str) -> Result<PathBuf, BuildError> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        let wsdl = wsdl.as_ref();
        let generated = match generate_report(wsdl, &self.options) {
            Ok(generated) => generated,
            Err(error) => {
                // The file that failed still decides when to try again.
                if self.rerun_if_changed {
                    println!("cargo:rerun-if-changed={}", wsdl.display());
                }
                return Err(error.into());
            }
        };
        if self.rerun_if_changed {
            let mut printed = HashSet::new();
            for file in generated.files.iter().filter(|f| printed.insert(*f)) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        for skipped in &generated.skipped {
            println!("cargo:warning=left out (lenient): {skipped}");
        }
        let path = out_dir.join(format!("{module}.rs"));
        // An unchanged module is not written again, so nothing that includes it rebuilds.
        if std::fs::read(&path).ok().as_deref() != Some(generated.code.as_bytes()) {
            std::fs::write(&path, &generated.code).map_err(|source| BuildError::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(path)
    }
}
