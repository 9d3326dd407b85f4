//! Connection Software's client's hot paths: writing a SubmitMessage envelope, and reading a
//! SubmitMessageResponse into per-recipient outcomes, for 1 and 350 recipients (the most per
//! request); and whole sends through [`Client`] against the simulator on loopback, in requests
//! per second.
//!
//! Run with `cargo bench -p generated-client --bench client` (the sends need
//! `--features simulator`).

#[cfg(feature = "simulator")]
use std::sync::Arc;

use generated_client::core::SendReport;
use generated_client::csoft::{push_response, Client, Credentials, Message};
use generated_client::generated::sendsms5::service;
use soap_runtime::envelope::{read_response, write_request};
use soap_runtime::NoHeaders;

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [1, 350];

fn numbers(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("4477009{i:05}")).collect()
}

/// A response as the gateway writes it: identifiers, codes and texts, one per recipient.
fn response_envelope(count: usize) -> String {
    let list = |item: &dyn Fn(usize) -> String| (0..count).map(item).collect::<Vec<_>>().join(",");
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" "#,
            r#"xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance" xmlns:xsd="http://www.w3.org/1999/XMLSchema" "#,
            r#"xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><SOAP-ENV:Body><ns2:SubmitMessageResponse>"#,
            r#"<MessageIdentifier xsi:type="xsd:string">{}</MessageIdentifier><Report xsi:type="xsd:int">{}</Report>"#,
            r#"<Text xsi:type="xsd:string">{}</Text><Reserved><Field1/></Reserved></ns2:SubmitMessageResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        ),
        list(&|i| format!("{:08X}", 0x302B_461B + i)),
        list(&|_| "-2".to_owned()),
        list(&|_| "Accepted by csoft: queued".to_owned()),
    )
}

#[divan::bench(args = SIZES)]
fn encode_submit_message(bencher: divan::Bencher, count: usize) {
    let client = Client::builder(Credentials::new("ANOther.61234", "123456").unwrap())
        .build()
        .unwrap();
    let to = numbers(count);
    let message = Message::text(
        "Your appointment is at 10:30 tomorrow. Reply STOP to opt out.",
        to.clone(),
    );
    let request = client.submit_request(&message, &to, None);
    bencher.bench_local(|| {
        write_request::<service::SubmitMessage>(divan::black_box(&request), &NoHeaders)
    });
}

#[divan::bench(args = SIZES)]
fn decode_submit_message_response(bencher: divan::Bencher, count: usize) {
    let xml = response_envelope(count);
    let to = numbers(count);
    bencher.bench_local(|| {
        let response = read_response::<service::SubmitMessage>(divan::black_box(&xml)).unwrap();
        let mut report = SendReport::default();
        push_response(&mut report, Some(&to), &response.body).unwrap();
        report
    });
}

/// A simulator on loopback and a client of it, on a runtime of their own.
#[cfg(feature = "simulator")]
struct Loopback {
    client: Arc<Client>,
    server: generated_client::simulator::RunningSimulator,
    // Last: dropped after the listener.
    runtime: tokio::runtime::Runtime,
}

#[cfg(feature = "simulator")]
impl Loopback {
    fn start() -> Self {
        use generated_client::csoft::simulated::{Account, PATH};
        use generated_client::simulator::{Simulator, SimulatorConfig};

        // Two workers for the server's tasks (and spawned sends); the bench thread drives a
        // single send itself, like a program awaiting it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let mut account = Account::new("ANOther.61234", "123456");
        // Enough for any run: the bench must not turn into one of "out of credit" answers.
        account.credit = rust_decimal::Decimal::from(1_000_000_000_u64);
        let mut config = SimulatorConfig::default();
        config.csoft.accounts = vec![account];
        let simulator = Simulator::new(config);
        let server = runtime
            .block_on(simulator.start(std::net::SocketAddr::from(([127, 0, 0, 1], 0))))
            .expect("the simulator starts");
        let client = Client::builder(Credentials::new("ANOther.61234", "123456").unwrap())
            .endpoints(vec![server.url(PATH)])
            .build()
            .expect("the client builds");
        Self {
            client: Arc::new(client),
            server,
            runtime,
        }
    }

    /// Checks that connections were reused. Not exactly one per send in flight: a send that
    /// starts before the previous one's connection is back in the pool opens another, which
    /// then joins the pool.
    fn assert_keep_alive(&self) {
        let (connections, requests) = (
            self.server.connections_accepted(),
            self.server.total_requests(),
        );
        assert!(
            connections * 10 <= requests,
            "{connections} connections for {requests} requests"
        );
    }

    /// Sends `message` `in_flight` times at once and checks every recipient was accepted.
    fn send(&self, message: &Arc<Message>, in_flight: usize) {
        if in_flight == 1 {
            let report = self.runtime.block_on(self.client.send(message));
            assert!(report.expect("sent").all_accepted());
            return;
        }
        self.runtime.block_on(async {
            let mut sends = tokio::task::JoinSet::new();
            for _ in 0..in_flight {
                let (client, message) = (Arc::clone(&self.client), Arc::clone(message));
                sends.spawn(async move { client.send(&message).await });
            }
            while let Some(done) = sends.join_next().await {
                assert!(done.expect("joined").expect("sent").all_accepted());
            }
        });
    }
}

/// Requests per second: `Client::send` of a one-recipient message, `in_flight` at a time,
/// against the simulator on loopback over keep-alive connections (HTTP/1.1, one connection
/// per send in flight). The whole exchange is measured: validation, the envelope, HTTP,
/// the simulator's work, reading the answer into outcomes.
#[cfg(feature = "simulator")]
#[divan::bench(args = [1, 8], sample_count = 1000, max_time = 3)]
fn send_rps(bencher: divan::Bencher, in_flight: usize) {
    let loopback = Loopback::start();
    let message = Arc::new(Message::text("Your code is 123456", ["447700912345"]));
    bencher
        .counter(divan::counter::ItemsCount::new(in_flight))
        .bench_local(|| loopback.send(&message, in_flight));
    loopback.assert_keep_alive();
}

/// Requests per second for full requests: `Client::send` of one message to 350 recipients,
/// one request at a time.
#[cfg(feature = "simulator")]
#[divan::bench(sample_count = 1000, max_time = 3)]
fn send_rps_350_recipients(bencher: divan::Bencher) {
    let loopback = Loopback::start();
    let message = Arc::new(Message::text(
        "Your appointment is at 10:30 tomorrow. Reply STOP to opt out.",
        numbers(350),
    ));
    bencher
        .counter(divan::counter::ItemsCount::new(1_usize))
        .bench_local(|| loopback.send(&message, 1));
    loopback.assert_keep_alive();
}
