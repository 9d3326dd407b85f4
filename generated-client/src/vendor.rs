//! What a vendor layer plugs into: the parts every SMS vendor's client shares.
//!
//! A vendor layer builds its requests with the bindings generated from the vendor's WSDL,
//! sends them with the generated clients over a
//! [`SoapClient`](soap_runtime::client::SoapClient) (failover that never sends a request
//! twice), and reads each answer into a [`SendReport`] of its own typed codes. What it
//! provides, and nothing more:
//!
//! * a [`VendorCode`]: the vendor's per-recipient codes, each mapped to a shared
//!   [`ReportClass`];
//! * its send loop, driven by a [`Batch`], which splits the numbers into requests and keeps
//!   the bookkeeping of [`SendError`]: which recipients were answered, which are in doubt,
//!   which were never sent, and when an account failure stops the later requests;
//! * an implementation of [`SmsGateway`], which is all that `sendsms` needs to send through
//!   it and print the outcomes.
//!
//! [`Client`](crate::Client) (Connection Software) and
//! [`clickatell::Client`](crate::clickatell::Client) are the two vendor layers; the README's
//! "Adding a SOAP SMS vendor" says how to write a third.

use std::fmt;
use std::future::Future;

use soap_runtime::client::CallError;
use soap_runtime::NoFault;

use crate::client::{Credit, Message, QueryError, SendError};
use crate::outcome::{ResponseMismatch, SendReport};
use crate::report::ReportClass;

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
        matches!(self.class(), ReportClass::Accepted | ReportClass::Delivered)
    }
}

/// A vendor's client as `sendsms` uses it: send a message, read the credit.
pub trait SmsGateway {
    /// The vendor's per-recipient codes.
    type Code: VendorCode;

    /// The vendor's name, for messages.
    const VENDOR: &'static str;

    /// The most numbers one request carries; a send to more takes several requests.
    const RECIPIENTS_PER_REQUEST: usize;

    /// The endpoints, in order of preference.
    fn endpoints(&self) -> &[String];

    /// Sends a message, calling `progress(recipients done, recipients in all)` after each
    /// request, under the rules of [`soap_runtime::client`]: nothing is ever sent
    /// twice because of the client, and nothing is lost silently.
    fn send_with_progress(
        &self,
        message: &Message,
        progress: impl FnMut(usize, usize) + Send,
    ) -> impl Future<Output = Result<SendReport<Self::Code>, SendError<Self::Code>>> + Send;

    /// The credit on the account.
    fn credit(&self) -> impl Future<Output = Result<Credit, QueryError>> + Send;
}

/// The bookkeeping of a send in several requests, for a vendor layer's send loop.
///
/// ```text
/// let mut batch = Batch::new(&numbers, PER_REQUEST, progress);
/// while let Some(numbers) = batch.next_request() {
///     let answer = match client.send(&request(numbers)).await {
///         Ok(answer) => answer,
///         Err(error) => return Err(batch.request_failed(error)),
///     };
///     batch.answered(|report| push_answers(report, numbers, &answer))?;
/// }
/// Ok(batch.finish())
/// ```
///
/// Requests go one after another: if one fails, the later ones are not sent, and the error
/// says which recipients were answered (`completed`), which were in the failed request
/// (`affected`) and which were never sent (`not_sent`). If an answer reports an account
/// failure (login, credit) and requests remain, they are not sent either: they would fail the
/// same way.
pub struct Batch<'a, C, P> {
    numbers: &'a [String],
    requests: Vec<&'a [String]>,
    /// How many requests [`Batch::next_request`] has handed out.
    started: usize,
    report: SendReport<C>,
    progress: P,
}

impl<'a, C: VendorCode, P: FnMut(usize, usize)> Batch<'a, C, P> {
    /// A send of `numbers`, at most `per_request` in each request. No numbers at all make one
    /// request without numbers (Connection Software's send to an address book only).
    pub fn new(numbers: &'a [String], per_request: usize, progress: P) -> Self {
        let mut requests: Vec<&[String]> = numbers.chunks(per_request.max(1)).collect();
        if requests.is_empty() {
            requests.push(&[]);
        }
        Self {
            numbers,
            requests,
            started: 0,
            report: SendReport::default(),
            progress,
        }
    }

    /// The numbers of the next request, or `None` when every request has been made.
    pub fn next_request(&mut self) -> Option<&'a [String]> {
        let numbers = self.requests.get(self.started).copied();
        if numbers.is_some() {
            self.started += 1;
        }
        numbers
    }

    /// The position of the current request (the last one handed out), from 0.
    pub fn index(&self) -> usize {
        self.started.saturating_sub(1)
    }

    /// The current request failed: the error, with what was done and what was not.
    pub fn request_failed(mut self, error: CallError<NoFault>) -> SendError<C> {
        SendError::Request {
            error,
            completed: std::mem::take(&mut self.report),
            affected: self.current().to_vec(),
            not_sent: self.later(),
        }
    }

    /// The current request was never sent because the vendor's session could not be set up
    /// (its login call failed with `error`): it and the later ones are not sent.
    pub fn no_session(mut self, error: QueryError) -> SendError<C> {
        let mut not_sent = self.current().to_vec();
        not_sent.extend(self.later());
        SendError::NoSession {
            error,
            completed: std::mem::take(&mut self.report),
            not_sent,
        }
    }

    /// The current request was answered: `push` adds the answers to the report (or says why
    /// they do not match the request, which adds nothing). Then `progress` is told, and an
    /// account failure stops the send if requests remain.
    ///
    /// On an error the batch is spent: return the error.
    // The error is what the send returns, at most once per send: boxing it would only add an
    // allocation and a type the vendor layers then have to unbox.
    #[allow(clippy::result_large_err)]
    pub fn answered(
        &mut self,
        push: impl FnOnce(&mut SendReport<C>) -> Result<(), ResponseMismatch>,
    ) -> Result<(), SendError<C>> {
        let before = self.report.len();
        if let Err(error) = push(&mut self.report) {
            return Err(SendError::Mismatch {
                error,
                completed: std::mem::take(&mut self.report),
                affected: self.current().to_vec(),
                not_sent: self.later(),
            });
        }
        (self.progress)(self.report.len(), self.numbers.len());
        let failure = self
            .report
            .iter()
            .skip(before)
            .find(|o| o.class == ReportClass::AccountFailure)
            .map(|o| o.report);
        match failure {
            Some(code) if self.started < self.requests.len() => Err(SendError::AccountFailure {
                code,
                completed: std::mem::take(&mut self.report),
                not_sent: self.later(),
            }),
            _ => Ok(()),
        }
    }

    /// The outcomes of every request.
    pub fn finish(self) -> SendReport<C> {
        self.report
    }

    fn current(&self) -> &'a [String] {
        match self.started {
            0 => &[],
            n => self.requests[n - 1],
        }
    }

    fn later(&self) -> Vec<String> {
        self.requests[self.started..]
            .iter()
            .flat_map(|numbers| numbers.iter().cloned())
            .collect()
    }
}
