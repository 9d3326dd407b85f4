//! Connection Software's gateway, simulated: the SOAP API (sendsms5) at [`PATH`] on the
//! server generated from the vendor's WSDL, the HTTP API at [`super::http_api::PATH`], and
//! delivery receipts posted to accounts that ask for them. Each listener of a
//! [`Simulator`](crate::simulator::Simulator) serves it, sharing its state.
//!
//! # Behaviour
//!
//! SubmitMessage answers, for each number of `SendTo` (comma-separated, spaces allowed) and then
//! of `SendToAddressBook` (`Book` or `Book::Group`), in that order, a unique eight-hex-digit
//! message identifier, a report code and its text, comma-separated as the vendor does:
//!
//! * a wrong or missing Username or PIN: 2 for every number;
//! * a number that is not all digits: 3;
//! * a test account ([`Account::test`]): 99, free of charge;
//! * a number in [`Config::number_reports`]: that report; a positive code is a rejection and
//!   costs nothing;
//! * otherwise [`Config::accepted_report`] (-2, queued) when the credit covers the message,
//!   which is then charged; 15 (out of credit) when it does not.
//!
//! A SubmitMessage without any number is answered with a `soap:Client` Fault.
//!
//! AvailableCredit answers the currency and the credit with four decimal places,
//! AvailableMessages the credit divided by the message price, rounded down, PermittedReplyTo the
//! account's ReplyTo values followed by `csoft.co.uk`, QueryAddressBook the matching entries of
//! the account's address books, MobileMessengerVersion a fixed release, and CollectMessages an
//! empty list with report 0 (report 2 on a wrong login).
//!
//! The vendor documents no answer to an account query (AvailableCredit, AvailableMessages,
//! PermittedReplyTo, QueryAddressBook) with a wrong Username or PIN; the simulator answers
//! HTTP 500 with a Fault whose faultcode is `soap:Client` and faultstring `Invalid login`.
//!
//! The HTTP API (a form-encoded POST) is a SubmitMessage like any other, answered in the
//! `ResponseFormat` it asks for. An account with [`Account::delivery_receipts`] gets a
//! delivery receipt posted (SOAP `SubmitDeliveryReceipt`, as the gateway does) for every
//! message accepted for it, and posted again while it is not answered Report 0.

mod config;
mod http_api;
mod receipts;
mod submissions;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use rust_decimal::Decimal;
use soap_runtime::envelope::Fault as SoapFault;
use soap_runtime::server::{Request, Response, ServerResult};
use soap_runtime::{DateTime, Nillable, NoFault};

pub use self::config::{
    Account, Config, Contact, Report, DEMO_BLACKLISTED, DEMO_PIN, DEMO_USERNAME, PATH,
};
use self::receipts::Outbox;
pub use self::receipts::{PostedReceipt, ReceiptTarget};
pub use self::submissions::{RecipientResult, Submission};
use crate::generated::sendsms5::{
    service, AddressBookEntry, AddressBookEntryList, AvailableCredit, AvailableCreditResponse,
    AvailableCreditResponseCurrency, AvailableMessages, AvailableMessagesResponse, CollectMessages,
    CollectMessagesResponse, CollectedMessagesList, MobileMessengerVersionResponse,
    PermittedReplyTo, PermittedReplyToResponse, QueryAddressBook, QueryAddressBookResponse,
    Reserved, SubmitMessage, SubmitMessageResponse,
};
use crate::simulated::{Listener, ReceiptsTo, SimulatedVendor};

/// The name HTTP API requests are counted under (see
/// [`RunningSimulator::request_count`](crate::simulator::RunningSimulator::request_count)).
pub const HTTP_API_OPERATION: &str = http_api::OPERATION;

/// The ReplyTo every account may use.
const GLOBAL_REPLY_TO: &str = "csoft.co.uk";
/// Where message identifiers start: eight hex digits, like the vendor's.
const FIRST_IDENTIFIER: u32 = 0x302B_4600;
/// faultstring of the answer to an account query with a wrong Username or PIN.
pub(crate) const INVALID_LOGIN: &str = "Invalid login";

/// What an operation of the simulated gateway answers: its output, or a SOAP Fault.
pub(crate) type Answer<T> = Result<T, SoapFault<NoFault>>;

/// Everything that changes while the simulator runs, behind one lock: the requests are short
/// and never wait while holding it.
#[derive(Debug)]
struct State {
    config: Config,
    next_identifier: u32,
    submissions: Vec<Submission>,
}

/// Connection Software's simulated gateway, shared by every listener of one simulator.
#[derive(Debug)]
pub struct Gateway {
    state: Mutex<State>,
    /// Delivery receipts posted for accepted messages (behind a lock of its own: posting
    /// happens after the request, in tasks of its own).
    receipts: Arc<Outbox>,
}

impl SimulatedVendor for Gateway {
    type Config = Config;

    fn new(config: Config) -> Self {
        Self {
            state: Mutex::new(State {
                config,
                next_identifier: FIRST_IDENTIFIER,
                submissions: Vec::new(),
            }),
            receipts: Arc::default(),
        }
    }

    fn demo() -> Config {
        Config::demo()
    }

    fn routes(state: &Arc<Self>, listener: &Listener) -> Router {
        let gateway = Arc::clone(state);
        Router::new()
            .route(
                PATH,
                listener.soap(service::ServiceServer::from_arc(Arc::clone(state))),
            )
            .route(
                crate::csoft::http_api::PATH,
                listener.custom(
                    http_api::OPERATION,
                    http_api::CONTENT_TYPE,
                    move |body, server| {
                        http_api::answer(body, |request| gateway.submit(server, request))
                    },
                ),
            )
    }

    fn describe(
        config: &Config,
        listeners: &[SocketAddr],
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        config::describe(config, listeners, out)
    }

    fn post_receipts(config: &mut Config, to: &ReceiptsTo) -> bool {
        let target = ReceiptTarget {
            username: to.username.clone(),
            pin: to.pin.clone(),
            ..ReceiptTarget::new(to.url.clone())
        };
        for account in &mut config.accounts {
            account.delivery_receipts = Some(target.clone());
        }
        true
    }
}

impl Gateway {
    /// Every delivery receipt posted so far (for accounts with
    /// [`Account::delivery_receipts`]), oldest first, with what became of it.
    pub fn delivery_receipts(&self) -> Vec<PostedReceipt> {
        self.receipts.posted()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state as consistent as any
        // single request leaves it; keep serving rather than fail every later request.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every SubmitMessage received (by the listener at `server`, or by all), oldest first.
    pub fn submissions(&self, server: Option<SocketAddr>) -> Vec<Submission> {
        let state = self.lock();
        state
            .submissions
            .iter()
            .filter(|s| server.is_none_or(|addr| addr == s.server))
            .cloned()
            .collect()
    }

    /// How many messages to `number` were accepted for delivery, over all listeners: more
    /// than one means the recipient got the message twice.
    pub fn deliveries_to(&self, number: &str) -> usize {
        let state = self.lock();
        state
            .submissions
            .iter()
            .flat_map(|s| &s.recipients)
            .filter(|r| r.accepted && r.number == number)
            .count()
    }

    /// The credit left on an account, if there is one with that Username.
    pub fn credit(&self, username: &str) -> Option<Decimal> {
        let state = self.lock();
        let account = state
            .config
            .accounts
            .iter()
            .find(|a| a.username == username);
        account.map(|a| a.credit)
    }

    /// Sets the credit of an account; `false` if there is no account with that Username.
    pub fn set_credit(&self, username: &str, credit: Decimal) -> bool {
        let mut state = self.lock();
        let account = state
            .config
            .accounts
            .iter_mut()
            .find(|a| a.username == username);
        account.map(|a| a.credit = credit).is_some()
    }

    /// Answers a SubmitMessage, from either API.
    pub(crate) fn submit(
        &self,
        server: SocketAddr,
        request: SubmitMessage,
    ) -> Answer<SubmitMessageResponse> {
        let username = request
            .username
            .as_ref()
            .map(|u| u.get().as_str())
            .into_value();
        let pin = request.pin.as_ref().map(|p| p.get().as_str()).into_value();
        let recipient = request.recipient.into_value().unwrap_or_default();
        let message = request.message.into_value().unwrap_or_default();
        let text = (message.text_message.into_value()).or(message.flash_message.into_value());

        let mut state = self.lock();
        let account = state.config.login(username, pin);
        let mut numbers = split_numbers(recipient.send_to.as_deref().into_value());
        // An address book can only be read once the account is known; with a wrong login the
        // numbers listed in SendTo are all there is to answer for.
        if let (Some(book), Some(index)) = (
            recipient.send_to_address_book.as_deref().into_value(),
            account,
        ) {
            numbers.extend(book_numbers(&state.config.accounts[index], book));
        }
        if numbers.is_empty() {
            return Err(SoapFault::client(
                "SubmitMessage names no recipient: give SendTo or SendToAddressBook",
            ));
        }

        let mut recipients = Vec::with_capacity(numbers.len());
        for number in numbers {
            let message_identifier = format!("{:08X}", state.next_identifier);
            state.next_identifier = state.next_identifier.wrapping_add(1);
            let (report, accepted) = state.config.decide(account, &number);
            recipients.push(RecipientResult {
                number,
                message_identifier,
                report: report.code,
                text: report.text.replace(',', ";"),
                accepted,
            });
        }
        let response = SubmitMessageResponse {
            message_identifier: join(recipients.iter().map(|r| r.message_identifier.clone())),
            report: join(recipients.iter().map(|r| r.report.to_string())),
            text: Nillable::Value(join(recipients.iter().map(|r| r.text.clone()))),
            library_number: None,
            reserved: Some(Reserved::default()),
        };
        tracing::debug!(
            %server,
            username = username.unwrap_or(""),
            report = %response.report,
            "SubmitMessage",
        );
        if let Some(target) =
            account.and_then(|i| state.config.accounts[i].delivery_receipts.as_ref())
        {
            self.receipts.after_submit(target, &recipients);
        }
        state.submissions.push(Submission {
            server,
            username: username.map(str::to_owned),
            text,
            reply_to: request.reply_to.into_value(),
            recipients,
        });
        Ok(response)
    }

    fn credit_of(&self, request: AvailableCredit) -> Answer<AvailableCreditResponse> {
        let username = request
            .username
            .as_ref()
            .map(|u| u.get().as_str())
            .into_value();
        let pin = request.pin.as_ref().map(|p| p.get().as_str()).into_value();
        let state = self.lock();
        let account = state.config.account(username, pin)?;
        let currency = AvailableCreditResponseCurrency::new(account.currency.clone())
            .map_err(|e| SoapFault::server(format!("the account's currency is invalid: {e}")))?;
        // Four decimal places, as the vendor writes it (e.g. 2.8950).
        let mut credit = account.credit.round_dp(4);
        credit.rescale(4);
        Ok(AvailableCreditResponse {
            currency,
            credit: credit.to_string(),
            reserved: Some(Reserved::default()),
        })
    }

    fn messages_of(&self, request: AvailableMessages) -> Answer<AvailableMessagesResponse> {
        let username = request
            .username
            .as_ref()
            .map(|u| u.get().as_str())
            .into_value();
        let pin = request.pin.as_ref().map(|p| p.get().as_str()).into_value();
        let state = self.lock();
        let account = state.config.account(username, pin)?;
        // A free (or misconfigured, negative) message price has no meaningful count; the
        // division is checked so that it cannot panic.
        let messages = if account.message_cost > Decimal::ZERO {
            account
                .credit
                .checked_div(account.message_cost)
                .map_or(Decimal::ZERO, |n| n.floor().max(Decimal::ZERO))
        } else {
            Decimal::ZERO
        };
        let mut messages = messages;
        messages.rescale(0);
        Ok(AvailableMessagesResponse {
            messages: messages.to_string(),
            reserved: Some(Reserved::default()),
        })
    }

    fn reply_to_of(&self, request: PermittedReplyTo) -> Answer<PermittedReplyToResponse> {
        let username = request
            .username
            .as_ref()
            .map(|u| u.get().as_str())
            .into_value();
        let pin = request.pin.as_ref().map(|p| p.get().as_str()).into_value();
        let state = self.lock();
        let account = state.config.account(username, pin)?;
        let values = account
            .permitted_reply_to
            .iter()
            .map(String::as_str)
            .filter(|v| *v != GLOBAL_REPLY_TO)
            .chain(std::iter::once(GLOBAL_REPLY_TO));
        Ok(PermittedReplyToResponse {
            permitted_reply_to: join(values.map(str::to_owned)),
            reserved: Some(Reserved::default()),
        })
    }

    fn collected(&self, request: CollectMessages) -> Answer<CollectMessagesResponse> {
        let state = self.lock();
        let login = state.config.login(
            request.username.as_deref().into_value(),
            request.pin.as_deref().into_value(),
        );
        // This operation has a Report of its own, so a wrong login is a report code (2, as
        // for SubmitMessage) rather than a Fault.
        Ok(CollectMessagesResponse {
            report: if login.is_some() { 0 } else { 2 },
            message_list: CollectedMessagesList::default(),
        })
    }

    fn address_book(&self, request: QueryAddressBook) -> Answer<QueryAddressBookResponse> {
        let state = self.lock();
        let account = state
            .config
            .account(Some(&request.username), Some(&request.pin))?;
        let group = request.address_book_group_name.as_deref().into_value();
        let item = account
            .address_books
            .iter()
            .filter(|(name, _)| {
                request
                    .address_book_name
                    .as_deref()
                    .into_value()
                    .is_none_or(|wanted| wanted == name.as_str())
            })
            .flat_map(|(_, contacts)| contacts)
            .filter(|c| group.is_none_or(|g| c.group.as_deref() == Some(g)))
            .map(entry)
            .collect();
        Ok(QueryAddressBookResponse {
            address_book_entry_list: AddressBookEntryList { item },
        })
    }
}

impl Config {
    /// The index of the account with these credentials.
    fn login(&self, username: Option<&str>, pin: Option<&str>) -> Option<usize> {
        let (username, pin) = (username?, pin?);
        self.accounts
            .iter()
            .position(|a| a.username == username && a.pin == pin)
    }

    /// The account for an account query, or the Fault that answers a wrong login.
    fn account(&self, username: Option<&str>, pin: Option<&str>) -> Answer<&Account> {
        match self.login(username, pin) {
            Some(index) => Ok(&self.accounts[index]),
            None => Err(SoapFault::client(INVALID_LOGIN)),
        }
    }

    /// The report for one number of a SubmitMessage, and whether the message was accepted
    /// (and paid for).
    fn decide(&mut self, account: Option<usize>, number: &str) -> (Report, bool) {
        let Some(index) = account else {
            return (Report::new(2, "Invalid login"), false);
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return (Report::new(3, "Invalid number"), false);
        }
        if self.accounts[index].test {
            return (Report::new(99, "Test message succeeded"), false);
        }
        let report = self
            .number_reports
            .get(number)
            .unwrap_or(&self.accepted_report)
            .clone();
        if report.code > 0 {
            return (report, false);
        }
        let account = &mut self.accounts[index];
        let remaining = (account.credit >= account.message_cost)
            .then(|| account.credit.checked_sub(account.message_cost))
            .flatten();
        match remaining {
            Some(credit) => {
                account.credit = credit;
                (report, true)
            }
            None => (Report::new(15, "Out of credit"), false),
        }
    }
}

/// The SOAP API on the generated server trait: each method answers from the shared state.
/// The listener a request came in on is its context's local address.
impl service::Service for Gateway {
    async fn submit_message(
        &self,
        request: Request<service::SubmitMessage>,
    ) -> ServerResult<service::SubmitMessage> {
        let server = crate::simulated::listener_of(&request.context);
        self.submit(server, request.body).map(Response::new)
    }

    async fn available_credit(
        &self,
        request: Request<service::AvailableCredit>,
    ) -> ServerResult<service::AvailableCredit> {
        self.credit_of(request.body).map(Response::new)
    }

    async fn available_messages(
        &self,
        request: Request<service::AvailableMessages>,
    ) -> ServerResult<service::AvailableMessages> {
        self.messages_of(request.body).map(Response::new)
    }

    async fn permitted_reply_to(
        &self,
        request: Request<service::PermittedReplyTo>,
    ) -> ServerResult<service::PermittedReplyTo> {
        self.reply_to_of(request.body).map(Response::new)
    }

    async fn collect_messages(
        &self,
        request: Request<service::CollectMessages>,
    ) -> ServerResult<service::CollectMessages> {
        self.collected(request.body).map(Response::new)
    }

    async fn mobile_messenger_version(
        &self,
        _request: Request<service::MobileMessengerVersion>,
    ) -> ServerResult<service::MobileMessengerVersion> {
        mobile_messenger_version().map(Response::new)
    }

    async fn query_address_book(
        &self,
        request: Request<service::QueryAddressBook>,
    ) -> ServerResult<service::QueryAddressBook> {
        self.address_book(request.body).map(Response::new)
    }
}

fn mobile_messenger_version() -> Answer<MobileMessengerVersionResponse> {
    let release_date = DateTime::new("2012-01-25T10:18:00Z")
        .map_err(|e| SoapFault::server(format!("release date: {e}")))?;
    Ok(MobileMessengerVersionResponse {
        version: "5.0.0-simulator".to_owned(),
        release_notice: "Gateway simulator: no Mobile Messenger release to download".to_owned(),
        download_url: "http://127.0.0.1/".to_owned(),
        release_date,
    })
}

/// The numbers of SendTo: comma-separated, spaces around them allowed. An empty SendTo names
/// nobody; an empty entry between commas is kept (and answered as an invalid number) so that
/// the answers stay aligned with what the client sent.
fn split_numbers(send_to: Option<&str>) -> Vec<String> {
    match send_to.map(str::trim) {
        None | Some("") => Vec::new(),
        Some(list) => list.split(',').map(|n| n.trim().to_owned()).collect(),
    }
}

/// The numbers of `Book` or `Book::Group` in the account's address books.
fn book_numbers(account: &Account, name: &str) -> Vec<String> {
    let (book, group) = match name.split_once("::") {
        Some((book, group)) => (book, Some(group)),
        None => (name, None),
    };
    account
        .address_books
        .get(book)
        .into_iter()
        .flatten()
        .filter(|c| group.is_none_or(|g| c.group.as_deref() == Some(g)))
        .map(|c| c.mobile_number.clone())
        .collect()
}

fn entry(contact: &Contact) -> AddressBookEntry {
    AddressBookEntry {
        given_name: Nillable::absent_if_none(contact.given_name.clone()),
        family_name: Nillable::absent_if_none(contact.family_name.clone()),
        mobile_number: contact.mobile_number.clone(),
        group: Nillable::absent_if_none(contact.group.clone()),
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_to_is_split_on_commas_with_spaces() {
        assert_eq!(
            split_numbers(Some(" 447700900001 , 447700900002,447700900003 ")),
            ["447700900001", "447700900002", "447700900003"]
        );
        assert!(split_numbers(Some("  ")).is_empty());
        assert_eq!(split_numbers(Some("1,,2")), ["1", "", "2"]);
    }
}
