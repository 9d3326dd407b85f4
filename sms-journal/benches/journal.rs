//! The journal's costs, on SQLite in a temporary folder (and on PostgreSQL when
//! `SMS_JOURNAL_TEST_POSTGRES` names a server):
//!
//! * `million`: a campaign of 1,000,000 recipients planned in requests of 350, then every
//!   request through claim → writing → answered with 350 outcomes, by 1 or 8 tasks at once
//!   (requests in flight), as the send engine drives it; the peak memory of the run (VmHWM,
//!   reset before it) is printed;
//! * `transitions`: one request through claim → writing → not sent, again and again, one at
//!   a time: three commits each, with `synchronous` NORMAL and FULL;
//! * `receipts`: receipts stored one at a time and 8 at once, NORMAL and FULL;
//! * `summary_of_a_million`, `status_of_a_million`: reading a campaign of a million sent,
//!   with 10,000 receipts: its summary, and every status row page by page.
//!
//! Run with `cargo bench -p sms-journal`, or one of them with `cargo bench -p sms-journal --
//! million`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use divan::counter::ItemsCount;
use divan::Bencher;
use sms_journal::{
    Campaign, CampaignHasher, CampaignPolicy, CampaignStart, Journal, Message, Next, OpenOptions,
    Outcome, OutcomeClass, Outcomes, Receipt, Synchronous,
};

fn main() {
    divan::main();
}

const MILLION: usize = 1_000_000;
const REQUEST_SIZE: usize = 350;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn number(i: usize) -> String {
    format!("44770{i:07}")
}

/// Opens a campaign of `count` numbers in requests of `size`, streaming the list twice (hash,
/// then plan) as the CLI does, never holding it.
async fn plan(journal: &Journal, count: usize, size: usize) -> Campaign {
    let message = Message::new("csoft", "Hello from the benchmark", "{}");
    let mut hasher = CampaignHasher::new(&message);
    (0..count).for_each(|i| hasher.recipient(&number(i)));
    let CampaignStart::Plan(mut planner) = journal
        .open_campaign(&message, hasher.finish(), CampaignPolicy::Resume)
        .await
        .expect("the campaign opens")
    else {
        panic!("a new journal plans");
    };
    let mut request = Vec::with_capacity(size);
    for i in 0..count {
        request.push(number(i));
        if request.len() == size || i + 1 == count {
            planner.request(&request).await.expect("planned");
            request.clear();
        }
    }
    planner.finish().await.expect("the plan commits")
}

/// Runs every request of `campaign` through claim → writing → answered, `in_flight` at once.
async fn send_all(campaign: &Campaign, in_flight: usize) {
    let workers: Vec<_> = (0..in_flight)
        .map(|w| {
            let campaign = campaign.clone();
            tokio::spawn(async move {
                let worker = format!("bench-{w}");
                let mut id = String::new();
                while let Next::Request(claim) = campaign.claim_next(&worker).await.unwrap() {
                    campaign.start_writing(&claim).await.unwrap();
                    let mut outcomes = Outcomes::with_capacity(claim.recipients().len());
                    for (i, number) in claim.recipients().iter().enumerate() {
                        id.clear();
                        use std::fmt::Write;
                        write!(id, "{:08X}", claim.first_position() as usize + i).unwrap();
                        outcomes.push(Outcome::new(
                            number,
                            &id,
                            "-2",
                            OutcomeClass::Accepted,
                            "Accepted by csoft: queued",
                        ));
                    }
                    campaign.answered(&claim, outcomes).await.unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
}

/// Resets the peak resident memory of this process (Linux), so that the next reading is the
/// peak of what runs in between.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident memory since the last reset, in MiB (Linux).
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn million_run(bencher: Bencher, place: impl Fn() -> Place, in_flight: usize) {
    let rt = runtime();
    bencher
        .counter(ItemsCount::new(MILLION))
        .with_inputs(place)
        .bench_local_values(|(_dir, location, options)| {
            reset_peak_memory();
            let started = std::time::Instant::now();
            rt.block_on(async {
                let journal = Journal::open(&location, options).await.unwrap();
                let campaign = plan(&journal, MILLION, REQUEST_SIZE).await;
                let planned = started.elapsed();
                send_all(&campaign, in_flight).await;
                let summary = campaign.summary().await.unwrap();
                assert_eq!(summary.accepted, MILLION as u64);
                eprintln!(
                    "million, {in_flight} in flight: planned in {:.2} s, sent in {:.2} s, peak memory {:.0} MiB",
                    planned.as_secs_f64(),
                    (started.elapsed() - planned).as_secs_f64(),
                    peak_memory_mib().unwrap_or(f64::NAN)
                );
            });
        });
}

/// Where a benchmark keeps its journal: the temporary folder (removed when dropped) of an
/// SQLite one, its location, its options.
type Place = (Option<tempfile::TempDir>, String, OpenOptions);

/// A fresh SQLite journal.
fn sqlite_location(synchronous: Synchronous) -> Place {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("journal.db").display().to_string();
    (Some(dir), path, OpenOptions::new().synchronous(synchronous))
}

static SCHEMAS: AtomicU64 = AtomicU64::new(0);

/// A fresh PostgreSQL schema, if a server is named.
fn postgres_location() -> Option<Place> {
    let url = std::env::var("SMS_JOURNAL_TEST_POSTGRES").ok()?;
    let schema = format!(
        "bench_{}_{}",
        std::process::id(),
        SCHEMAS.fetch_add(1, Ordering::Relaxed)
    );
    Some((None, url, OpenOptions::new().postgres_schema(schema)))
}

#[divan::bench(args = [1, 8], sample_count = 1, sample_size = 1)]
fn million(bencher: Bencher, in_flight: usize) {
    million_run(bencher, || sqlite_location(Synchronous::Normal), in_flight);
}

#[divan::bench(args = [8], sample_count = 1, sample_size = 1)]
fn million_postgres(bencher: Bencher, in_flight: usize) {
    if postgres_location().is_none() {
        eprintln!("million_postgres: skipped: SMS_JOURNAL_TEST_POSTGRES is not set");
        return;
    }
    million_run(bencher, || postgres_location().unwrap(), in_flight);
}

const SYNC: [Synchronous; 2] = [Synchronous::Normal, Synchronous::Full];

/// One request claimed, written and given back, each a commit: the cost of a commit.
#[divan::bench(args = SYNC, sample_count = 20, sample_size = 50)]
fn transitions(bencher: Bencher, synchronous: Synchronous) {
    let rt = runtime();
    let (_dir, location, options) = sqlite_location(synchronous);
    let campaign = rt.block_on(async {
        let journal = Journal::open(&location, options).await.unwrap();
        plan(&journal, 10, 10).await
    });
    bencher.counter(ItemsCount::new(3usize)).bench_local(|| {
        rt.block_on(async {
            let Next::Request(claim) = campaign.claim_next("bench").await.unwrap() else {
                panic!("the request is planned");
            };
            campaign.start_writing(&claim).await.unwrap();
            campaign.not_sent(&claim, "benchmark").await.unwrap();
        })
    });
}

/// Receipts stored one after another (`at_once` 1) or by 8 receivers at once, each a new
/// report for a new message.
#[divan::bench(args = [(Synchronous::Normal, 1), (Synchronous::Full, 1), (Synchronous::Normal, 8), (Synchronous::Full, 8)], sample_count = 20, sample_size = 10)]
fn receipts(bencher: Bencher, (synchronous, at_once): (Synchronous, usize)) {
    let rt = runtime();
    let (_dir, location, options) = sqlite_location(synchronous);
    let journal = rt.block_on(Journal::open(&location, options)).unwrap();
    let next = AtomicU64::new(0);
    bencher.counter(ItemsCount::new(at_once)).bench_local(|| {
        rt.block_on(async {
            let stores: Vec<_> = (0..at_once)
                .map(|_| {
                    let journal = journal.clone();
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(async move {
                        let receipt = Receipt::new(
                            format!("{id:08X}"),
                            number(id as usize),
                            "0",
                            OutcomeClass::Delivered,
                            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + id),
                        );
                        journal.store_receipt(&receipt).await.unwrap();
                    })
                })
                .collect();
            for store in stores {
                store.await.unwrap();
            }
        })
    });
}

/// A journal whose campaign of a million was sent, with receipts for its first `receipts`
/// recipients, delivered.
fn sent_million(rt: &tokio::runtime::Runtime, receipts: usize) -> (Place, Campaign) {
    let place = sqlite_location(Synchronous::Normal);
    let campaign = rt.block_on(async {
        let journal = Journal::open(&place.1, place.2.clone()).await.unwrap();
        let campaign = plan(&journal, MILLION, REQUEST_SIZE).await;
        send_all(&campaign, 8).await;
        let stores: Vec<_> = (0..8)
            .map(|w| {
                let journal = journal.clone();
                tokio::spawn(async move {
                    for i in (w..receipts).step_by(8) {
                        let receipt = Receipt::new(
                            format!("{i:08X}"),
                            number(i),
                            "0",
                            OutcomeClass::Delivered,
                            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
                        );
                        journal.store_receipt(&receipt).await.unwrap();
                    }
                })
            })
            .collect();
        for store in stores {
            store.await.unwrap();
        }
        campaign
    });
    (place, campaign)
}

const READ_RECEIPTS: usize = 10_000;

/// The summary of a campaign of a million, with 10,000 receipts.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn summary_of_a_million(bencher: Bencher) {
    let rt = runtime();
    let (_place, campaign) = sent_million(&rt, READ_RECEIPTS);
    bencher.bench_local(|| {
        let summary = rt.block_on(campaign.summary()).unwrap();
        assert_eq!(summary.delivered, READ_RECEIPTS as u64);
    });
}

/// Every status row of a campaign of a million, with 10,000 receipts, page by page.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn status_of_a_million(bencher: Bencher) {
    let rt = runtime();
    let (_place, campaign) = sent_million(&rt, READ_RECEIPTS);
    bencher.counter(ItemsCount::new(MILLION)).bench_local(|| {
        rt.block_on(async {
            let mut pages = campaign.status();
            let mut rows = 0;
            while let Some(page) = pages.next_page().await.unwrap() {
                rows += page.len();
            }
            assert_eq!(rows, MILLION);
        })
    });
}
