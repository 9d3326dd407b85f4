//! The loop closed on loopback: a message sent to the simulator comes back as a delivery
//! receipt to a receiver, in process and as the README's three `sendsms` commands.
#![cfg(all(feature = "simulator", feature = "receipts"))]

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{lines, loopback, spawn_simulate, url_in, Running};
use generated_client::receipts::{DeliveryReceipt, ReceiptCredentials, Receiver, Rejection};
use generated_client::simulator::{
    Account, PostedReceipt, ReceiptTarget, Report, Simulator, SimulatorConfig,
};
use generated_client::{Client, Credentials, Message, ReportClass, ReportCode};

const USER: &str = "ANOther.61234";
const PIN: &str = "s3cretPIN";
const BARRED: &str = "447700900666";

/// A simulator whose account posts receipts to `target`.
fn simulator(target: ReceiptTarget) -> Simulator {
    let mut account = Account::new(USER, PIN);
    account.delivery_receipts = Some(target);
    Simulator::new(SimulatorConfig {
        accounts: vec![account],
        number_reports: [(BARRED.to_owned(), Report::new(8, "Blacklisted"))].into(),
        ..SimulatorConfig::default()
    })
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
        let posted = simulator.delivery_receipts();
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

    let report = client(gateway.url())
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
    client(gateway.url())
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
    client(gateway.url())
        .send(&Message::text("hello", ["447700900001"]))
        .await
        .unwrap();
    let posted = finished(&simulator, 1).await;
    assert!(!posted[0].acknowledged, "{posted:?}");
    assert_eq!((posted[0].attempts, posted[0].answer), (3, Some(2)));
}

fn simulator_with_retries(url: &str) -> Simulator {
    simulator(ReceiptTarget {
        retry_ms: 20,
        ..ReceiptTarget::new(url)
    })
}

fn sendsms(args: &[&str]) -> Command {
    common::sendsms_without(
        &[
            "SENDSMS_PRIMARY",
            "SENDSMS_SECONDARY",
            "SENDSMS_USERNAME",
            "SENDSMS_PIN",
            "SENDSMS_API",
            "RUST_LOG",
        ],
        args,
    )
}

#[test]
fn the_three_command_demo_closes_the_loop() {
    let wait = Duration::from_secs(10);
    // 1. The receiver.
    let mut serve = sendsms(&["receipts", "serve", "--bind", "127.0.0.1:0"]);
    let mut serve = Running(
        serve
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let receipts = lines(serve.0.stdout.take().unwrap());
    let banner = lines(serve.0.stderr.take().unwrap())
        .recv_timeout(wait)
        .unwrap();
    let url = url_in(&banner).to_owned();

    // 2. The simulator, posting receipts there.
    let (simulate, banner) = spawn_simulate(&mut sendsms(&[
        "simulate",
        "--bind",
        "127.0.0.1:0",
        "--receipts-to",
        &url,
    ]));
    let mut env = Vec::new();
    let mut receipts_line = None;
    for line in common::banner(&banner, wait) {
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|s| s.split_once('=')) {
            env.push((name.to_owned(), value.to_owned()));
        }
        if line.trim_start().starts_with("receipts:") {
            receipts_line = Some(line);
        }
    }
    let receipts_line = receipts_line.expect("the banner names the receipt URL");
    assert!(receipts_line.contains(&url), "{receipts_line}");

    // 3. A send.
    let sent = sendsms(&["send", "--to", "447700900001", "--text", "Hello"])
        .envs(
            env.iter()
                .filter(|(name, _)| name.starts_with("SENDSMS_"))
                .cloned(),
        )
        .output()
        .unwrap();
    assert!(sent.status.success(), "{sent:?}");
    let stdout = String::from_utf8(sent.stdout).unwrap();
    let message_id = stdout.split_whitespace().nth(1).unwrap().to_owned();

    let receipt = receipts.recv_timeout(wait).expect("the receipt arrives");
    let receipt: serde_json::Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(receipt["message_id"], message_id.as_str());
    assert_eq!(receipt["sent_to"], "447700900001");
    assert_eq!(receipt["report"], 0);
    assert_eq!(receipt["class"], "delivered");
    drop(simulate);
    drop(serve);
}
