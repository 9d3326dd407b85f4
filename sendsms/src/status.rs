//! `sendsms status`: where every recipient of a journal's campaign stands, then a summary by
//! class.

use std::io::Write;
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use generated_client::campaign::journal::{RecipientStatus, StatusClass, Summary};

use crate::cli::StatusArgs;
use crate::journal;
use crate::Failure;

pub(crate) async fn status(args: StatusArgs) -> Result<u8, Failure> {
    let journal = journal::open(&args.journal, &args.store, |o| o.read_only(true)).await?;
    let Some(campaign) = journal
        .current_campaign()
        .await
        .map_err(|e| journal::failure(&e))?
    else {
        return Err(Failure::other(format!(
            "the journal {} holds no campaign",
            journal.location()
        )));
    };
    let mut out = std::io::stdout().lock();
    let mut write = |line: String| {
        writeln!(out, "{line}").map_err(|e| Failure::other(format!("cannot write: {e}")))
    };
    if !args.summary {
        let mut pages = campaign.status();
        while let Some(page) = pages.next_page().await.map_err(|e| journal::failure(&e))? {
            for recipient in &page {
                write(if args.json {
                    json_line(recipient)
                } else {
                    text_line(recipient)
                })?;
            }
        }
    }
    let summary = campaign.summary().await.map_err(|e| journal::failure(&e))?;
    if args.json {
        write(summary_json(&summary).to_string())?;
    } else {
        if !args.summary {
            write(String::new())?;
        }
        for (class, count) in classes(&summary) {
            write(format!("{class} {count}"))?;
        }
    }
    Ok(0)
}

/// `NUMBER MESSAGE_ID CODE RECEIPT_CODE RECEIPT_TIME CLASS`, `-` for what there is not.
fn text_line(recipient: &RecipientStatus) -> String {
    let sent = recipient.sent.as_ref();
    let receipt = recipient.receipt.as_ref();
    let or_dash = |text: Option<&str>| match text {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => "-".to_owned(),
    };
    format!(
        "{} {} {} {} {} {}",
        recipient.number,
        or_dash(sent.map(|s| s.message_id.as_str())),
        or_dash(sent.map(|s| s.code.as_str())),
        or_dash(receipt.map(|r| r.code.as_str())),
        or_dash(receipt.map(|r| time(r.at)).as_deref()),
        class_name(recipient.class()),
    )
}

fn json_line(recipient: &RecipientStatus) -> String {
    let sent = recipient.sent.as_ref();
    serde_json::json!({
        "recipient": recipient.number,
        "position": recipient.position,
        "request": recipient.request,
        "request_state": recipient.request_state.as_str(),
        "message_id": sent.map(|s| &s.message_id),
        "report": sent.map(|s| &s.code),
        "text": sent.map(|s| &s.text),
        "receipt": recipient.receipt.as_ref().map(|r| serde_json::json!({
            "report": r.code,
            "class": r.class.as_str(),
            "at": time(r.at),
        })),
        "reason": recipient.reason,
        "class": class_name(recipient.class()),
    })
    .to_string()
}

fn summary_json(summary: &Summary) -> serde_json::Value {
    let classes: serde_json::Map<String, serde_json::Value> = classes(summary)
        .into_iter()
        .map(|(class, count)| (class.to_owned(), count.into()))
        .collect();
    serde_json::json!({ "summary": classes })
}

/// Each class of the summary with its count, in a fixed order.
pub(crate) fn classes(summary: &Summary) -> [(&'static str, u64); 7] {
    [
        ("accepted", summary.accepted),
        ("delivered", summary.delivered),
        ("rejected", summary.rejected),
        ("account_failure", summary.account_failure),
        ("unknown", summary.unknown),
        ("in_flight", summary.in_flight),
        ("not_sent", summary.not_sent),
    ]
}

fn class_name(class: StatusClass) -> &'static str {
    match class {
        StatusClass::Accepted => "accepted",
        StatusClass::Delivered => "delivered",
        StatusClass::Rejected => "rejected",
        StatusClass::AccountFailure => "account_failure",
        StatusClass::Unknown => "unknown",
        StatusClass::InFlight => "in_flight",
        StatusClass::NotSent => "not_sent",
        // A class this version does not know: never taken for a success.
        _ => "unknown",
    }
}

fn time(at: SystemTime) -> String {
    DateTime::<Utc>::from(at).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
