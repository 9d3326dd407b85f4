//! The failures of the sample check that are excused, each with its reason
//! (`xtask/sample-exceptions.tsv`).
//!
//! A line names one message of one operation (or, with `*`, every operation or both messages
//! of the entry) and the failure it is expected to show (a part of the failure's one-line
//! text), so that a different failure of the same message is not excused. One line per cause,
//! then: the expected text pins it. An exception that no longer matches a failure is stale and fails the check, which
//! keeps the list as short as the truth. A failure of the generator or the runtime is never
//! excused: it is fixed.

use std::fmt;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// Why a failure is excused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// gSOAP wrote a sample that is wrong (the reason shows how: the schema it violates).
    SampleGenerator,
    /// The WSDL or a schema of the corpus is broken (the reason says where).
    BrokenInput,
}

impl Kind {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "sample-generator" => Self::SampleGenerator,
            "broken-input" => Self::BrokenInput,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SampleGenerator => "sample-generator",
            Self::BrokenInput => "broken-input",
        })
    }
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// Its line in the file, from 1.
    pub line: usize,
    /// The corpus entry (its crate name in the report).
    pub entry: String,
    /// `Binding.Operation`, or `*` for any.
    pub operation: String,
    /// `req` or `res`, or `*` for either.
    pub message: String,
    pub kind: Kind,
    /// A part of the failure's text.
    pub expect: String,
    pub reason: String,
}

/// All the exceptions.
#[derive(Debug, Default)]
pub struct Exceptions {
    list: Vec<Exception>,
}

const COLUMNS: [&str; 6] = ["entry", "operation", "message", "kind", "expect", "reason"];

impl Exceptions {
    /// Reads the file; see [`Exceptions::parse`].
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses the file's text: `#` starts a comment line, the first other line names the
    /// columns, each line after it is one exception.
    pub fn parse(text: &str) -> Result<Self> {
        let mut list = Vec::new();
        let mut header_seen = false;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if !header_seen {
                if fields != COLUMNS {
                    bail!(
                        "line {number}: the header must be {}",
                        COLUMNS.join(" TAB ")
                    );
                }
                header_seen = true;
                continue;
            }
            let [entry, operation, message, kind, expect, reason] = fields[..] else {
                bail!(
                    "line {number}: {} fields, expected {}",
                    fields.len(),
                    COLUMNS.len()
                );
            };
            let kind = Kind::parse(kind).with_context(|| {
                format!("line {number}: kind {kind:?} is not sample-generator or broken-input")
            })?;
            if !matches!(message, "req" | "res" | "*") {
                bail!("line {number}: message {message:?} is not req, res or *");
            }
            if expect.trim().is_empty() || reason.trim().is_empty() {
                bail!("line {number}: an exception needs the failure it expects and a reason");
            }
            list.push(Exception {
                line: number,
                entry: entry.to_owned(),
                operation: operation.to_owned(),
                message: message.to_owned(),
                kind,
                expect: expect.to_owned(),
                reason: reason.to_owned(),
            });
        }
        Ok(Self { list })
    }

    /// The exception that excuses `failure` of this message, if any.
    pub fn find(
        &self,
        entry: &str,
        operation: &str,
        message: &str,
        failure: &str,
    ) -> Option<&Exception> {
        self.list.iter().find(|e| {
            e.entry == entry
                && (e.operation == operation || e.operation == "*")
                && (e.message == message || e.message == "*")
                && failure.contains(&e.expect)
        })
    }

    /// The exceptions of the entries that ran (`ran`) that excused nothing.
    pub fn stale(&self, used: &[&Exception], ran: impl Fn(&str) -> bool) -> Vec<&Exception> {
        self.list
            .iter()
            .filter(|e| ran(&e.entry) && !used.iter().any(|u| u.line == e.line))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# comment\nentry\toperation\tmessage\tkind\texpect\treason\n\
        onvif\tDeviceBinding.GetDNS\tres\tsample-generator\ttext: expected \"\"\tthe sample breaks the pattern\n";

    #[test]
    fn an_exception_excuses_only_the_failure_it_names() {
        let exceptions = Exceptions::parse(FILE).expect("parses");
        let failure = "compare: /a/b: text: expected \"\", found \"x\"";
        let found = exceptions.find("onvif", "DeviceBinding.GetDNS", "res", failure);
        assert_eq!(
            found.map(|e| (e.line, e.kind)),
            Some((3, Kind::SampleGenerator))
        );
        assert!(exceptions
            .find("onvif", "DeviceBinding.GetDNS", "req", failure)
            .is_none());
        assert!(exceptions
            .find(
                "onvif",
                "DeviceBinding.GetDNS",
                "res",
                "read: something else"
            )
            .is_none());
    }

    #[test]
    fn a_star_stands_for_any_operation_or_message() {
        let file = FILE.replace("DeviceBinding.GetDNS\tres", "*\t*");
        let exceptions = Exceptions::parse(&file).expect("parses");
        let failure = "compare: /a/b: text: expected \"\", found \"x\"";
        assert!(exceptions
            .find("onvif", "DeviceBinding.GetNTP", "req", failure)
            .is_some());
        assert!(exceptions
            .find("other", "DeviceBinding.GetNTP", "req", failure)
            .is_none());
    }

    #[test]
    fn an_unused_exception_of_an_entry_that_ran_is_stale() {
        let exceptions = Exceptions::parse(FILE).expect("parses");
        assert_eq!(exceptions.stale(&[], |e| e == "onvif").len(), 1);
        assert!(exceptions.stale(&[], |_| false).is_empty());
        let used: Vec<&Exception> = exceptions.list.iter().collect();
        assert!(exceptions.stale(&used, |_| true).is_empty());
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        let bad_kind = FILE.replace("sample-generator", "bug");
        let error = Exceptions::parse(&bad_kind).expect_err("a bad kind");
        assert!(error.to_string().contains("line 3"), "{error}");
        let no_reason = FILE.replace("\tthe sample breaks the pattern", "\t ");
        assert!(Exceptions::parse(&no_reason).is_err());
        assert!(Exceptions::parse("entry\top\n").is_err());
    }
}
