//! A journaled send: [`Campaign`], the shared send's requests planned into a journal,
//! claimed from it and recorded in it.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use sms_journal::{
    Campaign as Stored, CampaignHasher, CampaignInfo, CampaignPolicy, CampaignStart, Journal,
    Summary, UnknownRequest,
};

use super::ledger::JournalLedger;
use crate::core::error::{RequestError, Stop};
use crate::core::message::normalize_number;
use crate::core::recipients::Recipients;
use crate::core::send::{run_requests, Progress};
use crate::core::{Content, InvalidMessage, Schedule, SmsGateway, VendorMessage};

/// How long a worker waits before asking again for requests held by other workers.
const POLL: Duration = Duration::from_millis(500);

/// A bulk send recorded in a journal, so that it survives a crash and scales out to several
/// workers: see [the module](super) for what is recorded when.
pub struct Campaign<'g, G: SmsGateway> {
    gateway: &'g G,
    journal: Journal,
    worker: String,
    parallel: usize,
    policy: CampaignPolicy,
    resend_unknown: bool,
    settle_leases: bool,
    poll: Duration,
    progress: Option<Box<dyn FnMut(Progress) + Send + 'g>>,
}

impl<G: SmsGateway> std::fmt::Debug for Campaign<'_, G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Campaign")
            .field("vendor", &self.gateway.vendor())
            .field("journal", &self.journal.location())
            .field("worker", &self.worker)
            .field("parallel", &self.parallel)
            .field("policy", &self.policy)
            .field("resend_unknown", &self.resend_unknown)
            .finish_non_exhaustive()
    }
}

/// Why a campaign did not run to its end. What was recorded stays recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CampaignError<E: std::error::Error + 'static> {
    /// The message broke a documented limit, or a number of the list is not one: nothing
    /// was sent.
    #[error("invalid message: {0}")]
    Invalid(#[from] InvalidMessage),
    /// The message names its own numbers or other recipients (an address book): a campaign's
    /// recipients are its list, each recorded with its outcome.
    #[error("{0}")]
    Unsupported(&'static str),
    /// The recipient list could not be read.
    #[error("cannot read the recipient list")]
    Recipients(#[source] E),
    /// The journal refused the campaign (another campaign's journal, see
    /// [`sms_journal::Error::CampaignMismatch`]) or failed. A failure while requests were in
    /// flight started no new request; a request whose outcome could not be recorded stays
    /// "being written", and becomes unknown when its lease ends: it is never resent by
    /// itself.
    #[error(transparent)]
    Journal(#[from] sms_journal::Error),
}

/// A request of a campaign that failed: its recipients stand in the journal as unknown (when
/// it may have reached the gateway) or not sent.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestFailure {
    /// The request's index in the campaign.
    pub request: u64,
    /// What went wrong.
    pub error: RequestError,
}

/// What a run of a campaign did, and where the whole campaign stands.
#[derive(Debug)]
#[non_exhaustive]
pub struct CampaignReport<C> {
    /// The campaign, as recorded when it was opened.
    pub campaign: CampaignInfo,
    /// Whether the journal held the campaign already (a rerun, or another worker's plan).
    pub resumed: bool,
    /// Unknown requests planned again, with [`Campaign::resend_unknown`].
    pub requeued: u64,
    /// Requests of an earlier run settled at the start ([`Campaign::settle_leases`]): claimed
    /// ones planned again, ones being written now unknown.
    pub settled: sms_journal::Expired,
    /// Why a stop recorded earlier (an account failure) was cleared at the start, if one was.
    pub cleared_stop: Option<String>,
    /// What stopped this run before the campaign was drained: an account failure, or the
    /// first request that failed (then no new request started).
    pub stop: Option<Stop<C>>,
    /// The first request of this run that failed (by index), with its error.
    pub first_failure: Option<RequestFailure>,
    /// Why another worker stopped the campaign, if one did while this one ran.
    pub stopped_elsewhere: Option<String>,
    /// Where every recipient of the campaign stands now.
    pub summary: Summary,
    /// The requests whose outcome is unknown (this run's and earlier ones'): never resent
    /// unless asked ([`Campaign::resend_unknown`]).
    pub unknown: Vec<UnknownRequest>,
}

impl<'g, G: SmsGateway> Campaign<'g, G> {
    /// A campaign through `gateway`, recorded in `journal`: worker [`default_worker`], one
    /// request at a time, resuming the journal's campaign when it is the same one.
    pub fn new(gateway: &'g G, journal: Journal) -> Self {
        Self {
            gateway,
            journal,
            worker: default_worker(),
            parallel: 1,
            policy: CampaignPolicy::Resume,
            resend_unknown: false,
            settle_leases: false,
            poll: POLL,
            progress: None,
        }
    }

    /// This worker's name in the journal (claims and leases are held in its name): unique
    /// among the workers of a campaign. [`default_worker`] by default.
    pub fn worker(mut self, worker: impl Into<String>) -> Self {
        self.worker = worker.into();
        self
    }

    /// At most `requests` in flight at once (at least 1).
    pub fn parallel(mut self, requests: usize) -> Self {
        self.parallel = requests.max(1);
        self
    }

    /// What to do when the journal holds another campaign (by default, refuse it:
    /// [`sms_journal::Error::CampaignMismatch`]).
    pub fn policy(mut self, policy: CampaignPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sends the requests whose outcome is unknown again: each may have reached the
    /// gateway, so its recipients may get the message twice. The only way they are ever
    /// resent; off by default.
    pub fn resend_unknown(mut self, resend: bool) -> Self {
        self.resend_unknown = resend;
        self
    }

    /// Ends every lease of the campaign at the start, as if they had expired: requests an
    /// earlier run claimed are planned again, those it was writing become unknown. Right
    /// for a single sender's rerun (an SQLite journal): the earlier run is dead. Safe even
    /// when it is not, but with several live workers (PostgreSQL) leave it off: their leases
    /// end by themselves when they die.
    pub fn settle_leases(mut self, settle: bool) -> Self {
        self.settle_leases = settle;
        self
    }

    /// How long to wait before asking the journal again when the requests left are held by
    /// other workers (500 ms by default).
    pub fn poll(mut self, every: Duration) -> Self {
        self.poll = every;
        self
    }

    /// Calls `progress` after each request ends, with the whole campaign's counts (answered
    /// in earlier runs included).
    pub fn on_progress(mut self, progress: impl FnMut(Progress) + Send + 'g) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Sends `message` to `recipients` under the journal: plans the campaign (or resumes
    /// it), then sends its planned requests until none is left, or an account failure or a
    /// failed request stops it. The list is read twice (to hash it, then to plan it, for a
    /// new campaign): it never needs to be in memory.
    pub async fn send<R: Recipients + ?Sized>(
        mut self,
        message: &G::Message,
        recipients: &R,
    ) -> Result<CampaignReport<G::Code>, CampaignError<R::Error>> {
        let now = Utc::now();
        let base = message.message();
        if !base.numbers().is_empty() {
            return Err(CampaignError::Unsupported(
                "a campaign's numbers are its recipient list: the message must name none",
            ));
        }
        if message.other_recipients() {
            return Err(CampaignError::Unsupported(
                "a campaign cannot send to an address book: its recipients are not known, so their outcomes cannot be recorded",
            ));
        }
        base.validate_content(now)?;
        self.gateway.check(message, now)?;
        let described = describe(self.gateway.vendor(), message);

        // First pass: every number checked, and the campaign's hash.
        let mut hasher = CampaignHasher::new(&described);
        for (index, number) in recipients
            .pass()
            .map_err(CampaignError::Recipients)?
            .enumerate()
        {
            let number = number.map_err(CampaignError::Recipients)?;
            let normalized =
                normalize_number(&number).ok_or(InvalidMessage::Number { index, number })?;
            hasher.recipient(&normalized);
        }
        if hasher.count() == 0 {
            return Err(InvalidMessage::NoRecipients.into());
        }
        let hash = hasher.finish();

        let (campaign, resumed) = match self
            .journal
            .open_campaign(&described, hash, self.policy)
            .await?
        {
            CampaignStart::Resumed(campaign) => (campaign, true),
            CampaignStart::Plan(mut planner) => {
                // Second pass: the requests, in the vendor's size.
                let size = self.gateway.recipients_per_request().max(1);
                let mut request = Vec::with_capacity(size);
                for number in recipients.pass().map_err(CampaignError::Recipients)? {
                    let number = number.map_err(CampaignError::Recipients)?;
                    // Checked in the first pass; a list that changed since fails the plan's
                    // own hash check.
                    request.push(normalize_number(&number).unwrap_or(number));
                    if request.len() == size {
                        planner.request(&request).await?;
                        request.clear();
                    }
                }
                if !request.is_empty() {
                    planner.request(&request).await?;
                }
                (planner.finish().await?, false)
            }
            _ => {
                return Err(CampaignError::Unsupported(
                    "the journal answered in a way this version does not know",
                ))
            }
        };
        self.run(message, campaign, resumed).await
    }

    async fn run<E: std::error::Error + 'static>(
        &mut self,
        message: &G::Message,
        campaign: Stored,
        resumed: bool,
    ) -> Result<CampaignReport<G::Code>, CampaignError<E>> {
        let settled = if self.settle_leases {
            campaign.expire_leases(None).await?
        } else {
            sms_journal::Expired::default()
        };
        let requeued = if self.resend_unknown {
            campaign.requeue_unknown().await?
        } else {
            0
        };
        // Running again is the user's decision to go on (the account fixed): if it is not,
        // the first answer stops the campaign again.
        let cleared_stop = campaign.info().stopped.clone();
        if cleared_stop.is_some() {
            campaign.clear_stop().await?;
        }

        let before = campaign.summary().await?;
        // The whole campaign's counts: answered and unknown in earlier runs included; "not
        // sent" counts this run's failures only.
        let start = Progress {
            done: count(answered(&before)),
            unknown: count(before.unknown),
            total: count(campaign.info().recipients),
            ..Progress::default()
        };
        let ledger = JournalLedger::new(&campaign, &self.worker, self.poll);
        let mut first_failure: Option<RequestFailure> = None;
        let ended = run_requests(
            self.gateway,
            message,
            &ledger,
            self.parallel,
            start,
            self.progress.as_deref_mut(),
            |index, result| {
                if let Err(error) = result {
                    let request = index as u64;
                    if first_failure.as_ref().is_none_or(|f| f.request > request) {
                        first_failure = Some(RequestFailure { request, error });
                    }
                }
            },
        )
        .await?;
        let summary = campaign.summary().await?;
        let unknown = campaign.unknown_requests().await?;
        Ok(CampaignReport {
            campaign: campaign.info().clone(),
            resumed,
            requeued,
            settled,
            cleared_stop,
            stop: ended.stop,
            first_failure,
            stopped_elsewhere: ended.stopped_elsewhere,
            summary,
            unknown,
        })
    }
}

/// The recipients of a summary whose request was answered.
fn answered(summary: &Summary) -> u64 {
    summary.accepted + summary.delivered + summary.rejected + summary.account_failure
}

fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The message as the journal records and hashes it: the vendor, the text, and every option
/// that changes what is sent (the kind, the schedule, the vendor's own), in a fixed order.
fn describe<M: VendorMessage>(vendor: &str, message: &M) -> sms_journal::Message {
    let base = message.message();
    let mut options = form_urlencoded::Serializer::new(String::new());
    let kind = match base.content() {
        Content::Flash(_) => "flash",
        _ => "text",
    };
    options.append_pair("kind", kind);
    match base.when() {
        Some(Schedule::After(minutes)) => {
            options.append_pair("delay_minutes", &minutes.to_string());
        }
        Some(Schedule::At(at)) => {
            options.append_pair("send_at", &at.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        _ => {}
    }
    for (name, value) in message.options() {
        options.append_pair(name, &value);
    }
    sms_journal::Message::new(vendor, base.content().text(), options.finish())
}

/// A worker name unique on a network of machines: `HOST:PID`.
pub fn default_worker() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}:{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Message;

    #[test]
    fn options_that_change_what_is_sent_change_the_description() {
        let text = describe("v", &Message::text("Hi", Vec::<String>::new()));
        let flash = describe("v", &Message::flash("Hi", Vec::<String>::new()));
        let delayed = describe(
            "v",
            &Message::text("Hi", Vec::<String>::new()).delay_minutes(5),
        );
        assert_eq!(text.options, "kind=text");
        assert_eq!(flash.options, "kind=flash");
        assert_eq!(delayed.options, "kind=text&delay_minutes=5");
        assert_eq!(text.text, "Hi");
    }

    #[test]
    fn the_default_worker_names_host_and_process() {
        let worker = default_worker();
        assert!(
            worker.ends_with(&format!(":{}", std::process::id())),
            "{worker}"
        );
    }
}
