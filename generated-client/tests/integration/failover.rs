//! Failover, retries and outcomes through Connection Software's [`Client`], against the
//! simulator on loopback: a message is never sent twice because of the client, and never lost
//! silently.
//!
//! Every test counts what the simulator received, per listener, and how many times each
//! number was given a message.

use std::ops::Deref;
use std::time::Duration;

use generated_client::core::{Credit, Progress, QueryError, ReportClass, RequestError, SendError};
use generated_client::csoft::simulated::{Account, Report, PATH};
use generated_client::csoft::{Client, Credentials, Message, ReportCode};
use generated_client::simulator::{Failure, Repeat, RunningSimulator, SimulatorConfig};
use rust_decimal::Decimal;
use soap_runtime::client::CallError;
use soap_runtime::envelope::FaultCode;

use crate::common::{
    dec, numbers, stopped_at_failure, stopped_by_account_failure, Servers, StoppedAt,
};

const USER: &str = "ANOther.61234";
const PIN: &str = "s3cretPIN";
const BARRED: &str = "447700900666";

/// One account with 100.00 of credit at 0.05 a message, and a number the gateway bars.
fn config() -> SimulatorConfig {
    let mut account = Account::new(USER, PIN);
    account.credit = dec("100.00");
    account.permitted_reply_to = vec!["447700900123".to_owned()];
    let mut config = SimulatorConfig::default();
    config.csoft.accounts = vec![account];
    config.csoft.number_reports = [(BARRED.to_owned(), Report::new(8, "Blacklisted"))].into();
    config
}

/// The simulated servers, with this module's clients.
struct Gateway(Servers);

impl Deref for Gateway {
    type Target = Servers;

    fn deref(&self) -> &Servers {
        &self.0
    }
}

impl Gateway {
    async fn start() -> Self {
        Self(Servers::start(config()).await)
    }

    /// A client for primary then secondary, with short timeouts so that the tests stay fast.
    fn client(&self) -> Client {
        self.client_with(PIN, Duration::from_secs(60))
    }

    fn client_with(&self, pin: &str, cooldown: Duration) -> Client {
        Client::builder(Credentials::new(USER, pin).expect("credentials"))
            .endpoints(vec![self.primary.url(PATH), self.secondary.url(PATH)])
            .connect_timeout(Duration::from_millis(500))
            .timeout(Duration::from_secs(2))
            .cooldown(cooldown)
            .build()
            .expect("the client builds")
    }

    fn submits(&self, server: &RunningSimulator) -> u64 {
        server.request_count("SubmitMessage")
    }
}

#[tokio::test]
async fn a_primary_refusing_connections_sends_the_one_request_to_the_secondary() {
    let gateway = Gateway::start().await;
    gateway.primary.refuse_connections().await.unwrap();
    let report = gateway
        .client()
        .send(&Message::text("hello", ["447700900001"]))
        .await
        .expect("sent through the secondary");

    assert_eq!(report.len(), 1);
    assert!(report.all_accepted());
    assert_eq!(gateway.primary.total_requests(), 0);
    assert_eq!(gateway.primary.connections_accepted(), 0);
    assert_eq!(gateway.secondary.total_requests(), 1);
    assert_eq!(gateway.submits(&gateway.secondary), 1);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_outcome_unknown_and_never_resent() {
    let gateway = Gateway::start().await;
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    let StoppedAt {
        completed,
        failed,
        not_sent,
    } = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    match failed.error {
        RequestError::Call(CallError::OutcomeUnknown { endpoint, .. }) => {
            assert_eq!(endpoint, gateway.primary.url(PATH), "names the endpoint");
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert!(completed.is_empty());
    assert_eq!(failed.recipients, ["447700900001"]);
    assert!(not_sent.is_empty());
    assert_eq!(gateway.submits(&gateway.primary), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.secondary.connections_accepted(), 0);
    // The simulator carried the request out before dropping the connection: it was sent,
    // once.
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_outcome_unknown_and_never_resent() {
    let gateway = Gateway::start().await;
    let client = Client::builder(Credentials::new(USER, PIN).expect("credentials"))
        .endpoints(vec![gateway.primary.url(PATH), gateway.secondary.url(PATH)])
        .max_answer_bytes(100)
        .build()
        .expect("the client builds");
    let stopped = stopped_at_failure(client.send(&Message::text("hello", ["447700900001"])).await);
    match stopped.failed.error {
        RequestError::Call(CallError::OutcomeUnknown { endpoint, source }) => {
            assert_eq!(endpoint, gateway.primary.url(PATH));
            let reason = source.to_string();
            assert!(reason.contains("larger than 100 bytes"), "{reason}");
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert_eq!(gateway.submits(&gateway.primary), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
}

#[tokio::test]
async fn an_invalid_login_is_one_request_and_never_retried() {
    let gateway = Gateway::start().await;
    let report = gateway
        .client_with("wrongpin", Duration::from_secs(60))
        .send(&Message::text("hello", ["447700900001", "447700900002"]))
        .await
        .expect("answered");
    assert!(report
        .iter()
        .all(|o| o.report == ReportCode::InvalidLogin && o.class == ReportClass::AccountFailure));
    assert!(!report.all_accepted());
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 0);
}

#[tokio::test]
async fn out_of_credit_is_one_request_and_never_retried() {
    let gateway = Gateway::start().await;
    gateway.csoft().set_credit(USER, Decimal::ZERO);
    let report = gateway
        .client()
        .send(&Message::text("hello", ["447700900001"]))
        .await
        .expect("answered");
    assert_eq!(report.get(0).unwrap().report, ReportCode::OutOfCredit);
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 0);
}

#[tokio::test]
async fn an_account_failure_stops_a_bulk_send_after_one_request() {
    let gateway = Gateway::start().await;
    let to = numbers(1000);
    let (code, completed, not_sent) = stopped_by_account_failure(
        gateway
            .client_with("wrongpin", Duration::from_secs(60))
            .send(&Message::text("hello", to.clone()))
            .await,
    );
    assert_eq!(code, ReportCode::InvalidLogin);
    assert_eq!(completed.len(), 350);
    assert_eq!(not_sent, to[350..]);
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);

    // Out of credit in the middle of the first request: the rest are not sent either.
    gateway.csoft().set_credit(USER, dec("1.00"));
    let (code, completed, not_sent) = stopped_by_account_failure(
        gateway
            .client()
            .send(&Message::text("hello", to.clone()))
            .await,
    );
    assert_eq!(code, ReportCode::OutOfCredit);
    assert_eq!(
        completed.iter().filter(|o| o.report.is_success()).count(),
        20
    );
    assert_eq!(not_sent.len(), 650);
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 2);
}

#[tokio::test]
async fn a_thousand_recipients_take_three_requests_with_outcomes_in_order() {
    let gateway = Gateway::start().await;
    let to = numbers(1000);
    let report = gateway
        .client()
        .send(&Message::text("hello", to.clone()))
        .await
        .expect("sent");

    assert_eq!(report.len(), 1000);
    assert_eq!(report.requests(), 3);
    assert!(report.all_accepted());
    assert_eq!(gateway.submits(&gateway.primary), 3);
    assert_eq!(gateway.secondary.total_requests(), 0);
    let sizes: Vec<usize> = gateway
        .csoft()
        .submissions(None)
        .iter()
        .map(|s| s.recipients.len())
        .collect();
    assert_eq!(sizes, [350, 350, 300]);
    // The outcomes follow the recipients, and carry the identifiers the gateway gave them.
    let answered: Vec<_> = gateway
        .csoft()
        .submissions(None)
        .into_iter()
        .flat_map(|s| s.recipients)
        .collect();
    for ((outcome, number), answer) in report.iter().zip(&to).zip(&answered) {
        assert_eq!(outcome.recipient, Some(number.as_str()));
        assert_eq!(&answer.number, number);
        assert_eq!(outcome.message_id, answer.message_identifier);
        assert_eq!(outcome.report, ReportCode::Queued);
    }
    assert!(to.iter().all(|n| gateway.csoft().deliveries_to(n) == 1));
}

#[tokio::test]
async fn both_endpoints_unreachable_sends_nothing() {
    let gateway = Gateway::start().await;
    gateway.primary.refuse_connections().await.unwrap();
    gateway.secondary.refuse_connections().await.unwrap();
    let StoppedAt {
        completed,
        failed,
        not_sent,
    } = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    match &failed.error {
        RequestError::Call(error @ CallError::Unreachable { attempts }) => {
            let tried: Vec<&str> = attempts.iter().map(|a| a.endpoint.as_str()).collect();
            assert_eq!(
                tried,
                [gateway.primary.url(PATH), gateway.secondary.url(PATH)]
            );
            assert!(
                attempts
                    .iter()
                    .all(|a| a.error.to_string().contains("refused")),
                "{attempts:?}"
            );
            assert!(!error.may_have_been_received());
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert!(!failed.error.may_have_been_received());
    assert!(completed.is_empty());
    assert_eq!(failed.recipients, ["447700900001"]);
    assert!(not_sent.is_empty());
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 0);
}

#[tokio::test]
async fn a_soap_fault_is_returned_and_not_tried_on_the_secondary() {
    let gateway = Gateway::start().await;
    gateway.primary.set_failure(Failure::Http500, Repeat::Once);
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    match stopped.failed.error {
        RequestError::Call(CallError::Fault {
            endpoint,
            fault,
            status,
        }) => {
            assert_eq!(
                (endpoint.as_str(), status),
                (gateway.primary.url(PATH).as_str(), 500)
            );
            assert_eq!(fault.code, FaultCode::Server);
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
}

#[tokio::test]
async fn a_malformed_answer_is_not_retried() {
    let gateway = Gateway::start().await;
    gateway
        .primary
        .set_failure(Failure::MalformedBody, Repeat::Once);
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001"]))
            .await,
    );
    match stopped.failed.error {
        RequestError::Call(error @ CallError::BadResponse { .. }) => {
            assert!(error.may_have_been_received());
            assert!(matches!(error, CallError::BadResponse { status: 200, .. }));
        }
        other => panic!("expected a bad response, got {other:?}"),
    }
    assert_eq!(stopped.failed.recipients, ["447700900001"]);
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert_eq!(gateway.csoft().deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn no_answer_in_time_is_outcome_unknown() {
    let gateway = Gateway::start().await;
    gateway
        .primary
        .set_failure(Failure::Delay(Duration::from_secs(3)), Repeat::Once);
    let client = Client::builder(Credentials::new(USER, PIN).unwrap())
        .endpoints(vec![gateway.primary.url(PATH), gateway.secondary.url(PATH)])
        .connect_timeout(Duration::from_millis(100))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let stopped = stopped_at_failure(client.send(&Message::text("hello", ["447700900001"])).await);
    assert!(started.elapsed() < Duration::from_secs(2));
    match stopped.failed.error {
        RequestError::Call(CallError::OutcomeUnknown { endpoint, source }) => {
            assert_eq!(endpoint, gateway.primary.url(PATH));
            let reason = source.to_string();
            assert!(reason.contains("timed out"), "{reason}");
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.secondary.total_requests(), 0);
}

#[tokio::test]
async fn an_unreachable_primary_is_skipped_for_the_cool_down() {
    let gateway = Gateway::start().await;
    // Long enough that the second send surely falls within it, even on a busy machine.
    let cooldown = Duration::from_millis(500);
    let client = gateway.client_with(PIN, cooldown);
    gateway.primary.refuse_connections().await.unwrap();
    client
        .send(&Message::text("one", ["447700900001"]))
        .await
        .unwrap();
    assert_eq!(gateway.submits(&gateway.secondary), 1);

    // The primary is back, but still cooling down: the next send goes straight to the
    // secondary, without even connecting to the primary.
    gateway.primary.accept_connections().await.unwrap();
    client
        .send(&Message::text("two", ["447700900002"]))
        .await
        .unwrap();
    assert_eq!(gateway.submits(&gateway.secondary), 2);
    assert_eq!(gateway.primary.connections_accepted(), 0);

    tokio::time::sleep(cooldown + Duration::from_millis(50)).await;
    client
        .send(&Message::text("three", ["447700900003"]))
        .await
        .unwrap();
    assert_eq!(gateway.submits(&gateway.primary), 1, "the primary again");
    assert_eq!(gateway.submits(&gateway.secondary), 2);
    for n in ["447700900001", "447700900002", "447700900003"] {
        assert_eq!(gateway.csoft().deliveries_to(n), 1, "{n}");
    }
}

// On the test's single-threaded runtime the connection is back in the pool before the next
// send starts; on several threads a send may race it and open a second connection.
#[tokio::test]
async fn several_sends_reuse_one_connection() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    for i in 0..5 {
        client
            .send(&Message::text("hello", [format!("4477009000{i:02}")]))
            .await
            .unwrap();
    }
    client.available_credit().await.unwrap();
    assert_eq!(gateway.primary.total_requests(), 6);
    assert_eq!(gateway.primary.connections_accepted(), 1);
}

#[tokio::test]
async fn a_failed_second_request_keeps_the_first_and_sends_no_third() {
    let gateway = Gateway::start().await;
    let to = numbers(1000);
    let primary = &gateway.primary;
    let client = gateway.client();
    let result = client
        .sending()
        .on_progress(|progress: Progress| {
            assert_eq!(progress.total, 1000);
            if progress.done == 350 && progress.unknown == 0 {
                // The answer to the first request is in: the second one loses its answer.
                primary.set_failure(Failure::DropConnection, Repeat::Once);
            }
        })
        .send(&Message::text("hello", to.clone()))
        .await;
    let StoppedAt {
        completed,
        failed,
        not_sent,
    } = stopped_at_failure(result);
    match failed.error {
        RequestError::Call(CallError::OutcomeUnknown { endpoint, .. }) => {
            assert_eq!(endpoint, gateway.primary.url(PATH));
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert_eq!(failed.index, 1, "the second request");
    assert_eq!(completed.len(), 350);
    assert_eq!(completed.requests(), 1);
    let done: Vec<_> = completed.iter().map(|o| o.recipient.unwrap()).collect();
    assert_eq!(done, to[..350]);
    assert!(completed.all_accepted());
    assert_eq!(failed.recipients, to[350..700]);
    assert_eq!(not_sent, to[700..]);
    assert_eq!(gateway.submits(&gateway.primary), 2);
    assert_eq!(gateway.secondary.total_requests(), 0);
    assert!(to[..700]
        .iter()
        .all(|n| gateway.csoft().deliveries_to(n) == 1));
    assert!(to[700..]
        .iter()
        .all(|n| gateway.csoft().deliveries_to(n) == 0));
}

#[tokio::test]
async fn account_queries_answer_exactly() {
    let gateway = Gateway::start().await;
    gateway.csoft().set_credit(USER, dec("2.8950"));
    let client = gateway.client();
    let credit = client.available_credit().await.unwrap();
    assert_eq!(credit, Credit::new("GBP", dec("2.8950")));
    assert_eq!(credit.amount.to_string(), "2.8950", "exact, scale kept");
    // 2.8950 / 0.05 = 57.9 messages.
    assert_eq!(client.available_messages().await.unwrap(), 57);
    assert_eq!(
        client.permitted_reply_to().await.unwrap(),
        ["447700900123", "csoft.co.uk"]
    );

    // Queries fail over like sends.
    gateway.primary.refuse_connections().await.unwrap();
    assert_eq!(client.available_messages().await.unwrap(), 57);
    assert_eq!(gateway.secondary.request_count("AvailableMessages"), 1);
}

#[tokio::test]
async fn a_query_with_a_wrong_login_is_a_fault_asked_once() {
    let gateway = Gateway::start().await;
    let error = gateway
        .client_with("wrongpin", Duration::from_secs(60))
        .available_credit()
        .await
        .expect_err("invalid login");
    match error {
        QueryError::Call(CallError::Fault { fault, .. }) => {
            assert_eq!(fault.reason, "Invalid login");
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    assert_eq!(gateway.simulator.request_count("AvailableCredit"), 1);
}

#[tokio::test]
async fn credentials_never_show_in_debug_output() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    let mut shown = vec![format!("{client:?}")];

    let wrong = gateway.client_with("wrongpin", Duration::from_secs(60));
    shown.push(format!("{wrong:?}"));
    shown.push(format!(
        "{:?}",
        wrong.available_credit().await.expect_err("a fault")
    ));
    shown.push(format!(
        "{:?}",
        wrong
            .send(&Message::text("hi", numbers(400)))
            .await
            .expect_err("an account failure")
    ));
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    shown.push(format!(
        "{:?}",
        client
            .send(&Message::text("hi", ["447700900001"]))
            .await
            .expect_err("outcome unknown")
    ));
    gateway.primary.refuse_connections().await.unwrap();
    gateway.secondary.refuse_connections().await.unwrap();
    let unreachable = client
        .send(&Message::text("hi", ["447700900001"]))
        .await
        .expect_err("unreachable");
    shown.push(format!("{unreachable:?}"));
    shown.push(unreachable.to_string());

    for text in shown {
        for secret in [USER, PIN, "wrongpin"] {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
    }
}

#[tokio::test]
async fn a_rejected_number_is_reported_not_retried() {
    let gateway = Gateway::start().await;
    let report = gateway
        .client()
        .send(&Message::text("hello", ["447700900001", BARRED]))
        .await
        .unwrap();
    let codes: Vec<_> = report.iter().map(|o| (o.report, o.class)).collect();
    assert_eq!(
        codes,
        [
            (ReportCode::Queued, ReportClass::Accepted),
            (ReportCode::Blacklisted, ReportClass::Rejected)
        ]
    );
    assert_eq!(gateway.simulator.request_count("SubmitMessage"), 1);
    assert_eq!(gateway.csoft().deliveries_to(BARRED), 0);
}

#[tokio::test]
async fn an_invalid_message_sends_nothing() {
    let gateway = Gateway::start().await;
    let error = gateway
        .client()
        .send(&Message::text("hello", ["447700900001", "07700900002"]))
        .await
        .expect_err("invalid");
    assert!(matches!(error, SendError::Invalid(_)), "{error:?}");
    assert_eq!(gateway.primary.total_requests(), 0);
    assert_eq!(gateway.primary.connections_accepted(), 0);
}
