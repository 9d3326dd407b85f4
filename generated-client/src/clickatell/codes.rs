//! Clickatell's codes, typed: the error codes of its `ERR:` answers, the per-recipient
//! [`Code`] of a send, and the message status codes of `querymsg`.
//!
//! Each documented code has a variant; any other number is kept in `Other`. The meanings are
//! this module's own wording of Clickatell's API documentation.

use std::fmt;

use crate::core::{ReportClass, VendorCode};

/// An error code from an `ERR: <code>, <text>` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 001: the login (credentials, or the session id standing for them) was not accepted.
    AuthenticationFailed,
    /// 002: no account has this user name and password.
    UnknownUsernameOrPassword,
    /// 003: the session id has expired (sessions end after a spell without use).
    SessionExpired,
    /// 004: the account is frozen.
    AccountFrozen,
    /// 005: the call needs a session id and has none.
    MissingSessionId,
    /// 007: the account only takes calls from other IP addresses.
    IpLockdownViolation,
    /// 101: a parameter is missing or has a value the gateway does not take.
    InvalidParameters,
    /// 102: the user data header is malformed.
    InvalidUserDataHeader,
    /// 103: no message has this API message id.
    UnknownApiMessageId,
    /// 104: no message has this client message id.
    UnknownClientMessageId,
    /// 105: the destination number is not valid.
    InvalidDestinationAddress,
    /// 106: the sender address is not valid (or not registered).
    InvalidSourceAddress,
    /// 107: the message has no text.
    EmptyMessage,
    /// 108: the api_id is missing or wrong.
    InvalidApiId,
    /// 109: the call needs a message id and has none.
    MissingMessageId,
    /// 113: the text needs more message parts than the request allows (`concat`).
    MaximumMessagePartsExceeded,
    /// 114: the gateway has no route to the destination's network.
    CannotRouteMessage,
    /// 115: the message expired before it could be sent on.
    MessageExpired,
    /// 116: the Unicode text is malformed.
    InvalidUnicodeData,
    /// 120: the delivery time is not valid.
    InvalidDeliveryTime,
    /// 121: the destination number is on the gateway's block list.
    DestinationBlocked,
    /// 122: the destination has opted out of messages.
    DestinationOptedOut,
    /// 123: the sender id is not registered and approved.
    InvalidSenderId,
    /// 128: the destination number has been delisted.
    NumberDelisted,
    /// 130: the account has sent as many messages as its daily or monthly limit allows.
    MtLimitExceeded,
    /// 201: no batch has this batch id.
    InvalidBatchId,
    /// 202: the batch has no template.
    NoBatchTemplate,
    /// 301: the account has no credit left.
    NoCreditLeft,
    /// 302: the message would cost more than the request allows (`max_credits`).
    MaxAllowedCredit,
    /// 901: an error inside the gateway.
    InternalError,
    /// Any code not listed above.
    Other(u16),
}

/// The listed codes and their variants; a test checks `from_number` against it.
const LISTED: [(u16, ErrorCode); 30] = [
    (1, ErrorCode::AuthenticationFailed),
    (2, ErrorCode::UnknownUsernameOrPassword),
    (3, ErrorCode::SessionExpired),
    (4, ErrorCode::AccountFrozen),
    (5, ErrorCode::MissingSessionId),
    (7, ErrorCode::IpLockdownViolation),
    (101, ErrorCode::InvalidParameters),
    (102, ErrorCode::InvalidUserDataHeader),
    (103, ErrorCode::UnknownApiMessageId),
    (104, ErrorCode::UnknownClientMessageId),
    (105, ErrorCode::InvalidDestinationAddress),
    (106, ErrorCode::InvalidSourceAddress),
    (107, ErrorCode::EmptyMessage),
    (108, ErrorCode::InvalidApiId),
    (109, ErrorCode::MissingMessageId),
    (113, ErrorCode::MaximumMessagePartsExceeded),
    (114, ErrorCode::CannotRouteMessage),
    (115, ErrorCode::MessageExpired),
    (116, ErrorCode::InvalidUnicodeData),
    (120, ErrorCode::InvalidDeliveryTime),
    (121, ErrorCode::DestinationBlocked),
    (122, ErrorCode::DestinationOptedOut),
    (123, ErrorCode::InvalidSenderId),
    (128, ErrorCode::NumberDelisted),
    (130, ErrorCode::MtLimitExceeded),
    (201, ErrorCode::InvalidBatchId),
    (202, ErrorCode::NoBatchTemplate),
    (301, ErrorCode::NoCreditLeft),
    (302, ErrorCode::MaxAllowedCredit),
    (901, ErrorCode::InternalError),
];

impl ErrorCode {
    /// The code for a number: a listed variant, or `Other`.
    pub fn from_number(number: u16) -> Self {
        LISTED
            .iter()
            .find(|(n, _)| *n == number)
            .map_or(Self::Other(number), |(_, code)| *code)
    }

    /// The number, as in `ERR: 105`.
    pub fn number(self) -> u16 {
        match self {
            Self::Other(number) => number,
            listed => LISTED
                .iter()
                .find(|(_, code)| *code == listed)
                .map_or(0, |(n, _)| *n),
        }
    }

    /// What it means, in a few words, if it is a listed code.
    pub fn meaning(self) -> Option<&'static str> {
        Some(match self {
            Self::AuthenticationFailed => "authentication failed",
            Self::UnknownUsernameOrPassword => "unknown user name or password",
            Self::SessionExpired => "session expired",
            Self::AccountFrozen => "account frozen",
            Self::MissingSessionId => "no session id",
            Self::IpLockdownViolation => "calls from this IP address are locked out",
            Self::InvalidParameters => "invalid or missing parameters",
            Self::InvalidUserDataHeader => "invalid user data header",
            Self::UnknownApiMessageId => "unknown API message id",
            Self::UnknownClientMessageId => "unknown client message id",
            Self::InvalidDestinationAddress => "invalid destination number",
            Self::InvalidSourceAddress => "invalid sender address",
            Self::EmptyMessage => "empty message",
            Self::InvalidApiId => "invalid or missing api_id",
            Self::MissingMessageId => "no message id",
            Self::MaximumMessagePartsExceeded => "too many message parts",
            Self::CannotRouteMessage => "no route to the destination",
            Self::MessageExpired => "message expired",
            Self::InvalidUnicodeData => "invalid Unicode text",
            Self::InvalidDeliveryTime => "invalid delivery time",
            Self::DestinationBlocked => "destination number blocked",
            Self::DestinationOptedOut => "destination opted out",
            Self::InvalidSenderId => "sender id not approved",
            Self::NumberDelisted => "number delisted",
            Self::MtLimitExceeded => "message limit reached",
            Self::InvalidBatchId => "invalid batch id",
            Self::NoBatchTemplate => "no batch template",
            Self::NoCreditLeft => "no credit left",
            Self::MaxAllowedCredit => "over the allowed credit",
            Self::InternalError => "internal error",
            Self::Other(_) => return None,
        })
    }

    /// Whether the gateway refused the login (001, 003, 005): with a session id, that it
    /// refused the session. Clickatell raises these before it looks at what the call asks, so
    /// a call refused with one of them did nothing; a new session may be tried.
    pub fn is_session_error(self) -> bool {
        matches!(
            self,
            Self::AuthenticationFailed | Self::SessionExpired | Self::MissingSessionId
        )
    }

    /// What a program should make of it when it answers a send: nothing will go out from
    /// this account until it is fixed (login, session, credit, limits), or the message will
    /// not reach this recipient.
    pub fn class(self) -> ReportClass {
        match self {
            Self::AuthenticationFailed
            | Self::UnknownUsernameOrPassword
            | Self::SessionExpired
            | Self::AccountFrozen
            | Self::MissingSessionId
            | Self::IpLockdownViolation
            | Self::InvalidApiId
            | Self::MtLimitExceeded
            | Self::NoCreditLeft => ReportClass::AccountFailure,
            _ => ReportClass::Rejected,
        }
    }
}

impl fmt::Display for ErrorCode {
    /// `105 (invalid destination number)`, the number written as Clickatell does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.meaning() {
            Some(meaning) => write!(f, "{:03} ({meaning})", self.number()),
            None => write!(f, "{:03}", self.number()),
        }
    }
}

/// What `sendmsg` answered for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `ID: <apimsgid>`: the gateway took the message. Clickatell gives no code for it.
    Accepted,
    /// `ERR: <code>, <text>`.
    Error(ErrorCode),
}

impl VendorCode for Code {
    fn class(self) -> ReportClass {
        match self {
            Self::Accepted => ReportClass::Accepted,
            Self::Error(code) => code.class(),
        }
    }

    /// `ID` for an accepted message (the tag of its answer: Clickatell gives it no code), the
    /// error's number (`105`) otherwise.
    fn wire(self) -> String {
        match self {
            Self::Accepted => "ID".to_owned(),
            Self::Error(code) => format!("{:03}", code.number()),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted => f.write_str("ID (accepted)"),
            Self::Error(code) => code.fmt(f),
        }
    }
}

/// `null` for an accepted message, the error's number otherwise (`sendsms --json`).
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Accepted => serializer.serialize_none(),
            Self::Error(code) => serializer.serialize_u16(code.number()),
        }
    }
}

/// A message's status, as `querymsg` answers it (`ID: <apimsgid> Status: <code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageStatus {
    /// 001: the gateway knows no such message, or has no report on it yet.
    Unknown,
    /// 002: queued, to be tried again after a failed delivery.
    Queued,
    /// 003: handed on to the upstream gateway or network.
    DeliveredToGateway,
    /// 004: the handset confirmed receipt.
    ReceivedByRecipient,
    /// 005: the message itself is at fault (its content, say).
    ErrorWithMessage,
    /// 006: delivery was cancelled (by the user, or by the gateway's staff).
    Cancelled,
    /// 007: delivering to the handset failed.
    ErrorDelivering,
    /// 008: the gateway has received the message.
    ReceivedByGateway,
    /// 009: routing the message failed upstream.
    RoutingError,
    /// 010: the message expired before it could be handed on; no charge.
    Expired,
    /// 011: queued for delivery later (a delivery time was set).
    QueuedForLater,
    /// 012: the account ran out of credit before the message could go.
    OutOfCredit,
    /// 014: the account's limit of messages is reached.
    MtLimitExceeded,
    /// Any other status.
    Other(u16),
}

const STATUSES: [(u16, MessageStatus); 13] = [
    (1, MessageStatus::Unknown),
    (2, MessageStatus::Queued),
    (3, MessageStatus::DeliveredToGateway),
    (4, MessageStatus::ReceivedByRecipient),
    (5, MessageStatus::ErrorWithMessage),
    (6, MessageStatus::Cancelled),
    (7, MessageStatus::ErrorDelivering),
    (8, MessageStatus::ReceivedByGateway),
    (9, MessageStatus::RoutingError),
    (10, MessageStatus::Expired),
    (11, MessageStatus::QueuedForLater),
    (12, MessageStatus::OutOfCredit),
    (14, MessageStatus::MtLimitExceeded),
];

impl MessageStatus {
    /// The status for a number: a listed variant, or `Other`.
    pub fn from_number(number: u16) -> Self {
        STATUSES
            .iter()
            .find(|(n, _)| *n == number)
            .map_or(Self::Other(number), |(_, status)| *status)
    }

    /// The number, as in `Status: 004`.
    pub fn number(self) -> u16 {
        match self {
            Self::Other(number) => number,
            listed => STATUSES
                .iter()
                .find(|(_, status)| *status == listed)
                .map_or(0, |(n, _)| *n),
        }
    }

    /// Where the message stands, as a send's outcome would say it: on its way (accepted),
    /// delivered, failed for this recipient (rejected), or stopped by the account (credit,
    /// limits). `None` when the gateway does not know (001) or the status is not listed.
    pub fn class(self) -> Option<ReportClass> {
        Some(match self {
            Self::Queued | Self::DeliveredToGateway | Self::ReceivedByGateway => {
                ReportClass::Accepted
            }
            Self::QueuedForLater => ReportClass::Accepted,
            Self::ReceivedByRecipient => ReportClass::Delivered,
            Self::ErrorWithMessage
            | Self::Cancelled
            | Self::ErrorDelivering
            | Self::RoutingError
            | Self::Expired => ReportClass::Rejected,
            Self::OutOfCredit | Self::MtLimitExceeded => ReportClass::AccountFailure,
            Self::Unknown | Self::Other(_) => return None,
        })
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_round_trips_and_others_are_kept() {
        for (number, code) in LISTED {
            assert_eq!(ErrorCode::from_number(number), code);
            assert_eq!(code.number(), number);
            assert!(code.meaning().is_some());
        }
        assert_eq!(ErrorCode::from_number(666), ErrorCode::Other(666));
        assert_eq!(ErrorCode::Other(666).to_string(), "666");
        assert_eq!(
            ErrorCode::InvalidDestinationAddress.to_string(),
            "105 (invalid destination number)"
        );
        assert_eq!(
            ErrorCode::SessionExpired.to_string(),
            "003 (session expired)"
        );
        for (number, status) in STATUSES {
            assert_eq!(MessageStatus::from_number(number), status);
            assert_eq!(status.number(), number);
        }
        assert_eq!(MessageStatus::from_number(13), MessageStatus::Other(13));
    }

    #[test]
    fn classes_say_what_a_program_should_do() {
        use ReportClass::*;
        let class = |n| ErrorCode::from_number(n).class();
        for account in [1, 2, 3, 4, 5, 7, 108, 130, 301] {
            assert_eq!(class(account), AccountFailure, "{account}");
        }
        for rejected in [101, 105, 113, 114, 121, 122, 128, 901, 666] {
            assert_eq!(class(rejected), Rejected, "{rejected}");
        }
        let session: Vec<u16> = LISTED
            .iter()
            .filter(|(_, c)| c.is_session_error())
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(session, [1, 3, 5]);
        assert_eq!(Code::Accepted.class(), Accepted);
        assert_eq!(Code::Accepted.wire(), "ID");
        assert_eq!(Code::Error(ErrorCode::SessionExpired).wire(), "003");
        assert_eq!(MessageStatus::ReceivedByRecipient.class(), Some(Delivered));
        assert_eq!(MessageStatus::Unknown.class(), None);
    }
}
