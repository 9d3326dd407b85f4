//! Errors that point at the file, line and column of the WSDL or XSD that caused them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Location {
    /// The file.
    pub file: Arc<PathBuf>,
    /// Line, from 1; 0 when the whole file is meant.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

impl Location {
    /// The file as a whole.
    pub fn file(path: &Path) -> Self {
        Self {
            file: Arc::new(path.to_path_buf()),
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// A generator error: what is wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
#[non_exhaustive]
pub struct Error {
    /// Where the problem is.
    pub location: Location,
    /// What it is.
    pub message: String,
}

impl Error {
    /// An error at `location`.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
        }
    }
}
