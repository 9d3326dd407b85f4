//! What a vendor implements to plug into the shared send: one request at a time, its answers
//! read into a [`SendReport`] of the vendor's typed codes; and the account's credit.

use std::future::Future;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::code::VendorCode;
use super::error::{QueryError, RequestError};
use super::message::{InvalidMessage, Message};
use super::outcome::SendReport;

/// A vendor's message: the shared [`Message`], and whatever the vendor adds to it.
pub trait VendorMessage: Send + Sync {
    /// The shared part: text, numbers, schedule.
    fn message(&self) -> &Message;

    /// Whether the message names recipients besides its numbers (an address book the
    /// gateway keeps): then it is not empty without numbers, and the first request goes out
    /// even when there are none.
    fn other_recipients(&self) -> bool {
        false
    }

    /// The vendor's own checks, made after the shared ones and before anything is sent.
    fn check(&self, now: DateTime<Utc>) -> Result<(), InvalidMessage> {
        let _ = now;
        Ok(())
    }

    /// The vendor's own options that change what is sent, as name and value pairs in a
    /// fixed order (a delivery service, a ReplyTo), so that a journal can tell one campaign
    /// from another: the same text with another option is another campaign. None by
    /// default.
    fn options(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

impl VendorMessage for Message {
    fn message(&self) -> &Message {
        self
    }
}

/// One request of a send: its place among the send's requests, and its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request<'a> {
    /// Its position, from 0.
    pub index: usize,
    /// The numbers it goes to (empty only for a message to other recipients alone).
    pub numbers: &'a [String],
}

impl<'a> Request<'a> {
    /// Request `index` of a send, to `numbers`.
    pub fn new(index: usize, numbers: &'a [String]) -> Self {
        Self { index, numbers }
    }
}

/// The credit on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credit {
    /// The ISO 4217 currency code (GBP), or `credits` for a vendor that counts in credits of
    /// its own.
    pub currency: String,
    /// The amount, exact.
    pub amount: Decimal,
}

impl Credit {
    /// `amount` of `currency`.
    pub fn new(currency: impl Into<String>, amount: Decimal) -> Self {
        Self {
            currency: currency.into(),
            amount,
        }
    }
}

/// A vendor's client, as the shared send drives it.
///
/// [`crate::core::send()`] validates the message, splits its numbers into requests of at most
/// [`SmsGateway::recipients_per_request`], and hands each to [`SmsGateway::send_request`];
/// it keeps the bookkeeping (who was answered, who is in doubt, who was never sent), stops
/// at an account failure, and runs requests one at a time or several at once. The vendor's
/// part is one request: build it from the message with the bindings generated from its WSDL,
/// send it with the generated client (failover that never sends a request twice), and read
/// the answer into one outcome per recipient.
pub trait SmsGateway: Send + Sync {
    /// The vendor's per-recipient codes.
    type Code: VendorCode;
    /// The vendor's message: [`Message`], or a type of its own with its options.
    type Message: VendorMessage;

    /// The vendor's name, for messages.
    fn vendor(&self) -> &'static str;

    /// The most numbers one request carries.
    fn recipients_per_request(&self) -> usize;

    /// The endpoints, in order of preference.
    fn endpoints(&self) -> &[String];

    /// This gateway's checks of a message, made after the shared ones and before anything
    /// is sent: the message's own ([`VendorMessage::check`]) by default. A vendor whose
    /// message is the shared [`Message`] refuses here what its gateway cannot do (a flash
    /// message, a send time) rather than in the middle of a send.
    fn check(&self, message: &Self::Message, now: DateTime<Utc>) -> Result<(), InvalidMessage> {
        message.check(now)
    }

    /// Sends one request of a validated message, and reads its answer: one outcome per
    /// number of the request, in order (or per recipient the gateway names, for a message
    /// to other recipients). A request is sent once: never again, whatever happens to it.
    fn send_request(
        &self,
        message: &Self::Message,
        request: Request<'_>,
    ) -> impl Future<Output = Result<SendReport<Self::Code>, RequestError>> + Send;

    /// The credit on the account.
    fn credit(&self) -> impl Future<Output = Result<Credit, QueryError>> + Send;
}
