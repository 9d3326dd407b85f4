//! Journaled campaigns (`generated_client::campaign`) over both vendors' clients, against
//! the simulator on loopback: planned, sent in parallel and recorded; resumed without
//! sending again; stopped by an account failure with the requests in flight recorded; a
//! gateway that cannot be reached leaves its request planned; progress told as it goes.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use generated_client::campaign::journal::{Journal, OpenOptions};
use generated_client::campaign::{Campaign, CampaignError};
use generated_client::clickatell;
use generated_client::core::{
    Content, Credit, InvalidMessage, Message, NumberList, Progress, QueryError, Request,
    RequestError, SendError, SendReport, SmsGateway, Stop,
};
use generated_client::csoft::simulated::{Account, PATH};
use generated_client::csoft::{self, Client, Credentials};
use generated_client::simulator::SimulatorConfig;

use crate::common::{dec, numbers, Servers};

const USER: &str = "ANOther.61234";
const PIN: &str = "123456";

async fn csoft_gateway(credit: &str) -> (Servers, Client) {
    let mut account = Account::new(USER, PIN);
    account.credit = dec(credit);
    let mut config = SimulatorConfig::default();
    config.csoft.accounts = vec![account];
    let servers = Servers::start(config).await;
    let client = client(&servers);
    (servers, client)
}

/// A client of the primary (a new one has no cool-down from an earlier failure).
fn client(servers: &Servers) -> Client {
    Client::builder(Credentials::new(USER, PIN).unwrap())
        .endpoints(vec![servers.primary.url(PATH)])
        .build()
        .unwrap()
}

async fn journal(dir: &tempfile::TempDir) -> Journal {
    let path = dir.path().join("journal.db");
    Journal::open(path.to_str().unwrap(), OpenOptions::new())
        .await
        .unwrap()
}

/// The campaign the journal in `dir` holds, as another process would open it.
async fn stored_campaign(dir: &tempfile::TempDir) -> generated_client::campaign::journal::Campaign {
    journal(dir)
        .await
        .current_campaign()
        .await
        .unwrap()
        .unwrap()
}

fn message() -> csoft::Message {
    csoft::Message::text("Hello", Vec::<String>::new())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_is_planned_sent_in_parallel_and_resumed_without_sending_again() {
    let (servers, client) = csoft_gateway("1000").await;
    let dir = tempfile::tempdir().unwrap();
    let list = numbers(2000);
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let told = Arc::clone(&seen);
    let report = Campaign::new(&client, journal(&dir).await)
        .parallel(4)
        .on_progress(move |p| told.lock().unwrap().push(p))
        .send(&message(), &list)
        .await
        .unwrap();
    assert!(!report.resumed);
    assert_eq!(report.campaign.recipients, 2000);
    assert_eq!(report.campaign.requests, 6);
    assert_eq!(report.summary.accepted, 2000);
    assert!(report.stop.is_none() && report.unknown.is_empty());
    let progress = seen.lock().unwrap().clone();
    assert_eq!(progress.len(), 6, "told after each request");
    assert_eq!(progress.last().unwrap().done, 2000);
    assert!(progress.iter().all(|p| p.total == 2000 && p.unknown == 0));
    assert_eq!(servers.primary.request_count("SubmitMessage"), 6);

    // The journal's outcomes are the gateway's: identifiers, codes, texts.
    let stored = stored_campaign(&dir).await;
    let first = stored.status().next_page().await.unwrap().unwrap();
    let submitted = servers
        .csoft()
        .submissions(None)
        .into_iter()
        .flat_map(|s| s.recipients)
        .find(|r| r.number == first[0].number)
        .unwrap();
    let sent = first[0].sent.as_ref().unwrap();
    assert_eq!(sent.message_id, submitted.message_identifier);
    assert_eq!(sent.code, "-2");

    let again = Campaign::new(&client, journal(&dir).await)
        .send(&message(), &list)
        .await
        .unwrap();
    assert!(again.resumed);
    assert_eq!(again.summary.accepted, 2000);
    assert_eq!(
        servers.primary.request_count("SubmitMessage"),
        6,
        "nothing sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_failure_stops_the_campaign_and_the_requests_in_flight_are_recorded() {
    // Credit for 500 messages of 0.05.
    let (servers, client) = csoft_gateway("25").await;
    let dir = tempfile::tempdir().unwrap();
    let list = numbers(350 * 6);
    let report = Campaign::new(&client, journal(&dir).await)
        .parallel(2)
        .send(&message(), &list)
        .await
        .unwrap();
    assert!(
        matches!(report.stop, Some(Stop::AccountFailure(_))),
        "{:?}",
        report.stop
    );
    let sent = servers.primary.request_count("SubmitMessage");
    assert!(sent < 6, "no request after the failure: {sent}");
    let summary = report.summary;
    assert_eq!(summary.accepted, 500);
    assert_eq!(summary.unknown + summary.in_flight, 0);
    assert_eq!(summary.recipients(), 2100, "every recipient accounted for");
    // Refused whole: planned again, for a rerun once the account is fixed.
    assert!(summary.not_sent >= 350, "{summary:?}");

    servers.csoft().set_credit(USER, dec("1000"));
    let rerun = Campaign::new(&client, journal(&dir).await)
        .parallel(2)
        .send(&message(), &list)
        .await
        .unwrap();
    assert!(rerun.cleared_stop.is_some());
    assert_eq!(rerun.summary.not_sent, 0);
    assert_eq!(rerun.summary.accepted + rerun.summary.account_failure, 2100);
    for number in &list {
        assert!(servers.csoft().deliveries_to(number) <= 1, "{number}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_gateway_leaves_the_request_planned() {
    let (servers, _) = csoft_gateway("1000").await;
    let dir = tempfile::tempdir().unwrap();
    let list = numbers(10);
    servers.primary.refuse_connections().await.unwrap();
    let report = Campaign::new(&client(&servers), journal(&dir).await)
        .send(&message(), &list)
        .await
        .unwrap();
    let failure = report.first_failure.expect("the request failed");
    assert!(!failure.error.may_have_been_received());
    assert_eq!(report.summary.not_sent, 10);
    servers.primary.accept_connections().await.unwrap();
    let rerun = Campaign::new(&client(&servers), journal(&dir).await)
        .send(&message(), &list)
        .await
        .unwrap();
    assert_eq!(rerun.summary.accepted, 10);
}

#[tokio::test]
async fn a_campaign_refuses_what_it_cannot_record() {
    let (_servers, client) = csoft_gateway("1000").await;
    let dir = tempfile::tempdir().unwrap();
    let list = numbers(3);
    let with_numbers = csoft::Message::text("Hi", ["447700900001"]);
    let error = Campaign::new(&client, journal(&dir).await)
        .send(&with_numbers, &list)
        .await
        .unwrap_err();
    assert!(matches!(error, CampaignError::Unsupported(_)), "{error}");
    let book = message().address_book("Friends", None);
    let error = Campaign::new(&client, journal(&dir).await)
        .send(&book, &list)
        .await
        .unwrap_err();
    assert!(matches!(error, CampaignError::Unsupported(_)), "{error}");
    let bad = vec!["447700900001".to_owned(), "07700".to_owned()];
    let error = Campaign::new(&client, journal(&dir).await)
        .send(&message(), &bad)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("\"07700\""), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickatell_campaigns_record_its_message_ids_from_a_number_file() {
    let mut config = SimulatorConfig::default();
    config.clickatell.accounts = vec![clickatell::simulated::Account::new(1, "u", "p")];
    let servers = Servers::start(config).await;
    let client = clickatell::Client::new(
        clickatell::Credentials::new(1, "u", "p").unwrap(),
        soap_runtime::client::SoapClient::builder()
            .endpoints([servers.primary.url(clickatell::simulated::PATH)]),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("numbers.txt");
    std::fs::write(
        &file,
        "447700900001\n# a comment\n447700900002\n447700900001\n",
    )
    .unwrap();
    let (list, check) = NumberList::file(&file).open().unwrap();
    assert_eq!(check.duplicate_lines(), 1);
    let report = Campaign::new(&client, journal(&dir).await)
        .send(&Message::text("Hi", Vec::<String>::new()), &list)
        .await
        .unwrap();
    assert_eq!(report.summary.accepted, 2);
    let stored = stored_campaign(&dir).await;
    let rows = stored.status().next_page().await.unwrap().unwrap();
    assert_eq!(rows.len(), 2);
    let sent = rows[1].sent.as_ref().unwrap();
    assert_eq!(sent.message_id.len(), 32, "an apimsgid");
    assert_eq!(sent.code, "ID");
    assert_eq!(servers.clickatell().deliveries_to("447700900001"), 1);
}

/// Clickatell's client as a gateway that cannot send flash messages: the shared send and a
/// campaign both ask the gateway before anything goes out.
struct NoFlash(clickatell::Client);

impl SmsGateway for NoFlash {
    type Code = <clickatell::Client as SmsGateway>::Code;
    type Message = Message;

    fn vendor(&self) -> &'static str {
        self.0.vendor()
    }

    fn recipients_per_request(&self) -> usize {
        self.0.recipients_per_request()
    }

    fn endpoints(&self) -> &[String] {
        self.0.endpoints()
    }

    fn check(&self, message: &Message, _now: DateTime<Utc>) -> Result<(), InvalidMessage> {
        match message.content() {
            Content::Flash(_) => Err(InvalidMessage::Vendor("no flash messages here".into())),
            _ => Ok(()),
        }
    }

    async fn send_request(
        &self,
        message: &Message,
        request: Request<'_>,
    ) -> Result<SendReport<Self::Code>, RequestError> {
        self.0.send_request(message, request).await
    }

    async fn credit(&self) -> Result<Credit, QueryError> {
        self.0.credit().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_the_gateway_refuses_is_not_sent_by_a_send_or_a_campaign() {
    let mut config = SimulatorConfig::default();
    config.clickatell.accounts = vec![clickatell::simulated::Account::new(1, "u", "p")];
    let servers = Servers::start(config).await;
    let gateway = NoFlash(
        clickatell::Client::new(
            clickatell::Credentials::new(1, "u", "p").unwrap(),
            soap_runtime::client::SoapClient::builder()
                .endpoints([servers.primary.url(clickatell::simulated::PATH)]),
        )
        .unwrap(),
    );
    let flash = Message::flash("Hi", ["447700900001"]);
    let refused = generated_client::core::send(&gateway, &flash)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, SendError::Invalid(InvalidMessage::Vendor(why)) if why == "no flash messages here"),
        "{refused:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("numbers.txt");
    std::fs::write(&file, "447700900002\n").unwrap();
    let (list, _) = NumberList::file(&file).open().unwrap();
    let refused = Campaign::new(&gateway, journal(&dir).await)
        .send(&Message::flash("Hi", Vec::<String>::new()), &list)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, CampaignError::Invalid(InvalidMessage::Vendor(_))),
        "{refused:?}"
    );
    for number in ["447700900001", "447700900002"] {
        assert_eq!(servers.clickatell().deliveries_to(number), 0, "{number}");
    }

    // A text message goes through the same gateway.
    let text = Message::text("Hi", ["447700900001"]);
    let report = generated_client::core::send(&gateway, &text).await.unwrap();
    assert!(report.all_accepted());
    assert_eq!(servers.clickatell().deliveries_to("447700900001"), 1);
}
