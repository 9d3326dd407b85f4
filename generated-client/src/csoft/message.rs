//! A message as Connection Software takes it: the shared message, and the options only this
//! gateway has (a delivery service, a ReplyTo, an address book to send to).

use chrono::{DateTime, Utc};

use crate::core::{self, InvalidMessage, VendorMessage};

/// The delivery service for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Delivery {
    /// The account's setting.
    Default,
    /// The premier service.
    Premier,
    /// The economy service.
    Economy,
}

/// An address book of the account (and optionally one group in it), whose numbers the
/// gateway sends to as well.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddressBook {
    /// The book's name.
    pub name: String,
    /// A group in it, or the whole book.
    pub group: Option<String>,
}

/// A message for Connection Software: built like [`core::Message`], with the gateway's own
/// options on top.
///
/// ```
/// use generated_client::csoft::{Delivery, Message};
///
/// let message = Message::text("Hello", ["447700900001"])
///     .delivery(Delivery::Economy)
///     .reply_to("csoft.co.uk");
/// assert_eq!(message.message().numbers(), ["447700900001"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    base: core::Message,
    delivery: Option<Delivery>,
    reply_to: Option<String>,
    address_book: Option<AddressBook>,
}

impl From<core::Message> for Message {
    fn from(base: core::Message) -> Self {
        Self {
            base,
            delivery: None,
            reply_to: None,
            address_book: None,
        }
    }
}

impl Message {
    /// A plain text message to `numbers`.
    pub fn text(
        text: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        core::Message::text(text, numbers).into()
    }

    /// A flash message to `numbers`.
    pub fn flash(
        text: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        core::Message::flash(text, numbers).into()
    }

    /// The same message, sent after `minutes` (1 to 10080).
    pub fn delay_minutes(mut self, minutes: u16) -> Self {
        self.base = self.base.delay_minutes(minutes);
        self
    }

    /// The same message, sent at `time` (UTC, at most seven days ahead).
    pub fn send_at(mut self, time: DateTime<Utc>) -> Self {
        self.base = self.base.send_at(time);
        self
    }

    /// The same message, through this delivery service.
    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = Some(delivery);
        self
    }

    /// The same message, with replies going to `reply_to` (if the account may set it).
    pub fn reply_to(mut self, reply_to: impl Into<String>) -> Self {
        self.reply_to = Some(reply_to.into());
        self
    }

    /// The same message, sent to the numbers of an address book (or one of its groups) too.
    pub fn address_book(mut self, name: impl Into<String>, group: Option<String>) -> Self {
        self.address_book = Some(AddressBook {
            name: name.into(),
            group,
        });
        self
    }

    /// The shared part: text, numbers, schedule.
    pub fn message(&self) -> &core::Message {
        &self.base
    }

    /// The delivery service asked for.
    pub fn delivery_service(&self) -> Option<Delivery> {
        self.delivery
    }

    /// Where replies go, if set.
    pub fn reply_to_value(&self) -> Option<&str> {
        self.reply_to.as_deref()
    }

    /// The address book sent to, if any.
    pub fn book(&self) -> Option<&AddressBook> {
        self.address_book.as_ref()
    }
}

impl VendorMessage for Message {
    fn message(&self) -> &core::Message {
        &self.base
    }

    fn other_recipients(&self) -> bool {
        self.address_book.is_some()
    }

    fn check(&self, _now: DateTime<Utc>) -> Result<(), InvalidMessage> {
        match &self.address_book {
            Some(book) if book.name.trim().is_empty() => Err(InvalidMessage::Vendor(
                "the address book name is empty".to_owned(),
            )),
            _ => Ok(()),
        }
    }

    fn options(&self) -> Vec<(&'static str, String)> {
        let mut options = Vec::new();
        if let Some(delivery) = self.delivery {
            let name = match delivery {
                Delivery::Default => "default",
                Delivery::Premier => "premier",
                Delivery::Economy => "economy",
            };
            options.push(("delivery", name.to_owned()));
        }
        if let Some(reply_to) = &self.reply_to {
            options.push(("reply_to", reply_to.clone()));
        }
        if let Some(book) = &self.address_book {
            options.push(("address_book", book.name.clone()));
            if let Some(group) = &book.group {
                options.push(("address_book_group", group.clone()));
            }
        }
        options
    }
}
