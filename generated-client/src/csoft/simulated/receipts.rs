//! Delivery receipts, from the gateway's side: after the simulator accepts a message for an
//! account with a [`ReceiptTarget`], it POSTs one `SubmitDeliveryReceipt` per accepted number
//! to the account's receipt URL, as the real gateway does for corporate accounts.
//!
//! Receipts are written and their answers read with the bindings generated from
//! `wsdl/deliveryreceipt.wsdl`, the same ones [`crate::csoft::receipts`] serves with. A receipt that
//! is not answered with Report 0 (any other code, a Fault, an HTTP error, no connection) was
//! not taken: the simulator keeps it and posts it again, up to
//! [`ReceiptTarget::attempts`] times in all. Every receipt and what became of it is in
//! [`Gateway::delivery_receipts`](super::Gateway::delivery_receipts).

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use soap_runtime::envelope::{read_response, write_request};
use soap_runtime::NoHeaders;

use super::submissions::RecipientResult;
use crate::generated::deliveryreceipt::{
    delivery_receipt, Credential, MessageIdentifier, PhoneNumber, ReportNumber,
    SubmitDeliveryReceipt,
};

/// Where an account's delivery receipts go, as a corporate account configures it on the
/// gateway's website: a URL, and optionally the Username and PIN that URL requires.
///
/// In JSON every field but `url` may be left out:
/// `{ "url": "http://127.0.0.1:8090/", "username": "receipts", "pin": "s3cret" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ReceiptTarget {
    /// The http:// or https:// URL to POST to.
    pub url: String,
    /// The Username the receipt carries, if the receiver requires one.
    pub username: Option<String>,
    /// The PIN the receipt carries, if the receiver requires one.
    pub pin: Option<String>,
    /// The report code each receipt carries: 0 (delivered to the phone) by default.
    pub report: i32,
    /// How long after the message was accepted its receipt is posted, in milliseconds.
    pub delay_ms: u64,
    /// How many times in all a receipt is posted while it is not answered Report 0 (3 by
    /// default).
    pub attempts: u32,
    /// How long to wait before posting a receipt again, in milliseconds (1000 by default).
    pub retry_ms: u64,
}

impl ReceiptTarget {
    /// Receipts to `url`, without credentials, with the defaults described on the fields.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }
}

impl Default for ReceiptTarget {
    fn default() -> Self {
        Self {
            url: String::new(),
            username: None,
            pin: None,
            report: 0,
            delay_ms: 0,
            attempts: 3,
            retry_ms: 1000,
        }
    }
}

/// One receipt the simulator posted, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostedReceipt {
    /// The URL it was posted to.
    pub url: String,
    /// `SentTo`.
    pub sent_to: String,
    /// `MessageIdentifier`: the one SubmitMessage answered for this number.
    pub message_identifier: String,
    /// `Report`.
    pub report: i32,
    /// How many times it was posted so far.
    pub attempts: u32,
    /// The Report the receiver last answered, if it answered one.
    pub answer: Option<i32>,
    /// Whether the receiver took it (answered Report 0, for this MessageIdentifier); then it
    /// is not posted again.
    pub acknowledged: bool,
    /// Why the last attempt was not an answer (no connection, a Fault, an HTTP error), if so.
    pub error: Option<String>,
    /// Whether the simulator is done with it: taken, or out of attempts.
    pub finished: bool,
}

/// The receipts posted so far, and the HTTP client that posts them.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// Built on first use; `None` if it cannot be (TLS set-up failed).
    http: OnceLock<Option<reqwest::Client>>,
    posted: Mutex<Vec<PostedReceipt>>,
}

impl Outbox {
    /// Posts a receipt for every accepted recipient of a SubmitMessage, each in a task of its
    /// own on the current tokio runtime (the request's).
    pub(crate) fn after_submit(
        self: &Arc<Self>,
        target: &ReceiptTarget,
        recipients: &[RecipientResult],
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no tokio runtime: delivery receipts are not posted");
            return;
        };
        for recipient in recipients.iter().filter(|r| r.accepted) {
            let index = {
                let mut posted = self.lock();
                posted.push(PostedReceipt {
                    url: target.url.clone(),
                    sent_to: recipient.number.clone(),
                    message_identifier: recipient.message_identifier.clone(),
                    report: target.report,
                    attempts: 0,
                    answer: None,
                    acknowledged: false,
                    error: None,
                    finished: false,
                });
                posted.len() - 1
            };
            let outbox = Arc::clone(self);
            let target = target.clone();
            let number = recipient.number.clone();
            let identifier = recipient.message_identifier.clone();
            runtime.spawn(async move { outbox.deliver(index, target, number, identifier).await });
        }
    }

    pub(crate) fn posted(&self) -> Vec<PostedReceipt> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PostedReceipt>> {
        self.posted.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn http(&self) -> Option<&reqwest::Client> {
        self.http
            .get_or_init(|| {
                reqwest::Client::builder()
                    // The receiver is usually on loopback, which no proxy reaches.
                    .no_proxy()
                    .connect_timeout(Duration::from_secs(5))
                    .timeout(Duration::from_secs(15))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .ok()
            })
            .as_ref()
    }

    async fn deliver(
        &self,
        index: usize,
        target: ReceiptTarget,
        number: String,
        identifier: String,
    ) {
        let body = match receipt(&target, &number, &identifier) {
            Ok(receipt) => {
                write_request::<delivery_receipt::SubmitDeliveryReceipt>(&receipt, &NoHeaders)
            }
            Err(reason) => {
                tracing::warn!(%number, %identifier, %reason, "no delivery receipt posted");
                self.update(index, |p| {
                    p.error = Some(reason);
                    p.finished = true;
                });
                return;
            }
        };
        tokio::time::sleep(Duration::from_millis(target.delay_ms)).await;
        for attempt in 1..=target.attempts.max(1) {
            if attempt > 1 {
                tokio::time::sleep(Duration::from_millis(target.retry_ms)).await;
            }
            let (answer, error) = self.post(&target.url, &body, &identifier).await;
            let acknowledged = answer == Some(0) && error.is_none();
            let finished = acknowledged || attempt >= target.attempts;
            tracing::debug!(url = %target.url, %identifier, attempt, ?answer, ?error, "delivery receipt posted");
            self.update(index, |p| {
                p.attempts = attempt;
                p.answer = answer;
                p.acknowledged = acknowledged;
                p.error = error;
                p.finished = finished;
            });
            if acknowledged {
                return;
            }
        }
        tracing::warn!(url = %target.url, %identifier, "delivery receipt not taken; given up");
    }

    /// One POST: the Report answered, and why it was not a proper answer, if it was not.
    async fn post(&self, url: &str, body: &str, identifier: &str) -> (Option<i32>, Option<String>) {
        let Some(http) = self.http() else {
            return (None, Some("cannot set up HTTP".to_owned()));
        };
        let response = http
            .post(url)
            // What the vendor's example POST carries.
            .header(reqwest::header::CONTENT_TYPE, "text/soap")
            .body(body.to_owned())
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => return (None, Some(error.to_string())),
        };
        let status = response.status().as_u16();
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => return (None, Some(error.to_string())),
        };
        match read_response::<delivery_receipt::SubmitDeliveryReceipt>(&text) {
            Ok(answer) => {
                let report = *answer.body.report.get();
                let error = if status != 200 {
                    Some(format!("HTTP {status}"))
                } else if answer.body.message_identifier.get().trim() != identifier {
                    Some(format!(
                        "answered for MessageIdentifier {:?}",
                        answer.body.message_identifier.get()
                    ))
                } else {
                    None
                };
                (Some(report), error)
            }
            Err(error) => (None, Some(format!("HTTP {status}: {error}"))),
        }
    }

    fn update(&self, index: usize, change: impl FnOnce(&mut PostedReceipt)) {
        if let Some(posted) = self.lock().get_mut(index) {
            change(posted);
        }
    }
}

/// The SubmitDeliveryReceipt for one number, stamped now.
fn receipt(
    target: &ReceiptTarget,
    number: &str,
    identifier: &str,
) -> Result<SubmitDeliveryReceipt, String> {
    let credential = |value: &Option<String>| {
        value
            .as_deref()
            .map(|v| Credential::new(v).map_err(|e| e.to_string()))
            .transpose()
    };
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok(SubmitDeliveryReceipt {
        username: credential(&target.username)?,
        pin: credential(&target.pin)?,
        timestamp1: soap_runtime::DateTime::new(&now).map_err(|e| e.to_string())?,
        sent_to: PhoneNumber::new(number).map_err(|e| e.to_string())?,
        message_identifier: MessageIdentifier::new(identifier).map_err(|e| e.to_string())?,
        report: ReportNumber::new(target.report).map_err(|e| e.to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csoft::simulated::{Account, Config, Gateway};
    use crate::simulated::{ReceiptsTo, SimulatedVendor};

    #[test]
    fn a_receipt_target_reads_from_sparse_json() {
        let target: ReceiptTarget =
            serde_json::from_str(r#"{ "url": "http://127.0.0.1:8090/", "pin": "s3cret" }"#)
                .unwrap();
        assert_eq!(
            target,
            ReceiptTarget {
                pin: Some("s3cret".to_owned()),
                ..ReceiptTarget::new("http://127.0.0.1:8090/")
            }
        );
        assert_eq!((target.report, target.attempts), (0, 3));
        assert!(serde_json::from_str::<ReceiptTarget>(r#"{ "uri": "x" }"#).is_err());
    }

    #[test]
    fn receipts_to_applies_to_every_account() {
        let mut config = Config {
            accounts: vec![Account::new("a", "1"), Account::new("b", "2")],
            ..Config::default()
        };
        let to = ReceiptsTo::new("http://127.0.0.1:8090/receipts")
            .credentials(Some("receipts".to_owned()), None);
        assert!(Gateway::post_receipts(&mut config, &to));
        assert!(config.accounts.iter().all(|a| a
            .delivery_receipts
            .as_ref()
            .is_some_and(
                |t| t.url.ends_with("/receipts") && t.username.as_deref() == Some("receipts")
            )));
    }
}
