//! Interop: the generated client and server of `tests/fixtures/interop/service.wsdl` against
//! SOAP toolkits that were not written here (tests/interop/README.md says which, and what
//! each call checks).
//!
//! - The generated client calls gSOAP's server, on SOAP 1.1, SOAP 1.2 and rpc/encoded:
//!   values, headers both ways and typed fault details, read into the generated types.
//! - gSOAP's client and zeep call the generated servers (over `SoapServer`), making the same
//!   calls; what they print is checked here, and what the servers were sent is checked too.
//! - zeep posts malformed requests: each gets a SOAP Fault zeep can read, and the server
//!   goes on serving.
//!
//! Each test starts its peer itself, on a free loopback port, and a guard kills it at the
//! end. A peer that is not installed skips its test, unless `SOAP_INTEROP=required`.

mod catalogue;
#[path = "../common/mod.rs"]
mod common;
mod peers;

use codegen_tests::interop::{
    inventory_soap, inventory_soap12, stock_soap_encoded, AccessDenied, Auth, LookupItem, Quota,
    StockLevel,
};
use soap_runtime::client::CallError;
use soap_runtime::envelope::FaultCode;
use soap_runtime::SoapVersion;

use catalogue::{item, unknown_sku, RustServers, SERVED_BY, TOKEN, USER};
use peers::{Process, Report};

/// The fault a failed call must have ended in: its HTTP status, code and reason, and its
/// typed detail.
fn expect_fault<F: std::fmt::Debug>(
    result: Result<impl std::fmt::Debug, CallError<F>>,
    status: u16,
    reason: &str,
) -> Option<F> {
    match result {
        Err(CallError::Fault {
            status: got, fault, ..
        }) => {
            assert_eq!(
                (got, &fault.code, fault.reason.as_str()),
                (status, &FaultCode::Client, reason),
                "{fault:?}"
            );
            fault.detail
        }
        other => panic!("expected a fault saying {reason:?}, got {other:?}"),
    }
}

/// The generated client of one InventoryPort binding (whose types differ only by module)
/// against a peer's server at `url` that was just started: every call of the report, checked
/// on the generated types. `status` is the HTTP status the peer sends faults with.
macro_rules! check_inventory_client {
    ($module:ident, $client:ident, $url:expr, $served_by:expr, $status:expr) => {{
        use $module::{AdjustStockFault, AdjustStockInput, LookupItemFault};
        let client = $module::$client::with_endpoints([$url]).expect("a client");
        let auth = |token: &str| $module::LookupItemInputHeaders {
            auth: Some(Auth {
                user: USER.to_owned(),
                token: token.to_owned(),
            }),
        };
        let lookup = |sku: &str, warehouse: Option<&str>| LookupItem {
            sku: sku.to_owned(),
            warehouse: warehouse.map(str::to_owned),
        };
        let quota = |remaining| {
            Some(Quota {
                remaining,
                served_by: $served_by.to_owned(),
            })
        };

        let answer = client
            .lookup_item_with_headers(&lookup("BOLT-M4", Some("north")), &auth(TOKEN))
            .await
            .expect("LookupItem BOLT-M4 north");
        assert_eq!(answer.body.item, item("BOLT-M4", 120));
        assert_eq!(answer.headers.quota, quota(99));

        let answer = client
            .lookup_item_with_headers(&lookup("BOLT-M4", Some("south")), &auth(TOKEN))
            .await
            .expect("LookupItem BOLT-M4 south");
        assert_eq!(answer.body.item, item("BOLT-M4", 5));
        assert_eq!(answer.body.item.level, StockLevel::Low);
        assert_eq!(answer.headers.quota, quota(98));

        let answer = client
            .lookup_item_with_headers(&lookup("GEAR-20", None), &auth(TOKEN))
            .await
            .expect("LookupItem GEAR-20");
        assert_eq!(answer.body.item, item("GEAR-20", 0));

        let unknown = client
            .lookup_item_with_headers(&lookup("BOLT-X", None), &auth(TOKEN))
            .await;
        assert_eq!(
            expect_fault(unknown, $status, "unknown SKU"),
            Some(LookupItemFault::UnknownSku(unknown_sku("BOLT-X")))
        );

        let denied = client
            .lookup_item_with_headers(&lookup("BOLT-M4", None), &auth("guess"))
            .await;
        assert_eq!(
            expect_fault(denied, $status, "access denied"),
            Some(LookupItemFault::AccessDenied(AccessDenied {
                user: USER.to_owned(),
                reason: "bad token".to_owned(),
            }))
        );

        // Without the header, as the plain method sends it.
        let anonymous = client.lookup_item(&lookup("BOLT-M4", None)).await;
        assert_eq!(
            expect_fault(anonymous, $status, "access denied"),
            Some(LookupItemFault::AccessDenied(AccessDenied {
                user: String::new(),
                reason: "no Auth header".to_owned(),
            }))
        );

        let adjust = |sku: &str, delta| AdjustStockInput {
            sku: sku.to_owned(),
            delta,
        };
        let adjusted = client
            .adjust_stock(&adjust("BOLT-M4", -20))
            .await
            .expect("AdjustStock BOLT-M4 -20");
        assert_eq!(
            (adjusted.quantity, adjusted.level),
            (105, StockLevel::InStock)
        );

        let unknown = client.adjust_stock(&adjust("NUT-M4", 1)).await;
        assert_eq!(
            expect_fault(unknown, $status, "unknown SKU"),
            Some(AdjustStockFault::UnknownSku(unknown_sku("NUT-M4")))
        );

        // A fault of no declared type: no typed detail, and nothing made up.
        let short = client.adjust_stock(&adjust("GEAR-20", -1)).await;
        assert_eq!(expect_fault(short, $status, "not enough stock"), None);
    }};
}

/// The rpc/encoded binding's client against a peer's server at `url`.
async fn check_encoded_client(url: &str) {
    use stock_soap_encoded::{AdjustStockFault, AdjustStockInput, StockSoapEncodedClient};
    let client = StockSoapEncodedClient::with_endpoints([url]).expect("a client");
    let adjusted = client
        .adjust_stock(&AdjustStockInput {
            sku: Some("BOLT-M4".to_owned()),
            delta: Some(7),
        })
        .await
        .expect("AdjustStock BOLT-M4 +7");
    assert_eq!(
        (adjusted.quantity, adjusted.level),
        (Some(132), Some(StockLevel::InStock))
    );
    let unknown = client
        .adjust_stock(&AdjustStockInput {
            sku: Some("BOLT-X".to_owned()),
            delta: Some(1),
        })
        .await;
    assert_eq!(
        expect_fault(unknown, 500, "unknown SKU"),
        Some(AdjustStockFault::UnknownSku(unknown_sku("BOLT-X")))
    );
}

/// A gSOAP server of the interop service, just started.
fn gsoap_server(gsoap: &peers::Gsoap) -> (Process, String) {
    let server = Process::start(
        "the gSOAP server",
        std::process::Command::new(&gsoap.server).arg("gsoap"),
    );
    let url = format!("http://127.0.0.1:{}/", server.port());
    (server, url)
}

#[tokio::test]
async fn generated_client_calls_gsoap_server_over_soap11() {
    let Some(gsoap) = peers::gsoap() else { return };
    let (_server, url) = gsoap_server(gsoap);
    check_inventory_client!(inventory_soap, InventorySoapClient, url, "gsoap", 500);
}

#[tokio::test]
async fn generated_client_calls_gsoap_server_over_soap12() {
    let Some(gsoap) = peers::gsoap() else { return };
    let (_server, url) = gsoap_server(gsoap);
    // gSOAP answers SOAP 1.2 Sender faults with 400, as SOAP 1.2's HTTP binding says.
    check_inventory_client!(inventory_soap12, InventorySoap12Client, url, "gsoap", 400);
}

#[tokio::test]
async fn generated_client_calls_gsoap_server_over_rpc_encoded() {
    let Some(gsoap) = peers::gsoap() else { return };
    let (_server, url) = gsoap_server(gsoap);
    check_encoded_client(&url).await;
}

/// What a peer client must have printed after the calls every client makes
/// (tests/interop/README.md) against a fresh Rust server: the same values, headers and typed
/// fault details whoever the client is. `code` is how the peer reports a Client/Sender
/// fault code in SOAP 1.1 and 1.2.
fn check_client_report(report: &Report, codes: [&str; 2]) {
    let bolt = |quantity, level: &str, remaining| {
        let mut lines = vec![
            "sku=BOLT-M4".to_owned(),
            "name=Bolts & nuts <M4>, ½ kg".to_owned(),
            format!("quantity={quantity}"),
            "price=0.35".to_owned(),
            format!("level={level}"),
            "tags=metal,bulk".to_owned(),
            "restocked=2024-05-01T12:00:00Z".to_owned(),
        ];
        lines.push(format!("Quota.remaining={remaining}"));
        lines.push(format!("Quota.servedBy={SERVED_BY}"));
        lines
    };
    let fault = |code: &str, reason: &str, detail: &[&str]| {
        let mut lines = vec![
            format!("fault.code={code}"),
            format!("fault.reason={reason}"),
        ];
        lines.extend(detail.iter().map(|d| (*d).to_owned()));
        lines
    };
    // The stock and the quota are shared by the bindings: the SOAP 1.2 calls see what the
    // SOAP 1.1 calls changed.
    for ((binding, code), (north, remaining, adjusted)) in ["soap11", "soap12"]
        .into_iter()
        .zip(codes)
        .zip([(120, 99, 105), (100, 97, 85)])
    {
        let call = |name: &str| report.call(&format!("{binding}.{name}"));
        assert_eq!(
            call("lookup"),
            bolt(north, "in-stock", remaining),
            "{binding}"
        );
        assert_eq!(
            call("lookup_all"),
            [
                "sku=GEAR-20",
                "name=Gear, 20 teeth",
                "quantity=0",
                "price=12.50",
                "level=out-of-stock",
                "tags=",
                &format!("Quota.remaining={}", remaining - 1),
                &format!("Quota.servedBy={SERVED_BY}"),
            ],
            "{binding}"
        );
        assert_eq!(
            call("unknown"),
            fault(
                code,
                "unknown SKU",
                &["UnknownSku.sku=BOLT-X", "UnknownSku.suggestion=BOLT-M4"]
            ),
            "{binding}"
        );
        assert_eq!(
            call("denied"),
            fault(
                code,
                "access denied",
                &["AccessDenied.user=alice", "AccessDenied.reason=bad token"]
            ),
            "{binding}"
        );
        assert_eq!(
            call("adjust"),
            [format!("quantity={adjusted}"), "level=in-stock".to_owned()],
            "{binding}"
        );
        assert_eq!(
            call("adjust_unknown"),
            fault(code, "unknown SKU", &["UnknownSku.sku=NUT-M4"]),
            "{binding}"
        );
        assert_eq!(
            call("adjust_short"),
            fault(code, "not enough stock", &[]),
            "{binding}"
        );
    }
    assert_eq!(
        report.call("encoded.adjust"),
        ["quantity=92", "level=in-stock"]
    );
    assert_eq!(
        report.call("encoded.adjust_unknown"),
        fault(
            codes[0],
            "unknown SKU",
            &["UnknownSku.sku=BOLT-X", "UnknownSku.suggestion=BOLT-M4"]
        )
    );
}

/// What the Rust servers were sent by a client making the calls of the report (and then
/// `extra_lookups` SOAP 1.1 LookupItems): each operation of each binding, in the envelope
/// version of its binding, naming its action. Malformed requests never reach the catalogue.
fn check_requests_seen(servers: &RustServers, extra_lookups: usize) {
    let seen = servers.catalogue.seen();
    let mut expected = Vec::new();
    for (binding, version) in [
        ("InventorySoap", SoapVersion::Soap11),
        ("InventorySoap12", SoapVersion::Soap12),
    ] {
        for operation in ["LookupItem"; 4].into_iter().chain(["AdjustStock"; 3]) {
            expected.push(catalogue::Seen {
                operation: format!("{binding}.{operation}"),
                version,
                action: Some(format!("urn:example:inventory#{operation}")),
            });
        }
    }
    for _ in 0..2 {
        expected.push(catalogue::Seen {
            operation: "StockSoapEncoded.AdjustStock".to_owned(),
            version: SoapVersion::Soap11,
            action: Some("urn:example:inventory:encoded#AdjustStock".to_owned()),
        });
    }
    for _ in 0..extra_lookups {
        expected.push(catalogue::Seen {
            operation: "InventorySoap.LookupItem".to_owned(),
            version: SoapVersion::Soap11,
            action: Some("urn:example:inventory#LookupItem".to_owned()),
        });
    }
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn gsoap_client_calls_generated_server() {
    let Some(gsoap) = peers::gsoap() else { return };
    let servers = RustServers::start().await;
    let client = Process::start(
        "the gSOAP client",
        std::process::Command::new(&gsoap.client).args(&servers.urls),
    );
    let report = tokio::task::spawn_blocking(move || client.report())
        .await
        .expect("the report");
    check_client_report(&report, ["SOAP-ENV:Client", "SOAP-ENV:Sender"]);
    check_requests_seen(&servers, 0);
}

#[tokio::test]
async fn zeep_calls_generated_server_and_survives_malformed_requests() {
    let Some(python) = peers::python() else {
        return;
    };
    let servers = RustServers::start().await;
    let mut command = python.script("zeep_client.py");
    command.arg(peers::wsdl()).args(&servers.urls);
    let client = Process::start("the zeep client", &mut command);
    let report = tokio::task::spawn_blocking(move || client.report())
        .await
        .expect("the report");
    check_client_report(&report, ["soap:Client", "soap:Sender"]);

    // Every malformed request got a SOAP Fault that zeep read, blaming the sender (or saying
    // which header was not understood), with the status and content type of its version.
    for (case, soap12, says) in [
        ("not_xml", false, "malformed XML"),
        ("truncated", false, "malformed XML"),
        ("not_soap", false, "not a SOAP envelope"),
        ("unknown_operation", false, "<DeleteItem>"),
        ("missing_sku", false, "no <sku>"),
        ("bad_int", false, "<delta>: expected xsd:int"),
        ("dtd", false, "may not have a DTD"),
        (
            "must_understand",
            false,
            "header <Trace> in urn:example:trace must be understood",
        ),
        ("bad_int_12", true, "<delta>: expected xsd:int"),
    ] {
        let call = format!("malformed.{case}");
        let (status, content_type, code) = match (soap12, case) {
            (false, "must_understand") => ("500", "text/xml; charset=utf-8", "soap:MustUnderstand"),
            (false, _) => ("500", "text/xml; charset=utf-8", "soap:Client"),
            (true, _) => ("400", "application/soap+xml; charset=utf-8", "soap:Sender"),
        };
        let field = |name: &str| report.get(&format!("{call}.{name}"));
        assert_eq!(
            (field("status"), field("content_type"), field("fault.code")),
            (status, content_type, code),
            "{call}: {}",
            report.text()
        );
        let reason = field("fault.reason");
        assert!(
            reason.contains(says),
            "{call}: the reason {reason:?} does not say {says:?}"
        );
    }
    // And it went on serving.
    assert_eq!(
        report.call("after_malformed"),
        [
            "sku=BOLT-M4",
            "name=Bolts & nuts <M4>, ½ kg",
            "quantity=5",
            "price=0.35",
            "level=low",
            "tags=metal,bulk",
            "restocked=2024-05-01T12:00:00Z",
            "Quota.remaining=95",
            &format!("Quota.servedBy={SERVED_BY}"),
        ]
    );
    check_requests_seen(&servers, 1);
}
