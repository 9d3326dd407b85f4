//! Why a request, a send or a query did not complete, and what is known of what went out.

use std::fmt;

use soap_runtime::client::CallError;
use soap_runtime::NoFault;

use super::message::InvalidMessage;
use super::outcome::{ResponseMismatch, SendReport};

/// Why one request of a send failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The call failed: see [`CallError::may_have_been_received`] for whether the gateway may
    /// have the request.
    #[error(transparent)]
    Call(#[from] CallError<NoFault>),
    /// The answer does not fit the request. The request reached the gateway, so its messages
    /// may have gone out.
    #[error(transparent)]
    Mismatch(#[from] ResponseMismatch),
    /// The vendor works in sessions and could not set one up: its login failed, so nothing of
    /// this request was sent.
    #[error("no session with the gateway: {0}")]
    NoSession(#[source] QueryError),
}

impl RequestError {
    /// Whether the gateway may have the request (and so may send its messages): such a
    /// request must never be sent again.
    pub fn may_have_been_received(&self) -> bool {
        match self {
            Self::Call(error) => error.may_have_been_received(),
            Self::Mismatch(_) => true,
            Self::NoSession(_) => false,
        }
    }
}

/// Why an account query failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The call failed.
    #[error(transparent)]
    Call(#[from] CallError<NoFault>),
    /// The gateway answered something this client cannot read as the vendor documents it.
    #[error("unexpected answer from the gateway: {0}")]
    Unexpected(String),
    /// The gateway answered with one of its documented errors (a wrong login, say): its
    /// answer, verbatim.
    #[error("the gateway refused: {0}")]
    Refused(String),
    /// The client cannot make this query (say, through an API that has no queries): nothing
    /// was sent.
    #[error("{0}")]
    NotOffered(String),
}

/// A request that failed, with its numbers.
#[derive(Debug)]
#[non_exhaustive]
pub struct FailedRequest {
    /// Its position among the send's requests, from 0.
    pub index: usize,
    /// Its numbers.
    pub recipients: Vec<String>,
    /// What went wrong.
    pub error: RequestError,
}

/// What stopped a send.
#[derive(Debug)]
#[non_exhaustive]
pub enum Stop<C> {
    /// A request failed: the first of [`Incomplete::failed`].
    Failed,
    /// An answer reported an account failure (invalid login, out of credit) while requests
    /// remained: they would have failed the same way, so they were not sent.
    AccountFailure(C),
}

/// A send that did not complete: who got an answer, whose request failed (and whether it may
/// have gone out), who was never sent. Nothing is lost silently.
#[derive(Debug)]
#[non_exhaustive]
pub struct Incomplete<C> {
    /// What stopped it.
    pub stop: Stop<C>,
    /// The outcomes of every request answered, in the order of the recipients.
    pub completed: SendReport<C>,
    /// The requests that failed, in order; after the first failure no request was started,
    /// and those in flight were let finish.
    pub failed: Vec<FailedRequest>,
    /// The numbers of the requests never sent.
    pub not_sent: Vec<String>,
}

impl<C> Incomplete<C> {
    /// The numbers of failed requests that may have reached the gateway: their outcome is
    /// unknown, and they were not resent.
    pub fn unknown(&self) -> impl Iterator<Item = &str> {
        self.failed
            .iter()
            .filter(|f| f.error.may_have_been_received())
            .flat_map(|f| f.recipients.iter().map(String::as_str))
    }

    /// The numbers of failed requests that cannot have reached the gateway, then those never
    /// sent: none of them got the message.
    pub fn unsent(&self) -> impl Iterator<Item = &str> {
        self.failed
            .iter()
            .filter(|f| !f.error.may_have_been_received())
            .flat_map(|f| f.recipients.iter().map(String::as_str))
            .chain(self.not_sent.iter().map(String::as_str))
    }

    /// The first failure, when a request failed.
    pub fn first_failure(&self) -> Option<&FailedRequest> {
        self.failed.first()
    }
}

/// Why a send stopped. What was already sent is kept: nothing is lost silently.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError<C> {
    /// The message broke a documented limit: nothing was sent.
    Invalid(InvalidMessage),
    /// Some requests did not complete (boxed: the report may be large, and errors are passed
    /// around by value).
    Incomplete(Box<Incomplete<C>>),
}

impl<C> From<InvalidMessage> for SendError<C> {
    fn from(error: InvalidMessage) -> Self {
        Self::Invalid(error)
    }
}

impl<C: fmt::Display> fmt::Display for SendError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let incomplete = match self {
            Self::Invalid(error) => return write!(f, "invalid message: {error}"),
            Self::Incomplete(incomplete) => incomplete,
        };
        match (&incomplete.stop, incomplete.first_failure()) {
            (Stop::AccountFailure(code), _) => write!(
                f,
                "the gateway answered {code} for the account; {} later recipient(s) were not sent",
                incomplete.not_sent.len()
            ),
            (Stop::Failed, Some(failed)) => write!(f, "{}", failed.error),
            (Stop::Failed, None) => f.write_str("the send did not complete"),
        }
    }
}

impl<C: fmt::Debug + fmt::Display> std::error::Error for SendError<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Invalid(error) => Some(error),
            Self::Incomplete(incomplete) => incomplete
                .first_failure()
                .map(|failed| &failed.error as &(dyn std::error::Error + 'static)),
        }
    }
}

impl<C> SendError<C> {
    /// The send's bookkeeping, unless the message was invalid (then nothing was sent).
    pub fn incomplete(&self) -> Option<&Incomplete<C>> {
        match self {
            Self::Incomplete(incomplete) => Some(incomplete),
            Self::Invalid(_) => None,
        }
    }
}
