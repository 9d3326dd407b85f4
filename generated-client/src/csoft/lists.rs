//! Connection Software's answers as the per-recipient outcomes of a report: the three
//! comma-separated lists of a SubmitMessageResponse (or of the HTTP API's answer),
//! `MessageIdentifier`, `Report` and `Text`, an item per recipient.
//!
//! The lists are copied into the report once each and the outcomes point into them, so an
//! answer for 350 recipients allocates a handful of buffers, not 700 strings.

use std::ops::Range;

use crate::core::{ResponseMismatch, SendReport};

use super::codes::ReportCode;

/// Lists that do not fit the request they answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListMismatch {
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

impl From<ListMismatch> for ResponseMismatch {
    fn from(mismatch: ListMismatch) -> Self {
        Self::Vendor(Box::new(mismatch))
    }
}

/// The most outcomes one answer may give when the request named no numbers (an address-book
/// send, whose recipients the gateway names): far above any address book, and low enough that
/// a hostile answer cannot make the client hold millions of outcomes.
pub const MAX_OUTCOMES_WITHOUT_NUMBERS: usize = 100_000;

/// Adds the outcomes of one answer to `report`, from its three lists as they came, whatever
/// the API: the comma-separated `message_identifiers`, `codes` and `text` (already decoded
/// from the XML or form encoding they came in). `recipients` are the numbers of its request,
/// or `None` for an address-book send, whose recipients the gateway does not name.
///
/// A single report code for several recipients applies to all of them (an account-wide
/// failure, such as an invalid login). A `Text` list of another length than the recipients
/// is given whole to each.
pub fn push_lists(
    report: &mut SendReport<ReportCode>,
    recipients: Option<&[String]>,
    message_identifiers: &str,
    codes: &str,
    text: Option<&str>,
) -> Result<(), ResponseMismatch> {
    report.push_request_with(|w| {
        // Counted before anything is parsed, so that a hostile list costs no memory.
        let items = codes.bytes().filter(|&b| b == b',').count() + 1;
        if recipients.is_none() && items > MAX_OUTCOMES_WITHOUT_NUMBERS {
            return Err(ResponseMismatch::TooMany {
                limit: MAX_OUTCOMES_WITHOUT_NUMBERS,
            });
        }
        let codes = parse_codes(codes).ok_or_else(|| ListMismatch::Report(codes.to_owned()))?;
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
            return Err(ListMismatch::Length {
                recipients: count,
                reports: codes.len(),
                ids,
            }
            .into());
        }
        let text_commas = commas(text.as_bytes());
        let texts_fit = text_commas.len() + 1 == count;

        // Each list is copied into the report once; outcomes point at the items where they lie.
        let numbers_len: usize = recipients.unwrap_or_default().iter().map(String::len).sum();
        w.reserve(message_identifiers.len() + text.len() + numbers_len, count);
        let all_ids = w.add(message_identifiers);
        let whole_text = w.add(text);
        let (mut id_from, mut text_from) = (0, 0);
        for i in 0..count {
            let message_id = if ids == count {
                let end = id_commas
                    .get(i)
                    .copied()
                    .unwrap_or(message_identifiers.len());
                let range = trimmed(message_identifiers.as_bytes(), id_from..end);
                id_from = end + 1;
                all_ids.slice(range)
            } else {
                all_ids.empty()
            };
            let text = if texts_fit {
                let end = text_commas.get(i).copied().unwrap_or(text.len());
                let range = text_from..end;
                text_from = end + 1;
                whole_text.slice(range)
            } else {
                whole_text
            };
            let recipient = recipients.map(|numbers| w.add(&numbers[i]));
            let code = if codes.len() == count {
                codes[i]
            } else {
                codes[0]
            };
            w.push(recipient, message_id, code, text);
        }
        Ok(())
    })
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

    /// The answer's lists, as a SubmitMessageResponse carries them.
    struct Lists<'a>(&'a str, &'a str, Option<&'a str>);

    fn response<'a>(ids: &'a str, report: &'a str, text: Option<&'a str>) -> Lists<'a> {
        Lists(ids, report, text)
    }

    fn push(
        report: &mut SendReport<ReportCode>,
        recipients: Option<&[String]>,
        Lists(ids, codes, text): Lists<'_>,
    ) -> Result<(), ResponseMismatch> {
        push_lists(report, recipients, ids, codes, text)
    }

    fn mismatch(error: ResponseMismatch) -> ListMismatch {
        match error {
            ResponseMismatch::Vendor(error) => *error.downcast::<ListMismatch>().expect("csoft's"),
            other => panic!("expected a list mismatch, got {other:?}"),
        }
    }

    fn numbers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn lists_become_one_outcome_per_recipient_in_order() {
        let mut report = SendReport::default();
        let to = numbers(&["447700912345", "447700911223"]);
        push(
            &mut report,
            Some(&to),
            response(
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
        push(
            &mut report,
            Some(&to),
            response("302B4645,302B4646,302B4647", "2,2,2", Some(text)),
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
        push(
            &mut report,
            Some(&to),
            response("", "2", Some("Invalid login")),
        )
        .unwrap();
        assert_eq!(
            report
                .iter()
                .map(|o| (o.report, o.message_id))
                .collect::<Vec<_>>(),
            [(ReportCode::InvalidLogin, ""); 2]
        );
        let error = push(
            &mut SendReport::default(),
            Some(&to),
            response("A,B,C", "-2,-2,-2", None),
        )
        .unwrap_err();
        assert_eq!(
            mismatch(error),
            ListMismatch::Length {
                recipients: 2,
                reports: 3,
                ids: 3
            }
        );
        let error = push(
            &mut SendReport::default(),
            Some(&to),
            response("A,B", "x,2", None),
        )
        .unwrap_err();
        assert!(matches!(mismatch(error), ListMismatch::Report(_)));
    }

    #[test]
    fn an_address_book_send_takes_a_bounded_number_of_outcomes() {
        let codes = |n: usize| vec!["1"; n].join(",");
        let mut report = SendReport::default();
        push(
            &mut report,
            None,
            response("", &codes(MAX_OUTCOMES_WITHOUT_NUMBERS), None),
        )
        .unwrap();
        assert_eq!(report.len(), MAX_OUTCOMES_WITHOUT_NUMBERS);
        let error = push(
            &mut report,
            None,
            response("", &codes(MAX_OUTCOMES_WITHOUT_NUMBERS + 1), None),
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                ResponseMismatch::TooMany {
                    limit: MAX_OUTCOMES_WITHOUT_NUMBERS
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            report.len(),
            MAX_OUTCOMES_WITHOUT_NUMBERS,
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
        push(
            &mut report,
            Some(&numbers(&["441", "442"])),
            response("A, B", " -2 , 0", None),
        )
        .unwrap();
        push(
            &mut report,
            Some(&numbers(&["443"])),
            response("C", "8", Some("Blacklisted")),
        )
        .unwrap();
        let ids: Vec<_> = report
            .iter()
            .map(|o| (o.recipient.unwrap(), o.message_id, o.class))
            .collect();
        assert_eq!(
            ids,
            [
                ("441", "A", crate::core::ReportClass::Accepted),
                ("442", "B", crate::core::ReportClass::Delivered),
                ("443", "C", crate::core::ReportClass::Rejected)
            ]
        );
        assert_eq!(report.requests(), 2);
    }
}
