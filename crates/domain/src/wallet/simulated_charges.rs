//! The simulated card processor's own records: every charge it answered, by OKPay's reference,
//! kept in the database so that it charges a reference once and can say afterwards what became
//! of any charge, whichever process asks and whether or not the one that charged still runs.

use ledger::{Amount, Currency};

use crate::identity::{BoxFuture, UnixSeconds};
use crate::store_port::StoreError;
use crate::wallet::processor::{ChargeReceipt, ProcessorError};

/// A charge the simulated processor answered: the card charged, or the charge refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatedCharge {
    /// OKPay's transaction id, as sent in [`crate::wallet::ChargeRequest::reference`].
    pub reference: String,
    pub amount: Amount,
    pub currency: Currency,
    pub outcome: Result<ChargeReceipt, ProcessorError>,
    pub created_at: UnixSeconds,
}

impl SimulatedCharge {
    /// The outcome as stored: `charged`, or the refusal's code.
    pub fn outcome_code(&self) -> &'static str {
        match &self.outcome {
            Ok(_) => "charged",
            Err(error) => error.code(),
        }
    }
}

/// Where the simulated processor keeps its charges (`store` implements it on both databases).
pub trait SimulatedChargeStore: Send + Sync + 'static {
    /// Keeps `charge` unless a charge with its reference is kept already, and answers the one
    /// kept first: two processes charging one reference at once agree on one outcome.
    fn keep_simulated_charge<'a>(
        &'a self,
        charge: &'a SimulatedCharge,
    ) -> BoxFuture<'a, Result<SimulatedCharge, StoreError>>;

    /// The charge kept under `reference`, if the processor ever answered one.
    fn simulated_charge<'a>(
        &'a self,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Option<SimulatedCharge>, StoreError>>;
}
