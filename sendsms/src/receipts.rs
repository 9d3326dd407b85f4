//! `sendsms receipts serve`: Connection Software's delivery receipts, one JSON line each.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use generated_client::campaign::StoreReceipts;
use generated_client::csoft::receipts::{
    DeliveryReceipt, ReceiptCredentials, ReceiptHandler, Receiver, Rejection,
};

use crate::cli::ServeArgs;
use crate::{journal, stop_signal, Failure};

/// Counts the receipts its handler took.
struct Counted<H> {
    handler: H,
    taken: Arc<AtomicU64>,
}

impl<H: ReceiptHandler> ReceiptHandler for Counted<H> {
    async fn handle(&self, receipt: DeliveryReceipt) -> Result<(), Rejection> {
        self.handler.handle(receipt).await?;
        self.taken.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Serves the receipt URL until Ctrl-C (or SIGTERM).
pub(crate) async fn serve(serve: ServeArgs) -> Result<u8, Failure> {
    let credentials = match &serve.credentials {
        Some((username, pin)) => Some(
            ReceiptCredentials::new(username.clone(), pin.clone())
                .map_err(|e| Failure::usage(e.to_string()))?,
        ),
        None => None,
    };
    let required = credentials.is_some();
    // Watched before the address is printed, as for `simulate`.
    let stop =
        stop_signal().map_err(|e| Failure::other(format!("cannot watch for Ctrl-C: {e}")))?;
    let received = Arc::new(AtomicU64::new(0));
    let taken = Arc::clone(&received);
    let (running, stored) = match &serve.store {
        Some(location) => {
            let journal = journal::open(location, &serve.store_options, |o| o).await?;
            let stored = format!("stored in the journal {}", journal.location());
            let handler = Counted {
                handler: StoreReceipts::new(journal),
                taken,
            };
            (
                bind(&serve, Receiver::new(handler), credentials).await?,
                stored,
            )
        }
        None => {
            let handler = Counted {
                handler: |receipt: DeliveryReceipt| async move { print(&receipt) },
                taken,
            };
            let printed = "one JSON line per receipt on stdout".to_owned();
            (
                bind(&serve, Receiver::new(handler), credentials).await?,
                printed,
            )
        }
    };
    eprintln!(
        "Receiving delivery receipts at {} (any path){}; {stored}. Ctrl-C stops.",
        running.url(),
        if required {
            ", Username and PIN required"
        } else {
            ""
        },
    );
    stop.await;
    running.shutdown().await;
    eprintln!(
        "Stopped after {} receipt(s).",
        received.load(Ordering::Relaxed)
    );
    Ok(0)
}

/// Serves `receiver` on `--bind`, with the credentials receipts must carry, if any.
async fn bind<H: ReceiptHandler>(
    serve: &ServeArgs,
    receiver: Receiver<H>,
    credentials: Option<ReceiptCredentials>,
) -> Result<generated_client::csoft::receipts::RunningReceiver, Failure> {
    let mut receiver = receiver.body_limit(serve.body_limit);
    if let Some(credentials) = credentials {
        receiver = receiver.credentials(credentials);
    }
    receiver
        .bind(serve.bind)
        .await
        .map_err(|e| Failure::other(format!("cannot listen on {}: {e}", serve.bind)))
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
