//! How a journal is opened: where it is, and the settings that trade speed for durability.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;

/// Where a journal is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// An SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its `postgres://` (or `postgresql://`) URL.
    Postgres(String),
}

impl Location {
    /// Reads a location as a user writes it: a `postgres://` or `postgresql://` URL, or else a
    /// file path.
    pub fn parse(location: &str) -> Result<Self, Error> {
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Self::Postgres(location.to_owned()));
        }
        if location.is_empty() {
            return Err(Error::Location {
                location: location.to_owned(),
                reason: "it is empty".to_owned(),
            });
        }
        Ok(Self::Sqlite(PathBuf::from(location)))
    }
}

impl fmt::Display for Location {
    /// The location for messages: a URL's password is left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// `url` with the password of its user information replaced by `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// SQLite's `synchronous` setting, in WAL mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Synchronous {
    /// A commit is written to the WAL file, which is synced at checkpoints: a killed process
    /// loses nothing committed; a power loss or OS crash may lose the last commits (never
    /// corrupts the file).
    #[default]
    Normal,
    /// A commit is synced to disk before it returns: it also survives a power loss, at the
    /// cost of one fsync per commit (see the crate's README for the measured cost).
    Full,
}

/// What to do with the campaign already in a journal, when opening one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum CampaignPolicy {
    /// Resume the journal's campaign when its hash is the one given; refuse (with
    /// [`Error::CampaignMismatch`]) when it differs. A journal without a campaign plans one.
    #[default]
    Resume,
    /// Resume when the hash is the same; start a new campaign when it differs (a `--force`).
    /// The older campaign stays in the journal, with its outcomes and receipts.
    ReplaceIfDifferent,
    /// Always start a new campaign, even for the same message and list (sending it again on
    /// purpose).
    AlwaysNew,
}

/// Settings for [`Journal::open`](crate::Journal::open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    pub(crate) synchronous: Synchronous,
    pub(crate) busy_timeout: Duration,
    pub(crate) lease: Duration,
    pub(crate) read_only: bool,
    pub(crate) pool_size: usize,
    pub(crate) postgres_schema: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Normal,
            busy_timeout: Duration::from_secs(10),
            lease: Duration::from_secs(120),
            read_only: false,
            pool_size: 8,
            postgres_schema: None,
        }
    }
}

impl OpenOptions {
    /// The defaults: `synchronous` NORMAL, a 10 s busy timeout, 120 s leases, read-write, 8
    /// PostgreSQL connections, PostgreSQL's default schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// SQLite's `synchronous` setting (PostgreSQL keeps its server's settings).
    pub fn synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// How long an SQLite write waits for another process's write to end before it fails.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// How long a claim holds a request without being renewed. A worker that dies leaves its
    /// requests to others after this long: claimed ones are planned again, ones being written
    /// become unknown. Keep it well above the longest request (failover included).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Opens the journal for reading only (`status` on a journal one may not write): every
    /// write fails with [`Error::Storage`]. An SQLite journal must exist.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// How many PostgreSQL connections the journal keeps (at least 1).
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// Keeps the journal's tables in this PostgreSQL schema (created if missing) rather than
    /// the server's default, so that several journals share one database.
    pub fn postgres_schema(mut self, schema: impl Into<String>) -> Self {
        self.postgres_schema = Some(schema.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(
            Location::parse("postgres://u:secret@h/db").unwrap(),
            Location::Postgres("postgres://u:secret@h/db".to_owned())
        );
        assert_eq!(
            Location::parse("PostgreSQL://h/db").unwrap(),
            Location::Postgres("PostgreSQL://h/db".to_owned())
        );
        assert_eq!(
            Location::parse("run/journal.db").unwrap(),
            Location::Sqlite(PathBuf::from("run/journal.db"))
        );
        assert!(Location::parse("").is_err());
    }

    #[test]
    fn passwords_are_not_shown() {
        let shown = |url: &str| Location::Postgres(url.to_owned()).to_string();
        assert_eq!(
            shown("postgres://u:secret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(shown("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(shown("postgres://h/db"), "postgres://h/db");
    }
}
