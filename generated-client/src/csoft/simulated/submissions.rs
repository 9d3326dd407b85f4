//! What the simulated gateway received: each SubmitMessage and what it answered per number.

use std::net::SocketAddr;

/// A SubmitMessage request as the simulator received and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submission {
    /// The local address of the listener that received it.
    pub server: SocketAddr,
    /// The Username sent, if any.
    pub username: Option<String>,
    /// The text of the TextMessage (or FlashMessage), if any.
    pub text: Option<String>,
    /// The ReplyTo sent, if any.
    pub reply_to: Option<String>,
    /// One entry per number, in the order of the request.
    pub recipients: Vec<RecipientResult>,
}

/// What the simulator answered for one number of a SubmitMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipientResult {
    /// The number, as sent (trimmed).
    pub number: String,
    /// The message identifier answered.
    pub message_identifier: String,
    /// The report code answered.
    pub report: i32,
    /// The report's text as answered.
    pub text: String,
    /// Whether the message was accepted for delivery (and paid for).
    pub accepted: bool,
}
