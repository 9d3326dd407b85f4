//! `sendsms --api http`: a send through Connection Software's HTTP API, and the account queries
//! it does not offer. The HTTP API transport itself is tested in generated-client's
//! `tests/integration/http_api.rs`.

use generated_client::csoft::http_api;
use generated_client::csoft::simulated::{Account, Report, HTTP_API_OPERATION};
use generated_client::simulator::SimulatorConfig;

use crate::common::{self, Servers};

const USER: &str = "ANOther.61234";
const PIN: &str = "s3cretPIN";
const BARRED: &str = "447700900666";

/// A simulated primary and secondary server sharing one account.
fn start() -> Servers {
    let mut account = Account::new(USER, PIN);
    account.credit = "100.00".parse().unwrap();
    let mut config = SimulatorConfig::default();
    config.csoft.accounts = vec![account];
    config.csoft.number_reports = [(BARRED.to_owned(), Report::new(8, "Blacklisted"))].into();
    Servers::start(config)
}

#[test]
fn sendsms_api_http_sends_through_the_http_api() {
    let gateway = start();
    let sendsms = |args: &[&str]| {
        let output = common::sendsms(&["--username", USER, "--pin", PIN, "--timeout", "5"])
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let primary = gateway.primary.url(http_api::PATH);
    let (code, stdout, stderr) = sendsms(&[
        "--api",
        "http",
        "--primary",
        &primary,
        "send",
        "--to",
        "447700900001",
        "--text",
        "Hello",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let id = &gateway.csoft().submissions(None)[0].recipients[0].message_identifier;
    assert_eq!(
        stdout,
        format!("447700900001 {id} -2 Accepted: message queued\n")
    );
    assert_eq!(gateway.primary.request_count(HTTP_API_OPERATION), 1);

    let (code, _, stderr) = sendsms(&["--api", "http", "--primary", &primary, "credit"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SOAP"), "{stderr}");
    assert_eq!(gateway.primary.total_requests(), 1);
    drop(gateway);
}
