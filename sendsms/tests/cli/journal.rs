//! `sendsms send --journal`, `sendsms status` and `sendsms receipts serve --store` against an
//! in-process simulator: a campaign killed with SIGKILL and run again sends no number twice
//! and accounts for every number (SQLite, and PostgreSQL with two workers); receipts stored
//! and shown as delivered, and kept by the gateway while the store fails; recipient lists
//! refused with their bad lines, duplicates sent once.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use generated_client::csoft::simulated::{Account, ReceiptTarget, PATH};
use generated_client::simulator::{Failure, Repeat, SimulatorConfig};

use crate::common::{self, dec, lines, run, Ran, Running, Servers};

const USER: &str = "ANOther.61234";
const PIN: &str = "123456";

/// The simulated servers, with the command pointed at them, and a folder for the test's
/// journals and lists.
struct Gateway {
    servers: Servers,
    dir: PathBuf,
}

impl Deref for Gateway {
    type Target = Servers;

    fn deref(&self) -> &Servers {
        &self.servers
    }
}

static FOLDERS: AtomicU32 = AtomicU32::new(0);

/// A folder of its own for a test's journals and lists (removed with its [`Gateway`]).
fn folder() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "sendsms-journal-{}-{}",
        std::process::id(),
        FOLDERS.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Gateway {
    fn start() -> Self {
        Self::with_receipts(None, folder())
    }

    /// A gateway that posts delivery receipts to `receipts`, its files in `dir`.
    fn with_receipts(receipts: Option<ReceiptTarget>, dir: PathBuf) -> Self {
        let mut account = Account::new(USER, PIN);
        account.credit = dec("100000");
        account.delivery_receipts = receipts;
        let mut config = SimulatorConfig::default();
        config.csoft.accounts = vec![account];
        Self {
            servers: Servers::start(config),
            dir,
        }
    }

    /// `sendsms` pointed at both listeners, with credentials.
    fn sendsms(&self, args: &[&str]) -> Command {
        let mut command = common::sendsms(&["--timeout", "5"]);
        command.args([
            "--primary",
            &self.primary.url(PATH),
            "--secondary",
            &self.secondary.url(PATH),
            "--username",
            USER,
            "--pin",
            PIN,
        ]);
        command.args(args);
        command
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// A list of `count` numbers in a file; its path and the numbers.
    fn list(&self, name: &str, count: usize) -> (String, Vec<String>) {
        let numbers: Vec<String> = (0..count).map(|i| format!("4477009{i:05}")).collect();
        let path = self.path(name);
        std::fs::write(&path, numbers.join("\n") + "\n").unwrap();
        (path, numbers)
    }

    /// How many times the gateway received each number, over every listener and run.
    fn received(&self) -> HashMap<String, usize> {
        let mut received = HashMap::new();
        for submission in self.csoft().submissions(None) {
            for recipient in submission.recipients {
                *received.entry(recipient.number).or_default() += 1;
            }
        }
        received
    }

    fn requests(&self) -> u64 {
        self.primary.total_requests() + self.secondary.total_requests()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `sendsms send --to @LIST --text Hello --journal JOURNAL` and `extra`.
fn send_args<'a>(list: &'a str, journal: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut args = vec![
        "send".to_owned(),
        "--to".to_owned(),
        format!("@{list}"),
        "--text".to_owned(),
        "Hello".to_owned(),
        "--journal".to_owned(),
        journal.to_owned(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Checks that `output` holds `text`.
fn says(output: &str, text: &str) {
    assert!(output.contains(text), "{text:?} not in: {output}");
}

/// Every recipient of `sendsms status --json`: number → class.
fn status(gateway: &Gateway, journal: &[&str]) -> HashMap<String, String> {
    let mut args = vec!["status", "--json", "--journal"];
    args.extend_from_slice(journal);
    let ran = run(&mut gateway.sendsms(&args));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut classes = HashMap::new();
    for line in ran.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if value.get("summary").is_some() {
            continue;
        }
        let number = value["recipient"].as_str().unwrap().to_owned();
        let class = value["class"].as_str().unwrap().to_owned();
        assert!(
            classes.insert(number, class).is_none(),
            "listed twice: {line}"
        );
    }
    classes
}

/// Checks the rule after any crash: every number of the list is in the status, each
/// received at most once, accepted ones exactly once, numbers not sent never.
fn assert_accounted(gateway: &Gateway, numbers: &[String], classes: &HashMap<String, String>) {
    let received = gateway.received();
    assert_eq!(classes.len(), numbers.len());
    for number in numbers {
        let times = received.get(number).copied().unwrap_or(0);
        assert!(times <= 1, "{number} received {times} times");
        match classes.get(number).map(String::as_str) {
            Some("accepted") => assert_eq!(times, 1, "{number} accepted"),
            Some("not_sent") => assert_eq!(times, 0, "{number} not sent"),
            Some("unknown") => {}
            other => panic!("{number}: {other:?}"),
        }
    }
}

/// Waits until the simulator has received `requests` SubmitMessages.
fn wait_for_requests(gateway: &Gateway, requests: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while gateway.csoft().submissions(None).len() < requests {
        assert!(
            Instant::now() < deadline,
            "the simulator got too few requests"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn spawn(command: &mut Command) -> Running {
    Running(
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sendsms starts"),
    )
}

/// Kills with SIGKILL, as a crash would.
fn kill(child: &mut Running) {
    child.0.kill().unwrap();
    child.0.wait().unwrap();
}

#[test]
fn a_campaign_killed_mid_send_is_resumed_without_sending_any_number_twice() {
    let gateway = Gateway::start();
    let (list, numbers) = gateway.list("numbers.txt", 12 * 350);
    let journal = gateway.path("journal.db");
    // Slow answers, so that requests are in flight when the sender is killed.
    gateway.primary.set_failure(
        Failure::Delay(Duration::from_millis(150)),
        Repeat::UntilCleared,
    );
    let args = send_args(&list, &journal, &["--parallel", "4"]);
    let mut sender = spawn(&mut gateway.sendsms(&refs(&args)));
    // Four answered (or about to be), four more carried out and waiting for their answers.
    wait_for_requests(&gateway, 6);
    kill(&mut sender);
    let received_before = gateway.csoft().submissions(None).len();
    assert!(
        received_before < 12,
        "the campaign ended before it was killed"
    );

    gateway.primary.clear_failure();
    let rerun = run(&mut gateway.sendsms(&refs(&args)));
    let classes = status(&gateway, &[&journal]);
    assert_accounted(&gateway, &numbers, &classes);
    let unknown = classes.values().filter(|c| *c == "unknown").count();
    assert!(unknown > 0, "requests were in flight when it was killed");
    assert_eq!(rerun.code, 4, "{}", rerun.stderr);
    says(&rerun.stderr, "outcome unknown");
    says(&rerun.stderr, "--resend-unknown");
    says(&rerun.stdout, &format!("unknown {unknown}"));
    // Everything else was sent by the rerun.
    assert_eq!(classes.values().filter(|c| *c == "not_sent").count(), 0);

    // Again: nothing more is sent, and the unknown ones are still reported.
    let requests = gateway.requests();
    let again = run(&mut gateway.sendsms(&refs(&args)));
    assert_eq!(again.code, 4, "{}", again.stderr);
    assert_eq!(gateway.requests(), requests);
}

#[test]
fn unknown_requests_are_resent_only_when_asked() {
    let gateway = Gateway::start();
    let (list, numbers) = gateway.list("numbers.txt", 400);
    let journal = gateway.path("journal.db");
    // The first request is carried out, and its answer lost.
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    let first = run(&mut gateway.sendsms(&refs(&send_args(&list, &journal, &[]))));
    assert_eq!(first.code, 4, "{}", first.stderr);
    assert!(
        first
            .stderr
            .contains("request 0 (350 recipient(s)): outcome unknown"),
        "{}",
        first.stderr
    );
    // It stopped there: the second request is still to send.
    let classes = status(&gateway, &[&journal]);
    assert_eq!(classes.values().filter(|c| *c == "not_sent").count(), 50);
    assert_accounted(&gateway, &numbers, &classes);

    let rerun = run(&mut gateway.sendsms(&refs(&send_args(&list, &journal, &[]))));
    assert_eq!(rerun.code, 4, "{}", rerun.stderr);
    assert_eq!(gateway.csoft().deliveries_to(&numbers[0]), 1);
    assert_eq!(gateway.csoft().deliveries_to(&numbers[399]), 1);

    let resent =
        run(&mut gateway.sendsms(&refs(&send_args(&list, &journal, &["--resend-unknown"]))));
    assert_eq!(resent.code, 0, "{}", resent.stderr);
    assert_eq!(gateway.csoft().deliveries_to(&numbers[0]), 2);
    assert_eq!(gateway.csoft().deliveries_to(&numbers[399]), 1);
    let classes = status(&gateway, &[&journal]);
    assert!(classes.values().all(|c| c == "accepted"), "{classes:?}");
}

#[test]
fn another_message_or_list_is_refused_unless_a_new_campaign_is_asked_for() {
    let gateway = Gateway::start();
    let (list, _) = gateway.list("numbers.txt", 3);
    let journal = gateway.path("journal.db");
    assert_eq!(
        run(&mut gateway.sendsms(&refs(&send_args(&list, &journal, &[])))).code,
        0
    );
    let mut other = send_args(&list, &journal, &[]);
    other[4] = "Another text".to_owned();
    let refused = run(&mut gateway.sendsms(&refs(&other)));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    says(&refused.stderr, "another message");
    says(&refused.stderr, "--new-campaign");
    assert_eq!(gateway.csoft().submissions(None).len(), 1);
    other.push("--new-campaign".to_owned());
    assert_eq!(run(&mut gateway.sendsms(&refs(&other))).code, 0);
    assert_eq!(gateway.csoft().submissions(None).len(), 2);
}

#[test]
fn an_account_failure_stops_the_campaign_and_a_rerun_sends_the_rest() {
    let gateway = Gateway::start();
    let (list, numbers) = gateway.list("numbers.txt", 1000);
    let journal = gateway.path("journal.db");
    // Credit for 500 messages: the second request is refused part-way, the third whole.
    gateway.csoft().set_credit(USER, dec("25.00"));
    let first = run(&mut gateway.sendsms(&refs(&send_args(&list, &journal, &[]))));
    assert_eq!(first.code, 1, "{}", first.stderr);
    says(&first.stderr, "for the account");
    assert_eq!(
        gateway.csoft().submissions(None).len(),
        2,
        "no request after the failure"
    );
    says(&first.stdout, "accepted 500");
    says(&first.stdout, "account_failure 200");
    says(&first.stdout, "not_sent 300");

    gateway.csoft().set_credit(USER, dec("100.00"));
    let rerun = run(&mut gateway.sendsms(&refs(&send_args(&list, &journal, &[]))));
    // The 200 refused in an answered request stay refused (their request is not resent);
    // the request refused whole is sent now.
    assert_eq!(rerun.code, 1, "{}", rerun.stderr);
    says(&rerun.stdout, "accepted 800");
    says(&rerun.stdout, "not_sent 0");
    assert_eq!(gateway.csoft().deliveries_to(&numbers[999]), 1);
}

#[test]
fn bad_lines_are_refused_with_their_line_numbers_before_anything_is_sent() {
    let gateway = Gateway::start();
    let path = gateway.path("bad.txt");
    let mut text = String::from("# our customers\n447700900001\n\n");
    for i in 0..25 {
        text.push_str(&format!("07700{i:06}\n"));
    }
    text.push_str("447700900002 # the last\n");
    std::fs::write(&path, text).unwrap();
    let journal = gateway.path("journal.db");
    for journaled in [false, true] {
        let mut args = vec!["send", "--to", &format!("@{path}"), "--text", "Hello"]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        if journaled {
            args.extend(["--journal".to_owned(), journal.clone()]);
        }
        let ran = run(&mut gateway.sendsms(&refs(&args)));
        assert_eq!(ran.code, 2, "{}", ran.stderr);
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
        says(&ran.stderr, &format!("{path}:4: \"07700000000\""));
        says(&ran.stderr, &format!("{path}:23:"));
        assert!(
            !ran.stderr.contains(&format!("{path}:24:")),
            "only 20: {}",
            ran.stderr
        );
        says(&ran.stderr, "5 more bad line(s)");
        says(&ran.stderr, "nothing sent: 25 line(s)");
    }
    assert_eq!(gateway.requests(), 0);
    assert!(
        !Path::new(&journal).exists(),
        "the journal is not even created"
    );
}

#[test]
fn a_repeated_number_is_sent_once_with_a_warning_unless_duplicates_are_allowed() {
    let gateway = Gateway::start();
    let path = gateway.path("repeats.txt");
    std::fs::write(&path, "447700900001\n447700900002\n+44 7700 900001\n").unwrap();
    let to = format!("@{path}");
    let journal = gateway.path("journal.db");
    let plain = run(&mut gateway.sendsms(&["send", "--to", &to, "--text", "Hi"]));
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(plain.lines().len(), 2);
    assert!(
        plain
            .stderr
            .contains(&format!("{path}:3: 447700900001 repeats line 1: sent once")),
        "{}",
        plain.stderr
    );
    let journaled =
        run(&mut gateway.sendsms(&["send", "--to", &to, "--text", "Hi", "--journal", &journal]));
    assert_eq!(journaled.code, 0, "{}", journaled.stderr);
    says(&journaled.stderr, "repeats line 1");
    assert_eq!(
        gateway.csoft().deliveries_to("447700900001"),
        2,
        "once per send"
    );

    let allowed =
        run(&mut gateway.sendsms(&["send", "--to", &to, "--text", "Hi", "--allow-duplicates"]));
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(allowed.lines().len(), 3);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 4);
    let journal2 = gateway.path("journal2.db");
    let allowed = run(&mut gateway.sendsms(&[
        "send",
        "--to",
        &to,
        "--text",
        "Hi",
        "--allow-duplicates",
        "--journal",
        &journal2,
    ]));
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 6);
}

#[test]
fn numbers_come_from_standard_input_too() {
    let gateway = Gateway::start();
    let journal = gateway.path("journal.db");
    let mut child = gateway
        .sendsms(&["send", "--to", "@-", "--text", "Hi", "--journal", &journal])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"447700900001\n447700900002\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(gateway.csoft().deliveries_to("447700900002"), 1);
    let ran = run(&mut gateway.sendsms(&["status", "--journal", &journal]));
    assert!(
        ran.stdout
            .starts_with("447700900001 302B4600 -2 - - accepted\n"),
        "{}",
        ran.stdout
    );
    says(&ran.stdout, "\naccepted 2\n");
}

/// `sendsms receipts serve --store STORE` and `extra`, its URL once it listens.
fn serve_receipts(store: &str, extra: &[&str]) -> (Running, String) {
    let mut args = vec![
        "receipts",
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--store",
        store,
    ];
    args.extend_from_slice(extra);
    let mut child = Running(
        common::sendsms(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = lines(child.0.stderr.take().unwrap());
    let banner = stderr
        .recv_timeout(Duration::from_secs(30))
        .expect("the receiver starts");
    assert!(banner.contains("stored in the journal"), "{banner}");
    // Read on: a receiver whose stderr is closed cannot log its warnings.
    std::thread::spawn(move || {
        while let Ok(line) = stderr.recv() {
            eprintln!("receiver: {line}");
        }
    });
    let url = common::url_in(&banner).to_owned();
    (child, url)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn receipts_stored_by_the_receiver_show_in_the_status_as_delivered() {
    // The receiver's port is known once it runs: the gateway is set up to post there after.
    let dir = folder();
    let store = dir.join("journal.db").display().to_string();
    let (_receiver, url) = serve_receipts(&store, &[]);
    let mut target = ReceiptTarget::new(url);
    target.retry_ms = 100;
    let gateway = Gateway::with_receipts(Some(target), dir);
    let (list, numbers) = gateway.list("numbers.txt", 10);
    let ran = run(&mut gateway.sendsms(&refs(&send_args(&list, &store, &[]))));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    wait_until("every receipt is taken", || {
        let posted = gateway.csoft().delivery_receipts();
        posted.len() == 10 && posted.iter().all(|p| p.acknowledged)
    });
    let classes = status(&gateway, &[&store]);
    for number in &numbers {
        assert_eq!(classes[number], "delivered", "{number}");
    }
    let text = run(&mut gateway.sendsms(&["status", "--journal", &store]));
    let first = text.lines()[0].to_owned();
    let columns: Vec<&str> = first.split(' ').collect();
    assert_eq!(columns[0], numbers[0]);
    assert_eq!(columns[2], "-2");
    assert_eq!(columns[3], "0", "the receipt's report: {first}");
    assert!(columns[4].ends_with('Z'), "the receipt's time: {first}");
    assert_eq!(columns[5], "delivered");
    says(&text.stdout, "\ndelivered 10\n");
}

#[test]
fn a_receipt_that_cannot_be_stored_is_answered_minus_1_and_kept_by_the_gateway() {
    let dir = folder();
    let store = dir.join("journal.db").display().to_string();
    let (_receiver, url) = serve_receipts(&store, &["--busy-timeout", "0.2"]);
    let mut target = ReceiptTarget::new(url);
    // Posted after the send has ended, and again every 300 ms while not taken.
    target.delay_ms = 1500;
    target.retry_ms = 300;
    target.attempts = 20;
    let gateway = Gateway::with_receipts(Some(target), dir);
    let (list, numbers) = gateway.list("numbers.txt", 3);
    let ran = run(&mut gateway.sendsms(&refs(&send_args(&list, &store, &[]))));
    assert_eq!(ran.code, 0, "{}", ran.stderr);

    // Another process holds the journal's write lock (root or not, writes then fail).
    let holder = rusqlite::Connection::open(&store).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    wait_until("every receipt was refused", || {
        let posted = gateway.csoft().delivery_receipts();
        posted.len() == 3 && posted.iter().all(|p| p.answer == Some(-1))
    });
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);

    wait_until("every receipt is taken", || {
        let posted = gateway.csoft().delivery_receipts();
        posted.iter().all(|p| p.acknowledged)
    });
    assert!(gateway
        .csoft()
        .delivery_receipts()
        .iter()
        .all(|p| p.attempts >= 2));
    let classes = status(&gateway, &[&store]);
    for number in &numbers {
        assert_eq!(classes[number], "delivered", "{number}");
    }
}

#[test]
fn clickatell_goes_through_the_journal_with_its_ids_and_codes() {
    use generated_client::clickatell::simulated::{Account, ErrorReply, PATH};
    let mut config = SimulatorConfig::default();
    config.clickatell.accounts = vec![Account::new(3210987, "ANOther", "s3cret")];
    config.clickatell.number_errors = [(
        "447700900666".to_owned(),
        ErrorReply::new(121, "Destination mobile number blocked"),
    )]
    .into();
    let servers = Servers::start(config);
    let dir = folder();
    let journal = dir.join("journal.db").display().to_string();
    let clickatell = |args: &[&str]| {
        let mut command = common::sendsms(&["--vendor", "clickatell", "--timeout", "5"]);
        command.args([
            "--primary",
            &servers.primary.url(PATH),
            "--api-id",
            "3210987",
            "--username",
            "ANOther",
            "--password",
            "s3cret",
        ]);
        command.args(args);
        command
    };
    let ran = run(&mut clickatell(&[
        "send",
        "--to",
        "447700900001,447700900666",
        "--text",
        "Hi",
        "--journal",
        &journal,
    ]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let status: Ran = run(&mut clickatell(&["status", "--journal", &journal]));
    let lines = status.lines();
    let sent: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(sent[0], "447700900001");
    assert_eq!(sent[1].len(), 32, "Clickatell's apimsgid: {}", lines[0]);
    assert_eq!((sent[2], sent[5]), ("ID", "accepted"));
    assert_eq!(lines[1], "447700900666 - 121 - - rejected");
    // A rerun sends nothing again.
    let rerun = run(&mut clickatell(&[
        "send",
        "--to",
        "447700900001,447700900666",
        "--text",
        "Hi",
        "--journal",
        &journal,
    ]));
    assert_eq!(rerun.code, 1, "{}", rerun.stderr);
    assert_eq!(servers.clickatell().deliveries_to("447700900001"), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The PostgreSQL server `SMS_JOURNAL_TEST_POSTGRES` names, or `None` (the test is skipped,
/// unless `CI_REQUIRE_POSTGRES=1`).
fn postgres(test: &str) -> Option<String> {
    match std::env::var("SMS_JOURNAL_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "CI_REQUIRE_POSTGRES=1 but SMS_JOURNAL_TEST_POSTGRES is not set"
            );
            eprintln!("{test}: skipped: SMS_JOURNAL_TEST_POSTGRES is not set");
            None
        }
    }
}

#[test]
fn two_workers_share_a_postgres_campaign_and_one_killed_loses_nothing() {
    let Some(url) = postgres("two_workers_share_a_postgres_campaign") else {
        return;
    };
    let gateway = Gateway::start();
    let schema = format!("sendsms_two_workers_{}", std::process::id());
    let (list, numbers) = gateway.list("numbers.txt", 16 * 350);
    gateway.primary.set_failure(
        Failure::Delay(Duration::from_millis(100)),
        Repeat::UntilCleared,
    );
    let worker = |name: &str| {
        let args = send_args(
            &list,
            &url,
            &[
                "--parallel",
                "4",
                "--lease",
                "2",
                "--worker",
                name,
                "--journal-schema",
                &schema,
            ],
        );
        gateway.sendsms(&refs(&args))
    };
    let mut first = spawn(&mut worker("first"));
    let second = worker("second")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both have requests in flight by then (each takes 100 ms to be answered).
    wait_for_requests(&gateway, 10);
    kill(&mut first);
    // It ends by itself: once the killed worker's leases have ended.
    let survivor = second.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&survivor.stderr);
    // What the killed worker was writing is unknown, and said so.
    assert_eq!(survivor.status.code(), Some(4), "{stderr}");
    let classes = status(&gateway, &[&url, "--journal-schema", &schema]);
    assert_accounted(&gateway, &numbers, &classes);
    // The survivor waited for the killed worker's leases, then sent what it had claimed
    // without writing: nothing is left unsent.
    assert_eq!(
        classes.values().filter(|c| *c == "not_sent").count(),
        0,
        "{stderr}"
    );
    assert_eq!(
        classes.values().filter(|c| *c == "in_flight").count(),
        0,
        "{stderr}"
    );
    assert!(classes.values().any(|c| c == "unknown"), "{stderr}");
}
