//! generated-client's integration tests, one test binary: the clients of both vendors against
//! the embedded simulator on loopback (failover, never resending, outcomes), the simulator
//! itself, the delivery receipt receiver, journaled campaigns over both vendors, and the
//! generated bindings against the vendors' documented envelopes. The `sendsms` command's tests are in `sendsms/tests/cli/`.
//!
//! The modules that need the simulator or the receipt receiver are compiled with those
//! features; `cargo test --workspace` has both (`sendsms` enables them).

#[cfg(feature = "simulator")]
mod common;

#[cfg(all(feature = "simulator", feature = "journal"))]
mod campaign;
#[cfg(feature = "simulator")]
mod clickatell;
mod clickatell_envelope;
#[cfg(feature = "simulator")]
mod failover;
#[cfg(feature = "simulator")]
mod http_api;
#[cfg(feature = "receipts")]
mod receipt_exchange;
#[cfg(all(feature = "simulator", feature = "receipts"))]
mod receipt_loop;
#[cfg(feature = "receipts")]
mod receipts;
mod sendsms5_types;
#[cfg(feature = "simulator")]
mod simulator;
