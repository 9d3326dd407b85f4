//! Generated clients calling generated servers on loopback, over the runtime's reqwest client
//! and axum server: values, SOAP headers both ways, typed faults, SOAP 1.1 and 1.2 (the action
//! where each version puts it), rpc/encoded, extra HTTP headers; and the answers a server gives
//! to requests it cannot serve, after which it goes on serving.

use std::net::SocketAddr;

use codegen_tests::rpc_encoded::{self as rpc, directory_binding as directory};
use codegen_tests::soap12_headers_faults::{
    self as accounts, accounts_soap as soap11, accounts_soap12 as soap12,
};
use soap_runtime::client::{CallError, SoapClient};
use soap_runtime::envelope::{Fault, FaultCode};
use soap_runtime::server::{Dispatch, Request, Response, ServerResult, SoapServer};

/// Serves `dispatcher` on a free loopback port until the test's runtime ends.
async fn serve(dispatcher: impl Dispatch, body_limit: usize) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("an address");
    let server = SoapServer::new(dispatcher).body_limit(body_limit);
    tokio::spawn(server.serve(listener));
    addr
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/accounts")
}

/// The accounts service, both bindings: account "alice" has 12.50 and a rate limit of 7;
/// "mallory" is denied; any other account is not found. Each method also checks the HTTP
/// headers it was sent, and answers a Server fault when they are not what its SOAP version
/// prescribes.
#[derive(Debug, Default)]
struct Accounts;

fn balance(
    account: &str,
    user: Option<&str>,
) -> Result<(String, i32), (Option<&'static str>, String)> {
    match (account, user) {
        (_, None) => Err((None, "no credentials".to_owned())),
        ("alice", Some("teller")) => Ok(("12.50".to_owned(), 7)),
        ("mallory", _) => Err((Some("denied"), "not for you".to_owned())),
        (other, _) => Err((Some("missing"), other.to_owned())),
    }
}

impl soap12::AccountsSoap12 for Accounts {
    async fn get_balance(
        &self,
        request: Request<soap12::GetBalance>,
    ) -> ServerResult<soap12::GetBalance> {
        // SOAP 1.2: the action in the content type, and no SOAPAction header.
        let context = &request.context;
        let content_type = context.http_header("content-type").unwrap_or_default();
        if !content_type.starts_with("application/soap+xml")
            || !content_type.contains(r#"action="urn:fixture:soap12:GetBalance""#)
            || context.http_header("soapaction").is_some()
        {
            return Err(Fault::server(format!("wrong HTTP headers: {content_type}")));
        }
        let user = request
            .headers
            .credentials
            .as_ref()
            .map(|c| c.user.as_str());
        match balance(&request.body.account, user) {
            Ok((amount, limit)) => Ok(Response::with_headers(
                accounts::GetBalanceResponse {
                    balance: soap_runtime::Decimal::new(&amount).expect("a decimal"),
                },
                soap12::GetBalanceOutputHeaders {
                    rate_limit: Some(limit),
                },
            )),
            Err((Some("denied"), reason)) => Err(Fault::client("denied").with_detail(
                soap12::GetBalanceFault::Denied(accounts::AccessDenied {
                    reason,
                    retry_after: Some(60),
                }),
            )),
            Err((Some(_), account)) => Err(Fault::client("no such account").with_detail(
                soap12::GetBalanceFault::NotFound(accounts::AccountNotFound { account }),
            )),
            Err((None, reason)) => Err(Fault::client(reason)),
        }
    }
}

impl soap11::AccountsSoap for Accounts {
    async fn get_balance(
        &self,
        request: Request<soap11::GetBalance>,
    ) -> ServerResult<soap11::GetBalance> {
        // SOAP 1.1: the quoted action in SOAPAction, and the extra header the client was
        // configured with.
        let context = &request.context;
        if context.http_header("soapaction") != Some(r#""urn:fixture:soap12:GetBalance""#) {
            return Err(Fault::server("wrong SOAPAction"));
        }
        if context.http_header("authorization") != Some("Basic dGVsbGVyOnNlY3JldA==") {
            return Err(Fault::client("no basic authentication"));
        }
        let user = request
            .headers
            .credentials
            .as_ref()
            .map(|c| c.user.as_str());
        match balance(&request.body.account, user) {
            Ok((amount, _)) => Ok(Response::new(accounts::GetBalanceResponse {
                balance: soap_runtime::Decimal::new(&amount).expect("a decimal"),
            })),
            Err((Some("denied"), reason)) => Err(Fault::client("denied").with_detail(
                soap11::GetBalanceFault::Denied(accounts::AccessDenied {
                    reason,
                    retry_after: None,
                }),
            )),
            Err((_, reason)) => {
                if reason == "panic" {
                    panic!("a bug in the service");
                }
                Err(Fault::client(reason))
            }
        }
    }
}

fn credentials(user: &str) -> accounts::Credentials {
    accounts::Credentials {
        realm: Some("bank".to_owned()),
        user: user.to_owned(),
        token: "t0k3n".to_owned(),
    }
}

#[tokio::test]
async fn soap12_document_literal_with_headers_both_ways_and_typed_faults() {
    let addr = serve(soap12::AccountsSoap12Server::new(Accounts), 1 << 20).await;
    let client = soap12::AccountsSoap12Client::with_endpoints([url(addr)]).expect("a client");
    let headers = soap12::GetBalanceInputHeaders {
        credentials: Some(credentials("teller")),
    };
    let request = |account: &str| accounts::GetBalance {
        account: account.to_owned(),
    };

    let answered = client
        .get_balance_with_headers(&request("alice"), &headers)
        .await
        .expect("answered");
    assert_eq!(answered.body.balance.as_str(), "12.50");
    assert_eq!(answered.headers.rate_limit, Some(7));

    match client
        .get_balance_with_headers(&request("mallory"), &headers)
        .await
    {
        Err(CallError::Fault { status, fault, .. }) => {
            // SOAP 1.2 blames the sender with 400.
            assert_eq!(status, 400);
            assert_eq!(fault.code, FaultCode::Client);
            assert_eq!(
                fault.detail,
                Some(soap12::GetBalanceFault::Denied(accounts::AccessDenied {
                    reason: "not for you".to_owned(),
                    retry_after: Some(60),
                }))
            );
        }
        other => panic!("expected a typed fault, got {other:?}"),
    }
    match client
        .get_balance_with_headers(&request("bob"), &headers)
        .await
    {
        Err(CallError::Fault { fault, .. }) => assert_eq!(
            fault.detail,
            Some(soap12::GetBalanceFault::NotFound(
                accounts::AccountNotFound {
                    account: "bob".to_owned()
                }
            ))
        ),
        other => panic!("expected a typed fault, got {other:?}"),
    }
    // The form without headers sends none.
    match client.get_balance(&request("alice")).await {
        Err(CallError::Fault { fault, .. }) => {
            assert_eq!(fault.reason, "no credentials");
            assert_eq!(fault.detail, None);
        }
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[tokio::test]
async fn soap11_document_literal_with_basic_auth_and_a_fault() {
    let addr = serve(soap11::AccountsSoapServer::new(Accounts), 1 << 20).await;
    let soap = SoapClient::builder()
        .endpoints([url(addr)])
        .basic_auth("teller", "secret")
        .build()
        .expect("a client");
    let client = soap11::AccountsSoapClient::new(soap);
    let headers = soap11::GetBalanceInputHeaders {
        credentials: Some(credentials("teller")),
    };
    let answered = client
        .get_balance_with_headers(
            &accounts::GetBalance {
                account: "alice".to_owned(),
            },
            &headers,
        )
        .await
        .expect("answered");
    assert_eq!(answered.body.balance.as_str(), "12.50");
    match client
        .get_balance_with_headers(
            &accounts::GetBalance {
                account: "mallory".to_owned(),
            },
            &headers,
        )
        .await
    {
        Err(CallError::Fault { status, fault, .. }) => {
            // SOAP 1.1 sends every fault with 500.
            assert_eq!(status, 500);
            assert!(matches!(
                fault.detail,
                Some(soap11::GetBalanceFault::Denied(_))
            ));
        }
        other => panic!("expected a typed fault, got {other:?}"),
    }

    // Without the basic authentication the client was built with, the service refuses.
    let bare = soap11::AccountsSoapClient::with_endpoints([url(addr)]).expect("a client");
    match bare
        .get_balance_with_headers(
            &accounts::GetBalance {
                account: "alice".to_owned(),
            },
            &headers,
        )
        .await
    {
        Err(CallError::Fault { fault, .. }) => {
            assert_eq!(fault.reason, "no basic authentication");
        }
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_method_is_a_server_fault_and_the_server_goes_on() {
    let addr = serve(soap11::AccountsSoapServer::new(Accounts), 1 << 20).await;
    let soap = SoapClient::builder()
        .endpoints([url(addr)])
        .basic_auth("teller", "secret")
        .build()
        .expect("a client");
    let client = soap11::AccountsSoapClient::new(soap);
    let headers = soap11::GetBalanceInputHeaders {
        credentials: Some(credentials("teller")),
    };
    let call = |account: &str| {
        let input = accounts::GetBalance {
            account: account.to_owned(),
        };
        let (client, headers) = (&client, &headers);
        async move { client.get_balance_with_headers(&input, headers).await }
    };
    match call("panic").await {
        Err(CallError::Fault { fault, .. }) => {
            assert_eq!(fault.code, FaultCode::Server);
            assert!(fault.reason.contains("GetBalance"), "{}", fault.reason);
        }
        other => panic!("expected a server fault, got {other:?}"),
    }
    assert!(call("alice").await.is_ok());
}

/// The directory, rpc/encoded: a department's people, as arrays of strings and structs.
struct Directory;

impl directory::DirectoryBinding for Directory {
    async fn lookup(&self, request: Request<directory::Lookup>) -> ServerResult<directory::Lookup> {
        let department = request.body.department.unwrap_or_default();
        let limit = usize::try_from(request.body.limit.unwrap_or(10)).unwrap_or(0);
        let people: Vec<rpc::Person> = (1..=limit.min(3))
            .map(|n| rpc::Person {
                name: format!("{department} person {n}"),
                extension: 100 + i32::try_from(n).expect("small"),
            })
            .collect();
        Ok(Response::new(directory::LookupOutput {
            names: Some(rpc::ArrayOfString {
                items: people.iter().map(|p| p.name.clone()).collect(),
            }),
            people: Some(rpc::ArrayOfPerson { items: people }),
        }))
    }
}

#[tokio::test]
async fn rpc_encoded_round_trips_through_client_and_server() {
    let addr = serve(directory::DirectoryBindingServer::new(Directory), 1 << 20).await;
    let client = directory::DirectoryBindingClient::with_endpoints([url(addr)]).expect("a client");
    let answer = client
        .lookup(&directory::LookupInput {
            department: Some("sales & support".to_owned()),
            limit: Some(2),
        })
        .await
        .expect("answered");
    let names = answer.names.expect("names").items;
    assert_eq!(
        names,
        ["sales & support person 1", "sales & support person 2"]
    );
    let people = answer.people.expect("people").items;
    assert_eq!(people.len(), 2);
    assert_eq!(people[1].extension, 102);
}

/// A binding none of whose methods are implemented answers each with a Server fault.
struct Nothing;

impl soap11::AccountsSoap for Nothing {}

#[tokio::test]
async fn an_unimplemented_method_answers_a_server_fault() {
    let addr = serve(soap11::AccountsSoapServer::new(Nothing), 1 << 20).await;
    let client = soap11::AccountsSoapClient::with_endpoints([url(addr)]).expect("a client");
    match client
        .get_balance(&accounts::GetBalance {
            account: "alice".to_owned(),
        })
        .await
    {
        Err(CallError::Fault { fault, .. }) => {
            assert_eq!(fault.code, FaultCode::Server);
            assert!(fault.reason.contains("not implemented"), "{}", fault.reason);
        }
        other => panic!("expected a server fault, got {other:?}"),
    }
}

/// Posts `body` with `content_type` and answers the status, content type and body.
async fn post(
    http: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, String, String) {
    let response = http
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("a body"))
}

fn fault_reason(body: &str) -> (FaultCode, String) {
    match soap_runtime::envelope::read_response::<soap11::GetBalance>(body) {
        Err(soap_runtime::envelope::EnvelopeError::Fault(fault)) => (fault.code, fault.reason),
        other => panic!("expected a fault in {body}, got {other:?}"),
    }
}

#[tokio::test]
async fn requests_it_cannot_serve_are_answered_and_the_server_goes_on() {
    let addr = serve(soap11::AccountsSoapServer::new(Accounts), 4096).await;
    let url = url(addr);
    let http = reqwest::Client::new();
    let soap11 = "text/xml; charset=utf-8";
    let envelope = |body: &str| {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{body}</s:Body></s:Envelope>"#
        )
    };
    let cases: [(&str, String, u16, &str); 7] = [
        (soap11, "<not xml".to_owned(), 500, "unreadable"),
        (soap11, "<a/>".to_owned(), 500, "not a SOAP envelope"),
        (
            soap11,
            format!(
                r#"<!DOCTYPE x [<!ENTITY a "aaaa">]>{}"#,
                envelope("<GetBalance/>")
            ),
            500,
            "DTD",
        ),
        (
            soap11,
            envelope(r#"<m:Transfer xmlns:m="urn:fixture:soap12"/>"#),
            500,
            "Transfer",
        ),
        (
            soap11,
            envelope(r#"<m:GetBalance xmlns:m="urn:fixture:soap12"/>"#),
            500,
            "cannot read GetBalance",
        ),
        ("text/plain", envelope("<GetBalance/>"), 415, "text/plain"),
        (soap11, "x".repeat(5000), 413, "larger than 4096"),
    ];
    for (content_type, body, status, words) in cases {
        let (answered, answer_type, text) = post(&http, &url, content_type, body.clone()).await;
        assert_eq!(answered, status, "{body:.80}: {text}");
        assert!(answer_type.starts_with("text/xml"), "{answer_type}");
        let (code, reason) = fault_reason(&text);
        assert_eq!(code, FaultCode::Client, "{reason}");
        assert!(reason.contains(words), "{body:.80}: {reason}");
    }
    // A SOAP 1.2 envelope to a SOAP 1.1 binding: the version does not match.
    let soap12_envelope = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><m:GetBalance xmlns:m="urn:fixture:soap12"><m:account>alice</m:account></m:GetBalance></s:Body></s:Envelope>"#;
    let (status, _, text) = post(&http, &url, "application/soap+xml", soap12_envelope).await;
    assert_eq!(status, 500);
    let reason = match soap_runtime::envelope::read_response::<soap12::GetBalance>(&text) {
        Err(soap_runtime::envelope::EnvelopeError::Fault(fault)) => {
            assert_eq!(fault.code, FaultCode::VersionMismatch);
            fault.reason
        }
        other => panic!("expected a fault, got {other:?}"),
    };
    assert!(reason.contains("SOAP 1.1"), "{reason}");
    // Not a POST.
    let response = http.get(&url).send().await.expect("answered");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "POST");

    // And the server is still there.
    let soap = SoapClient::builder()
        .endpoints([url])
        .basic_auth("teller", "secret")
        .build()
        .expect("a client");
    let answer = soap11::AccountsSoapClient::new(soap)
        .get_balance_with_headers(
            &accounts::GetBalance {
                account: "alice".to_owned(),
            },
            &soap11::GetBalanceInputHeaders {
                credentials: Some(credentials("teller")),
            },
        )
        .await
        .expect("served");
    assert_eq!(answer.body.balance.as_str(), "12.50");
}

#[tokio::test]
async fn an_answer_that_is_not_soap_names_its_status_content_type_and_start() {
    // A proxy's error page where the service should be.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("an address");
    let page = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
    });
    tokio::spawn(async move { axum::serve(listener, page).await });
    let client = soap11::AccountsSoapClient::with_endpoints([url(addr)]).expect("a client");
    let error = client
        .get_balance(&accounts::GetBalance {
            account: "alice".to_owned(),
        })
        .await
        .expect_err("not SOAP");
    assert!(error.may_have_been_received());
    match &error {
        CallError::BadResponse {
            status,
            content_type,
            body_start,
            ..
        } => {
            assert_eq!(*status, 502);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(
                body_start.starts_with("<html><body><h1>502"),
                "{body_start}"
            );
        }
        other => panic!("expected a bad response, got {other:?}"),
    }
    let shown = error.to_string();
    for words in ["HTTP 502", "text/html", "<html><body>"] {
        assert!(shown.contains(words), "{shown}");
    }
    // The reader's error is the source, with its location.
    let source = std::error::Error::source(&error).expect("a source");
    assert!(source.to_string().contains("line 1"), "{source}");
}
