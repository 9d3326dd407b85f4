//! The `sendsms` binary, Connection Software's vendor (the default), against an in-process
//! simulator: output lines, JSON, exit statuses, and `sendsms simulate` itself.

use std::ops::Deref;
use std::process::Command;
use std::time::Duration;

use generated_client::csoft::simulated::{Account, Report, PATH};
use generated_client::simulator::{Failure, Repeat, SimulatorConfig};

use crate::common::{self, dec, run, Ran, Servers};

const USER: &str = "ANOther.61234";
const PIN: &str = "123456";
const BARRED: &str = "447700900666";

/// The simulated servers, with the command pointed at them.
struct Gateway(Servers);

impl Deref for Gateway {
    type Target = Servers;

    fn deref(&self) -> &Servers {
        &self.0
    }
}

impl Gateway {
    fn start() -> Self {
        let mut account = Account::new(USER, PIN);
        account.credit = dec("50.00");
        account.permitted_reply_to = vec!["447700900123".to_owned()];
        let mut config = SimulatorConfig::default();
        config.csoft.accounts = vec![account];
        config.csoft.number_reports = [(BARRED.to_owned(), Report::new(8, "Blacklisted"))].into();
        Self(Servers::start(config))
    }

    /// `sendsms` pointed at both listeners, with credentials.
    fn sendsms(&self, args: &[&str]) -> Command {
        let mut command = self.without_credentials(args);
        command.args(["--username", USER, "--pin", PIN]);
        command
    }

    fn without_credentials(&self, args: &[&str]) -> Command {
        let mut command = sendsms(args);
        command.args([
            "--primary",
            &self.primary.url(PATH),
            "--secondary",
            &self.secondary.url(PATH),
        ]);
        command
    }

    fn requests(&self) -> u64 {
        self.primary.total_requests() + self.secondary.total_requests()
    }
}

/// The binary with a clean environment and a short timeout.
fn sendsms(args: &[&str]) -> Command {
    let mut command = common::sendsms(args);
    command.args(["--timeout", "5"]);
    command
}

fn send(gateway: &Gateway, to: &str, extra: &[&str]) -> Ran {
    let mut args = vec!["send", "--to", to, "--text", "Hello"];
    args.extend_from_slice(extra);
    run(&mut gateway.sendsms(&args))
}

#[test]
fn a_send_prints_one_line_per_recipient_and_exits_0() {
    let gateway = Gateway::start();
    let ran = send(&gateway, "447700900001,+44 7700 900002", &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let answered = &gateway.csoft().submissions(None)[0].recipients;
    let lines = ran.lines();
    assert_eq!(lines.len(), 2, "{}", ran.stdout);
    for (line, answer) in lines.iter().zip(answered) {
        assert_eq!(
            *line,
            format!(
                "{} {} -2 Accepted: message queued",
                answer.number, answer.message_identifier
            )
        );
    }
    assert_eq!(answered[1].number, "447700900002", "normalised");
    assert_eq!(gateway.primary.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
}

#[test]
fn json_lines_carry_every_field() {
    let gateway = Gateway::start();
    // Credentials from the environment this time.
    let ran = run(gateway
        .without_credentials(&[
            "send",
            "--to",
            &format!("447700900001,{BARRED}"),
            "--flash",
            "Hi",
            "--json",
        ])
        .env("SENDSMS_USERNAME", USER)
        .env("SENDSMS_PIN", PIN));
    assert_eq!(ran.code, 1, "a rejected recipient: {}", ran.stderr);
    let objects: Vec<serde_json::Value> = ran
        .lines()
        .iter()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(objects.len(), 2);
    let ids: Vec<_> = gateway.csoft().submissions(None)[0]
        .recipients
        .iter()
        .map(|r| r.message_identifier.clone())
        .collect();
    assert_eq!(
        objects[0],
        serde_json::json!({
            "recipient": "447700900001",
            "message_id": ids[0],
            "report": -2,
            "class": "accepted",
            "text": "Accepted: message queued",
        })
    );
    assert_eq!(
        objects[1],
        serde_json::json!({
            "recipient": BARRED,
            "message_id": ids[1],
            "report": 8,
            "class": "rejected",
            "text": "Blacklisted",
        })
    );
}

#[test]
fn a_rejected_number_exits_1() {
    let gateway = Gateway::start();
    let ran = send(&gateway, &format!("447700900001,{BARRED}"), &[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let lines = ran.lines();
    assert!(lines[0].contains(" -2 "), "{}", ran.stdout);
    assert!(
        lines[1].starts_with(BARRED) && lines[1].ends_with(" 8 Blacklisted"),
        "{}",
        ran.stdout
    );
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
}

#[test]
fn a_wrong_pin_exits_1_after_one_request() {
    let gateway = Gateway::start();
    let ran = run(&mut gateway.without_credentials(&[
        "send",
        "--to",
        "447700900001",
        "--text",
        "Hello",
        "--username",
        USER,
        "--pin",
        "000000",
    ]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stdout.contains(" 2 Invalid login"), "{}", ran.stdout);
    assert_eq!(gateway.requests(), 1);
}

#[test]
fn a_bad_number_exits_2_and_sends_nothing() {
    let gateway = Gateway::start();
    let ran = send(&gateway, "447700900001,07700900002", &[]);
    assert_eq!(ran.code, 2);
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    assert!(ran.stderr.contains("07700900002"), "{}", ran.stderr);
    assert!(ran.stderr.contains("nothing sent"), "{}", ran.stderr);
    assert_eq!(gateway.requests(), 0);
    assert_eq!(gateway.primary.connections_accepted(), 0);
}

#[test]
fn invalid_options_exit_2_and_send_nothing() {
    let gateway = Gateway::start();
    for extra in [
        &["--delay", "0"][..],
        &["--delay", "10081"],
        &["--at", "2020-01-01T00:00:00Z"],
        &["--delivery", "express"],
        &["--no-such-option"],
    ] {
        let ran = send(&gateway, "447700900001", extra);
        assert_eq!(ran.code, 2, "{extra:?}: {}", ran.stderr);
    }
    let ran = run(&mut gateway.sendsms(&["send", "--to", "447700900001", "--text", ""]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let ran = run(&mut gateway.sendsms(&["send", "--to", "447700900001"]));
    assert_eq!(ran.code, 2, "neither --text nor --flash: {}", ran.stderr);
    assert_eq!(gateway.requests(), 0);
}

#[test]
fn missing_credentials_exit_2() {
    let gateway = Gateway::start();
    let ran =
        run(&mut gateway.without_credentials(&["send", "--to", "447700900001", "--text", "Hello"]));
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("SENDSMS_USERNAME"), "{}", ran.stderr);
    let ran = run(gateway
        .without_credentials(&["credit"])
        .args(["--username", USER]));
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("SENDSMS_PIN"), "{}", ran.stderr);
    assert_eq!(gateway.requests(), 0);
}

#[test]
fn no_endpoint_reachable_exits_3() {
    let gateway = Gateway::start();
    gateway.runtime.block_on(async {
        gateway.primary.refuse_connections().await.unwrap();
        gateway.secondary.refuse_connections().await.unwrap();
    });
    let ran = send(&gateway, "447700900001", &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert_eq!(ran.stdout, "447700900001 - - not sent\n");
    assert!(ran.stderr.contains("nothing sent"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&gateway.primary.url(PATH)),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains(&gateway.secondary.url(PATH)),
        "{}",
        ran.stderr
    );
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 0);

    let ran = run(&mut gateway.sendsms(&["credit"]));
    assert_eq!(ran.code, 3, "{}", ran.stderr);
}

#[test]
fn a_dropped_connection_exits_4_and_is_not_resent() {
    let gateway = Gateway::start();
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    let ran = send(&gateway, "447700900001", &["--json"]);
    assert_eq!(ran.code, 4, "{}", ran.stderr);
    assert!(ran.stderr.contains("outcome unknown"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&gateway.primary.url(PATH)),
        "{}",
        ran.stderr
    );
    let line: serde_json::Value = serde_json::from_str(ran.stdout.trim()).unwrap();
    assert_eq!(line["recipient"], "447700900001");
    assert_eq!(line["class"], "unknown");
    assert!(line["report"].is_null());
    assert_eq!(gateway.primary.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[test]
fn a_refusing_primary_fails_over_to_the_secondary() {
    let gateway = Gateway::start();
    gateway
        .runtime
        .block_on(gateway.primary.refuse_connections())
        .unwrap();
    let ran = send(&gateway, "447700900001", &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("unreachable"), "logged: {}", ran.stderr);
    assert_eq!(gateway.secondary.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[test]
fn numbers_from_a_file_go_in_two_requests_in_order() {
    let gateway = Gateway::start();
    let numbers: Vec<String> = (0..400)
        .map(|i| format!("4477009{:05}", 20_000 + i))
        .collect();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sendsms-numbers-{}.txt", std::process::id()));
    // Blank lines and spaces around numbers are allowed.
    std::fs::write(&path, format!("{}\n\n", numbers.join("\n  "))).unwrap();
    let ran = send(&gateway, &format!("@{}", path.display()), &[]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let printed: Vec<&str> = ran
        .lines()
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(printed, numbers);
    assert_eq!(gateway.primary.request_count("SubmitMessage"), 2);
    let sizes: Vec<usize> = gateway
        .csoft()
        .submissions(None)
        .iter()
        .map(|s| s.recipients.len())
        .collect();
    assert_eq!(sizes, [350, 50]);

    let ran = send(&gateway, "@/nonexistent/numbers.txt", &[]);
    assert_eq!(ran.code, 2);
}

#[test]
fn account_queries_print_their_answers() {
    let gateway = Gateway::start();
    gateway.csoft().set_credit(USER, dec("2.8950"));
    let ran = run(&mut gateway.sendsms(&["credit"]));
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "2.8950 GBP\n"));
    let ran = run(&mut gateway.sendsms(&["messages"]));
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "57\n"));
    let ran = run(&mut gateway.sendsms(&["reply-to"]));
    assert_eq!(
        (ran.code, ran.stdout.as_str()),
        (0, "447700900123\ncsoft.co.uk\n")
    );
    // A query with a wrong login is refused by the gateway (a SOAP fault): status 1.
    let ran =
        run(gateway
            .without_credentials(&["credit"])
            .args(["--username", USER, "--pin", "000000"]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("Invalid login"), "{}", ran.stderr);
}

#[test]
fn proxies_from_the_environment_are_not_used_for_loopback() {
    let gateway = Gateway::start();
    let mut command = gateway.sendsms(&["credit"]);
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        // Nothing listens there: a request through it would fail.
        command.env(name, "http://127.0.0.1:9");
    }
    let ran = run(&mut command);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(gateway.primary.request_count("AvailableCredit"), 1);
}

#[test]
fn simulate_serves_the_demo_account_until_interrupted() {
    let (mut simulate, received) = common::spawn_simulate(&mut sendsms(&[
        "simulate",
        "--bind",
        "127.0.0.1:0",
        "--secondary-bind",
        "127.0.0.1:0",
    ]));
    let next = || received.recv_timeout(Duration::from_secs(10)).ok();
    let mut env = Vec::new();
    for line in common::banner(&received, Duration::from_secs(10)) {
        if let Some(setting) = line.strip_prefix("export ") {
            let (name, value) = setting.split_once('=').unwrap();
            env.push((name.to_owned(), value.to_owned()));
        }
    }
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "SENDSMS_PRIMARY",
            "SENDSMS_SECONDARY",
            "SENDSMS_USERNAME",
            "SENDSMS_PIN"
        ]
    );
    assert_eq!(env[2].1, "demo");
    assert_eq!(env[3].1, "demo1234");

    // The pasted settings are all `sendsms` needs.
    let ran = run(sendsms(&["send", "--to", "447700900001", "--text", "Hi"]).envs(env.clone()));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let ran = run(sendsms(&["send", "--to", BARRED, "--text", "Hi"]).envs(env.clone()));
    assert_eq!(ran.code, 1, "the demo's blacklisted number: {}", ran.stdout);
    let ran = run(sendsms(&["credit"]).envs(env.clone()));
    assert_eq!(ran.stdout, "9.9500 GBP\n");

    let status = common::interrupt(&mut simulate);
    assert!(status.success(), "a clean shutdown: {status}");
    let rest: Vec<String> = std::iter::from_fn(next).collect();
    assert_eq!(
        rest,
        ["Stopped after 3 request(s) on the primary, 0 on the secondary."]
    );
}

#[test]
fn simulate_serves_loopback_only() {
    let ran = run(&mut sendsms(&["simulate", "--bind", "0.0.0.0:0"]));
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("loopback"), "{}", ran.stderr);
}

#[test]
fn simulate_takes_each_vendors_configuration_from_a_file() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sendsms-simulate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    let simulate = || {
        sendsms(&[
            "simulate",
            "--bind",
            "127.0.0.1:0",
            "--config",
            path.to_str().unwrap(),
        ])
    };
    std::fs::write(
        &path,
        r#"{ "csoft": { "accounts": [{ "username": "u", "pin": "p", "credit": "2.8950" }] } }"#,
    )
    .unwrap();
    let (mut serving, received) = common::spawn_simulate(&mut simulate());
    let banner = common::banner(&received, Duration::from_secs(10));
    assert!(
        banner.contains(
            &"  account:   Username u, PIN p, credit 2.8950 GBP (0.05 a message)".to_owned()
        ),
        "{banner:#?}"
    );
    assert!(
        banner.contains(&"export SENDSMS_USERNAME=u".to_owned()),
        "{banner:#?}"
    );
    // The file replaces the demo: the other vendors have no accounts, so nothing to show.
    assert!(
        !banner.iter().any(|l| l.contains("Clickatell")),
        "{banner:#?}"
    );
    assert!(common::interrupt(&mut serving).success());

    // A misspelt member, a vendor there is none of, a missing file: usage errors.
    for (json, named) in [
        (r#"{ "csoft": { "acounts": [] } }"#, "acounts"),
        (r#"{ "tinysms": {} }"#, "tinysms"),
    ] {
        std::fs::write(&path, json).unwrap();
        let ran = run(&mut simulate());
        assert_eq!(ran.code, 2, "{json}: {}", ran.stderr);
        assert!(ran.stderr.contains(named), "{json}: {}", ran.stderr);
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let ran = run(&mut simulate());
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("config.json"), "{}", ran.stderr);

    // Receipts go to an HTTP URL only.
    let ran = run(&mut sendsms(&[
        "simulate",
        "--bind",
        "127.0.0.1:0",
        "--receipts-to",
        "ftp://127.0.0.1/",
    ]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("ftp://"), "{}", ran.stderr);
}
