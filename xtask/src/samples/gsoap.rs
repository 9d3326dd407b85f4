//! Sample messages from gSOAP (Debian package `gsoap`): `wsdl2h` turns a WSDL into a C++
//! header, and `soapcpp2` writes `<Binding>.<Operation>.req.xml` and `.res.xml` for it, every
//! element present, one item per array.
//!
//! The flags, and the quirks they work around:
//!
//! - `wsdl2h -Nsvc`: one gSOAP service per WSDL binding. Without it every binding is folded into
//!   one service named after the first, and the second binding's operations get a `_` suffix.
//!   With it, each sample is named `<binding name>.<operation name>`.
//! - `wsdl2h -k`: no `SOAP-ENV:mustUnderstand="1"` on header blocks. gSOAP adds it by default;
//!   the WSDL does not ask for it, so the generated code rightly does not write it.
//! - `wsdl2h -t …/WS/typemap.dat`: the typemap gSOAP ships (prefixes and the schemas it knows).
//! - `soapcpp2 -1` and `-2`, in two folders: once the header imports `soap12.h` (any SOAP 1.2
//!   binding), soapcpp2 writes every sample in a SOAP 1.2 envelope, SOAP 1.1 bindings included.
//!   Forcing the version per run and keeping each binding's samples from the run of its own
//!   version gives every binding its own envelope.
//! - `soapcpp2 -I…/import`: where `#import "soap12.h"`, `stlvector.h` and the like are found.
//!   `-C -L -w`: client stubs only, no libraries, no WSDL or schema written back: less to write.
//! - A header block whose WSDL message is undefined (a broken input the generator leaves out in
//!   lenient mode) becomes a `SOAP_ENV__Header` member without a type or name, which soapcpp2
//!   rejects, writing no samples at all. Such members are dropped from the header, as the
//!   generator drops the part, and the run says so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Where gSOAP's data files are, and how to run it.
#[derive(Debug, Clone)]
pub struct Gsoap {
    /// `/usr/share/gsoap` on Debian: holds `WS/typemap.dat` and `import/`.
    pub share: PathBuf,
}

/// A sample message soapcpp2 wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The binding, as gSOAP names the service.
    pub binding: String,
    /// The operation.
    pub operation: String,
    /// A request (`.req.xml`) or a response (`.res.xml`).
    pub request: bool,
    pub path: PathBuf,
}

/// What one run produced.
#[derive(Debug, Default)]
pub struct Samples {
    pub samples: Vec<Sample>,
    /// What had to be worked around, for the report.
    pub notes: Vec<String>,
}

/// The SOAP versions soapcpp2 can be asked for, as its flag and a folder name.
const VERSIONS: [(bool, &str, &str); 2] = [(false, "-1", "soap11"), (true, "-2", "soap12")];

impl Gsoap {
    /// Fails with what to install when wsdl2h or soapcpp2 cannot be run.
    pub fn check(&self) -> Result<()> {
        for tool in ["wsdl2h", "soapcpp2"] {
            let ok = Command::new(tool)
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success());
            if !ok {
                bail!("{tool} cannot be run: install the Debian package gsoap (apt-get install gsoap)");
            }
        }
        let typemap = self.typemap();
        if !typemap.is_file() {
            bail!(
                "{} is missing: is gsoap installed, or does --gsoap-share point elsewhere?",
                typemap.display()
            );
        }
        Ok(())
    }

    fn typemap(&self) -> PathBuf {
        self.share.join("WS/typemap.dat")
    }

    /// Writes the samples of every binding of `wsdl` under `dir`. `soap12` says, per binding
    /// name, whether it uses SOAP 1.2; the samples of a binding not listed (one the generator
    /// does not know) are taken from the first run.
    pub fn samples(&self, wsdl: &Path, dir: &Path, soap12: &[(String, bool)]) -> Result<Samples> {
        // A reused `--out` folder must not offer the samples of an earlier run.
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
        }
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let wsdl = std::path::absolute(wsdl)?;
        let mut out = Samples::default();
        let header = dir.join("gsoap.h");
        run(
            Command::new("wsdl2h")
                .current_dir(dir)
                .args(["-Nsvc", "-k", "-t"])
                .arg(self.typemap())
                .args(["-o", "gsoap.h"])
                .arg(&wsdl),
            &dir.join("wsdl2h.log"),
        )?;
        let text =
            fs::read_to_string(&header).with_context(|| format!("reading {}", header.display()))?;
        let (repaired, dropped) = drop_unnamed_header_members(&text);
        if dropped > 0 {
            out.notes.push(format!(
                "dropped {dropped} SOAP header member(s) that wsdl2h left without a type or name (their WSDL message is undefined)"
            ));
            fs::write(&header, repaired)?;
        }
        let runs: Vec<_> = VERSIONS
            .iter()
            .filter(|(version, _, _)| soap12.iter().any(|(_, v)| v == version))
            .collect();
        let runs = if runs.is_empty() {
            vec![&VERSIONS[0]]
        } else {
            runs
        };
        for (run_index, &(version, flag, folder)) in runs.into_iter().enumerate() {
            let target = dir.join(folder);
            fs::create_dir_all(&target)?;
            let mut import = std::ffi::OsString::from("-I");
            import.push(self.share.join("import"));
            let mut save = std::ffi::OsString::from("-d");
            save.push(&target);
            run(
                Command::new("soapcpp2")
                    .current_dir(dir)
                    .args([flag, "-C", "-L", "-w"])
                    .arg(import)
                    .arg(save)
                    .arg("gsoap.h"),
                &target.join("soapcpp2.log"),
            )?;
            for entry in fs::read_dir(&target)? {
                let path = entry?.path();
                let Some(sample) = parse_name(&path) else {
                    continue;
                };
                let wanted = soap12
                    .iter()
                    .find(|(b, _)| *b == sample.binding)
                    .map_or(run_index == 0, |(_, v)| *v == version);
                if wanted {
                    out.samples.push(sample);
                }
            }
        }
        out.samples.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

/// Runs a gSOAP tool with its output in `log`; on failure, the error quotes the log's last
/// lines, where gSOAP says what went wrong.
fn run(command: &mut Command, log: &Path) -> Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .with_context(|| format!("running {program}"))?;
    let mut text = output.stdout;
    text.extend_from_slice(&output.stderr);
    fs::write(log, &text)?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&text);
        let errors: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("rror"))
            .take(2)
            .collect();
        bail!(
            "{program} failed ({}): {}; see {}",
            output.status,
            errors.join(" | "),
            log.display()
        );
    }
    Ok(())
}

/// `<Binding>.<Operation>.req.xml` or `.res.xml`.
fn parse_name(path: &Path) -> Option<Sample> {
    let name = path.file_name()?.to_str()?;
    let (stem, request) = match (name.strip_suffix(".req.xml"), name.strip_suffix(".res.xml")) {
        (Some(stem), _) => (stem, true),
        (_, Some(stem)) => (stem, false),
        _ => return None,
    };
    let (binding, operation) = stem.split_once('.')?;
    Some(Sample {
        binding: binding.to_owned(),
        operation: operation.to_owned(),
        request,
        path: path.to_path_buf(),
    })
}

/// Removes the members of `struct SOAP_ENV__Header` that wsdl2h wrote without a type or a
/// name: a line holding only `*` and `;` (and a comment), with the qualifier line before it.
fn drop_unnamed_header_members(header: &str) -> (String, usize) {
    let mut out: Vec<&str> = Vec::new();
    let mut in_header = false;
    let mut dropped = 0;
    for line in header.lines() {
        if line.contains("struct SOAP_ENV__Header") {
            in_header = true;
        } else if in_header && line.starts_with("};") {
            in_header = false;
        }
        let code = line.split("//").next().unwrap_or_default();
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if in_header && code == "*;" {
            // The qualifier (`mustUnderstand`, or nothing) sits alone on the line before.
            if out.last().is_some_and(|prev| {
                let prev = prev.split("//").next().unwrap_or_default().trim();
                prev == "mustUnderstand" || prev.is_empty()
            }) {
                out.pop();
            }
            dropped += 1;
            continue;
        }
        out.push(line);
    }
    let mut text = out.join("\n");
    text.push('\n');
    (text, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_names_give_binding_operation_and_direction() {
        let sample = parse_name(Path::new("/t/DeviceBinding.GetDNS.res.xml")).expect("a sample");
        assert_eq!(
            (
                sample.binding.as_str(),
                sample.operation.as_str(),
                sample.request
            ),
            ("DeviceBinding", "GetDNS", false)
        );
        assert!(parse_name(Path::new("/t/Sms.auth.req.xml")).is_some_and(|s| s.request));
        assert_eq!(parse_name(Path::new("/t/Sms.nsmap")), None);
        assert_eq!(parse_name(Path::new("/t/soapC.cpp")), None);
    }

    #[test]
    fn a_header_member_without_type_or_name_is_dropped() {
        let header = "mutable struct SOAP_ENV__Header\n{\n    mustUnderstand   // must be understood\n                   *     ;\t///< @todo Please check element name and type (imported type)\n    _ns1__Auth *ns1__Auth 0;\n};\nint x;\n";
        let (text, dropped) = drop_unnamed_header_members(header);
        assert_eq!(dropped, 1);
        assert_eq!(
            text,
            "mutable struct SOAP_ENV__Header\n{\n    _ns1__Auth *ns1__Auth 0;\n};\nint x;\n"
        );
        assert_eq!(
            drop_unnamed_header_members("int x;\n"),
            ("int x;\n".to_owned(), 0)
        );
    }
}
