//! Connection Software's answers read as the client reads them, for the fuzz targets in
//! `fuzz/` (the `fuzzing` feature). Not a stable API: it follows the private code it exposes.

use super::client::Answered;
use super::http_api::HttpApiResponse;
use super::ReportCode;
use crate::core::{ResponseMismatch, SendReport};
use crate::generated::sendsms5::SubmitMessageResponse;

/// Splits a SOAP `SubmitMessage` answer into outcomes for `recipients` (`None`: an
/// address-book send), as a send does.
pub fn read_soap_answer(
    recipients: Option<&[String]>,
    response: SubmitMessageResponse,
) -> Result<SendReport<ReportCode>, ResponseMismatch> {
    read(recipients, Answered::Soap(response))
}

/// Reads an HTTP API answer's body and splits it into outcomes for `recipients`, as a send
/// does; `None` when the body is in no documented format.
pub fn read_http_answer(
    recipients: Option<&[String]>,
    body: &str,
) -> Option<Result<SendReport<ReportCode>, ResponseMismatch>> {
    let response = HttpApiResponse::parse(body).ok()?;
    Some(read(recipients, Answered::Http(response)))
}

fn read(
    recipients: Option<&[String]>,
    answer: Answered,
) -> Result<SendReport<ReportCode>, ResponseMismatch> {
    let mut report = SendReport::default();
    answer.add_to(&mut report, recipients)?;
    Ok(report)
}
