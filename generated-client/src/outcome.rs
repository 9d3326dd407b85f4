//! Per-recipient outcomes of a send, whatever the vendor: a [`SendReport`] holds one
//! [`Outcome`] per recipient, in order, each with the vendor's typed code and its shared
//! [`ReportClass`].
//!
//! A vendor layer adds the answers of each request: Connection Software's comma-separated
//! `MessageIdentifier`, `Report` and `Text` lists of a `SubmitMessageResponse` with
//! [`SendReport::push`], any vendor's list of per-recipient [`Answer`]s with
//! [`SendReport::push_request`].
//!
//! A report keeps the gateway's strings as they came and indexes into them, so turning a
//! response for 350 recipients into outcomes allocates a handful of buffers, not 700 strings.

use std::ops::Range;

use crate::generated::sendsms5::SubmitMessageResponse;
use crate::report::{ReportClass, ReportCode};
use crate::vendor::VendorCode;

/// What the gateway said about one recipient. `C` is the vendor's code: [`ReportCode`] for
/// Connection Software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Outcome<'a, C = ReportCode> {
    /// The number, when the request named numbers (not for address-book sends).
    pub recipient: Option<&'a str>,
    /// The gateway's identifier for this message (empty if it gave none).
    pub message_id: &'a str,
    /// The vendor's code.
    pub report: C,
    /// What that means for a program.
    pub class: ReportClass,
    /// The gateway's text, verbatim: this recipient's item of the list, or the whole text
    /// when it was not one item per recipient.
    pub text: &'a str,
}

/// One recipient's answer as a vendor layer read it from a response, for
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

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<C> {
    recipient: Option<Range<usize>>,
    message_id: Range<usize>,
    report: C,
    text: Range<usize>,
}

/// The outcomes of a send, in the order of its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport<C = ReportCode> {
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

/// The most outcomes one answer to an address-book send may hold. Such a send names no
/// recipients, so nothing else bounds the gateway's lists: a 16 MiB answer of `0,` items would
/// be 8 million outcomes, 600 MB. An outcome costs some 100 bytes, so this is 10 MB at most,
/// and it is 285 times the 350 numbers per request that the vendor advises for explicit lists.
pub const MAX_ADDRESS_BOOK_OUTCOMES: usize = 100_000;

/// A response whose answers do not match the request.
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
    /// A vendor answered another number of per-recipient answers than the request had
    /// recipients.
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
    /// An address-book send was answered more report codes than
    /// [`MAX_ADDRESS_BOOK_OUTCOMES`].
    #[error("the gateway answered {reports} report codes for an address-book send, more than the {limit} accepted")]
    TooManyOutcomes {
        /// Report codes in the response.
        reports: usize,
        /// [`MAX_ADDRESS_BOOK_OUTCOMES`].
        limit: usize,
    },
    /// An answer is not in any form the vendor documents.
    #[error("the gateway's answer {0:?} cannot be read")]
    Unreadable(String),
    /// The HTTP API answered in its oldest format (`ResponseFormat=0`, `<code> - <text>`): one
    /// code from an older numbering than the report codes, for the whole request, so what
    /// happened to each recipient is unknown.
    #[error("the gateway answered \"{code} - {text}\" (the HTTP API's legacy format, without a report code per recipient)")]
    Legacy {
        /// The legacy code.
        code: i32,
        /// Its text.
        text: String,
    },
}

impl<C: VendorCode> SendReport<C> {
    /// Adds the answers to one request, one per recipient, in order.
    pub fn push_request<'s>(&mut self, answers: impl IntoIterator<Item = Answer<'s, C>>) {
        for answer in answers {
            let recipient = answer.recipient.map(|number| self.append(number));
            let message_id = self.append(answer.message_id);
            let text = self.append(answer.text);
            self.entries.push(Entry {
                recipient,
                message_id,
                report: answer.report,
                text,
            });
        }
        self.requests += 1;
    }

    fn append(&mut self, text: &str) -> Range<usize> {
        let start = self.strings.len();
        self.strings.push_str(text);
        start..self.strings.len()
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
            recipient: entry.recipient.clone().map(|r| &self.strings[r]),
            message_id: &self.strings[entry.message_id.clone()],
            report: entry.report,
            class: entry.report.class(),
            text: &self.strings[entry.text.clone()],
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

impl SendReport<ReportCode> {
    /// Adds the outcomes of one Connection Software response. `recipients` are the numbers of
    /// its request, or `None` for an address-book send, whose recipients the gateway does not
    /// name.
    ///
    /// A single report code for several recipients applies to all of them (an account-wide
    /// failure, such as an invalid login). A `Text` list of another length than the recipients
    /// is given whole to each.
    pub fn push(
        &mut self,
        recipients: Option<&[String]>,
        response: &SubmitMessageResponse,
    ) -> Result<(), ResponseMismatch> {
        self.push_lists(
            recipients,
            &response.message_identifier,
            &response.report,
            response.text.as_deref(),
        )
    }

    /// [`SendReport::push`] for the three lists as they came, whatever the API: the
    /// comma-separated `message_identifiers`, `report` codes and `text` (already decoded from
    /// the XML or form encoding they came in).
    pub fn push_lists(
        &mut self,
        recipients: Option<&[String]>,
        message_identifiers: &str,
        report: &str,
        text: Option<&str>,
    ) -> Result<(), ResponseMismatch> {
        if recipients.is_none() {
            // Counted before anything is parsed or copied.
            let reports = report.bytes().filter(|&b| b == b',').count() + 1;
            if reports > MAX_ADDRESS_BOOK_OUTCOMES {
                return Err(ResponseMismatch::TooManyOutcomes {
                    reports,
                    limit: MAX_ADDRESS_BOOK_OUTCOMES,
                });
            }
        }
        let codes =
            parse_codes(report).ok_or_else(|| ResponseMismatch::Report(report.to_owned()))?;
        let text = text.unwrap_or("");
        let id_commas = commas(message_identifiers.as_bytes());
        let ids = if message_identifiers.trim().is_empty() {
            0
        } else {
            id_commas.len() + 1
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
        let text_commas = commas(text.as_bytes());
        let texts_fit = text_commas.len() + 1 == count;

        // Everything is copied into `strings`; entries point at the items where they lie.
        let numbers_len: usize = recipients.unwrap_or_default().iter().map(String::len).sum();
        self.strings
            .reserve(message_identifiers.len() + text.len() + numbers_len);
        let ids_start = self.strings.len();
        self.strings.push_str(message_identifiers);
        let text_start = self.strings.len();
        self.strings.push_str(text);
        let whole_text = text_start..text_start + text.len();
        self.entries.reserve(count);
        let (mut id_from, mut text_from) = (ids_start, text_start);
        for i in 0..count {
            let message_id = if ids == count {
                let end = id_commas.get(i).map_or(text_start, |c| ids_start + c);
                let range = trimmed(self.strings.as_bytes(), id_from..end);
                id_from = end + 1;
                range
            } else {
                ids_start..ids_start
            };
            let text = if texts_fit {
                let end = text_commas
                    .get(i)
                    .map_or(whole_text.end, |c| text_start + c);
                let range = text_from..end;
                text_from = end + 1;
                range
            } else {
                whole_text.clone()
            };
            let recipient = recipients.map(|numbers| {
                let start = self.strings.len();
                self.strings.push_str(&numbers[i]);
                start..self.strings.len()
            });
            let report = if codes.len() == count {
                codes[i]
            } else {
                codes[0]
            };
            self.entries.push(Entry {
                recipient,
                message_id,
                report,
                text,
            });
        }
        self.requests += 1;
        Ok(())
    }
}

/// The positions of the commas in `bytes`, found eight bytes at a time.
///
/// The items are short (8 to 30 bytes), so a search call per comma (`str::split`, memchr) costs
/// more than the scan itself. A byte equal to `,` becomes zero after the XOR, and the exact
/// zero-byte test sets the high bit of exactly those bytes.
fn commas(bytes: &[u8]) -> Vec<usize> {
    const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    let mut found = Vec::with_capacity(bytes.len() / 8);
    let mut chunks = bytes.chunks_exact(8);
    for (index, chunk) in (&mut chunks).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ COMMAS;
        let mut mask = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        while mask != 0 {
            found.push(index * 8 + mask.trailing_zeros() as usize / 8);
            mask &= mask - 1;
        }
    }
    let tail = bytes.len() - chunks.remainder().len();
    found.extend(
        chunks
            .remainder()
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b',')
            .map(|(i, _)| tail + i),
    );
    found
}

/// The report codes of a `Report` list (`-2,15`, spaces allowed around items), or `None` if
/// an item is not an integer. Parsed by hand: `str::split` and `str::parse` cost several times
/// the XML parse of the whole response for 350 recipients.
fn parse_codes(list: &str) -> Option<Vec<ReportCode>> {
    let mut codes = Vec::with_capacity(list.len() / 2 + 1);
    for item in list.as_bytes().split(|&b| b == b',') {
        let item = &item[trimmed(item, 0..item.len())];
        let (negative, digits) = match item {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            _ => (false, item),
        };
        if digits.is_empty() {
            return None;
        }
        let mut value: i32 = 0;
        for &digit in digits {
            let digit = char::from(digit).to_digit(10)? as i32;
            value = value.checked_mul(10)?.checked_add(digit)?;
        }
        codes.push(ReportCode::from_i32(if negative { -value } else { value }));
    }
    Some(codes)
}

/// `range` without the ASCII whitespace the gateway may put around list items.
fn trimmed(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let item = &bytes[range.clone()];
    match (item.first(), item.last()) {
        (Some(first), Some(last))
            if !first.is_ascii_whitespace() && !last.is_ascii_whitespace() =>
        {
            range
        }
        _ => {
            let start = item
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(item.len());
            let end = item
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(start, |i| i + 1);
            range.start + start..range.start + end
        }
    }
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
    fn an_address_book_send_takes_a_bounded_number_of_outcomes() {
        let codes = |n: usize| vec!["1"; n].join(",");
        let mut report = SendReport::default();
        let fits = codes(MAX_ADDRESS_BOOK_OUTCOMES);
        report.push_lists(None, "", &fits, None).unwrap();
        assert_eq!(report.len(), MAX_ADDRESS_BOOK_OUTCOMES);
        let error = report
            .push_lists(None, "", &codes(MAX_ADDRESS_BOOK_OUTCOMES + 1), None)
            .unwrap_err();
        assert_eq!(
            error,
            ResponseMismatch::TooManyOutcomes {
                reports: MAX_ADDRESS_BOOK_OUTCOMES + 1,
                limit: MAX_ADDRESS_BOOK_OUTCOMES
            }
        );
        assert_eq!(
            report.len(),
            MAX_ADDRESS_BOOK_OUTCOMES,
            "nothing of it was added"
        );
    }

    #[test]
    fn report_lists_parse_strictly() {
        assert_eq!(
            parse_codes(" -2 ,15,+0"),
            Some(vec![
                ReportCode::Queued,
                ReportCode::OutOfCredit,
                ReportCode::Delivered
            ])
        );
        for bad in ["", "-", "2,,3", "1x", "99999999999", "2 3"] {
            assert_eq!(parse_codes(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn commas_are_found_wherever_they_are() {
        for text in [
            "",
            ",",
            "a,b",
            ",,x,,",
            "12345678,",
            "1234567,8",
            "é,ü,,Text with ü, commas",
        ] {
            let expected: Vec<usize> = text.match_indices(',').map(|(i, _)| i).collect();
            assert_eq!(commas(text.as_bytes()), expected, "{text:?}");
        }
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
