//! `sendsms send`: one message, through the vendor `--vendor` names, with one line per
//! recipient on stdout, whatever became of it.

use std::io::{IsTerminal, Write};

use generated_client::core::{
    Content, Incomplete, Message, Outcome, Progress, SendError, SendReport, Sending, SmsGateway,
    Stop, VendorCode,
};
use generated_client::registry::{Settings, Vendor};

use crate::cli::SendArgs;
use crate::Failure;

pub(crate) async fn send<V: Vendor>(
    client: &V::Gateway,
    settings: &Settings,
    args: SendArgs,
) -> Result<u8, Failure> {
    let numbers = recipients(&args.to)?;
    let content = match (args.text, args.flash) {
        (Some(text), _) => Content::Text(text),
        (None, Some(flash)) => Content::Flash(flash),
        (None, None) => return Err(Failure::usage("give --text or --flash")),
    };
    let mut message = Message::new(content, numbers);
    if let Some(delay) = args.delay {
        message = message.delay_minutes(delay);
    }
    if let Some(at) = args.at {
        message = message.send_at(at);
    }
    let total = message.numbers().len();
    let message = V::message(message, settings).map_err(|e| Failure::usage(e.to_string()))?;
    // Only a send of several requests takes long enough to need one.
    let bar = (std::io::stderr().is_terminal() && total > client.recipients_per_request())
        .then(|| indicatif::ProgressBar::new(total as u64));
    let mut sending = Sending::new(client).parallel(args.parallel);
    if let Some(bar) = bar.clone() {
        sending = sending.on_progress(move |progress: Progress| {
            bar.set_position(progress.done as u64);
            bar.set_message(format!(
                "{} in flight, {} unknown",
                progress.in_flight, progress.unknown
            ));
        });
    }
    let result = sending.send(&message).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            print_outcomes(&report, args.json);
            Ok(if report.all_accepted() { 0 } else { 1 })
        }
        Err(SendError::Invalid(invalid)) => Err(Failure::usage(format!("nothing sent: {invalid}"))),
        Err(SendError::Incomplete(incomplete)) => {
            Err(incomplete_failure::<V>(&incomplete, args.json))
        }
        Err(other) => Err(Failure::other(other.to_string())),
    }
}

/// Prints who was answered, whose request may have arrived, who was never sent; and says how
/// the send stopped, as an exit status: 4 when something may have been sent without an answer,
/// 3 when a request could not be sent, 1 for an account failure.
fn incomplete_failure<V: Vendor>(
    incomplete: &Incomplete<<V::Gateway as SmsGateway>::Code>,
    json: bool,
) -> Failure {
    print_outcomes(&incomplete.completed, json);
    let unknown: Vec<&str> = incomplete.unknown().collect();
    let unsent: Vec<&str> = incomplete.unsent().collect();
    print_pending(&unknown, Pending::Unknown, json);
    print_pending(&unsent, Pending::NotSent, json);
    let mut failure = match (&incomplete.stop, incomplete.first_failure()) {
        (Stop::AccountFailure(code), _) => Failure::other(format!(
            "the gateway answered {code} for the account; the {} later recipient(s) were not sent",
            incomplete.not_sent.len()
        )),
        (_, Some(failed)) => match &failed.error {
            generated_client::core::RequestError::Call(call) => crate::call_failure(call),
            generated_client::core::RequestError::NoSession(error) => Failure {
                code: 3,
                message: format!("nothing sent: could not log in to {}: {error}", V::TITLE),
            },
            other => Failure {
                code: 4,
                message: format!("outcome unknown: {other}; not resent"),
            },
        },
        _ => Failure::other("the send did not complete"),
    };
    // Whatever stopped the send, a request that may have arrived decides the status.
    if !unknown.is_empty() {
        failure.code = 4;
    } else if failure.code == 1 && !incomplete.failed.is_empty() {
        failure.code = 3;
    }
    // A send of one request says what became of it in the message alone.
    if !(incomplete.completed.is_empty() && incomplete.not_sent.is_empty()) {
        failure.message = format!(
            "{} ({} recipient(s) answered, {} with the outcome unknown, {} not sent; each is listed above)",
            failure.message,
            incomplete.completed.len(),
            unknown.len(),
            unsent.len()
        );
    }
    failure
}

/// `--to`: comma-separated numbers, or `@FILE` with one per line.
fn recipients(to: &str) -> Result<Vec<String>, Failure> {
    let list = match to.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {path}: {e}")))?,
        None => to.replace(',', "\n"),
    };
    Ok(list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The state of a recipient without an answer.
#[derive(Clone, Copy)]
enum Pending {
    /// Its request may have reached the gateway: it may have been sent.
    Unknown,
    /// Its request was never sent.
    NotSent,
}

impl Pending {
    fn class(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::NotSent => "not_sent",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::Unknown => "outcome unknown (may have been sent; not resent)",
            Self::NotSent => "not sent",
        }
    }
}

fn print_outcomes<C: VendorCode>(report: &SendReport<C>, json: bool) {
    let mut out = std::io::stdout().lock();
    for outcome in report.iter() {
        let _ = writeln!(out, "{}", line(&outcome, json));
    }
}

fn line<C: VendorCode>(outcome: &Outcome<'_, C>, json: bool) -> String {
    if json {
        return serde_json::to_string(outcome).unwrap_or_default();
    }
    let mut line = format!(
        "{} {} {}",
        outcome.recipient.unwrap_or("-"),
        if outcome.message_id.is_empty() {
            "-"
        } else {
            outcome.message_id
        },
        outcome.report.wire(),
    );
    // The text is the rest of the line, when there is one.
    let text = outcome.text.trim();
    if !text.is_empty() {
        line.push(' ');
        line.push_str(&text.replace('\n', " "));
    }
    line
}

/// One line per recipient without an answer, in the same shape as the answered ones.
fn print_pending(numbers: &[&str], state: Pending, json: bool) {
    let mut out = std::io::stdout().lock();
    for number in numbers {
        let _ = if json {
            let line = serde_json::json!({
                "recipient": number,
                "message_id": null,
                "report": null,
                "class": state.class(),
                "text": state.text(),
            });
            writeln!(out, "{line}")
        } else {
            writeln!(out, "{number} - - {}", state.text())
        };
    }
}

#[cfg(test)]
mod tests {
    use generated_client::core::{Answer, ReportClass};
    use generated_client::csoft::ReportCode;

    use super::*;

    /// The text line of one queued outcome with this message id and text.
    fn text_line(message_id: &str, text: &str) -> String {
        let mut report = SendReport::default();
        report.push_request([Answer {
            recipient: Some("447700900001"),
            message_id,
            report: ReportCode::Queued,
            text,
        }]);
        let outcome = report.iter().next().unwrap();
        assert_eq!(outcome.class, ReportClass::Accepted);
        line(&outcome, false)
    }

    #[test]
    fn a_line_is_number_id_code_and_text_when_there_is_one() {
        assert_eq!(
            text_line("302B4600", "Queued\nfor delivery"),
            "447700900001 302B4600 -2 Queued for delivery"
        );
        assert_eq!(text_line("", ""), "447700900001 - -2");
    }
}
