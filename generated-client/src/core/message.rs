//! A message and whom it goes to, as every vendor takes it, and the checks made before
//! anything is sent.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

/// The longest delay, and how far ahead a send time may be: seven days, as the vendors'
/// documents allow.
pub const MAX_SCHEDULE_AHEAD: TimeDelta = TimeDelta::days(7);
/// The longest delay in minutes (seven days).
pub const MAX_DELAY_MINUTES: u16 = 7 * 24 * 60;

/// What the message says, and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content {
    /// A plain text message.
    Text(String),
    /// A flash message, shown at once without being opened.
    Flash(String),
}

impl Content {
    /// The text, whatever the kind.
    pub fn text(&self) -> &str {
        match self {
            Self::Text(text) | Self::Flash(text) => text,
        }
    }
}

/// When the message goes out, when not at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schedule {
    /// After this many minutes (1 to [`MAX_DELAY_MINUTES`]).
    After(u16),
    /// At this time (UTC, in the future and at most [`MAX_SCHEDULE_AHEAD`] ahead).
    At(DateTime<Utc>),
}

/// A message to send, and to whom: what every vendor offers. A vendor's own options (a
/// delivery service, an address book) are in its message type, built from this one.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    numbers: Vec<String>,
    content: Content,
    schedule: Option<Schedule>,
}

impl Message {
    /// A plain text message to `numbers`.
    pub fn text(
        text: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::new(Content::Text(text.into()), numbers)
    }

    /// A flash message to `numbers`.
    pub fn flash(
        text: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::new(Content::Flash(text.into()), numbers)
    }

    /// A message with this content to `numbers`.
    pub fn new(content: Content, numbers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            numbers: numbers.into_iter().map(Into::into).collect(),
            content,
            schedule: None,
        }
    }

    /// The same message, sent after `minutes`.
    pub fn delay_minutes(self, minutes: u16) -> Self {
        self.schedule(Schedule::After(minutes))
    }

    /// The same message, sent at `time`.
    pub fn send_at(self, time: DateTime<Utc>) -> Self {
        self.schedule(Schedule::At(time))
    }

    /// The same message, sent when `schedule` says.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// The numbers as given.
    pub fn numbers(&self) -> &[String] {
        &self.numbers
    }

    /// What the message says.
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// When it goes out, if not at once.
    pub fn when(&self) -> Option<Schedule> {
        self.schedule
    }

    /// Checks the message, as of `now`, and returns the numbers as they will be sent: the
    /// message's own when they are all in full international format already (a checked
    /// list's are), so that a large send holds its numbers once. `other_recipients` says
    /// whether the vendor's message names recipients besides the numbers (an address book),
    /// so that a message without numbers is not empty.
    pub fn validate(
        &self,
        now: DateTime<Utc>,
        other_recipients: bool,
    ) -> Result<Cow<'_, [String]>, InvalidMessage> {
        if self.content.text().is_empty() {
            return Err(InvalidMessage::EmptyText);
        }
        if self.numbers.is_empty() && !other_recipients {
            return Err(InvalidMessage::NoRecipients);
        }
        let invalid = |index: usize, number: &String| InvalidMessage::Number {
            index,
            number: number.clone(),
        };
        let numbers = match self.numbers.iter().position(|n| !is_normalized(n)) {
            None => Cow::Borrowed(self.numbers.as_slice()),
            Some(first) => {
                let mut normalized = Vec::with_capacity(self.numbers.len());
                normalized.extend_from_slice(&self.numbers[..first]);
                for (index, number) in self.numbers.iter().enumerate().skip(first) {
                    normalized
                        .push(normalize_number(number).ok_or_else(|| invalid(index, number))?);
                }
                Cow::Owned(normalized)
            }
        };
        self.check_schedule(now)?;
        Ok(numbers)
    }

    /// Checks the message but for its numbers, as of `now`: its text and its schedule. For a
    /// send whose numbers come from elsewhere (a campaign's recipient list).
    pub fn validate_content(&self, now: DateTime<Utc>) -> Result<(), InvalidMessage> {
        if self.content.text().is_empty() {
            return Err(InvalidMessage::EmptyText);
        }
        self.check_schedule(now)
    }

    fn check_schedule(&self, now: DateTime<Utc>) -> Result<(), InvalidMessage> {
        match self.schedule {
            Some(Schedule::After(minutes)) if !(1..=MAX_DELAY_MINUTES).contains(&minutes) => {
                Err(InvalidMessage::Delay(minutes))
            }
            Some(Schedule::At(at)) if at <= now || at - now > MAX_SCHEDULE_AHEAD => {
                Err(InvalidMessage::SendAt(at))
            }
            _ => Ok(()),
        }
    }
}

/// A number in full international format: 7 to 15 digits, not starting with 0; a leading `+`
/// and spaces are dropped. `None` when it is not one.
pub fn normalize_number(number: &str) -> Option<String> {
    let trimmed = number.trim();
    let digits: String = trimmed
        .strip_prefix('+')
        .unwrap_or(trimmed)
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    is_normalized(&digits).then_some(digits)
}

/// Whether a number is in full international format as it is, with nothing to drop.
fn is_normalized(digits: &str) -> bool {
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Why a message was not sent: nothing went out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidMessage {
    /// The text is empty.
    #[error("the message text is empty")]
    EmptyText,
    /// No number, and no other recipient.
    #[error("no recipients")]
    NoRecipients,
    /// A number is not in full international format.
    #[error("recipient {} ({number:?}) is not a number in full international format, such as 447700912345", index + 1)]
    Number {
        /// Its position in the list, from 0.
        index: usize,
        /// The number as given.
        number: String,
    },
    /// The delay is outside 1 minute to seven days.
    #[error("the delay must be 1 to {MAX_DELAY_MINUTES} minutes, not {0}")]
    Delay(u16),
    /// The send time is in the past or more than seven days ahead.
    #[error("the send time {0} must be in the future and at most seven days ahead (UTC)")]
    SendAt(DateTime<Utc>),
    /// An option of the vendor's own is not valid, in the vendor's words.
    #[error("{0}")]
    Vendor(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn numbers_must_be_international() {
        let spaced = Message::text("hi", ["+44 7700 912345", "23412345678"]);
        let numbers = spaced.validate(now(), false).unwrap();
        assert_eq!(*numbers, ["447700912345", "23412345678"]);
        assert!(matches!(numbers, Cow::Owned(_)));
        let already = Message::text("hi", ["447700912345", "23412345678"]);
        assert!(matches!(
            already.validate(now(), false),
            Ok(Cow::Borrowed(_))
        ));
        for bad in ["07700912345", "44770x912345", "123", "1234567890123456", ""] {
            let error = Message::text("hi", ["447700912345", bad])
                .validate(now(), false)
                .unwrap_err();
            assert!(
                matches!(&error, InvalidMessage::Number { index: 1, number } if number == bad),
                "{bad}: {error:?}"
            );
        }
    }

    #[test]
    fn limits_are_enforced() {
        let ok = || Message::text("hi", ["447700912345"]);
        assert!(matches!(
            Message::text("", ["447700912345"]).validate(now(), false),
            Err(InvalidMessage::EmptyText)
        ));
        assert!(matches!(
            Message::text("hi", Vec::<String>::new()).validate(now(), false),
            Err(InvalidMessage::NoRecipients)
        ));
        // A vendor's other recipients (an address book) make a message without numbers.
        assert!(Message::text("hi", Vec::<String>::new())
            .validate(now(), true)
            .is_ok());
        for (delay, valid) in [(0, false), (1, true), (10080, true), (10081, false)] {
            let message = ok().delay_minutes(delay);
            assert_eq!(
                message.validate(now(), false).is_ok(),
                valid,
                "delay {delay}"
            );
        }
        for (ahead, valid) in [
            (-1, false),
            (1, true),
            (7 * 24 * 60, true),
            (7 * 24 * 60 + 1, false),
        ] {
            let message = ok().send_at(now() + TimeDelta::minutes(ahead));
            assert_eq!(
                message.validate(now(), false).is_ok(),
                valid,
                "{ahead} minutes ahead"
            );
        }
    }
}
