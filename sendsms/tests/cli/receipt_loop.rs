//! The loop closed on loopback as the README's three `sendsms` commands: a receipt receiver,
//! the simulator posting receipts to it, and a send whose receipt comes back. The same loop in
//! process is tested in generated-client's `tests/integration/receipt_loop.rs`.

use std::process::Stdio;
use std::time::Duration;

use crate::common::{self, lines, sendsms, spawn_simulate, url_in, Running};

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
