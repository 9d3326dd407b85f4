//! `sendsms simulate`: every vendor's simulated gateway on loopback until Ctrl-C.

use generated_client::simulator::{
    self, ReceiptsTo, SimulateError, SimulateOptions, SimulatorConfig,
};

use crate::cli::SimulateArgs;
use crate::{stop_signal, Failure};

/// Serves until Ctrl-C (or SIGTERM), then shuts down cleanly.
pub(crate) async fn simulate(args: SimulateArgs) -> Result<u8, Failure> {
    let mut config = match &args.config {
        Some(path) => load(path)?,
        None => SimulatorConfig::demo(),
    };
    if let Some(url) = &args.receipts_to {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Failure::usage(format!(
                "--receipts-to {url:?} is not an http:// or https:// URL"
            )));
        }
        let to = ReceiptsTo::new(url.clone())
            .credentials(args.receipts_username.clone(), args.receipts_pin.clone());
        if !config.post_receipts(&to) {
            return Err(Failure::usage(
                "no vendor of the simulator posts delivery receipts",
            ));
        }
    }
    // Watched before the URLs are printed: a script that reads them and at once interrupts
    // must find the handler in place, not the default one, which kills.
    let stop =
        stop_signal().map_err(|e| Failure::other(format!("cannot watch for Ctrl-C: {e}")))?;
    let mut options = SimulateOptions::new(args.bind, config);
    options.secondary_bind = args.secondary_bind;
    let mut out = std::io::stdout();
    match simulator::run(options, &mut out, stop).await {
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
        Err(SimulateError::Start(simulator::Error::NotLoopback(addr))) => Err(Failure::usage(
            format!("the simulator listens on loopback addresses only, not on {addr}"),
        )),
        Err(error) => Err(Failure::other(error.to_string())),
    }
}

/// A JSON simulator configuration.
fn load(path: &std::path::Path) -> Result<SimulatorConfig, Failure> {
    let failed =
        |reason: String| Failure::usage(format!("cannot use {}: {reason}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| failed(e.to_string()))
}
