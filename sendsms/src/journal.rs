//! Opening a journal as the commands that use one ask (`send --journal`, `status`,
//! `receipts serve --store`), and what its errors become: an exit status and a message.

use std::time::Duration;

use generated_client::campaign::journal::{Error, Journal, Location, OpenOptions, Synchronous};

use crate::cli::StoreArgs;
use crate::Failure;

/// The exit status when the journal cannot be opened, read or written.
pub(crate) const JOURNAL_FAILED: u8 = 5;

/// Whether `location` is an SQLite file (one sender at a time) rather than a PostgreSQL URL.
pub(crate) fn is_sqlite(location: &str) -> bool {
    matches!(Location::parse(location), Ok(Location::Sqlite(_)))
}

/// Opens the journal at `location` with the settings of `store`.
pub(crate) async fn open(
    location: &str,
    store: &StoreArgs,
    configure: impl FnOnce(OpenOptions) -> OpenOptions,
) -> Result<Journal, Failure> {
    let mut options = OpenOptions::new()
        .synchronous(match store.synchronous.as_str() {
            "full" => Synchronous::Full,
            _ => Synchronous::Normal,
        })
        .busy_timeout(Duration::from_secs_f64(store.busy_timeout.max(0.0)));
    if let Some(schema) = &store.journal_schema {
        options = options.postgres_schema(schema);
    }
    Journal::open(location, configure(options))
        .await
        .map_err(|error| failure(&error))
}

/// The exit status and message for a journal's error: 2 for what the user gave (a location,
/// another campaign's journal), 5 when the store failed.
pub(crate) fn failure(error: &Error) -> Failure {
    let code = match error {
        Error::Location { .. } | Error::CampaignMismatch { .. } | Error::PlanMismatch { .. } => 2,
        _ => JOURNAL_FAILED,
    };
    let mut message = error.to_string();
    if matches!(error, Error::CampaignMismatch { .. }) {
        message.push_str(" (--new-campaign starts a new one in the same journal)");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Failure { code, message }
}
