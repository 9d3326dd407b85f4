//! The shared send: a message validated, its numbers split into the vendor's requests, the
//! requests run one at a time or several at once, and the bookkeeping kept, whatever the
//! vendor.
//!
//! The rules, the same for every vendor:
//! * nothing is sent before the whole message is valid;
//! * each request is sent once (the vendor's client fails over only while nothing can have
//!   reached a server);
//! * once a request fails, no new request starts; those in flight finish, and their answers
//!   are kept;
//! * once an answer reports an account failure (invalid login, out of credit), no new request
//!   starts either: the rest would fail the same way;
//! * the result says, for every number, whether it was answered (and how), whether its
//!   request may have reached the gateway without an answer, or whether it was never sent.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::code::{ReportClass, VendorCode};
use super::error::{FailedRequest, Incomplete, RequestError, SendError, Stop};
use super::gateway::{Request, SmsGateway, VendorMessage};
use super::outcome::SendReport;

/// Where a send stands, after each request: counts of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// Numbers whose request was answered.
    pub done: usize,
    /// Numbers in requests being sent.
    pub in_flight: usize,
    /// Numbers in requests that may have reached the gateway without an answer.
    pub unknown: usize,
    /// Numbers in requests that failed before they could reach the gateway (it was
    /// unreachable): they were not sent.
    pub not_sent: usize,
    /// Every number of the message.
    pub total: usize,
}

/// A send being set up: how many requests at once, and who is told of progress.
pub struct Sending<'g, G: SmsGateway> {
    gateway: &'g G,
    parallel: usize,
    progress: Option<Box<dyn FnMut(Progress) + Send + 'g>>,
}

impl<G: SmsGateway> std::fmt::Debug for Sending<'_, G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sending")
            .field("vendor", &self.gateway.vendor())
            .field("parallel", &self.parallel)
            .finish_non_exhaustive()
    }
}

impl<'g, G: SmsGateway> Sending<'g, G> {
    /// A send through `gateway`, one request at a time.
    pub fn new(gateway: &'g G) -> Self {
        Self {
            gateway,
            parallel: 1,
            progress: None,
        }
    }

    /// At most `requests` in flight at once (at least 1). One at a time is the default: the
    /// requests then go out in order, and a failure leaves at most one in doubt.
    pub fn parallel(mut self, requests: usize) -> Self {
        self.parallel = requests.max(1);
        self
    }

    /// Calls `progress` after each request ends (for a progress bar on bulk sends).
    pub fn on_progress(mut self, progress: impl FnMut(Progress) + Send + 'g) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Sends `message`; see [the module](self) for the rules.
    pub async fn send(
        mut self,
        message: &G::Message,
    ) -> Result<SendReport<G::Code>, SendError<G::Code>> {
        let now = Utc::now();
        let numbers = message
            .message()
            .validate(now, message.other_recipients())?;
        self.gateway.check(message, now)?;
        let per_request = self.gateway.recipients_per_request().max(1);
        let mut requests: Vec<&[String]> = numbers.chunks(per_request).collect();
        if requests.is_empty() {
            // A message to other recipients alone (an address book): one request, no numbers.
            requests.push(&[]);
        }

        let ledger = InMemory {
            requests: &requests,
            next: AtomicUsize::new(0),
        };
        // Answers are joined in the order of the requests as soon as the ones before have
        // ended, so that a large send holds its outcomes once, not once per request and
        // again joined. `None`: the request failed.
        let mut completed = SendReport::default();
        // One outcome per number, each with the number itself and an identifier of about 8
        // bytes; the gateway's texts grow it past that.
        completed.reserve(numbers.iter().map(|n| n.len() + 8).sum(), numbers.len());
        let mut ended_out_of_order: BTreeMap<usize, Option<SendReport<G::Code>>> = BTreeMap::new();
        let mut next_to_join = 0;
        let mut failed: Vec<FailedRequest> = Vec::new();
        let start = Progress {
            total: numbers.len(),
            ..Progress::default()
        };
        let ended = run_requests(
            self.gateway,
            message,
            &ledger,
            self.parallel,
            start,
            self.progress.as_deref_mut(),
            |index, result| {
                let report = match result {
                    Ok(report) => Some(report),
                    Err(error) => {
                        failed.push(FailedRequest {
                            index,
                            recipients: requests[index].to_vec(),
                            error,
                        });
                        None
                    }
                };
                ended_out_of_order.insert(index, report);
                while let Some(report) = ended_out_of_order.remove(&next_to_join) {
                    if let Some(report) = report {
                        completed.append(report);
                    }
                    next_to_join += 1;
                }
            },
        )
        .await;
        let Ok(ended) = ended;

        let next = ledger.next.load(Ordering::Relaxed).min(requests.len());
        // An account failure in the last requests' answers stopped nothing: every request
        // was sent, and the report says which recipients it refused.
        let stop = ended.stop.filter(|stop| match stop {
            Stop::AccountFailure(_) => next < requests.len(),
            Stop::Failed => true,
        });
        match stop {
            None => Ok(completed),
            Some(stop) => {
                failed.sort_by_key(|f| f.index);
                Err(SendError::Incomplete(Box::new(Incomplete {
                    stop,
                    completed,
                    failed,
                    not_sent: requests[next..].concat(),
                })))
            }
        }
    }
}

/// The plain send's requests: the message's numbers in the vendor's size, handed out in
/// order; nothing is recorded anywhere but in the send's own report.
struct InMemory<'r> {
    requests: &'r [&'r [String]],
    next: AtomicUsize,
}

impl<C: VendorCode> Ledger<C> for InMemory<'_> {
    type Ticket = usize;
    type Error = Infallible;

    async fn claim(&self) -> Result<Claimed<usize>, Infallible> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        Ok(if index < self.requests.len() {
            Claimed::Request(index)
        } else {
            Claimed::Drained
        })
    }

    fn request<'t>(&'t self, ticket: &'t usize) -> Request<'t> {
        Request::new(*ticket, self.requests[*ticket])
    }

    fn index(&self, ticket: &usize) -> usize {
        *ticket
    }

    async fn writing(&self, _ticket: &usize) -> Result<bool, Infallible> {
        Ok(true)
    }

    async fn record(
        &self,
        _ticket: &usize,
        _result: &Result<SendReport<C>, RequestError>,
    ) -> Result<(), Infallible> {
        Ok(())
    }
}

/// What [`Ledger::claim`] hands out.
pub(crate) enum Claimed<T> {
    /// A request to send, held by the caller.
    Request(T),
    /// No request is left to start.
    Drained,
    /// The send was stopped elsewhere (another worker met an account failure): no request
    /// is handed out. Only a journal's campaigns have other workers.
    #[cfg_attr(not(feature = "journal"), allow(dead_code))]
    Stopped(String),
}

/// Where a send's requests come from and where their outcomes are recorded: the plain send
/// keeps them in memory, a journaled campaign in its journal. Every method runs inside the
/// request's own future, so that requests in flight do not wait for each other's records.
pub(crate) trait Ledger<C: VendorCode>: Sync {
    /// What identifies a request handed out.
    type Ticket: Send;
    /// Why the ledger could not hand out a request or record its outcome.
    type Error: Send;

    /// The next request to send.
    fn claim(&self) -> impl Future<Output = Result<Claimed<Self::Ticket>, Self::Error>> + Send;

    /// The request a ticket stands for.
    fn request<'t>(&'t self, ticket: &'t Self::Ticket) -> Request<'t>;

    /// Its index among the send's requests.
    fn index(&self, ticket: &Self::Ticket) -> usize;

    /// Called before the request's first byte is written: durable when it returns. `false`
    /// when the request is no longer the caller's to send (its claim was lost): it is not
    /// sent.
    fn writing(
        &self,
        ticket: &Self::Ticket,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// Records what became of the request.
    fn record(
        &self,
        ticket: &Self::Ticket,
        result: &Result<SendReport<C>, RequestError>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// How a run of requests ended.
pub(crate) struct Ended<C> {
    /// What stopped it early, if anything did.
    pub stop: Option<Stop<C>>,
    /// Why the campaign was stopped by another worker, if it was.
    #[cfg_attr(not(feature = "journal"), allow(dead_code))]
    pub stopped_elsewhere: Option<String>,
}

/// One request through `ledger`: claimed, marked as being written, sent, recorded. The one
/// path every send's requests take.
async fn one_request<G: SmsGateway, L: Ledger<G::Code>>(
    gateway: &G,
    message: &G::Message,
    ledger: &L,
    in_flight: &AtomicUsize,
) -> Result<Slot<G::Code>, L::Error> {
    let ticket = match ledger.claim().await? {
        Claimed::Request(ticket) => ticket,
        Claimed::Drained => return Ok(Slot::Drained),
        Claimed::Stopped(reason) => return Ok(Slot::Stopped(reason)),
    };
    let size = ledger.request(&ticket).numbers.len();
    if !ledger.writing(&ticket).await? {
        return Ok(Slot::Lost);
    }
    in_flight.fetch_add(size, Ordering::Relaxed);
    let result = gateway.send_request(message, ledger.request(&ticket)).await;
    in_flight.fetch_sub(size, Ordering::Relaxed);
    ledger.record(&ticket, &result).await?;
    Ok(Slot::Ended {
        index: ledger.index(&ticket),
        size,
        result,
    })
}

/// What one slot of the send did.
enum Slot<C> {
    /// A request was sent and its outcome recorded.
    Ended {
        index: usize,
        size: usize,
        result: Result<SendReport<C>, RequestError>,
    },
    /// No request was left.
    Drained,
    /// The send was stopped elsewhere.
    Stopped(String),
    /// The request claimed was lost before it was written: nothing was sent.
    Lost,
}

/// Runs requests from `ledger` through `gateway`, up to `parallel` at once, with the stop
/// rules of [the module](self): once a request fails, or an answer reports an account
/// failure, no new request starts, and those in flight finish. `ended` gets each request's
/// index and result as it ends; `progress` is told after each.
///
/// A ledger error (its store failed) also starts no new request; the first is returned once
/// the requests in flight have finished.
pub(crate) async fn run_requests<G: SmsGateway, L: Ledger<G::Code>>(
    gateway: &G,
    message: &G::Message,
    ledger: &L,
    parallel: usize,
    mut progress: Progress,
    mut report: Option<&mut (dyn FnMut(Progress) + Send + '_)>,
    mut ended: impl FnMut(usize, Result<SendReport<G::Code>, RequestError>),
) -> Result<Ended<G::Code>, L::Error> {
    let in_flight_numbers = AtomicUsize::new(0);
    let mut stop: Option<Stop<G::Code>> = None;
    let mut stopped_elsewhere = None;
    let mut error = None;
    let mut drained = false;
    let mut slots = FuturesUnordered::new();
    loop {
        while stop.is_none()
            && stopped_elsewhere.is_none()
            && error.is_none()
            && !drained
            && slots.len() < parallel.max(1)
        {
            slots.push(one_request(gateway, message, ledger, &in_flight_numbers));
        }
        let Some(slot) = slots.next().await else {
            break;
        };
        match slot {
            Err(e) => {
                error.get_or_insert(e);
            }
            Ok(Slot::Drained) => drained = true,
            Ok(Slot::Stopped(reason)) => {
                stopped_elsewhere.get_or_insert(reason);
            }
            Ok(Slot::Lost) => {}
            Ok(Slot::Ended {
                index,
                size,
                result,
            }) => {
                match &result {
                    Ok(answer) => {
                        progress.done += size;
                        if let Some(code) = answer
                            .iter()
                            .find(|o| o.class == ReportClass::AccountFailure)
                            .map(|o| o.report)
                        {
                            stop.get_or_insert(Stop::AccountFailure(code));
                        }
                    }
                    Err(failure) => {
                        if failure.may_have_been_received() {
                            progress.unknown += size;
                        } else {
                            progress.not_sent += size;
                        }
                        stop.get_or_insert(Stop::Failed);
                    }
                }
                ended(index, result);
                progress.in_flight = in_flight_numbers.load(Ordering::Relaxed);
                if let Some(report) = report.as_mut() {
                    report(progress);
                }
            }
        }
    }
    match error {
        Some(error) => Err(error),
        None => Ok(Ended {
            stop,
            stopped_elsewhere,
        }),
    }
}

/// Sends `message` through `gateway`, one request at a time: [`Sending`] with its defaults.
pub async fn send<G: SmsGateway>(
    gateway: &G,
    message: &G::Message,
) -> Result<SendReport<G::Code>, SendError<G::Code>> {
    Sending::new(gateway).send(message).await
}
