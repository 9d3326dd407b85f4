//! Clickatell's answers read as the client reads them, for the fuzz targets in `fuzz/` (the
//! `fuzzing` feature). Not a stable API: it follows the private code it exposes.

use super::client::push_answers;
use super::codes::Code;
use super::reply::{refused_session, Line};
use crate::core::{ResponseMismatch, SendReport};

/// Reads a `sendmsg` answer's `lines` for a request to `numbers` as a send does: each line
/// parsed, the session check, then the per-recipient outcomes.
pub fn read_sendmsg_answer(
    numbers: &[String],
    lines: &[String],
) -> Result<SendReport<Code>, ResponseMismatch> {
    for line in lines {
        if let Some(line) = Line::parse(line) {
            let _ = line.error();
        }
    }
    let _ = refused_session(lines);
    let mut report = SendReport::default();
    push_answers(&mut report, numbers, lines)?;
    Ok(report)
}
