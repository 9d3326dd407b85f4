//! A client for Clickatell's rpc/encoded SOAP API
//! (`http://api.clickatell.com/soap/webservice.php`), over the bindings generated from
//! `wsdl/clickatell.wsdl`: Clickatell's vendor layer, and nothing more.
//!
//! What every vendor shares comes from [`crate::core`]: the
//! [`SendReport`](crate::core::SendReport) of per-recipient outcomes and their
//! [`ReportClass`](crate::core::ReportClass), the shared send (its requests, their
//! bookkeeping, the stop rules), the [`Message`] and its validation;
//! and from the generated client, the failover and never-resend rules of
//! [`soap_runtime::client`]. What is Clickatell's is here:
//!
//! * requests: `sendmsg` with the message's text, at most [`RECIPIENTS_PER_REQUEST`] numbers
//!   each; `concat` for a text longer than one SMS, `msg_type` `SMS_FLASH` for a flash
//!   message, `deliv_time` for a delay or a send time;
//! * answers: one line per recipient, `ID: <apimsgid>` or `ERR: <code>, <text>` (with
//!   `To: <number>` when there are several), read into a [`Code`]; `Credit: <amount>` for
//!   `getbalance`, `ID: <apimsgid> Status: <code>` for `querymsg` ([`MessageStatus`]);
//! * sessions, below.
//!
//! # Sessions
//!
//! The client logs in with `auth` (api_id, user and password) when it first needs to, and
//! passes the session id it answers on every later call: one session serves all the calls of
//! a [`Client`], concurrent ones included. Clickatell ends a session after a spell without
//! use (15 minutes); [`Client::ping`] keeps one alive.
//!
//! When a call's answer is made of session errors only (every line `ERR: 001`,
//! authentication failed; `003`, session expired; or `005`, missing session id), the client
//! forgets the session, logs in again, and makes the call once more with the new session:
//! once, so that a second refusal is the answer. If the login itself fails, the request fails
//! with [`RequestError::NoSession`](crate::core::RequestError::NoSession) (nothing of it was
//! sent), or, when `auth` answered an error (a wrong password, a frozen account), that error
//! is the outcome of every recipient.
//!
//! # What is never sent twice
//!
//! A `sendmsg` is made a second time in that one case only, and at most once: Clickatell checks
//! the login before anything else and raises these errors before it accepts any message (no
//! message is charged for them), so an answer of nothing but session errors proves that no
//! message of the request went out, and sending it again with a valid session cannot deliver
//! one twice. Every other answer is final and never resent: `ID:` lines, any mix of `ID:` and
//! `ERR:` lines, any other error (002 unknown user, 004 frozen account, 105 bad number, 301 no
//! credit, ...), a SOAP Fault, an unreadable answer, and, by the SOAP client's rules, a request
//! whose outcome is unknown. The queries (`auth`, `getbalance`, `querymsg`, `ping`) change
//! nothing at the gateway and follow the same session rule.

mod client;
mod codes;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod reply;
#[cfg(feature = "simulator")]
pub mod simulated;

use crate::core::Message;
use crate::registry::{Setting, Settings, SettingsError, Vendor};

pub use self::client::{
    default_endpoints, Client, Credentials, EmptyCredential, RECIPIENTS_PER_REQUEST,
};
pub use self::codes::{Code, ErrorCode, MessageStatus};

/// Clickatell, as `sendsms --vendor clickatell` names it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clickatell;

const API_ID: Setting =
    Setting::new("api-id", "The api_id of the account's SOAP API", "N").env("SENDSMS_API_ID");
const USER: Setting =
    Setting::new("username", "The account's user name", "U").env("SENDSMS_USERNAME");
const PASSWORD: Setting = Setting::new("password", "The account's password", "P")
    .env("SENDSMS_PASSWORD")
    .secret();
const SETTINGS: &[Setting] = &[API_ID, USER, PASSWORD];

impl Vendor for Clickatell {
    const NAME: &'static str = "clickatell";
    const TITLE: &'static str = "Clickatell";
    type Gateway = Client;
    #[cfg(feature = "simulator")]
    type Simulated = simulated::Gateway;

    fn settings() -> &'static [Setting] {
        SETTINGS
    }

    fn client(settings: &Settings) -> Result<Client, SettingsError> {
        let api_id = settings.require(&API_ID)?;
        let api_id = api_id.trim().parse().map_err(|_| SettingsError::Invalid {
            name: API_ID.name,
            reason: format!("{api_id:?} is not a whole number"),
        })?;
        let credentials = Credentials::new(
            api_id,
            settings.require(&USER)?,
            settings.require(&PASSWORD)?,
        )
        .map_err(|e| SettingsError::Invalid {
            name: PASSWORD.name,
            reason: e.to_string(),
        })?;
        Client::new(credentials, settings.soap_client(default_endpoints())).map_err(|e| {
            SettingsError::Invalid {
                name: API_ID.name,
                reason: format!("cannot set up the client: {e}"),
            }
        })
    }

    fn message(message: Message, _settings: &Settings) -> Result<Message, SettingsError> {
        Ok(message)
    }
}
