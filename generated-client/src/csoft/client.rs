//! The Connection Software client: messages sent through the SOAP API (sendsms5) or the
//! HTTP API, one outcome per recipient, and the account queries, over the client generated
//! from the vendor's WSDL.

use std::time::Duration;

use rust_decimal::Decimal;
use soap_runtime::client::{CallError, ConfigError, SoapClient};
use soap_runtime::{Nillable, NoFault};

use super::codes::ReportCode;
use super::credentials::Credentials;
use super::http_api::{self, HttpApiResponse};
use super::lists::{push_lists, ListMismatch};
use super::message::{AddressBook, Delivery, Message};
use crate::core::{
    Content, Credit, QueryError, Request, RequestError, ResponseMismatch, Schedule, SendError,
    SendReport, Sending, SmsGateway,
};
use crate::generated::sendsms5::{self as wire, service};

/// The most numbers the documents suggest per request; more are split into several requests.
pub const MAX_RECIPIENTS_PER_REQUEST: usize = 350;
/// Which of the gateway's APIs a [`Client`] sends messages through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// The SOAP API (sendsms5): sends messages and queries the account.
    #[default]
    Soap,
    /// The HTTP API: a form-encoded POST (see [`super::http_api`]). It only sends
    /// messages: the account queries answer [`QueryError::NotOffered`].
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

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    credentials: Credentials,
    settings: soap_runtime::client::ClientBuilder,
    /// The endpoints given, if any; else the chosen API's servers.
    endpoints: Option<Vec<String>>,
    api: Api,
}

impl ClientBuilder {
    /// The endpoints to use, in order (the defaults are the chosen API's servers, primary
    /// then secondary: for SOAP, the WSDL's ports).
    pub fn endpoints(mut self, endpoints: Vec<String>) -> Self {
        self.endpoints = Some(endpoints);
        self
    }

    /// The API to send through ([`Api::Soap`] by default). Unless endpoints were given, the
    /// endpoints are that API's servers.
    pub fn api(mut self, api: Api) -> Self {
        self.api = api;
        self
    }

    /// How long to wait for a connection (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.connect_timeout(timeout);
        self
    }

    /// How long to wait for a whole call (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.timeout(timeout);
        self
    }

    /// How long an unreachable endpoint is skipped before it is tried again (60 s by default).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.settings = self.settings.cooldown(cooldown);
        self
    }

    /// The largest answer read (16 MiB by default); a larger one is an unknown outcome.
    pub fn max_answer_bytes(mut self, bytes: usize) -> Self {
        self.settings = self.settings.max_answer_bytes(bytes);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let endpoints = self
            .endpoints
            .unwrap_or_else(|| self.api.default_endpoints());
        Ok(Client {
            soap: service::ServiceClient::new(self.settings.endpoints(endpoints).build()?),
            credentials: self.credentials,
            api: self.api,
        })
    }
}

/// A client for the Connection Software gateway: the SOAP API, or the HTTP API for sending.
#[derive(Debug)]
pub struct Client {
    /// The generated client, over the endpoints of the chosen API (whose form posts go
    /// through the same `SoapClient`).
    soap: service::ServiceClient,
    credentials: Credentials,
    api: Api,
}

/// One request's answer, whatever the API.
pub(super) enum Answered {
    Soap(wire::SubmitMessageResponse),
    Http(HttpApiResponse),
}

impl Answered {
    /// Adds the outcomes to `report`: both APIs' lists go through the same [`push_lists`].
    pub(super) fn add_to(
        &self,
        report: &mut SendReport<ReportCode>,
        recipients: Option<&[String]>,
    ) -> Result<(), ResponseMismatch> {
        match self {
            Self::Soap(response) => push_response(report, recipients, response),
            Self::Http(HttpApiResponse::Lists {
                message_identifier,
                report: codes,
                text,
            }) => push_lists(
                report,
                recipients,
                message_identifier,
                codes,
                text.as_deref(),
            ),
            Self::Http(HttpApiResponse::Legacy { code, text }) => Err(ListMismatch::Legacy {
                code: *code,
                text: text.clone(),
            }
            .into()),
        }
    }
}

/// Reads a SubmitMessageResponse into one outcome per recipient, added to `report` in the order
/// of `numbers`, as [`Client::send`] reads each answer: `numbers` are those of the request it
/// answers, or `None` for a send to an address book alone, whose recipients the gateway names.
///
/// For answers got without a [`Client`]: a call made with the generated client itself, or a
/// response kept from earlier.
pub fn push_response(
    report: &mut SendReport<ReportCode>,
    numbers: Option<&[String]>,
    response: &wire::SubmitMessageResponse,
) -> Result<(), ResponseMismatch> {
    push_lists(
        report,
        numbers,
        &response.message_identifier,
        &response.report,
        response.text.as_deref().into_value(),
    )
}

impl Client {
    /// A builder for the SOAP API with the WSDL's endpoints and the default timeouts.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            settings: SoapClient::builder(),
            endpoints: None,
            api: Api::Soap,
        }
    }

    /// The API this client sends through.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The endpoints, in order of preference.
    pub fn endpoints(&self) -> &[String] {
        self.soap.soap_client().endpoints()
    }

    /// Sends a message: validated first (nothing is sent if it is invalid), then in requests
    /// of at most 350 numbers, one after another, so that if one fails the later ones are not
    /// sent and the report says exactly which recipients are in which state.
    ///
    /// No request is ever sent twice, to the same endpoint or another: see
    /// [`soap_runtime::client`] for when a request moves on to the next endpoint. A report
    /// code is never retried. When a response reports an account failure (invalid login, out
    /// of credit) and more requests remain, they are not sent: they would fail the same way.
    /// [`Client::sending`] sends several requests at once, and reports progress.
    pub async fn send(
        &self,
        message: &Message,
    ) -> Result<SendReport<ReportCode>, SendError<ReportCode>> {
        crate::core::send(self, message).await
    }

    /// A send through this client to set up: requests in flight, progress.
    pub fn sending(&self) -> Sending<'_, Self> {
        Sending::new(self)
    }

    /// Sends one request, through the client's API.
    async fn submit(
        &self,
        message: &Message,
        numbers: &[String],
        book: Option<&AddressBook>,
    ) -> Result<Answered, CallError<NoFault>> {
        match self.api {
            Api::Soap => {
                let request = self.submit_request(message, numbers, book);
                self.soap.submit_message(&request).await.map(Answered::Soap)
            }
            Api::Http => {
                let form = http_api::submit_form(&self.credentials, message, numbers, book);
                http_api::submit(self.soap.soap_client(), &form)
                    .await
                    .map(Answered::Http)
            }
        }
    }

    /// Account queries are SOAP operations: through the HTTP API there are none.
    fn soap_only(&self) -> Result<(), QueryError> {
        match self.api {
            Api::Soap => Ok(()),
            Api::Http => Err(QueryError::NotOffered(
                "the HTTP API only sends messages: account queries need the SOAP API".to_owned(),
            )),
        }
    }

    /// The SubmitMessage request for some of a message's numbers (and, for the first
    /// request, its address book).
    pub fn submit_request(
        &self,
        message: &Message,
        numbers: &[String],
        book: Option<&AddressBook>,
    ) -> wire::SubmitMessage {
        let (text, flash) = match message.message().content() {
            Content::Flash(text) => (None, Some(text.clone())),
            content => (Some(content.text().to_owned()), None),
        };
        let (delay, at) = match message.message().when() {
            Some(Schedule::After(minutes)) => (Some(minutes), None),
            Some(Schedule::At(at)) => (None, Some(at)),
            _ => (None, None),
        };
        let options = wire::SendOptions {
            send_time_absolute: Nillable::absent_if_none(at.and_then(|at| {
                soap_runtime::DateTime::new(&at.format("%Y-%m-%dT%H:%M:%SZ").to_string()).ok()
            })),
            send_time_delay: Nillable::absent_if_none(
                delay.and_then(|m| wire::SendOptionsSendTimeDelay::new(m).ok()),
            ),
            delivery_option: message.delivery_service().map(|d| match d {
                Delivery::Premier => wire::DeliveryOption::Premier,
                Delivery::Economy => wire::DeliveryOption::Economy,
                _ => wire::DeliveryOption::Default,
            }),
            ..Default::default()
        };
        let has_options = options != wire::SendOptions::default();
        wire::SubmitMessage {
            username: Nillable::absent_if_none(
                wire::SubmitMessageUsername::new(self.credentials.username().to_owned()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::SubmitMessagePin::new(self.credentials.pin().to_owned()).ok(),
            ),
            recipient: Nillable::Value(wire::Recipient {
                send_to: Nillable::absent_if_none((!numbers.is_empty()).then(|| numbers.join(","))),
                send_to_address_book: Nillable::absent_if_none(book.map(
                    |book| match &book.group {
                        Some(group) => format!("{}::{group}", book.name),
                        None => book.name.clone(),
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
            reply_to: Nillable::absent_if_none(message.reply_to_value().map(str::to_owned)),
            ..Default::default()
        }
    }

    /// The credit on the account.
    pub async fn available_credit(&self) -> Result<Credit, QueryError> {
        self.soap_only()?;
        let request = wire::AvailableCredit {
            username: Nillable::absent_if_none(
                wire::AvailableCreditUsername::new(self.credentials.username().to_owned()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::AvailableCreditPin::new(self.credentials.pin().to_owned()).ok(),
            ),
        };
        let response = self.soap.available_credit(&request).await?;
        let amount = response.credit.trim().parse::<Decimal>().map_err(|_| {
            QueryError::Unexpected(format!(
                "Credit {:?} is not a decimal number",
                response.credit
            ))
        })?;
        Ok(Credit::new(response.currency.get().trim(), amount))
    }

    /// The approximate number of premier messages the credit pays for.
    pub async fn available_messages(&self) -> Result<u64, QueryError> {
        self.soap_only()?;
        let request = wire::AvailableMessages {
            username: Nillable::absent_if_none(
                wire::AvailableMessagesUsername::new(self.credentials.username().to_owned()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::AvailableMessagesPin::new(self.credentials.pin().to_owned()).ok(),
            ),
        };
        let response = self.soap.available_messages(&request).await?;
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
                wire::PermittedReplyToUsername::new(self.credentials.username().to_owned()).ok(),
            ),
            pin: Nillable::absent_if_none(
                wire::PermittedReplyToPin::new(self.credentials.pin().to_owned()).ok(),
            ),
        };
        let response = self.soap.permitted_reply_to(&request).await?;
        Ok(split_list(&response.permitted_reply_to))
    }

    /// Messages sent to the account's numbers, waiting to be collected.
    pub async fn collect_messages(&self) -> Result<Vec<wire::MoMessage>, QueryError> {
        self.soap_only()?;
        let request = wire::CollectMessages {
            username: Nillable::Value(self.credentials.username().to_owned()),
            pin: Nillable::Value(self.credentials.pin().to_owned()),
        };
        let response = self.soap.collect_messages(&request).await?;
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
            username: self.credentials.username().to_owned(),
            pin: self.credentials.pin().to_owned(),
            address_book_name: Nillable::absent_if_none(book.map(str::to_owned)),
            address_book_group_name: Nillable::absent_if_none(group.map(str::to_owned)),
        };
        let response = self.soap.query_address_book(&request).await?;
        Ok(response.address_book_entry_list.item)
    }
}

impl SmsGateway for Client {
    type Code = ReportCode;
    type Message = Message;

    fn vendor(&self) -> &'static str {
        "Connection Software"
    }

    fn recipients_per_request(&self) -> usize {
        MAX_RECIPIENTS_PER_REQUEST
    }

    fn endpoints(&self) -> &[String] {
        Client::endpoints(self)
    }

    async fn send_request(
        &self,
        message: &Message,
        request: Request<'_>,
    ) -> Result<SendReport<ReportCode>, RequestError> {
        // The address book goes with the first request only (the only one, when the message
        // names no numbers).
        let book = message.book().filter(|_| request.index == 0);
        let answer = self.submit(message, request.numbers, book).await?;
        let mut report = SendReport::default();
        let recipients = book.is_none().then_some(request.numbers);
        answer.add_to(&mut report, recipients)?;
        Ok(report)
    }

    async fn credit(&self) -> Result<Credit, QueryError> {
        self.available_credit().await
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

    #[test]
    fn requests_carry_the_options() {
        let client = Client::builder(Credentials::new("user", "1234").unwrap())
            .build()
            .unwrap();
        let message = Message::flash("hello", ["447700912345"])
            .delay_minutes(30)
            .delivery(Delivery::Economy)
            .reply_to("csoft.co.uk")
            .address_book("Friends", Some("Close".into()));
        let request = client.submit_request(
            &message,
            &["447700912345".into(), "447700912346".into()],
            message.book(),
        );
        let recipient = request.recipient.into_value().unwrap();
        assert_eq!(
            recipient.send_to.as_deref().into_value(),
            Some("447700912345,447700912346")
        );
        assert_eq!(
            recipient.send_to_address_book.as_deref().into_value(),
            Some("Friends::Close")
        );
        let options = recipient.send_options.into_value().unwrap();
        assert_eq!(
            options.send_time_delay.into_value().map(|d| *d.get()),
            Some(30)
        );
        assert_eq!(options.delivery_option, Some(wire::DeliveryOption::Economy));
        assert_eq!(
            request
                .message
                .into_value()
                .unwrap()
                .flash_message
                .as_deref()
                .into_value(),
            Some("hello")
        );
        assert_eq!(
            request.reply_to.as_deref().into_value(),
            Some("csoft.co.uk")
        );
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
