//! The `sendsms` command's tests, one test binary: the command against an in-process simulator
//! (output lines, JSON, exit statuses) for each vendor, `sendsms simulate`, `sendsms receipts
//! serve` and the loop they close, campaigns recorded in a journal (killed and run again,
//! receipts stored, recipient lists checked), and a vendor added to a copy of the workspace as the README
//! says, with no edit to `sendsms` or to the simulator; and hostile answers and requests, each
//! given to the binary in a child process under a memory limit.

mod adding_a_vendor;
// Child processes under a memory limit and a deadline, shared with wsdl2rust's hostile tests.
#[path = "../../../tests/support/bounded.rs"]
mod bounded;
mod clickatell;
mod common;
mod hostile;
mod http_api;
mod journal;
// Shared with generated-client's tests of the receipt receiver in process.
#[path = "../../../generated-client/tests/integration/receipt_exchange.rs"]
mod receipt_exchange;
mod receipt_loop;
mod receipts;
mod sendsms;
