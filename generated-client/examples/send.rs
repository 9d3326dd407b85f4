//! Sending a message and reading the account's credit with Connection Software's [`Client`],
//! against the embedded simulator so that it runs anywhere:
//! `cargo run -p generated-client --features simulator --example send`.
//!
//! Against the real gateway, leave out the simulator and the `.endpoints(…)` line: the
//! default endpoints are the WSDL's primary and secondary servers.

use std::net::SocketAddr;

use generated_client::core::SendError;
use generated_client::csoft::simulated::{Account, PATH};
use generated_client::csoft::{Client, Credentials, Message};
use generated_client::simulator::{Simulator, SimulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A gateway on loopback, with one account.
    let mut config = SimulatorConfig::default();
    config.csoft.accounts = vec![Account::new("demo", "demo1234")];
    let simulator = Simulator::new(config);
    let gateway = simulator
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await?;

    let client = Client::builder(Credentials::new("demo", "demo1234")?)
        .endpoints(vec![gateway.url(PATH)])
        .build()?;
    let message = Message::text("Your table is ready", ["447700900001", "+44 7700 900002"]);
    match client.send(&message).await {
        Ok(report) => {
            for outcome in report.iter() {
                let to = outcome.recipient.unwrap_or("-");
                println!("{to} {} {}", outcome.message_id, outcome.report);
            }
        }
        // A request may have reached the gateway without an answer: sending it again could
        // deliver twice, so it was not resent.
        Err(SendError::Incomplete(incomplete)) if incomplete.unknown().next().is_some() => {
            let unknown: Vec<&str> = incomplete.unknown().collect();
            let why = incomplete
                .first_failure()
                .map_or_else(String::new, |failed| failed.error.to_string());
            eprintln!("{why}; not resent to {unknown:?}");
        }
        Err(error) => return Err(error.into()),
    }
    let credit = client.available_credit().await?;
    println!("credit: {} {}", credit.amount, credit.currency);
    Ok(())
}
