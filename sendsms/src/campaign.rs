//! `sendsms send --journal`: the send as a campaign recorded in a journal. The outcomes are
//! the journal's (`sendsms status` lists them); the command prints where the campaign
//! stands, names the requests whose outcome is unknown, and says so in its exit status.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use generated_client::campaign::journal::{CampaignPolicy, Summary};
use generated_client::campaign::{Campaign, CampaignError, CampaignReport};
use generated_client::core::recipients::NumberList;
use generated_client::core::{Progress, RequestError, SmsGateway, Stop};
use generated_client::registry::Vendor;

use crate::cli::SendArgs;
use crate::{journal, status, Failure};

/// How many unknown requests are named; the rest are counted.
const NAMED: usize = 20;

pub(crate) async fn send<V: Vendor>(
    client: &V::Gateway,
    message: &<V::Gateway as SmsGateway>::Message,
    list: &NumberList,
    location: &str,
    args: &SendArgs,
) -> Result<u8, Failure> {
    let parallel = usize::from(args.parallel);
    let lease = Duration::from_secs(args.lease);
    let journal = journal::open(location, &args.store, |options| {
        // A connection for each request in flight, and one to claim with.
        options.lease(lease).pool_size(parallel + 2)
    })
    .await?;
    let mut campaign = Campaign::new(client, journal)
        .parallel(parallel)
        .resend_unknown(args.resend_unknown)
        .policy(if args.new_campaign {
            CampaignPolicy::ReplaceIfDifferent
        } else {
            CampaignPolicy::Resume
        })
        // One sender at a time on an SQLite journal: the previous run is dead.
        .settle_leases(journal::is_sqlite(location))
        // Waiting for a dead worker's leases: ask often enough to notice soon after.
        .poll(Duration::from_millis(500).min(lease / 4));
    if let Some(worker) = &args.worker {
        campaign = campaign.worker(worker);
    }
    let bar = std::io::stderr()
        .is_terminal()
        .then(indicatif::ProgressBar::no_length);
    if let Some(bar) = bar.clone() {
        campaign =
            campaign.on_progress(move |progress: Progress| crate::send::show(&bar, progress));
    }
    let result = campaign.send(message, list).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = result.map_err(|error| match error {
        CampaignError::Invalid(invalid) => Failure::usage(format!("nothing sent: {invalid}")),
        CampaignError::Unsupported(what) => Failure::usage(format!("nothing sent: {what}")),
        CampaignError::Recipients(error) => Failure::usage(format!("nothing sent: {error}")),
        CampaignError::Journal(error) => journal::failure(&error),
        other => Failure::other(other.to_string()),
    })?;
    print_summary(&report, location, args.json);
    Ok(outcome::<V>(&report, location))
}

fn print_summary<C>(report: &CampaignReport<C>, location: &str, json: bool) {
    let mut out = std::io::stdout().lock();
    let summary = &report.summary;
    if json {
        let classes: serde_json::Map<String, serde_json::Value> = status::classes(summary)
            .into_iter()
            .map(|(class, count)| (class.to_owned(), count.into()))
            .collect();
        let line = serde_json::json!({
            "campaign": report.campaign.id,
            "journal": location,
            "resumed": report.resumed,
            "recipients": report.campaign.recipients,
            "requests": report.campaign.requests,
            "summary": classes,
        });
        let _ = writeln!(out, "{line}");
        return;
    }
    for (class, count) in status::classes(summary) {
        let _ = writeln!(out, "{class} {count}");
    }
}

/// The exit status, with what the user must know on stderr: 4 when some outcomes are
/// unknown (named), 3 when some recipients were not sent because a request could not be,
/// 1 when the gateway rejected some recipient or the account, 0 when it took them all.
fn outcome<V: Vendor>(
    report: &CampaignReport<<V::Gateway as SmsGateway>::Code>,
    location: &str,
) -> u8 {
    let mut err = std::io::stderr().lock();
    let summary: &Summary = &report.summary;
    if let Some(reason) = &report.cleared_stop {
        let _ = writeln!(
            err,
            "sendsms: the campaign had stopped ({reason}); this run went on"
        );
    }
    if report.requeued > 0 {
        let _ = writeln!(
            err,
            "sendsms: {} request(s) whose outcome was unknown were sent again (--resend-unknown)",
            report.requeued
        );
    }
    if let Some(failure) = &report.first_failure {
        let _ = writeln!(
            err,
            "sendsms: request {} failed: {}",
            failure.request,
            describe(&failure.error)
        );
    }
    if let Some(reason) = &report.stopped_elsewhere {
        let _ = writeln!(
            err,
            "sendsms: the campaign was stopped by another worker: {reason}"
        );
    }
    if let Some(Stop::AccountFailure(code)) = &report.stop {
        let _ = writeln!(
            err,
            "sendsms: the gateway answered {code} for the account: the campaign is stopped; a rerun goes on once the account is fixed"
        );
    }
    let mut code = if summary.rejected + summary.account_failure > 0 {
        1
    } else {
        0
    };
    if summary.not_sent + summary.in_flight > 0 {
        let _ = writeln!(
            err,
            "sendsms: {} recipient(s) not sent yet; run the same command again to send them",
            summary.not_sent + summary.in_flight
        );
        if !matches!(report.stop, Some(Stop::AccountFailure(_)))
            && report.stopped_elsewhere.is_none()
        {
            code = 3;
        }
    }
    if !report.unknown.is_empty() {
        for request in report.unknown.iter().take(NAMED) {
            let _ = writeln!(
                err,
                "sendsms: request {} ({} recipient(s)): outcome unknown: {}",
                request.index, request.recipients, request.reason
            );
        }
        if report.unknown.len() > NAMED {
            let _ = writeln!(
                err,
                "sendsms: … and {} more request(s) with the outcome unknown",
                report.unknown.len() - NAMED
            );
        }
        let _ = writeln!(
            err,
            "sendsms: {} recipient(s) may have been sent without an answer and were not resent; `sendsms status --journal {location}` lists them; --resend-unknown sends them again (they may get the message twice)",
            summary.unknown
        );
        code = 4;
    }
    code
}

fn describe(error: &RequestError) -> String {
    match error {
        RequestError::Call(call) => crate::describe_call(call),
        other => other.to_string(),
    }
}
