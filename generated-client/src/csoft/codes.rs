//! Connection Software's report codes: what the gateway says happened to each recipient of a
//! message, typed.
//!
//! The documents list the codes a client should handle (-3, -2, -1, 0, 2, 3, 5, 6, 7, 8, 11,
//! 12, 13, 14, 15, 20, 76, 98, 99) and give a meaning for some of them. Each listed code has a
//! variant; any other integer is kept in [`ReportCode::Other`]. A program acts on the
//! [`ReportClass`]: accepted, delivered, rejected for this recipient, or failed for the whole
//! account. Codes whose meaning the documents do not give count as rejected: an SMS is only
//! taken as accepted when the gateway says so in a way we understand.

use std::fmt;

use crate::core::{ReportClass, VendorCode};

/// A report code from the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportCode {
    /// -3: delivery is delayed; the message is still pending.
    Delayed,
    /// -2: accepted by the gateway and queued for delivery.
    Queued,
    /// -1: an error without a more specific code (the documents' "catch-all").
    CatchAll,
    /// 0: delivered to the phone.
    Delivered,
    /// 2: invalid login (Username or PIN).
    InvalidLogin,
    /// 3: invalid number.
    InvalidNumber,
    /// 5: invalid number.
    InvalidNumber5,
    /// 6: listed by the documents without a meaning.
    Code6,
    /// 7: invalid number.
    InvalidNumber7,
    /// 8: the number is blacklisted.
    Blacklisted,
    /// 11: invalid characters were removed from the message, which was sent.
    InvalidCharactersRemoved,
    /// 12: listed by the documents without a meaning.
    Code12,
    /// 13: listed by the documents without a meaning.
    Code13,
    /// 14: listed by the documents without a meaning.
    Code14,
    /// 15: the account is out of credit.
    OutOfCredit,
    /// 20: listed by the documents without a meaning.
    Code20,
    /// 76: listed by the documents without a meaning.
    Code76,
    /// 98: listed by the documents without a meaning.
    Code98,
    /// 99: a test message succeeded (test accounts; nothing was sent to a phone).
    TestSucceeded,
    /// Any code the documents do not list.
    Other(i32),
}

/// The listed codes and their variants; a test checks `from_i32` against it.
const LISTED: [(i32, ReportCode); 19] = [
    (-3, ReportCode::Delayed),
    (-2, ReportCode::Queued),
    (-1, ReportCode::CatchAll),
    (0, ReportCode::Delivered),
    (2, ReportCode::InvalidLogin),
    (3, ReportCode::InvalidNumber),
    (5, ReportCode::InvalidNumber5),
    (6, ReportCode::Code6),
    (7, ReportCode::InvalidNumber7),
    (8, ReportCode::Blacklisted),
    (11, ReportCode::InvalidCharactersRemoved),
    (12, ReportCode::Code12),
    (13, ReportCode::Code13),
    (14, ReportCode::Code14),
    (15, ReportCode::OutOfCredit),
    (20, ReportCode::Code20),
    (76, ReportCode::Code76),
    (98, ReportCode::Code98),
    (99, ReportCode::TestSucceeded),
];

impl ReportCode {
    /// The code for an integer: a listed variant, or `Other`.
    pub fn from_i32(code: i32) -> Self {
        // A match, not a search of `LISTED`: this runs for every recipient of every response.
        match code {
            -3 => Self::Delayed,
            -2 => Self::Queued,
            -1 => Self::CatchAll,
            0 => Self::Delivered,
            2 => Self::InvalidLogin,
            3 => Self::InvalidNumber,
            5 => Self::InvalidNumber5,
            6 => Self::Code6,
            7 => Self::InvalidNumber7,
            8 => Self::Blacklisted,
            11 => Self::InvalidCharactersRemoved,
            12 => Self::Code12,
            13 => Self::Code13,
            14 => Self::Code14,
            15 => Self::OutOfCredit,
            20 => Self::Code20,
            76 => Self::Code76,
            98 => Self::Code98,
            99 => Self::TestSucceeded,
            other => Self::Other(other),
        }
    }

    /// The integer the gateway sends.
    pub fn code(self) -> i32 {
        match self {
            Self::Other(code) => code,
            listed => LISTED
                .iter()
                .find(|(_, v)| *v == listed)
                .map_or(i32::MIN, |(c, _)| *c),
        }
    }

    /// The meaning the documents give, if they give one.
    pub fn meaning(self) -> Option<&'static str> {
        Some(match self {
            Self::Delayed => "delayed",
            Self::Queued => "accepted and queued",
            Self::CatchAll => "error (catch-all)",
            Self::Delivered => "delivered to the phone",
            Self::InvalidLogin => "invalid login",
            Self::InvalidNumber | Self::InvalidNumber5 | Self::InvalidNumber7 => "invalid number",
            Self::Blacklisted => "blacklisted number",
            Self::InvalidCharactersRemoved => "invalid characters removed",
            Self::OutOfCredit => "out of credit",
            Self::TestSucceeded => "test message succeeded",
            _ => return None,
        })
    }

    /// What a program should make of it.
    pub fn class(self) -> ReportClass {
        match self {
            Self::Delayed | Self::Queued | Self::InvalidCharactersRemoved | Self::TestSucceeded => {
                ReportClass::Accepted
            }
            Self::Delivered => ReportClass::Delivered,
            Self::InvalidLogin | Self::OutOfCredit => ReportClass::AccountFailure,
            _ => ReportClass::Rejected,
        }
    }

    /// Whether the gateway took or delivered the message.
    pub fn is_success(self) -> bool {
        self.class().is_success()
    }
}

impl VendorCode for ReportCode {
    fn class(self) -> ReportClass {
        ReportCode::class(self)
    }

    fn wire(self) -> String {
        self.code().to_string()
    }
}

/// As the integer the gateway sends (`sendsms --json`).
impl serde::Serialize for ReportCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.code())
    }
}

impl From<i32> for ReportCode {
    fn from(code: i32) -> Self {
        Self::from_i32(code)
    }
}

impl fmt::Display for ReportCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.meaning() {
            Some(meaning) => write!(f, "{} ({meaning})", self.code()),
            None => write!(f, "{}", self.code()),
        }
    }
}

impl std::str::FromStr for ReportCode {
    type Err = std::num::ParseIntError;

    /// Parses a code as the gateway writes it (`-2`, ` 15 `).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse::<i32>().map(Self::from_i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_round_trips_and_others_are_kept() {
        for (code, variant) in LISTED {
            assert_eq!(ReportCode::from_i32(code), variant);
            assert_eq!(variant.code(), code);
        }
        assert_eq!(ReportCode::from_i32(42), ReportCode::Other(42));
        assert_eq!(ReportCode::Other(42).code(), 42);
        assert_eq!("-2".parse::<ReportCode>(), Ok(ReportCode::Queued));
        assert!("x".parse::<ReportCode>().is_err());
    }

    #[test]
    fn classes_follow_the_documents() {
        use ReportClass::*;
        let class = |code| ReportCode::from_i32(code).class();
        assert_eq!([class(-3), class(-2), class(11), class(99)], [Accepted; 4]);
        assert_eq!(class(0), Delivered);
        assert_eq!([class(2), class(15)], [AccountFailure; 2]);
        assert_eq!(
            [
                class(-1),
                class(3),
                class(5),
                class(7),
                class(8),
                class(6),
                class(42)
            ],
            [Rejected; 7]
        );
        assert_eq!(ReportCode::OutOfCredit.to_string(), "15 (out of credit)");
        assert_eq!(ReportCode::Code76.to_string(), "76");
    }
}
