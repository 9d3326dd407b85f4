//! Sending a message and reading the account's credit with [`Client`], against the embedded
//! simulator so that it runs anywhere: `cargo run -p generated-client --example send`.
//!
//! Against the real gateway, leave out the simulator and the `.endpoints(…)` line: the
//! default endpoints are the WSDL's primary and secondary servers.

use std::net::SocketAddr;

use generated_client::simulator::{Account, Simulator, SimulatorConfig};
use generated_client::{Client, Credentials, Message, SendError};
use soap_runtime::client::CallError;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A gateway on loopback, with one account.
    let simulator = Simulator::new(SimulatorConfig {
        accounts: vec![Account::new("demo", "demo1234")],
        ..SimulatorConfig::default()
    });
    let gateway = simulator
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await?;

    let client = Client::builder(Credentials::new("demo", "demo1234")?)
        .endpoints(vec![gateway.url()])
        .build()?;
    let message = Message::text("Your table is ready", ["447700900001", "+44 7700 900002"]);
    match client.send(&message).await {
        Ok(report) => {
            for outcome in report.iter() {
                let to = outcome.recipient.unwrap_or("-");
                println!("{to} {} {}", outcome.message_id, outcome.report);
            }
        }
        // The request may have reached the gateway: sending again could deliver twice.
        Err(SendError::Request {
            error: error @ CallError::OutcomeUnknown { .. },
            affected,
            ..
        }) => eprintln!("{error}; not resent to {affected:?}"),
        Err(error) => return Err(error.into()),
    }
    let credit = client.available_credit().await?;
    println!("credit: {} {}", credit.amount, credit.currency);
    Ok(())
}
