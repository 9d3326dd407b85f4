//! The vendor-neutral core: what every SMS vendor shares, and imports nothing of any vendor
//! or of generated code.
//!
//! * [`message`]: the message and whom it goes to, and its checks.
//! * [`code`]: a vendor's per-recipient codes ([`VendorCode`]) and the classes they come to
//!   ([`ReportClass`]).
//! * [`outcome`]: one outcome per recipient ([`SendReport`]).
//! * [`gateway`]: what a vendor implements ([`SmsGateway`]): one request at a time.
//! * [`recipients`]: recipient lists as users keep them (a file of one number per line),
//!   read streaming and checked before anything is sent.
//! * [`mod@send`]: the shared send over any vendor: requests, parallelism, bookkeeping, the stop
//!   rules.
//! * [`error`]: why a request, a send or a query did not complete.

pub mod code;
pub mod error;
pub mod gateway;
pub mod message;
pub mod outcome;
pub mod recipients;
pub mod send;

pub use code::{ReportClass, VendorCode};
pub use error::{FailedRequest, Incomplete, QueryError, RequestError, SendError, Stop};
pub use gateway::{Credit, Request, SmsGateway, VendorMessage};
pub use message::{Content, InvalidMessage, Message, Schedule};
pub use outcome::{Answer, Outcome, RequestWriter, ResponseMismatch, SendReport, Span};
pub use recipients::{ListCheck, ListError, NumberList, Recipients};
pub use send::{send, Progress, Sending};
