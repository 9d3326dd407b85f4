//! A vendor's codes for what happened to one recipient, and the classes they all come down
//! to, so that a program can act on any vendor's answers.

use std::fmt;

/// A vendor's code for what happened to one recipient of a message.
///
/// `Serialize` gives the `report` field of `sendsms --json`; `Display` is for messages, with
/// the code's meaning (`15 (out of credit)`).
pub trait VendorCode:
    Copy + Eq + fmt::Debug + fmt::Display + serde::Serialize + Send + Sync + 'static
{
    /// What a program should make of it.
    fn class(self) -> ReportClass;

    /// The code as the gateway wrote it, for a column of `sendsms` output (`-2`, `105`).
    fn wire(self) -> String;

    /// Whether the gateway took or delivered the message.
    fn is_success(self) -> bool {
        self.class().is_success()
    }
}

/// The class of a per-recipient outcome: what every vendor's codes come down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReportClass {
    /// The gateway took the message for this recipient (queued, delayed, sent with characters
    /// removed, or a test that succeeded).
    Accepted,
    /// The message reached the phone.
    Delivered,
    /// The message will not reach this recipient (a bad or blacklisted number, an error).
    Rejected,
    /// Nothing will go out from this account until it is fixed (login, credit): retrying is
    /// pointless, and the vendors' documents forbid it. A send stops when an answer says so.
    AccountFailure,
}

impl ReportClass {
    /// Whether the gateway took or delivered the message.
    pub fn is_success(self) -> bool {
        matches!(self, Self::Accepted | Self::Delivered)
    }

    /// The name used in JSON and in the journal: `accepted`, `delivered`, `rejected`,
    /// `account_failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::AccountFailure => "account_failure",
        }
    }
}
