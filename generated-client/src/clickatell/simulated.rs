//! Clickatell's gateway, simulated: its rpc/encoded SOAP API at [`PATH`] on every listener,
//! on the server generated from `wsdl/clickatell.wsdl`.
//!
//! Its accounts, sessions and messages are its own ([`Config`]); the listeners, their request
//! counters and their injected failures
//! ([`RunningSimulator::set_failure`](crate::simulator::RunningSimulator::set_failure)) are
//! shared with the other vendors.
//!
//! # Behaviour
//!
//! Every answer is a text line (an array of them for `sendmsg`), as Clickatell writes them:
//!
//! * `auth(api_id, user, password)`: `OK: <session id>`; `ERR: 108, …` for an api_id no
//!   account has, `ERR: 001, …` for a wrong user name or password, `ERR: 004, …` for a frozen
//!   account.
//! * The other operations log in with a session id, or else with the three credentials. A
//!   session id that was never issued is answered `ERR: 001, …`; one unused for
//!   [`Config::session_idle_secs`] or more, or ended by [`Gateway::expire_sessions`],
//!   `ERR: 003, …`; no session id and no credentials, `ERR: 005, …`. Each use renews a
//!   session.
//! * `sendmsg`: a login error, an empty `text` (107) or no `to` number (101) is one line for
//!   the whole request. Otherwise one line per number, in order: `ID: <apimsgid>`, charging
//!   the account [`Account::message_cost`]; `ERR: 105, …` for a number that is not 7 to 15
//!   digits; the configured error for a number of [`Config::number_errors`]; `ERR: 301, …`
//!   when the credit does not cover the message. With several numbers, each line ends in
//!   `To: <number>`.
//! * `getbalance`: `Credit: <amount>`.
//! * `querymsg`: `ID: <apimsgid> Status: 003` (handed on to the network) for a message the
//!   account sent, `ERR: 103, …` for any other id.
//! * `ping`: `OK:`.
//!
//! The other operations of the WSDL are answered with the generated server's default, a
//! `soap:Server` Fault saying that they are not implemented.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use soap_runtime::server::{Request, Response, ServerResult};

use crate::generated::clickatell::clickatell_sms_binding::{
    self as binding, AuthInput, AuthOutput, GetbalanceInput, GetbalanceOutput, PingInput,
    PingOutput, QuerymsgInput, QuerymsgOutput, SendmsgInput, SendmsgOutput,
};
use crate::generated::clickatell::ArrayOfString;
use crate::simulated::{Listener, SimulatedVendor};

/// The path of Clickatell's SOAP endpoint, served on every listener.
pub const PATH: &str = "/soap/webservice.php";

/// The demo account's api_id (`sendsms simulate`).
pub const DEMO_API_ID: i32 = 3210987;
/// A number the demo answers with error 121 (destination blocked), to see a rejection.
pub const DEMO_BLOCKED: &str = "447700900666";

/// The Clickatell side's configuration: its accounts, error answers for particular numbers,
/// and how long sessions last.
///
/// In JSON (the `clickatell` member of a [`SimulatorConfig`](crate::simulator::SimulatorConfig)) every
/// field may be left out:
///
/// ```json
/// { "accounts": [{ "api_id": 3210987, "user": "demo", "password": "demo1234" }],
///   "number_errors": { "447700900666": { "code": 121, "text": "Destination mobile number blocked" } } }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The accounts that may log in.
    pub accounts: Vec<Account>,
    /// Error answers for particular numbers (digits only), instead of sending to them.
    pub number_errors: BTreeMap<String, ErrorReply>,
    /// How long a session lives without use, in seconds: 900 (15 minutes), as Clickatell's.
    /// 0 ends every session before its first use.
    pub session_idle_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            number_errors: BTreeMap::new(),
            session_idle_secs: 900,
        }
    }
}

/// One Clickatell account.
///
/// [`Account::new`] gives 10 credits at 1 a message, not frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Account {
    /// The api_id of the account's SOAP API.
    pub api_id: i32,
    /// The user name (case-sensitive).
    pub user: String,
    /// The password (case-sensitive).
    pub password: String,
    /// The credit left, exactly.
    pub credit: Decimal,
    /// What one accepted message costs.
    pub message_cost: Decimal,
    /// A frozen account cannot log in (error 004).
    pub frozen: bool,
}

impl Account {
    /// An account with these credentials and the defaults described on [`Account`].
    pub fn new(api_id: i32, user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            api_id,
            user: user.into(),
            password: password.into(),
            ..Self::default()
        }
    }
}

impl Default for Account {
    fn default() -> Self {
        Self {
            api_id: 0,
            user: String::new(),
            password: String::new(),
            credit: Decimal::new(10, 0),
            message_cost: Decimal::ONE,
            frozen: false,
        }
    }
}

/// An error answer: `ERR: <code>, <text>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ErrorReply {
    /// Clickatell's error code (written with three digits).
    pub code: u16,
    /// Its description.
    pub text: String,
}

impl ErrorReply {
    /// An error code and its description.
    pub fn new(code: u16, text: impl Into<String>) -> Self {
        Self {
            code,
            text: text.into(),
        }
    }

    fn line(&self) -> String {
        format!("ERR: {:03}, {}", self.code, self.text)
    }
}

/// The banner lines of `sendsms simulate` for Clickatell: its endpoint, accounts and special
/// numbers, and a command that sends through it. Nothing without accounts.
fn describe(config: &Config, listeners: &[SocketAddr], out: &mut dyn Write) -> io::Result<()> {
    let (Some(first), Some(primary)) = (config.accounts.first(), listeners.first()) else {
        return Ok(());
    };
    let url = |addr: &SocketAddr| format!("http://{addr}{PATH}");
    writeln!(out)?;
    writeln!(
        out,
        "Simulated Clickatell gateway (SOAP API), on the same listener"
    )?;
    writeln!(out, "  primary:   {}", url(primary))?;
    if let Some(secondary) = listeners.get(1) {
        writeln!(out, "  secondary: {}", url(secondary))?;
    }
    for account in &config.accounts {
        writeln!(
            out,
            "  account:   api_id {}, user {}, password {}, {} credits ({} a message){}",
            account.api_id,
            account.user,
            account.password,
            account.credit.normalize(),
            account.message_cost.normalize(),
            if account.frozen { ", frozen" } else { "" },
        )?;
    }
    for (number, reply) in &config.number_errors {
        writeln!(out, "  number:    {number} is answered {}", reply.line())?;
    }
    writeln!(out)?;
    writeln!(out, "Send through it with Clickatell's API:")?;
    let secondary = listeners
        .get(1)
        .map(|s| format!(" --secondary {}", url(s)))
        .unwrap_or_default();
    writeln!(
        out,
        "sendsms --vendor clickatell --primary {}{secondary} --api-id {} --username {} --password {} send --to 447700900001 --text Hello",
        url(primary),
        first.api_id,
        first.user,
        first.password,
    )
}

/// A `sendmsg` as the simulator received and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submission {
    /// The local address of the listener that received it.
    pub server: SocketAddr,
    /// The user name of the account it logged in as; `None` if the login failed.
    pub user: Option<String>,
    /// The text, if any.
    pub text: Option<String>,
    /// One entry per number, in the order of the request.
    pub recipients: Vec<Recipient>,
}

/// What the simulator answered for one number of a `sendmsg`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recipient {
    /// The number, as sent (trimmed).
    pub number: String,
    /// The line answered for it (a login error's line stands for every number).
    pub answer: String,
    /// Whether the message was accepted for delivery (and paid for).
    pub accepted: bool,
}

#[derive(Debug)]
struct Session {
    account: usize,
    last_used: Instant,
    expired: bool,
}

#[derive(Debug)]
struct State {
    config: Config,
    sessions: HashMap<String, Session>,
    issued: u64,
    sent: u64,
    /// Every accepted message's id, with its account.
    messages: HashMap<String, usize>,
    submissions: Vec<Submission>,
}

/// Clickatell's simulated gateway, shared by every listener of one simulator.
#[derive(Debug)]
pub struct Gateway {
    state: Mutex<State>,
}

impl SimulatedVendor for Gateway {
    type Config = Config;

    fn new(config: Config) -> Self {
        Self {
            state: Mutex::new(State {
                config,
                sessions: HashMap::new(),
                issued: 0,
                sent: 0,
                messages: HashMap::new(),
                submissions: Vec::new(),
            }),
        }
    }

    /// The demo: api_id [`DEMO_API_ID`], user `demo`, password `demo1234`, 10 credits at 1 a
    /// message; [`DEMO_BLOCKED`] is answered with error 121.
    fn demo() -> Config {
        Config {
            accounts: vec![Account::new(DEMO_API_ID, "demo", "demo1234")],
            number_errors: [(
                DEMO_BLOCKED.to_owned(),
                ErrorReply::new(121, "Destination mobile number blocked"),
            )]
            .into(),
            ..Config::default()
        }
    }

    fn routes(state: &Arc<Self>, listener: &Listener) -> Router {
        Router::new().route(
            PATH,
            listener.soap(binding::ClickatellSmsBindingServer::from_arc(Arc::clone(
                state,
            ))),
        )
    }

    fn describe(config: &Config, listeners: &[SocketAddr], out: &mut dyn Write) -> io::Result<()> {
        describe(config, listeners, out)
    }
}

impl Gateway {
    fn lock(&self) -> MutexGuard<'_, State> {
        // As for the Connection Software side: a panic elsewhere leaves the state as any one
        // request leaves it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every `sendmsg` received by any listener, oldest first.
    pub fn submissions(&self) -> Vec<Submission> {
        self.lock().submissions.clone()
    }

    /// How many messages to `number` were accepted for delivery: more than one means the
    /// recipient got the message twice.
    pub fn deliveries_to(&self, number: &str) -> usize {
        self.lock()
            .submissions
            .iter()
            .flat_map(|s| &s.recipients)
            .filter(|r| r.accepted && r.number == number)
            .count()
    }

    /// Ends every session issued so far: the next call with one is answered with error 003.
    pub fn expire_sessions(&self) {
        for session in self.lock().sessions.values_mut() {
            session.expired = true;
        }
    }

    /// How many sessions `auth` has issued.
    pub fn sessions_issued(&self) -> u64 {
        self.lock().issued
    }

    /// The credit left on the account with this user name, if there is one.
    pub fn credit(&self, user: &str) -> Option<Decimal> {
        self.lock()
            .config
            .accounts
            .iter()
            .find(|a| a.user == user)
            .map(|a| a.credit)
    }

    /// Sets the credit of the account with this user name; `false` if there is none.
    pub fn set_credit(&self, user: &str, credit: Decimal) -> bool {
        let mut state = self.lock();
        let account = state.config.accounts.iter_mut().find(|a| a.user == user);
        account.map(|a| a.credit = credit).is_some()
    }

    fn login(&self, input: AuthInput) -> AuthOutput {
        let mut state = self.lock();
        let line = match state.credentials(
            input.api_id,
            input.user.as_deref(),
            input.password.as_deref(),
        ) {
            Ok(account) => format!("OK: {}", state.new_session(account)),
            Err(refusal) => refusal,
        };
        tracing::debug!(answer = %line, "auth");
        AuthOutput {
            r#return: Some(line),
        }
    }

    fn send(&self, server: SocketAddr, input: SendmsgInput) -> SendmsgOutput {
        let numbers: Vec<String> = input
            .to
            .map(|to| to.items.iter().map(|n| n.trim().to_owned()).collect())
            .unwrap_or_default();
        let text = input.text.filter(|t| !t.is_empty());
        let mut state = self.lock();
        let login = state.login(
            input.session_id.as_deref(),
            input.api_id,
            input.user.as_deref(),
            input.password.as_deref(),
        );
        let account = match login {
            Ok(account) => account,
            Err(line) => return state.refuse(server, None, text, numbers, line),
        };
        let user = Some(state.config.accounts[account].user.clone());
        if text.is_none() {
            let line = ErrorReply::new(107, "Empty message").line();
            return state.refuse(server, user, text, numbers, line);
        }
        if numbers.is_empty() {
            let line = ErrorReply::new(101, "Invalid or missing parameters").line();
            return state.refuse(server, user, text, numbers, line);
        }
        let recipients: Vec<Recipient> = numbers
            .iter()
            .map(|number| state.deliver(account, number))
            .collect();
        let lines = match recipients.as_slice() {
            [one] => vec![one.answer.clone()],
            several => several
                .iter()
                .map(|r| format!("{} To: {}", r.answer, r.number))
                .collect(),
        };
        tracing::debug!(%server, answers = ?lines, "sendmsg");
        state.submissions.push(Submission {
            server,
            user,
            text,
            recipients,
        });
        SendmsgOutput {
            r#return: Some(ArrayOfString { items: lines }),
        }
    }

    fn balance(&self, input: GetbalanceInput) -> GetbalanceOutput {
        let mut state = self.lock();
        let line = match state.login(
            input.session_id.as_deref(),
            input.api_id,
            input.user.as_deref(),
            input.password.as_deref(),
        ) {
            Ok(account) => format!(
                "Credit: {}",
                state.config.accounts[account].credit.normalize()
            ),
            Err(refusal) => refusal,
        };
        GetbalanceOutput {
            r#return: Some(line),
        }
    }

    fn status_of(&self, input: QuerymsgInput) -> QuerymsgOutput {
        let mut state = self.lock();
        let line = match state.login(
            input.session_id.as_deref(),
            input.api_id,
            input.user.as_deref(),
            input.password.as_deref(),
        ) {
            Ok(account) => match input.apimsgid.as_deref().map(str::trim) {
                Some(id) if state.messages.get(id) == Some(&account) => {
                    format!("ID: {id} Status: 003")
                }
                _ => ErrorReply::new(103, "Unknown API message ID").line(),
            },
            Err(refusal) => refusal,
        };
        QuerymsgOutput {
            r#return: Some(line),
        }
    }

    fn keep_alive(&self, input: PingInput) -> PingOutput {
        let mut state = self.lock();
        let line = match state.login(input.session_id.as_deref(), None, None, None) {
            Ok(_) => "OK:".to_owned(),
            Err(refusal) => refusal,
        };
        PingOutput {
            r#return: Some(line),
        }
    }
}

impl State {
    /// The account these credentials log in to, or the error line refusing them.
    fn credentials(
        &self,
        api_id: Option<i32>,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<usize, String> {
        let accounts = &self.config.accounts;
        if !accounts.iter().any(|a| Some(a.api_id) == api_id) {
            return Err(ErrorReply::new(108, "Invalid or missing API ID").line());
        }
        let index = accounts
            .iter()
            .position(|a| {
                Some(a.api_id) == api_id
                    && Some(a.user.as_str()) == user
                    && Some(a.password.as_str()) == password
            })
            .ok_or_else(|| ErrorReply::new(1, "Authentication failed").line())?;
        if accounts[index].frozen {
            return Err(ErrorReply::new(4, "Account frozen").line());
        }
        Ok(index)
    }

    /// The account a call logs in to, with its session id if it has one, else with its
    /// credentials; or the error line refusing it. A session used is renewed.
    fn login(
        &mut self,
        session_id: Option<&str>,
        api_id: Option<i32>,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<usize, String> {
        let idle = Duration::from_secs(self.config.session_idle_secs);
        match session_id.map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => {
                let Some(session) = self.sessions.get_mut(id) else {
                    return Err(ErrorReply::new(1, "Authentication failed").line());
                };
                let now = Instant::now();
                if session.expired || now.duration_since(session.last_used) >= idle {
                    session.expired = true;
                    return Err(ErrorReply::new(3, "Session ID expired").line());
                }
                session.last_used = now;
                Ok(session.account)
            }
            None if api_id.is_some() || user.is_some() || password.is_some() => {
                self.credentials(api_id, user, password)
            }
            None => Err(ErrorReply::new(5, "Missing session ID").line()),
        }
    }

    /// Records a `sendmsg` refused as a whole, and answers its one line.
    fn refuse(
        &mut self,
        server: SocketAddr,
        user: Option<String>,
        text: Option<String>,
        numbers: Vec<String>,
        line: String,
    ) -> SendmsgOutput {
        tracing::debug!(%server, answer = %line, "sendmsg refused");
        let recipients = numbers
            .into_iter()
            .map(|number| Recipient {
                number,
                answer: line.clone(),
                accepted: false,
            })
            .collect();
        self.submissions.push(Submission {
            server,
            user,
            text,
            recipients,
        });
        SendmsgOutput {
            r#return: Some(ArrayOfString { items: vec![line] }),
        }
    }

    fn new_session(&mut self, account: usize) -> String {
        self.issued += 1;
        let id = format!("{:032x}", scramble(self.issued, 0x005E_551D));
        self.sessions.insert(
            id.clone(),
            Session {
                account,
                last_used: Instant::now(),
                expired: false,
            },
        );
        id
    }

    /// The answer for one number of a send from `account`, charging it if accepted.
    fn deliver(&mut self, account: usize, number: &str) -> Recipient {
        let refuse = |reply: &ErrorReply| Recipient {
            number: number.to_owned(),
            answer: reply.line(),
            accepted: false,
        };
        if !(7..=15).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return refuse(&ErrorReply::new(105, "Invalid destination address"));
        }
        if let Some(reply) = self.config.number_errors.get(number) {
            return refuse(reply);
        }
        let paying = &mut self.config.accounts[account];
        let Some(left) = (paying.credit >= paying.message_cost)
            .then(|| paying.credit.checked_sub(paying.message_cost))
            .flatten()
        else {
            return refuse(&ErrorReply::new(301, "No credit left"));
        };
        paying.credit = left;
        self.sent += 1;
        let id = format!("{:032x}", scramble(self.sent, 0x03E5_5A6E));
        self.messages.insert(id.clone(), account);
        Recipient {
            number: number.to_owned(),
            answer: format!("ID: {id}"),
            accepted: true,
        }
    }
}

/// A number spread over 128 bits, so that ids look like Clickatell's hex strings while staying
/// unique (the mixing is a bijection of `n ^ salt`) and the same from run to run.
fn scramble(n: u64, salt: u64) -> u128 {
    // splitmix64's finaliser, twice.
    let mix = |x: u64| {
        let z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let high = mix(n ^ salt);
    u128::from(high) << 64 | u128::from(mix(high))
}

/// Clickatell's SOAP API on the generated server trait; the operations the simulator does
/// not offer answer the trait's default, a Server fault.
impl binding::ClickatellSmsBinding for Gateway {
    async fn auth(&self, request: Request<binding::Auth>) -> ServerResult<binding::Auth> {
        Ok(Response::new(self.login(request.body)))
    }

    async fn sendmsg(&self, request: Request<binding::Sendmsg>) -> ServerResult<binding::Sendmsg> {
        let server = crate::simulated::listener_of(&request.context);
        Ok(Response::new(self.send(server, request.body)))
    }

    async fn getbalance(
        &self,
        request: Request<binding::Getbalance>,
    ) -> ServerResult<binding::Getbalance> {
        Ok(Response::new(self.balance(request.body)))
    }

    async fn querymsg(
        &self,
        request: Request<binding::Querymsg>,
    ) -> ServerResult<binding::Querymsg> {
        Ok(Response::new(self.status_of(request.body)))
    }

    async fn ping(&self, request: Request<binding::Ping>) -> ServerResult<binding::Ping> {
        Ok(Response::new(self.keep_alive(request.body)))
    }
}
