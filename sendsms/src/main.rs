//! `sendsms`: send SMS through any vendor of `generated-client` from the shell, query the
//! account, run the simulated gateways, receive delivery receipts.
//!
//! The vendors are found through `generated-client`'s one list of vendors: their names
//! (`--vendor`), their settings (options and environment variables), their account queries
//! (commands); nothing here names a vendor. See `docs/sendsms.md` for the manual.
//!
//! Exit status of `send`: 0 every recipient accepted; 1 a report code rejected some recipient
//! or the account; 2 bad arguments or an invalid message (nothing sent); 3 no endpoint could
//! be reached, or no session could be set up (the recipients listed as not sent were not
//! sent); 4 the outcome is unknown (something may have been sent, and nothing was resent);
//! 5 the journal (`--journal`, `--store`) could not be opened, read or written.
//!
//! The account queries send nothing, so they use 3 and 4 only for an unreachable gateway and
//! a lost answer; any other failure is 1.
#![forbid(unsafe_code)]

mod campaign;
mod cli;
mod journal;
mod receipts;
mod send;
mod simulate;
mod status;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use generated_client::core::QueryError;
use generated_client::registry::{Settings, Vendor, Visitor};
use generated_client::vendors;
use soap_runtime::client::CallError;

use cli::{Invocation, Run};

/// What went wrong, as an exit status and a message.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let invocation = match cli::parse() {
        Ok(invocation) => invocation,
        Err(failure) => return report(failure),
    };
    init_logging(&invocation.run);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return report(Failure::other(format!("cannot start: {error}"))),
    };
    match runtime.block_on(run(invocation)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => report(failure),
    }
}

/// Logs go to stderr: warnings only (such as a failover), unless RUST_LOG says otherwise; the
/// simulator also logs each request it serves.
fn init_logging(run: &Run) {
    use tracing_subscriber::EnvFilter;
    let simulating = matches!(run, Run::Simulate(_));
    let default = if simulating {
        "warn,generated_client::simulated=debug"
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

async fn run(invocation: Invocation) -> Result<u8, Failure> {
    let Invocation {
        vendor,
        settings,
        run,
    } = invocation;
    match run {
        Run::Simulate(args) => simulate::simulate(args).await,
        Run::Receipts(args) => receipts::serve(args).await,
        Run::Status(args) => status::status(args).await,
        vendor_command => {
            let visitor = ForVendor {
                settings,
                run: vendor_command,
            };
            match vendors::visit(&vendor, visitor) {
                Some(future) => future.await,
                None => Err(Failure::usage(format!(
                    "no vendor {vendor:?}: the vendors are {}",
                    vendors::NAMES.join(", ")
                ))),
            }
        }
    }
}

/// A command that talks to one vendor's gateway, run for the vendor `--vendor` names.
struct ForVendor {
    settings: Settings,
    run: Run,
}

type Running = std::pin::Pin<Box<dyn std::future::Future<Output = Result<u8, Failure>>>>;

impl Visitor for ForVendor {
    type Output = Running;

    fn visit<V: Vendor>(self) -> Running {
        Box::pin(async move {
            let client = V::client(&self.settings).map_err(|e| Failure::usage(e.to_string()))?;
            match self.run {
                Run::Send(send) => send::send::<V>(&client, &self.settings, send).await,
                Run::Credit => {
                    let credit = generated_client::core::SmsGateway::credit(&client)
                        .await
                        .map_err(query_failure)?;
                    println!("{} {}", credit.amount, credit.currency);
                    Ok(0)
                }
                Run::Query(name) => {
                    if !V::queries().iter().any(|q| q.name == name) {
                        return Err(Failure::usage(format!(
                            "{} has no command {name}: it is another vendor's",
                            V::TITLE
                        )));
                    }
                    let lines = V::query(&client, &name).await.map_err(query_failure)?;
                    let mut out = std::io::stdout().lock();
                    for line in lines {
                        let _ = writeln!(out, "{line}");
                    }
                    Ok(0)
                }
                Run::Simulate(_) | Run::Receipts(_) | Run::Status(_) => {
                    Err(Failure::other("not a command for a vendor's gateway"))
                }
            }
        })
    }
}

/// The exit status and message for a failed call: 3 when it cannot have reached the
/// gateway, 4 when it may have.
pub(crate) fn call_failure<F>(error: &CallError<F>) -> Failure {
    let code = if error.may_have_been_received() { 4 } else { 3 };
    Failure {
        code,
        message: describe_call(error),
    }
}

/// An account query sends nothing, so only an unreachable gateway (3) and a lost answer (4)
/// keep their own statuses; the gateway refusing or garbling the answer is 1.
fn query_failure(error: QueryError) -> Failure {
    match &error {
        QueryError::Call(
            call @ (CallError::Unreachable { .. } | CallError::OutcomeUnknown { .. }),
        ) => call_failure(call),
        QueryError::Call(call) => Failure::other(describe_call(call)),
        QueryError::NotOffered(_) => Failure::usage(error.to_string()),
        _ => Failure::other(error.to_string()),
    }
}

pub(crate) fn describe_call<F>(error: &CallError<F>) -> String {
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

/// Ctrl-C or SIGTERM, for the commands that serve until told to stop.
#[cfg(unix)]
pub(crate) fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
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

#[cfg(not(unix))]
pub(crate) fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            // Without a handler there is no Ctrl-C to wait for; serve until killed.
            std::future::pending::<()>().await;
        }
    })
}
