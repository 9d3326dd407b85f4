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

use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::code::ReportClass;
use super::error::{FailedRequest, Incomplete, SendError, Stop};
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
        message.check(now)?;
        let per_request = self.gateway.recipients_per_request().max(1);
        let mut requests: Vec<&[String]> = numbers.chunks(per_request).collect();
        if requests.is_empty() {
            // A message to other recipients alone (an address book): one request, no numbers.
            requests.push(&[]);
        }

        let mut answered: Vec<Option<SendReport<G::Code>>> = Vec::new();
        answered.resize_with(requests.len(), || None);
        let mut failed: Vec<FailedRequest> = Vec::new();
        let mut stop: Option<Stop<G::Code>> = None;
        let mut progress = Progress {
            total: numbers.len(),
            ..Progress::default()
        };
        let mut next = 0;
        let mut in_flight = FuturesUnordered::new();
        loop {
            while stop.is_none() && next < requests.len() && in_flight.len() < self.parallel {
                let (index, numbers) = (next, requests[next]);
                next += 1;
                progress.in_flight += numbers.len();
                let gateway = self.gateway;
                in_flight.push(async move {
                    let result = gateway
                        .send_request(message, Request::new(index, numbers))
                        .await;
                    (index, result)
                });
            }
            let Some((index, result)) = in_flight.next().await else {
                break;
            };
            let size = requests[index].len();
            progress.in_flight -= size;
            match result {
                Ok(report) => {
                    progress.done += size;
                    let failure = report
                        .iter()
                        .find(|o| o.class == ReportClass::AccountFailure)
                        .map(|o| o.report);
                    if let Some(code) = failure.filter(|_| next < requests.len()) {
                        stop.get_or_insert(Stop::AccountFailure(code));
                    }
                    answered[index] = Some(report);
                }
                Err(error) => {
                    if error.may_have_been_received() {
                        progress.unknown += size;
                    }
                    stop.get_or_insert(Stop::Failed);
                    failed.push(FailedRequest {
                        index,
                        recipients: requests[index].to_vec(),
                        error,
                    });
                }
            }
            if let Some(report) = self.progress.as_mut() {
                report(progress);
            }
        }

        let mut completed = SendReport::default();
        for report in answered.into_iter().flatten() {
            completed.append(report);
        }
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

/// Sends `message` through `gateway`, one request at a time: [`Sending`] with its defaults.
pub async fn send<G: SmsGateway>(
    gateway: &G,
    message: &G::Message,
) -> Result<SendReport<G::Code>, SendError<G::Code>> {
    Sending::new(gateway).send(message).await
}
