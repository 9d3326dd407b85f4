//! [`Client`]: sending and querying over Clickatell's SOAP API, with its session handling.

use std::fmt;
use std::future::Future;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use soap_runtime::client::{CallError, ClientBuilder, ConfigError};
use soap_runtime::NoFault;
use tokio::sync::Mutex;

use super::codes::{Code, MessageStatus};
use super::reply::{refused_session, Line};
use crate::core::{
    Answer, Content, Credit, Message, QueryError, Request, RequestError, ResponseMismatch,
    Schedule, SendError, SendReport, Sending, SmsGateway,
};
use crate::generated::clickatell::clickatell_sms_binding::{
    AuthInput, ClickatellSmsBindingClient, GetbalanceInput, PingInput, QuerymsgInput, SendmsgInput,
    SendmsgOutput, ENDPOINTS,
};
use crate::generated::clickatell::ArrayOfString;

/// The most numbers one `sendmsg` carries; a send to more takes several requests.
pub const RECIPIENTS_PER_REQUEST: usize = 100;

/// The WSDL's port: Clickatell's rpc/encoded endpoint.
pub fn default_endpoints() -> Vec<String> {
    ENDPOINTS
        .iter()
        .map(|port| port.address.to_owned())
        .collect()
}

/// An api_id, user name and password. Only the api_id ever appears in `Debug` output or logs.
#[derive(Clone)]
pub struct Credentials {
    api_id: i32,
    user: String,
    password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials(api_id {}, <redacted>)", self.api_id)
    }
}

/// A user name or password that is empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Clickatell {0} is empty")]
pub struct EmptyCredential(pub &'static str);

impl Credentials {
    /// The credentials of a Clickatell SOAP API: its api_id, the account's user name and
    /// password, neither empty.
    pub fn new(
        api_id: i32,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self, EmptyCredential> {
        let (user, password) = (user.into(), password.into());
        if user.is_empty() {
            return Err(EmptyCredential("user name"));
        }
        if password.is_empty() {
            return Err(EmptyCredential("password"));
        }
        Ok(Self {
            api_id,
            user,
            password,
        })
    }
}

const VENDOR: &str = "Clickatell";
/// Characters of one SMS, and of each part of a longer one (the rest of each part holds the
/// header that joins them up), in the GSM alphabet.
const SINGLE_SMS: usize = 160;
const CONCATENATED_PART: usize = 153;

/// A client for Clickatell's SOAP API. See [the module](super) for its session and no-resend
/// rules.
pub struct Client {
    soap: ClickatellSmsBindingClient,
    credentials: Credentials,
    /// The session of the last successful `auth`. The lock is held while logging in, so that
    /// calls made meanwhile wait for that one login instead of each making its own.
    session: Mutex<Option<String>>,
}

/// By hand: a session id stands for the password, so it is never shown.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoints", &self.endpoints())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Why a call made with a session failed.
enum SessionFailure {
    /// Logging in failed: nothing else was sent.
    Login(QueryError),
    /// The call itself failed.
    Call(CallError<NoFault>),
}

impl From<SessionFailure> for QueryError {
    fn from(failure: SessionFailure) -> Self {
        match failure {
            SessionFailure::Login(error) => error,
            SessionFailure::Call(error) => QueryError::Call(error),
        }
    }
}

/// What a `sendmsg` carries besides the numbers and the session: the same for each request of
/// a send.
#[derive(Debug, Clone, PartialEq)]
struct Parameters {
    text: String,
    msg_type: Option<&'static str>,
    concat: Option<i32>,
    deliv_time: Option<i32>,
}

impl Parameters {
    /// What a `sendmsg` carries of a validated message, as of `now`.
    fn of(message: &Message, now: DateTime<Utc>) -> Self {
        let (text, msg_type) = match message.content() {
            Content::Flash(text) => (text.clone(), Some("SMS_FLASH")),
            content => (content.text().to_owned(), None),
        };
        // `deliv_time` delays delivery by minutes; a send time becomes the minutes until it,
        // rounded up so that the message never goes early.
        let deliv_time = match message.when() {
            Some(Schedule::After(minutes)) => Some(i32::from(minutes)),
            Some(Schedule::At(at)) => {
                let seconds = (at - now).num_seconds().max(0);
                i32::try_from((seconds + 59) / 60).ok()
            }
            _ => None,
        };
        // Without `concat`, Clickatell refuses a text longer than one SMS (error 113).
        let characters = text.chars().count();
        let concat = (characters > SINGLE_SMS)
            .then(|| i32::try_from(characters.div_ceil(CONCATENATED_PART)).unwrap_or(i32::MAX));
        Self {
            text,
            msg_type,
            concat,
            deliv_time,
        }
    }

    fn input(&self, numbers: &[String], session_id: String) -> SendmsgInput {
        SendmsgInput {
            session_id: Some(session_id),
            to: Some(ArrayOfString {
                items: numbers.to_vec(),
            }),
            text: Some(self.text.clone()),
            msg_type: self.msg_type.map(str::to_owned),
            concat: self.concat,
            deliv_time: self.deliv_time,
            ..SendmsgInput::default()
        }
    }
}

impl Client {
    /// A client with these credentials and settings (see
    /// [`default_endpoints`]).
    pub fn new(credentials: Credentials, settings: ClientBuilder) -> Result<Self, ConfigError> {
        Ok(Self {
            soap: ClickatellSmsBindingClient::new(settings.build()?),
            credentials,
            session: Mutex::new(None),
        })
    }

    /// The endpoints, in order of preference.
    pub fn endpoints(&self) -> &[String] {
        self.soap.soap_client().endpoints()
    }

    /// Sends a message: validated first (nothing is sent if it is invalid), then in requests
    /// of at most [`RECIPIENTS_PER_REQUEST`] numbers, one after another. The outcomes come
    /// in the order of the numbers, each with its [`Code`].
    ///
    /// A request is sent a second time only when its answer was a session error for the
    /// whole request (see [the module](super)); never otherwise. [`Client::sending`] sends
    /// several requests at once, and reports progress.
    pub async fn send(&self, message: &Message) -> Result<SendReport<Code>, SendError<Code>> {
        crate::core::send(self, message).await
    }

    /// A send through this client to set up: requests in flight, progress.
    pub fn sending(&self) -> Sending<'_, Self> {
        Sending::new(self)
    }

    /// One `sendmsg` of a validated message, with the session rule.
    async fn send_one(
        &self,
        message: &Message,
        numbers: &[String],
    ) -> Result<SendReport<Code>, RequestError> {
        let parameters = Parameters::of(message, Utc::now());
        let answered = self
            .with_session(
                "sendmsg",
                |session| {
                    let input = parameters.input(numbers, session);
                    async move { self.soap.sendmsg(&input).await }
                },
                |output| lines(output),
            )
            .await;
        let lines = match answered {
            Ok(output) => output.r#return.map(|lines| lines.items).unwrap_or_default(),
            // `auth` answered an error (a wrong password, a frozen account): it is the answer
            // for every recipient of the request, as a send's own would be.
            Err(SessionFailure::Login(QueryError::Refused(line))) => vec![line],
            Err(SessionFailure::Login(error)) => return Err(RequestError::NoSession(error)),
            Err(SessionFailure::Call(error)) => return Err(RequestError::Call(error)),
        };
        let mut report = SendReport::default();
        push_answers(&mut report, numbers, &lines)?;
        Ok(report)
    }

    /// The account's credit, in Clickatell's credits.
    pub async fn balance(&self) -> Result<Decimal, QueryError> {
        let output = self
            .with_session(
                "getbalance",
                |session| {
                    let input = GetbalanceInput {
                        session_id: Some(session),
                        ..GetbalanceInput::default()
                    };
                    async move { self.soap.getbalance(&input).await }
                },
                |output| output.r#return.as_slice(),
            )
            .await?;
        let line = output.r#return.unwrap_or_default();
        match Line::parse(&line) {
            Some(Line::Credit(amount)) => amount.parse().map_err(|_| {
                QueryError::Unexpected(format!("getbalance answered {line:?}: not a number"))
            }),
            Some(Line::Err { .. }) => Err(QueryError::Refused(line)),
            _ => Err(QueryError::Unexpected(format!(
                "getbalance answered {line:?}"
            ))),
        }
    }

    /// The status of a message sent earlier, by the API message id its send answered.
    pub async fn query_message(&self, apimsgid: &str) -> Result<MessageStatus, QueryError> {
        let output = self
            .with_session(
                "querymsg",
                |session| {
                    let input = QuerymsgInput {
                        session_id: Some(session),
                        apimsgid: Some(apimsgid.to_owned()),
                        ..QuerymsgInput::default()
                    };
                    async move { self.soap.querymsg(&input).await }
                },
                |output| output.r#return.as_slice(),
            )
            .await?;
        let line = output.r#return.unwrap_or_default();
        match Line::parse(&line) {
            Some(Line::Id {
                status: Some(status),
                ..
            }) => status
                .parse()
                .map(MessageStatus::from_number)
                .map_err(|_| QueryError::Unexpected(format!("querymsg answered {line:?}"))),
            Some(Line::Err { .. }) => Err(QueryError::Refused(line)),
            _ => Err(QueryError::Unexpected(format!(
                "querymsg answered {line:?}"
            ))),
        }
    }

    /// Keeps the session alive (logging in first if there is none yet).
    pub async fn ping(&self) -> Result<(), QueryError> {
        let output = self
            .with_session(
                "ping",
                |session| {
                    let input = PingInput {
                        session_id: Some(session),
                    };
                    async move { self.soap.ping(&input).await }
                },
                |output| output.r#return.as_slice(),
            )
            .await?;
        let line = output.r#return.unwrap_or_default();
        match Line::parse(&line) {
            Some(Line::Ok(_)) => Ok(()),
            Some(Line::Err { .. }) => Err(QueryError::Refused(line)),
            _ => Err(QueryError::Unexpected(format!("ping answered {line:?}"))),
        }
    }

    /// Makes `call` (of `operation`) with the session; if the answer (its `lines`) is made of
    /// session errors only, forgets the session, logs in again and makes the call once more:
    /// at most once.
    async fn with_session<T, Answer>(
        &self,
        operation: &'static str,
        call: impl Fn(String) -> Answer,
        lines: impl Fn(&T) -> &[String],
    ) -> Result<T, SessionFailure>
    where
        Answer: Future<Output = Result<T, CallError<NoFault>>>,
    {
        let mut logged_in_again = false;
        loop {
            let session = self.session().await.map_err(SessionFailure::Login)?;
            let output = call(session.clone()).await.map_err(SessionFailure::Call)?;
            if logged_in_again || !refused_session(lines(&output)) {
                return Ok(output);
            }
            tracing::info!(operation, "session refused; logging in again");
            self.forget(&session).await;
            logged_in_again = true;
        }
    }

    /// The current session, logging in first if there is none.
    async fn session(&self) -> Result<String, QueryError> {
        let mut current = self.session.lock().await;
        if let Some(session) = current.as_ref() {
            return Ok(session.clone());
        }
        let session = self.login().await?;
        *current = Some(session.clone());
        Ok(session)
    }

    /// Forgets `stale`, unless another call has replaced it with a new session meanwhile.
    async fn forget(&self, stale: &str) {
        let mut current = self.session.lock().await;
        if current.as_deref() == Some(stale) {
            *current = None;
        }
    }

    /// `auth`: a new session id, or its error answer as [`QueryError::Refused`].
    async fn login(&self) -> Result<String, QueryError> {
        let input = AuthInput {
            api_id: Some(self.credentials.api_id),
            user: Some(self.credentials.user.clone()),
            password: Some(self.credentials.password.clone()),
        };
        let line = self.soap.auth(&input).await?.r#return.unwrap_or_default();
        match Line::parse(&line) {
            Some(Line::Ok(session)) if !session.is_empty() => Ok(session.to_owned()),
            Some(Line::Err { .. }) => Err(QueryError::Refused(line)),
            _ => Err(QueryError::Unexpected(format!("auth answered {line:?}"))),
        }
    }
}

fn lines(output: &SendmsgOutput) -> &[String] {
    output.r#return.as_ref().map_or(&[], |lines| &lines.items)
}

/// Adds a `sendmsg` answer to the report: one line per number, in order, or one error line
/// for the whole request (a refused login), which then stands for every number.
pub(super) fn push_answers(
    report: &mut SendReport<Code>,
    numbers: &[String],
    lines: &[String],
) -> Result<(), ResponseMismatch> {
    let mut answers = Vec::with_capacity(numbers.len());
    if lines.len() == numbers.len() {
        for (index, (number, line)) in numbers.iter().zip(lines).enumerate() {
            let (report, message_id, to) = match Line::parse(line) {
                Some(Line::Id {
                    id,
                    to,
                    status: None,
                }) => (Code::Accepted, id, to),
                Some(Line::Err { code, to }) => (Code::Error(code), "", to),
                _ => return Err(ResponseMismatch::Unreadable(line.clone())),
            };
            if let Some(to) = to.filter(|to| to != number) {
                return Err(ResponseMismatch::Recipient {
                    index,
                    expected: number.clone(),
                    found: to.to_owned(),
                });
            }
            answers.push(Answer {
                recipient: Some(number.as_str()),
                message_id,
                report,
                text: line.as_str(),
            });
        }
    } else if let [line] = lines {
        let Some(Line::Err { code, to: None }) = Line::parse(line) else {
            return Err(ResponseMismatch::Answers {
                recipients: numbers.len(),
                answers: 1,
            });
        };
        answers.extend(numbers.iter().map(|number| Answer {
            recipient: Some(number.as_str()),
            message_id: "",
            report: Code::Error(code),
            text: line.as_str(),
        }));
    } else {
        return Err(ResponseMismatch::Answers {
            recipients: numbers.len(),
            answers: lines.len(),
        });
    }
    report.push_request(answers);
    Ok(())
}

impl SmsGateway for Client {
    type Code = Code;
    type Message = Message;

    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn recipients_per_request(&self) -> usize {
        RECIPIENTS_PER_REQUEST
    }

    fn endpoints(&self) -> &[String] {
        Client::endpoints(self)
    }

    async fn send_request(
        &self,
        message: &Message,
        request: Request<'_>,
    ) -> Result<SendReport<Code>, RequestError> {
        self.send_one(message, request.numbers).await
    }

    async fn credit(&self) -> Result<Credit, QueryError> {
        self.balance()
            .await
            .map(|amount| Credit::new("credits", amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clickatell::codes::ErrorCode;
    use crate::core::VendorCode;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn numbers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_message_becomes_the_parameters_clickatell_offers() {
        let message = Message::flash("x".repeat(161), ["447700900001"]).delay_minutes(30);
        let parameters = Parameters::of(&message, now());
        let input = parameters.input(&numbers(&["447700900001"]), "s".into());
        assert_eq!(input.session_id.as_deref(), Some("s"));
        assert_eq!(input.to.unwrap().items, ["447700900001"]);
        assert_eq!(input.msg_type.as_deref(), Some("SMS_FLASH"));
        assert_eq!((input.concat, input.deliv_time), (Some(2), Some(30)));
        assert_eq!(
            (input.api_id, input.user, input.password),
            (None, None, None)
        );

        let short = Parameters::of(&Message::text("hi", ["447700900001"]), now());
        assert_eq!(
            (short.msg_type, short.concat, short.deliv_time),
            (None, None, None)
        );
        let at =
            Message::text("hi", ["447700900001"]).send_at(now() + chrono::TimeDelta::seconds(90));
        assert_eq!(Parameters::of(&at, now()).deliv_time, Some(2));
    }

    #[test]
    fn secrets_never_show() {
        let credentials = Credentials::new(1234, "secretuser", "secretpassword").unwrap();
        let client = Client::new(
            credentials,
            soap_runtime::client::SoapClient::builder().endpoints(["http://127.0.0.1:9/"]),
        )
        .unwrap();
        *client.session.try_lock().unwrap() = Some("secretsession".into());
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("api_id 1234"), "{shown}");
    }

    #[test]
    fn answers_become_outcomes_in_order() {
        let to = numbers(&["447700900001", "447700900002"]);
        let mut report = SendReport::default();
        push_answers(
            &mut report,
            &to,
            &numbers(&[
                "ID: abc To: 447700900001",
                "ERR: 114, Cannot route message To: 447700900002",
            ]),
        )
        .unwrap();
        let outcomes: Vec<_> = report
            .iter()
            .map(|o| (o.recipient.unwrap(), o.message_id, o.report, o.class))
            .collect();
        assert_eq!(
            outcomes,
            [
                (
                    "447700900001",
                    "abc",
                    Code::Accepted,
                    crate::core::ReportClass::Accepted
                ),
                (
                    "447700900002",
                    "",
                    Code::Error(ErrorCode::CannotRouteMessage),
                    crate::core::ReportClass::Rejected
                )
            ]
        );
        assert_eq!(
            report.get(1).unwrap().text,
            "ERR: 114, Cannot route message To: 447700900002"
        );

        // One refusal for the whole request stands for every number.
        let mut report = SendReport::default();
        push_answers(&mut report, &to, &numbers(&["ERR: 301, No credit left"])).unwrap();
        assert!(report
            .iter()
            .all(|o| o.report.class() == crate::core::ReportClass::AccountFailure));
    }

    #[test]
    fn answers_that_do_not_fit_the_request_are_errors() {
        let to = numbers(&["447700900001", "447700900002"]);
        let mismatch = |lines: &[&str]| {
            push_answers(&mut SendReport::default(), &to, &numbers(lines)).unwrap_err()
        };
        assert!(matches!(
            mismatch(&["ID: abc"]),
            ResponseMismatch::Answers {
                recipients: 2,
                answers: 1
            }
        ));
        assert!(matches!(
            mismatch(&["ID: a To: 447700900002", "ID: b To: 447700900001"]),
            ResponseMismatch::Recipient { index: 0, .. }
        ));
        assert!(matches!(
            mismatch(&["ID: a", "Credit: 5"]),
            ResponseMismatch::Unreadable(_)
        ));
    }
}
