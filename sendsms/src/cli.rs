//! The command line: fixed options and commands, and those every vendor of the registry adds
//! (its settings as options and environment variables, its account queries as commands).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Args as _, Command, FromArgMatches as _};
use generated_client::registry::{Query, Setting, Settings, Vendor, Visitor};
use generated_client::vendors;

use crate::Failure;

const ABOUT: &str = "Send SMS through a vendor's SOAP API, query the account, run the \
    simulated gateways, receive delivery receipts.";
const AFTER_HELP: &str = "Exit status: 0 every recipient accepted; 1 a report code rejected \
    some recipient or the account; 2 bad arguments or an invalid message (nothing sent); 3 no \
    endpoint could be reached, or no session (nothing sent); 4 outcome unknown (something may \
    have been sent; nothing was resent); 5 the journal could not be opened, read or written. \
    Manual: docs/sendsms.md.";

// Options every vendor takes. (A plain comment: a doc comment would become the command's
// description.)
#[derive(clap::Args)]
struct Common {
    /// The gateway's vendor.
    #[arg(
        long,
        env = "SENDSMS_VENDOR",
        default_value = "csoft",
        global = true,
        value_parser = clap::builder::PossibleValuesParser::new(vendors::NAMES)
    )]
    vendor: String,
    /// The primary endpoint (default: the vendor's WSDL's primary server).
    #[arg(long, value_name = "URL", env = "SENDSMS_PRIMARY", global = true)]
    primary: Option<String>,
    /// The secondary endpoint, used only when the primary cannot be reached (default: the
    /// WSDL's secondary server, unless --primary is given: then there is none).
    #[arg(long, value_name = "URL", env = "SENDSMS_SECONDARY", global = true)]
    secondary: Option<String>,
    /// Seconds to wait for each request (connecting takes at most a third of it).
    #[arg(long, value_name = "SECS", default_value_t = 30, global = true)]
    timeout: u64,
}

// `sendsms send`.
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("content").required(true).args(["text", "flash"]))]
pub(crate) struct SendArgs {
    /// Comma-separated numbers, or @FILE with one number per line.
    #[arg(long, value_name = "NUMBERS")]
    pub(crate) to: String,
    /// A plain text message.
    #[arg(long, value_name = "T")]
    pub(crate) text: Option<String>,
    /// A flash message.
    #[arg(long, value_name = "T")]
    pub(crate) flash: Option<String>,
    /// Send after this many minutes (1 to 10080).
    #[arg(long, value_name = "MINUTES", conflicts_with = "at")]
    pub(crate) delay: Option<u16>,
    /// Send at this UTC time (RFC 3339, e.g. 2026-11-22T09:00:00Z), at most seven days ahead.
    #[arg(long, value_name = "UTC-TIME")]
    pub(crate) at: Option<DateTime<Utc>>,
    /// One JSON object per recipient instead of text lines.
    #[arg(long)]
    pub(crate) json: bool,
    /// Requests in flight at once, 1 to 64 (a bulk send's requests otherwise go one after
    /// another).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=MAX_PARALLEL as i64))]
    pub(crate) parallel: u16,
    /// Send a number the list repeats each time it stands (by default once, with a warning).
    #[arg(long)]
    pub(crate) allow_duplicates: bool,
    /// Record the send in this journal, an SQLite file or a postgres:// URL: a rerun with the
    /// same journal, message and list sends only what was not sent.
    #[arg(long, value_name = "FILE|URL", env = "SENDSMS_JOURNAL")]
    pub(crate) journal: Option<String>,
    /// With --journal: send again the requests whose outcome is unknown (they may have
    /// reached the gateway: their recipients may get the message twice).
    #[arg(long, requires = "journal")]
    pub(crate) resend_unknown: bool,
    /// With --journal: start a new campaign when the journal holds another one (of another
    /// message or list), instead of refusing; the older one stays in the journal.
    #[arg(long, requires = "journal")]
    pub(crate) new_campaign: bool,
    /// With --journal: this worker's name in the journal (default HOST:PID); unique among the
    /// workers sharing a campaign.
    #[arg(long, value_name = "ID", requires = "journal")]
    pub(crate) worker: Option<String>,
    /// With --journal: seconds a worker holds a request without news before others may take
    /// it back (planned again if it was not written yet, unknown if it was).
    #[arg(long, value_name = "SECS", default_value_t = 120, requires = "journal",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) lease: u64,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// The most requests `--parallel` allows in flight.
pub(crate) const MAX_PARALLEL: u16 = 64;

// How a journal is opened, for every command that opens one.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct StoreArgs {
    /// The PostgreSQL schema the journal's tables are in (created if missing; default: the
    /// server's search path).
    #[arg(long, value_name = "NAME", env = "SENDSMS_JOURNAL_SCHEMA")]
    pub(crate) journal_schema: Option<String>,
    /// SQLite's synchronous setting: normal survives a killed process, full also a power
    /// loss (one fsync per commit).
    #[arg(long, value_name = "MODE", default_value = "normal",
          value_parser = ["normal", "full"])]
    pub(crate) synchronous: String,
    /// Seconds an SQLite write waits for another process's lock on the journal before it
    /// fails.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub(crate) busy_timeout: f64,
}

// `sendsms status`.
#[derive(clap::Args, Debug)]
pub(crate) struct StatusArgs {
    /// The journal: an SQLite file or a postgres:// URL.
    #[arg(long, value_name = "FILE|URL", env = "SENDSMS_JOURNAL")]
    pub(crate) journal: String,
    /// One JSON object per recipient, then one for the summary, instead of text lines.
    #[arg(long)]
    pub(crate) json: bool,
    /// Only the summary.
    #[arg(long)]
    pub(crate) summary: bool,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

// `sendsms simulate`.
#[derive(clap::Args, Debug)]
pub(crate) struct SimulateArgs {
    /// The address to serve on, as IP:PORT on loopback (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8081")]
    pub(crate) bind: SocketAddr,
    /// Also serve on this address, as the secondary server (same accounts and credit).
    #[arg(long, value_name = "ADDR")]
    pub(crate) secondary_bind: Option<SocketAddr>,
    /// A JSON simulator configuration (each vendor's accounts and special numbers, under its
    /// name) instead of the demo accounts.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Post a delivery receipt (Report 0, delivered) to this URL for every message accepted,
    /// for every account of a vendor that has receipts, as the gateway does for corporate
    /// accounts.
    #[arg(long, value_name = "URL")]
    pub(crate) receipts_to: Option<String>,
    /// The Username the receipts carry (for a receiver that requires one).
    #[arg(long, value_name = "U", requires = "receipts_to")]
    pub(crate) receipts_username: Option<String>,
    /// The PIN the receipts carry.
    #[arg(long, value_name = "P", requires = "receipts_to")]
    pub(crate) receipts_pin: Option<String>,
}

// `sendsms receipts serve`.
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// The address to listen on, as IP:PORT (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub(crate) bind: SocketAddr,
    /// The largest request body read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = generated_client::csoft::receipts::DEFAULT_BODY_LIMIT)]
    pub(crate) body_limit: usize,
    /// Store each receipt in this journal (an SQLite file or a postgres:// URL) instead of
    /// printing it: answered 0 once committed, -1 when it cannot be stored.
    #[arg(long, value_name = "FILE|URL")]
    pub(crate) store: Option<String>,
    #[command(flatten)]
    pub(crate) store_options: StoreArgs,
    /// The Username and PIN receipts must carry: `--username` and `--pin` given on the command
    /// line (the environment's SENDSMS_USERNAME and SENDSMS_PIN are the account's, not these).
    #[arg(skip)]
    pub(crate) credentials: Option<(String, String)>,
}

/// What to do.
pub(crate) enum Run {
    Send(SendArgs),
    Credit,
    Query(String),
    Simulate(SimulateArgs),
    Receipts(ServeArgs),
    Status(StatusArgs),
}

/// A parsed command line.
pub(crate) struct Invocation {
    pub(crate) vendor: String,
    pub(crate) settings: Settings,
    pub(crate) run: Run,
}

/// What a vendor adds to the command line.
#[derive(Clone)]
struct Declared {
    title: &'static str,
    settings: &'static [Setting],
    queries: &'static [Query],
    name: &'static str,
}

#[derive(Clone)]
struct Declare;

impl Visitor for Declare {
    type Output = Declared;

    fn visit<V: Vendor>(self) -> Declared {
        Declared {
            title: V::TITLE,
            settings: V::settings(),
            queries: V::queries(),
            name: V::NAME,
        }
    }
}

/// The command line, with every vendor's settings and queries.
fn command(declared: &[Declared]) -> Command {
    let mut cli = Common::augment_args(
        Command::new("sendsms")
            .version(env!("CARGO_PKG_VERSION"))
            .about(ABOUT)
            .after_help(AFTER_HELP)
            .subcommand_required(true),
    );
    // One option per setting name: vendors that share a name (a user name) share the option.
    let mut seen: Vec<&str> = Vec::new();
    for vendor in declared {
        for setting in vendor.settings {
            if seen.contains(&setting.name) {
                continue;
            }
            seen.push(setting.name);
            let users: Vec<String> = declared
                .iter()
                .filter_map(|v| {
                    v.settings
                        .iter()
                        .find(|s| s.name == setting.name)
                        .map(|s| format!("{} ({})", s.help, v.title))
                })
                .collect();
            let mut arg = Arg::new(setting.name)
                .long(setting.name)
                .value_name(setting.value_name)
                .help(users.join("; "))
                .global(true);
            if let Some(env) = setting.env {
                arg = arg.env(env).hide_env_values(setting.secret);
            }
            cli = cli.arg(arg);
        }
    }
    cli = cli
        .subcommand(SendArgs::augment_args(
            Command::new("send").about("Send a text or flash message."),
        ))
        .subcommand(Command::new("credit").about("Show the account's credit."));
    let mut queries: Vec<&str> = Vec::new();
    for vendor in declared {
        for query in vendor.queries {
            if !queries.contains(&query.name) {
                queries.push(query.name);
                cli = cli.subcommand(
                    Command::new(query.name).about(format!("{} ({}).", query.help, vendor.title)),
                );
            }
        }
    }
    cli.subcommand(StatusArgs::augment_args(Command::new("status").about(
        "Show where every recipient of a journal's campaign stands (message id, answer, latest \
         delivery receipt), then a summary by class.",
    )))
    .subcommand(SimulateArgs::augment_args(Command::new("simulate").about(
        "Run the simulated gateways of every vendor on loopback until Ctrl-C (demo \
             accounts; the banner says how to send through them).",
    )))
    .subcommand(
        Command::new("receipts")
            .about("Receive the gateway's real-time delivery receipts.")
            .subcommand_required(true)
            .subcommand(ServeArgs::augment_args(Command::new("serve").about(
                "Serve the receipt URL the gateway posts to: print each receipt as one JSON \
                 line on stdout (or store it in a journal, --store), and acknowledge it once \
                 written; until Ctrl-C.",
            ))),
    )
}

/// Parses the process's command line; exits with clap's message for a malformed one.
pub(crate) fn parse() -> Result<Invocation, Failure> {
    let declared = vendors::each(Declare);
    let matches = command(&declared).get_matches();
    let common = Common::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| Failure::usage("no command"))?;
    let run = match name {
        "send" => Run::Send(SendArgs::from_arg_matches(sub).unwrap_or_else(|e| e.exit())),
        "credit" => Run::Credit,
        "status" => Run::Status(StatusArgs::from_arg_matches(sub).unwrap_or_else(|e| e.exit())),
        "simulate" => {
            Run::Simulate(SimulateArgs::from_arg_matches(sub).unwrap_or_else(|e| e.exit()))
        }
        "receipts" => {
            let Some(("serve", serve)) = sub.subcommand() else {
                return Err(Failure::usage("receipts: give serve"));
            };
            let mut args = ServeArgs::from_arg_matches(serve).unwrap_or_else(|e| e.exit());
            args.credentials = receipt_credentials(serve)?;
            Run::Receipts(args)
        }
        query => Run::Query(query.to_owned()),
    };
    let vendor = declared
        .iter()
        .find(|v| v.name == common.vendor)
        .ok_or_else(|| Failure::usage(format!("no vendor {}", common.vendor)))?;
    let scope = match &run {
        Run::Send(_) => Some(sub),
        _ => None,
    };
    let settings = settings(&common, vendor, &declared, &matches, scope)?;
    Ok(Invocation {
        vendor: common.vendor,
        settings,
        run,
    })
}

/// The settings of the chosen vendor. A setting of another vendor given on the command line is
/// refused, before anything is sent: the chosen vendor has nothing to do with it.
fn settings(
    common: &Common,
    vendor: &Declared,
    declared: &[Declared],
    matches: &ArgMatches,
    send: Option<&ArgMatches>,
) -> Result<Settings, Failure> {
    let mut settings = Settings::new().timeout(Duration::from_secs(common.timeout.max(1)));
    if let Some(primary) = &common.primary {
        settings = settings.primary(primary);
    }
    if let Some(secondary) = &common.secondary {
        settings = settings.secondary(secondary);
    }
    // Global options are found in the subcommand's matches when given after it.
    let value = |name: &str| -> Option<(String, ValueSource)> {
        [send, Some(matches)].into_iter().flatten().find_map(|m| {
            let value = m.try_get_one::<String>(name).ok().flatten()?;
            Some((value.clone(), m.value_source(name)?))
        })
    };
    for setting in declared.iter().flat_map(|v| v.settings) {
        let Some((given, source)) = value(setting.name) else {
            continue;
        };
        let own = vendor.settings.iter().any(|s| s.name == setting.name);
        if own {
            if setting.per_message && send.is_none() && source == ValueSource::CommandLine {
                return Err(Failure::usage(format!(
                    "--{} is an option of the messages sent: give it with send",
                    setting.name
                )));
            }
            settings = settings.set(setting.name, given);
        } else if source == ValueSource::CommandLine {
            return Err(Failure::usage(format!(
                "--{} is not an option of {} (--vendor {})",
                setting.name, vendor.title, vendor.name
            )));
        }
    }
    Ok(settings)
}

/// `receipts serve`'s Username and PIN: the customer's own, given on the command line; the
/// environment's are the gateway account's and must not become them.
fn receipt_credentials(serve: &ArgMatches) -> Result<Option<(String, String)>, Failure> {
    let given = |name: &str| {
        (serve.value_source(name) == Some(ValueSource::CommandLine))
            .then(|| serve.try_get_one::<String>(name).ok().flatten().cloned())
            .flatten()
    };
    match (given("username"), given("pin")) {
        (Some(username), Some(pin)) => Ok(Some((username, pin))),
        (None, None) => Ok(None),
        _ => Err(Failure::usage("give both --username and --pin, or neither")),
    }
}
