//! The SQLite journal: one writer connection on a thread of its own, reads on connections of
//! their own (WAL lets them run beside the writer).
//!
//! rusqlite blocks, so no SQLite call runs on the async runtime: writes are jobs sent to the
//! writer thread, reads run under `spawn_blocking`. The writer commits the jobs that queued up
//! while it was busy in one transaction (group commit), each job in a savepoint of its own so
//! that a failing one leaves the others' changes; every caller gets its answer only after the
//! commit, so each transition is durable before its call returns, and eight requests in flight
//! cost fewer commits (and fsyncs, with `synchronous=FULL`) than transitions.

use std::path::{Path, PathBuf};
use std::sync::{mpsc as std_mpsc, Arc, LazyLock};
use std::time::{Duration, SystemTime};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::hash::CampaignHash;
use crate::model::{
    from_millis, to_millis, CampaignInfo, Claim, Expired, Message, Next, OutcomeClass, Outcomes,
    Receipt, ReceiptStatus, ReceiptStored, RecipientStatus, RequestState, SentOutcome, Summary,
    UnknownRequest,
};
use crate::options::{CampaignPolicy, OpenOptions, Synchronous};
use crate::plan::{decide, Decision, PlanMessage};
use crate::schema;
use crate::sql;
use crate::status::{self, OutcomeRow, ReceiptMove, RequestRow, StateCount};

/// The most jobs committed together.
const GROUP: usize = 64;

/// The schema version this code writes; `MIGRATIONS[v - 1]` brings a store from `v - 1` to `v`.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

const SCHEMA_V1: &str = "
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    message_hash TEXT NOT NULL,
    recipients_hash TEXT NOT NULL,
    vendor TEXT NOT NULL,
    text TEXT NOT NULL,
    options TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    stopped_at INTEGER,
    stop_reason TEXT
);
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    first_position INTEGER NOT NULL,
    size INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    lease_until INTEGER,
    reason TEXT,
    updated_at INTEGER,
    accepted INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    account_failure INTEGER NOT NULL DEFAULT 0,
    UNIQUE (campaign, idx)
);
CREATE INDEX requests_by_state ON requests (campaign, state, idx);
-- Apart from the requests, so that a state change rewrites a small row, not 350 numbers.
CREATE TABLE request_recipients (
    request INTEGER PRIMARY KEY,
    numbers TEXT NOT NULL
);
CREATE TABLE outcomes (
    campaign INTEGER NOT NULL,
    position INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    code TEXT NOT NULL,
    class INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (campaign, position)
) WITHOUT ROWID;
CREATE INDEX outcomes_by_message_id ON outcomes (message_id) WHERE message_id <> '';
CREATE TABLE receipts (
    message_id TEXT PRIMARY KEY,
    sent_to TEXT NOT NULL,
    code TEXT NOT NULL,
    class INTEGER NOT NULL,
    at INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE receipt_history (
    message_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    code TEXT NOT NULL,
    sent_to TEXT NOT NULL,
    class INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, at, code, sent_to)
) WITHOUT ROWID;
";

/// An SQLite journal.
pub(crate) struct Sqlite {
    jobs: std_mpsc::Sender<Box<dyn Job>>,
    path: PathBuf,
    location: Arc<str>,
    options: OpenOptions,
}

/// A write the writer thread runs in a savepoint of the current transaction, then completes
/// once the transaction is committed (or not).
trait Job: Send {
    /// Runs the job; false when it failed and its changes must be rolled back.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller, once the transaction ended with `commit`.
    fn complete(self: Box<Self>, commit: Result<(), Arc<rusqlite::Error>>);
}

/// A job that runs a function and answers its result.
struct Call<T, F> {
    work: Option<F>,
    result: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
    location: Arc<str>,
    action: &'static str,
}

impl<T: Send, F: FnOnce(&Connection) -> Result<T> + Send> Job for Call<T, F> {
    fn run(&mut self, conn: &Connection) -> bool {
        let work = self.work.take().expect("a job runs once");
        let result = work(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn complete(self: Box<Self>, commit: Result<(), Arc<rusqlite::Error>>) {
        let answer = match (commit, self.result) {
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Err(e), _) => Err(Error::storage(&self.location, self.action, e)),
            (Ok(()), None) => Err(Error::WriterGone {
                location: self.location.to_string(),
            }),
        };
        // The caller may have stopped waiting (its future dropped): then nobody needs to know.
        let _ = self.reply.send(answer);
    }
}

impl Sqlite {
    pub(crate) async fn open(path: PathBuf, options: OpenOptions) -> Result<Self> {
        let location: Arc<str> = path.display().to_string().into();
        let (jobs, receiver) = std_mpsc::channel::<Box<dyn Job>>();
        let (ready_tx, ready_rx) = oneshot::channel();
        let thread_path = path.clone();
        let thread_options = options.clone();
        let thread_location = location.clone();
        std::thread::Builder::new()
            .name("sms-journal-writer".to_owned())
            .spawn(
                move || match open_writer(&thread_path, &thread_location, &thread_options) {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        write_loop(&conn, &receiver);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                },
            )
            .map_err(|e| Error::storage(&location, "start the writer thread", e))?;
        ready_rx.await.map_err(|_| Error::WriterGone {
            location: location.to_string(),
        })??;
        Ok(Self {
            jobs,
            path,
            location,
            options,
        })
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// Runs `work` on the writer thread, in the next transaction; answers after its commit.
    async fn write<T: Send + 'static>(
        &self,
        action: &'static str,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Call {
            work: Some(work),
            result: None,
            reply,
            location: self.location.clone(),
            action,
        });
        self.submit(job)?;
        answer.await.map_err(|_| self.gone())?
    }

    fn submit(&self, job: Box<dyn Job>) -> Result<()> {
        self.jobs.send(job).map_err(|_| self.gone())
    }

    fn gone(&self) -> Error {
        Error::WriterGone {
            location: self.location.to_string(),
        }
    }

    /// Runs `work` on a read connection of its own, in one read transaction, off the runtime.
    async fn read<T: Send + 'static>(
        &self,
        action: &'static str,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let path = self.path.clone();
        let location = self.location.clone();
        let timeout = self.options.busy_timeout;
        tokio::task::spawn_blocking(move || {
            let fail = |e: rusqlite::Error| Error::storage(&location, action, e);
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(fail)?;
            conn.busy_timeout(timeout).map_err(fail)?;
            conn.execute_batch("BEGIN").map_err(fail)?;
            let result = work(&conn);
            conn.execute_batch("COMMIT").map_err(fail)?;
            result
        })
        .await
        .map_err(|e| Error::storage(&self.location, action, e))?
    }

    pub(crate) async fn open_campaign(
        &self,
        message: Message,
        hash: CampaignHash,
        policy: CampaignPolicy,
    ) -> Result<(Decision, Option<SqlitePlan>)> {
        let (decision_tx, decision_rx) = oneshot::channel();
        let (batches_tx, batches_rx) = mpsc::channel(2);
        let (done_tx, done_rx) = oneshot::channel();
        self.submit(Box::new(PlanJob {
            location: self.location.clone(),
            message,
            hash,
            policy,
            decision: Some(decision_tx),
            batches: batches_rx,
            done: Some(done_tx),
            result: None,
        }))?;
        let decision = decision_rx.await.map_err(|_| self.gone())??;
        let plan = matches!(decision, Decision::Plan).then(|| SqlitePlan {
            batches: batches_tx,
            done: done_rx,
            location: self.location.clone(),
        });
        Ok((decision, plan))
    }

    pub(crate) async fn current_campaign(&self) -> Result<Option<CampaignInfo>> {
        let location = self.location.clone();
        self.read("read the campaign", move |conn| {
            current_campaign(conn).map_err(|e| Error::storage(&location, "read the campaign", e))
        })
        .await
    }

    pub(crate) async fn store_receipt(&self, receipt: Receipt) -> Result<ReceiptStored> {
        let location = self.location.clone();
        let action = "store a receipt";
        self.write(action, move |conn| {
            store_receipt(conn, &receipt).map_err(|e| Error::storage(&location, action, e))
        })
        .await
    }

    pub(crate) async fn claim_next(&self, campaign: i64, worker: String) -> Result<Next> {
        let location = self.location.clone();
        let lease = self.options.lease;
        let action = "claim a request";
        self.write(action, move |conn| {
            claim_next(conn, campaign, &worker, lease)
                .map_err(|e| Error::storage(&location, action, e))
        })
        .await
    }

    /// Runs `transition` on `claim`'s request; `NotHeld` when the claim no longer holds it.
    async fn transition(&self, claim: &Claim, transition: Transition) -> Result<()> {
        let location = self.location.clone();
        let lease = self.options.lease;
        let action = transition.action();
        let (row, attempt, worker, index) =
            (claim.row, claim.attempt, claim.worker.clone(), claim.index);
        self.write(action, move |conn| {
            let fail = |e| Error::storage(&location, action, e);
            let now = SystemTime::now();
            let deadline = to_millis(now + lease);
            // Every transition's SQL takes the claim, the time, and a deadline or a reason.
            let (sql, last): (&str, &dyn rusqlite::ToSql) = match &transition {
                Transition::StartWriting => (START_WRITING, &deadline),
                Transition::Renew => (RENEW, &deadline),
                Transition::Unknown(reason) => (UNKNOWN, reason),
                Transition::NotSent(reason) => (NOT_SENT, reason),
            };
            let changed = conn
                .prepare_cached(sql)
                .and_then(|mut s| s.execute(params![row, attempt, worker, to_millis(now), last]))
                .map_err(fail)?;
            if changed == 0 {
                return Err(not_held(conn, row, index, attempt).map_err(fail)?);
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn start_writing(&self, claim: &Claim) -> Result<()> {
        self.transition(claim, Transition::StartWriting).await
    }

    pub(crate) async fn renew(&self, claim: &Claim) -> Result<()> {
        self.transition(claim, Transition::Renew).await
    }

    pub(crate) async fn unknown(&self, claim: &Claim, reason: String) -> Result<()> {
        self.transition(claim, Transition::Unknown(reason)).await
    }

    pub(crate) async fn not_sent(&self, claim: &Claim, reason: String) -> Result<()> {
        self.transition(claim, Transition::NotSent(reason)).await
    }

    pub(crate) async fn answered(
        &self,
        campaign: i64,
        claim: &Claim,
        outcomes: Outcomes,
    ) -> Result<()> {
        let location = self.location.clone();
        let action = "record a request's answer";
        let (row, attempt, worker, index, first) = (
            claim.row,
            claim.attempt,
            claim.worker.clone(),
            claim.index,
            claim.first_position,
        );
        self.write(action, move |conn| {
            let fail = |e| Error::storage(&location, action, e);
            let [accepted, delivered, rejected, account_failure] = outcomes.class_counts();
            let changed = conn
                .prepare_cached(ANSWERED)
                .and_then(|mut s| {
                    s.execute(params![
                        now_millis(),
                        accepted,
                        delivered,
                        rejected,
                        account_failure,
                        row,
                        attempt,
                        worker
                    ])
                })
                .map_err(fail)?;
            if changed == 0 {
                return Err(not_held(conn, row, index, attempt).map_err(fail)?);
            }
            insert_outcomes(conn, campaign, first, &outcomes).map_err(fail)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn stop(&self, campaign: i64, reason: Option<String>) -> Result<()> {
        let location = self.location.clone();
        let action = "record the campaign's stop";
        self.write(action, move |conn| {
            match &reason {
                Some(reason) => conn.execute(
                    "UPDATE campaigns SET stopped_at = COALESCE(stopped_at, ?1), \
                     stop_reason = COALESCE(stop_reason, ?2) WHERE id = ?3",
                    params![now_millis(), reason, campaign],
                ),
                None => conn.execute(
                    "UPDATE campaigns SET stopped_at = NULL, stop_reason = NULL WHERE id = ?1",
                    [campaign],
                ),
            }
            .map_err(|e| Error::storage(&location, action, e))?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn requeue_unknown(&self, campaign: i64) -> Result<u64> {
        let location = self.location.clone();
        let action = "plan unknown requests again";
        self.write(action, move |conn| {
            let n = conn
                .execute(&REQUEUE_UNKNOWN, params![now_millis(), campaign])
                .map_err(|e| Error::storage(&location, action, e))?;
            Ok(n as u64)
        })
        .await
    }

    pub(crate) async fn expire_leases(
        &self,
        campaign: i64,
        worker: Option<String>,
    ) -> Result<Expired> {
        let location = self.location.clone();
        let action = "expire leases";
        self.write(action, move |conn| {
            expire(conn, campaign, i64::MAX, worker.as_deref())
                .map_err(|e| Error::storage(&location, action, e))
        })
        .await
    }

    pub(crate) async fn summary(&self, campaign: i64) -> Result<Summary> {
        let location = self.location.clone();
        let action = "summarize the campaign";
        self.read(action, move |conn| {
            summary(conn, campaign).map_err(|e| Error::storage(&location, action, e))
        })
        .await
    }

    pub(crate) async fn status_page(
        &self,
        campaign: i64,
        from_request: u64,
        requests: u64,
    ) -> Result<Vec<RecipientStatus>> {
        let location = self.location.clone();
        let action = "read the campaign's status";
        self.read(action, move |conn| {
            status_page(conn, campaign, from_request, requests)
                .map_err(|e| Error::storage(&location, action, e))
        })
        .await
    }

    pub(crate) async fn unknown_requests(&self, campaign: i64) -> Result<Vec<UnknownRequest>> {
        let location = self.location.clone();
        let action = "list the unknown requests";
        self.read(action, move |conn| {
            let mut s = conn
                .prepare(
                    "SELECT idx, size, COALESCE(reason, '') FROM requests \
                     WHERE campaign = ?1 AND state = 4 ORDER BY idx",
                )
                .map_err(|e| Error::storage(&location, action, e))?;
            let rows = s
                .query_map([campaign], |r| {
                    Ok(UnknownRequest {
                        index: r.get(0)?,
                        recipients: r.get(1)?,
                        reason: r.get(2)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| Error::storage(&location, action, e))?;
            Ok(rows)
        })
        .await
    }
}

/// The writer side of a plan: batches of requests go to the writer thread's plan job.
pub(crate) struct SqlitePlan {
    batches: mpsc::Sender<PlanMessage>,
    done: oneshot::Receiver<Result<CampaignInfo>>,
    location: Arc<str>,
}

impl SqlitePlan {
    pub(crate) async fn send(&self, message: PlanMessage) -> Result<()> {
        // A closed channel means the plan job ended (it failed): its answer says why.
        self.batches
            .send(message)
            .await
            .map_err(|_| Error::PlanAbandoned)
    }

    pub(crate) async fn finish(self) -> Result<CampaignInfo> {
        drop(self.batches);
        self.done.await.map_err(|_| Error::WriterGone {
            location: self.location.to_string(),
        })?
    }
}

/// Opening a campaign: decides to resume, refuse or plan in one transaction, and when it
/// plans, stays in that transaction inserting the batches the planner sends.
struct PlanJob {
    location: Arc<str>,
    message: Message,
    hash: CampaignHash,
    policy: CampaignPolicy,
    decision: Option<oneshot::Sender<Result<Decision>>>,
    batches: mpsc::Receiver<PlanMessage>,
    done: Option<oneshot::Sender<Result<CampaignInfo>>>,
    result: Option<Result<CampaignInfo>>,
}

impl PlanJob {
    fn plan(&mut self, conn: &Connection) -> Result<Option<CampaignInfo>> {
        let fail = |e| Error::storage(&self.location, "plan the campaign", e);
        let current = current_campaign(conn).map_err(fail)?;
        let decision = decide(current, &self.hash, self.policy);
        let planning = matches!(decision, Ok(Decision::Plan));
        if let Some(tx) = self.decision.take() {
            let _ = tx.send(decision);
        }
        if !planning {
            return Ok(None);
        }
        let created_at = now_millis();
        conn.execute(
            "INSERT INTO campaigns (message_hash, recipients_hash, vendor, text, options, recipients, requests, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6)",
            params![
                self.hash.message_hex(),
                self.hash.recipients_hex(),
                self.message.vendor,
                self.message.text,
                self.message.options,
                created_at
            ],
        )
        .map_err(fail)?;
        let id = conn.last_insert_rowid();
        let mut insert_request = conn
            .prepare_cached(
                "INSERT INTO requests (campaign, idx, first_position, size) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(fail)?;
        let mut insert_numbers = conn
            .prepare_cached("INSERT INTO request_recipients (request, numbers) VALUES (?1, ?2)")
            .map_err(fail)?;
        loop {
            match self.batches.blocking_recv() {
                Some(PlanMessage::Requests(requests)) => {
                    for r in requests {
                        insert_request
                            .execute(params![id, r.index, r.first_position, r.size])
                            .map_err(fail)?;
                        insert_numbers
                            .execute(params![conn.last_insert_rowid(), r.numbers])
                            .map_err(fail)?;
                    }
                }
                Some(PlanMessage::Finish {
                    recipients,
                    requests,
                }) => {
                    conn.execute(
                        "UPDATE campaigns SET recipients = ?1, requests = ?2 WHERE id = ?3",
                        params![recipients, requests, id],
                    )
                    .map_err(fail)?;
                    return Ok(Some(CampaignInfo {
                        id,
                        hash: self.hash,
                        message: self.message.clone(),
                        recipients,
                        requests,
                        created_at: from_millis(created_at),
                        stopped: None,
                    }));
                }
                None => return Err(Error::PlanAbandoned),
            }
        }
    }
}

impl Job for PlanJob {
    fn run(&mut self, conn: &Connection) -> bool {
        let result = self.plan(conn);
        let ok = result.is_ok();
        match result {
            Ok(Some(info)) => self.result = Some(Ok(info)),
            Ok(None) => {}
            Err(e) => {
                // Before a decision, the error is the decision's; after it, the plan's.
                match self.decision.take() {
                    Some(tx) => {
                        let _ = tx.send(Err(e));
                    }
                    None => self.result = Some(Err(e)),
                }
            }
        }
        ok
    }

    fn complete(mut self: Box<Self>, commit: Result<(), Arc<rusqlite::Error>>) {
        let Some(done) = self.done.take() else {
            return;
        };
        let answer = match (commit, self.result.take()) {
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(info))) => Ok(info),
            (Err(e), _) => Err(Error::storage(&self.location, "plan the campaign", e)),
            // Resumed or refused: the planner, if any, was never handed out.
            (Ok(()), None) => return,
        };
        let _ = done.send(answer);
    }
}

fn open_writer(path: &Path, location: &str, options: &OpenOptions) -> Result<Connection> {
    let fail = |action| move |e: rusqlite::Error| Error::storage(location, action, e);
    let flags = if options.read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(fail("open the file"))?;
    conn.busy_timeout(options.busy_timeout)
        .map_err(fail("set the busy timeout"))?;
    let synchronous = match options.synchronous {
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
    };
    conn.pragma_update(None, "synchronous", synchronous)
        .map_err(fail("set synchronous"))?;
    if options.read_only {
        let version = schema_version(&conn).map_err(fail("read the schema version"))?;
        schema::check_version(location, version, MIGRATIONS.len())?;
        return Ok(conn);
    }
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(fail("switch to WAL mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::storage(
            location,
            "switch to WAL mode",
            format!("SQLite kept journal_mode {mode}"),
        ));
    }
    // Room for the pages a campaign's transitions touch (outcomes and their index grow at
    // their ends), and for the statements of partial outcome batches.
    conn.pragma_update(None, "cache_size", -16_384)
        .map_err(fail("set the cache size"))?;
    // Savepoints' journals in memory, not in temporary files created and removed per job.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(fail("set temp_store"))?;
    // Checkpoints every 32 MiB of WAL rather than 4 MiB: a page rewritten by many commits
    // (the end of the outcomes, their index) is copied to the database once per checkpoint.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)
        .map_err(fail("set wal_autocheckpoint"))?;
    conn.set_prepared_statement_cache_capacity(64);
    migrate(&conn, location)?;
    Ok(conn)
}

/// Creates the schema, or brings it to the current version, in one transaction.
fn migrate(conn: &Connection, location: &str) -> Result<()> {
    let fail = |e| Error::storage(location, "create the schema", e);
    conn.execute_batch("BEGIN IMMEDIATE").map_err(fail)?;
    let result = (|| {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        )
        .map_err(fail)?;
        let version = schema_version(conn).map_err(fail)?;
        schema::check_version(location, version, MIGRATIONS.len())?;
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            conn.execute_batch(migration).map_err(fail)?;
            conn.execute(
                "INSERT OR REPLACE INTO journal_meta (key, value) VALUES ('schema_version', ?1)",
                [i as i64 + 1],
            )
            .map_err(fail)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(fail),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'journal_meta')",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(0);
    }
    Ok(conn
        .query_row(
            "SELECT value FROM journal_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

fn write_loop(conn: &Connection, jobs: &std_mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let e = Arc::new(e);
            for job in group {
                job.complete(Err(e.clone()));
            }
            continue;
        }
        let commit = if group.len() == 1 {
            // Alone in its transaction, a job needs no savepoint: on failure it all rolls back.
            if group[0].run(conn) {
                conn.execute_batch("COMMIT").map_err(Arc::new)
            } else {
                conn.execute_batch("ROLLBACK").map_err(Arc::new)
            }
        } else {
            for job in &mut group {
                let ok = conn.execute_batch("SAVEPOINT job").is_ok() && job.run(conn);
                if !ok {
                    let _ = conn.execute_batch("ROLLBACK TO job");
                }
                let _ = conn.execute_batch("RELEASE job");
            }
            conn.execute_batch("COMMIT").map_err(Arc::new)
        };
        if commit.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for job in group {
            job.complete(commit.clone());
        }
    }
}

fn now_millis() -> i64 {
    to_millis(SystemTime::now())
}

fn current_campaign(conn: &Connection) -> rusqlite::Result<Option<CampaignInfo>> {
    conn.query_row(
        "SELECT id, message_hash, recipients_hash, vendor, text, options, recipients, requests, created_at, \
         CASE WHEN stopped_at IS NULL THEN NULL ELSE COALESCE(stop_reason, '') END \
         FROM campaigns ORDER BY id DESC LIMIT 1",
        [],
        |r| {
            let message_hash: String = r.get(1)?;
            let recipients_hash: String = r.get(2)?;
            let hash = CampaignHash::from_hex(&message_hash, &recipients_hash).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    "a campaign hash is not 64 hexadecimal digits".into(),
                )
            })?;
            Ok(CampaignInfo {
                id: r.get(0)?,
                hash,
                message: Message::new(r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?),
                recipients: r.get(6)?,
                requests: r.get(7)?,
                created_at: from_millis(r.get(8)?),
                stopped: r.get(9)?,
            })
        },
    )
    .optional()
}

/// A change of a claimed request's state, checked against the claim.
enum Transition {
    StartWriting,
    Renew,
    Unknown(String),
    NotSent(String),
}

impl Transition {
    fn action(&self) -> &'static str {
        match self {
            Self::StartWriting => "record a request as being written",
            Self::Renew => "renew a lease",
            Self::Unknown(_) => "record a request's outcome as unknown",
            Self::NotSent(_) => "record a request as not sent",
        }
    }
}

// Every transition's first three parameters name the claim: row, attempt, worker.
const START_WRITING: &str = "UPDATE requests SET state = 2, updated_at = ?4, lease_until = ?5 \
     WHERE id = ?1 AND attempt = ?2 AND worker = ?3 AND state = 1";
const RENEW: &str = "UPDATE requests SET updated_at = ?4, lease_until = ?5 \
     WHERE id = ?1 AND attempt = ?2 AND worker = ?3 AND state IN (1, 2)";
const UNKNOWN: &str =
    "UPDATE requests SET state = 4, lease_until = NULL, updated_at = ?4, reason = ?5 \
     WHERE id = ?1 AND attempt = ?2 AND worker = ?3 AND state IN (2, 4)";
const NOT_SENT: &str = "UPDATE requests SET state = 0, worker = NULL, lease_until = NULL, updated_at = ?4, reason = ?5 \
     WHERE id = ?1 AND attempt = ?2 AND worker = ?3 AND state IN (1, 2, 4)";
const ANSWERED: &str =
    "UPDATE requests SET state = 3, lease_until = NULL, updated_at = ?1, reason = NULL, \
     accepted = ?2, delivered = ?3, rejected = ?4, account_failure = ?5 \
     WHERE id = ?6 AND attempt = ?7 AND worker = ?8 AND state IN (2, 4)";
static REQUEUE_UNKNOWN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE requests SET state = 0, worker = NULL, updated_at = ?1, reason = {} \
         WHERE campaign = ?2 AND state = 4",
        sql::REQUEUED
    )
});
// Parameters: now, campaign, deadline, worker (NULL for every worker).
const EXPIRE_CLAIMED: &str =
    "UPDATE requests SET state = 0, worker = NULL, lease_until = NULL, updated_at = ?1 \
     WHERE campaign = ?2 AND state = 1 AND lease_until < ?3 AND (?4 IS NULL OR worker = ?4)";
static EXPIRE_WRITING: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE requests SET state = 4, lease_until = NULL, updated_at = ?1, reason = {} \
         WHERE campaign = ?2 AND state = 2 AND lease_until < ?3 AND (?4 IS NULL OR worker = ?4)",
        sql::EXPIRED_WHILE_WRITING
    )
});
const UPSERT_LATEST_RECEIPT: &str =
    "INSERT INTO receipts (message_id, sent_to, code, class, at, received_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (message_id) DO UPDATE SET \
     sent_to = excluded.sent_to, code = excluded.code, class = excluded.class, at = excluded.at, \
     received_at = excluded.received_at WHERE excluded.at >= receipts.at";
const SUMMARY_STATES: &str =
    "SELECT state, COUNT(*), SUM(size), SUM(accepted), SUM(delivered), SUM(rejected), \
     SUM(account_failure) FROM requests WHERE campaign = ?1 GROUP BY state";
// CROSS JOIN makes SQLite start from the receipts (through the outcomes' message id index):
// the cost follows the receipts, not the campaign's million outcomes.
const SUMMARY_RECEIPTS: &str = "SELECT o.class, r.class, COUNT(*) FROM receipts r \
     CROSS JOIN outcomes o ON o.message_id = r.message_id \
     WHERE o.campaign = ?1 AND o.message_id <> '' AND r.class <> o.class GROUP BY o.class, r.class";

/// The error for a transition of `row` that matched nothing: the request's state now.
fn not_held(conn: &Connection, row: i64, index: u64, attempt: i64) -> rusqlite::Result<Error> {
    let state: i16 = conn.query_row("SELECT state FROM requests WHERE id = ?1", [row], |r| {
        r.get(0)
    })?;
    Ok(Error::NotHeld {
        request: index,
        attempt,
        state: RequestState::from_i16(state),
    })
}

/// Outcome rows per INSERT: fewer statements to run, and the vendors' request sizes (350,
/// 100) split evenly.
const OUTCOME_ROWS: usize = 50;

/// `INSERT INTO outcomes` of `rows` rows.
fn outcomes_insert(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO outcomes (campaign, position, message_id, code, class, text) VALUES ",
    );
    for i in 0..rows {
        sql.push_str(if i == 0 {
            "(?,?,?,?,?,?)"
        } else {
            ",(?,?,?,?,?,?)"
        });
    }
    sql
}

static OUTCOMES_INSERT: LazyLock<String> = LazyLock::new(|| outcomes_insert(OUTCOME_ROWS));

/// Inserts the outcomes of the request whose first recipient is at `first`.
fn insert_outcomes(
    conn: &Connection,
    campaign: i64,
    first: u64,
    outcomes: &Outcomes,
) -> rusqlite::Result<()> {
    let outcomes: Vec<_> = outcomes.iter().collect();
    for (chunk_index, chunk) in outcomes.chunks(OUTCOME_ROWS).enumerate() {
        let partial;
        let sql = if chunk.len() == OUTCOME_ROWS {
            OUTCOMES_INSERT.as_str()
        } else {
            partial = outcomes_insert(chunk.len());
            partial.as_str()
        };
        let mut insert = conn.prepare_cached(sql)?;
        let mut parameter = 1;
        for (k, o) in chunk.iter().enumerate() {
            let position = first + (chunk_index * OUTCOME_ROWS + k) as u64;
            insert.raw_bind_parameter(parameter, campaign)?;
            insert.raw_bind_parameter(parameter + 1, position)?;
            insert.raw_bind_parameter(parameter + 2, o.message_id)?;
            insert.raw_bind_parameter(parameter + 3, o.code)?;
            insert.raw_bind_parameter(parameter + 4, o.class.to_i16())?;
            insert.raw_bind_parameter(parameter + 5, o.text)?;
            parameter += 6;
        }
        insert.raw_execute()?;
    }
    Ok(())
}

/// Ends the leases of `campaign` that end before `deadline` (all with `i64::MAX`), of
/// `worker` only if given: claimed requests are planned again, requests being written become
/// unknown.
fn expire(
    conn: &Connection,
    campaign: i64,
    deadline: i64,
    worker: Option<&str>,
) -> rusqlite::Result<Expired> {
    let now = now_millis();
    let replanned = conn
        .prepare_cached(EXPIRE_CLAIMED)?
        .execute(params![now, campaign, deadline, worker])?;
    let unknown = conn
        .prepare_cached(&EXPIRE_WRITING)?
        .execute(params![now, campaign, deadline, worker])?;
    Ok(Expired {
        replanned: replanned as u64,
        unknown: unknown as u64,
    })
}

fn claim_next(
    conn: &Connection,
    campaign: i64,
    worker: &str,
    lease: Duration,
) -> rusqlite::Result<Next> {
    let now = SystemTime::now();
    expire(conn, campaign, to_millis(now), None)?;
    let stopped: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT stop_reason FROM campaigns WHERE id = ?1 AND stopped_at IS NOT NULL",
        )?
        .query_row([campaign], |r| r.get(0))
        .optional()?;
    if let Some(reason) = stopped {
        return Ok(Next::Stopped {
            reason: reason.unwrap_or_default(),
        });
    }
    let planned: Option<(i64, u64, i64, u64)> = conn
        .prepare_cached(
            "SELECT id, idx, attempt, first_position FROM requests \
             WHERE campaign = ?1 AND state = 0 ORDER BY idx LIMIT 1",
        )?
        .query_row([campaign], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((row, index, attempt, first_position)) = planned else {
        let in_flight: u64 = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM requests WHERE campaign = ?1 AND state IN (1, 2)",
            )?
            .query_row([campaign], |r| r.get(0))?;
        return Ok(Next::Drained { in_flight });
    };
    let lease_until = now + lease;
    conn.prepare_cached(
        "UPDATE requests SET state = 1, attempt = ?1, worker = ?2, lease_until = ?3, updated_at = ?4 WHERE id = ?5",
    )?
    .execute(params![attempt + 1, worker, to_millis(lease_until), to_millis(now), row])?;
    let numbers: String = conn
        .prepare_cached("SELECT numbers FROM request_recipients WHERE request = ?1")?
        .query_row([row], |r| r.get(0))?;
    Ok(Next::Request(Claim {
        row,
        index,
        attempt: attempt + 1,
        worker: worker.to_owned(),
        first_position,
        recipients: status::split_numbers(&numbers),
        lease_until: from_millis(to_millis(lease_until)),
    }))
}

fn store_receipt(conn: &Connection, receipt: &Receipt) -> rusqlite::Result<ReceiptStored> {
    let now = now_millis();
    let at = to_millis(receipt.at);
    let class = receipt.class.to_i16();
    let new = conn
        .prepare_cached(
            "INSERT INTO receipt_history (message_id, at, code, sent_to, class, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            receipt.message_id,
            at,
            receipt.code,
            receipt.sent_to,
            class,
            now
        ])?;
    if new == 0 {
        return Ok(ReceiptStored::Duplicate);
    }
    let latest = conn
        .prepare_cached(UPSERT_LATEST_RECEIPT)?
        .execute(params![
            receipt.message_id,
            receipt.sent_to,
            receipt.code,
            class,
            at,
            now
        ])?;
    Ok(if latest == 0 {
        ReceiptStored::Older
    } else {
        ReceiptStored::Latest
    })
}

fn summary(conn: &Connection, campaign: i64) -> rusqlite::Result<Summary> {
    let states = conn
        .prepare_cached(SUMMARY_STATES)?
        .query_map([campaign], |r| {
            Ok(StateCount {
                state: RequestState::from_i16(r.get(0)?),
                requests: r.get(1)?,
                recipients: r.get(2)?,
                classes: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let moves = conn
        .prepare_cached(SUMMARY_RECEIPTS)?
        .query_map([campaign], |r| {
            Ok(ReceiptMove {
                sent: OutcomeClass::from_i16(r.get(0)?),
                receipt: OutcomeClass::from_i16(r.get(1)?),
                count: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(status::summarize(states, moves))
}

fn status_page(
    conn: &Connection,
    campaign: i64,
    from_request: u64,
    requests: u64,
) -> rusqlite::Result<Vec<RecipientStatus>> {
    let requests = conn
        .prepare_cached(
            "SELECT q.idx, q.state, q.first_position, q.reason, n.numbers FROM requests q \
             JOIN request_recipients n ON n.request = q.id \
             WHERE q.campaign = ?1 AND q.idx >= ?2 ORDER BY q.idx LIMIT ?3",
        )?
        .query_map(params![campaign, from_request, requests], |r| {
            Ok(RequestRow {
                index: r.get(0)?,
                state: RequestState::from_i16(r.get(1)?),
                first_position: r.get(2)?,
                reason: r.get(3)?,
                numbers: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (Some(first), Some(last)) = (requests.first(), requests.last()) else {
        return Ok(Vec::new());
    };
    let from = first.first_position;
    let to = last.first_position + last.numbers.split('\n').count() as u64;
    let outcomes = conn
        .prepare_cached(
            "SELECT o.position, o.message_id, o.code, o.class, o.text, r.code, r.class, r.at \
             FROM outcomes o LEFT JOIN receipts r ON r.message_id = o.message_id AND o.message_id <> '' \
             WHERE o.campaign = ?1 AND o.position >= ?2 AND o.position < ?3 ORDER BY o.position",
        )?
        .query_map(params![campaign, from, to], |r| {
            let receipt_code: Option<String> = r.get(5)?;
            Ok(OutcomeRow {
                position: r.get(0)?,
                sent: SentOutcome {
                    message_id: r.get(1)?,
                    code: r.get(2)?,
                    class: OutcomeClass::from_i16(r.get(3)?),
                    text: r.get(4)?,
                },
                receipt: match receipt_code {
                    Some(code) => Some(ReceiptStatus {
                        code,
                        class: OutcomeClass::from_i16(r.get(6)?),
                        at: from_millis(r.get(7)?),
                    }),
                    None => None,
                },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(status::merge(requests, outcomes))
}
