//! A durable send journal for SMS campaigns, so that a bulk send survives a crash and scales
//! out: an SMS never goes out twice by itself, and none is lost silently.
//!
//! A [`Journal`] is an SQLite file (the embedded default: rusqlite's bundled SQLite) or a
//! PostgreSQL database (`postgres://…`, with the `postgres` feature) shared by workers on
//! several machines. It holds campaigns: a message and the requests planned for its
//! recipient list, each request's lifecycle, one outcome per recipient, and the gateway's
//! delivery receipts.
//!
//! # A campaign's identity
//! A campaign is identified by a [`CampaignHash`]: a digest of the [`Message`] (vendor, text,
//! options) and one of the recipient list, which [`CampaignHasher`] computes while the caller
//! streams the list. Opening a journal whose campaign has another hash is refused
//! ([`Error::CampaignMismatch`], naming both) unless the caller's [`CampaignPolicy`] says to
//! start a new one.
//!
//! # A request's lifecycle
//! ```text
//! planned ──claim_next──▶ claimed ──start_writing──▶ writing ──answered──▶ answered
//!    ▲                       │                          │
//!    └──── not_sent ─────────┴──────── not_sent ────────┤
//!    └──── lease expired ────┘                          ├──unknown / lease expired──▶ unknown
//!    └───────────────── requeue_unknown (explicit) ◀────────────────────────────────────┘
//! ```
//! Every transition is committed before its call returns. `start_writing` is committed
//! before the first byte of the request leaves: the caller awaits it, then sends.
//!
//! # The lease rule
//! A claim holds its request until a deadline (its lease, [`OpenOptions::lease`], renewed by
//! [`Campaign::start_writing`] and [`Campaign::renew`]); deadlines are taken by the store's
//! clock (the server's, for PostgreSQL), so workers' clocks need not agree. A lease that ran
//! out is ended by the next [`Campaign::claim_next`] of any worker:
//! - a request still **claimed** goes back to **planned**: its worker never committed
//!   `writing`, so it sent nothing, and it never will, since `start_writing` checks that the
//!   claim (request, attempt number, worker) still holds and fails with [`Error::NotHeld`]
//!   otherwise;
//! - a request being **written** becomes **unknown**: it may have reached the gateway, so it
//!   is never handed out again by itself. Its worker, if alive after all, may still record
//!   the answer (the attempt number still matches).
//!
//! Ending a lease early ([`Campaign::expire_leases`], for a sender known to be dead) is safe
//! for the same reasons. On a rerun, answered requests are skipped, unknown ones are reported
//! ([`Campaign::unknown_requests`]) and sent again only through
//! [`Campaign::requeue_unknown`], planned ones are handed out.
//!
//! An account failure: [`Campaign::stop`] makes every worker's `claim_next` answer
//! [`Next::Stopped`]; requests in flight still record their outcomes.
//!
//! # What the send engine calls
//! ```
//! use sms_journal::{
//!     CampaignHasher, CampaignPolicy, CampaignStart, Journal, Message, Next, OpenOptions,
//!     Outcome, OutcomeClass, Outcomes,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), sms_journal::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("journal.db");
//! let numbers: Vec<String> = (0..1000).map(|i| format!("4477009{i:05}")).collect();
//! let message = Message::new("csoft", "Hello", r#"{"sender":"Shop"}"#);
//! let journal = Journal::open(path.to_str().unwrap(), OpenOptions::new()).await?;
//!
//! // First pass over the list (the one that validates it): its hash.
//! let mut hasher = CampaignHasher::new(&message);
//! numbers.iter().for_each(|n| hasher.recipient(n));
//! let campaign = match journal.open_campaign(&message, hasher.finish(), CampaignPolicy::Resume).await? {
//!     CampaignStart::Resumed(campaign) => campaign,
//!     CampaignStart::Plan(mut planner) => {
//!         // Second pass: the requests, in the vendor's size.
//!         for request in numbers.chunks(350) {
//!             planner.request(request).await?;
//!         }
//!         planner.finish().await?
//!     }
//!     _ => unreachable!(),
//! };
//! loop {
//!     let claim = match campaign.claim_next("host-1:4242").await? {
//!         Next::Request(claim) => claim,
//!         Next::Drained { in_flight: 0 } => break,
//!         Next::Stopped { .. } | Next::Drained { .. } => break, // or wait for requests in flight
//!         _ => break,
//!     };
//!     campaign.start_writing(&claim).await?; // committed: now send the request
//!     let mut outcomes = Outcomes::with_capacity(claim.recipients().len());
//!     for (i, number) in claim.recipients().iter().enumerate() {
//!         let id = format!("{:08X}", claim.first_position() as usize + i);
//!         outcomes.push(Outcome::new(number, &id, "-2", OutcomeClass::Accepted, "queued"));
//!     }
//!     campaign.answered(&claim, outcomes).await?;
//!     // or: campaign.unknown(&claim, "timed out after the request was written").await?
//!     // or: campaign.not_sent(&claim, "connection refused").await?
//! }
//! assert_eq!(campaign.summary().await?.accepted, 1000);
//! # Ok(())
//! # }
//! ```
//!
//! # Durability
//! SQLite runs in WAL mode with `synchronous` NORMAL by default: a killed process loses
//! nothing committed; [`Synchronous::Full`] also survives a power loss, at one fsync per
//! commit. The writer commits the transitions that queue up together (each in its own
//! savepoint, each answered after the commit), so requests in flight share commits.
//! PostgreSQL keeps its server's settings (`synchronous_commit` on by default).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod hash;
mod journal;
mod model;
mod options;
mod plan;
#[cfg(feature = "postgres")]
mod postgres;
mod schema;
mod sql;
mod sqlite;
mod status;

pub use error::{BoxError, Error, Result};
pub use hash::{CampaignHash, CampaignHasher};
pub use journal::{Campaign, CampaignStart, Journal, Planner, StatusPages};
pub use model::{
    CampaignInfo, Claim, Expired, Message, Next, Outcome, OutcomeClass, Outcomes, Receipt,
    ReceiptStatus, ReceiptStored, RecipientStatus, RequestState, SentOutcome, StatusClass, Summary,
    UnknownRequest,
};
pub use options::{CampaignPolicy, Location, OpenOptions, Synchronous};
