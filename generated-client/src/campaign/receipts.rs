//! Connection Software's delivery receipts stored in a journal: a
//! [`ReceiptHandler`] for [`Receiver`](crate::csoft::receipts::Receiver) that answers the
//! gateway 0 only once the receipt is committed.

use sms_journal::{Journal, Receipt};

use super::ledger::outcome_class;
use crate::core::VendorCode;
use crate::csoft::receipts::{DeliveryReceipt, ReceiptHandler, Rejection};

/// Stores every receipt in a journal, in one transaction, and takes it (Report 0) once the
/// transaction is committed; a receipt that cannot be stored is answered -1, so that the
/// gateway keeps it and posts it again. Storing a receipt twice (the gateway posting it
/// again) stores it once. Receipts are joined to the campaigns' outcomes by message id when
/// read: `status` shows each recipient's latest receipt.
#[derive(Clone)]
pub struct StoreReceipts {
    journal: Journal,
}

impl std::fmt::Debug for StoreReceipts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreReceipts")
            .field("journal", &self.journal.location())
            .finish()
    }
}

impl StoreReceipts {
    /// Receipts stored in `journal`.
    pub fn new(journal: Journal) -> Self {
        Self { journal }
    }
}

impl ReceiptHandler for StoreReceipts {
    async fn handle(&self, receipt: DeliveryReceipt) -> Result<(), Rejection> {
        let stored = Receipt::new(
            receipt.message_id,
            receipt.sent_to,
            receipt.report.wire(),
            outcome_class(receipt.class),
            receipt.timestamp.into(),
        );
        match self.journal.store_receipt(&stored).await {
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!(
                    message_id = %stored.message_id,
                    error = %error,
                    source = ?std::error::Error::source(&error).map(ToString::to_string),
                    "delivery receipt not stored: answered -1, the gateway keeps it"
                );
                Err(Rejection::catch_all().with_text("the receipt could not be stored"))
            }
        }
    }
}
