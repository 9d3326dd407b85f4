//! The journal's rules, each checked on SQLite (in a temporary folder) and on PostgreSQL when
//! `SMS_JOURNAL_TEST_POSTGRES` names a server (each test in a schema of its own). Without
//! it the PostgreSQL tests say they are skipped, unless `CI_REQUIRE_POSTGRES=1`, when they
//! fail.
//!
//! The crash tests run a child process of this test binary (the same test, with
//! `SMS_JOURNAL_CHILD` set) that makes some transitions, says so on its standard output,
//! and is then killed with SIGKILL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sms_journal::{
    Campaign, CampaignHash, CampaignHasher, CampaignPolicy, CampaignStart, Claim, Error, Journal,
    Message, Next, OpenOptions, Outcome, OutcomeClass, Outcomes, Planner, Receipt, ReceiptStored,
    RecipientStatus, RequestState, StatusClass,
};

const CHILD: &str = "SMS_JOURNAL_CHILD";
const CHILD_LOCATION: &str = "SMS_JOURNAL_CHILD_LOCATION";
const CHILD_SCHEMA: &str = "SMS_JOURNAL_CHILD_SCHEMA";

/// Where a test keeps its journal.
struct Fixture {
    kind: &'static str,
    location: String,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        Self {
            kind: "sqlite",
            location: dir.path().join("journal.db").display().to_string(),
            schema: None,
            _dir: Some(dir),
        }
    }

    /// A fresh schema on the server `SMS_JOURNAL_TEST_POSTGRES` names, or `None` (skipped).
    #[cfg(feature = "postgres")]
    fn postgres(test: &str) -> Option<Self> {
        match std::env::var("SMS_JOURNAL_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => {
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos();
                Some(Self {
                    kind: "postgres",
                    location: url,
                    schema: Some(format!("t_{test}_{}_{nanos}", std::process::id())),
                    _dir: None,
                })
            }
            _ => {
                assert!(
                    std::env::var("CI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "CI_REQUIRE_POSTGRES=1 but SMS_JOURNAL_TEST_POSTGRES is not set: the PostgreSQL tests cannot run"
                );
                // Straight to the process's stderr: libtest would hide an `eprintln!` of a
                // passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "{test}: skipped on PostgreSQL: SMS_JOURNAL_TEST_POSTGRES is not set"
                );
                None
            }
        }
    }

    /// The fixture a child process was started for.
    fn from_child_env() -> Self {
        let schema = std::env::var(CHILD_SCHEMA).ok().filter(|s| !s.is_empty());
        Self {
            kind: if schema.is_some() {
                "postgres"
            } else {
                "sqlite"
            },
            location: std::env::var(CHILD_LOCATION).expect("the child's journal"),
            schema,
            _dir: None,
        }
    }

    fn options(&self) -> OpenOptions {
        let options = OpenOptions::new().pool_size(4);
        match &self.schema {
            Some(schema) => options.postgres_schema(schema),
            None => options,
        }
    }

    async fn open(&self) -> Journal {
        self.open_with(self.options()).await
    }

    async fn open_with(&self, options: OpenOptions) -> Journal {
        Journal::open(&self.location, options)
            .await
            .expect("the journal opens")
    }

    /// Runs this test again as a child process with `role`, waits for it to print `ready`,
    /// kills it with SIGKILL, and returns what it printed before.
    fn kill_child_when_ready(&self, test: &str, role: &str) -> Vec<String> {
        let (mut child, said) = self.spawn_child(test, role);
        child.kill().expect("SIGKILL");
        child.wait().expect("the child ends");
        said
    }

    fn spawn_child(&self, test: &str, role: &str) -> (Child, Vec<String>) {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                &format!("{test}::{}", self.kind),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, role)
            .env(CHILD_LOCATION, &self.location)
            .env(CHILD_SCHEMA, self.schema.as_deref().unwrap_or(""))
            .stdout(Stdio::piped())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().unwrap();
        let mut said = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("the child's output");
            // libtest may have written the test's name on the same line before.
            if let Some((_, word)) = line.split_once("CHILD ") {
                if word == "ready" {
                    return (child, said);
                }
                said.push(word.to_owned());
            }
        }
        let status = child.wait().unwrap();
        panic!("the child ended ({status}) without saying it was ready; it said {said:?}");
    }
}

/// The role this process was started for, if it is a child.
fn child_role() -> Option<String> {
    std::env::var(CHILD).ok()
}

/// Says `word` to the parent process.
fn tell_parent(word: &str) {
    println!("CHILD {word}");
}

/// Waits to be killed; a child its parent forgot ends by itself after two minutes.
async fn wait_for_sigkill() -> ! {
    tokio::time::sleep(Duration::from_secs(120)).await;
    std::process::exit(3)
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Fixture::sqlite()).await;
            }

            #[cfg(feature = "postgres")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(fixture) = super::Fixture::postgres(stringify!($name)) {
                    super::$name(fixture).await;
                }
            }
        }
    )* };
}

on_both!(
    plans_and_resumes,
    refuses_another_campaign,
    plan_must_match_its_hash,
    lifecycle_and_rerun,
    outcomes_must_match_the_request,
    leases_expire,
    account_failure_stops_claims,
    receipts_are_idempotent,
    receipts_before_answers_are_joined,
    status_covers_every_recipient,
    killed_mid_campaign,
    killed_mid_plan,
    two_workers_one_dies,
    read_only_journal_refuses_receipts,
    concurrent_transitions_fail_alone,
);

/// Transitions made at once (which SQLite commits together): those whose claim no longer
/// holds fail, each alone; the others are all recorded.
async fn concurrent_transitions_fail_alone(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(160);
    let campaign = plan(&journal, &m, &list, 10).await;
    let mut claims = Vec::new();
    for _ in 0..16 {
        let c = claim(&campaign, "w").await;
        campaign.start_writing(&c).await.unwrap();
        claims.push(c);
    }
    // Every other request is given back first: its claim no longer holds.
    for c in claims.iter().step_by(2) {
        campaign.not_sent(c, "given back").await.unwrap();
    }
    let tasks: Vec<_> = claims
        .into_iter()
        .map(|c| {
            let campaign = campaign.clone();
            tokio::spawn(async move {
                let result = campaign
                    .answered(&c, outcomes(&c, OutcomeClass::Accepted))
                    .await;
                (c.index(), result)
            })
        })
        .collect();
    for task in tasks {
        let (index, result) = task.await.unwrap();
        match (index % 2, result) {
            (0, Err(Error::NotHeld { state, .. })) => assert_eq!(state, RequestState::Planned),
            (1, Ok(())) => {}
            (_, other) => panic!("request {index}: {other:?}"),
        }
    }
    let summary = campaign.summary().await.unwrap();
    assert_eq!((summary.accepted, summary.not_sent), (80, 80));
    let rows = all_status(&campaign).await;
    assert!(rows
        .iter()
        .all(|r| (r.request % 2 == 1) == r.sent.is_some()));
}

fn numbers(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("4477009{i:05}")).collect()
}

fn message(text: &str) -> Message {
    Message::new("csoft", text, r#"{"sender":"Shop"}"#)
}

fn hash(message: &Message, numbers: &[String]) -> CampaignHash {
    let mut hasher = CampaignHasher::new(message);
    numbers.iter().for_each(|n| hasher.recipient(n));
    hasher.finish()
}

async fn open_campaign(
    journal: &Journal,
    message: &Message,
    numbers: &[String],
    size: usize,
    policy: CampaignPolicy,
) -> Result<(Campaign, bool), Error> {
    match journal
        .open_campaign(message, hash(message, numbers), policy)
        .await?
    {
        CampaignStart::Resumed(campaign) => Ok((campaign, false)),
        CampaignStart::Plan(mut planner) => {
            for request in numbers.chunks(size) {
                planner.request(request).await?;
            }
            Ok((planner.finish().await?, true))
        }
        _ => unreachable!("a new kind of start"),
    }
}

/// The planner of a new campaign of `numbers` (the journal must have no campaign).
async fn new_planner(journal: &Journal, message: &Message, numbers: &[String]) -> Planner {
    match journal
        .open_campaign(message, hash(message, numbers), CampaignPolicy::Resume)
        .await
        .expect("the campaign opens")
    {
        CampaignStart::Plan(planner) => planner,
        _ => panic!("a journal without a campaign plans one"),
    }
}

/// Plans `numbers` in requests of `size` (the journal must have no other campaign).
async fn plan(journal: &Journal, message: &Message, numbers: &[String], size: usize) -> Campaign {
    let (campaign, planned) =
        open_campaign(journal, message, numbers, size, CampaignPolicy::Resume)
            .await
            .expect("the campaign opens");
    assert!(planned, "a new campaign was planned");
    campaign
}

/// Resumes the journal's campaign of `numbers`.
async fn resume(journal: &Journal, message: &Message, numbers: &[String]) -> Campaign {
    let (campaign, planned) = open_campaign(journal, message, numbers, 1, CampaignPolicy::Resume)
        .await
        .expect("the campaign opens");
    assert!(!planned, "the campaign was resumed");
    campaign
}

async fn claim(campaign: &Campaign, worker: &str) -> Claim {
    match campaign.claim_next(worker).await.expect("a claim") {
        Next::Request(claim) => claim,
        other => panic!("expected a request, got {other:?}"),
    }
}

fn message_id(position: u64) -> String {
    format!("{position:08X}")
}

/// One outcome of `class` per recipient, with message ids from their positions.
fn outcomes(claim: &Claim, class: OutcomeClass) -> Outcomes {
    let mut outcomes = Outcomes::with_capacity(claim.recipients().len());
    for (i, number) in claim.recipients().iter().enumerate() {
        let id = message_id(claim.first_position() + i as u64);
        outcomes.push(Outcome::new(
            number,
            &id,
            if class == OutcomeClass::Accepted {
                "-2"
            } else {
                "3"
            },
            class,
            "as the simulator says",
        ));
    }
    outcomes
}

/// Sends one request all the way: claim, writing, answered.
async fn send_one(campaign: &Campaign, worker: &str, class: OutcomeClass) -> Claim {
    let claim = claim(campaign, worker).await;
    campaign.start_writing(&claim).await.unwrap();
    campaign
        .answered(&claim, outcomes(&claim, class))
        .await
        .unwrap();
    claim
}

async fn all_status(campaign: &Campaign) -> Vec<RecipientStatus> {
    let mut pages = campaign.status();
    let mut rows = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        assert!(!page.is_empty());
        rows.extend(page);
    }
    rows
}

/// The state of each request, by index, from the status rows.
fn request_states(rows: &[RecipientStatus]) -> BTreeMap<u64, RequestState> {
    rows.iter().map(|r| (r.request, r.request_state)).collect()
}

async fn plans_and_resumes(f: Fixture) {
    let journal = f.open().await;
    assert!(journal.current_campaign().await.unwrap().is_none());
    let list = numbers(1000);
    let m = message("Hello");
    let campaign = plan(&journal, &m, &list, 350).await;
    assert_eq!(
        (campaign.info().recipients, campaign.info().requests),
        (1000, 3)
    );
    drop(journal);

    let journal = f.open().await;
    let resumed = resume(&journal, &m, &list).await;
    assert_eq!(resumed.info().id, campaign.info().id);
    assert_eq!(resumed.info().message, m);
    assert_eq!(resumed.info().hash, hash(&m, &list));
    let first = claim(&resumed, "w").await;
    assert_eq!(first.index(), 0);
    assert_eq!(first.recipients(), &list[..350]);
    let second = claim(&resumed, "w").await;
    assert_eq!((second.index(), second.first_position()), (1, 350));
    let third = claim(&resumed, "w").await;
    assert_eq!(third.recipients(), &list[700..]);
    assert_eq!(
        resumed.claim_next("w").await.unwrap(),
        Next::Drained { in_flight: 3 }
    );
    let current = journal.current_campaign().await.unwrap().unwrap();
    assert_eq!(current.info().id, campaign.info().id);
}

async fn refuses_another_campaign(f: Fixture) {
    let journal = f.open().await;
    let list = numbers(10);
    let m = message("Hello");
    let first = plan(&journal, &m, &list, 5).await;

    let other_text = message("Hello!");
    let err = open_campaign(&journal, &other_text, &list, 5, CampaignPolicy::Resume)
        .await
        .err()
        .expect("another message is refused");
    let (stored, given) = (hash(&m, &list), hash(&other_text, &list));
    match &err {
        Error::CampaignMismatch {
            what,
            stored: s,
            given: g,
            ..
        } => {
            assert_eq!((**s, **g), (stored, given));
            assert_eq!(*what, "another message");
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&stored.to_string()) && text.contains(&given.to_string()),
        "{text}"
    );

    let other_list = numbers(11);
    match open_campaign(&journal, &m, &other_list, 5, CampaignPolicy::Resume).await {
        Err(Error::CampaignMismatch { what, .. }) => assert_eq!(what, "another recipient list"),
        other => panic!("expected a mismatch, got {:?}", other.map(|_| ())),
    }
    // Nothing changed: the same campaign resumes.
    assert_eq!(resume(&journal, &m, &list).await.info().id, first.info().id);

    // Explicitly: a new campaign for the other message, then the same one resumed.
    let open_other = async |policy| {
        open_campaign(&journal, &other_text, &list, 5, policy)
            .await
            .unwrap()
    };
    let (replaced, planned) = open_other(CampaignPolicy::ReplaceIfDifferent).await;
    assert!(planned);
    assert!(replaced.info().id > first.info().id);
    let (again, planned) = open_other(CampaignPolicy::ReplaceIfDifferent).await;
    assert!(!planned);
    assert_eq!(again.info().id, replaced.info().id);
    let (fresh, planned) = open_other(CampaignPolicy::AlwaysNew).await;
    assert!(planned && fresh.info().id > replaced.info().id);
    // The first campaign's records are kept.
    assert_eq!(first.summary().await.unwrap().not_sent, 10);
}

async fn plan_must_match_its_hash(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(10);
    let mut planner = new_planner(&journal, &m, &list).await;
    planner.request(&list[..5]).await.unwrap();
    planner.request(&numbers(4)).await.unwrap();
    match planner.finish().await {
        Err(Error::PlanMismatch { declared, planned }) => {
            assert_eq!(*declared, hash(&m, &list));
            assert_ne!(planned, declared);
        }
        other => panic!("expected a plan mismatch, got {:?}", other.map(|_| ())),
    }
    assert!(journal.current_campaign().await.unwrap().is_none());

    let mut planner = new_planner(&journal, &m, &list).await;
    assert!(matches!(
        planner.request(&["447700900001", "4477\n00"]).await,
        Err(Error::InvalidRecipient { position: 1, .. })
    ));
    assert!(matches!(
        planner.request::<&str>(&[]).await,
        Err(Error::EmptyRequest { index: 0 })
    ));
    drop(planner);
    // A dropped planner keeps nothing, and leaves the journal usable.
    assert!(journal.current_campaign().await.unwrap().is_none());
    plan(&journal, &m, &list, 5).await;
}

async fn lifecycle_and_rerun(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(50);
    let campaign = plan(&journal, &m, &list, 10).await;

    let answered = send_one(&campaign, "w1", OutcomeClass::Accepted).await;
    assert_eq!(answered.index(), 0);
    assert_eq!(answered.attempt(), 1);

    let lost = claim(&campaign, "w1").await;
    campaign.start_writing(&lost).await.unwrap();
    campaign
        .unknown(&lost, "timed out after writing")
        .await
        .unwrap();

    let refused = claim(&campaign, "w1").await;
    campaign.start_writing(&refused).await.unwrap();
    campaign
        .not_sent(&refused, "connection refused")
        .await
        .unwrap();
    // A worker giving up a claim before writing.
    let released = claim(&campaign, "w1").await;
    assert_eq!(released.index(), 2, "the unreachable request comes first");
    assert_eq!(released.attempt(), 2);
    campaign.not_sent(&released, "shutting down").await.unwrap();

    // Finished transitions cannot be repeated with an old claim.
    assert!(matches!(
        campaign.start_writing(&answered).await,
        Err(Error::NotHeld {
            state: RequestState::Answered,
            ..
        })
    ));
    assert!(matches!(
        campaign.start_writing(&lost).await,
        Err(Error::NotHeld {
            state: RequestState::Unknown,
            ..
        })
    ));
    // An answer needs `writing` first.
    let unwritten = claim(&campaign, "w1").await;
    assert!(matches!(
        campaign
            .answered(&unwritten, outcomes(&unwritten, OutcomeClass::Accepted))
            .await,
        Err(Error::NotHeld {
            state: RequestState::Claimed,
            ..
        })
    ));
    campaign.not_sent(&unwritten, "test").await.unwrap();
    drop(journal);

    // A rerun: answered skipped, unknown kept back, planned handed out.
    let journal = f.open().await;
    let campaign = resume(&journal, &m, &list).await;
    let mut handed = Vec::new();
    loop {
        match campaign.claim_next("w2").await.unwrap() {
            Next::Request(claim) => {
                handed.push(claim.index());
                campaign.start_writing(&claim).await.unwrap();
                campaign
                    .answered(&claim, outcomes(&claim, OutcomeClass::Rejected))
                    .await
                    .unwrap();
            }
            Next::Drained { in_flight } => {
                assert_eq!(in_flight, 0);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(handed, [2, 3, 4]);
    let unknown = campaign.unknown_requests().await.unwrap();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        (unknown[0].index, unknown[0].recipients),
        (1, 10),
        "{unknown:?}"
    );
    assert_eq!(unknown[0].reason, "timed out after writing");
    let summary = campaign.summary().await.unwrap();
    assert_eq!(
        (
            summary.accepted,
            summary.rejected,
            summary.unknown,
            summary.not_sent
        ),
        (10, 30, 10, 0)
    );
    assert_eq!(
        (summary.requests_answered, summary.requests_unknown),
        (4, 1)
    );

    // Only on request is an unknown request sent again.
    assert_eq!(campaign.requeue_unknown().await.unwrap(), 1);
    let again = claim(&campaign, "w2").await;
    assert_eq!((again.index(), again.attempt()), (1, 2));
}

async fn outcomes_must_match_the_request(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(6);
    let campaign = plan(&journal, &m, &list, 3).await;
    let c = claim(&campaign, "w").await;
    campaign.start_writing(&c).await.unwrap();

    let mut short = Outcomes::with_capacity(2);
    let mut swapped = Outcomes::with_capacity(3);
    for (i, number) in [&list[0], &list[1]].into_iter().enumerate() {
        let id = message_id(i as u64);
        short.push(Outcome::new(number, &id, "-2", OutcomeClass::Accepted, ""));
    }
    for number in [&list[1], &list[0], &list[2]] {
        swapped.push(Outcome::new(number, "X", "-2", OutcomeClass::Accepted, ""));
    }
    for wrong in [short, swapped] {
        match campaign.answered(&c, wrong).await {
            Err(Error::OutcomesMismatch { request: 0, reason }) => {
                assert!(reason.contains("outcome"), "{reason}")
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }
    // Nothing was recorded: the request is still being written, and takes the right answer.
    let rows = all_status(&campaign).await;
    assert_eq!(rows[0].request_state, RequestState::Writing);
    assert!(rows.iter().all(|r| r.sent.is_none()));
    campaign
        .answered(&c, outcomes(&c, OutcomeClass::Accepted))
        .await
        .unwrap();
    assert_eq!(campaign.summary().await.unwrap().accepted, 3);
}

async fn leases_expire(f: Fixture) {
    let lease = Duration::from_millis(300);
    let journal = f.open_with(f.options().lease(lease)).await;
    let m = message("Hello");
    let list = numbers(40);
    let campaign = plan(&journal, &m, &list, 10).await;

    let claimed = claim(&campaign, "dead").await;
    let writing = claim(&campaign, "dead").await;
    campaign.start_writing(&writing).await.unwrap();
    let renewed = claim(&campaign, "alive").await;
    campaign.start_writing(&renewed).await.unwrap();
    assert!(claimed.lease_until() > SystemTime::now() - Duration::from_secs(5));

    // Before the deadline nothing changes hands.
    let next = claim(&campaign, "other").await;
    assert_eq!(next.index(), 3);
    campaign.not_sent(&next, "not now").await.unwrap();

    for _ in 0..4 {
        tokio::time::sleep(lease / 3).await;
        campaign.renew(&renewed).await.unwrap();
    }
    // The lease of "dead" ran out: its claimed request is handed out again, first.
    let taken = claim(&campaign, "other").await;
    assert_eq!((taken.index(), taken.attempt()), (0, 2));
    assert_eq!(taken.recipients(), claimed.recipients());
    // The dead worker, back to life, cannot write the request it lost.
    assert!(matches!(
        campaign.start_writing(&claimed).await,
        Err(Error::NotHeld {
            state: RequestState::Claimed,
            ..
        })
    ));
    let rows = all_status(&campaign).await;
    let states = request_states(&rows);
    assert_eq!(states[&1], RequestState::Unknown, "writing became unknown");
    assert_eq!(
        states[&2],
        RequestState::Writing,
        "a renewed lease still holds"
    );
    let reason = rows[10].reason.as_deref().unwrap();
    assert!(
        reason.contains("lease of worker dead expired") && reason.contains("attempt 1"),
        "{reason}"
    );
    // The request being written is never handed out again by itself...
    let mut handed = BTreeSet::new();
    while let Next::Request(c) = campaign.claim_next("other").await.unwrap() {
        handed.insert(c.index());
    }
    assert_eq!(handed, BTreeSet::from([3]));
    // ... but its worker, if it was alive after all, may still record the answer.
    campaign
        .answered(&writing, outcomes(&writing, OutcomeClass::Accepted))
        .await
        .unwrap();
    assert_eq!(
        request_states(&all_status(&campaign).await)[&1],
        RequestState::Answered
    );

    // Ending the leases of a known-dead worker at once.
    let expired = campaign.expire_leases(Some("alive")).await.unwrap();
    assert_eq!((expired.replanned, expired.unknown), (0, 1));
    let expired = campaign.expire_leases(None).await.unwrap();
    assert_eq!((expired.replanned, expired.unknown), (2, 0));
    assert!(matches!(
        campaign.renew(&taken).await,
        Err(Error::NotHeld {
            state: RequestState::Planned,
            ..
        })
    ));
}

async fn account_failure_stops_claims(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(30);
    let campaign = plan(&journal, &m, &list, 10).await;
    let in_flight = claim(&campaign, "w").await;
    campaign.start_writing(&in_flight).await.unwrap();
    let failing = claim(&campaign, "w").await;
    campaign.start_writing(&failing).await.unwrap();
    campaign
        .answered(&failing, outcomes(&failing, OutcomeClass::AccountFailure))
        .await
        .unwrap();
    campaign.stop("out of credit (report 15)").await.unwrap();
    campaign.stop("a second reason is not kept").await.unwrap();

    // Another worker, in another handle, claims nothing.
    let other = f.open().await;
    let other_campaign = resume(&other, &m, &list).await;
    assert_eq!(
        other_campaign.info().stopped.as_deref(),
        Some("out of credit (report 15)")
    );
    assert_eq!(
        other_campaign.claim_next("w2").await.unwrap(),
        Next::Stopped {
            reason: "out of credit (report 15)".to_owned()
        }
    );
    // The request in flight still records its outcome.
    campaign
        .answered(&in_flight, outcomes(&in_flight, OutcomeClass::Accepted))
        .await
        .unwrap();
    let summary = other_campaign.summary().await.unwrap();
    assert_eq!(
        (summary.accepted, summary.account_failure, summary.not_sent),
        (10, 10, 10)
    );
    other_campaign.clear_stop().await.unwrap();
    assert_eq!(claim(&campaign, "w").await.index(), 2);
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
}

async fn receipts_are_idempotent(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(3);
    let campaign = plan(&journal, &m, &list, 3).await;
    send_one(&campaign, "w", OutcomeClass::Accepted).await;

    let id = message_id(1);
    let queued = Receipt::new(&id, &list[1], "-2", OutcomeClass::Accepted, at(10));
    let delivered = Receipt::new(&id, &list[1], "0", OutcomeClass::Delivered, at(20));
    let stale = Receipt::new(&id, &list[1], "-3", OutcomeClass::Accepted, at(15));
    // In order: two reports, the same ones posted again by the gateway (stored once), and an
    // older report arriving late (kept in the history only).
    let expected = [
        (&queued, ReceiptStored::Latest),
        (&delivered, ReceiptStored::Latest),
        (&delivered, ReceiptStored::Duplicate),
        (&queued, ReceiptStored::Duplicate),
        (&stale, ReceiptStored::Older),
    ];
    for (receipt, stored) in expected {
        assert_eq!(
            journal.store_receipt(receipt).await.unwrap(),
            stored,
            "{receipt:?}"
        );
    }
    // Several receivers at once, each with its own handle: still stored once.
    let receivers = [f.open().await, f.open().await];
    let rejected = Receipt::new(message_id(2), &list[2], "3", OutcomeClass::Rejected, at(30));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let journal = receivers[i % 2].clone();
        let rejected = rejected.clone();
        tasks.push(tokio::spawn(async move {
            journal.store_receipt(&rejected).await.unwrap()
        }));
    }
    let mut stored = Vec::new();
    for task in tasks {
        stored.push(task.await.unwrap());
    }
    assert_eq!(
        stored
            .iter()
            .filter(|s| **s == ReceiptStored::Latest)
            .count(),
        1,
        "{stored:?}"
    );
    assert!(stored
        .iter()
        .all(|s| matches!(s, ReceiptStored::Latest | ReceiptStored::Duplicate)));

    let rows = all_status(&campaign).await;
    let receipt = rows[1].receipt.as_ref().expect("the latest receipt");
    assert_eq!(
        (receipt.code.as_str(), receipt.class, receipt.at),
        ("0", OutcomeClass::Delivered, at(20))
    );
    assert_eq!(rows[1].sent.as_ref().unwrap().code, "-2");
    assert_eq!(rows[1].class(), StatusClass::Delivered);
    assert_eq!(rows[2].class(), StatusClass::Rejected);
    assert_eq!(rows[0].receipt, None);
    let summary = campaign.summary().await.unwrap();
    assert_eq!(
        (summary.accepted, summary.delivered, summary.rejected),
        (1, 1, 1)
    );
    // A receipt for a message the journal did not send is stored too.
    let foreign = Receipt::new(
        "FFFF0000",
        "447700900999",
        "0",
        OutcomeClass::Delivered,
        at(1),
    );
    assert_eq!(
        journal.store_receipt(&foreign).await.unwrap(),
        ReceiptStored::Latest
    );
}

async fn receipts_before_answers_are_joined(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(4);
    let campaign = plan(&journal, &m, &list, 2).await;
    let c = claim(&campaign, "w").await;
    campaign.start_writing(&c).await.unwrap();
    // The gateway's receipt reaches the receiver before the sender records the answer.
    let receipt = Receipt::new(message_id(0), &list[0], "0", OutcomeClass::Delivered, at(5));
    f.open().await.store_receipt(&receipt).await.unwrap();
    campaign
        .answered(&c, outcomes(&c, OutcomeClass::Accepted))
        .await
        .unwrap();
    let rows = all_status(&campaign).await;
    assert_eq!(rows[0].class(), StatusClass::Delivered);
    assert_eq!(rows[1].class(), StatusClass::Accepted);
    assert_eq!(rows[2].class(), StatusClass::NotSent);
    let summary = campaign.summary().await.unwrap();
    assert_eq!(
        (summary.delivered, summary.accepted, summary.not_sent),
        (1, 1, 2)
    );
}

async fn status_covers_every_recipient(f: Fixture) {
    let journal = f.open().await;
    let m = message("Hello");
    // More requests than a page holds, with a short last request.
    let list = numbers(1000);
    let campaign = plan(&journal, &m, &list, 7).await;
    let mut in_flight = None;
    for i in 0..100 {
        let c = claim(&campaign, "w").await;
        campaign.start_writing(&c).await.unwrap();
        match i % 4 {
            0 => campaign
                .answered(&c, outcomes(&c, OutcomeClass::Accepted))
                .await
                .unwrap(),
            1 => campaign
                .answered(&c, outcomes(&c, OutcomeClass::Rejected))
                .await
                .unwrap(),
            2 => campaign.unknown(&c, "timed out").await.unwrap(),
            _ => in_flight = Some(c),
        }
    }
    let rows = all_status(&campaign).await;
    assert_eq!(rows.len(), list.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.position, i as u64);
        assert_eq!(row.number, list[i]);
        assert_eq!(row.request, i as u64 / 7);
        let expected = match (row.request, row.request % 4) {
            (100.., _) => StatusClass::NotSent,
            (_, 0) => StatusClass::Accepted,
            (_, 1) => StatusClass::Rejected,
            (_, 2) => StatusClass::Unknown,
            _ => StatusClass::InFlight,
        };
        assert_eq!(row.class(), expected, "{row:?}");
        if expected == StatusClass::Accepted {
            assert_eq!(row.sent.as_ref().unwrap().message_id, message_id(i as u64));
        }
    }
    let summary = campaign.summary().await.unwrap();
    assert_eq!(summary.recipients(), 1000);
    assert_eq!(
        (
            summary.accepted,
            summary.rejected,
            summary.unknown,
            summary.in_flight
        ),
        (175, 175, 175, 175)
    );
    assert_eq!(summary.not_sent, 1000 - 700);
    assert_eq!(summary.requests_planned, 143 - 100);
    assert!(in_flight.is_some());
}

/// The child's part of `killed_mid_campaign`: request 0 answered, 1 unknown, 2 being
/// written, 3 claimed, 4 given back; then killed.
async fn mid_campaign_child(f: &Fixture) -> ! {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(100);
    let campaign = plan(&journal, &m, &list, 10).await;
    send_one(&campaign, "child", OutcomeClass::Accepted).await;
    let unknown = claim(&campaign, "child").await;
    campaign.start_writing(&unknown).await.unwrap();
    campaign.unknown(&unknown, "no answer").await.unwrap();
    let writing = claim(&campaign, "child").await;
    campaign.start_writing(&writing).await.unwrap();
    let claimed = claim(&campaign, "child").await;
    let given_back = claim(&campaign, "child").await;
    campaign
        .not_sent(&given_back, "connection refused")
        .await
        .unwrap();
    tell_parent(&format!("{} {}", claimed.index(), writing.index()));
    tell_parent("ready");
    wait_for_sigkill().await
}

async fn killed_mid_campaign(f: Fixture) {
    if child_role().is_some() {
        mid_campaign_child(&Fixture::from_child_env()).await;
    }
    let said = f.kill_child_when_ready("killed_mid_campaign", "mid-campaign");
    assert_eq!(said, ["3 2"]);

    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(100);
    let campaign = resume(&journal, &m, &list).await;
    let states = request_states(&all_status(&campaign).await);
    use RequestState::*;
    let expected = [Answered, Unknown, Writing, Claimed, Planned, Planned];
    assert_eq!(
        states.values().take(6).copied().collect::<Vec<_>>(),
        expected
    );
    assert_eq!(campaign.summary().await.unwrap().accepted, 10);

    // The dead sender's leases, ended at once (a single SQLite sender knows it is alone).
    let expired = campaign.expire_leases(None).await.unwrap();
    assert_eq!((expired.replanned, expired.unknown), (1, 1));
    let mut handed = Vec::new();
    while let Next::Request(c) = campaign.claim_next("rerun").await.unwrap() {
        handed.push(c.index());
        campaign.start_writing(&c).await.unwrap();
        campaign
            .answered(&c, outcomes(&c, OutcomeClass::Accepted))
            .await
            .unwrap();
    }
    assert_eq!(handed, [3, 4, 5, 6, 7, 8, 9]);
    let summary = campaign.summary().await.unwrap();
    assert_eq!((summary.accepted, summary.unknown), (80, 20));
    assert_eq!(summary.recipients(), 100);
}

/// The child's part of `killed_mid_plan`: half a plan, then killed.
async fn mid_plan_child(f: &Fixture) -> ! {
    let journal = f.open().await;
    let m = message("Hello");
    let list = numbers(50_000);
    let mut planner = new_planner(&journal, &m, &list).await;
    // Enough to have sent batches to the store.
    for request in list[..40_000].chunks(100) {
        planner.request(request).await.unwrap();
    }
    tell_parent("ready");
    wait_for_sigkill().await
}

async fn killed_mid_plan(f: Fixture) {
    if child_role().is_some() {
        mid_plan_child(&Fixture::from_child_env()).await;
    }
    f.kill_child_when_ready("killed_mid_plan", "mid-plan");
    let journal = f.open().await;
    assert!(journal.current_campaign().await.unwrap().is_none());
    let m = message("Hello");
    let list = numbers(50_000);
    let campaign = plan(&journal, &m, &list, 100).await;
    assert_eq!(campaign.summary().await.unwrap().not_sent, 50_000);
}

/// The child's part of `two_workers_one_dies`: sends requests until it holds one claimed and
/// one being written, saying each one it writes, then is killed.
async fn dying_worker(f: &Fixture) -> ! {
    let journal = f
        .open_with(f.options().lease(Duration::from_millis(1500)))
        .await;
    let m = message("Hello");
    let list = numbers(2000);
    let campaign = resume(&journal, &m, &list).await;
    for _ in 0..5 {
        let c = claim(&campaign, "dying").await;
        campaign.start_writing(&c).await.unwrap();
        tell_parent(&format!("writing {}", c.index()));
        tokio::time::sleep(Duration::from_millis(20)).await;
        campaign
            .answered(&c, outcomes(&c, OutcomeClass::Accepted))
            .await
            .unwrap();
    }
    let writing = claim(&campaign, "dying").await;
    campaign.start_writing(&writing).await.unwrap();
    tell_parent(&format!("writing {}", writing.index()));
    let _claimed = claim(&campaign, "dying").await;
    tell_parent("ready");
    wait_for_sigkill().await
}

async fn two_workers_one_dies(f: Fixture) {
    if child_role().is_some() {
        dying_worker(&Fixture::from_child_env()).await;
    }
    let lease = Duration::from_millis(1500);
    let journal = f.open_with(f.options().lease(lease)).await;
    let m = message("Hello");
    let list = numbers(2000);
    let campaign = plan(&journal, &m, &list, 50).await;

    // The surviving worker sends while the other one works, then dies.
    let survivor = {
        let campaign = campaign.clone();
        tokio::spawn(async move {
            let mut written = Vec::new();
            loop {
                match campaign.claim_next("survivor").await.unwrap() {
                    Next::Request(c) => {
                        campaign.start_writing(&c).await.unwrap();
                        written.push(c.index());
                        tokio::time::sleep(Duration::from_millis(15)).await;
                        campaign
                            .answered(&c, outcomes(&c, OutcomeClass::Accepted))
                            .await
                            .unwrap();
                    }
                    Next::Drained { in_flight: 0 } => return written,
                    // The dead worker's leases: wait for them to run out.
                    Next::Drained { .. } => tokio::time::sleep(Duration::from_millis(100)).await,
                    other => panic!("{other:?}"),
                }
            }
        })
    };
    let said = tokio::task::spawn_blocking({
        let f = Fixture {
            kind: f.kind,
            location: f.location.clone(),
            schema: f.schema.clone(),
            _dir: None,
        };
        move || f.kill_child_when_ready("two_workers_one_dies", "dying-worker")
    })
    .await
    .unwrap();
    let written_by_survivor = survivor.await.unwrap();
    let written_by_dead: Vec<u64> = said
        .iter()
        .map(|s| s.strip_prefix("writing ").unwrap().parse().unwrap())
        .collect();
    assert_eq!(written_by_dead.len(), 6);

    // No request was written twice, and every one was written by someone.
    let mut all: Vec<u64> = written_by_survivor
        .iter()
        .chain(&written_by_dead)
        .copied()
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..40).collect::<Vec<_>>());
    // Every request ended answered, but the one the dead worker was writing: unknown.
    let states = request_states(&all_status(&campaign).await);
    let unknown: Vec<u64> = states
        .iter()
        .filter(|(_, s)| **s != RequestState::Answered)
        .map(|(i, s)| {
            assert_eq!(*s, RequestState::Unknown);
            *i
        })
        .collect();
    assert_eq!(unknown, [*written_by_dead.last().unwrap()]);
    let summary = campaign.summary().await.unwrap();
    assert_eq!((summary.accepted, summary.unknown), (1950, 50));
}

/// A journal that cannot be written (here: opened read-only) returns the error, so that the
/// receiver answers -1; nothing is stored.
async fn read_only_journal_refuses_receipts(f: Fixture) {
    let journal = f.open().await;
    plan(&journal, &message("Hello"), &numbers(3), 3).await;
    let receipt = Receipt::new("A", "447700900000", "0", OutcomeClass::Delivered, at(1));
    let read_only = f.open_with(f.options().read_only(true)).await;
    match read_only.store_receipt(&receipt).await {
        Err(e @ Error::Storage { .. }) => {
            assert!(e.to_string().contains("cannot store a receipt"), "{e}");
            assert!(std::error::Error::source(&e).is_some());
        }
        other => panic!("expected a storage error, got {other:?}"),
    }
    // Reading still works.
    let campaign = read_only.current_campaign().await.unwrap().unwrap();
    assert_eq!(campaign.summary().await.unwrap().not_sent, 3);
    // The receipt was not stored: storing it now is new.
    assert_eq!(
        journal.store_receipt(&receipt).await.unwrap(),
        ReceiptStored::Latest
    );
}

/// A journal file the process may not write (where the OS enforces it: not for root).
#[tokio::test]
async fn read_only_file_refuses_receipts() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::sqlite();
    let journal = f.open().await;
    plan(&journal, &message("Hello"), &numbers(3), 3).await;
    drop(journal);
    let dir = std::path::Path::new(&f.location).parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let enforced = std::fs::OpenOptions::new()
        .write(true)
        .open(&f.location)
        .is_err();
    let receipt = Receipt::new("A", "447700900000", "0", OutcomeClass::Delivered, at(1));
    let result = match Journal::open(&f.location, f.options()).await {
        Ok(journal) => journal.store_receipt(&receipt).await.map(|_| ()),
        Err(e) => Err(e),
    };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    if enforced {
        assert!(matches!(result, Err(Error::Storage { .. })), "{result:?}");
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "read_only_file_refuses_receipts: file permissions are not enforced for this user (root); \
             read_only_journal_refuses_receipts covers the error"
        );
    }
}

/// A store written by a newer version is refused, not misread.
#[tokio::test]
async fn newer_schema_is_refused() {
    let f = Fixture::sqlite();
    drop(f.open().await);
    let conn = rusqlite::Connection::open(&f.location).unwrap();
    conn.execute(
        "UPDATE journal_meta SET value = value + 1 WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(conn);
    match Journal::open(&f.location, f.options()).await {
        Err(Error::SchemaTooNew {
            found, supported, ..
        }) => assert_eq!(found, supported + 1),
        other => panic!("expected SchemaTooNew, got {:?}", other.map(|_| ())),
    }
}
