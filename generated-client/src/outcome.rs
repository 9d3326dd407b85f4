//! Per-recipient outcomes: the comma-separated `MessageIdentifier`, `Report` and `Text` lists
//! of a `SubmitMessageResponse`, one entry per recipient, in order.
//!
//! A report keeps the gateway's strings as they came and indexes into them, so turning a
//! response for 350 recipients into outcomes allocates a handful of buffers, not 700 strings.

use std::ops::Range;

use crate::generated::sendsms5::SubmitMessageResponse;
use crate::report::{ReportClass, ReportCode};

/// What the gateway said about one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Outcome<'a> {
    /// The number, when the request named numbers (not for address-book sends).
    pub recipient: Option<&'a str>,
    /// The gateway's identifier for this message (empty if it gave none).
    pub message_id: &'a str,
    /// The report code.
    #[serde(serialize_with = "serialize_code")]
    pub report: ReportCode,
    /// What that means for a program.
    pub class: ReportClass,
    /// The gateway's text, verbatim: this recipient's item of the list, or the whole text
    /// when it was not one item per recipient.
    pub text: &'a str,
}

fn serialize_code<S: serde::Serializer>(
    code: &ReportCode,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_i32(code.code())
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    recipient: Option<usize>,
    message_id: Range<usize>,
    report: ReportCode,
    text: Range<usize>,
}

/// The outcomes of a send, in the order of its recipients.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    recipients: Vec<String>,
    /// Every response's `MessageIdentifier` and `Text`, one after another.
    strings: String,
    entries: Vec<Entry>,
    requests: usize,
}

/// A response whose lists do not match the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseMismatch {
    /// `Report` holds something that is not a list of integers.
    #[error("the gateway's Report {0:?} is not a list of report codes")]
    Report(String),
    /// The lists' lengths do not match the number of recipients.
    #[error("the gateway answered {reports} report code(s) and {ids} message identifier(s) for {recipients} recipient(s)")]
    Length {
        /// Recipients in the request.
        recipients: usize,
        /// Report codes in the response.
        reports: usize,
        /// Message identifiers in the response.
        ids: usize,
    },
}

fn split(text: &str) -> impl Iterator<Item = &str> + Clone {
    text.split(',')
}

impl SendReport {
    /// Adds the outcomes of one response. `recipients` are the numbers of its request, or
    /// `None` for an address-book send, whose recipients the gateway does not name.
    ///
    /// A single report code for several recipients applies to all of them (an account-wide
    /// failure, such as an invalid login). A `Text` list of another length than the recipients
    /// is given whole to each.
    pub fn push(
        &mut self,
        recipients: Option<&[String]>,
        response: &SubmitMessageResponse,
    ) -> Result<(), ResponseMismatch> {
        let mut codes = Vec::new();
        for item in split(&response.report) {
            let code = item
                .trim()
                .parse::<ReportCode>()
                .map_err(|_| ResponseMismatch::Report(response.report.clone()))?;
            codes.push(code);
        }
        let ids = if response.message_identifier.trim().is_empty() {
            0
        } else {
            split(&response.message_identifier).count()
        };
        let count = recipients.map_or(codes.len(), <[String]>::len);
        let codes_fit = codes.len() == count || (codes.len() == 1 && count > 0);
        let ids_fit = ids == count || ids <= 1;
        if !codes_fit || !ids_fit || count == 0 {
            return Err(ResponseMismatch::Length {
                recipients: count,
                reports: codes.len(),
                ids,
            });
        }

        let ids_start = self.strings.len();
        self.strings.push_str(&response.message_identifier);
        let text = response.text.as_deref().unwrap_or("");
        let text_start = self.strings.len();
        self.strings.push_str(text);
        let texts_fit = split(text).count() == count;

        let first_recipient = self.recipients.len();
        if let Some(numbers) = recipients {
            self.recipients.extend_from_slice(numbers);
        }
        fn ranges(start: usize, list: &str) -> impl Iterator<Item = Range<usize>> + '_ {
            split(list).scan(start, |at, item| {
                let range = *at..*at + item.len();
                *at += item.len() + 1;
                Some(range)
            })
        }
        let mut id_ranges = ranges(ids_start, &response.message_identifier);
        let mut text_ranges = ranges(text_start, text);
        let whole_text = text_start..text_start + text.len();
        let empty = ids_start..ids_start;
        self.entries.reserve(count);
        for i in 0..count {
            let message_id = if ids == count {
                id_ranges.next().unwrap_or(empty.clone())
            } else {
                empty.clone()
            };
            let text = if texts_fit {
                text_ranges.next().unwrap_or(whole_text.clone())
            } else {
                whole_text.clone()
            };
            self.entries.push(Entry {
                recipient: recipients.map(|_| first_recipient + i),
                message_id: trimmed(&self.strings, message_id),
                report: if codes.len() == count {
                    codes[i]
                } else {
                    codes[0]
                },
                text,
            });
        }
        self.requests += 1;
        Ok(())
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
    pub fn get(&self, index: usize) -> Option<Outcome<'_>> {
        self.entries.get(index).map(|entry| Outcome {
            recipient: entry.recipient.map(|r| self.recipients[r].as_str()),
            message_id: &self.strings[entry.message_id.clone()],
            report: entry.report,
            class: entry.report.class(),
            text: &self.strings[entry.text.clone()],
        })
    }

    /// The outcomes, in order.
    pub fn iter(&self) -> impl Iterator<Item = Outcome<'_>> {
        (0..self.entries.len()).filter_map(|i| self.get(i))
    }

    /// Whether the gateway took the message for every recipient.
    pub fn all_accepted(&self) -> bool {
        self.entries.iter().all(|e| e.report.is_success())
    }
}

/// `range` without the spaces the gateway may put around list items.
fn trimmed(strings: &str, range: Range<usize>) -> Range<usize> {
    let item = &strings[range.clone()];
    let start = range.start + (item.len() - item.trim_start().len());
    start..start + item.trim().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(ids: &str, report: &str, text: Option<&str>) -> SubmitMessageResponse {
        SubmitMessageResponse {
            message_identifier: ids.into(),
            report: report.into(),
            text: text.map(Into::into),
            library_number: None,
            reserved: None,
        }
    }

    fn numbers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn lists_become_one_outcome_per_recipient_in_order() {
        let mut report = SendReport::default();
        let to = numbers(&["447700912345", "447700911223"]);
        report
            .push(
                Some(&to),
                &response(
                    "302B461B,302B461C",
                    "99,15",
                    Some("Test message succeeded,Out of credit"),
                ),
            )
            .unwrap();
        let outcomes: Vec<_> = report.iter().collect();
        assert_eq!(outcomes[0].recipient, Some("447700912345"));
        assert_eq!(
            (outcomes[0].message_id, outcomes[0].report, outcomes[0].text),
            (
                "302B461B",
                ReportCode::TestSucceeded,
                "Test message succeeded"
            )
        );
        assert_eq!(
            (outcomes[1].message_id, outcomes[1].report, outcomes[1].text),
            ("302B461C", ReportCode::OutOfCredit, "Out of credit")
        );
        assert!(!report.all_accepted());
    }

    #[test]
    fn a_text_that_is_not_one_item_per_recipient_is_kept_whole() {
        let text =
            "For more detailed\ninformation on this Report number, please visit www.csoft.co.uk";
        let mut report = SendReport::default();
        let to = numbers(&["447700912345", "447700911223", "447700911224"]);
        report
            .push(
                Some(&to),
                &response("302B4645,302B4646,302B4647", "2,2,2", Some(text)),
            )
            .unwrap();
        assert!(report
            .iter()
            .all(|o| o.text == text && o.report == ReportCode::InvalidLogin));
    }

    #[test]
    fn one_code_for_many_recipients_applies_to_all_and_bad_lists_are_errors() {
        let to = numbers(&["447700912345", "447700911223"]);
        let mut report = SendReport::default();
        report
            .push(Some(&to), &response("", "2", Some("Invalid login")))
            .unwrap();
        assert_eq!(
            report
                .iter()
                .map(|o| (o.report, o.message_id))
                .collect::<Vec<_>>(),
            [(ReportCode::InvalidLogin, ""); 2]
        );
        let mismatch = SendReport::default()
            .push(Some(&to), &response("A,B,C", "-2,-2,-2", None))
            .unwrap_err();
        assert_eq!(
            mismatch,
            ResponseMismatch::Length {
                recipients: 2,
                reports: 3,
                ids: 3
            }
        );
        assert!(matches!(
            SendReport::default().push(Some(&to), &response("A,B", "x,2", None)),
            Err(ResponseMismatch::Report(_))
        ));
    }

    #[test]
    fn reports_of_several_requests_add_up() {
        let mut report = SendReport::default();
        report
            .push(
                Some(&numbers(&["441", "442"])),
                &response("A, B", " -2 , 0", None),
            )
            .unwrap();
        report
            .push(
                Some(&numbers(&["443"])),
                &response("C", "8", Some("Blacklisted")),
            )
            .unwrap();
        let ids: Vec<_> = report
            .iter()
            .map(|o| (o.recipient.unwrap(), o.message_id, o.class))
            .collect();
        assert_eq!(
            ids,
            [
                ("441", "A", ReportClass::Accepted),
                ("442", "B", ReportClass::Delivered),
                ("443", "C", ReportClass::Rejected)
            ]
        );
        assert_eq!(report.requests(), 2);
    }
}
