//! The gateway's behaviour, apart from HTTP: reading a request with the generated bindings,
//! answering it from the shared state, and writing the answer with the generated bindings.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;
use rust_decimal::Decimal;
use soap_runtime::envelope::{
    read_request, write_fault, write_response, EnvelopeError, Fault as SoapFault,
};
use soap_runtime::{DateTime, Nillable, NoFault, Operation, SoapVersion, XmlReader};

use super::config::{Account, Contact, Report, SimulatorConfig};
use super::receipts::{Outbox, PostedReceipt};
use super::{RecipientResult, Submission};
use crate::generated::sendsms5::{
    service, AddressBookEntry, AddressBookEntryList, AvailableCredit, AvailableCreditResponse,
    AvailableCreditResponseCurrency, AvailableMessages, AvailableMessagesResponse, CollectMessages,
    CollectMessagesResponse, CollectedMessagesList, MobileMessengerVersion,
    MobileMessengerVersionResponse, PermittedReplyTo, PermittedReplyToResponse, QueryAddressBook,
    QueryAddressBookResponse, Reserved, SubmitMessage, SubmitMessageResponse,
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
    fn ok(body: String) -> Self {
        Self {
            status: StatusCode::OK,
            body,
        }
    }

    fn fault(code: &str, reason: impl Into<String>) -> Self {
        let fault = SoapFault::<NoFault> {
            code: code.to_owned(),
            reason: reason.into(),
            actor: None,
            detail: None,
            raw_detail: Vec::new(),
        };
        // SOAP 1.1 sends every Fault with HTTP 500, whoever is to blame.
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: write_fault(SoapVersion::Soap11, &fault),
        }
    }

    /// A Fault blaming the request (`soap:Client`): `write_fault` binds the `soap` prefix.
    pub(crate) fn client_fault(reason: impl Into<String>) -> Self {
        Self::fault("soap:Client", reason)
    }

    /// A Fault blaming the server (`soap:Server`).
    pub(crate) fn server_fault(reason: impl Into<String>) -> Self {
        Self::fault("soap:Server", reason)
    }
}

/// The request's text and the local name of its body's element: what dispatch needs.
pub(crate) struct Peeked<'a> {
    pub(crate) xml: &'a str,
    pub(crate) operation: String,
}

/// Finds the operation a request is for, without reading the rest of it. An answer comes back
/// instead when the request is not a SOAP envelope with something in its body.
pub(crate) fn peek(body: &[u8]) -> Result<Peeked<'_>, Reply> {
    let xml = std::str::from_utf8(body)
        .map_err(|e| Reply::client_fault(format!("the request is not UTF-8: {e}")))?;
    let unreadable =
        |e: soap_runtime::ReadError| Reply::client_fault(format!("unreadable request: {e}"));
    let mut reader = XmlReader::new(xml);
    let mut envelope = reader.root().map_err(unreadable)?;
    if envelope.local_name() != "Envelope" {
        return Err(Reply::client_fault(format!(
            "the request is not a SOAP envelope but <{}>",
            envelope.local_name()
        )));
    }
    while let Some(mut child) = envelope.next_child().map_err(unreadable)? {
        if child.local_name() == "Body" {
            return match child.next_child().map_err(unreadable)? {
                Some(element) => Ok(Peeked {
                    xml,
                    operation: element.local_name().to_owned(),
                }),
                None => Err(Reply::client_fault("the SOAP Body is empty")),
            };
        }
    }
    Err(Reply::client_fault("the SOAP envelope has no Body"))
}

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

    /// Answers a request whose operation [`peek`] found.
    pub(crate) fn process(&self, server: SocketAddr, request: &Peeked<'_>) -> Reply {
        let xml = request.xml;
        match request.operation.as_str() {
            "SubmitMessage" => {
                run::<service::SubmitMessage>(xml, |input| self.submit_message(server, input))
            }
            "AvailableCredit" => run::<service::AvailableCredit>(xml, |i| self.available_credit(i)),
            "AvailableMessages" => {
                run::<service::AvailableMessages>(xml, |i| self.available_messages(i))
            }
            "PermittedReplyTo" => {
                run::<service::PermittedReplyTo>(xml, |i| self.permitted_reply_to(i))
            }
            "CollectMessages" => run::<service::CollectMessages>(xml, |i| self.collect_messages(i)),
            "MobileMessengerVersion" => {
                run::<service::MobileMessengerVersion>(xml, mobile_messenger_version)
            }
            "QueryAddressBook" => {
                run::<service::QueryAddressBook>(xml, |i| self.query_address_book(i))
            }
            other => Reply::client_fault(format!("unknown operation {other}")),
        }
    }

    /// Answers a SubmitMessage, from either API.
    pub(crate) fn submit_message(
        &self,
        server: SocketAddr,
        request: SubmitMessage,
    ) -> Result<SubmitMessageResponse, Reply> {
        let username = request.username.value().map(|u| u.get().as_str());
        let pin = request.pin.value().map(|p| p.get().as_str());
        let recipient = request.recipient.into_value().unwrap_or_default();
        let message = request.message.into_value().unwrap_or_default();
        let text = message
            .text_message
            .into_value()
            .or(message.flash_message.into_value());

        let mut state = self.lock();
        let account = state.config.login(username, pin);
        let mut numbers = split_numbers(recipient.send_to.value().map(String::as_str));
        // An address book can only be read once the account is known; with a wrong login the
        // numbers listed in SendTo are all there is to answer for.
        if let (Some(book), Some(index)) = (
            recipient.send_to_address_book.value().map(String::as_str),
            account,
        ) {
            numbers.extend(book_numbers(&state.config.accounts[index], book));
        }
        if numbers.is_empty() {
            return Err(Reply::client_fault(
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

    fn available_credit(&self, request: AvailableCredit) -> Result<AvailableCreditResponse, Reply> {
        let username = request.username.value().map(|u| u.get().as_str());
        let pin = request.pin.value().map(|p| p.get().as_str());
        let state = self.lock();
        let account = state.config.account(username, pin)?;
        let currency = AvailableCreditResponseCurrency::new(account.currency.clone())
            .map_err(|e| Reply::server_fault(format!("the account's currency is invalid: {e}")))?;
        // Four decimal places, as the vendor writes it (e.g. 2.8950).
        let mut credit = account.credit.round_dp(4);
        credit.rescale(4);
        Ok(AvailableCreditResponse {
            currency,
            credit: credit.to_string(),
            reserved: Some(Reserved::default()),
        })
    }

    fn available_messages(
        &self,
        request: AvailableMessages,
    ) -> Result<AvailableMessagesResponse, Reply> {
        let username = request.username.value().map(|u| u.get().as_str());
        let pin = request.pin.value().map(|p| p.get().as_str());
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

    fn permitted_reply_to(
        &self,
        request: PermittedReplyTo,
    ) -> Result<PermittedReplyToResponse, Reply> {
        let username = request.username.value().map(|u| u.get().as_str());
        let pin = request.pin.value().map(|p| p.get().as_str());
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

    fn collect_messages(&self, request: CollectMessages) -> Result<CollectMessagesResponse, Reply> {
        let state = self.lock();
        let login = state.config.login(
            request.username.value().map(String::as_str),
            request.pin.value().map(String::as_str),
        );
        // This operation has a Report of its own, so a wrong login is a report code (2, as
        // for SubmitMessage) rather than a Fault.
        Ok(CollectMessagesResponse {
            report: if login.is_some() { 0 } else { 2 },
            message_list: CollectedMessagesList::default(),
        })
    }

    fn query_address_book(
        &self,
        request: QueryAddressBook,
    ) -> Result<QueryAddressBookResponse, Reply> {
        let state = self.lock();
        let account = state
            .config
            .account(Some(&request.username), Some(&request.pin))?;
        let group = request.address_book_group_name.value().map(String::as_str);
        let item = account
            .address_books
            .iter()
            .filter(|(name, _)| {
                request
                    .address_book_name
                    .value()
                    .is_none_or(|wanted| wanted == *name)
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
    fn account(&self, username: Option<&str>, pin: Option<&str>) -> Result<&Account, Reply> {
        match self.login(username, pin) {
            Some(index) => Ok(&self.accounts[index]),
            None => Err(Reply::client_fault(INVALID_LOGIN)),
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

/// Reads the request as operation `O`, lets `answer` handle it, and writes the answer as `O`'s
/// response: both directions go through the generated bindings.
pub(crate) fn run<O: Operation>(
    xml: &str,
    answer: impl FnOnce(O::Input) -> Result<O::Output, Reply>,
) -> Reply {
    let input = match read_request::<O>(xml) {
        Ok(received) => received.body,
        Err(EnvelopeError::Read(e)) => {
            return Reply::client_fault(format!("cannot read {}: {e}", O::INFO.name))
        }
        Err(EnvelopeError::Fault(_)) => {
            return Reply::client_fault("a request cannot be a SOAP Fault");
        }
    };
    match answer(input) {
        Ok(output) => Reply::ok(write_response::<O>(&output, &Default::default())),
        Err(reply) => reply,
    }
}

fn mobile_messenger_version(
    _request: MobileMessengerVersion,
) -> Result<MobileMessengerVersionResponse, Reply> {
    let release_date = DateTime::new("2012-01-25T10:18:00Z")
        .map_err(|e| Reply::server_fault(format!("release date: {e}")))?;
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

    #[test]
    fn peek_finds_the_body_element() {
        let xml = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/><s:Body><m:AvailableCredit xmlns:m="x"/></s:Body></s:Envelope>"#;
        let peeked = peek(xml.as_bytes()).map_err(|r| r.body).unwrap();
        assert_eq!(peeked.operation, "AvailableCredit");
        assert!(peek(b"<oops").is_err());
        assert!(peek(&[0xff, 0xfe]).is_err());
        assert!(peek(b"<a/>").is_err());
    }
}
