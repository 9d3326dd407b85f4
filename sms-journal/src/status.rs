//! Rows as both backends read them, and how they become status rows and summaries: the
//! backends differ in SQL, not in what the answers mean.

use crate::model::{
    OutcomeClass, ReceiptStatus, RecipientStatus, RequestState, SentOutcome, Summary,
};

/// One request of a status page, with its numbers as stored (one per line).
pub(crate) struct RequestRow {
    pub index: u64,
    pub state: RequestState,
    pub first_position: u64,
    pub reason: Option<String>,
    pub numbers: String,
}

/// One answered recipient of a status page.
pub(crate) struct OutcomeRow {
    pub position: u64,
    pub sent: SentOutcome,
    pub receipt: Option<ReceiptStatus>,
}

/// The status rows of `requests` (in index order) given the outcomes of their recipients (in
/// position order).
pub(crate) fn merge(requests: Vec<RequestRow>, outcomes: Vec<OutcomeRow>) -> Vec<RecipientStatus> {
    let mut outcomes = outcomes.into_iter().peekable();
    let mut rows = Vec::new();
    for request in requests {
        for (offset, number) in request.numbers.split('\n').enumerate() {
            let position = request.first_position + offset as u64;
            // Outcomes of positions before this one belong to nothing on this page (they cannot,
            // as both come from the same range); skip them rather than misplace them.
            while outcomes.next_if(|o| o.position < position).is_some() {}
            let outcome = outcomes.next_if(|o| o.position == position);
            rows.push(RecipientStatus {
                position,
                number: number.to_owned(),
                request: request.index,
                request_state: request.state,
                reason: request.reason.clone(),
                sent: outcome.as_ref().map(|o| o.sent.clone()),
                receipt: outcome.and_then(|o| o.receipt),
            });
        }
    }
    rows
}

/// Per request state: how many requests, their recipients, and their answered recipients by
/// class (accepted, delivered, rejected, account failure).
pub(crate) struct StateCount {
    pub state: RequestState,
    pub requests: i64,
    pub recipients: i64,
    pub classes: [i64; 4],
}

/// How many answered recipients of a class have a latest receipt of another class.
pub(crate) struct ReceiptMove {
    pub sent: OutcomeClass,
    pub receipt: OutcomeClass,
    pub count: i64,
}

/// The summary of a campaign from its requests' counts and the receipts of its messages.
pub(crate) fn summarize(states: Vec<StateCount>, moves: Vec<ReceiptMove>) -> Summary {
    let mut summary = Summary::default();
    for s in states {
        summary.add_requests(s.state, s.requests, s.recipients, s.classes);
    }
    for m in moves {
        summary.move_by_receipt(m.sent, m.receipt, m.count);
    }
    summary
}

/// The numbers of a request as stored: one per line.
pub(crate) fn join_numbers<S: AsRef<str>>(numbers: &[S]) -> String {
    let mut joined = String::with_capacity(numbers.iter().map(|n| n.as_ref().len() + 1).sum());
    for (i, number) in numbers.iter().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        joined.push_str(number.as_ref());
    }
    joined
}

/// The numbers of a request from their stored form.
pub(crate) fn split_numbers(numbers: &str) -> Vec<String> {
    numbers.split('\n').map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_places_outcomes_by_position() {
        let requests = vec![
            RequestRow {
                index: 0,
                state: RequestState::Answered,
                first_position: 0,
                reason: None,
                numbers: "a\nb".to_owned(),
            },
            RequestRow {
                index: 1,
                state: RequestState::Planned,
                first_position: 2,
                reason: None,
                numbers: "c".to_owned(),
            },
        ];
        let sent = |id: &str| SentOutcome {
            message_id: id.to_owned(),
            code: "-2".to_owned(),
            class: OutcomeClass::Accepted,
            text: String::new(),
        };
        let outcomes = vec![OutcomeRow {
            position: 1,
            sent: sent("B"),
            receipt: None,
        }];
        let rows = merge(requests, outcomes);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].sent, None);
        assert_eq!(rows[1].sent, Some(sent("B")));
        assert_eq!((rows[2].number.as_str(), rows[2].request), ("c", 1));
    }

    #[test]
    fn numbers_round_trip() {
        let numbers = ["1", "22", "333"];
        assert_eq!(split_numbers(&join_numbers(&numbers)), numbers);
    }
}
