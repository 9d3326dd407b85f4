//! `sendsms receipts serve`: Connection Software's delivery receipts, one JSON line each.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use generated_client::csoft::receipts::{DeliveryReceipt, ReceiptCredentials, Receiver, Rejection};

use crate::cli::ServeArgs;
use crate::{stop_signal, Failure};

/// Serves the receipt URL until Ctrl-C (or SIGTERM).
pub(crate) async fn serve(serve: ServeArgs) -> Result<u8, Failure> {
    let credentials = match &serve.credentials {
        Some((username, pin)) => Some(
            ReceiptCredentials::new(username.clone(), pin.clone())
                .map_err(|e| Failure::usage(e.to_string()))?,
        ),
        None => None,
    };
    // Watched before the address is printed, as for `simulate`.
    let stop =
        stop_signal().map_err(|e| Failure::other(format!("cannot watch for Ctrl-C: {e}")))?;
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
    let running = receiver
        .bind(serve.bind)
        .await
        .map_err(|e| Failure::other(format!("cannot listen on {}: {e}", serve.bind)))?;
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
