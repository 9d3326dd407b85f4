//! `sendsms`: send SMS through the Connection Software gateway from the shell.
//!
//! Exit status: 0 every recipient accepted; 1 a report code rejected some recipient or the
//! account; 2 bad arguments or an invalid message (nothing sent); 3 no endpoint could be
//! reached (nothing sent); 4 the outcome is unknown (something may have been sent, and nothing
//! was resent).
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use generated_client::transport::CallError;
use generated_client::{Client, Credentials, Delivery, Message, SendError, SendReport};

#[derive(Parser)]
#[command(
    version,
    about = "Send SMS through the Connection Software gateway (SOAP API)."
)]
struct Args {
    /// The primary endpoint (default: the WSDL's primary server).
    #[arg(long, env = "SENDSMS_PRIMARY", global = true)]
    primary: Option<String>,
    /// The secondary endpoint, used only when the primary cannot be reached.
    #[arg(long, env = "SENDSMS_SECONDARY", global = true)]
    secondary: Option<String>,
    /// The account's Username.
    #[arg(long, env = "SENDSMS_USERNAME", global = true)]
    username: Option<String>,
    /// The account's PIN.
    #[arg(long, env = "SENDSMS_PIN", global = true, hide_env_values = true)]
    pin: Option<String>,
    /// Seconds to wait for each request (connecting takes at most a third of it).
    #[arg(long, default_value_t = 30, global = true)]
    timeout: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send a text or flash message.
    Send(SendArgs),
    /// Show the account's credit.
    Credit,
    /// Show how many premier messages the credit pays for.
    Messages,
    /// List the ReplyTo values the account may use.
    ReplyTo,
}

#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("content").required(true).args(["text", "flash"]))]
struct SendArgs {
    /// Comma-separated numbers, or @FILE with one number per line.
    #[arg(long)]
    to: String,
    /// A plain text message.
    #[arg(long)]
    text: Option<String>,
    /// A flash message.
    #[arg(long)]
    flash: Option<String>,
    /// Send after this many minutes (1 to 10080).
    #[arg(long)]
    delay: Option<u16>,
    /// Send at this UTC time (RFC 3339, e.g. 2026-11-22T09:00:00Z), at most seven days ahead.
    #[arg(long)]
    at: Option<DateTime<Utc>>,
    /// The delivery service.
    #[arg(long, value_enum)]
    delivery: Option<DeliveryArg>,
    /// Where replies should go (if the account may set it).
    #[arg(long)]
    reply_to: Option<String>,
    /// One JSON object per recipient instead of text lines.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DeliveryArg {
    Default,
    Premier,
    Economy,
}

/// What went wrong, as an exit status and a message.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return report(Failure {
                code: 1,
                message: format!("cannot start: {error}"),
            })
        }
    };
    match runtime.block_on(run(args)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => report(failure),
    }
}

fn report(failure: Failure) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "sendsms: {}", failure.message);
    ExitCode::from(failure.code)
}

async fn run(args: Args) -> Result<u8, Failure> {
    let client = client(&args)?;
    let mut out = std::io::stdout().lock();
    let query = |error: generated_client::QueryError| match error {
        generated_client::QueryError::Call(error) => call_failure(&error),
        other => Failure {
            code: 1,
            message: other.to_string(),
        },
    };
    match &args.command {
        Command::Send(send) => return send_message(&client, send).await,
        Command::Credit => {
            let credit = client.available_credit().await.map_err(query)?;
            let _ = writeln!(out, "{} {}", credit.amount, credit.currency);
        }
        Command::Messages => {
            let messages = client.available_messages().await.map_err(query)?;
            let _ = writeln!(out, "{messages}");
        }
        Command::ReplyTo => {
            for value in client.permitted_reply_to().await.map_err(query)? {
                let _ = writeln!(out, "{value}");
            }
        }
    }
    Ok(0)
}

fn client(args: &Args) -> Result<Client, Failure> {
    let username = args
        .username
        .clone()
        .ok_or_else(|| Failure::usage("no Username: pass --username or set SENDSMS_USERNAME"))?;
    let pin = args
        .pin
        .clone()
        .ok_or_else(|| Failure::usage("no PIN: pass --pin or set SENDSMS_PIN"))?;
    let credentials = Credentials::new(username, pin).map_err(|e| Failure::usage(e.to_string()))?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let mut builder = Client::builder(credentials)
        .timeout(timeout)
        .connect_timeout(timeout / 3);
    let defaults = generated_client::client::default_endpoints();
    let mut endpoints = vec![args.primary.clone().unwrap_or_else(|| defaults[0].clone())];
    endpoints.extend(args.secondary.clone().or_else(|| defaults.get(1).cloned()));
    builder = builder.endpoints(endpoints);
    builder.build().map_err(|e| Failure::usage(e.to_string()))
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

async fn send_message(client: &Client, args: &SendArgs) -> Result<u8, Failure> {
    let numbers = recipients(&args.to)?;
    let mut message = match (&args.text, &args.flash) {
        (Some(text), _) => Message::text(text.clone(), numbers),
        (None, Some(flash)) => Message::flash(flash.clone(), numbers),
        (None, None) => return Err(Failure::usage("give --text or --flash")),
    };
    message.delay_minutes = args.delay;
    message.send_at = args.at;
    message.reply_to = args.reply_to.clone();
    message.delivery = args.delivery.map(|d| match d {
        DeliveryArg::Default => Delivery::Default,
        DeliveryArg::Premier => Delivery::Premier,
        DeliveryArg::Economy => Delivery::Economy,
    });
    let bar = (std::io::stderr().is_terminal()
        && message.numbers.len() > generated_client::client::MAX_RECIPIENTS_PER_REQUEST)
        .then(|| indicatif::ProgressBar::new(message.numbers.len() as u64));
    let result = client
        .send_with_progress(&message, |done, _| {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
            }
        })
        .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            print_outcomes(&report, args.json);
            Ok(if report.all_accepted() { 0 } else { 1 })
        }
        Err(SendError::Invalid(invalid)) => Err(Failure::usage(format!("nothing sent: {invalid}"))),
        Err(SendError::Request {
            error,
            completed,
            affected,
            not_sent,
        }) => {
            print_outcomes(&completed, args.json);
            let mut failure = call_failure(&error);
            failure.message =
                describe_partial(&failure.message, &completed, affected.len(), not_sent.len());
            Err(failure)
        }
        Err(SendError::Mismatch {
            error,
            completed,
            affected,
            not_sent,
        }) => {
            print_outcomes(&completed, args.json);
            let message = format!("outcome unknown: {error}");
            Err(Failure {
                code: 4,
                message: describe_partial(&message, &completed, affected.len(), not_sent.len()),
            })
        }
    }
}

fn describe_partial(
    message: &str,
    completed: &SendReport,
    affected: usize,
    not_sent: usize,
) -> String {
    if completed.is_empty() && not_sent == 0 {
        return message.to_owned();
    }
    format!("{message} ({} recipient(s) done and listed above, {affected} in the failed request, {not_sent} not sent)", completed.len())
}

/// The exit status and message for a failed call.
fn call_failure<F>(error: &CallError<F>) -> Failure {
    let code = match error {
        CallError::Unreachable { .. } => 3,
        CallError::OutcomeUnknown { .. }
        | CallError::BadResponse { .. }
        | CallError::Fault { .. } => 4,
    };
    Failure {
        code,
        message: describe(error),
    }
}

fn describe<F>(error: &CallError<F>) -> String {
    match error {
        CallError::Unreachable { attempts } => {
            let tried: Vec<String> = attempts
                .iter()
                .map(|(endpoint, reason)| format!("{endpoint} ({reason})"))
                .collect();
            format!(
                "nothing sent: no endpoint could be reached: {}",
                tried.join("; ")
            )
        }
        CallError::OutcomeUnknown { endpoint, reason } => {
            format!("outcome unknown: the request may have reached {endpoint}, which did not answer ({reason}); it was not resent")
        }
        CallError::BadResponse {
            endpoint,
            status,
            reason,
        } => format!("outcome unknown: {endpoint} answered HTTP {status}: {reason}; not resent"),
        CallError::Fault { endpoint, fault } => format!(
            "{endpoint} answered with a SOAP fault {}: {} (not resent)",
            fault.code, fault.reason
        ),
    }
}

fn print_outcomes(report: &SendReport, json: bool) {
    let mut out = std::io::stdout().lock();
    for outcome in report.iter() {
        let _ = if json {
            writeln!(
                out,
                "{}",
                serde_json::to_string(&outcome).unwrap_or_default()
            )
        } else {
            writeln!(
                out,
                "{} {} {} {}",
                outcome.recipient.unwrap_or("-"),
                if outcome.message_id.is_empty() {
                    "-"
                } else {
                    outcome.message_id
                },
                outcome.report.code(),
                outcome.text.replace('\n', " ")
            )
        };
    }
}
