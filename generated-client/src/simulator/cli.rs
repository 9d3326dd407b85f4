//! `sendsms simulate`: the simulator as a stand-alone gateway on loopback, for trying the CLI
//! and the client without an account at the vendor.
//!
//! It serves a demo account ([`DEMO_USERNAME`] / [`DEMO_PIN`], 10.0000 GBP of credit at 0.05
//! a message) unless `--config FILE` gives a [`SimulatorConfig`] in JSON, prints the service
//! URLs and the `export` lines that point `sendsms` at them, and serves until the future
//! passed to [`run`] resolves (Ctrl-C in `sendsms`).

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::{Account, Error, Report, RunningSimulator, Simulator, SimulatorConfig};

/// The demo account's Username.
pub const DEMO_USERNAME: &str = "demo";
/// The demo account's PIN.
pub const DEMO_PIN: &str = "demo1234";
/// A number the demo gateway answers with report 8 (blacklisted), to see a rejection.
pub const DEMO_BLACKLISTED: &str = "447700900666";

/// The options of `sendsms simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// The address to serve on, as IP:PORT on loopback (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8081")]
    pub bind: SocketAddr,
    /// Also serve on this address, as the secondary server (same accounts and credit).
    #[arg(long, value_name = "ADDR")]
    pub secondary_bind: Option<SocketAddr>,
    /// A JSON simulator configuration (accounts, per-number report codes) instead of the demo
    /// account.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Delivery receipts to post.
    #[command(flatten)]
    pub receipts: super::receipts::ReceiptArgs,
}

/// Why `simulate` could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// The configuration file could not be read or is not a valid configuration.
    #[error("cannot use {path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A listener could not start (not a loopback address, or the port is taken).
    #[error(transparent)]
    Start(#[from] Error),
    /// The URLs could not be printed.
    #[error("cannot write: {0}")]
    Output(#[from] io::Error),
    /// The delivery receipt options are not usable (a URL that is not http or https).
    #[error("{0}")]
    Receipts(String),
}

impl SimulateError {
    /// Whether the arguments are to blame (a non-loopback address, a bad configuration), as
    /// opposed to the machine (the port is taken).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::Config { .. } | Self::Start(Error::NotLoopback(_)) | Self::Receipts(_)
        )
    }
}

/// The demo gateway: one account, [`DEMO_USERNAME`] / [`DEMO_PIN`], with 10.0000 GBP of
/// credit at 0.05 a message and `447700900123` as an extra ReplyTo; [`DEMO_BLACKLISTED`] is
/// answered with report 8.
pub fn demo_config() -> SimulatorConfig {
    let mut account = Account::new(DEMO_USERNAME, DEMO_PIN);
    account.permitted_reply_to = vec!["447700900123".to_owned()];
    SimulatorConfig {
        accounts: vec![account],
        number_reports: [(
            DEMO_BLACKLISTED.to_owned(),
            Report::new(8, "Blacklisted number"),
        )]
        .into(),
        clickatell: super::clickatell::demo_config(),
        ..SimulatorConfig::default()
    }
}

/// The configuration `args` ask for: the file's, or the demo's.
pub fn load_config(args: &SimulateArgs) -> Result<SimulatorConfig, SimulateError> {
    let Some(path) = &args.config else {
        return Ok(demo_config());
    };
    let failed = |reason: String| SimulateError::Config {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| failed(e.to_string()))
}

/// How many requests the listeners served, for the closing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// Requests to the primary listener.
    pub primary: u64,
    /// Requests to the secondary listener, if there was one.
    pub secondary: Option<u64>,
}

/// Starts the listeners `args` ask for on the current tokio runtime, writes what a user needs
/// to `out`, serves until `stop` resolves, then shuts the listeners down.
///
/// `stop` should be ready to notice its signal before `run` is called: the URLs are printed
/// as soon as the listeners are up, and a script may act on them at once.
pub async fn run(
    args: &SimulateArgs,
    out: &mut dyn Write,
    stop: impl Future<Output = ()>,
) -> Result<Served, SimulateError> {
    let config = args
        .receipts
        .apply(load_config(args)?)
        .map_err(SimulateError::Receipts)?;
    let simulator = Simulator::new(config.clone());
    let primary = simulator.start(args.bind).await?;
    let secondary = match args.secondary_bind {
        Some(addr) => Some(simulator.start(addr).await?),
        None => None,
    };
    describe(&config, &primary, secondary.as_ref(), out)?;
    stop.await;
    let served = Served {
        primary: primary.total_requests(),
        secondary: secondary.as_ref().map(RunningSimulator::total_requests),
    };
    primary.shutdown().await;
    if let Some(secondary) = secondary {
        secondary.shutdown().await;
    }
    Ok(served)
}

/// The banner: URLs, accounts, special numbers, and the lines to paste.
fn describe(
    config: &SimulatorConfig,
    primary: &RunningSimulator,
    secondary: Option<&RunningSimulator>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "Simulated Connection Software gateway (loopback only)")?;
    writeln!(out, "  primary:   {}", primary.url())?;
    if let Some(secondary) = secondary {
        writeln!(out, "  secondary: {}", secondary.url())?;
    }
    writeln!(out, "  http api:  {}", primary.http_api_url())?;
    for account in &config.accounts {
        writeln!(
            out,
            "  account:   Username {}, PIN {}, credit {} {} ({} a message){}",
            account.username,
            account.pin,
            four_places(account.credit),
            account.currency,
            account.message_cost,
            if account.test { ", test account" } else { "" },
        )?;
        if let Some(receipts) = &account.delivery_receipts {
            writeln!(
                out,
                "  receipts:  posted to {} for every message accepted",
                receipts.url
            )?;
        }
    }
    for (number, report) in &config.number_reports {
        writeln!(
            out,
            "  number:    {number} is answered {} ({})",
            report.code, report.text
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Point sendsms at it (paste into another shell):")?;
    writeln!(out, "export SENDSMS_PRIMARY={}", primary.url())?;
    match secondary {
        Some(secondary) => writeln!(out, "export SENDSMS_SECONDARY={}", secondary.url())?,
        // A secondary left over from earlier would send to another gateway.
        None => writeln!(out, "unset SENDSMS_SECONDARY")?,
    }
    if let Some(account) = config.accounts.first() {
        writeln!(out, "export SENDSMS_USERNAME={}", account.username)?;
        writeln!(out, "export SENDSMS_PIN={}", account.pin)?;
    }
    super::clickatell::describe(&config.clickatell, primary, secondary, out)?;
    writeln!(out)?;
    writeln!(out, "Serving until Ctrl-C.")?;
    out.flush()
}

/// An amount as the gateway writes credit: four decimal places.
fn four_places(amount: Decimal) -> Decimal {
    let mut amount = amount.round_dp(4);
    amount.rescale(4);
    amount
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_account_is_what_the_documentation_says() {
        let config = demo_config();
        let account = &config.accounts[0];
        assert_eq!(
            (account.username.as_str(), account.pin.as_str()),
            ("demo", "demo1234")
        );
        assert_eq!(four_places(account.credit).to_string(), "10.0000");
        assert_eq!(account.currency, "GBP");
        assert_eq!(config.number_reports[DEMO_BLACKLISTED].code, 8);
    }

    #[test]
    fn a_configuration_file_replaces_the_demo() {
        let dir = std::env::temp_dir().join(format!("sendsms-simulate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        std::fs::write(
            &path,
            r#"{ "accounts": [{ "username": "u", "pin": "p", "credit": "2.8950" }] }"#,
        )
        .unwrap();
        let args = |config: Option<PathBuf>| SimulateArgs {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secondary_bind: None,
            config,
            receipts: Default::default(),
        };
        let config = load_config(&args(Some(path.clone()))).unwrap();
        assert_eq!(config.accounts[0].username, "u");
        std::fs::write(&path, r#"{ "acounts": [] }"#).unwrap();
        let error = load_config(&args(Some(path))).unwrap_err();
        assert!(error.is_usage());
        assert!(error.to_string().contains("acounts"), "{error}");
        let error = load_config(&args(Some(dir.join("missing.json")))).unwrap_err();
        assert!(error.is_usage());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn prints_the_urls_and_serves_until_stopped() {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let args = SimulateArgs {
            bind: loopback,
            secondary_bind: Some(loopback),
            config: None,
            receipts: Default::default(),
        };
        let mut out = Vec::new();
        let served = run(&args, &mut out, async {}).await.unwrap();
        assert_eq!(
            served,
            Served {
                primary: 0,
                secondary: Some(0)
            }
        );
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("export SENDSMS_PRIMARY=http://127.0.0.1:"),
            "{out}"
        );
        assert!(
            out.contains("export SENDSMS_SECONDARY=http://127.0.0.1:"),
            "{out}"
        );
        assert!(out.contains("export SENDSMS_PIN=demo1234"), "{out}");
    }

    #[tokio::test]
    async fn only_loopback_is_served() {
        let args = SimulateArgs {
            bind: SocketAddr::from(([0, 0, 0, 0], 0)),
            secondary_bind: None,
            config: None,
            receipts: Default::default(),
        };
        let error = run(&args, &mut Vec::new(), async {}).await.unwrap_err();
        assert!(error.is_usage(), "{error}");
    }
}
