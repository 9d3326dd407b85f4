//! A client for the Connection Software SMS gateway, built on bindings generated from its WSDL.
//!
//! * [`Client`] sends messages and queries the account, through the client generated from
//!   the vendor's WSDL, over [`soap_runtime::client::SoapClient`], which fails over from the
//!   primary to the secondary server only when a request cannot have reached the server, and
//!   never sends a request twice.
//! * [`report::ReportCode`] types the gateway's report codes; [`outcome::SendReport`] gives
//!   one outcome per recipient.
//! * [`http_api`] sends the same messages through the gateway's form-encoded HTTP API
//!   ([`Api::Http`]), with the same outcomes and failover rules.
//! * The `receipts` feature adds [`receipts::Receiver`], a server for the gateway's real-time
//!   delivery receipts.
//! * The `simulator` feature adds an embedded gateway for offline use and tests.
//! * [`clickatell::Client`] is the same for Clickatell's SOAP API: its vendor layer plugs
//!   into the shared parts described in [`vendor`].
#![forbid(unsafe_code)]

pub mod clickatell;
pub mod client;
pub mod http_api;
pub mod outcome;
#[cfg(feature = "receipts")]
pub mod receipts;
pub mod report;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod vendor;

pub use client::{
    Api, Client, ClientBuilder, Content, Credentials, Credit, Delivery, InvalidMessage, Message,
    QueryError, SendError,
};
pub use outcome::{Outcome, SendReport};
pub use report::{ReportClass, ReportCode};

// rustfmt leaves the generated files as prettyplease wrote them: `cargo xtask check`
// compares them byte for byte with the generator's output.
#[rustfmt::skip]
pub mod generated;
