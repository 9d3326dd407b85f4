//! What the simulated gateway knows before it starts: accounts, report codes, address books;
//! and what `sendsms simulate` says about it.
//!
//! Plain data with public fields, so that a test sets what it needs on a `default()` (or
//! `new`) value and `sendsms simulate` can read one from JSON; `#[non_exhaustive]`, so that a
//! field can be added without breaking anyone.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::SocketAddr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::receipts::ReceiptTarget;

/// The path of the SOAP API, like the vendor's `/sendsms5`.
pub const PATH: &str = "/sendsms5";
/// The demo account's Username.
pub const DEMO_USERNAME: &str = "demo";
/// The demo account's PIN.
pub const DEMO_PIN: &str = "demo1234";
/// A number the demo gateway answers with report 8 (blacklisted), to see a rejection.
pub const DEMO_BLACKLISTED: &str = "447700900666";

/// The gateway's configuration: its accounts and the report codes it answers with.
///
/// `Default` is a gateway without accounts whose accepted messages get report -2. In JSON
/// (the `csoft` member of a simulator's configuration) every field may be left out, and
/// amounts are best written as strings, which keep them exact:
///
/// ```json
/// {
///   "accounts": [{ "username": "ANOther.61234", "pin": "123456", "credit": "2.8950" }],
///   "number_reports": { "447700900666": { "code": 6, "text": "Barred" } }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The accounts that may log in, each with its own credit.
    pub accounts: Vec<Account>,
    /// Report codes for particular numbers (full international format, digits only), used
    /// instead of [`accepted_report`](Self::accepted_report) for a message to that number.
    ///
    /// A code of 0 or below still means "accepted": the message is paid for (and answered 15
    /// when the credit does not cover it). A positive code is a rejection: nothing is charged.
    pub number_reports: BTreeMap<String, Report>,
    /// The report for a message the gateway accepted. The vendor's code for this is -2: the
    /// message has been received for processing and is queued.
    pub accepted_report: Report,
}

impl Config {
    /// One account, [`DEMO_USERNAME`] / [`DEMO_PIN`], with 10.0000 GBP of credit at 0.05 a
    /// message and `447700900123` as an extra ReplyTo; [`DEMO_BLACKLISTED`] is answered with
    /// report 8.
    pub fn demo() -> Self {
        let mut account = Account::new(DEMO_USERNAME, DEMO_PIN);
        account.permitted_reply_to = vec!["447700900123".to_owned()];
        Self {
            accounts: vec![account],
            number_reports: [(
                DEMO_BLACKLISTED.to_owned(),
                Report::new(8, "Blacklisted number"),
            )]
            .into(),
            ..Self::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            number_reports: BTreeMap::new(),
            accepted_report: Report::new(-2, "Accepted: message queued"),
        }
    }
}

/// The banner lines of `sendsms simulate`: URLs, accounts, special numbers, and the lines to
/// paste.
pub(super) fn describe(
    config: &Config,
    listeners: &[SocketAddr],
    out: &mut dyn Write,
) -> io::Result<()> {
    let url = |addr: &SocketAddr, path: &str| format!("http://{addr}{path}");
    let (Some(primary), secondary) = (listeners.first(), listeners.get(1)) else {
        return Ok(());
    };
    writeln!(out, "Simulated Connection Software gateway (loopback only)")?;
    writeln!(out, "  primary:   {}", url(primary, PATH))?;
    if let Some(secondary) = secondary {
        writeln!(out, "  secondary: {}", url(secondary, PATH))?;
    }
    writeln!(
        out,
        "  http api:  {}",
        url(primary, crate::csoft::http_api::PATH)
    )?;
    for account in &config.accounts {
        writeln!(
            out,
            "  account:   Username {}, PIN {}, credit {} {} ({} a message){}",
            account.username,
            account.pin,
            four_places(account.credit),
            account.currency,
            account.message_cost,
            if account.test { ", test account" } else { "" },
        )?;
        if let Some(receipts) = &account.delivery_receipts {
            writeln!(
                out,
                "  receipts:  posted to {} for every message accepted",
                receipts.url
            )?;
        }
    }
    for (number, report) in &config.number_reports {
        writeln!(
            out,
            "  number:    {number} is answered {} ({})",
            report.code, report.text
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Point sendsms at it (paste into another shell):")?;
    writeln!(out, "export SENDSMS_PRIMARY={}", url(primary, PATH))?;
    match secondary {
        Some(secondary) => writeln!(out, "export SENDSMS_SECONDARY={}", url(secondary, PATH))?,
        // A secondary left over from earlier would send to another gateway.
        None => writeln!(out, "unset SENDSMS_SECONDARY")?,
    }
    if let Some(account) = config.accounts.first() {
        writeln!(out, "export SENDSMS_USERNAME={}", account.username)?;
        writeln!(out, "export SENDSMS_PIN={}", account.pin)?;
    }
    Ok(())
}

/// An amount as the gateway writes credit: four decimal places.
pub(super) fn four_places(amount: Decimal) -> Decimal {
    let mut amount = amount.round_dp(4);
    amount.rescale(4);
    amount
}

/// One account on the gateway.
///
/// `Default` (and [`Account::new`]) gives 10 GBP of credit, 0.05 a message, no extra ReplyTo
/// values, no address books, and an ordinary (not test) account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Account {
    /// The Username (case-sensitive).
    pub username: String,
    /// The PIN (case-sensitive).
    pub pin: String,
    /// The credit left, exactly. Each message the gateway accepts takes
    /// [`message_cost`](Self::message_cost) off it.
    pub credit: Decimal,
    /// ISO 4217 code of the credit's currency: three letters.
    pub currency: String,
    /// What one accepted message costs.
    pub message_cost: Decimal,
    /// ReplyTo values the account may use besides `csoft.co.uk`, which every account may use
    /// and which PermittedReplyTo always lists last.
    pub permitted_reply_to: Vec<String>,
    /// A test account answers 99 ("Test message succeeded") for every valid number and is never
    /// charged.
    pub test: bool,
    /// Address books by name, for QueryAddressBook and SendToAddressBook.
    pub address_books: BTreeMap<String, Vec<Contact>>,
    /// Where to post a delivery receipt for each message accepted for this account, if
    /// anywhere (a corporate account's setting).
    pub delivery_receipts: Option<ReceiptTarget>,
}

impl Account {
    /// An account with the given credentials and the defaults described on [`Account`].
    pub fn new(username: impl Into<String>, pin: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            pin: pin.into(),
            ..Self::default()
        }
    }
}

impl Default for Account {
    fn default() -> Self {
        Self {
            username: String::new(),
            pin: String::new(),
            credit: Decimal::new(10, 0),
            currency: "GBP".to_owned(),
            message_cost: Decimal::new(5, 2),
            permitted_reply_to: Vec::new(),
            test: false,
            address_books: BTreeMap::new(),
            delivery_receipts: None,
        }
    }
}

/// A report code with its description, as SubmitMessage answers it for one number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Report {
    /// The vendor's report code.
    pub code: i32,
    /// Its description. Commas are replaced by semicolons when answering, because the
    /// response separates the descriptions of several numbers with commas.
    pub text: String,
}

impl Report {
    /// A report code and its description.
    pub fn new(code: i32, text: impl Into<String>) -> Self {
        Self {
            code,
            text: text.into(),
        }
    }
}

/// One entry of an address book.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Contact {
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// The number, in full international format.
    pub mobile_number: String,
    /// The group within the address book, if any (`SendToAddressBook=Book::Group`).
    pub group: Option<String>,
}

impl Contact {
    /// An entry with only a number.
    pub fn new(mobile_number: impl Into<String>) -> Self {
        Self {
            mobile_number: mobile_number.into(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sparse_json_configuration() {
        let json = r#"{
            "accounts": [{ "username": "u", "pin": "p", "credit": "2.8950", "test": true }],
            "number_reports": { "447700900666": { "code": 6, "text": "Barred" } }
        }"#;
        let config: Config = serde_json::from_str(json).unwrap();
        let account = &config.accounts[0];
        assert_eq!(account.credit, Decimal::new(28950, 4));
        assert_eq!(account.currency, "GBP");
        assert_eq!(account.message_cost, Decimal::new(5, 2));
        assert!(account.test);
        assert_eq!(config.number_reports["447700900666"].code, 6);
        assert_eq!(config.accepted_report.code, -2);
    }

    #[test]
    fn the_demo_account_is_what_the_documentation_says() {
        let config = Config::demo();
        let account = &config.accounts[0];
        assert_eq!(
            (account.username.as_str(), account.pin.as_str()),
            ("demo", "demo1234")
        );
        assert_eq!(four_places(account.credit).to_string(), "10.0000");
        assert_eq!(account.currency, "GBP");
        assert_eq!(config.number_reports[DEMO_BLACKLISTED].code, 8);
    }
}
