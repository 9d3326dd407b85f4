//! The HTTP API, simulated: a form-encoded POST to `/webservices/http/sendsms` does what a
//! SOAP SubmitMessage does (it is turned into one and handed to the same gateway logic, so
//! accounts, credit, report codes, message identifiers and delivery receipts are shared), and
//! is answered in the `ResponseFormat` it asks for:
//!
//! * `3`: `MessageIdentifier=A,B&Report=%2D2,15&Text=…,…`, an item per number;
//! * `1`: the same tags with one value: the last number that failed, or the last number when
//!   none did;
//! * `0` (the default): `<report> - <text>` for that same number. The vendor's format 0 uses an
//!   older numbering that its documents do not list, so the simulator writes report codes.
//!
//! Values are percent-encoded as the vendor does it, every octet but letters, digits and the
//! list commas (`%2D2` for -2). Parameter names are matched without regard to case, as the
//! vendor's own examples differ (`UserName`, `Username`). A request naming no recipient is
//! answered HTTP 400 with a line of text.

use axum::http::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use soap_runtime::Nillable;

use crate::csoft::codes::ReportCode;
use crate::generated::sendsms5::{
    self as wire, SubmitMessagePin, SubmitMessageResponse, SubmitMessageUsername,
};
use crate::simulated::Reply;

/// The name HTTP API requests are counted under (see
/// [`RunningSimulator::request_count`](crate::simulator::RunningSimulator::request_count)).
pub const OPERATION: &str = "HttpApi";

/// What the vendor's HTTP API answers with.
pub(super) const CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// What the vendor leaves as it is in an answer's values: letters, digits, and the commas
/// between list items.
const KEPT: &AsciiSet = &NON_ALPHANUMERIC.remove(b',');

/// The parameters of a request, by lower-cased name; a repeated one keeps its last value.
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Answers one form post: reads it as a SubmitMessage, has `submit` answer that as the SOAP
/// API would, and writes the answer in the format asked for.
pub(super) fn answer<E>(
    body: &[u8],
    submit: impl FnOnce(wire::SubmitMessage) -> Result<SubmitMessageResponse, E>,
) -> Reply {
    let params = Params(
        form_urlencoded::parse(body)
            .map(|(key, value)| (key.to_ascii_lowercase(), value.into_owned()))
            .collect(),
    );
    let format = params
        .get("responseformat")
        .unwrap_or("0")
        .trim()
        .to_owned();
    let request = wire::SubmitMessage {
        username: Nillable::absent_if_none(
            params
                .get("username")
                .and_then(|u| SubmitMessageUsername::new(u).ok()),
        ),
        pin: Nillable::absent_if_none(
            params
                .get("pin")
                .and_then(|p| SubmitMessagePin::new(p).ok()),
        ),
        recipient: Nillable::Value(wire::Recipient {
            send_to: Nillable::absent_if_none(params.get("sendto").map(str::to_owned)),
            send_to_address_book: Nillable::absent_if_none(
                params.get("sendtoaddressbook").map(str::to_owned),
            ),
            ..Default::default()
        }),
        message: Nillable::Value(wire::Message {
            text_message: Nillable::absent_if_none(params.get("message").map(str::to_owned)),
            flash_message: Nillable::absent_if_none(params.get("flashmessage").map(str::to_owned)),
            ..Default::default()
        }),
        reply_to: Nillable::absent_if_none(params.get("replyto").map(str::to_owned)),
        ..Default::default()
    };
    match submit(request) {
        Ok(response) => {
            let body = render(&format, &response);
            // Cut off in transit, half of a short `tag=value` answer could still read as a
            // whole one; the part before `Report` never does.
            let cut = body.find("Report=").map(|at| at.saturating_sub(1));
            let reply = Reply::new(StatusCode::OK, CONTENT_TYPE, body);
            match cut {
                Some(at) => reply.cut_at(at),
                None => reply,
            }
        }
        // The only refusal: nobody to send to.
        Err(_) => Reply::new(
            StatusCode::BAD_REQUEST,
            CONTENT_TYPE,
            "no recipient: give SendTo or SendToAddressBook\n".to_owned(),
        ),
    }
}

/// A SubmitMessage's answer in `ResponseFormat` `format` (0 for anything unknown, as the
/// default).
fn render(format: &str, response: &SubmitMessageResponse) -> String {
    let encode = |value: &str| percent_encoding::utf8_percent_encode(value, KEPT).to_string();
    let text = response.text.value().map_or("", String::as_str);
    if format == "3" {
        return format!(
            "MessageIdentifier={}&Report={}&Text={}",
            encode(&response.message_identifier),
            encode(&response.report),
            encode(text)
        );
    }
    // One value for the request: the last failure, or the last number.
    let ids: Vec<&str> = response.message_identifier.split(',').collect();
    let codes: Vec<&str> = response.report.split(',').collect();
    let texts: Vec<&str> = text.split(',').collect();
    let failed = |code: &&str| {
        code.trim()
            .parse::<ReportCode>()
            .map_or(true, |code| !code.is_success())
    };
    let pick = codes
        .iter()
        .rposition(failed)
        .unwrap_or(codes.len().saturating_sub(1));
    let item = |items: &[&str]| {
        items
            .get(pick)
            .copied()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let (id, code, text) = (item(&ids), item(&codes), item(&texts));
    if format == "1" {
        format!(
            "MessageIdentifier={}&Report={}&Text={}",
            encode(&id),
            encode(&code),
            encode(&text)
        )
    } else {
        format!("{code} - {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(ids: &str, report: &str, text: &str) -> SubmitMessageResponse {
        SubmitMessageResponse {
            message_identifier: ids.to_owned(),
            report: report.to_owned(),
            text: Nillable::Value(text.to_owned()),
            library_number: None,
            reserved: None,
        }
    }

    #[test]
    fn answers_come_in_the_format_asked_for() {
        let answer = response(
            "30106CCE,30106CCF",
            "-2,15",
            "Accepted by csoft: queued,Out of credit",
        );
        assert_eq!(
            render("3", &answer),
            "MessageIdentifier=30106CCE,30106CCF&Report=%2D2,15\
             &Text=Accepted%20by%20csoft%3A%20queued,Out%20of%20credit"
        );
        assert_eq!(
            render("1", &answer),
            "MessageIdentifier=30106CCF&Report=15&Text=Out%20of%20credit"
        );
        assert_eq!(render("0", &answer), "15 - Out of credit");
        let accepted = response("A,B", "-2,-2", "Queued,Queued");
        assert_eq!(
            render("1", &accepted),
            "MessageIdentifier=B&Report=%2D2&Text=Queued"
        );
        assert_eq!(render("", &accepted), "-2 - Queued");
    }
}
