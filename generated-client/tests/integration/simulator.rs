//! The embedded gateway simulator, driven over HTTP the way a client meets it: requests written
//! and responses read with the generated bindings, sent with reqwest. Connection Software's
//! simulated gateway serves them; the listeners' behaviour (counting, failures, refusing
//! connections, shutting down) is every vendor's.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use generated_client::csoft::simulated::{self, Account, Contact, Report, PATH};
use generated_client::generated::sendsms5::{self as api, service};
use generated_client::simulator::{
    Error, Failure, Repeat, RunningSimulator, Simulator, SimulatorConfig,
};
use soap_runtime::envelope::{read_response, write_request, EnvelopeError, FaultCode};
use soap_runtime::{Nillable, NoFault, Operation};

use crate::common::{dec, loopback};

const USER: &str = "ANOther.61234";
const PIN: &str = "123456";
const TEST_USER: &str = "Test.1";
const BARRED: &str = "447700900666";

/// One paying account with 1.00 of credit at 0.10 a message, one test account, and a number
/// the gateway bars.
fn config() -> SimulatorConfig {
    let mut account = Account::new(USER, PIN);
    account.credit = dec("1.00");
    account.message_cost = dec("0.10");
    account.permitted_reply_to = vec!["447700900123".to_owned()];
    account.address_books.insert(
        "Friends".to_owned(),
        vec![
            {
                let mut ann = Contact::new("447700900201");
                ann.given_name = Some("Ann".to_owned());
                ann.group = Some("Close".to_owned());
                ann
            },
            Contact::new("447700900202"),
        ],
    );
    let mut test = Account::new(TEST_USER, "999");
    test.test = true;
    let mut config = SimulatorConfig::default();
    config.csoft.accounts = vec![account, test];
    config.csoft.number_reports =
        [(BARRED.to_owned(), Report::new(6, "Barred, by request"))].into();
    config
}

async fn start() -> (Simulator, RunningSimulator) {
    let simulator = Simulator::new(config());
    let running = simulator.start(loopback()).await.expect("simulator starts");
    (simulator, running)
}

/// The Connection Software gateway a simulator serves.
fn csoft(simulator: &Simulator) -> &simulated::Gateway {
    simulator.gateways().csoft()
}

/// The SubmitMessages the listener `running` received.
fn received_by(running: &RunningSimulator) -> Vec<simulated::Submission> {
    csoft(running.simulator()).submissions(Some(running.local_addr()))
}

fn client() -> reqwest::Client {
    // A proxy from the environment must not see loopback traffic.
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// POSTs an envelope; the status and the body.
async fn post(client: &reqwest::Client, url: &str, body: String) -> reqwest::Result<(u16, String)> {
    let response = client
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

/// Calls operation `O` and reads its answer with the generated bindings.
async fn call<O: Operation<Fault = NoFault>>(
    client: &reqwest::Client,
    url: &str,
    input: &O::Input,
) -> Result<O::Output, EnvelopeError<NoFault>> {
    let request = write_request::<O>(input, &Default::default());
    let (_, body) = post(client, url, request).await.expect("an HTTP answer");
    read_response::<O>(&body).map(|received| received.body)
}

fn submit(username: &str, pin: &str, send_to: &str, text: &str) -> api::SubmitMessage {
    api::SubmitMessage {
        username: Nillable::Value(api::SubmitMessageUsername::new(username).expect("username")),
        pin: Nillable::Value(api::SubmitMessagePin::new(pin).expect("pin")),
        recipient: Nillable::Value(api::Recipient {
            send_to: Nillable::Value(send_to.to_owned()),
            ..Default::default()
        }),
        message: Nillable::Value(api::Message {
            text_message: Nillable::Value(text.to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    send_to: &str,
) -> Result<api::SubmitMessageResponse, EnvelopeError<NoFault>> {
    call::<service::SubmitMessage>(client, url, &submit(USER, PIN, send_to, "hello")).await
}

fn split(list: &str) -> Vec<&str> {
    list.split(',').collect()
}

fn credit_request(username: &str, pin: &str) -> api::AvailableCredit {
    api::AvailableCredit {
        username: Nillable::Value(api::AvailableCreditUsername::new(username).expect("username")),
        pin: Nillable::Value(api::AvailableCreditPin::new(pin).expect("pin")),
    }
}

async fn credit(client: &reqwest::Client, url: &str) -> String {
    call::<service::AvailableCredit>(client, url, &credit_request(USER, PIN))
        .await
        .expect("AvailableCredit answers")
        .credit
}

#[tokio::test]
async fn submit_to_three_numbers_answers_each_in_order() {
    let (simulator, running) = start().await;
    let client = client();
    let response = send(
        &client,
        &running.url(PATH),
        "447700900001, 447700900002 ,447700900003",
    )
    .await
    .expect("SubmitMessage answers");

    let ids = split(&response.message_identifier);
    assert_eq!(ids.len(), 3);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3, "{ids:?}");
    for id in &ids {
        assert!(
            id.len() == 8
                && id
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_lowercase()),
            "{id}"
        );
    }
    assert_eq!(response.report, "-2,-2,-2");
    let text = response.text.into_value().expect("Text");
    assert_eq!(split(&text).len(), 3, "{text}");

    assert_eq!(csoft(&simulator).credit(USER), Some(dec("0.70")));
    assert_eq!(running.request_count("SubmitMessage"), 1);
    let log = csoft(&simulator).submissions(None);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].server, running.local_addr());
    assert_eq!(log[0].username.as_deref(), Some(USER));
    assert_eq!(log[0].text.as_deref(), Some("hello"));
    let numbers: Vec<_> = log[0]
        .recipients
        .iter()
        .map(|r| r.number.as_str())
        .collect();
    assert_eq!(numbers, ["447700900001", "447700900002", "447700900003"]);
    assert!(log[0].recipients.iter().all(|r| r.accepted));
    assert_eq!(csoft(&simulator).deliveries_to("447700900002"), 1);

    // Identifiers stay unique across requests.
    let again = send(&client, &running.url(PATH), "447700900001")
        .await
        .unwrap();
    assert!(!ids.contains(&again.message_identifier.as_str()));
    running.shutdown().await;
}

#[tokio::test]
async fn a_wrong_login_answers_2_for_every_number() {
    let (simulator, running) = start().await;
    let input = submit(USER, "000000", "447700900001,447700900002", "hello");
    let response = call::<service::SubmitMessage>(&client(), &running.url(PATH), &input)
        .await
        .unwrap();
    assert_eq!(response.report, "2,2");
    assert_eq!(split(&response.message_identifier).len(), 2);
    assert_eq!(csoft(&simulator).credit(USER), Some(dec("1.00")));
    assert_eq!(csoft(&simulator).deliveries_to("447700900001"), 0);
    assert_eq!(
        csoft(&simulator).submissions(None).len(),
        1,
        "logged all the same"
    );
}

#[tokio::test]
async fn numbers_the_credit_cannot_pay_for_get_15() {
    let (simulator, running) = start().await;
    let client = client();
    assert!(csoft(&simulator).set_credit(USER, dec("0.25")));
    let response = send(
        &client,
        &running.url(PATH),
        "447700900001,447700900002,447700900003",
    )
    .await
    .unwrap();
    assert_eq!(response.report, "-2,-2,15");
    assert_eq!(csoft(&simulator).credit(USER), Some(dec("0.05")));

    let response = send(&client, &running.url(PATH), "447700900004,447700900005")
        .await
        .unwrap();
    assert_eq!(response.report, "15,15");
    assert_eq!(
        csoft(&simulator).credit(USER),
        Some(dec("0.05")),
        "credit unchanged"
    );
    assert_eq!(credit(&client, &running.url(PATH)).await, "0.0500");
}

#[tokio::test]
async fn invalid_and_configured_numbers_get_their_own_codes() {
    let (simulator, running) = start().await;
    let response = send(
        &client(),
        &running.url(PATH),
        &format!("447700900001,07700 900002,{BARRED},+447700900003"),
    )
    .await
    .unwrap();
    assert_eq!(response.report, "-2,3,6,3");
    let text = response.text.into_value().unwrap();
    assert_eq!(split(&text).len(), 4, "commas in texts are escaped: {text}");
    assert!(text.contains("Barred; by request"), "{text}");
    // Only the accepted message is paid for.
    assert_eq!(csoft(&simulator).credit(USER), Some(dec("0.90")));
    assert_eq!(csoft(&simulator).deliveries_to(BARRED), 0);
}

#[tokio::test]
async fn a_test_account_answers_99_free_of_charge() {
    let (simulator, running) = start().await;
    let input = submit(TEST_USER, "999", "447700900001,447700900002", "test");
    let response = call::<service::SubmitMessage>(&client(), &running.url(PATH), &input)
        .await
        .unwrap();
    assert_eq!(response.report, "99,99");
    assert_eq!(
        response.text.as_deref().into_value(),
        Some("Test message succeeded,Test message succeeded")
    );
    assert_eq!(csoft(&simulator).credit(TEST_USER), Some(dec("10")));
}

#[tokio::test]
async fn address_books_are_queried_and_sent_to() {
    let (_simulator, running) = start().await;
    let client = client();
    let query = |group: Option<&str>| api::QueryAddressBook {
        username: USER.to_owned(),
        pin: PIN.to_owned(),
        address_book_name: Nillable::Value("Friends".to_owned()),
        address_book_group_name: Nillable::absent_if_none(group.map(str::to_owned)),
    };
    let all = call::<service::QueryAddressBook>(&client, &running.url(PATH), &query(None))
        .await
        .unwrap();
    let numbers: Vec<_> = all
        .address_book_entry_list
        .item
        .iter()
        .map(|e| e.mobile_number.as_str())
        .collect();
    assert_eq!(numbers, ["447700900201", "447700900202"]);
    let close =
        call::<service::QueryAddressBook>(&client, &running.url(PATH), &query(Some("Close")))
            .await
            .unwrap();
    assert_eq!(close.address_book_entry_list.item.len(), 1);
    assert_eq!(
        close.address_book_entry_list.item[0]
            .given_name
            .as_deref()
            .into_value(),
        Some("Ann")
    );

    let mut input = submit(USER, PIN, "447700900001", "hi");
    if let Nillable::Value(recipient) = &mut input.recipient {
        recipient.send_to_address_book = Nillable::Value("Friends::Close".to_owned());
    }
    let response = call::<service::SubmitMessage>(&client, &running.url(PATH), &input)
        .await
        .unwrap();
    assert_eq!(response.report, "-2,-2");
    assert_eq!(
        received_by(&running)[0].recipients[1].number,
        "447700900201"
    );
}

#[tokio::test]
async fn account_queries_answer_from_the_account() {
    let (_simulator, running) = start().await;
    let client = client();
    let url = running.url(PATH);

    let answer = call::<service::AvailableCredit>(&client, &url, &credit_request(USER, PIN))
        .await
        .unwrap();
    assert_eq!(answer.currency.get(), "GBP");
    assert_eq!(answer.credit, "1.0000");

    send(&client, &url, "447700900001").await.unwrap();
    assert_eq!(credit(&client, &url).await, "0.9000");
    let messages = api::AvailableMessages {
        username: Nillable::Value(api::AvailableMessagesUsername::new(USER).unwrap()),
        pin: Nillable::Value(api::AvailableMessagesPin::new(PIN).unwrap()),
    };
    let answer = call::<service::AvailableMessages>(&client, &url, &messages)
        .await
        .unwrap();
    assert_eq!(answer.messages, "9");

    let reply_to = api::PermittedReplyTo {
        username: Nillable::Value(api::PermittedReplyToUsername::new(USER).unwrap()),
        pin: Nillable::Value(api::PermittedReplyToPin::new(PIN).unwrap()),
    };
    let answer = call::<service::PermittedReplyTo>(&client, &url, &reply_to)
        .await
        .unwrap();
    assert_eq!(answer.permitted_reply_to, "447700900123,csoft.co.uk");

    let collect = api::CollectMessages {
        username: Nillable::Value(USER.to_owned()),
        pin: Nillable::Value(PIN.to_owned()),
    };
    let answer = call::<service::CollectMessages>(&client, &url, &collect)
        .await
        .unwrap();
    assert_eq!(answer.report, 0);
    assert!(answer.message_list.item.is_empty());

    let answer =
        call::<service::MobileMessengerVersion>(&client, &url, &api::MobileMessengerVersion {})
            .await
            .unwrap();
    assert!(!answer.version.is_empty());
    assert_eq!(running.request_count("AvailableCredit"), 2);
}

#[tokio::test]
async fn account_queries_with_a_wrong_login_are_client_faults() {
    let (_simulator, running) = start().await;
    let client = client();
    let url = running.url(PATH);
    let invalid_login = |result: Result<_, EnvelopeError<NoFault>>| match result {
        Err(EnvelopeError::Fault(fault)) => {
            assert_eq!(fault.code, FaultCode::Client);
            assert_eq!(fault.reason, "Invalid login");
        }
        other => panic!("expected a Fault, got {other:?}"),
    };
    invalid_login(
        call::<service::AvailableCredit>(&client, &url, &credit_request(USER, "1"))
            .await
            .map(drop),
    );
    let messages = api::AvailableMessages {
        username: Nillable::Value(api::AvailableMessagesUsername::new("nobody").unwrap()),
        pin: Nillable::Value(api::AvailableMessagesPin::new(PIN).unwrap()),
    };
    invalid_login(
        call::<service::AvailableMessages>(&client, &url, &messages)
            .await
            .map(drop),
    );
    invalid_login(
        call::<service::PermittedReplyTo>(&client, &url, &api::PermittedReplyTo::default())
            .await
            .map(drop),
    );
    // CollectMessages has a Report of its own.
    let collect = api::CollectMessages {
        username: Nillable::Value(USER.to_owned()),
        pin: Nillable::Value("1".to_owned()),
    };
    let answer = call::<service::CollectMessages>(&client, &url, &collect)
        .await
        .unwrap();
    assert_eq!(answer.report, 2);
}

#[tokio::test]
async fn unreadable_requests_and_unknown_operations_are_client_faults() {
    let (_simulator, running) = start().await;
    let client = client();
    let unknown = r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns:SendFax xmlns:ns="urn:x"/></soap:Body></soap:Envelope>"#;
    let request =
        write_request::<service::AvailableCredit>(&credit_request(USER, PIN), &Default::default());
    let truncated = request[..request.len() - 40].to_owned();
    let cases = [
        ("<not xml", "unreadable"),
        ("<a><b></a>", "not a SOAP envelope"),
        (&truncated, "cannot read AvailableCredit"),
        ("<Envelope/>", "not a SOAP envelope"),
        (
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>"#,
            "no Body",
        ),
        (unknown, "SendFax"),
    ];
    for (body, reason) in cases {
        let response = client
            .post(running.url(PATH))
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 500, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "text/xml; charset=utf-8"
        );
        let text = response.text().await.unwrap();
        match read_response::<service::SubmitMessage>(&text) {
            Err(EnvelopeError::Fault(fault)) => {
                assert_eq!(fault.code, FaultCode::Client, "{body}");
                assert!(fault.reason.contains(reason), "{body}: {}", fault.reason);
            }
            other => panic!("{body}: expected a Fault, got {other:?}"),
        }
    }
    let response = client
        .post(running.url(PATH))
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    // Every request is counted; one the generated server routes to no operation is counted
    // under none.
    assert_eq!(running.total_requests(), 7);
    assert_eq!(running.request_count("SendFax"), 0);
}

#[tokio::test]
async fn refusing_connections_and_listening_again_on_the_same_port() {
    let (simulator, running) = start().await;
    let url = running.url(PATH);
    running.refuse_connections().await.unwrap();
    let error = client()
        .post(&url)
        .body("x")
        .send()
        .await
        .expect_err("connecting is refused");
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(running.total_requests(), 0);
    assert_eq!(csoft(&simulator).submissions(None).len(), 0);

    running.accept_connections().await.unwrap();
    assert_eq!(running.url(PATH), url);
    let response = send(&client(), &url, "447700900001").await.unwrap();
    assert_eq!(response.report, "-2");
    running.shutdown().await;
}

#[tokio::test]
async fn refusing_connections_closes_idle_keep_alive_connections() {
    let (_simulator, running) = start().await;
    let client = client();
    credit(&client, &running.url(PATH)).await;
    running.refuse_connections().await.unwrap();
    // Leave the client a moment to see its pooled connection closed.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let error = client
        .post(running.url(PATH))
        .body("x")
        .send()
        .await
        .expect_err("the server is down");
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(running.total_requests(), 1);
}

#[tokio::test]
async fn a_dropped_connection_carries_the_request_out_but_never_answers() {
    let (simulator, running) = start().await;
    let client = client();
    running.set_failure(Failure::DropConnection, Repeat::Once);
    let request = write_request::<service::SubmitMessage>(
        &submit(USER, PIN, "447700900001", "hello"),
        &Default::default(),
    );
    let error = post(&client, &running.url(PATH), request)
        .await
        .expect_err("no answer");
    assert!(!error.is_connect() && !error.is_timeout(), "{error:?}");
    assert!(error.status().is_none());
    assert!(
        format!("{error:?}").contains("IncompleteMessage"),
        "closed before any response: {error:?}"
    );
    assert_eq!(
        running.request_count("SubmitMessage"),
        1,
        "exactly one request"
    );
    assert_eq!(csoft(&simulator).deliveries_to("447700900001"), 1);

    // Once: the next request is answered.
    assert_eq!(credit(&client, &running.url(PATH)).await, "0.9000");
}

#[tokio::test]
async fn a_delay_holds_the_answer_back() {
    let (_simulator, running) = start().await;
    let client = client();
    running.set_failure(Failure::Delay(Duration::from_millis(150)), Repeat::Once);
    let started = Instant::now();
    assert_eq!(credit(&client, &running.url(PATH)).await, "1.0000");
    assert!(started.elapsed() >= Duration::from_millis(150));

    running.set_failure(
        Failure::Delay(Duration::from_millis(300)),
        Repeat::UntilCleared,
    );
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let error = impatient
        .post(running.url(PATH))
        .body(write_request::<service::AvailableCredit>(
            &credit_request(USER, PIN),
            &Default::default(),
        ))
        .send()
        .await
        .expect_err("timed out");
    assert!(error.is_timeout(), "{error:?}");
    running.clear_failure();
    let started = Instant::now();
    credit(&client, &running.url(PATH)).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn http_500_answers_a_server_fault_without_sending() {
    let (simulator, running) = start().await;
    let client = client();
    running.set_failure(Failure::Http500, Repeat::UntilCleared);
    for _ in 0..2 {
        let request = write_request::<service::SubmitMessage>(
            &submit(USER, PIN, "447700900001", "hello"),
            &Default::default(),
        );
        let (status, body) = post(&client, &running.url(PATH), request).await.unwrap();
        assert_eq!(status, 500);
        match read_response::<service::SubmitMessage>(&body) {
            Err(EnvelopeError::Fault(fault)) => assert_eq!(fault.code, FaultCode::Server),
            other => panic!("expected a Fault, got {other:?}"),
        }
    }
    assert_eq!(running.request_count("SubmitMessage"), 2);
    assert_eq!(csoft(&simulator).deliveries_to("447700900001"), 0);
    assert_eq!(csoft(&simulator).credit(USER), Some(dec("1.00")));

    running.clear_failure();
    assert_eq!(
        send(&client, &running.url(PATH), "447700900001")
            .await
            .unwrap()
            .report,
        "-2"
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_read_error() {
    let (_simulator, running) = start().await;
    let client = client();
    running.set_failure(Failure::MalformedBody, Repeat::Once);
    let request = write_request::<service::SubmitMessage>(
        &submit(USER, PIN, "447700900001", "hello"),
        &Default::default(),
    );
    let (status, body) = post(&client, &running.url(PATH), request).await.unwrap();
    assert_eq!(status, 200);
    assert!(
        matches!(
            read_response::<service::SubmitMessage>(&body),
            Err(EnvelopeError::Read(_))
        ),
        "{body}"
    );
    // The small answers are cut before their end as well.
    running.set_failure(Failure::MalformedBody, Repeat::Once);
    let request = write_request::<service::MobileMessengerVersion>(
        &api::MobileMessengerVersion {},
        &Default::default(),
    );
    let (_, body) = post(&client, &running.url(PATH), request).await.unwrap();
    assert!(matches!(
        read_response::<service::MobileMessengerVersion>(&body),
        Err(EnvelopeError::Read(_))
    ));
    assert_eq!(credit(&client, &running.url(PATH)).await, "0.9000");
}

#[tokio::test]
async fn one_client_keeps_one_connection_alive() {
    let (_simulator, running) = start().await;
    let client = client();
    for _ in 0..5 {
        credit(&client, &running.url(PATH)).await;
    }
    assert_eq!(running.total_requests(), 5);
    assert_eq!(running.connections_accepted(), 1);
}

#[tokio::test]
async fn two_listeners_share_one_state() {
    let simulator = Simulator::new(config());
    let (primary, secondary) = simulator.start_pair(loopback(), loopback()).await.unwrap();
    assert_ne!(primary.url(PATH), secondary.url(PATH));
    let client = client();
    send(&client, &primary.url(PATH), "447700900001,447700900002")
        .await
        .unwrap();
    assert_eq!(credit(&client, &secondary.url(PATH)).await, "0.8000");

    primary.set_failure(Failure::Http500, Repeat::UntilCleared);
    let response = send(&client, &secondary.url(PATH), "447700900003")
        .await
        .unwrap();
    assert_eq!(response.report, "-2", "failures belong to one listener");

    assert_eq!(primary.request_count("SubmitMessage"), 1);
    assert_eq!(secondary.request_count("SubmitMessage"), 1);
    assert_eq!(secondary.request_count("AvailableCredit"), 1);
    assert_eq!(simulator.request_count("SubmitMessage"), 2);
    assert_eq!(received_by(&primary).len(), 1);
    assert_eq!(received_by(&secondary)[0].server, secondary.local_addr());
    assert_eq!(csoft(&simulator).submissions(None).len(), 2);
    primary.shutdown().await;
    secondary.shutdown().await;
}

#[tokio::test]
async fn shutting_down_closes_the_port() {
    let (_simulator, running) = start().await;
    let url = running.url(PATH);
    let client = client();
    credit(&client, &url).await;
    running.shutdown().await;
    let error = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(&url)
        .body("x")
        .send()
        .await
        .expect_err("nobody listens");
    assert!(error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn only_loopback_addresses_are_served() {
    let simulator = Simulator::default();
    let outside = SocketAddr::from(([192, 0, 2, 1], 0));
    assert!(matches!(
        simulator.start(outside).await,
        Err(Error::NotLoopback(addr)) if addr == outside
    ));
}
