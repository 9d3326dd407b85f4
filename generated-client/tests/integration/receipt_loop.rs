//! The loop closed on loopback, in process: a message sent to the simulator comes back as a
//! delivery receipt to a [`Receiver`]. The README's three `sendsms` commands that do the same
//! are tested in `sendsms/tests/cli/receipt_loop.rs`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use generated_client::core::ReportClass;
use generated_client::csoft::receipts::{DeliveryReceipt, ReceiptCredentials, Receiver, Rejection};
use generated_client::csoft::simulated::{Account, PostedReceipt, ReceiptTarget, Report, PATH};
use generated_client::csoft::{Client, Credentials, Message, ReportCode};
use generated_client::simulator::{Simulator, SimulatorConfig};

use crate::common::loopback;

const USER: &str = "ANOther.61234";
const PIN: &str = "s3cretPIN";
const BARRED: &str = "447700900666";

/// A simulator whose account posts receipts to `target`.
fn simulator(target: ReceiptTarget) -> Simulator {
    let mut account = Account::new(USER, PIN);
    account.delivery_receipts = Some(target);
    let mut config = SimulatorConfig::default();
    config.csoft.accounts = vec![account];
    config.csoft.number_reports = [(BARRED.to_owned(), Report::new(8, "Blacklisted"))].into();
    Simulator::new(config)
}

fn client(url: String) -> Client {
    Client::builder(Credentials::new(USER, PIN).unwrap())
        .endpoints(vec![url])
        .build()
        .unwrap()
}

/// Waits until the simulator is done with `count` receipts.
async fn finished(simulator: &Simulator, count: usize) -> Vec<PostedReceipt> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let posted = simulator.gateways().csoft().delivery_receipts();
        if posted.len() >= count && posted.iter().all(|p| p.finished) {
            return posted;
        }
        assert!(Instant::now() < deadline, "receipts not done: {posted:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_message_comes_back_as_its_delivery_receipt() {
    let received = Arc::new(Mutex::new(Vec::<DeliveryReceipt>::new()));
    let record = Arc::clone(&received);
    let receiver = Receiver::new(move |receipt| {
        record.lock().unwrap().push(receipt);
        async { Ok::<(), Rejection>(()) }
    })
    .bind(loopback())
    .await
    .unwrap();
    let simulator = simulator(ReceiptTarget::new(receiver.url()));
    let gateway = simulator.start(loopback()).await.unwrap();

    let report = client(gateway.url(PATH))
        .send(&Message::text("hello", ["447700900001", BARRED]))
        .await
        .unwrap();
    let posted = finished(&simulator, 1).await;

    // The rejected number gets no receipt; the accepted one gets one, for its identifier.
    let sent = report.get(0).unwrap();
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(
        posted[0].acknowledged && posted[0].attempts == 1,
        "{posted:?}"
    );
    assert_eq!(posted[0].answer, Some(0));
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].message_id, sent.message_id);
    assert_eq!(received[0].sent_to, "447700900001");
    assert_eq!(received[0].report, ReportCode::Delivered);
    assert_eq!(received[0].class, ReportClass::Delivered);
    assert!(chrono::Utc::now() - received[0].timestamp < chrono::TimeDelta::minutes(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_that_was_not_taken_is_kept_and_posted_again() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    // The handler's storage fails once.
    let receiver = Receiver::new(move |_receipt| {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if call == 0 {
                Err(Rejection::catch_all().with_text("storage busy"))
            } else {
                Ok(())
            }
        }
    })
    .bind(loopback())
    .await
    .unwrap();
    let simulator = simulator_with_retries(&receiver.url());
    let gateway = simulator.start(loopback()).await.unwrap();
    client(gateway.url(PATH))
        .send(&Message::text("hello", ["447700900001"]))
        .await
        .unwrap();
    let posted = finished(&simulator, 1).await;
    assert!(posted[0].acknowledged, "{posted:?}");
    assert_eq!(posted[0].attempts, 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A receiver that wants credentials the gateway does not send: answered 2 every time,
    // never taken, given up after the attempts.
    let guarded = Receiver::new(|_receipt| async { Ok::<(), Rejection>(()) })
        .credentials(ReceiptCredentials::new("receipts", "s3cret").unwrap())
        .bind(loopback())
        .await
        .unwrap();
    let simulator = simulator_with_retries(&guarded.url());
    let gateway = simulator.start(loopback()).await.unwrap();
    client(gateway.url(PATH))
        .send(&Message::text("hello", ["447700900001"]))
        .await
        .unwrap();
    let posted = finished(&simulator, 1).await;
    assert!(!posted[0].acknowledged, "{posted:?}");
    assert_eq!((posted[0].attempts, posted[0].answer), (3, Some(2)));
}

fn simulator_with_retries(url: &str) -> Simulator {
    let mut target = ReceiptTarget::new(url);
    target.retry_ms = 20;
    simulator(target)
}
