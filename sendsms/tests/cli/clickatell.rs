//! `sendsms --vendor clickatell` against an in-process simulator, and `sendsms simulate`
//! serving Clickatell's API beside Connection Software's.

use std::ops::Deref;
use std::process::Command;
use std::time::Duration;

use generated_client::clickatell::simulated::{Account, ErrorReply, PATH};
use generated_client::simulator::SimulatorConfig;

use crate::common::{self, run, Servers};

const API_ID: &str = "3210987";
const USER: &str = "ANOther";
const PASSWORD: &str = "s3cret";
const BLOCKED: &str = "447700900666";

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
        let mut config = SimulatorConfig::default();
        config.clickatell.accounts = vec![Account::new(API_ID.parse().unwrap(), USER, PASSWORD)];
        config.clickatell.number_errors = [(
            BLOCKED.to_owned(),
            ErrorReply::new(121, "Destination mobile number blocked"),
        )]
        .into();
        Self(Servers::start(config))
    }

    /// `sendsms --vendor clickatell` pointed at both listeners, with credentials.
    fn sendsms(&self, args: &[&str]) -> Command {
        let mut command = sendsms(&["--vendor", "clickatell"]);
        command.args([
            "--primary",
            &self.primary.url(PATH),
            "--secondary",
            &self.secondary.url(PATH),
            "--api-id",
            API_ID,
            "--username",
            USER,
            "--password",
            PASSWORD,
        ]);
        command.args(args);
        command
    }
}

/// The binary with a clean environment and a short timeout.
fn sendsms(args: &[&str]) -> Command {
    let mut command = common::sendsms(args);
    command.args(["--timeout", "5"]);
    command
}

/// The columns of an output line: number, message id, code, the gateway's text.
fn columns(line: &str) -> (&str, &str, &str, &str) {
    let mut parts = line.splitn(4, ' ');
    let mut next = || parts.next().unwrap_or_default();
    (next(), next(), next(), next())
}

#[test]
fn a_send_prints_one_line_per_recipient_and_exits_0() {
    let gateway = Gateway::start();
    let ran = run(&mut gateway.sendsms(&[
        "send",
        "--to",
        "447700900001,+44 7700 900002",
        "--text",
        "Hello",
    ]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", ran.stdout);
    for (line, number) in lines.iter().zip(["447700900001", "447700900002"]) {
        let (to, id, code, text) = columns(line);
        assert_eq!((to, code), (number, "ID"), "{line}");
        assert_eq!(id.len(), 32, "{line}");
        assert_eq!(text, format!("ID: {id} To: {number}"));
    }
    let clickatell = gateway.clickatell();
    assert_eq!(clickatell.deliveries_to("447700900002"), 1);
    assert_eq!(gateway.primary.request_count("auth"), 1);
    assert_eq!(gateway.primary.request_count("sendmsg"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    // Nothing went to the Connection Software side.
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 0);
}

#[test]
fn an_error_answer_is_exit_1_with_its_code_and_json_types_it() {
    let gateway = Gateway::start();
    let ran = run(&mut gateway.sendsms(&["send", "--to", BLOCKED, "--text", "Hello"]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        format!("{BLOCKED} - 121 ERR: 121, Destination mobile number blocked\n")
    );

    let ran = run(&mut gateway.sendsms(&[
        "send",
        "--to",
        &format!("447700900001,{BLOCKED}"),
        "--text",
        "Hello",
        "--json",
    ]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let lines: Vec<serde_json::Value> = ran
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines[0]["report"], serde_json::Value::Null);
    assert_eq!(lines[0]["class"], "accepted");
    assert_eq!(lines[1]["report"], 121);
    assert_eq!(lines[1]["class"], "rejected");
    assert_eq!(lines[1]["recipient"], BLOCKED);
    assert_eq!(
        gateway.simulator.request_count("sendmsg"),
        2,
        "never resent"
    );
}

#[test]
fn credit_and_refused_logins() {
    let gateway = Gateway::start();
    run(&mut gateway.sendsms(&["send", "--to", "447700900001", "--text", "Hi"]));
    let ran = run(&mut gateway.sendsms(&["credit"]));
    assert_eq!(
        (ran.code, ran.stdout.as_str()),
        (0, "9 credits\n"),
        "{}",
        ran.stderr
    );

    // A wrong password: `auth` answers 001, the answer for every recipient; nothing is sent.
    let ran = run(sendsms(&[
        "--vendor",
        "clickatell",
        "send",
        "--to",
        "447700900001,447700900002",
    ])
    .args(["--text", "Hi", "--primary", &gateway.primary.url(PATH)])
    .args([
        "--api-id",
        API_ID,
        "--username",
        USER,
        "--password",
        "wrong",
    ]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        "447700900001 - 001 ERR: 001, Authentication failed\n\
         447700900002 - 001 ERR: 001, Authentication failed\n"
    );
    assert_eq!(gateway.simulator.request_count("sendmsg"), 1);
}

#[test]
fn settings_come_from_the_environment_too() {
    let gateway = Gateway::start();
    let ran = run(
        sendsms(&["send", "--to", "447700900001", "--text", "Hi"]).envs([
            ("SENDSMS_VENDOR", "clickatell"),
            ("SENDSMS_PRIMARY", &gateway.primary.url(PATH)),
            ("SENDSMS_API_ID", API_ID),
            ("SENDSMS_USERNAME", USER),
            ("SENDSMS_PASSWORD", PASSWORD),
        ]),
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(gateway.clickatell().deliveries_to("447700900001"), 1);
}

#[test]
fn usage_errors_send_nothing() {
    let gateway = Gateway::start();
    // No api_id.
    let ran = run(sendsms(&[
        "--vendor",
        "clickatell",
        "send",
        "--to",
        "447700900001",
        "--text",
        "Hi",
    ])
    .args(["--primary", &gateway.primary.url(PATH)])
    .args(["--username", USER, "--password", PASSWORD]));
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("--api-id"), "{}", ran.stderr);
    // Connection Software's message options, which Clickatell does not offer.
    for (option, value) in [("--reply-to", "x"), ("--delivery", "economy")] {
        let ran = run(&mut gateway.sendsms(&[
            "send",
            "--to",
            "447700900001",
            "--text",
            "Hi",
            option,
            value,
        ]));
        assert_eq!(ran.code, 2, "{option}: {}", ran.stderr);
        assert!(
            ran.stderr.contains(&format!(
                "{option} is not an option of Clickatell (--vendor clickatell)"
            )),
            "{}",
            ran.stderr
        );
    }
    // A Connection Software query.
    let ran = run(&mut gateway.sendsms(&["messages"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains("Clickatell has no command messages: it is another vendor's"),
        "{}",
        ran.stderr
    );
    assert_eq!(gateway.primary.total_requests(), 0);
}

#[test]
fn no_gateway_to_log_in_to_is_exit_3_and_nothing_sent() {
    // Nothing listens on port 9: the login cannot reach anyone.
    let ran = run(&mut sendsms(&[
        "--vendor",
        "clickatell",
        "--primary",
        "http://127.0.0.1:9/soap/webservice.php",
        "--api-id",
        API_ID,
        "--username",
        USER,
        "--password",
        PASSWORD,
        "send",
        "--to",
        "447700900001",
        "--text",
        "Hi",
    ]));
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert_eq!(ran.stdout, "447700900001 - - not sent\n");
    assert!(
        ran.stderr
            .contains("nothing sent: could not log in to Clickatell"),
        "{}",
        ran.stderr
    );
}

#[test]
fn simulate_serves_clickatell_beside_connection_software() {
    let (mut simulate, received) =
        common::spawn_simulate(&mut sendsms(&["simulate", "--bind", "127.0.0.1:0"]));
    let next = || received.recv_timeout(Duration::from_secs(10)).ok();
    let mut command = None;
    for line in common::banner(&received, Duration::from_secs(10)) {
        if line.starts_with("sendsms --vendor clickatell ") {
            command = Some(line);
        }
    }
    let command = command.expect("the banner shows a Clickatell command");

    // The command as printed (but for the program's path) sends through the simulator.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let ran = run(&mut sendsms(&args));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.starts_with("447700900001 "), "{}", ran.stdout);
    let args: Vec<&str> = args
        .iter()
        .map(|a| {
            if *a == "447700900001" {
                "447700900666"
            } else {
                a
            }
        })
        .collect();
    let ran = run(&mut sendsms(&args));
    assert_eq!(ran.code, 1, "the demo's blocked number: {}", ran.stdout);

    common::interrupt(&mut simulate);
    // Each command is a client of its own, so each logged in: auth and sendmsg, twice.
    let rest: Vec<String> = std::iter::from_fn(next).collect();
    assert_eq!(rest, ["Stopped after 4 request(s) on the primary."]);
}
