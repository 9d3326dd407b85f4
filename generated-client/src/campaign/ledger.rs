//! The journal as the shared send's ledger: requests handed out by claims, `writing`
//! committed before a request's first byte leaves, outcomes recorded as they come.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sms_journal::{Campaign as Stored, Claim, Next, Outcome, OutcomeClass, Outcomes};

use crate::core::send::{Claimed, Ledger};
use crate::core::{ReportClass, Request, RequestError, SendReport, VendorCode};

/// A campaign's requests, claimed from its journal by one worker.
pub(crate) struct JournalLedger<'c> {
    pub(crate) campaign: &'c Stored,
    pub(crate) worker: &'c str,
    /// How long to wait before asking again, when the requests left are held by other
    /// workers (they may have died: their leases then end, and the requests come back).
    pub(crate) poll: Duration,
    /// Requests this worker holds now.
    pub(crate) held: AtomicU64,
}

impl<'c> JournalLedger<'c> {
    pub(crate) fn new(campaign: &'c Stored, worker: &'c str, poll: Duration) -> Self {
        Self {
            campaign,
            worker,
            poll,
            held: AtomicU64::new(0),
        }
    }

    fn release(&self) {
        self.held.fetch_sub(1, Ordering::Relaxed);
    }

    /// Records an answer: one outcome per recipient of the claim, with the vendor's code as
    /// text and its class. An answer that does not name the claim's recipients in order
    /// cannot be recorded as theirs: the request reached the gateway, so it is unknown. An
    /// answer that refuses every recipient for the account sent nothing: the request is not
    /// sent (planned again). Either account failure stops the campaign.
    async fn answered<C: VendorCode>(
        &self,
        claim: &Claim,
        report: &SendReport<C>,
    ) -> Result<(), sms_journal::Error> {
        let recipients = claim.recipients();
        let matches = report.len() == recipients.len()
            && report
                .iter()
                .zip(recipients)
                .all(|(outcome, number)| outcome.recipient == Some(number.as_str()));
        if !matches {
            let reason = format!(
                "the gateway answered {} outcome(s) that do not match the request's {} recipient(s)",
                report.len(),
                recipients.len()
            );
            return self.campaign.unknown(claim, &reason).await;
        }
        if report
            .iter()
            .all(|outcome| outcome.class == ReportClass::AccountFailure)
        {
            // Refused whole for the account (a wrong login, no credit): nothing of it went
            // out, so it stays planned, to be sent by a rerun once the account is fixed.
            let code = report
                .get(0)
                .map(|o| o.report.to_string())
                .unwrap_or_default();
            let reason = format!("the gateway answered {code} for the account");
            self.campaign.not_sent(claim, &reason).await?;
            return self.campaign.stop(&reason).await;
        }
        let mut outcomes = Outcomes::with_capacity(recipients.len());
        let mut account_failure = None;
        for (outcome, number) in report.iter().zip(recipients) {
            let code = outcome.report.wire();
            if outcome.class == ReportClass::AccountFailure && account_failure.is_none() {
                account_failure = Some(outcome.report.to_string());
            }
            outcomes.push(Outcome::new(
                number,
                outcome.message_id,
                &code,
                outcome_class(outcome.class),
                outcome.text,
            ));
        }
        self.campaign.answered(claim, outcomes).await?;
        if let Some(code) = account_failure {
            // Committed before any worker claims again: every worker stops.
            let reason = format!("the gateway answered {code} for the account");
            self.campaign.stop(&reason).await?;
        }
        Ok(())
    }
}

/// A vendor's class as the journal records it.
pub(crate) fn outcome_class(class: ReportClass) -> OutcomeClass {
    match class {
        ReportClass::Accepted => OutcomeClass::Accepted,
        ReportClass::Delivered => OutcomeClass::Delivered,
        ReportClass::Rejected => OutcomeClass::Rejected,
        ReportClass::AccountFailure => OutcomeClass::AccountFailure,
    }
}

impl<C: VendorCode> Ledger<C> for JournalLedger<'_> {
    type Ticket = Claim;
    type Error = sms_journal::Error;

    async fn claim(&self) -> Result<Claimed<Claim>, sms_journal::Error> {
        loop {
            match self.campaign.claim_next(self.worker).await? {
                Next::Request(claim) => {
                    self.held.fetch_add(1, Ordering::Relaxed);
                    return Ok(Claimed::Request(claim));
                }
                Next::Stopped { reason } => return Ok(Claimed::Stopped(reason)),
                // Requests held by other workers: if one died, its claims come back when
                // their leases end (and its writes become unknown); wait for that.
                Next::Drained { in_flight } if in_flight > self.held.load(Ordering::Relaxed) => {
                    tokio::time::sleep(self.poll).await;
                }
                _ => return Ok(Claimed::Drained),
            }
        }
    }

    fn request<'t>(&'t self, claim: &'t Claim) -> Request<'t> {
        Request::new(claim.index() as usize, claim.recipients())
    }

    fn index(&self, claim: &Claim) -> usize {
        claim.index() as usize
    }

    async fn writing(&self, claim: &Claim) -> Result<bool, sms_journal::Error> {
        match self.campaign.start_writing(claim).await {
            Ok(()) => Ok(true),
            // The lease ran out before the request was written: it is another's now.
            Err(sms_journal::Error::NotHeld { .. }) => {
                self.release();
                Ok(false)
            }
            Err(error) => {
                self.release();
                Err(error)
            }
        }
    }

    async fn record(
        &self,
        claim: &Claim,
        result: &Result<SendReport<C>, RequestError>,
    ) -> Result<(), sms_journal::Error> {
        let recorded = match result {
            Ok(report) => self.answered(claim, report).await,
            Err(error) if error.may_have_been_received() => {
                self.campaign.unknown(claim, &error.to_string()).await
            }
            Err(error) => self.campaign.not_sent(claim, &error.to_string()).await,
        };
        self.release();
        recorded
    }
}
