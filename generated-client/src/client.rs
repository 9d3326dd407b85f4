//! The high-level client: validated messages, one outcome per recipient, account queries.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::generated::sendsms5::{self as wire, service};
use crate::http_api::{self, HttpApiResponse};
use crate::outcome::{ResponseMismatch, SendReport};
use crate::report::ReportCode;
use crate::transport::{CallError, ConfigError, Transport, TransportConfig};
use crate::vendor::{Batch, SmsGateway};
use soap_runtime::{Nillable, NoFault};

/// The most numbers the documents suggest per request; more are split into several requests.
pub const MAX_RECIPIENTS_PER_REQUEST: usize = 350;
/// The longest Username or PIN the documents allow.
pub const MAX_CREDENTIAL_LENGTH: usize = 20;
/// `SendTimeDelay` bounds, in minutes (one minute to seven days).
pub const DELAY_MINUTES: std::ops::RangeInclusive<u16> = 1..=10080;
/// How far ahead `SendTimeAbsolute` may be.
pub const MAX_SCHEDULE_AHEAD: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A Username and PIN. Neither ever appears in `Debug` output or in logs.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    pin: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

impl Credentials {
    /// Checks the documented limits: 1 to 20 characters each.
    pub fn new(
        username: impl Into<String>,
        pin: impl Into<String>,
    ) -> Result<Self, InvalidMessage> {
        let (username, pin) = (username.into(), pin.into());
        for (field, value) in [("Username", &username), ("PIN", &pin)] {
            let length = value.chars().count();
            if length == 0 || length > MAX_CREDENTIAL_LENGTH {
                return Err(InvalidMessage::Credential { field, length });
            }
        }
        Ok(Self { username, pin })
    }

    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    pub(crate) fn pin(&self) -> &str {
        &self.pin
    }
}

/// Which of the gateway's APIs a [`Client`] sends messages through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Api {
    /// The SOAP API (sendsms5): sends messages and queries the account.
    #[default]
    Soap,
    /// The HTTP API: a form-encoded POST (see [`crate::http_api`]). It only sends
    /// messages: the account queries answer [`QueryError::NotInHttpApi`].
    Http,
}

impl Api {
    /// The vendor's endpoints for this API, primary first.
    pub fn default_endpoints(self) -> Vec<String> {
        match self {
            Self::Soap => default_endpoints(),
            Self::Http => http_api::DEFAULT_ENDPOINTS
                .iter()
                .map(|e| (*e).to_owned())
                .collect(),
        }
    }
}

/// What the message says, and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A plain text message.
    Text(String),
    /// A flash message, shown at once without being opened.
    Flash(String),
}

/// The delivery service for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The account's setting.
    Default,
    /// The premier service.
    Premier,
    /// The economy service.
    Economy,
}

/// A message to send, and to whom.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Numbers in full international format (digits, country code first; a leading `+` is
    /// dropped).
    pub numbers: Vec<String>,
    /// An address book (and optionally a group in it) whose numbers also receive the message.
    pub address_book: Option<(String, Option<String>)>,
    /// The text.
    pub content: Content,
    /// Send after this many minutes (1 to 10080).
    pub delay_minutes: Option<u16>,
    /// Send at this time (UTC, at most seven days ahead).
    pub send_at: Option<DateTime<Utc>>,
    /// The delivery service.
    pub delivery: Option<Delivery>,
    /// Where replies go, if the account may set it.
    pub reply_to: Option<String>,
}

impl Message {
    /// A plain text message to `numbers`.
    pub fn text(
        text: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::new(Content::Text(text.into()), numbers)
    }

    /// A flash message to `numbers`.
    pub fn flash(
        text: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::new(Content::Flash(text.into()), numbers)
    }

    fn new(content: Content, numbers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            numbers: numbers.into_iter().map(Into::into).collect(),
            address_book: None,
            content,
            delay_minutes: None,
            send_at: None,
            delivery: None,
            reply_to: None,
        }
    }

    /// Checks the message against the documented limits, as of `now`, and returns the numbers
    /// as they will be sent.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Vec<String>, InvalidMessage> {
        let text = match &self.content {
            Content::Text(text) | Content::Flash(text) => text,
        };
        if text.is_empty() {
            return Err(InvalidMessage::EmptyText);
        }
        if self.numbers.is_empty() && self.address_book.is_none() {
            return Err(InvalidMessage::NoRecipients);
        }
        let numbers = self
            .numbers
            .iter()
            .enumerate()
            .map(|(index, number)| {
                normalize_number(number).ok_or_else(|| InvalidMessage::Number {
                    index,
                    number: number.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some((book, _)) = &self.address_book {
            if book.trim().is_empty() {
                return Err(InvalidMessage::AddressBook);
            }
        }
        if let Some(delay) = self.delay_minutes {
            if !DELAY_MINUTES.contains(&delay) {
                return Err(InvalidMessage::Delay(delay));
            }
        }
        if let Some(at) = self.send_at {
            if self.delay_minutes.is_some() {
                return Err(InvalidMessage::DelayAndTime);
            }
            if at <= now || at - now > MAX_SCHEDULE_AHEAD {
                return Err(InvalidMessage::SendAt(at));
            }
        }
        Ok(numbers)
    }
}

/// A number in full international format: 7 to 15 digits; a leading `+` and spaces are dropped.
fn normalize_number(number: &str) -> Option<String> {
    let trimmed = number.trim();
    let digits: String = trimmed
        .strip_prefix('+')
        .unwrap_or(trimmed)
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    ((7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0'))
    .then_some(digits)
}

/// Why a message was not sent: nothing went out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidMessage {
    /// A Username or PIN is empty or longer than 20 characters.
    #[error("{field} must be 1 to 20 characters, not {length}")]
    Credential {
        /// `Username` or `PIN`.
        field: &'static str,
        /// Its length in characters.
        length: usize,
    },
    /// The text is empty.
    #[error("the message text is empty")]
    EmptyText,
    /// No number and no address book.
    #[error("no recipients")]
    NoRecipients,
    /// A number is not in full international format.
    #[error("recipient {} ({number:?}) is not a number in full international format, such as 447700912345", index + 1)]
    Number {
        /// Its position in the list, from 0.
        index: usize,
        /// The number as given.
        number: String,
    },
    /// The address book name is empty.
    #[error("the address book name is empty")]
    AddressBook,
    /// The delay is outside 1 to 10080 minutes.
    #[error("the delay must be 1 to 10080 minutes, not {0}")]
    Delay(u16),
    /// Both a delay and a time were given.
    #[error("give a delay or a send time, not both")]
    DelayAndTime,
    /// The send time is in the past or more than seven days ahead.
    #[error("the send time {0} must be in the future and at most seven days ahead (UTC)")]
    SendAt(DateTime<Utc>),
    /// The message asks for something the vendor does not offer.
    #[error("{vendor} does not offer {option}")]
    Unsupported {
        /// The vendor.
        vendor: &'static str,
        /// What it does not offer (`address books`).
        option: &'static str,
    },
}

/// Why a send stopped. What was already sent is kept: nothing is lost silently.
///
/// `C` is the vendor's per-recipient code: [`ReportCode`] for Connection Software.
#[derive(Debug, thiserror::Error)]
pub enum SendError<C = ReportCode> {
    /// The message broke a documented limit: nothing was sent.
    #[error("invalid message: {0}")]
    Invalid(#[from] InvalidMessage),
    /// A request failed. The requests before it completed (`completed`); the recipients of
    /// the failed request are `affected` (sent or not, as `error` says); later ones were not
    /// sent (`not_sent`).
    #[error("{error}")]
    Request {
        /// What went wrong.
        error: CallError<NoFault>,
        /// The outcomes of the requests that completed.
        completed: SendReport<C>,
        /// The recipients of the request that failed.
        affected: Vec<String>,
        /// The recipients not sent to because an earlier request failed.
        not_sent: Vec<String>,
    },
    /// The gateway's answer does not match the request (lists of the wrong length). The
    /// request reached it, so the message may have been sent.
    #[error("{error}")]
    Mismatch {
        /// What did not match.
        error: ResponseMismatch,
        /// The outcomes of the requests that completed.
        completed: SendReport<C>,
        /// The recipients of the request whose answer did not match.
        affected: Vec<String>,
        /// The recipients not sent to.
        not_sent: Vec<String>,
    },
    /// A request's answer reported an account failure (invalid login, out of credit) for at
    /// least one recipient, so the later requests were not sent: they would have failed the
    /// same way. `completed` holds every answer received, the failing one included.
    #[error("the gateway answered {code} for the account; {} later recipient(s) were not sent", not_sent.len())]
    AccountFailure {
        /// The code of the account failure.
        code: C,
        /// The outcomes of the requests that completed.
        completed: SendReport<C>,
        /// The recipients not sent to.
        not_sent: Vec<String>,
    },
    /// A vendor that works in sessions (Clickatell) could not set one up: its login call
    /// failed (`error`), so the request at hand and the later ones were not sent, and none of
    /// their messages reached the gateway. `completed` holds the answers to the requests
    /// before.
    #[error("no session with the gateway ({error}); {} recipient(s) were not sent", not_sent.len())]
    NoSession {
        /// Why the login failed.
        error: QueryError,
        /// The outcomes of the requests that completed.
        completed: SendReport<C>,
        /// The recipients not sent to.
        not_sent: Vec<String>,
    },
}

/// Account query errors.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The call failed.
    #[error(transparent)]
    Call(#[from] CallError<NoFault>),
    /// The gateway answered something this client cannot read as the documents describe.
    #[error("unexpected answer from the gateway: {0}")]
    Unexpected(String),
    /// The gateway answered with one of its documented errors (a wrong login, say); its
    /// answer, verbatim.
    #[error("the gateway refused: {0}")]
    Refused(String),
    /// The client sends through the HTTP API, which has no account queries: nothing was sent.
    #[error("the HTTP API only sends messages: account queries need the SOAP API")]
    NotInHttpApi,
}

/// The credit on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    /// The ISO 4217 currency code (GBP), or `credits` for a vendor that counts in credits of
    /// its own (Clickatell).
    pub currency: String,
    /// The amount, exact.
    pub amount: Decimal,
}

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    credentials: Credentials,
    config: TransportConfig,
    api: Api,
    /// Whether `endpoints` was called: then choosing an API keeps them.
    endpoints_given: bool,
}

impl ClientBuilder {
    /// The endpoints to use, in order (the defaults are the chosen API's servers, primary
    /// then secondary: for SOAP, the WSDL's ports).
    pub fn endpoints(mut self, endpoints: Vec<String>) -> Self {
        self.config.endpoints = endpoints;
        self.endpoints_given = true;
        self
    }

    /// The API to send through ([`Api::Soap`] by default). Unless endpoints were given, the
    /// endpoints become that API's servers.
    pub fn api(mut self, api: Api) -> Self {
        self.api = api;
        if !self.endpoints_given {
            self.config.endpoints = api.default_endpoints();
        }
        self
    }

    /// How long to wait for a connection (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How long to wait for a whole call (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// How long an unreachable endpoint is skipped before it is tried again (60 s by default).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.config.cooldown = cooldown;
        self
    }

    /// The largest answer read (16 MiB by default); a larger one is an unknown outcome.
    pub fn max_answer_bytes(mut self, bytes: usize) -> Self {
        self.config.max_answer_bytes = bytes;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, ConfigError> {
        Ok(Client {
            transport: Transport::new(self.config)?,
            credentials: self.credentials,
            api: self.api,
        })
    }
}

/// A client for the Connection Software gateway: the SOAP API, or the HTTP API for sending.
#[derive(Debug)]
pub struct Client {
    transport: Transport,
    credentials: Credentials,
    api: Api,
}

/// One request's answer, whatever the API.
enum Answered {
    Soap(wire::SubmitMessageResponse),
    Http(HttpApiResponse),
}

impl Answered {
    /// Adds the outcomes to `report`: both APIs' lists go through the same
    /// [`SendReport::push_lists`].
    fn add_to(
        &self,
        report: &mut SendReport,
        recipients: Option<&[String]>,
    ) -> Result<(), ResponseMismatch> {
        match self {
            Self::Soap(response) => report.push(recipients, response),
            Self::Http(HttpApiResponse::Lists {
                message_identifier,
                report: codes,
                text,
            }) => report.push_lists(recipients, message_identifier, codes, text.as_deref()),
            Self::Http(HttpApiResponse::Legacy { code, text }) => Err(ResponseMismatch::Legacy {
                code: *code,
                text: text.clone(),
            }),
        }
    }
}

impl Client {
    /// A builder for the SOAP API with the WSDL's endpoints and the default timeouts.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            config: TransportConfig::new(default_endpoints()),
            api: Api::Soap,
            endpoints_given: false,
        }
    }

    /// The API this client sends through.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The endpoints, in order of preference.
    pub fn endpoints(&self) -> &[String] {
        self.transport.endpoints()
    }

    /// Sends a message: validated first (nothing is sent if it is invalid), then in requests
    /// of at most 350 numbers, one after another, so that if one fails the later ones are not
    /// sent and the report says exactly which recipients are in which state.
    ///
    /// No request is ever sent twice, to the same endpoint or another: see
    /// [`transport`](crate::transport) for when a request moves on to the next endpoint. A
    /// report code is never retried. When a response reports an account failure (invalid
    /// login, out of credit) and more requests remain, they are not sent
    /// ([`SendError::AccountFailure`]): they would fail the same way.
    pub async fn send(&self, message: &Message) -> Result<SendReport, SendError> {
        self.send_with_progress(message, |_, _| {}).await
    }

    /// [`Client::send`], calling `progress(recipients done, recipients in all)` after each
    /// request (for a progress bar on bulk sends).
    pub async fn send_with_progress(
        &self,
        message: &Message,
        progress: impl FnMut(usize, usize),
    ) -> Result<SendReport, SendError> {
        let numbers = message.validate(Utc::now())?;
        let mut batch = Batch::new(&numbers, MAX_RECIPIENTS_PER_REQUEST, progress);
        while let Some(chunk) = batch.next_request() {
            // The address book goes with the first request only (the only one, when the
            // message names no numbers).
            let book = match batch.index() {
                0 => message.address_book.as_ref(),
                _ => None,
            };
            let response = match self.submit(message, chunk, book).await {
                Ok(response) => response,
                Err(error) => return Err(batch.request_failed(error)),
            };
            let recipients = book.is_none().then_some(chunk);
            batch.answered(|report| response.add_to(report, recipients))?;
        }
        Ok(batch.finish())
    }

    /// Sends one request, through the client's API.
    async fn submit(
        &self,
        message: &Message,
        numbers: &[String],
        book: Option<&(String, Option<String>)>,
    ) -> Result<Answered, CallError<NoFault>> {
        match self.api {
            Api::Soap => {
                let request = self.submit_request(message, numbers, book);
                self.transport
                    .call::<service::SubmitMessage>(&request)
                    .await
                    .map(Answered::Soap)
            }
            Api::Http => {
                let form = http_api::submit_form(&self.credentials, message, numbers, book);
                http_api::submit(&self.transport, &form)
                    .await
                    .map(Answered::Http)
            }
        }
    }

    /// Account queries are SOAP operations: through the HTTP API there are none.
    fn soap_only(&self) -> Result<(), QueryError> {
        match self.api {
            Api::Soap => Ok(()),
            Api::Http => Err(QueryError::NotInHttpApi),
        }
    }

    /// The SubmitMessage request for some of a message's numbers.
    pub fn submit_request(
        &self,
        message: &Message,
        numbers: &[String],
        book: Option<&(String, Option<String>)>,
    ) -> wire::SubmitMessage {
        let (text, flash) = match &message.content {
            Content::Text(text) => (Some(text.clone()), None),
            Content::Flash(text) => (None, Some(text.clone())),
        };
        let options = wire::SendOptions {
            send_time_absolute: Nillable::absent_if_none(message.send_at.and_then(|at| {
                soap_runtime::DateTime::new(&at.format("%Y-%m-%dT%H:%M:%SZ").to_string()).ok()
            })),
            send_time_delay: Nillable::absent_if_none(
                message
                    .delay_minutes
                    .and_then(|m| wire::SendOptionsSendTimeDelay::new(m).ok()),
            ),
            delivery_option: message.delivery.map(|d| match d {
                Delivery::Default => wire::DeliveryOption::Default,
                Delivery::Premier => wire::DeliveryOption::Premier,
                Delivery::Economy => wire::DeliveryOption::Economy,
            }),
            ..Default::default()
        };
        let has_options = options != wire::SendOptions::default();
        wire::SubmitMessage {
            username: Nillable::absent_if_none(
                wire::SubmitMessageUsername::new(self.credentials.username.clone()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::SubmitMessagePin::new(self.credentials.pin.clone()).ok(),
            ),
            recipient: Nillable::Value(wire::Recipient {
                send_to: Nillable::absent_if_none((!numbers.is_empty()).then(|| numbers.join(","))),
                send_to_address_book: Nillable::absent_if_none(book.map(
                    |(name, group)| match group {
                        Some(group) => format!("{name}::{group}"),
                        None => name.clone(),
                    },
                )),
                send_options: Nillable::absent_if_none(has_options.then_some(options)),
                ..Default::default()
            }),
            message: Nillable::Value(wire::Message {
                text_message: Nillable::absent_if_none(text),
                flash_message: Nillable::absent_if_none(flash),
                ..Default::default()
            }),
            reply_to: Nillable::absent_if_none(message.reply_to.clone()),
            ..Default::default()
        }
    }

    /// The credit on the account.
    pub async fn available_credit(&self) -> Result<Credit, QueryError> {
        self.soap_only()?;
        let request = wire::AvailableCredit {
            username: Nillable::absent_if_none(
                wire::AvailableCreditUsername::new(self.credentials.username.clone()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::AvailableCreditPin::new(self.credentials.pin.clone()).ok(),
            ),
        };
        let response = self
            .transport
            .call::<service::AvailableCredit>(&request)
            .await?;
        let amount = response.credit.trim().parse::<Decimal>().map_err(|_| {
            QueryError::Unexpected(format!(
                "Credit {:?} is not a decimal number",
                response.credit
            ))
        })?;
        Ok(Credit {
            currency: response.currency.get().trim().to_owned(),
            amount,
        })
    }

    /// The approximate number of premier messages the credit pays for.
    pub async fn available_messages(&self) -> Result<u64, QueryError> {
        self.soap_only()?;
        let request = wire::AvailableMessages {
            username: Nillable::absent_if_none(
                wire::AvailableMessagesUsername::new(self.credentials.username.clone()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::AvailableMessagesPin::new(self.credentials.pin.clone()).ok(),
            ),
        };
        let response = self
            .transport
            .call::<service::AvailableMessages>(&request)
            .await?;
        response.messages.trim().parse().map_err(|_| {
            QueryError::Unexpected(format!(
                "Messages {:?} is not a whole number",
                response.messages
            ))
        })
    }

    /// The ReplyTo values the account may use.
    pub async fn permitted_reply_to(&self) -> Result<Vec<String>, QueryError> {
        self.soap_only()?;
        let request = wire::PermittedReplyTo {
            username: Nillable::absent_if_none(
                wire::PermittedReplyToUsername::new(self.credentials.username.clone()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::PermittedReplyToPin::new(self.credentials.pin.clone()).ok(),
            ),
        };
        let response = self
            .transport
            .call::<service::PermittedReplyTo>(&request)
            .await?;
        Ok(split_list(&response.permitted_reply_to))
    }

    /// Messages sent to the account's numbers, waiting to be collected.
    pub async fn collect_messages(&self) -> Result<Vec<wire::MoMessage>, QueryError> {
        self.soap_only()?;
        let request = wire::CollectMessages {
            username: Nillable::Value(self.credentials.username.clone()),
            pin: Nillable::Value(self.credentials.pin.clone()),
        };
        let response = self
            .transport
            .call::<service::CollectMessages>(&request)
            .await?;
        let report = ReportCode::from_i32(response.report);
        if !report.is_success() {
            return Err(QueryError::Unexpected(format!(
                "CollectMessages answered report {report}"
            )));
        }
        Ok(response.message_list.item)
    }

    /// The entries of an address book (optionally one group of it).
    pub async fn query_address_book(
        &self,
        book: Option<&str>,
        group: Option<&str>,
    ) -> Result<Vec<wire::AddressBookEntry>, QueryError> {
        self.soap_only()?;
        let request = wire::QueryAddressBook {
            username: self.credentials.username.clone(),
            pin: self.credentials.pin.clone(),
            address_book_name: Nillable::absent_if_none(book.map(str::to_owned)),
            address_book_group_name: Nillable::absent_if_none(group.map(str::to_owned)),
        };
        let response = self
            .transport
            .call::<service::QueryAddressBook>(&request)
            .await?;
        Ok(response.address_book_entry_list.item)
    }
}

impl SmsGateway for Client {
    type Code = ReportCode;
    const VENDOR: &'static str = "Connection Software";
    const RECIPIENTS_PER_REQUEST: usize = MAX_RECIPIENTS_PER_REQUEST;

    fn endpoints(&self) -> &[String] {
        Client::endpoints(self)
    }

    fn send_with_progress(
        &self,
        message: &Message,
        progress: impl FnMut(usize, usize) + Send,
    ) -> impl std::future::Future<Output = Result<SendReport, SendError>> + Send {
        Client::send_with_progress(self, message, progress)
    }

    fn credit(&self) -> impl std::future::Future<Output = Result<Credit, QueryError>> + Send {
        self.available_credit()
    }
}

/// The WSDL's ports, in its order: the primary server, then the secondary.
pub fn default_endpoints() -> Vec<String> {
    service::ENDPOINTS
        .iter()
        .map(|e| e.address.to_owned())
        .collect()
}

/// A comma-separated list, items trimmed, empty items dropped.
fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn credentials_are_checked_and_never_shown() {
        assert!(Credentials::new("a".repeat(20), "1").is_ok());
        assert_eq!(
            Credentials::new("a".repeat(21), "1").unwrap_err(),
            InvalidMessage::Credential {
                field: "Username",
                length: 21
            }
        );
        assert!(Credentials::new("user", "").is_err());
        let shown = format!("{:?}", Credentials::new("secretuser", "secretpin").unwrap());
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn numbers_must_be_international() {
        let numbers = Message::text("hi", ["+44 7700 912345", "23412345678"])
            .validate(now())
            .unwrap();
        assert_eq!(numbers, ["447700912345", "23412345678"]);
        for bad in ["07700912345", "44770x912345", "123", "1234567890123456", ""] {
            let error = Message::text("hi", ["447700912345", bad])
                .validate(now())
                .unwrap_err();
            assert_eq!(
                error,
                InvalidMessage::Number {
                    index: 1,
                    number: bad.to_owned()
                }
            );
        }
    }

    #[test]
    fn limits_from_the_documents_are_enforced() {
        let ok = Message::text("hi", ["447700912345"]);
        assert_eq!(
            Message::text("", ["447700912345"]).validate(now()),
            Err(InvalidMessage::EmptyText)
        );
        assert_eq!(
            Message::text("hi", Vec::<String>::new()).validate(now()),
            Err(InvalidMessage::NoRecipients)
        );
        for (delay, valid) in [(0, false), (1, true), (10080, true), (10081, false)] {
            let message = Message {
                delay_minutes: Some(delay),
                ..ok.clone()
            };
            assert_eq!(message.validate(now()).is_ok(), valid, "delay {delay}");
        }
        for (ahead, valid) in [
            (-1, false),
            (1, true),
            (7 * 24 * 60, true),
            (7 * 24 * 60 + 1, false),
        ] {
            let message = Message {
                send_at: Some(now() + chrono::TimeDelta::minutes(ahead)),
                ..ok.clone()
            };
            assert_eq!(
                message.validate(now()).is_ok(),
                valid,
                "{ahead} minutes ahead"
            );
        }
        let both = Message {
            delay_minutes: Some(5),
            send_at: Some(now() + chrono::TimeDelta::minutes(5)),
            ..ok
        };
        assert_eq!(both.validate(now()), Err(InvalidMessage::DelayAndTime));
    }

    #[test]
    fn requests_carry_the_options() {
        let client = Client::builder(Credentials::new("user", "1234").unwrap())
            .build()
            .unwrap();
        let message = Message {
            delay_minutes: Some(30),
            delivery: Some(Delivery::Economy),
            reply_to: Some("csoft.co.uk".into()),
            address_book: Some(("Friends".into(), Some("Close".into()))),
            ..Message::flash("hello", ["447700912345"])
        };
        let request = client.submit_request(
            &message,
            &["447700912345".into(), "447700912346".into()],
            message.address_book.as_ref(),
        );
        let recipient = request.recipient.into_value().unwrap();
        assert_eq!(
            recipient.send_to.as_deref(),
            Nillable::Value("447700912345,447700912346")
        );
        assert_eq!(
            recipient.send_to_address_book.as_deref(),
            Nillable::Value("Friends::Close")
        );
        assert_eq!(recipient.send_cc, Nillable::Absent, "left out, not nil");
        let options = recipient.send_options.into_value().unwrap();
        assert_eq!(
            options.send_time_delay.map(|d| *d.get()),
            Nillable::Value(30)
        );
        assert_eq!(options.delivery_option, Some(wire::DeliveryOption::Economy));
        assert_eq!(
            request
                .message
                .into_value()
                .unwrap()
                .flash_message
                .as_deref(),
            Nillable::Value("hello")
        );
        assert_eq!(request.reply_to.as_deref(), Nillable::Value("csoft.co.uk"));
    }

    #[test]
    fn the_default_endpoints_are_the_wsdl_ports() {
        let client = Client::builder(Credentials::new("user", "1234").unwrap())
            .build()
            .unwrap();
        assert_eq!(
            client.endpoints(),
            [
                "https://www.csoft.co.uk/sendsms5",
                "https://www2.csoft.co.uk/sendsms5"
            ]
        );
    }
}
