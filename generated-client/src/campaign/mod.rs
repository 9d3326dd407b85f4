//! Journaled campaigns (feature `journal`): a bulk send recorded in a journal
//! ([`sms_journal`], re-exported as [`journal`]), so that an SMS never goes out twice by
//! itself and none is lost silently, across crashes and across several workers.
//!
//! [`Campaign`] drives the shared send ([`crate::core::send`](mod@crate::core::send), the same per-request path and
//! stop rules as a plain send) over any vendor's [`SmsGateway`](crate::core::SmsGateway):
//!
//! * the recipient list ([`Recipients`](crate::core::Recipients), such as a
//!   [`NumberList`](crate::core::NumberList) file) is read once to hash it with the message
//!   into the campaign's identity, and once more to plan its requests, in the vendor's size,
//!   into the journal; it is never held in memory;
//! * a journal that holds the same campaign resumes it: answered requests are skipped,
//!   planned ones sent, unknown ones reported and sent again only with
//!   [`Campaign::resend_unknown`]; a journal of another campaign is refused
//!   ([`journal::Error::CampaignMismatch`]) unless the [`Campaign::policy`] says to start a
//!   new one;
//! * each request is claimed, then `writing` is committed before its first byte leaves, then
//!   its answer is recorded with one outcome per recipient (the vendor's code as text, its
//!   class); a failure that cannot have reached the gateway leaves the request planned (not
//!   sent), one that may have makes it unknown;
//! * an answer reporting an account failure stops the campaign for every worker: no new
//!   request starts, those in flight finish and are recorded; a failed request stops this
//!   worker's run. A request refused whole for the account (every recipient answered with
//!   an account failure: nothing of it went out) stays planned, so that a rerun sends it
//!   once the account is fixed; a rerun clears the stop;
//! * up to [`Campaign::parallel`] requests are in flight; [`Campaign::on_progress`] is told
//!   the numbers done, in flight and unknown after each;
//! * over PostgreSQL (feature `journal-postgres`), several workers share one campaign, each
//!   under its own name ([`Campaign::worker`], `HOST:PID` by default); a worker that dies
//!   leaves its claims to the others when their leases end, and what it was writing becomes
//!   unknown.
//!
//! Where recipients stand, message ids, answers and delivery receipts, is the journal's
//! [`journal::Campaign::summary`] and [`journal::Campaign::status`]. With the `receipts`
//! feature, [`StoreReceipts`] stores Connection Software's delivery receipts in a journal.

mod ledger;
#[cfg(feature = "receipts")]
mod receipts;
mod send;

pub use sms_journal as journal;

#[cfg(feature = "receipts")]
pub use self::receipts::StoreReceipts;
pub use self::send::{default_worker, Campaign, CampaignError, CampaignReport, RequestFailure};
