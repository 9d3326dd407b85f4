//! The Clickatell client against the simulator's Clickatell side, on loopback: sessions, error
//! codes, the no-resend rule and failover. Every test counts what the simulator received, per
//! listener and operation, and how many times each number was given a message.

use std::ops::Deref;
use std::time::Duration;

use generated_client::clickatell::simulated::{Account, Config, ErrorReply, PATH};
use generated_client::clickatell::{self, Code, Credentials, ErrorCode, MessageStatus};
use generated_client::core::{
    Message, QueryError, ReportClass, RequestError, Sending, SmsGateway, VendorCode,
};
use generated_client::simulator::{Failure, Repeat, SimulatorConfig};
use rust_decimal::Decimal;
use soap_runtime::client::{CallError, SoapClient};

use crate::common::{numbers, stopped_at_failure, stopped_by_account_failure, Servers};

const API_ID: i32 = 3210987;
const USER: &str = "ANOther";
const PASSWORD: &str = "s3cret";
const BLOCKED: &str = "447700900666";
const UNROUTABLE: &str = "447700900777";

/// One account with 100 credits at 1 a message; one number blocked, one without a route.
fn config() -> Config {
    let mut account = Account::new(API_ID, USER, PASSWORD);
    account.credit = Decimal::from(100);
    let mut config = Config::default();
    config.accounts = vec![account];
    config.number_errors = [
        (
            BLOCKED.to_owned(),
            ErrorReply::new(121, "Destination mobile number blocked"),
        ),
        (
            UNROUTABLE.to_owned(),
            ErrorReply::new(114, "Cannot route message"),
        ),
    ]
    .into();
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
        Self::with(config()).await
    }

    async fn with(clickatell: Config) -> Self {
        let mut config = SimulatorConfig::default();
        config.clickatell = clickatell;
        Self(Servers::start(config).await)
    }

    fn client(&self) -> clickatell::Client {
        self.client_with(PASSWORD)
    }

    /// A client for primary then secondary, with short timeouts so that the tests stay fast.
    fn client_with(&self, password: &str) -> clickatell::Client {
        let config = SoapClient::builder()
            .endpoints([self.primary.url(PATH), self.secondary.url(PATH)])
            .connect_timeout(Duration::from_millis(500))
            .timeout(Duration::from_secs(2));
        let credentials = Credentials::new(API_ID, USER, password).expect("credentials");
        clickatell::Client::new(credentials, config).expect("the client builds")
    }

    /// Requests for `operation` over both listeners.
    fn count(&self, operation: &str) -> u64 {
        self.simulator.request_count(operation)
    }

    fn deliveries_to(&self, number: &str) -> usize {
        self.clickatell().deliveries_to(number)
    }
}

#[tokio::test]
async fn one_login_serves_every_call() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    let report = client
        .send(&Message::text("one", ["447700900001", "447700900002"]))
        .await
        .expect("sent");
    assert!(report.all_accepted());
    assert_eq!(report.len(), 2);
    for outcome in report.iter() {
        assert_eq!(outcome.report, Code::Accepted);
        assert_eq!(outcome.message_id.len(), 32, "{outcome:?}");
        assert!(outcome.text.starts_with("ID: "), "{outcome:?}");
    }
    client
        .send(&Message::text("two", ["447700900003"]))
        .await
        .expect("sent");
    assert_eq!(client.balance().await.unwrap(), Decimal::from(97));
    let first_id = report.get(0).unwrap().message_id.to_owned();
    assert_eq!(
        client.query_message(&first_id).await.unwrap(),
        MessageStatus::DeliveredToGateway
    );
    client.ping().await.unwrap();

    assert_eq!(gateway.count("auth"), 1, "one session for every call");
    assert_eq!(gateway.count("sendmsg"), 2);
    assert_eq!(gateway.clickatell().sessions_issued(), 1);
    assert_eq!(gateway.deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn concurrent_calls_share_one_login() {
    let gateway = Gateway::start().await;
    let client = std::sync::Arc::new(gateway.client());
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..4 {
        let client = std::sync::Arc::clone(&client);
        sends.spawn(async move {
            let number = format!("44770090010{i}");
            client.send(&Message::text("hi", [number])).await
        });
    }
    while let Some(result) = sends.join_next().await {
        assert!(result.unwrap().expect("sent").all_accepted());
    }
    assert_eq!(gateway.count("auth"), 1);
    assert_eq!(gateway.count("sendmsg"), 4);
}

#[tokio::test]
async fn an_expired_session_is_renewed_and_the_refused_send_made_once_more() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    client
        .send(&Message::text("first", ["447700900001"]))
        .await
        .expect("sent");
    gateway.clickatell().expire_sessions();

    let report = client
        .send(&Message::text("second", ["447700900002", "447700900003"]))
        .await
        .expect("sent after logging in again");
    assert!(report.all_accepted());
    assert_eq!(gateway.count("auth"), 2, "one new login");
    // The refused sendmsg, then the same request once more: Clickatell refused the first
    // before accepting any message of it.
    assert_eq!(gateway.count("sendmsg"), 3);
    let submissions = gateway.clickatell().submissions();
    assert_eq!(
        submissions[1].recipients[0].answer,
        "ERR: 003, Session ID expired"
    );
    assert!(submissions[1].recipients.iter().all(|r| !r.accepted));
    for number in ["447700900001", "447700900002", "447700900003"] {
        assert_eq!(gateway.deliveries_to(number), 1, "{number}");
    }

    // Queries follow the same rule.
    gateway.clickatell().expire_sessions();
    assert_eq!(client.balance().await.unwrap(), Decimal::from(97));
    assert_eq!(gateway.count("auth"), 3);
    assert_eq!(gateway.count("getbalance"), 2);
}

#[tokio::test]
async fn a_session_refused_again_is_the_answer_after_one_new_login() {
    let mut config = config();
    // Every session ends before its first use.
    config.session_idle_secs = 0;
    let gateway = Gateway::with(config).await;
    let report = gateway
        .client()
        .send(&Message::text("hi", ["447700900001", "447700900002"]))
        .await
        .expect("answered");
    assert_eq!(gateway.count("auth"), 2);
    assert_eq!(gateway.count("sendmsg"), 2, "one more, and no more");
    for outcome in report.iter() {
        assert_eq!(outcome.report, Code::Error(ErrorCode::SessionExpired));
        assert_eq!(outcome.class, ReportClass::AccountFailure);
        assert_eq!(outcome.text, "ERR: 003, Session ID expired");
    }
    assert_eq!(gateway.deliveries_to("447700900001"), 0);
}

#[tokio::test]
async fn error_answers_are_typed_per_recipient_and_never_resent() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    let report = client
        .send(&Message::text(
            "hi",
            ["447700900001", BLOCKED, UNROUTABLE, "447700900002"],
        ))
        .await
        .expect("answered");
    let outcomes: Vec<(&str, Code, ReportClass)> = report
        .iter()
        .map(|o| (o.recipient.unwrap(), o.report, o.class))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("447700900001", Code::Accepted, ReportClass::Accepted),
            (
                BLOCKED,
                Code::Error(ErrorCode::DestinationBlocked),
                ReportClass::Rejected
            ),
            (
                UNROUTABLE,
                Code::Error(ErrorCode::CannotRouteMessage),
                ReportClass::Rejected
            ),
            ("447700900002", Code::Accepted, ReportClass::Accepted),
        ]
    );
    assert_eq!(
        report.get(1).unwrap().text,
        format!("ERR: 121, Destination mobile number blocked To: {BLOCKED}")
    );
    assert!(!report.all_accepted());
    assert_eq!(
        gateway.count("sendmsg"),
        1,
        "an error report is never resent"
    );
    assert_eq!(gateway.deliveries_to("447700900001"), 1);
    assert_eq!(Code::Error(ErrorCode::DestinationBlocked).wire(), "121");
}

#[tokio::test]
async fn running_out_of_credit_stops_the_later_requests() {
    let gateway = Gateway::start().await;
    gateway.clickatell().set_credit(USER, Decimal::from(60));
    let to = numbers(150);
    let (code, completed, not_sent) = stopped_by_account_failure(
        gateway
            .client()
            .send(&Message::text("bulk", to.clone()))
            .await,
    );
    assert_eq!(code, Code::Error(ErrorCode::NoCreditLeft));
    assert_eq!(completed.len(), 100);
    assert_eq!(
        completed.iter().filter(|o| o.report.is_success()).count(),
        60
    );
    assert_eq!(not_sent, to[100..]);
    assert_eq!(gateway.count("sendmsg"), 1, "neither resent nor continued");
}

#[tokio::test]
async fn a_refused_login_is_every_recipients_answer_and_nothing_is_sent() {
    for (api_id, password, expected) in [
        (API_ID, "wrong", ErrorCode::AuthenticationFailed),
        (1, PASSWORD, ErrorCode::InvalidApiId),
    ] {
        let gateway = Gateway::start().await;
        let config = SoapClient::builder()
            .endpoints([gateway.primary.url(PATH)])
            .timeout(Duration::from_secs(2))
            .connect_timeout(Duration::from_millis(500));
        let client =
            clickatell::Client::new(Credentials::new(api_id, USER, password).unwrap(), config)
                .unwrap();
        let report = client
            .send(&Message::text("hi", ["447700900001", "447700900002"]))
            .await
            .expect("answered");
        assert!(report
            .iter()
            .all(|o| o.report == Code::Error(expected) && o.class == ReportClass::AccountFailure));
        assert_eq!(gateway.count("auth"), 1, "a refused login is not retried");
        assert_eq!(gateway.count("sendmsg"), 0);
        let error = client.balance().await.expect_err("refused");
        assert!(
            matches!(error, QueryError::Refused(ref line) if line.starts_with("ERR: ")),
            "{error}"
        );
    }

    let mut frozen = config();
    frozen.accounts[0].frozen = true;
    let gateway = Gateway::with(frozen).await;
    let report = gateway
        .client()
        .send(&Message::text("hi", ["447700900001"]))
        .await
        .expect("answered");
    assert_eq!(
        report.get(0).unwrap().report,
        Code::Error(ErrorCode::AccountFrozen)
    );
    assert_eq!(gateway.count("sendmsg"), 0);
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
    assert!(report.all_accepted());
    assert_eq!(gateway.primary.total_requests(), 0);
    assert_eq!(gateway.secondary.request_count("auth"), 1);
    assert_eq!(gateway.secondary.request_count("sendmsg"), 1);
    assert_eq!(gateway.deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn a_lost_answer_to_a_send_is_outcome_unknown_and_never_resent() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    client.ping().await.expect("logged in");
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    let stopped = stopped_at_failure(client.send(&Message::text("hello", ["447700900001"])).await);
    let RequestError::Call(CallError::OutcomeUnknown { endpoint, .. }) = stopped.failed.error
    else {
        panic!("expected outcome unknown, got {:?}", stopped.failed);
    };
    assert_eq!(endpoint, gateway.primary.url(PATH));
    assert_eq!(
        (stopped.failed.recipients.as_slice(), stopped.not_sent.len()),
        (["447700900001".to_owned()].as_slice(), 0)
    );
    assert_eq!(gateway.primary.request_count("sendmsg"), 1);
    assert_eq!(gateway.secondary.request_count("sendmsg"), 0);
    // The simulator carried it out: sending again would have delivered it twice.
    assert_eq!(gateway.deliveries_to("447700900001"), 1);
}

#[tokio::test]
async fn a_failed_login_sends_nothing() {
    let gateway = Gateway::start().await;
    gateway
        .primary
        .set_failure(Failure::DropConnection, Repeat::Once);
    let stopped = stopped_at_failure(
        gateway
            .client()
            .send(&Message::text("hello", ["447700900001", "447700900002"]))
            .await,
    );
    assert!(
        matches!(
            stopped.failed.error,
            RequestError::NoSession(QueryError::Call(CallError::OutcomeUnknown { .. }))
        ),
        "expected no session, got {:?}",
        stopped.failed
    );
    // Nothing of the request was sent: its numbers are among the unsent ones.
    assert!(!stopped.failed.error.may_have_been_received());
    assert!(stopped.completed.is_empty());
    assert_eq!(stopped.failed.recipients, ["447700900001", "447700900002"]);
    assert!(stopped.not_sent.is_empty());
    assert_eq!(gateway.count("auth"), 1, "a login is not resent either");
    assert_eq!(gateway.count("sendmsg"), 0);
}

#[tokio::test]
async fn the_shared_gateway_trait_sends_and_reads_the_credit() {
    let gateway = Gateway::start().await;
    let client = gateway.client();
    let mut progress = Vec::new();
    let report = Sending::new(&client)
        .on_progress(|p| progress.push((p.done, p.total)))
        .send(&Message::text("via the trait", numbers(120)))
        .await
        .expect("sent");
    assert_eq!(report.requests(), 2);
    assert_eq!(progress, [(100, 120), (120, 120)]);
    assert_eq!(report.iter().filter(|o| o.report.is_success()).count(), 100);
    assert_eq!(
        report.get(119).unwrap().report,
        Code::Error(ErrorCode::NoCreditLeft)
    );
    let credit = SmsGateway::credit(&client).await.unwrap();
    assert_eq!(
        (credit.amount, credit.currency.as_str()),
        (Decimal::ZERO, "credits")
    );
}
