//! SMS through Connection Software's gateway and Clickatell's, on bindings generated from
//! their WSDLs.
//!
//! * [`core`]: what every vendor shares, and imports nothing of any vendor: the message and
//!   its checks, one outcome per recipient and its class, the shared send over any vendor
//!   (requests, parallelism, bookkeeping, stop rules), errors generic over the vendor's codes,
//!   and [`core::SmsGateway`], the trait a vendor implements.
//! * One module per vendor, beside the core: [`csoft`] (SOAP and the HTTP API, its report
//!   codes, its delivery receipts) and [`clickatell`].
//! * [`vendors`]: the one list of vendors, which `sendsms` and the simulator find them by;
//!   adding a vendor is its WSDL in `wsdl/`, an entry in that list, its module and its
//!   simulated gateway.
//! * The `journal` feature adds [`campaign`]: bulk sends recorded in a journal (SQLite; with
//!   `journal-postgres`, PostgreSQL too), so that a rerun after a crash sends nothing twice
//!   and several workers can share one campaign.
//! * The `simulator` feature adds [`simulator`], an embedded gateway of every vendor for
//!   offline use and tests; the `receipts` feature adds [`csoft::receipts`], a server for
//!   Connection Software's delivery receipts.
//!
//! Every vendor calls the client generated from its WSDL over
//! [`soap_runtime::client::SoapClient`], which fails over from the primary to the secondary
//! server only when a request cannot have reached a server, and never sends a request twice.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "journal")]
pub mod campaign;
pub mod core;
pub mod registry;
#[cfg(feature = "simulator")]
pub mod simulated;
#[cfg(feature = "simulator")]
pub mod simulator;

// rustfmt leaves the generated files as prettyplease wrote them: `cargo xtask check`
// compares them byte for byte with the generator's output.
#[rustfmt::skip]
pub mod generated;

// The one list of vendors: `module::Type`, the type implementing `registry::Vendor`.
vendors! {
    csoft::Csoft,
    clickatell::Clickatell,
}
