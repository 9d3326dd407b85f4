//! Per-recipient outcomes of a send, whatever the vendor: a [`SendReport`] holds one
//! [`Outcome`] per recipient, in order, each with the vendor's typed code and its shared
//! [`ReportClass`].
//!
//! A vendor adds the answers of each request: a list of per-recipient [`Answer`]s with
//! [`SendReport::push_request`], or, for answers that come as long strings (comma-separated
//! lists), by pointing into those strings with [`SendReport::push_request_with`], which copies
//! each string once instead of allocating one per recipient.

use std::ops::Range;

use super::code::{ReportClass, VendorCode};

/// What the gateway said about one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Outcome<'a, C> {
    /// The number, when the request named numbers (not for a vendor's sends to a list it
    /// keeps, such as an address book).
    pub recipient: Option<&'a str>,
    /// The gateway's identifier for this message (empty if it gave none).
    pub message_id: &'a str,
    /// The vendor's code.
    pub report: C,
    /// What that means for a program.
    pub class: ReportClass,
    /// The gateway's text, verbatim: this recipient's part of it, or all of it when it was
    /// not one part per recipient.
    pub text: &'a str,
}

/// One recipient's answer as a vendor read it from a response, for
/// [`SendReport::push_request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer<'a, C> {
    /// The number, when the request named numbers.
    pub recipient: Option<&'a str>,
    /// The gateway's identifier for this message (empty if it gave none).
    pub message_id: &'a str,
    /// The vendor's code.
    pub report: C,
    /// The gateway's text for this recipient, verbatim.
    pub text: &'a str,
}

/// A piece of a string added to a report with [`RequestWriter::add`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// The part of this span at `range`, in bytes from its start (clamped to the span).
    pub fn slice(self, range: Range<usize>) -> Self {
        let start = (self.start + range.start).min(self.end);
        let end = (self.start + range.end).clamp(start, self.end);
        Self { start, end }
    }

    /// The empty span at this one's start.
    pub fn empty(self) -> Self {
        Self {
            start: self.start,
            end: self.start,
        }
    }

    fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<C> {
    recipient: Option<Span>,
    message_id: Span,
    report: C,
    text: Span,
}

/// The outcomes of a send, in the order of its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport<C> {
    /// Every request's numbers and every response's identifiers and texts, one after
    /// another; entries point into it.
    strings: String,
    entries: Vec<Entry<C>>,
    requests: usize,
}

// By hand: a derived `Default` would ask for `C: Default`, and codes have no default.
impl<C> Default for SendReport<C> {
    fn default() -> Self {
        Self {
            strings: String::new(),
            entries: Vec::new(),
            requests: 0,
        }
    }
}

/// A response whose answers do not match its request. The request reached the gateway, so
/// its messages may have gone out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseMismatch {
    /// Another number of per-recipient answers than the request had recipients.
    #[error("the gateway answered {answers} answer(s) for {recipients} recipient(s)")]
    Answers {
        /// Recipients in the request.
        recipients: usize,
        /// Answers in the response.
        answers: usize,
    },
    /// An answer names another recipient than the one at its place in the request.
    #[error("answer {} is for {found:?}, but recipient {} is {expected:?}", index + 1, index + 1)]
    Recipient {
        /// The answer's position, from 0.
        index: usize,
        /// The recipient at that position in the request.
        expected: String,
        /// The recipient the answer names.
        found: String,
    },
    /// An answer is not in any form the vendor documents.
    #[error("the gateway's answer {0:?} cannot be read")]
    Unreadable(String),
    /// More answers than a request may have: a vendor's limit on what one answer may hold,
    /// so that an answer cannot make the client hold unbounded outcomes in memory.
    #[error("the gateway answered more than {limit} outcomes for one request")]
    TooMany {
        /// The limit.
        limit: usize,
    },
    /// Something only one vendor's answers can get wrong, in its own words.
    #[error(transparent)]
    Vendor(Box<dyn std::error::Error + Send + Sync>),
}

impl<C: VendorCode> SendReport<C> {
    /// Adds the answers to one request, one per recipient, in order.
    pub fn push_request<'s>(&mut self, answers: impl IntoIterator<Item = Answer<'s, C>>) {
        for answer in answers {
            let recipient = answer.recipient.map(|number| self.push_text(number));
            let message_id = self.push_text(answer.message_id);
            let text = self.push_text(answer.text);
            self.entries.push(Entry {
                recipient,
                message_id,
                report: answer.report,
                text,
            });
        }
        self.requests += 1;
    }

    /// Adds the answers to one request through a [`RequestWriter`]: `write` adds the strings
    /// the answers come in, once each, and one outcome per recipient pointing into them. If
    /// `write` fails, nothing of this request stays in the report.
    pub fn push_request_with<E>(
        &mut self,
        write: impl FnOnce(&mut RequestWriter<'_, C>) -> Result<(), E>,
    ) -> Result<(), E> {
        let (strings, entries) = (self.strings.len(), self.entries.len());
        let mut writer = RequestWriter { report: self };
        match write(&mut writer) {
            Ok(()) => {
                self.requests += 1;
                Ok(())
            }
            Err(error) => {
                self.strings.truncate(strings);
                self.entries.truncate(entries);
                Err(error)
            }
        }
    }

    /// Adds every outcome of `later`, after this report's: the reports of a send's requests,
    /// made one by one, joined in the order of the recipients.
    pub fn append(&mut self, later: SendReport<C>) {
        let offset = self.strings.len();
        let shift = |span: Span| Span {
            start: span.start + offset,
            end: span.end + offset,
        };
        self.strings.push_str(&later.strings);
        self.entries
            .extend(later.entries.into_iter().map(|entry| Entry {
                recipient: entry.recipient.map(shift),
                message_id: shift(entry.message_id),
                report: entry.report,
                text: shift(entry.text),
            }));
        self.requests += later.requests;
    }

    /// Room for `outcomes` more outcomes and `bytes` more of their text, so that a report
    /// of a known size grows in one step.
    pub(crate) fn reserve(&mut self, bytes: usize, outcomes: usize) {
        self.strings.reserve(bytes);
        self.entries.reserve(outcomes);
    }

    fn push_text(&mut self, text: &str) -> Span {
        let start = self.strings.len();
        self.strings.push_str(text);
        Span {
            start,
            end: self.strings.len(),
        }
    }

    /// The text of a span; empty for one that does not fall on character boundaries (a
    /// vendor's bug, which must not bring the program down).
    fn text(&self, span: Span) -> &str {
        self.strings.get(span.range()).unwrap_or_default()
    }

    /// How many outcomes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many requests the send took.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// The outcome of the `index`th recipient.
    pub fn get(&self, index: usize) -> Option<Outcome<'_, C>> {
        self.entries.get(index).map(|entry| Outcome {
            recipient: entry.recipient.map(|r| self.text(r)),
            message_id: self.text(entry.message_id),
            report: entry.report,
            class: entry.report.class(),
            text: self.text(entry.text),
        })
    }

    /// The outcomes, in order.
    pub fn iter(&self) -> impl Iterator<Item = Outcome<'_, C>> {
        (0..self.entries.len()).filter_map(|i| self.get(i))
    }

    /// Whether the gateway took the message for every recipient.
    pub fn all_accepted(&self) -> bool {
        self.entries.iter().all(|e| e.report.is_success())
    }
}

/// Writes one request's outcomes into a [`SendReport`]; see
/// [`SendReport::push_request_with`].
#[derive(Debug)]
pub struct RequestWriter<'r, C> {
    report: &'r mut SendReport<C>,
}

impl<C: VendorCode> RequestWriter<'_, C> {
    /// Copies `text` into the report; the outcomes point into it with [`Span`]s.
    pub fn add(&mut self, text: &str) -> Span {
        self.report.push_text(text)
    }

    /// Reserves room for `bytes` more of text and `outcomes` more outcomes.
    pub fn reserve(&mut self, bytes: usize, outcomes: usize) {
        self.report.strings.reserve(bytes);
        self.report.entries.reserve(outcomes);
    }

    /// The text of a span added to this report.
    pub fn text(&self, span: Span) -> &str {
        self.report.text(span)
    }

    /// Adds one recipient's outcome.
    pub fn push(&mut self, recipient: Option<Span>, message_id: Span, report: C, text: Span) {
        self.report.entries.push(Entry {
            recipient,
            message_id,
            report,
            text,
        });
    }
}
