//! What the journal records and answers: messages, requests and their states, claims,
//! per-recipient outcomes, receipts, status rows and summaries.

use std::fmt;
use std::ops::Range;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::hash::CampaignHash;

/// The message of a campaign, as the caller describes it. The journal stores it for `status`
/// and hashes it into the campaign's identity; it does not read it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The vendor's name, such as `csoft` or `clickatell`.
    pub vendor: String,
    /// The text sent.
    pub text: String,
    /// Every other option that changes what is sent (sender, validity, ...), serialized by
    /// the caller in a stable form (JSON, say). Opaque to the journal.
    pub options: String,
}

impl Message {
    /// A message of `vendor` with `text` and serialized `options`.
    pub fn new(
        vendor: impl Into<String>,
        text: impl Into<String>,
        options: impl Into<String>,
    ) -> Self {
        Self {
            vendor: vendor.into(),
            text: text.into(),
            options: options.into(),
        }
    }
}

/// What a report code means, for the journal's summaries; the caller maps its vendor's codes
/// (the journal keeps the code itself as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutcomeClass {
    /// The gateway took the message for this recipient.
    Accepted,
    /// The message reached the phone.
    Delivered,
    /// The message will not reach this recipient.
    Rejected,
    /// Nothing goes out from the account until it is fixed (login, credit).
    AccountFailure,
}

impl OutcomeClass {
    pub(crate) fn to_i16(self) -> i16 {
        match self {
            Self::Accepted => 0,
            Self::Delivered => 1,
            Self::Rejected => 2,
            Self::AccountFailure => 3,
        }
    }

    /// The class stored as `code`; an unknown number (a newer writer) reads as rejected, as
    /// a code not understood is never taken for a success.
    pub(crate) fn from_i16(code: i16) -> Self {
        match code {
            0 => Self::Accepted,
            1 => Self::Delivered,
            3 => Self::AccountFailure,
            _ => Self::Rejected,
        }
    }

    /// The class's name in snake case, as `status --json` would write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::AccountFailure => "account_failure",
        }
    }
}

impl fmt::Display for OutcomeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a request is in its lifecycle.
///
/// `Planned → Claimed → Writing → Answered | Unknown`, or back to `Planned` when nothing was
/// sent. See the crate documentation for the lease rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestState {
    /// Waiting to be claimed.
    Planned,
    /// Claimed by a worker, which has not started writing it: nothing was sent.
    Claimed,
    /// Its worker committed that it is about to write it (or is writing it): it may have
    /// reached the gateway.
    Writing,
    /// The gateway answered, with an outcome per recipient.
    Answered,
    /// It may have reached the gateway, and its outcome is not known. Never handed out again
    /// unless the caller asks ([`Campaign::requeue_unknown`](crate::Campaign::requeue_unknown)).
    Unknown,
}

impl RequestState {
    /// The state stored as `code`; an unknown number reads as unknown, the state that is
    /// never sent again by itself.
    pub(crate) fn from_i16(code: i16) -> Self {
        match code {
            0 => Self::Planned,
            1 => Self::Claimed,
            2 => Self::Writing,
            3 => Self::Answered,
            _ => Self::Unknown,
        }
    }

    /// The state's name in snake case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Claimed => "claimed",
            Self::Writing => "writing",
            Self::Answered => "answered",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a journal knows of its campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignInfo {
    /// The campaign's number in its journal (a journal keeps older campaigns when a new one
    /// is started).
    pub id: i64,
    /// Its identity.
    pub hash: CampaignHash,
    /// Its message.
    pub message: Message,
    /// How many recipients it was planned for.
    pub recipients: u64,
    /// In how many requests.
    pub requests: u64,
    /// When it was planned.
    pub created_at: SystemTime,
    /// Why it was stopped (an account failure), if it was.
    pub stopped: Option<String>,
}

/// A request handed to a worker by [`Campaign::claim_next`](crate::Campaign::claim_next).
///
/// It proves the worker's hold on the request: every later transition checks that the
/// request is still at this attempt, held by this worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub(crate) row: i64,
    pub(crate) index: u64,
    pub(crate) attempt: i64,
    pub(crate) worker: String,
    pub(crate) first_position: u64,
    pub(crate) recipients: Vec<String>,
    pub(crate) lease_until: SystemTime,
}

impl Claim {
    /// The request's index in the campaign, from 0.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Its recipients, in the order planned.
    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }

    /// The position of its first recipient in the campaign's list, from 0.
    pub fn first_position(&self) -> u64 {
        self.first_position
    }

    /// How many times the request was claimed, this claim included.
    pub fn attempt(&self) -> i64 {
        self.attempt
    }

    /// The worker that holds it.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// When the lease taken by the claim ends, unless renewed (by
    /// [`start_writing`](crate::Campaign::start_writing) or
    /// [`renew`](crate::Campaign::renew)). For PostgreSQL, by the server's clock.
    pub fn lease_until(&self) -> SystemTime {
        self.lease_until
    }
}

/// The answer of [`Campaign::claim_next`](crate::Campaign::claim_next).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Next {
    /// The next planned request, now claimed by the worker.
    Request(Claim),
    /// The campaign was stopped (an account failure): no request is handed out.
    Stopped {
        /// The reason given to [`Campaign::stop`](crate::Campaign::stop).
        reason: String,
    },
    /// No request is planned. `in_flight` requests are claimed or being written (by this
    /// worker or others); a claimed one whose lease expires comes back as planned. With
    /// `in_flight == 0` the campaign is over: every request is answered or unknown.
    Drained {
        /// Requests claimed or being written.
        in_flight: u64,
    },
}

/// One recipient's outcome, as the gateway answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome<'a> {
    /// The recipient's number: the one at this place in the request.
    pub number: &'a str,
    /// The gateway's identifier for the message to this recipient (empty if it gave none).
    pub message_id: &'a str,
    /// The vendor's report code, as text.
    pub code: &'a str,
    /// What the code means.
    pub class: OutcomeClass,
    /// The gateway's text for this recipient.
    pub text: &'a str,
}

impl<'a> Outcome<'a> {
    /// The outcome for `number`: the gateway's identifier, its code as text and what the
    /// code means, and its text.
    pub fn new(
        number: &'a str,
        message_id: &'a str,
        code: &'a str,
        class: OutcomeClass,
        text: &'a str,
    ) -> Self {
        Self {
            number,
            message_id,
            code,
            class,
            text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OutcomeEntry {
    number: Range<usize>,
    message_id: Range<usize>,
    code: Range<usize>,
    text: Range<usize>,
    class: OutcomeClass,
}

/// The outcomes of one request, one per recipient in the request's order, for
/// [`Campaign::answered`](crate::Campaign::answered). Its strings share one buffer, so that a
/// request of 350 recipients costs a few allocations, not 1,400.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    strings: String,
    entries: Vec<OutcomeEntry>,
}

impl Outcomes {
    /// No outcome yet, with room for `count`.
    pub fn with_capacity(count: usize) -> Self {
        Self {
            strings: String::with_capacity(count * 48),
            entries: Vec::with_capacity(count),
        }
    }

    /// Adds the next recipient's outcome.
    pub fn push(&mut self, outcome: Outcome<'_>) {
        let number = self.append(outcome.number);
        let message_id = self.append(outcome.message_id);
        let code = self.append(outcome.code);
        let text = self.append(outcome.text);
        self.entries.push(OutcomeEntry {
            number,
            message_id,
            code,
            text,
            class: outcome.class,
        });
    }

    fn append(&mut self, text: &str) -> Range<usize> {
        let start = self.strings.len();
        self.strings.push_str(text);
        start..self.strings.len()
    }

    /// How many outcomes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The outcomes, in order.
    pub fn iter(&self) -> impl Iterator<Item = Outcome<'_>> + '_ {
        self.entries.iter().map(|e| Outcome {
            number: &self.strings[e.number.clone()],
            message_id: &self.strings[e.message_id.clone()],
            code: &self.strings[e.code.clone()],
            class: e.class,
            text: &self.strings[e.text.clone()],
        })
    }

    /// How many outcomes of each class: accepted, delivered, rejected, account failure.
    pub(crate) fn class_counts(&self) -> [i64; 4] {
        let mut counts = [0; 4];
        for entry in &self.entries {
            counts[entry.class.to_i16() as usize] += 1;
        }
        counts
    }

    /// Checks that these are the outcomes of `claim`'s recipients, one each, in order.
    pub(crate) fn check_against(&self, claim: &Claim) -> Result<(), String> {
        if self.len() != claim.recipients.len() {
            return Err(format!(
                "{} outcome(s) for {} recipient(s)",
                self.len(),
                claim.recipients.len()
            ));
        }
        for (i, (outcome, number)) in self.iter().zip(&claim.recipients).enumerate() {
            if outcome.number != number {
                return Err(format!(
                    "outcome {} is for {:?}, but recipient {} is {number:?}",
                    i + 1,
                    outcome.number,
                    i + 1
                ));
            }
        }
        Ok(())
    }
}

/// A delivery receipt, as a receiver got it from the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Receipt {
    /// The identifier the gateway answered for the message.
    pub message_id: String,
    /// The number the message was sent to.
    pub sent_to: String,
    /// The report code, as text.
    pub code: String,
    /// What it means.
    pub class: OutcomeClass,
    /// When the gateway recorded the status. Kept to the millisecond.
    pub at: SystemTime,
}

impl Receipt {
    /// A receipt for `message_id`.
    pub fn new(
        message_id: impl Into<String>,
        sent_to: impl Into<String>,
        code: impl Into<String>,
        class: OutcomeClass,
        at: SystemTime,
    ) -> Self {
        Self {
            message_id: message_id.into(),
            sent_to: sent_to.into(),
            code: code.into(),
            class,
            at,
        }
    }
}

/// What [`Journal::store_receipt`](crate::Journal::store_receipt) made of a receipt. In every
/// case the receipt is stored (or was already): the receiver may answer the gateway 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptStored {
    /// A new report, now the latest for its message.
    Latest,
    /// A new report, kept in the history, older than the latest one for its message.
    Older,
    /// The same receipt (message, number, code and time) was stored before: nothing changed.
    Duplicate,
}

/// A recipient's outcome when its request was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentOutcome {
    /// The gateway's identifier for the message.
    pub message_id: String,
    /// The vendor's report code.
    pub code: String,
    /// What it means.
    pub class: OutcomeClass,
    /// The gateway's text.
    pub text: String,
}

/// The latest delivery receipt for a recipient's message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptStatus {
    /// The report code.
    pub code: String,
    /// What it means.
    pub class: OutcomeClass,
    /// When the gateway recorded it.
    pub at: SystemTime,
}

/// Where one recipient of a campaign stands, for `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipientStatus {
    /// Its position in the list, from 0.
    pub position: u64,
    /// Its number.
    pub number: String,
    /// The index of its request.
    pub request: u64,
    /// Its request's state.
    pub request_state: RequestState,
    /// Why its request is unknown, or the last reason it went back to planned.
    pub reason: Option<String>,
    /// The gateway's answer, once its request was answered.
    pub sent: Option<SentOutcome>,
    /// The latest receipt for its message, if any arrived.
    pub receipt: Option<ReceiptStatus>,
}

/// Where a recipient stands, in the summary's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// Taken by the gateway; no receipt says more.
    Accepted,
    /// Delivered, by the answer or by a receipt.
    Delivered,
    /// Rejected, by the answer or by a receipt.
    Rejected,
    /// Refused for the account (login, credit): not sent.
    AccountFailure,
    /// Its request may have reached the gateway; its outcome is not known.
    Unknown,
    /// Its request is claimed or being written now.
    InFlight,
    /// Its request was never sent.
    NotSent,
}

impl RecipientStatus {
    /// Where the recipient stands: the latest receipt's class if one arrived, else the
    /// answer's, else its request's state.
    pub fn class(&self) -> StatusClass {
        let outcome = self
            .receipt
            .as_ref()
            .map(|r| r.class)
            .or(self.sent.as_ref().map(|s| s.class));
        match (outcome, self.request_state) {
            (Some(class), _) => StatusClass::from(class),
            (None, RequestState::Unknown | RequestState::Answered) => StatusClass::Unknown,
            (None, RequestState::Claimed | RequestState::Writing) => StatusClass::InFlight,
            (None, RequestState::Planned) => StatusClass::NotSent,
        }
    }
}

impl From<OutcomeClass> for StatusClass {
    fn from(class: OutcomeClass) -> Self {
        match class {
            OutcomeClass::Accepted => Self::Accepted,
            OutcomeClass::Delivered => Self::Delivered,
            OutcomeClass::Rejected => Self::Rejected,
            OutcomeClass::AccountFailure => Self::AccountFailure,
        }
    }
}

/// How many recipients of a campaign stand where, and how many requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Recipients accepted by the gateway, with no receipt saying more.
    pub accepted: u64,
    /// Delivered (by the answer or a receipt).
    pub delivered: u64,
    /// Rejected (by the answer or a receipt).
    pub rejected: u64,
    /// Refused for the account.
    pub account_failure: u64,
    /// In requests whose outcome is unknown.
    pub unknown: u64,
    /// In requests claimed or being written.
    pub in_flight: u64,
    /// In requests never sent (planned).
    pub not_sent: u64,
    /// Requests answered.
    pub requests_answered: u64,
    /// Requests unknown.
    pub requests_unknown: u64,
    /// Requests claimed or being written.
    pub requests_in_flight: u64,
    /// Requests planned.
    pub requests_planned: u64,
}

impl Summary {
    /// Every recipient counted.
    pub fn recipients(&self) -> u64 {
        self.accepted
            + self.delivered
            + self.rejected
            + self.account_failure
            + self.unknown
            + self.in_flight
            + self.not_sent
    }

    /// Adds `n` recipients to `class`'s count.
    pub(crate) fn add(&mut self, class: StatusClass, n: i64) {
        let count = match class {
            StatusClass::Accepted => &mut self.accepted,
            StatusClass::Delivered => &mut self.delivered,
            StatusClass::Rejected => &mut self.rejected,
            StatusClass::AccountFailure => &mut self.account_failure,
            StatusClass::Unknown => &mut self.unknown,
            StatusClass::InFlight => &mut self.in_flight,
            StatusClass::NotSent => &mut self.not_sent,
        };
        *count = count.saturating_add_signed(n);
    }

    /// Adds the requests of one state and their recipients. `classes` are the answered
    /// recipients' counts by class (accepted, delivered, rejected, account failure).
    pub(crate) fn add_requests(
        &mut self,
        state: RequestState,
        requests: i64,
        recipients: i64,
        classes: [i64; 4],
    ) {
        let requests = requests.max(0) as u64;
        match state {
            RequestState::Planned => {
                self.requests_planned += requests;
                self.add(StatusClass::NotSent, recipients);
            }
            RequestState::Claimed | RequestState::Writing => {
                self.requests_in_flight += requests;
                self.add(StatusClass::InFlight, recipients);
            }
            RequestState::Unknown => {
                self.requests_unknown += requests;
                self.add(StatusClass::Unknown, recipients);
            }
            RequestState::Answered => {
                self.requests_answered += requests;
                for (code, n) in classes.into_iter().enumerate() {
                    self.add(OutcomeClass::from_i16(code as i16).into(), n);
                }
            }
        }
    }

    /// Moves `n` answered recipients from the answer's class to a receipt's.
    pub(crate) fn move_by_receipt(&mut self, sent: OutcomeClass, receipt: OutcomeClass, n: i64) {
        self.add(sent.into(), -n);
        self.add(receipt.into(), n);
    }
}

/// How many leases [`Campaign::expire_leases`](crate::Campaign::expire_leases) ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expired {
    /// Claimed requests back to planned (nothing was sent).
    pub replanned: u64,
    /// Requests being written, now unknown.
    pub unknown: u64,
}

/// A request whose outcome is unknown, for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownRequest {
    /// Its index.
    pub index: u64,
    /// How many recipients.
    pub recipients: u64,
    /// Why its outcome is unknown.
    pub reason: String,
}

/// Milliseconds since the Unix epoch, as the journal stores times.
pub(crate) fn to_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The time stored as `millis`.
pub(crate) fn from_millis(millis: i64) -> SystemTime {
    if millis >= 0 {
        UNIX_EPOCH + Duration::from_millis(millis as u64)
    } else {
        UNIX_EPOCH - Duration::from_millis(millis.unsigned_abs())
    }
}
