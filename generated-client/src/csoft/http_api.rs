//! The gateway's HTTP API: the same SubmitMessage as a form-encoded POST to
//! `/webservices/http/sendsms`, answered in plain `tag=value` text instead of SOAP.
//!
//! * **Requests** are `application/x-www-form-urlencoded`, UTF-8, with every octet outside
//!   `A-Z a-z 0-9 - . _ ~ ,` written as one `%XX` (so a Hebrew Alef, U+05D0, is `%D7%90`, and a
//!   space `%20`, never `+`). The comma stays as it is: it has no meaning in a form, and the
//!   vendor's examples write comma-separated `SendTo` lists that way. The client always asks
//!   for `ResponseFormat=3`.
//! * **Answers** are read in the three formats the vendor documents:
//!   `ResponseFormat=3` (`MessageIdentifier=A,B&Report=%2D2,15&Text=…,…`, one item per
//!   recipient), `ResponseFormat=1` (the same tags with one value for the whole request), and
//!   the default `ResponseFormat=0` (`171 - Invalid login`, a code from an older numbering).
//!   Formats 3 and 1 become per-recipient outcomes through
//!   the same reading of the lists as a SOAP answer's; a lone value
//!   for several recipients applies to all of them, as in SOAP. Format 0 says nothing per
//!   recipient and its codes are not report codes, so it becomes
//!   [`ListMismatch::Legacy`](super::lists::ListMismatch::Legacy): the outcome is unknown,
//!   and nothing is resent.
//! * **Failover** is the SOAP client's own
//!   ([`SoapClient::post`](soap_runtime::client::SoapClient::post)): the next endpoint only
//!   when the request cannot have reached the server; any answer, whatever it says, is never
//!   retried.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use soap_runtime::client::{CallError, SoapClient};
use soap_runtime::NoFault;

use super::credentials::Credentials;
use super::message::{AddressBook, Delivery, Message};
use crate::core::{Content, Schedule};

/// The path of the HTTP API on the gateway's servers.
pub const PATH: &str = "/webservices/http/sendsms";

/// The vendor's two servers for the HTTP API, primary first.
pub const DEFAULT_ENDPOINTS: [&str; 2] = [
    "https://www.csoft.co.uk/webservices/http/sendsms",
    "https://www2.csoft.co.uk/webservices/http/sendsms",
];

/// The request's Content-Type, as the vendor's documents write it.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=\"utf-8\"";

/// Octets written as they are in a form value: the unreserved characters and the comma.
/// Everything else, each octet of a multi-byte UTF-8 character included, becomes `%XX`.
const KEPT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',');

/// A form body being written: `name=value` pairs joined by `&`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form(String);

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`, both percent-encoded one octet at a time.
    pub fn push(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0
            .extend(percent_encoding::utf8_percent_encode(name, KEPT));
        self.0.push('=');
        self.0
            .extend(percent_encoding::utf8_percent_encode(value, KEPT));
        self
    }

    /// Adds `name=value` when there is a value.
    pub fn push_some(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.push(name, value);
        }
        self
    }

    /// The body.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The body, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The form for a send of `message` to some of its `numbers` (and, for the first request of
/// the message, its address book), asking for `ResponseFormat=3`.
pub(crate) fn submit_form(
    credentials: &Credentials,
    message: &Message,
    numbers: &[String],
    book: Option<&AddressBook>,
) -> Form {
    let mut form = Form::new();
    form.push("Username", credentials.username())
        .push("PIN", credentials.pin());
    if !numbers.is_empty() {
        form.push("SendTo", &numbers.join(","));
    }
    if let Some(book) = book {
        let name = match &book.group {
            Some(group) => Cow::Owned(format!("{}::{group}", book.name)),
            None => Cow::Borrowed(book.name.as_str()),
        };
        form.push("SendToAddressBook", &name);
    }
    form.push_some("ReplyTo", message.reply_to_value());
    match message.message().content() {
        Content::Flash(text) => form.push("FlashMessage", text),
        content => form.push("Message", content.text()),
    };
    form.push_some(
        "DeliveryServiceOption",
        message.delivery_service().map(|delivery| match delivery {
            Delivery::Premier => "Premier",
            Delivery::Economy => "Economy",
            _ => "Default",
        }),
    );
    match message.message().when() {
        Some(Schedule::After(delay)) => {
            form.push("SendTimeDelay", &delay.to_string());
        }
        Some(Schedule::At(at)) => {
            // UTC without an offset, as the HTTP API documents it.
            form.push(
                "SendTimeAbsolute",
                &at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            );
        }
        _ => {}
    }
    form.push("ResponseFormat", "3");
    form
}

/// An answer of the HTTP API, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpApiResponse {
    /// `ResponseFormat=3` (a comma-separated item per recipient) or `ResponseFormat=1` (one
    /// item for the whole request): the same three tags, decoded.
    Lists {
        /// `MessageIdentifier` (empty when absent).
        message_identifier: String,
        /// `Report`: report codes.
        report: String,
        /// `Text`, when present.
        text: Option<String>,
    },
    /// `ResponseFormat=0`: `<code> - <text>`, with a code from an older numbering than the
    /// report codes, for the whole request.
    Legacy {
        /// The code.
        code: i32,
        /// The text.
        text: String,
    },
}

/// An answer that is in none of the documented formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an HTTP API answer (ResponseFormat 0, 1 or 3): {0:?}")]
pub struct UnreadableAnswer(pub String);

impl HttpApiResponse {
    /// Reads an answer's body in any of the documented formats.
    pub fn parse(body: &str) -> Result<Self, UnreadableAnswer> {
        let body = body.trim();
        let unreadable = || {
            // Enough to see what came (an HTML error page, say), not a whole page in a log.
            UnreadableAnswer(body.chars().take(200).collect())
        };
        if let Some(legacy) = parse_legacy(body) {
            return Ok(legacy);
        }
        let (mut message_identifier, mut report, mut text) = (None, None, None);
        for (name, value) in form_urlencoded::parse(body.as_bytes()) {
            // The vendor's own examples are not consistent about case (UserName, Username).
            let slot = match name.to_ascii_lowercase().as_str() {
                "messageidentifier" => &mut message_identifier,
                "report" => &mut report,
                "text" => &mut text,
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        Ok(Self::Lists {
            report: report.ok_or_else(unreadable)?,
            message_identifier: message_identifier.unwrap_or_default(),
            text,
        })
    }
}

/// `ResponseFormat=0`: a whole number, then ` - ` and the text (`171 - Invalid login`).
fn parse_legacy(body: &str) -> Option<HttpApiResponse> {
    let digits_from = usize::from(body.starts_with(['-', '+']));
    let digits = body[digits_from..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 {
        return None;
    }
    let (code, rest) = body.split_at(digits_from + digits);
    let text = rest.trim_start().strip_prefix('-')?;
    // `1-2` or `-2,15` are not this format: the hyphen stands between spaces.
    if !rest.starts_with(char::is_whitespace) || !(text.is_empty() || text.starts_with(' ')) {
        return None;
    }
    Some(HttpApiResponse::Legacy {
        code: code.parse().ok()?,
        text: text.trim().to_owned(),
    })
}

/// Posts a form to the first reachable endpoint (the SOAP client's failover rules) and reads
/// the answer. Any answer is final: an HTTP error status or an unreadable body is
/// [`CallError::BadResponse`], never retried.
pub(crate) async fn submit(
    client: &SoapClient,
    form: &Form,
) -> Result<HttpApiResponse, CallError<NoFault>> {
    let answer = client
        .post(CONTENT_TYPE, &[], form.as_str().to_owned())
        .await?;
    if answer.response.status != 200 {
        return Err(answer.bad("an HTTP error status", None));
    }
    let text = answer.text()?;
    HttpApiResponse::parse(text).map_err(|error| answer.bad(error.to_string(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(ids: &str, report: &str, text: Option<&str>) -> HttpApiResponse {
        HttpApiResponse::Lists {
            message_identifier: ids.to_owned(),
            report: report.to_owned(),
            text: text.map(str::to_owned),
        }
    }

    #[test]
    fn the_documented_answers_of_every_format_parse() {
        // ResponseFormat=0, 1 and 3, as the HTTP API document shows them.
        assert_eq!(
            HttpApiResponse::parse("171 - Invalid login"),
            Ok(HttpApiResponse::Legacy {
                code: 171,
                text: "Invalid login".to_owned()
            })
        );
        assert_eq!(
            HttpApiResponse::parse("MessageIdentifier=30106CCE&Report=2&Text=Invalid%20Login"),
            Ok(lists("30106CCE", "2", Some("Invalid Login")))
        );
        assert_eq!(
            HttpApiResponse::parse(
                "MessageIdentifier=30106CCE,30106CCF&Report=%2D2,15&Text=Accepted%20by%20csoft%3A%20queued,Out%20of%20credit\r\n"
            ),
            Ok(lists(
                "30106CCE,30106CCF",
                "-2,15",
                Some("Accepted by csoft: queued,Out of credit")
            ))
        );
    }

    #[test]
    fn answers_in_no_documented_format_are_refused() {
        for body in [
            "",
            "<html><body>Bad gateway</body></html>",
            "MessageIdentifier=30106CCE",
            "-2,15",
            "1-2",
            "171 Invalid login",
            "99999999999 - overflow",
        ] {
            assert!(HttpApiResponse::parse(body).is_err(), "{body:?}");
        }
        assert_eq!(
            HttpApiResponse::parse("-2 - Accepted"),
            Ok(HttpApiResponse::Legacy {
                code: -2,
                text: "Accepted".to_owned()
            })
        );
        assert_eq!(
            HttpApiResponse::parse("report=0&text=a+b"),
            Ok(lists("", "0", Some("a b")))
        );
    }

    #[test]
    fn every_octet_is_encoded_on_its_own() {
        let mut form = Form::new();
        form.push("Message", "\u{5D0}")
            .push("Text", "Is 50% OK? a&b=c+d/é")
            .push("SendTo", "447700912345,447700912346")
            .push("Safe", "A-z_0.9~");
        assert_eq!(
            form.as_str(),
            "Message=%D7%90&Text=Is%2050%25%20OK%3F%20a%26b%3Dc%2Bd%2F%C3%A9\
             &SendTo=447700912345,447700912346&Safe=A-z_0.9~"
        );
    }

    #[test]
    fn the_form_carries_the_message_and_its_options() {
        let credentials = Credentials::new("ANOther.61234", "12 34&").unwrap();
        let message = Message::flash("Golf Course", ["447700912345"])
            .delay_minutes(30)
            .delivery(Delivery::Economy)
            .reply_to("447700900123");
        let numbers = ["447700912345".to_owned(), "447700912346".to_owned()];
        let book = AddressBook {
            name: "Friends".to_owned(),
            group: Some("Close Ones".to_owned()),
        };
        let form = submit_form(&credentials, &message, &numbers, Some(&book));
        assert_eq!(
            form.as_str(),
            "Username=ANOther.61234&PIN=12%2034%26&SendTo=447700912345,447700912346\
             &SendToAddressBook=Friends%3A%3AClose%20Ones&ReplyTo=447700900123\
             &FlashMessage=Golf%20Course&DeliveryServiceOption=Economy&SendTimeDelay=30\
             &ResponseFormat=3"
        );
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T09:00:00Z")
            .unwrap()
            .to_utc();
        let message = Message::text("\u{5D0}", ["447700912345"]).send_at(at);
        let form = submit_form(&credentials, &message, &numbers[..1], None);
        assert!(
            form.as_str().ends_with(
                "&Message=%D7%90&SendTimeAbsolute=2026-11-22T09%3A00%3A00&ResponseFormat=3"
            ),
            "{}",
            form.as_str()
        );
    }
}
