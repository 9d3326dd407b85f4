//! The identity of a campaign: a SHA-256 digest of its message and one of its recipient list,
//! computed while the caller streams the list, so that a list of millions needs no memory.
//!
//! Every field is length-prefixed before it is hashed, so that no two different inputs (a
//! vendor "ab" with text "c" and a vendor "a" with text "bc", say) give the same bytes.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::model::Message;

/// The two digests that identify a campaign: of its message (vendor, text, options) and of
/// its recipient list (in order, with its length).
///
/// Displayed as the first 16 hexadecimal digits of each, `message-recipients`, so that an
/// error naming two hashes shows at a glance which part differs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CampaignHash {
    message: [u8; 32],
    recipients: [u8; 32],
}

impl CampaignHash {
    /// The message's digest, as 64 hexadecimal digits.
    pub fn message_hex(&self) -> String {
        hex(&self.message)
    }

    /// The recipient list's digest, as 64 hexadecimal digits.
    pub fn recipients_hex(&self) -> String {
        hex(&self.recipients)
    }

    /// Whether the messages differ.
    pub fn message_differs(&self, other: &Self) -> bool {
        self.message != other.message
    }

    /// Whether the recipient lists differ.
    pub fn recipients_differ(&self, other: &Self) -> bool {
        self.recipients != other.recipients
    }

    /// The hash from the two digests as [`message_hex`](Self::message_hex) and
    /// [`recipients_hex`](Self::recipients_hex) write them (as stored in a journal).
    pub(crate) fn from_hex(message: &str, recipients: &str) -> Option<Self> {
        Some(Self {
            message: unhex(message)?,
            recipients: unhex(recipients)?,
        })
    }
}

impl fmt::Display for CampaignHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            &self.message_hex()[..16],
            &self.recipients_hex()[..16]
        )
    }
}

impl fmt::Debug for CampaignHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CampaignHash({self})")
    }
}

/// Computes a [`CampaignHash`]: give it the message, then every recipient in order.
///
/// ```
/// use sms_journal::{CampaignHasher, Message};
///
/// let message = Message::new("csoft", "Hello", "{}");
/// let mut hasher = CampaignHasher::new(&message);
/// for number in ["447700900001", "447700900002"] {
///     hasher.recipient(number);
/// }
/// let hash = hasher.finish();
/// assert_eq!(hash.to_string().len(), 33);
/// ```
#[derive(Clone)]
pub struct CampaignHasher {
    message: [u8; 32],
    recipients: Sha256,
    count: u64,
}

impl CampaignHasher {
    /// A hasher for a campaign of `message`, with no recipient yet.
    pub fn new(message: &Message) -> Self {
        let mut digest = Sha256::new();
        digest.update(b"sms-journal message v1\n");
        for field in [&message.vendor, &message.text, &message.options] {
            update_field(&mut digest, field.as_bytes());
        }
        let mut recipients = Sha256::new();
        recipients.update(b"sms-journal recipients v1\n");
        Self {
            message: digest.finalize().into(),
            recipients,
            count: 0,
        }
    }

    /// Adds the next recipient of the list.
    pub fn recipient(&mut self, number: &str) {
        update_field(&mut self.recipients, number.as_bytes());
        self.count += 1;
    }

    /// How many recipients were added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The campaign's hash.
    pub fn finish(self) -> CampaignHash {
        let mut recipients = self.recipients;
        recipients.update(b"count");
        recipients.update(self.count.to_le_bytes());
        CampaignHash {
            message: self.message,
            recipients: recipients.finalize().into(),
        }
    }
}

fn update_field(digest: &mut Sha256, bytes: &[u8]) {
    digest.update((bytes.len() as u64).to_le_bytes());
    digest.update(bytes);
}

fn hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let text = text.as_bytes();
    if text.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(message: &Message, recipients: &[&str]) -> CampaignHash {
        let mut hasher = CampaignHasher::new(message);
        recipients.iter().for_each(|r| hasher.recipient(r));
        hasher.finish()
    }

    #[test]
    fn fields_are_delimited() {
        let a = hash(&Message::new("ab", "c", ""), &["1"]);
        let b = hash(&Message::new("a", "bc", ""), &["1"]);
        assert!(a.message_differs(&b));
        assert!(!a.recipients_differ(&b));
        let c = hash(&Message::new("a", "b", ""), &["12", "3"]);
        let d = hash(&Message::new("a", "b", ""), &["1", "23"]);
        assert!(c.recipients_differ(&d));
        assert!(!c.message_differs(&d));
    }

    #[test]
    fn order_and_length_count() {
        let m = Message::new("csoft", "hi", "");
        assert_ne!(hash(&m, &["1", "2"]), hash(&m, &["2", "1"]));
        assert_ne!(hash(&m, &[]), hash(&m, &[""]));
        assert_eq!(hash(&m, &["1", "2"]), hash(&m, &["1", "2"]));
    }

    #[test]
    fn hex_round_trips() {
        let h = hash(&Message::new("csoft", "hi", "x"), &["447700900001"]);
        assert_eq!(
            CampaignHash::from_hex(&h.message_hex(), &h.recipients_hex()),
            Some(h)
        );
        assert_eq!(CampaignHash::from_hex("zz", &h.recipients_hex()), None);
        assert!(h.to_string().starts_with(&h.message_hex()[..16]));
    }
}
