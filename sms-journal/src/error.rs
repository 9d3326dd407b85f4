//! The journal's errors: every failure of the store is returned (never swallowed), with the
//! driver's error kept as its source.

use crate::hash::CampaignHash;
use crate::model::RequestState;

/// The error of a driver (rusqlite, tokio-postgres), boxed so that the public API does not
/// depend on the drivers' versions.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong with a journal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed: it could not be opened, read or written (a read-only file, a full
    /// disk, a lost connection, a lock held too long by another process).
    #[error("journal {location}: cannot {action}")]
    Storage {
        /// The SQLite file or the PostgreSQL server (without its password).
        location: String,
        /// What the journal was doing, such as "store a receipt".
        action: &'static str,
        /// The driver's error.
        #[source]
        source: BoxError,
    },
    /// The location is neither a file path nor a `postgres://` URL the client can read, or
    /// names PostgreSQL in a build without the `postgres` feature.
    #[error("journal location {location:?}: {reason}")]
    Location {
        /// The location as given.
        location: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The store was written by a newer version of this crate.
    #[error("journal {location} has schema version {found}; this version of sms-journal reads up to {supported}")]
    SchemaTooNew {
        /// The SQLite file or the PostgreSQL server.
        location: String,
        /// The version found in the store.
        found: i64,
        /// The newest version this crate knows.
        supported: i64,
    },
    /// The journal's campaign was planned for another message or recipient list.
    #[error(
        "the journal's campaign {campaign} was planned for {what} (its hash is {stored}, the one given is {given}): \
         resume it with the same message and list, or start a new campaign explicitly"
    )]
    CampaignMismatch {
        /// The campaign in the journal.
        campaign: i64,
        /// What differs, in words ("another message", "another recipient list", or both).
        what: &'static str,
        /// The stored campaign's hash (boxed, as every [`Result`] of the crate carries room
        /// for the largest error).
        stored: Box<CampaignHash>,
        /// The hash of the message and list given.
        given: Box<CampaignHash>,
    },
    /// The recipients given to a [`Planner`](crate::Planner) do not hash to the hash the
    /// campaign was opened with: the list changed between the two readings.
    #[error("the recipients planned hash to {planned}, but the campaign was opened for {declared}: nothing was planned")]
    PlanMismatch {
        /// The hash the campaign was opened with.
        declared: Box<CampaignHash>,
        /// The hash of what was planned.
        planned: Box<CampaignHash>,
    },
    /// A recipient cannot be stored: it is empty or holds a line break.
    #[error("recipient {position} ({recipient:?}) is empty or holds a line break")]
    InvalidRecipient {
        /// Its position in the list, from 0.
        position: u64,
        /// The recipient as given.
        recipient: String,
    },
    /// A request was planned with no recipient.
    #[error("request {index} has no recipient")]
    EmptyRequest {
        /// The request's index, from 0.
        index: u64,
    },
    /// The outcomes given for a request are not one per recipient, in order.
    #[error("request {request}: {reason}")]
    OutcomesMismatch {
        /// The request's index.
        request: u64,
        /// What does not match.
        reason: String,
    },
    /// The claim no longer holds the request: its lease expired and the request went back to
    /// planned (and maybe to another worker) or became unknown, or the transition is not one
    /// the request's state allows. Nothing was changed; a caller that has not written the
    /// request yet must not write it.
    #[error("request {request} (attempt {attempt}) is not held by this claim: it is {state}")]
    NotHeld {
        /// The request's index.
        request: u64,
        /// The claim's attempt number.
        attempt: i64,
        /// The request's state now.
        state: RequestState,
    },
    /// A [`Planner`](crate::Planner) was dropped, or its store connection closed, before
    /// [`finish`](crate::Planner::finish): nothing of the plan was kept.
    #[error("the plan was abandoned before it was finished: nothing of it was kept")]
    PlanAbandoned,
    /// The journal's SQLite writer thread is gone (it panicked, or the journal was closed).
    #[error("journal {location}: the writer thread has stopped")]
    WriterGone {
        /// The SQLite file.
        location: String,
    },
}

/// The journal's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn storage(
        location: &str,
        action: &'static str,
        source: impl Into<BoxError>,
    ) -> Self {
        Self::Storage {
            location: location.to_owned(),
            action,
            source: source.into(),
        }
    }
}
