//! `sendsms`: send SMS through the Connection Software gateway (or, with `--vendor
//! clickatell`, Clickatell's) from the shell.
//!
//! Exit status of `send`: 0 every recipient accepted; 1 a report code rejected some recipient
//! or the account; 2 bad arguments or an invalid message (nothing sent); 3 no endpoint could
//! be reached, or no Clickatell session could be set up (the recipients listed as not sent
//! were not sent); 4 the outcome is unknown (something may have been sent, and nothing was
//! resent).
//!
//! The account queries (`credit`, `messages`, `reply-to`) send nothing, so they use 3 and 4
//! only for an unreachable gateway and a lost answer; any other failure is 1.
//!
//! `send` prints one line per recipient, in order: number, message identifier, report code,
//! the gateway's text. A recipient without an answer (the request's outcome is unknown, or it
//! was never sent) still gets a line, with `-` for identifier and code, so that nobody is
//! left out silently.
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use generated_client::vendor::{SmsGateway, VendorCode};
use generated_client::{
    clickatell, Client, Credentials, Delivery, Message, QueryError, SendError, SendReport,
};
use soap_runtime::client::{CallError, SoapClient};

#[derive(Parser)]
#[command(
    version,
    about = "Send SMS through the Connection Software gateway, or Clickatell's (SOAP APIs).",
    after_help = "Exit status: 0 every recipient accepted; 1 a report code rejected some \
        recipient or the account; 2 bad arguments or an invalid message (nothing sent); 3 no \
        endpoint could be reached, or no Clickatell session (nothing sent); 4 outcome unknown \
        (something may have been sent; nothing was resent)."
)]
struct Args {
    /// The gateway's vendor: `send` and `credit` work with both; the other commands are
    /// Connection Software's.
    #[arg(
        long,
        value_enum,
        env = "SENDSMS_VENDOR",
        default_value = "csoft",
        global = true
    )]
    vendor: VendorArg,
    /// Connection Software's API to send through: soap (every command) or http (the
    /// form-encoded HTTP API, `send` only). The default endpoints are that API's servers.
    #[arg(
        long,
        value_enum,
        env = "SENDSMS_API",
        default_value = "soap",
        global = true
    )]
    api: ApiArg,
    /// The primary endpoint (default: the WSDL's primary server).
    #[arg(long, value_name = "URL", env = "SENDSMS_PRIMARY", global = true)]
    primary: Option<String>,
    /// The secondary endpoint, used only when the primary cannot be reached (default: the
    /// WSDL's secondary server, unless --primary is given: then there is none).
    #[arg(long, value_name = "URL", env = "SENDSMS_SECONDARY", global = true)]
    secondary: Option<String>,
    /// The account's Username (Clickatell: its user name).
    #[arg(long, value_name = "U", env = "SENDSMS_USERNAME", global = true)]
    username: Option<String>,
    /// The account's PIN.
    #[arg(
        long,
        value_name = "P",
        env = "SENDSMS_PIN",
        global = true,
        hide_env_values = true
    )]
    pin: Option<String>,
    /// Clickatell: the api_id of the account's SOAP API.
    #[arg(long, value_name = "N", env = "SENDSMS_API_ID", global = true)]
    api_id: Option<i32>,
    /// Clickatell: the account's password.
    #[arg(
        long,
        value_name = "P",
        env = "SENDSMS_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    password: Option<String>,
    /// Seconds to wait for each request (connecting takes at most a third of it).
    #[arg(long, value_name = "SECS", default_value_t = 30, global = true)]
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
    /// Run a simulated gateway on loopback until Ctrl-C (demo account: demo / demo1234).
    #[cfg(feature = "simulator")]
    Simulate(generated_client::simulator::cli::SimulateArgs),
    /// Receive the gateway's real-time delivery receipts.
    #[cfg(feature = "receipts")]
    #[command(subcommand)]
    Receipts(receipts::ReceiptsCommand),
}

#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("content").required(true).args(["text", "flash"]))]
struct SendArgs {
    /// Comma-separated numbers, or @FILE with one number per line.
    #[arg(long, value_name = "NUMBERS")]
    to: String,
    /// A plain text message.
    #[arg(long, value_name = "T")]
    text: Option<String>,
    /// A flash message.
    #[arg(long, value_name = "T")]
    flash: Option<String>,
    /// Send after this many minutes (1 to 10080).
    #[arg(long, value_name = "MINUTES")]
    delay: Option<u16>,
    /// Send at this UTC time (RFC 3339, e.g. 2026-11-22T09:00:00Z), at most seven days ahead.
    #[arg(long, value_name = "UTC-TIME")]
    at: Option<DateTime<Utc>>,
    /// The delivery service.
    #[arg(long, value_enum)]
    delivery: Option<DeliveryArg>,
    /// Where replies should go (if the account may set it).
    #[arg(long, value_name = "X")]
    reply_to: Option<String>,
    /// One JSON object per recipient instead of text lines.
    #[arg(long)]
    json: bool,
}

/// Connection Software's APIs.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ApiArg {
    /// The SOAP API (sendsms5).
    Soap,
    /// The HTTP API (/webservices/http/sendsms).
    Http,
}

impl From<ApiArg> for generated_client::Api {
    fn from(api: ApiArg) -> Self {
        match api {
            ApiArg::Soap => Self::Soap,
            ApiArg::Http => Self::Http,
        }
    }
}

/// The vendors `sendsms` can send through.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum VendorArg {
    /// Connection Software (sendsms5).
    Csoft,
    /// Clickatell's rpc/encoded SOAP API.
    Clickatell,
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
    let matches = <Args as clap::CommandFactory>::command().get_matches();
    #[allow(unused_mut)] // changed only with the receipts feature
    let mut args = match <Args as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    #[cfg(feature = "receipts")]
    receipts::credentials_from_command_line_only(&mut args, &matches);
    init_logging(&args.command);
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

/// Logs go to stderr: warnings only (such as a failover), unless RUST_LOG says otherwise; the
/// simulator also logs each request it serves.
fn init_logging(command: &Command) {
    use tracing_subscriber::EnvFilter;
    #[cfg(feature = "simulator")]
    let simulating = matches!(command, Command::Simulate(_));
    #[cfg(not(feature = "simulator"))]
    let simulating = {
        let _ = command;
        false
    };
    let default = if simulating {
        "warn,generated_client::simulator=debug"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // A one-shot command's log lines need no clock; a server's do.
    let _ = if simulating {
        builder.try_init()
    } else {
        builder.without_time().with_target(false).try_init()
    };
}

fn report(failure: Failure) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "sendsms: {}", failure.message);
    ExitCode::from(failure.code)
}

async fn run(args: Args) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    match &args.command {
        Command::Send(send) => match args.vendor {
            VendorArg::Csoft => send_message(&client(&args)?, send).await,
            VendorArg::Clickatell => send_message(&clickatell_client(&args)?, send).await,
        },
        Command::Credit => {
            let credit = match args.vendor {
                VendorArg::Csoft => client(&args)?.credit().await,
                VendorArg::Clickatell => clickatell_client(&args)?.credit().await,
            }
            .map_err(query_failure)?;
            let _ = writeln!(out, "{} {}", credit.amount, credit.currency);
            Ok(0)
        }
        Command::Messages => {
            let messages = client(&args)?
                .available_messages()
                .await
                .map_err(query_failure)?;
            let _ = writeln!(out, "{messages}");
            Ok(0)
        }
        Command::ReplyTo => {
            let values = client(&args)?
                .permitted_reply_to()
                .await
                .map_err(query_failure)?;
            for value in values {
                let _ = writeln!(out, "{value}");
            }
            Ok(0)
        }
        #[cfg(feature = "simulator")]
        Command::Simulate(simulate) => {
            drop(out);
            simulator::simulate(simulate).await
        }
        #[cfg(feature = "receipts")]
        Command::Receipts(receipts::ReceiptsCommand::Serve(serve)) => {
            // The handler writes to stdout from the server's tasks.
            drop(out);
            receipts::serve(serve, &args).await
        }
    }
}

/// The endpoints: `--primary` then `--secondary`. Without either, the WSDL's two ports. With
/// `--primary` alone there is no secondary: falling back from a server of one's choosing to
/// the vendor's would send to a gateway nobody asked for.
fn endpoints(args: &Args, defaults: Vec<String>) -> Vec<String> {
    match (&args.primary, &args.secondary) {
        (None, None) => defaults,
        (Some(primary), secondary) => std::iter::once(primary.clone())
            .chain(secondary.clone())
            .collect(),
        (None, Some(secondary)) => defaults
            .into_iter()
            .take(1)
            .chain([secondary.clone()])
            .collect(),
    }
}

/// The Connection Software client; every command but `send` and `credit` is for it alone.
fn client(args: &Args) -> Result<Client, Failure> {
    if args.vendor != VendorArg::Csoft {
        return Err(Failure::usage(
            "this command is for Connection Software only (--vendor csoft)",
        ));
    }
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
    let api = generated_client::Api::from(args.api);
    Client::builder(credentials)
        .timeout(timeout)
        .connect_timeout(timeout / 3)
        .api(api)
        .endpoints(endpoints(args, api.default_endpoints()))
        .build()
        .map_err(|e| Failure::usage(e.to_string()))
}

/// The Clickatell client: `--api-id`, `--username` and `--password`.
fn clickatell_client(args: &Args) -> Result<clickatell::Client, Failure> {
    let api_id = args
        .api_id
        .ok_or_else(|| Failure::usage("no api_id: pass --api-id or set SENDSMS_API_ID"))?;
    let user = args
        .username
        .clone()
        .ok_or_else(|| Failure::usage("no user name: pass --username or set SENDSMS_USERNAME"))?;
    let password = args
        .password
        .clone()
        .ok_or_else(|| Failure::usage("no password: pass --password or set SENDSMS_PASSWORD"))?;
    let credentials = clickatell::Credentials::new(api_id, user, password)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let settings = SoapClient::builder()
        .endpoints(endpoints(args, clickatell::default_endpoints()))
        .timeout(timeout)
        .connect_timeout(timeout / 3);
    clickatell::Client::new(credentials, settings).map_err(|e| Failure::usage(e.to_string()))
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

async fn send_message<G: SmsGateway>(client: &G, args: &SendArgs) -> Result<u8, Failure> {
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
    // Only a send of several requests takes long enough to need one.
    let bar = (std::io::stderr().is_terminal()
        && message.numbers.len() > G::RECIPIENTS_PER_REQUEST)
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
    let json = args.json;
    match result {
        Ok(report) => {
            print_outcomes(&report, json);
            Ok(if report.all_accepted() { 0 } else { 1 })
        }
        Err(SendError::Invalid(invalid)) => Err(Failure::usage(format!("nothing sent: {invalid}"))),
        Err(SendError::Request {
            error,
            completed,
            affected,
            not_sent,
        }) => {
            print_outcomes(&completed, json);
            let state = if error.may_have_been_received() {
                Pending::Unknown
            } else {
                Pending::NotSent
            };
            print_pending(&affected, state, json);
            print_pending(&not_sent, Pending::NotSent, json);
            let mut failure = call_failure(&error);
            failure.message =
                describe_partial(&failure.message, &completed, &affected, state, &not_sent);
            Err(failure)
        }
        Err(SendError::Mismatch {
            error,
            completed,
            affected,
            not_sent,
        }) => {
            print_outcomes(&completed, json);
            print_pending(&affected, Pending::Unknown, json);
            print_pending(&not_sent, Pending::NotSent, json);
            let message = format!("outcome unknown: {error}; not resent");
            Err(Failure {
                code: 4,
                message: describe_partial(
                    &message,
                    &completed,
                    &affected,
                    Pending::Unknown,
                    &not_sent,
                ),
            })
        }
        Err(SendError::AccountFailure {
            code,
            completed,
            not_sent,
        }) => {
            print_outcomes(&completed, json);
            print_pending(&not_sent, Pending::NotSent, json);
            Err(Failure {
                code: 1,
                message: format!(
                    "the gateway answered {code} for the account; the {} later recipient(s) were not sent",
                    not_sent.len()
                ),
            })
        }
        Err(SendError::NoSession {
            error,
            completed,
            not_sent,
        }) => {
            print_outcomes(&completed, json);
            print_pending(&not_sent, Pending::NotSent, json);
            let message = format!("nothing sent: could not log in to {}: {error}", G::VENDOR);
            Err(Failure {
                code: 3,
                message: describe_partial(&message, &completed, &[], Pending::NotSent, &not_sent),
            })
        }
    }
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

fn describe_partial<C: VendorCode>(
    message: &str,
    completed: &SendReport<C>,
    affected: &[String],
    state: Pending,
    not_sent: &[String],
) -> String {
    if completed.is_empty() && not_sent.is_empty() {
        return message.to_owned();
    }
    format!(
        "{message} ({} recipient(s) answered, {} {}, {} not sent; each is listed above)",
        completed.len(),
        affected.len(),
        match state {
            Pending::Unknown => "with the outcome unknown",
            Pending::NotSent => "in the request that could not be sent",
        },
        not_sent.len()
    )
}

/// The exit status and message for a failed call.
fn call_failure<F>(error: &CallError<F>) -> Failure {
    // Every error but an unreachable gateway may have reached it.
    let code = if error.may_have_been_received() { 4 } else { 3 };
    Failure {
        code,
        message: describe(error),
    }
}

/// An account query sends nothing, so only an unreachable gateway (3) and a lost answer (4)
/// keep their own statuses; the gateway refusing or garbling the answer is 1.
fn query_failure(error: QueryError) -> Failure {
    match &error {
        QueryError::Call(
            call @ (CallError::Unreachable { .. } | CallError::OutcomeUnknown { .. }),
        ) => call_failure(call),
        QueryError::Call(call) => Failure {
            code: 1,
            message: describe(call),
        },
        QueryError::Unexpected(_) | QueryError::Refused(_) => Failure {
            code: 1,
            message: error.to_string(),
        },
        QueryError::NotInHttpApi => Failure::usage(format!("{error} (--api soap)")),
    }
}

fn describe<F>(error: &CallError<F>) -> String {
    match error {
        CallError::Unreachable { attempts } => {
            let tried: Vec<String> = attempts
                .iter()
                .map(|attempt| format!("{} ({})", attempt.endpoint, attempt.error))
                .collect();
            format!(
                "nothing sent: no endpoint could be reached: {}",
                tried.join("; ")
            )
        }
        CallError::OutcomeUnknown { endpoint, source } => {
            format!("outcome unknown: the request may have reached {endpoint}, which did not answer ({source}); it was not resent")
        }
        CallError::BadResponse {
            endpoint,
            status,
            problem,
            ..
        } => format!("outcome unknown: {endpoint} answered HTTP {status}: {problem}; not resent"),
        CallError::Fault {
            endpoint, fault, ..
        } => format!(
            "{endpoint} answered with a SOAP fault {}: {} (not resent)",
            fault.code, fault.reason
        ),
        // A kind of failure this version does not know: its own words.
        other => other.to_string(),
    }
}

fn print_outcomes<C: VendorCode>(report: &SendReport<C>, json: bool) {
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
                outcome.report.wire(),
                outcome.text.replace('\n', " ")
            )
        };
    }
}

/// One line per recipient without an answer, in the same shape as the answered ones.
fn print_pending(numbers: &[String], state: Pending, json: bool) {
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

/// Ctrl-C or SIGTERM, for the commands that serve until told to stop.
#[cfg(all(unix, any(feature = "simulator", feature = "receipts")))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(all(not(unix), any(feature = "simulator", feature = "receipts")))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            // Without a handler there is no Ctrl-C to wait for; serve until killed.
            std::future::pending::<()>().await;
        }
    })
}

#[cfg(feature = "simulator")]
mod simulator {
    use generated_client::simulator::cli::{self, SimulateArgs};

    use super::{stop_signal, Failure};

    /// `sendsms simulate`: serves until Ctrl-C (or SIGTERM), then shuts down cleanly.
    pub(super) async fn simulate(args: &SimulateArgs) -> Result<u8, Failure> {
        // Watched before the URLs are printed: a script that reads them and at once
        // interrupts must find the handler in place, not the default one, which kills.
        let stop = stop_signal().map_err(|e| Failure {
            code: 1,
            message: format!("cannot watch for Ctrl-C: {e}"),
        })?;
        let mut out = std::io::stdout();
        match cli::run(args, &mut out, stop).await {
            Ok(served) => {
                let secondary = served
                    .secondary
                    .map(|n| format!(", {n} on the secondary"))
                    .unwrap_or_default();
                println!(
                    "Stopped after {} request(s) on the primary{secondary}.",
                    served.primary
                );
                Ok(0)
            }
            Err(error) => Err(Failure {
                code: if error.is_usage() { 2 } else { 1 },
                message: error.to_string(),
            }),
        }
    }
}

#[cfg(feature = "receipts")]
mod receipts {
    use std::io::Write;
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use clap::parser::ValueSource;
    use generated_client::receipts::{DeliveryReceipt, ReceiptCredentials, Receiver, Rejection};

    use super::{stop_signal, Args, Failure};

    #[derive(clap::Subcommand)]
    pub(super) enum ReceiptsCommand {
        /// Serve the receipt URL the gateway posts to: print each receipt as one JSON line on
        /// stdout, and acknowledge it once written; until Ctrl-C. --username and --pin (given
        /// on the command line, not read from the environment, whose SENDSMS_USERNAME and
        /// SENDSMS_PIN are the account's) are the ones receipts must carry.
        Serve(ServeArgs),
    }

    #[derive(clap::Args)]
    pub(super) struct ServeArgs {
        /// The address to listen on, as IP:PORT (port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        bind: SocketAddr,
        /// The largest request body read, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = generated_client::receipts::DEFAULT_BODY_LIMIT)]
        body_limit: usize,
    }

    /// The receipt server's Username and PIN are the customer's own, not the gateway
    /// account's: `SENDSMS_USERNAME` and `SENDSMS_PIN` must not become them.
    pub(super) fn credentials_from_command_line_only(args: &mut Args, matches: &clap::ArgMatches) {
        let Some(serve) = matches
            .subcommand_matches("receipts")
            .and_then(|receipts| receipts.subcommand_matches("serve"))
        else {
            return;
        };
        let given = |name| serve.value_source(name) == Some(ValueSource::CommandLine);
        if !given("username") {
            args.username = None;
        }
        if !given("pin") {
            args.pin = None;
        }
    }

    /// `sendsms receipts serve`.
    pub(super) async fn serve(serve: &ServeArgs, args: &Args) -> Result<u8, Failure> {
        let credentials = match (&args.username, &args.pin) {
            (Some(username), Some(pin)) => Some(
                ReceiptCredentials::new(username.clone(), pin.clone())
                    .map_err(|e| Failure::usage(e.to_string()))?,
            ),
            (None, None) => None,
            _ => return Err(Failure::usage("give both --username and --pin, or neither")),
        };
        // Watched before the address is printed, as for `simulate`.
        let stop = stop_signal().map_err(|e| Failure {
            code: 1,
            message: format!("cannot watch for Ctrl-C: {e}"),
        })?;
        let received = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&received);
        let mut receiver = Receiver::new(move |receipt: DeliveryReceipt| {
            let counter = Arc::clone(&counter);
            async move {
                print(&receipt)?;
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        })
        .body_limit(serve.body_limit);
        let required = credentials.is_some();
        if let Some(credentials) = credentials {
            receiver = receiver.credentials(credentials);
        }
        let running = receiver.bind(serve.bind).await.map_err(|e| Failure {
            code: 1,
            message: format!("cannot listen on {}: {e}", serve.bind),
        })?;
        eprintln!(
            "Receiving delivery receipts at {} (any path){}; one JSON line per receipt on stdout. Ctrl-C stops.",
            running.url(),
            if required { ", Username and PIN required" } else { "" },
        );
        stop.await;
        running.shutdown().await;
        eprintln!(
            "Stopped after {} receipt(s).",
            received.load(Ordering::Relaxed)
        );
        Ok(0)
    }

    /// One JSON line, flushed at once for whatever reads the pipe. A receipt that cannot be
    /// written is not acknowledged: the gateway keeps it.
    fn print(receipt: &DeliveryReceipt) -> Result<(), Rejection> {
        let line = serde_json::to_string(receipt)
            .map_err(|e| Rejection::catch_all().with_text(e.to_string()))?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(|e| Rejection::catch_all().with_text(format!("cannot write the receipt: {e}")))
    }
}
