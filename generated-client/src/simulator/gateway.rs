//! The gateway's behaviour, apart from HTTP: reading a request with the generated bindings,
//! answering it from the shared state, and writing the answer with the generated bindings.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;
use rust_decimal::Decimal;
use soap_runtime::envelope::Fault as SoapFault;
use soap_runtime::server::{Outgoing, Request, Response, ServerResult};
use soap_runtime::{DateTime, NoFault};

use super::config::{Account, Contact, Report, SimulatorConfig};
use super::receipts::{Outbox, PostedReceipt};
use super::{RecipientResult, Submission};
use crate::generated::sendsms5::{
    service, AddressBookEntry, AddressBookEntryList, AvailableCredit, AvailableCreditResponse,
    AvailableCreditResponseCurrency, AvailableMessages, AvailableMessagesResponse, CollectMessages,
    CollectMessagesResponse, CollectedMessagesList, MobileMessengerVersionResponse,
    PermittedReplyTo, PermittedReplyToResponse, QueryAddressBook, QueryAddressBookResponse,
    Reserved, SubmitMessage, SubmitMessageResponse,
};

/// The ReplyTo every account may use.
const GLOBAL_REPLY_TO: &str = "csoft.co.uk";
/// Where message identifiers start: eight hex digits, like the vendor's.
const FIRST_IDENTIFIER: u32 = 0x302B_4600;
/// faultstring of the answer to an account query with a wrong Username or PIN.
pub(crate) const INVALID_LOGIN: &str = "Invalid login";

/// An HTTP answer: status and SOAP envelope.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: String,
}

impl Reply {
    /// A SOAP Fault blaming the server (`soap:Server`), with HTTP 500 as SOAP 1.1 sends
    /// every Fault.
    pub(crate) fn server_fault(reason: impl Into<String>) -> Self {
        Outgoing::fault(
            soap_runtime::SoapVersion::Soap11,
            None,
            &SoapFault::<NoFault>::server(reason),
        )
        .into()
    }
}

impl From<Outgoing> for Reply {
    fn from(outgoing: Outgoing) -> Self {
        Self {
            status: StatusCode::from_u16(outgoing.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: outgoing.body,
        }
    }
}

/// What an operation of the simulated gateway answers: its output, or a SOAP Fault.
pub(crate) type Answer<T> = Result<T, SoapFault<NoFault>>;

/// Requests and connections seen by one listener.
#[derive(Debug, Default)]
struct Counts {
    connections: u64,
    requests: u64,
    by_operation: BTreeMap<String, u64>,
}

/// Everything that changes while the simulator runs, behind one lock: the requests are short
/// and never wait while holding it.
#[derive(Debug)]
struct State {
    config: SimulatorConfig,
    next_identifier: u32,
    submissions: Vec<Submission>,
    counts: BTreeMap<SocketAddr, Counts>,
}

/// The state shared by every listener of one simulator.
#[derive(Debug)]
pub(crate) struct Gateway {
    state: Mutex<State>,
    /// Delivery receipts posted for accepted messages (behind a lock of its own: posting
    /// happens after the request, in tasks of its own).
    receipts: Arc<Outbox>,
    /// The Clickatell side: accounts and sessions of its own, behind a lock of its own.
    clickatell: super::clickatell::Service,
}

impl Gateway {
    pub(crate) fn new(config: SimulatorConfig) -> Self {
        Self {
            clickatell: super::clickatell::Service::new(config.clickatell.clone()),
            state: Mutex::new(State {
                config,
                next_identifier: FIRST_IDENTIFIER,
                submissions: Vec::new(),
                counts: BTreeMap::new(),
            }),
            receipts: Arc::default(),
        }
    }

    pub(crate) fn clickatell(&self) -> &super::clickatell::Service {
        &self.clickatell
    }

    pub(crate) fn delivery_receipts(&self) -> Vec<PostedReceipt> {
        self.receipts.posted()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state as consistent as any
        // single request leaves it; keep serving rather than fail every later request.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn count_connection(&self, server: SocketAddr) {
        self.lock().counts.entry(server).or_default().connections += 1;
    }

    /// Counts one request on `server`, under its operation when it could be found.
    pub(crate) fn count_request(&self, server: SocketAddr, operation: Option<&str>) {
        let mut state = self.lock();
        let counts = state.counts.entry(server).or_default();
        counts.requests += 1;
        if let Some(operation) = operation {
            *counts.by_operation.entry(operation.to_owned()).or_default() += 1;
        }
    }

    pub(crate) fn connections(&self, server: SocketAddr) -> u64 {
        self.lock().counts.get(&server).map_or(0, |c| c.connections)
    }

    pub(crate) fn requests(&self, server: Option<SocketAddr>) -> u64 {
        let state = self.lock();
        state
            .counts
            .iter()
            .filter(|(addr, _)| server.is_none_or(|s| s == **addr))
            .map(|(_, c)| c.requests)
            .sum()
    }

    pub(crate) fn operation_requests(&self, server: Option<SocketAddr>, operation: &str) -> u64 {
        let state = self.lock();
        state
            .counts
            .iter()
            .filter(|(addr, _)| server.is_none_or(|s| s == **addr))
            .filter_map(|(_, c)| c.by_operation.get(operation))
            .sum()
    }

    pub(crate) fn submissions(&self, server: Option<SocketAddr>) -> Vec<Submission> {
        let state = self.lock();
        state
            .submissions
            .iter()
            .filter(|s| server.is_none_or(|addr| addr == s.server))
            .cloned()
            .collect()
    }

    pub(crate) fn deliveries_to(&self, number: &str) -> usize {
        let state = self.lock();
        state
            .submissions
            .iter()
            .flat_map(|s| &s.recipients)
            .filter(|r| r.accepted && r.number == number)
            .count()
    }

    pub(crate) fn credit(&self, username: &str) -> Option<Decimal> {
        let state = self.lock();
        let account = state
            .config
            .accounts
            .iter()
            .find(|a| a.username == username);
        account.map(|a| a.credit)
    }

    pub(crate) fn set_credit(&self, username: &str, credit: Decimal) -> bool {
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
        let username = request.username.as_ref().map(|u| u.get().as_str());
        let pin = request.pin.as_ref().map(|p| p.get().as_str());
        let recipient = request.recipient.unwrap_or_default();
        let message = request.message.unwrap_or_default();
        let text = message.text_message.or(message.flash_message);

        let mut state = self.lock();
        let account = state.config.login(username, pin);
        let mut numbers = split_numbers(recipient.send_to.as_deref());
        // An address book can only be read once the account is known; with a wrong login the
        // numbers listed in SendTo are all there is to answer for.
        if let (Some(book), Some(index)) = (recipient.send_to_address_book.as_deref(), account) {
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
            text: Some(join(recipients.iter().map(|r| r.text.clone()))),
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
            reply_to: request.reply_to,
            recipients,
        });
        Ok(response)
    }

    fn credit_of(&self, request: AvailableCredit) -> Answer<AvailableCreditResponse> {
        let username = request.username.as_ref().map(|u| u.get().as_str());
        let pin = request.pin.as_ref().map(|p| p.get().as_str());
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
        let username = request.username.as_ref().map(|u| u.get().as_str());
        let pin = request.pin.as_ref().map(|p| p.get().as_str());
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
        let username = request.username.as_ref().map(|u| u.get().as_str());
        let pin = request.pin.as_ref().map(|p| p.get().as_str());
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
        let login = state
            .config
            .login(request.username.as_deref(), request.pin.as_deref());
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
        let group = request.address_book_group_name.as_deref();
        let item = account
            .address_books
            .iter()
            .filter(|(name, _)| {
                request
                    .address_book_name
                    .as_deref()
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

impl SimulatorConfig {
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
        let server = listener(&request);
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

/// The listener a request came in on: the simulator's HTTP layer always sets it.
pub(crate) fn listener<O: soap_runtime::Operation>(request: &Request<O>) -> SocketAddr {
    request
        .context
        .local_addr
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
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
        given_name: contact.given_name.clone(),
        family_name: contact.family_name.clone(),
        mobile_number: contact.mobile_number.clone(),
        group: contact.group.clone(),
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
