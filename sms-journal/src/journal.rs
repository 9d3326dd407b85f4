//! The public handles: a [`Journal`] (a store), a [`Campaign`] in it, and the [`Planner`]
//! that records a new campaign's requests. Each call goes to the backend the journal was
//! opened on.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::hash::{CampaignHash, CampaignHasher};
use crate::model::{
    CampaignInfo, Claim, Expired, Message, Next, Outcomes, Receipt, ReceiptStored, RecipientStatus,
    Summary, UnknownRequest,
};
use crate::options::{CampaignPolicy, Location, OpenOptions};
use crate::plan::{Decision, PlanMessage, PlannedRequest};
use crate::sqlite::{Sqlite, SqlitePlan};
use crate::status::join_numbers;

#[cfg(feature = "postgres")]
use crate::postgres::{Postgres, PostgresPlan};

/// How many recipients a planner sends to the store at once: enough to keep statements
/// prepared and batches large, little enough to keep memory flat for any list.
const PLAN_BATCH_RECIPIENTS: usize = 16_384;

/// How many requests a page of [`StatusPages`] holds.
const STATUS_PAGE_REQUESTS: u64 = 32;

enum Backend {
    Sqlite(Sqlite),
    #[cfg(feature = "postgres")]
    Postgres(Postgres),
}

/// Calls the same method on whichever backend a journal has.
macro_rules! on_backend {
    ($backend:expr, $b:ident => $call:expr) => {
        match $backend {
            Backend::Sqlite($b) => $call,
            #[cfg(feature = "postgres")]
            Backend::Postgres($b) => $call,
        }
    };
}

/// A send journal: an SQLite file or a PostgreSQL database holding campaigns, their requests,
/// outcomes, and delivery receipts. Cheap to clone; clones share the store's connections.
#[derive(Clone)]
pub struct Journal {
    backend: Arc<Backend>,
}

impl Journal {
    /// Opens (creating it, and its schema, if needed) the journal at `location`: a
    /// `postgres://` URL, or else an SQLite file path.
    pub async fn open(location: &str, options: OpenOptions) -> Result<Self> {
        Self::open_at(Location::parse(location)?, options).await
    }

    /// Opens the journal at `location`.
    pub async fn open_at(location: Location, options: OpenOptions) -> Result<Self> {
        let backend = match location {
            Location::Sqlite(path) => Backend::Sqlite(Sqlite::open(path, options).await?),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Backend::Postgres(Postgres::open(&url, options).await?),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(url) => return Err(Error::Location {
                location: Location::Postgres(url).to_string(),
                reason:
                    "this build of sms-journal has no PostgreSQL support (its `postgres` feature)"
                        .to_owned(),
            }),
        };
        Ok(Self {
            backend: Arc::new(backend),
        })
    }

    /// Where the journal is, for messages (a URL's password left out).
    pub fn location(&self) -> &str {
        on_backend!(&*self.backend, b => b.location())
    }

    /// Opens the campaign of `message` to the recipients whose [`CampaignHasher`] gave
    /// `hash`: resumes the journal's campaign if it is that one, refuses another one
    /// ([`Error::CampaignMismatch`]) or starts a new one, as `policy` says.
    ///
    /// A new campaign comes as a [`Planner`], to which the caller gives the same recipients
    /// again, request by request. While it plans, the journal's other writes wait (SQLite),
    /// and other workers opening the same campaign wait for it, then resume it (PostgreSQL).
    pub async fn open_campaign(
        &self,
        message: &Message,
        hash: CampaignHash,
        policy: CampaignPolicy,
    ) -> Result<CampaignStart> {
        let (decision, sink) = match &*self.backend {
            Backend::Sqlite(b) => {
                let (decision, plan) = b.open_campaign(message.clone(), hash, policy).await?;
                (decision, plan.map(PlanSink::Sqlite))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(b) => {
                let (decision, plan) = b.open_campaign(message.clone(), hash, policy).await?;
                (decision, plan.map(PlanSink::Postgres))
            }
        };
        Ok(match (decision, sink) {
            (Decision::Resume(info), _) => CampaignStart::Resumed(self.campaign(info)),
            (Decision::Plan, Some(sink)) => CampaignStart::Plan(Planner {
                journal: self.clone(),
                sink: Some(sink),
                declared: hash,
                hasher: CampaignHasher::new(message),
                batch: Vec::new(),
                batch_recipients: 0,
                next_index: 0,
            }),
            (Decision::Plan, None) => return Err(Error::PlanAbandoned),
        })
    }

    /// The journal's current campaign (the latest planned), if any: for `status` and for
    /// workers that join a campaign without its list.
    pub async fn current_campaign(&self) -> Result<Option<Campaign>> {
        let info = on_backend!(&*self.backend, b => b.current_campaign().await)?;
        Ok(info.map(|info| self.campaign(info)))
    }

    /// Stores a delivery receipt, in one transaction, and returns once it is committed: the
    /// receiver may then answer the gateway 0. Storing the same receipt again changes nothing;
    /// a new report for the same message is kept in its history and becomes the message's
    /// latest when it is not older. An error means nothing was stored: answer -1, so that the
    /// gateway posts it again.
    ///
    /// A receipt is stored whether or not the journal knows its message: it may arrive before
    /// the answer that names the message is recorded, and `status` joins them when read.
    pub async fn store_receipt(&self, receipt: &Receipt) -> Result<ReceiptStored> {
        let receipt = receipt.clone();
        on_backend!(&*self.backend, b => b.store_receipt(receipt).await)
    }

    fn campaign(&self, info: CampaignInfo) -> Campaign {
        Campaign {
            journal: self.clone(),
            info,
        }
    }
}

/// What [`Journal::open_campaign`] found.
#[non_exhaustive]
// One per campaign opened: the planner's size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum CampaignStart {
    /// The journal's campaign is the one given: its requests are as recorded.
    Resumed(Campaign),
    /// A new campaign, to plan.
    Plan(Planner),
}

// One per campaign planned: the PostgreSQL plan's size does not matter.
#[allow(clippy::large_enum_variant)]
enum PlanSink {
    Sqlite(SqlitePlan),
    #[cfg(feature = "postgres")]
    Postgres(PostgresPlan),
}

impl PlanSink {
    async fn send(&mut self, message: PlanMessage) -> Result<()> {
        match self {
            Self::Sqlite(plan) => plan.send(message).await,
            #[cfg(feature = "postgres")]
            Self::Postgres(plan) => plan.send(message).await,
        }
    }

    async fn finish(self) -> Result<CampaignInfo> {
        match self {
            Self::Sqlite(plan) => plan.finish().await,
            #[cfg(feature = "postgres")]
            Self::Postgres(plan) => plan.finish().await,
        }
    }
}

/// Records a new campaign's requests: the caller gives the recipients again, in the order
/// they were hashed, request by request, in the sizes it chooses. Nothing is kept until
/// [`finish`](Self::finish) commits the whole plan; a planner dropped before is rolled back.
pub struct Planner {
    journal: Journal,
    sink: Option<PlanSink>,
    declared: CampaignHash,
    hasher: CampaignHasher,
    batch: Vec<PlannedRequest>,
    batch_recipients: usize,
    next_index: u64,
}

impl Planner {
    /// Adds the next request, of these recipients in this order.
    pub async fn request<S: AsRef<str>>(&mut self, recipients: &[S]) -> Result<()> {
        if recipients.is_empty() {
            return Err(Error::EmptyRequest {
                index: self.next_index,
            });
        }
        let first_position = self.hasher.count();
        for recipient in recipients {
            let recipient = recipient.as_ref();
            if recipient.is_empty() || recipient.contains('\n') {
                return Err(Error::InvalidRecipient {
                    position: self.hasher.count(),
                    recipient: recipient.to_owned(),
                });
            }
            self.hasher.recipient(recipient);
        }
        self.batch.push(PlannedRequest {
            index: self.next_index,
            first_position,
            size: recipients.len() as u64,
            numbers: join_numbers(recipients),
        });
        self.next_index += 1;
        self.batch_recipients += recipients.len();
        if self.batch_recipients >= PLAN_BATCH_RECIPIENTS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_recipients = 0;
        self.sink()?.send(PlanMessage::Requests(batch)).await
    }

    fn sink(&mut self) -> Result<&mut PlanSink> {
        self.sink.as_mut().ok_or(Error::PlanAbandoned)
    }

    /// Commits the plan, once the recipients given hash to the campaign's hash (else nothing
    /// is kept: [`Error::PlanMismatch`]), and returns the campaign.
    pub async fn finish(mut self) -> Result<Campaign> {
        let planned = self.hasher.clone().finish();
        if planned != self.declared {
            return Err(Error::PlanMismatch {
                declared: Box::new(self.declared),
                planned: Box::new(planned),
            });
        }
        self.flush().await?;
        let finish = PlanMessage::Finish {
            recipients: self.hasher.count(),
            requests: self.next_index,
        };
        self.sink()?.send(finish).await?;
        let info = self
            .sink
            .take()
            .ok_or(Error::PlanAbandoned)?
            .finish()
            .await?;
        Ok(self.journal.campaign(info))
    }
}

/// A campaign in a journal: hands out its requests and records their lifecycle. Cheap to
/// clone; every call is durable (committed) when it returns.
#[derive(Clone)]
pub struct Campaign {
    journal: Journal,
    info: CampaignInfo,
}

impl Campaign {
    /// The campaign as it was when opened (its `stopped` is not kept up to date: see
    /// [`Next::Stopped`]).
    pub fn info(&self) -> &CampaignInfo {
        &self.info
    }

    fn backend(&self) -> &Backend {
        &self.journal.backend
    }

    /// Claims the next planned request for `worker`, with a lease of the journal's
    /// [`lease`](OpenOptions::lease). Leases that have expired are ended first: claimed
    /// requests go back to planned, requests being written become unknown.
    pub async fn claim_next(&self, worker: &str) -> Result<Next> {
        let worker = worker.to_owned();
        let id = self.info.id;
        on_backend!(self.backend(), b => b.claim_next(id, worker).await)
    }

    /// Records that `claim`'s request is about to be written, and renews its lease: await it,
    /// then send. [`Error::NotHeld`] means the claim was lost (its lease expired): do not
    /// send.
    pub async fn start_writing(&self, claim: &Claim) -> Result<()> {
        on_backend!(self.backend(), b => b.start_writing(claim).await)
    }

    /// Renews the lease of a request claimed or being written, for requests that take long.
    pub async fn renew(&self, claim: &Claim) -> Result<()> {
        on_backend!(self.backend(), b => b.renew(claim).await)
    }

    /// Records the gateway's answer: one outcome per recipient, in the request's order. Also
    /// accepted for a request that became unknown when its lease expired, as long as it was
    /// not planned again since.
    pub async fn answered(&self, claim: &Claim, outcomes: Outcomes) -> Result<()> {
        outcomes
            .check_against(claim)
            .map_err(|reason| Error::OutcomesMismatch {
                request: claim.index,
                reason,
            })?;
        let id = self.info.id;
        on_backend!(self.backend(), b => b.answered(id, claim, outcomes).await)
    }

    /// Records that the request being written may have reached the gateway, with no answer
    /// (a timeout, a connection lost after the first byte): it is never handed out again
    /// unless [`requeue_unknown`](Self::requeue_unknown) is called.
    pub async fn unknown(&self, claim: &Claim, reason: &str) -> Result<()> {
        on_backend!(self.backend(), b => b.unknown(claim, reason.to_owned()).await)
    }

    /// Records that nothing of the request was sent (the gateway was unreachable, or the
    /// worker gave it up before writing): it is planned again.
    pub async fn not_sent(&self, claim: &Claim, reason: &str) -> Result<()> {
        on_backend!(self.backend(), b => b.not_sent(claim, reason.to_owned()).await)
    }

    /// Stops the campaign (an account failure): no request is claimed any more, by any
    /// worker; requests in flight still record their outcomes. The first reason is kept.
    pub async fn stop(&self, reason: &str) -> Result<()> {
        let id = self.info.id;
        on_backend!(self.backend(), b => b.stop(id, Some(reason.to_owned())).await)
    }

    /// Lets a stopped campaign be claimed from again (the account was fixed).
    pub async fn clear_stop(&self) -> Result<()> {
        let id = self.info.id;
        on_backend!(self.backend(), b => b.stop(id, None).await)
    }

    /// Plans every unknown request again, so that it is sent again: the caller's explicit
    /// choice, since each may have reached the gateway. Returns how many.
    pub async fn requeue_unknown(&self) -> Result<u64> {
        let id = self.info.id;
        on_backend!(self.backend(), b => b.requeue_unknown(id).await)
    }

    /// Ends every lease now, of `worker` only if given, as if they had expired: claimed
    /// requests are planned again, requests being written become unknown. For a worker known
    /// to be dead, such as the previous run of a single SQLite sender. Safe even if it is
    /// not: a worker whose claim was ended cannot start writing it, and one that was writing
    /// can still record its answer.
    pub async fn expire_leases(&self, worker: Option<&str>) -> Result<Expired> {
        let id = self.info.id;
        let worker = worker.map(str::to_owned);
        on_backend!(self.backend(), b => b.expire_leases(id, worker).await)
    }

    /// How many recipients stand where. Reads the requests' counts (one row per request) and
    /// the receipts of the campaign's messages, not every recipient.
    pub async fn summary(&self) -> Result<Summary> {
        let id = self.info.id;
        on_backend!(self.backend(), b => b.summary(id).await)
    }

    /// Every recipient's status, in list order, page by page.
    pub fn status(&self) -> StatusPages {
        StatusPages {
            campaign: self.clone(),
            next_request: 0,
            done: false,
        }
    }

    /// The requests whose outcome is unknown, with their reasons.
    pub async fn unknown_requests(&self) -> Result<Vec<UnknownRequest>> {
        let id = self.info.id;
        on_backend!(self.backend(), b => b.unknown_requests(id).await)
    }
}

/// A campaign's recipients' statuses, read a page (a few thousand recipients) at a time, each
/// page in a read transaction of its own.
pub struct StatusPages {
    campaign: Campaign,
    next_request: u64,
    done: bool,
}

impl StatusPages {
    /// The next page, or `None` after the last recipient.
    pub async fn next_page(&mut self) -> Result<Option<Vec<RecipientStatus>>> {
        if self.done {
            return Ok(None);
        }
        let (id, from) = (self.campaign.info.id, self.next_request);
        let page = on_backend!(
            self.campaign.backend(),
            b => b.status_page(id, from, STATUS_PAGE_REQUESTS).await
        )?;
        match page.last() {
            Some(last) => {
                self.next_request = last.request + 1;
                Ok(Some(page))
            }
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }
}
