//! The PostgreSQL journal, shared by workers on several machines, over tokio-postgres with a
//! small deadpool pool.
//!
//! Each transition is one statement (the answer and its outcomes included, through a
//! data-modifying `WITH`), so it commits on its own with no transaction to hold open, and
//! concurrent calls spread over the pool's connections. Claims take the next planned request
//! with `FOR UPDATE SKIP LOCKED`, so workers never wait for each other's claims. Lease
//! deadlines are taken by the server's clock (`journal_now_ms()`), so that workers' clocks
//! need not agree.

use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::{GenericClient, IsolationLevel, NoTls, Row};

use crate::error::{Error, Result};
use crate::hash::CampaignHash;
use crate::model::{
    from_millis, CampaignInfo, Claim, Expired, Message, Next, OutcomeClass, Outcomes, Receipt,
    ReceiptStatus, ReceiptStored, RecipientStatus, RequestState, SentOutcome, Summary,
    UnknownRequest,
};
use crate::options::{CampaignPolicy, Location, OpenOptions};
use crate::plan::{decide, Decision, PlanMessage};
use crate::schema;
use crate::sql;
use crate::status::{self, OutcomeRow, ReceiptMove, RequestRow, StateCount};

/// `MIGRATIONS[v - 1]` brings a store from schema version `v - 1` to `v`.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

const SCHEMA_V1: &str = "
CREATE FUNCTION journal_now_ms() RETURNS bigint LANGUAGE sql VOLATILE
    AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;
CREATE TABLE campaigns (
    id BIGSERIAL PRIMARY KEY,
    message_hash TEXT NOT NULL,
    recipients_hash TEXT NOT NULL,
    vendor TEXT NOT NULL,
    text TEXT NOT NULL,
    options TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    stopped_at BIGINT,
    stop_reason TEXT
);
CREATE TABLE requests (
    id BIGSERIAL PRIMARY KEY,
    campaign BIGINT NOT NULL REFERENCES campaigns (id),
    idx BIGINT NOT NULL,
    first_position BIGINT NOT NULL,
    size BIGINT NOT NULL,
    state SMALLINT NOT NULL DEFAULT 0,
    attempt BIGINT NOT NULL DEFAULT 0,
    worker TEXT,
    lease_until BIGINT,
    reason TEXT,
    updated_at BIGINT,
    accepted BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    account_failure BIGINT NOT NULL DEFAULT 0,
    -- Out of line (TOAST): an update of the state does not rewrite it.
    numbers TEXT NOT NULL,
    UNIQUE (campaign, idx)
);
CREATE INDEX requests_by_state ON requests (campaign, state, idx);
CREATE TABLE outcomes (
    campaign BIGINT NOT NULL,
    position BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    code TEXT NOT NULL,
    class SMALLINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (campaign, position)
);
CREATE INDEX outcomes_by_message_id ON outcomes (message_id) WHERE message_id <> '';
CREATE TABLE receipts (
    message_id TEXT PRIMARY KEY,
    sent_to TEXT NOT NULL,
    code TEXT NOT NULL,
    class SMALLINT NOT NULL,
    at BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE TABLE receipt_history (
    message_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    code TEXT NOT NULL,
    sent_to TEXT NOT NULL,
    class SMALLINT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, at, code, sent_to)
);
";

/// A PostgreSQL journal.
pub(crate) struct Postgres {
    pool: Pool,
    location: String,
    lease_ms: i64,
}

impl Postgres {
    pub(crate) async fn open(url: &str, options: OpenOptions) -> Result<Self> {
        let location = Location::Postgres(url.to_owned()).to_string();
        let bad = |reason: String| Error::Location {
            location: location.clone(),
            reason,
        };
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| bad(format!("not a PostgreSQL URL: {e}")))?;
        let mut settings = Vec::new();
        if let Some(schema) = &options.postgres_schema {
            let plain = schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && schema
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !plain {
                return Err(bad(format!(
                    "the schema name {schema:?} is not a plain lower-case identifier"
                )));
            }
            settings.push(format!("-c search_path={schema}"));
        }
        if options.read_only {
            // Every connection of the pool, including those it opens later.
            settings.push("-c default_transaction_read_only=on".to_owned());
        }
        if !settings.is_empty() {
            // After the URL's own `options`, if any.
            let given = config.get_options().map(str::to_owned);
            settings.splice(0..0, given);
            config.options(settings.join(" "));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size)
            .build()
            .map_err(|e| Error::storage(&location, "set up the connection pool", e))?;
        let journal = Self {
            pool,
            location,
            lease_ms: lease_ms(options.lease),
        };
        let mut client = journal.client("connect").await?;
        if options.read_only {
            let version = schema_version(&**client)
                .await
                .map_err(|e| journal.fail("read the schema version", e))?;
            schema::check_version(&journal.location, version, MIGRATIONS.len())?;
        } else {
            migrate(
                &mut client,
                options.postgres_schema.as_deref(),
                &journal.location,
            )
            .await?;
        }
        Ok(journal)
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    fn fail(&self, action: &'static str, e: tokio_postgres::Error) -> Error {
        Error::storage(&self.location, action, e)
    }

    async fn client(&self, action: &'static str) -> Result<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| Error::storage(&self.location, action, e))
    }

    /// Runs one statement, prepared once per connection, and returns its rows.
    async fn query(
        &self,
        action: &'static str,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>> {
        let client = self.client(action).await?;
        let statement = client
            .prepare_cached(sql)
            .await
            .map_err(|e| self.fail(action, e))?;
        client
            .query(&statement, params)
            .await
            .map_err(|e| self.fail(action, e))
    }

    pub(crate) async fn open_campaign(
        &self,
        message: Message,
        hash: CampaignHash,
        policy: CampaignPolicy,
    ) -> Result<(Decision, Option<PostgresPlan>)> {
        let action = "plan the campaign";
        let client = self.client(action).await?;
        let fail = |e| self.fail(action, e);
        // Workers opening the same journal at once: the first plans, the others wait here,
        // then find its campaign. If it dies, its transaction ends and the next one plans.
        client.batch_execute("BEGIN").await.map_err(fail)?;
        // From here on, an error closes the connection rather than pooling it mid-transaction.
        let tx = InTransaction(Some(client));
        let client = tx.client()?;
        client
            .execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('sms-journal campaign ' || current_schema(), 0))",
                &[],
            )
            .await
            .map_err(fail)?;
        let current = current_campaign(&***client).await.map_err(fail)?;
        match decide(current, &hash, policy) {
            Ok(Decision::Plan) => {}
            other => {
                client.batch_execute("ROLLBACK").await.map_err(fail)?;
                tx.release();
                return other.map(|decision| (decision, None));
            }
        }
        let row = client
            .query_one(
                "INSERT INTO campaigns (message_hash, recipients_hash, vendor, text, options, recipients, requests, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, 0, journal_now_ms()) RETURNING id, created_at",
                &[
                    &hash.message_hex(),
                    &hash.recipients_hex(),
                    &message.vendor,
                    &message.text,
                    &message.options,
                ],
            )
            .await
            .map_err(fail)?;
        let info = CampaignInfo {
            id: row.get(0),
            hash,
            message,
            recipients: 0,
            requests: 0,
            created_at: from_millis(row.get(1)),
            stopped: None,
        };
        let plan = PostgresPlan {
            tx,
            info,
            location: self.location.clone(),
        };
        Ok((Decision::Plan, Some(plan)))
    }

    pub(crate) async fn current_campaign(&self) -> Result<Option<CampaignInfo>> {
        let action = "read the campaign";
        let client = self.client(action).await?;
        current_campaign(&**client)
            .await
            .map_err(|e| self.fail(action, e))
    }

    pub(crate) async fn store_receipt(&self, receipt: Receipt) -> Result<ReceiptStored> {
        let rows = self
            .query(
                "store a receipt",
                STORE_RECEIPT,
                &[
                    &receipt.message_id,
                    &crate::model::to_millis(receipt.at),
                    &receipt.code,
                    &receipt.sent_to,
                    &receipt.class.to_i16(),
                ],
            )
            .await?;
        let (new, latest): (i64, i64) = (rows[0].get(0), rows[0].get(1));
        Ok(match (new, latest) {
            (0, _) => ReceiptStored::Duplicate,
            (_, 0) => ReceiptStored::Older,
            _ => ReceiptStored::Latest,
        })
    }

    pub(crate) async fn claim_next(&self, campaign: i64, worker: String) -> Result<Next> {
        let action = "claim a request";
        self.expire(action, campaign, None, None).await?;
        let stopped = self
            .query(
                action,
                "SELECT COALESCE(stop_reason, '') FROM campaigns WHERE id = $1 AND stopped_at IS NOT NULL",
                &[&campaign],
            )
            .await?;
        if let Some(row) = stopped.first() {
            return Ok(Next::Stopped { reason: row.get(0) });
        }
        let claimed = self
            .query(action, CLAIM, &[&campaign, &worker, &self.lease_ms])
            .await?;
        let Some(row) = claimed.first() else {
            let in_flight = self
                .query(
                    action,
                    "SELECT COUNT(*) FROM requests WHERE campaign = $1 AND state IN (1, 2)",
                    &[&campaign],
                )
                .await?;
            return Ok(Next::Drained {
                in_flight: in_flight[0].get::<_, i64>(0) as u64,
            });
        };
        Ok(Next::Request(Claim {
            row: row.get(0),
            index: row.get::<_, i64>(1) as u64,
            attempt: row.get(2),
            worker,
            first_position: row.get::<_, i64>(3) as u64,
            recipients: status::split_numbers(row.get(4)),
            lease_until: from_millis(row.get(5)),
        }))
    }

    /// Ends leases of `campaign` that end before `deadline` (the server's now if `None`), of
    /// `worker` only if given.
    async fn expire(
        &self,
        action: &'static str,
        campaign: i64,
        deadline: Option<i64>,
        worker: Option<&str>,
    ) -> Result<Expired> {
        let rows = self
            .query(action, &EXPIRE, &[&campaign, &deadline, &worker])
            .await?;
        let mut expired = Expired::default();
        for row in rows {
            match RequestState::from_i16(row.get(0)) {
                RequestState::Planned => expired.replanned += 1,
                _ => expired.unknown += 1,
            }
        }
        Ok(expired)
    }

    /// Runs the transition `sql` (parameters: row, attempt, worker, then `extra`) on
    /// `claim`'s request; `NotHeld` when the claim no longer holds it.
    async fn transition(
        &self,
        action: &'static str,
        claim: &Claim,
        sql: &str,
        extra: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> Result<()> {
        let changed = self
            .query(
                action,
                sql,
                &[&claim.row, &claim.attempt, &claim.worker, extra],
            )
            .await?;
        if changed.is_empty() {
            return Err(self.not_held(action, claim).await?);
        }
        Ok(())
    }

    async fn not_held(&self, action: &'static str, claim: &Claim) -> Result<Error> {
        let rows = self
            .query(
                action,
                "SELECT state FROM requests WHERE id = $1",
                &[&claim.row],
            )
            .await?;
        Ok(Error::NotHeld {
            request: claim.index,
            attempt: claim.attempt,
            state: RequestState::from_i16(rows.first().map_or(4, |r| r.get(0))),
        })
    }

    pub(crate) async fn start_writing(&self, claim: &Claim) -> Result<()> {
        let action = "record a request as being written";
        self.transition(action, claim, START_WRITING, &self.lease_ms)
            .await
    }

    pub(crate) async fn renew(&self, claim: &Claim) -> Result<()> {
        self.transition("renew a lease", claim, RENEW, &self.lease_ms)
            .await
    }

    pub(crate) async fn unknown(&self, claim: &Claim, reason: String) -> Result<()> {
        let action = "record a request's outcome as unknown";
        self.transition(action, claim, UNKNOWN, &reason).await
    }

    pub(crate) async fn not_sent(&self, claim: &Claim, reason: String) -> Result<()> {
        let action = "record a request as not sent";
        self.transition(action, claim, NOT_SENT, &reason).await
    }

    pub(crate) async fn answered(
        &self,
        _campaign: i64,
        claim: &Claim,
        outcomes: Outcomes,
    ) -> Result<()> {
        let action = "record a request's answer";
        let [accepted, delivered, rejected, account_failure] = outcomes.class_counts();
        let mut columns: [Vec<&str>; 3] = Default::default();
        let mut classes = Vec::with_capacity(outcomes.len());
        for o in outcomes.iter() {
            columns[0].push(o.message_id);
            columns[1].push(o.code);
            columns[2].push(o.text);
            classes.push(o.class.to_i16());
        }
        let inserted = self
            .query(
                action,
                ANSWERED,
                &[
                    &claim.row,
                    &claim.attempt,
                    &claim.worker,
                    &accepted,
                    &delivered,
                    &rejected,
                    &account_failure,
                    &columns[0],
                    &columns[1],
                    &classes,
                    &columns[2],
                ],
            )
            .await?;
        if inserted.is_empty() {
            return Err(self.not_held(action, claim).await?);
        }
        Ok(())
    }

    pub(crate) async fn stop(&self, campaign: i64, reason: Option<String>) -> Result<()> {
        let action = "record the campaign's stop";
        match reason {
            Some(reason) => self.query(action, STOP, &[&campaign, &reason]).await?,
            None => {
                self.query(
                    action,
                    "UPDATE campaigns SET stopped_at = NULL, stop_reason = NULL WHERE id = $1",
                    &[&campaign],
                )
                .await?
            }
        };
        Ok(())
    }

    pub(crate) async fn requeue_unknown(&self, campaign: i64) -> Result<u64> {
        let rows = self
            .query(
                "plan unknown requests again",
                &REQUEUE_UNKNOWN,
                &[&campaign],
            )
            .await?;
        Ok(rows.len() as u64)
    }

    pub(crate) async fn expire_leases(
        &self,
        campaign: i64,
        worker: Option<String>,
    ) -> Result<Expired> {
        self.expire("expire leases", campaign, Some(i64::MAX), worker.as_deref())
            .await
    }

    /// Runs `read` in a read-only, repeatable-read transaction: a consistent snapshot.
    async fn read<T>(
        &self,
        action: &'static str,
        read: impl AsyncFnOnce(&tokio_postgres::Transaction<'_>) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T> {
        let mut client = self.client(action).await?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(IsolationLevel::RepeatableRead)
            .start()
            .await
            .map_err(|e| self.fail(action, e))?;
        let value = read(&tx).await.map_err(|e| self.fail(action, e))?;
        tx.commit().await.map_err(|e| self.fail(action, e))?;
        Ok(value)
    }

    pub(crate) async fn summary(&self, campaign: i64) -> Result<Summary> {
        self.read("summarize the campaign", async |tx| {
            let states = tx
                .query(SUMMARY_STATES, &[&campaign])
                .await?
                .iter()
                .map(|r| StateCount {
                    state: RequestState::from_i16(r.get(0)),
                    requests: r.get(1),
                    recipients: r.get(2),
                    classes: [r.get(3), r.get(4), r.get(5), r.get(6)],
                })
                .collect();
            let moves = tx
                .query(SUMMARY_RECEIPTS, &[&campaign])
                .await?
                .iter()
                .map(|r| ReceiptMove {
                    sent: OutcomeClass::from_i16(r.get(0)),
                    receipt: OutcomeClass::from_i16(r.get(1)),
                    count: r.get(2),
                })
                .collect();
            Ok(status::summarize(states, moves))
        })
        .await
    }

    pub(crate) async fn status_page(
        &self,
        campaign: i64,
        from_request: u64,
        requests: u64,
    ) -> Result<Vec<RecipientStatus>> {
        self.read("read the campaign's status", async |tx| {
            let requests: Vec<RequestRow> = tx
                .query(
                    "SELECT idx, state, first_position, reason, numbers FROM requests \
                     WHERE campaign = $1 AND idx >= $2 ORDER BY idx LIMIT $3",
                    &[&campaign, &(from_request as i64), &(requests as i64)],
                )
                .await?
                .iter()
                .map(|r| RequestRow {
                    index: r.get::<_, i64>(0) as u64,
                    state: RequestState::from_i16(r.get(1)),
                    first_position: r.get::<_, i64>(2) as u64,
                    reason: r.get(3),
                    numbers: r.get(4),
                })
                .collect();
            let (Some(first), Some(last)) = (requests.first(), requests.last()) else {
                return Ok(Vec::new());
            };
            let from = first.first_position as i64;
            let to = (last.first_position + last.numbers.split('\n').count() as u64) as i64;
            let outcomes = tx
                .query(
                    "SELECT o.position, o.message_id, o.code, o.class, o.text, r.code, r.class, r.at \
                     FROM outcomes o LEFT JOIN receipts r ON r.message_id = o.message_id AND o.message_id <> '' \
                     WHERE o.campaign = $1 AND o.position >= $2 AND o.position < $3 ORDER BY o.position",
                    &[&campaign, &from, &to],
                )
                .await?
                .iter()
                .map(|r| OutcomeRow {
                    position: r.get::<_, i64>(0) as u64,
                    sent: SentOutcome {
                        message_id: r.get(1),
                        code: r.get(2),
                        class: OutcomeClass::from_i16(r.get(3)),
                        text: r.get(4),
                    },
                    receipt: r.get::<_, Option<String>>(5).map(|code| ReceiptStatus {
                        code,
                        class: OutcomeClass::from_i16(r.get(6)),
                        at: from_millis(r.get(7)),
                    }),
                })
                .collect();
            Ok(status::merge(requests, outcomes))
        })
        .await
    }

    pub(crate) async fn unknown_requests(&self, campaign: i64) -> Result<Vec<UnknownRequest>> {
        let rows = self
            .query(
                "list the unknown requests",
                "SELECT idx, size, COALESCE(reason, '') FROM requests \
                 WHERE campaign = $1 AND state = 4 ORDER BY idx",
                &[&campaign],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| UnknownRequest {
                index: r.get::<_, i64>(0) as u64,
                recipients: r.get::<_, i64>(1) as u64,
                reason: r.get(2),
            })
            .collect())
    }
}

/// A pooled connection in a transaction. Dropped before [`release`](Self::release) (an
/// error, a planner given up), it is closed, so that the server rolls back, rather than
/// returned to the pool in the middle of a transaction.
struct InTransaction(Option<Object>);

impl InTransaction {
    fn client(&self) -> Result<&Object> {
        self.0.as_ref().ok_or(Error::PlanAbandoned)
    }

    /// The transaction is over: the connection goes back to the pool.
    fn release(mut self) {
        drop(self.0.take());
    }
}

impl Drop for InTransaction {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            drop(Object::take(client));
        }
    }
}

/// A plan in progress: a connection of its own, in the transaction that holds the journal's
/// planning lock.
pub(crate) struct PostgresPlan {
    tx: InTransaction,
    info: CampaignInfo,
    location: String,
}

impl PostgresPlan {
    pub(crate) async fn send(&mut self, message: PlanMessage) -> Result<()> {
        let fail = |e| Error::storage(&self.location, "plan the campaign", e);
        let client = self.tx.client()?;
        match message {
            PlanMessage::Requests(requests) => {
                let mut indexes = Vec::with_capacity(requests.len());
                let mut firsts = Vec::with_capacity(requests.len());
                let mut sizes = Vec::with_capacity(requests.len());
                let mut numbers = Vec::with_capacity(requests.len());
                for r in requests {
                    indexes.push(r.index as i64);
                    firsts.push(r.first_position as i64);
                    sizes.push(r.size as i64);
                    numbers.push(r.numbers);
                }
                let statement = client
                    .prepare_cached(
                        "INSERT INTO requests (campaign, idx, first_position, size, numbers) \
                         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[])",
                    )
                    .await
                    .map_err(fail)?;
                client
                    .execute(
                        &statement,
                        &[&self.info.id, &indexes, &firsts, &sizes, &numbers],
                    )
                    .await
                    .map_err(fail)?;
            }
            PlanMessage::Finish {
                recipients,
                requests,
            } => {
                client
                    .execute(
                        "UPDATE campaigns SET recipients = $1, requests = $2 WHERE id = $3",
                        &[&(recipients as i64), &(requests as i64), &self.info.id],
                    )
                    .await
                    .map_err(fail)?;
                self.info.recipients = recipients;
                self.info.requests = requests;
            }
        }
        Ok(())
    }

    pub(crate) async fn finish(self) -> Result<CampaignInfo> {
        self.tx
            .client()?
            .batch_execute("COMMIT")
            .await
            .map_err(|e| Error::storage(&self.location, "plan the campaign", e))?;
        self.tx.release();
        Ok(self.info)
    }
}

async fn migrate(client: &mut Object, schema: Option<&str>, location: &str) -> Result<()> {
    let fail = |e| Error::storage(location, "create the schema", e);
    let tx = client.transaction().await.map_err(fail)?;
    // Several workers opening a new database at once: one creates the schema.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('sms-journal schema', 0))",
        &[],
    )
    .await
    .map_err(fail)?;
    if let Some(schema) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await
            .map_err(fail)?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    )
    .await
    .map_err(fail)?;
    let version = schema_version(&*tx).await.map_err(fail)?;
    schema::check_version(location, version, MIGRATIONS.len())?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(migration).await.map_err(fail)?;
        tx.execute(
            "INSERT INTO journal_meta (key, value) VALUES ('schema_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&(i as i64 + 1)],
        )
        .await
        .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)
}

async fn schema_version(client: &impl GenericClient) -> Result<i64, tokio_postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('journal_meta') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt(
            "SELECT value FROM journal_meta WHERE key = 'schema_version'",
            &[],
        )
        .await?;
    Ok(row.map_or(0, |r| r.get(0)))
}

async fn current_campaign(
    client: &impl GenericClient,
) -> Result<Option<CampaignInfo>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT id, message_hash, recipients_hash, vendor, text, options, recipients, requests, created_at, \
             CASE WHEN stopped_at IS NULL THEN NULL ELSE COALESCE(stop_reason, '') END \
             FROM campaigns ORDER BY id DESC LIMIT 1",
            &[],
        )
        .await?;
    Ok(row.and_then(|r| {
        Some(CampaignInfo {
            id: r.get(0),
            // Written by this crate: a malformed hash reads as no campaign rather than a panic.
            hash: CampaignHash::from_hex(r.get(1), r.get(2))?,
            message: Message::new(
                r.get::<_, String>(3),
                r.get::<_, String>(4),
                r.get::<_, String>(5),
            ),
            recipients: r.get::<_, i64>(6) as u64,
            requests: r.get::<_, i64>(7) as u64,
            created_at: from_millis(r.get(8)),
            stopped: r.get(9),
        })
    }))
}

// Every transition's first three parameters name the claim: row, attempt, worker. Each
// returns a row when it changed the request.
const START_WRITING: &str = "UPDATE requests SET state = 2, updated_at = journal_now_ms(), \
     lease_until = journal_now_ms() + $4 \
     WHERE id = $1 AND attempt = $2 AND worker = $3 AND state = 1 RETURNING 1";
const RENEW: &str =
    "UPDATE requests SET updated_at = journal_now_ms(), lease_until = journal_now_ms() + $4 \
     WHERE id = $1 AND attempt = $2 AND worker = $3 AND state IN (1, 2) RETURNING 1";
const UNKNOWN: &str = "UPDATE requests SET state = 4, lease_until = NULL, updated_at = journal_now_ms(), reason = $4 \
     WHERE id = $1 AND attempt = $2 AND worker = $3 AND state IN (2, 4) RETURNING 1";
const NOT_SENT: &str = "UPDATE requests SET state = 0, worker = NULL, lease_until = NULL, \
     updated_at = journal_now_ms(), reason = $4 \
     WHERE id = $1 AND attempt = $2 AND worker = $3 AND state IN (1, 2, 4) RETURNING 1";
// One statement: the request's state and its outcomes commit together, or neither does.
const ANSWERED: &str = "WITH held AS ( \
       UPDATE requests SET state = 3, lease_until = NULL, updated_at = journal_now_ms(), reason = NULL, \
       accepted = $4, delivered = $5, rejected = $6, account_failure = $7 \
       WHERE id = $1 AND attempt = $2 AND worker = $3 AND state IN (2, 4) \
       RETURNING campaign, first_position) \
     INSERT INTO outcomes (campaign, position, message_id, code, class, text) \
     SELECT held.campaign, held.first_position + t.i - 1, t.message_id, t.code, t.class, t.text \
     FROM held, unnest($8::text[], $9::text[], $10::smallint[], $11::text[]) \
       WITH ORDINALITY AS t(message_id, code, class, text, i) \
     RETURNING 1";
const CLAIM: &str = "UPDATE requests SET state = 1, attempt = attempt + 1, worker = $2, \
     lease_until = journal_now_ms() + $3, updated_at = journal_now_ms() \
     WHERE id = (SELECT id FROM requests WHERE campaign = $1 AND state = 0 \
                 ORDER BY idx LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING id, idx, attempt, first_position, numbers, lease_until";
// Parameters: campaign, deadline (NULL: the server's now), worker (NULL: every worker).
static EXPIRE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE requests SET \
           state = CASE WHEN state = 1 THEN 0 ELSE 4 END, \
           reason = CASE WHEN state = 1 THEN reason ELSE {} END, \
           worker = CASE WHEN state = 1 THEN NULL ELSE worker END, \
           lease_until = NULL, updated_at = journal_now_ms() \
         WHERE campaign = $1 AND state IN (1, 2) \
           AND lease_until < COALESCE($2::bigint, journal_now_ms()) \
           AND ($3::text IS NULL OR worker = $3) \
         RETURNING state",
        sql::EXPIRED_WHILE_WRITING
    )
});
static REQUEUE_UNKNOWN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE requests SET state = 0, worker = NULL, updated_at = journal_now_ms(), reason = {} \
         WHERE campaign = $1 AND state = 4 RETURNING 1",
        sql::REQUEUED
    )
});
const STOP: &str = "UPDATE campaigns SET stopped_at = COALESCE(stopped_at, journal_now_ms()), \
     stop_reason = COALESCE(stop_reason, $2) WHERE id = $1";
// A receipt seen before (same message, time, code and number) inserts no history row, and
// then changes nothing; a new one becomes the latest unless an older report.
const STORE_RECEIPT: &str = "WITH new AS ( \
       INSERT INTO receipt_history (message_id, at, code, sent_to, class, received_at) \
       VALUES ($1, $2, $3, $4, $5, journal_now_ms()) ON CONFLICT DO NOTHING RETURNING 1), \
     latest AS ( \
       INSERT INTO receipts (message_id, sent_to, code, class, at, received_at) \
       SELECT $1, $4, $3, $5, $2, journal_now_ms() FROM new \
       ON CONFLICT (message_id) DO UPDATE SET sent_to = excluded.sent_to, code = excluded.code, \
         class = excluded.class, at = excluded.at, received_at = excluded.received_at \
       WHERE excluded.at >= receipts.at RETURNING 1) \
     SELECT (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM latest)";
const SUMMARY_STATES: &str = "SELECT state, COUNT(*), SUM(size)::bigint, SUM(accepted)::bigint, \
     SUM(delivered)::bigint, SUM(rejected)::bigint, SUM(account_failure)::bigint \
     FROM requests WHERE campaign = $1 GROUP BY state";
const SUMMARY_RECEIPTS: &str = "SELECT o.class, r.class, COUNT(*) FROM receipts r \
     JOIN outcomes o ON o.message_id = r.message_id \
     WHERE o.campaign = $1 AND o.message_id <> '' AND r.class <> o.class GROUP BY o.class, r.class";

/// A lease as the server adds it to its clock: milliseconds.
fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX)
}
