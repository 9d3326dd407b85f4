//! Connection Software's SMS gateway: its SOAP API (sendsms5) and its HTTP API, its report
//! codes, its account queries, its delivery receipts, and its simulated gateway.
//!
//! * [`Client`] sends messages ([`Message`], with the gateway's own options: a delivery
//!   service, a ReplyTo, an address book) and queries the account, through the client
//!   generated from the vendor's WSDL.
//! * [`ReportCode`] types the gateway's report codes.
//! * [`http_api`] sends the same messages through the form-encoded HTTP API ([`Api::Http`]),
//!   with the same outcomes and failover rules.
//! * [`receipts`] (feature `receipts`) is a server for the gateway's real-time delivery
//!   receipts, on the server generated from `wsdl/deliveryreceipt.wsdl`.
//! * [`simulated`] (feature `simulator`) is the gateway, simulated.

mod client;
mod codes;
mod credentials;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod http_api;
mod lists;
mod message;
#[cfg(feature = "receipts")]
pub mod receipts;
#[cfg(feature = "simulator")]
pub mod simulated;

pub use self::client::{
    default_endpoints, push_response, Api, Client, ClientBuilder, MAX_RECIPIENTS_PER_REQUEST,
};
pub use self::codes::ReportCode;
pub use self::credentials::{Credentials, InvalidCredentials, MAX_CREDENTIAL_LENGTH};
pub use self::lists::{ListMismatch, MAX_OUTCOMES_WITHOUT_NUMBERS};
pub use self::message::{AddressBook, Delivery, Message};
use crate::core::QueryError;
use crate::registry::{BoxFuture, Query, Setting, Settings, SettingsError, Vendor};

/// Connection Software, as `sendsms --vendor csoft` names it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csoft;

const USERNAME: Setting =
    Setting::new("username", "The account's Username", "U").env("SENDSMS_USERNAME");
const PIN: Setting = Setting::new("pin", "The account's PIN", "P")
    .env("SENDSMS_PIN")
    .secret();
const API: Setting = Setting::new(
    "api",
    "The API to send through: soap (every command) or http (the form-encoded HTTP API, \
     send only); the default endpoints are that API's servers",
    "soap|http",
)
.env("SENDSMS_API");
const DELIVERY: Setting = Setting::new(
    "delivery",
    "The delivery service",
    "default|premier|economy",
)
.per_message();
const REPLY_TO: Setting = Setting::new(
    "reply-to",
    "Where replies should go (if the account may set it)",
    "X",
)
.per_message();
const SETTINGS: &[Setting] = &[USERNAME, PIN, API, DELIVERY, REPLY_TO];

const QUERIES: &[Query] = &[
    Query::new(
        "messages",
        "Show how many premier messages the credit pays for",
    ),
    Query::new("reply-to", "List the ReplyTo values the account may use"),
];

impl Vendor for Csoft {
    const NAME: &'static str = "csoft";
    const TITLE: &'static str = "Connection Software";
    type Gateway = Client;
    #[cfg(feature = "simulator")]
    type Simulated = simulated::Gateway;

    fn settings() -> &'static [Setting] {
        SETTINGS
    }

    fn client(settings: &Settings) -> Result<Client, SettingsError> {
        let invalid = |setting: &Setting, reason: String| SettingsError::Invalid {
            name: setting.name,
            reason,
        };
        let credentials = Credentials::new(settings.require(&USERNAME)?, settings.require(&PIN)?)
            .map_err(|e| invalid(&USERNAME, e.to_string()))?;
        let api = match settings.get(API.name) {
            None | Some("soap") => Api::Soap,
            Some("http") => Api::Http,
            Some(other) => return Err(invalid(&API, format!("{other:?} is not soap or http"))),
        };
        let mut builder = Client::builder(credentials)
            .api(api)
            .endpoints(settings.endpoints(api.default_endpoints()));
        if let Some((timeout, connect)) = settings.timeouts() {
            builder = builder.timeout(timeout).connect_timeout(connect);
        }
        builder
            .build()
            .map_err(|e| invalid(&API, format!("cannot set up the client: {e}")))
    }

    fn message(
        message: crate::core::Message,
        settings: &Settings,
    ) -> Result<Message, SettingsError> {
        let mut message = Message::from(message);
        if let Some(delivery) = settings.get(DELIVERY.name) {
            message = message.delivery(match delivery {
                "default" => Delivery::Default,
                "premier" => Delivery::Premier,
                "economy" => Delivery::Economy,
                other => {
                    return Err(SettingsError::Invalid {
                        name: DELIVERY.name,
                        reason: format!("{other:?} is not default, premier or economy"),
                    })
                }
            });
        }
        if let Some(reply_to) = settings.get(REPLY_TO.name) {
            message = message.reply_to(reply_to);
        }
        Ok(message)
    }

    fn queries() -> &'static [Query] {
        QUERIES
    }

    fn query<'a>(
        gateway: &'a Client,
        name: &str,
    ) -> BoxFuture<'a, Result<Vec<String>, QueryError>> {
        match name {
            "messages" => Box::pin(async move {
                gateway
                    .available_messages()
                    .await
                    .map(|messages| vec![messages.to_string()])
            }),
            "reply-to" => Box::pin(gateway.permitted_reply_to()),
            other => {
                let error =
                    QueryError::NotOffered(format!("Connection Software has no query {other}"));
                Box::pin(async move { Err(error) })
            }
        }
    }
}
