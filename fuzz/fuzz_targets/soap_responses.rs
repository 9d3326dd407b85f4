//! SOAP answers read into the output of every operation of the generated modules (sendsms5,
//! clickatell, deliveryreceipt), and the answers of a send split into per-recipient outcomes
//! as the clients split them.
//!
//! The input's first line names the operation (`SubmitMessage`, `sendmsg`, …; an unknown name
//! picks one by its length), the rest is the answer as the transport hands it over.
#![no_main]

use generated_client::clickatell::fuzzing::read_sendmsg_answer;
use generated_client::csoft::fuzzing::read_soap_answer;
use generated_client::generated::{clickatell, deliveryreceipt, sendsms5};
use libfuzzer_sys::fuzz_target;
use soap_runtime::envelope::read_response;
use soap_runtime::Operation;

use clickatell::clickatell_sms_binding as ct;
use deliveryreceipt::delivery_receipt as dr;
use sendsms5::service as cs;

/// Reads the answer into `O`'s output and drops it.
fn read<O: Operation>(xml: &str) {
    let _ = read_response::<O>(xml);
}

/// Connection Software's send: the answer's lists split for as many numbers as it has
/// codes, and for an address-book send.
fn submit_message(xml: &str) {
    let Ok(response) = read_response::<cs::SubmitMessage>(xml) else {
        return;
    };
    let count = response.body.report.split(',').count().min(1_000);
    let numbers = numbers(count);
    for recipients in [Some(numbers.as_slice()), None] {
        let _ = read_soap_answer(recipients, response.body.clone());
    }
}

/// Clickatell's send: the answer's lines read for as many numbers.
fn sendmsg(xml: &str) {
    let Ok(response) = read_response::<ct::Sendmsg>(xml) else {
        return;
    };
    let lines = response.body.r#return.map(|l| l.items).unwrap_or_default();
    let _ = read_sendmsg_answer(&numbers(lines.len().min(1_000)), &lines);
}

fn numbers(count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("4477009{i:05}")).collect()
}

/// Every operation, by the name its WSDL gives it.
const OPERATIONS: &[(&str, fn(&str))] = &[
    ("SubmitMessage", submit_message),
    ("AvailableMessages", read::<cs::AvailableMessages>),
    ("AvailableCredit", read::<cs::AvailableCredit>),
    ("PermittedReplyTo", read::<cs::PermittedReplyTo>),
    ("CollectMessages", read::<cs::CollectMessages>),
    ("MobileMessengerVersion", read::<cs::MobileMessengerVersion>),
    ("QueryAddressBook", read::<cs::QueryAddressBook>),
    ("auth", read::<ct::Auth>),
    ("ping", read::<ct::Ping>),
    ("sendmsg", sendmsg),
    ("querymsg", read::<ct::Querymsg>),
    ("delmsg", read::<ct::Delmsg>),
    ("getbalance", read::<ct::Getbalance>),
    ("routecoverage", read::<ct::Routecoverage>),
    ("si_push", read::<ct::SiPush>),
    ("ind_push", read::<ct::IndPush>),
    ("token_pay", read::<ct::TokenPay>),
    ("startbatch", read::<ct::Startbatch>),
    ("senditem", read::<ct::Senditem>),
    ("quicksend", read::<ct::Quicksend>),
    ("endbatch", read::<ct::Endbatch>),
    ("getmsgcharge", read::<ct::Getmsgcharge>),
    ("SubmitDeliveryReceipt", read::<dr::SubmitDeliveryReceipt>),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, xml) = text.split_once('\n').unwrap_or(("", &text));
    let (_, read) = OPERATIONS
        .iter()
        .find(|(op, _)| *op == name)
        .unwrap_or(&OPERATIONS[name.len() % OPERATIONS.len()]);
    read(xml);
});
