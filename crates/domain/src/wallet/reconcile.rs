//! Settling stuck top-ups: a top-up left `processing` (its process stopped between charging the
//! card and crediting the wallet) is settled by asking the card processor what became of its
//! charge. Charged: the wallet is credited under the key the top-up would have used, so it is
//! never credited twice. Not charged: the record fails with its reason and stops counting
//! against the user's limit. Run by the job worker (`wallet.reconcile_top_ups`).

use crate::identity::UnixSeconds;
use crate::records::{ReasonCode, TransactionRecord};
use crate::wallet::processor::{ChargeStatus, ProcessorError};
use crate::wallet::service::{Wallet, WalletError, top_up_credit_key};

/// The job kind the worker runs the reconcile pass under.
pub const TOP_UP_RECONCILE_JOB: &str = "wallet.reconcile_top_ups";

/// How long a top-up may stay `processing` before the pass asks the processor about it: far
/// past any charge's own time-out, so that a top-up still being made is left alone.
pub const TOP_UP_RECONCILE_AFTER_S_DEFAULT: i64 = 10 * 60;

/// The most top-ups one pass settles; the next pass takes the rest.
const TOP_UPS_PER_PASS: u32 = 100;

/// The reason a top-up the processor never charged fails with.
pub const NOT_CHARGED_REASON: &str = "topup_not_charged";

/// What a reconcile pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcilePass {
    /// Charged: credited (or found credited) and completed.
    pub completed: u32,
    /// Not charged, or refused: failed, no longer counted against the limit.
    pub failed: u32,
    /// The processor could not be asked, or the credit's outcome is unknown: left for the next pass.
    pub left: u32,
}

impl Wallet {
    /// Settles the top-ups `processing` for longer than `after_s` at `now`, oldest first.
    pub async fn reconcile_top_ups(
        &self,
        now: UnixSeconds,
        after_s: i64,
    ) -> Result<ReconcilePass, WalletError> {
        let stuck = self
            .store()
            .processing_top_ups(now.saturating_sub(after_s), TOP_UPS_PER_PASS)
            .await?;
        let mut pass = ReconcilePass::default();
        for record in stuck {
            let id = record.id.clone();
            match self.reconcile_top_up(record).await {
                Ok(Settled::Completed) => pass.completed += 1,
                Ok(Settled::Failed) => pass.failed += 1,
                Ok(Settled::Left) => pass.left += 1,
                Err(error) => {
                    tracing::warn!(%error, top_up = %id, "a stuck top-up was not settled; the next pass retries");
                    pass.left += 1;
                }
            }
        }
        Ok(pass)
    }

    async fn reconcile_top_up(
        &self,
        mut record: TransactionRecord,
    ) -> Result<Settled, WalletError> {
        let status = match self.processor().charge_status(&record.id).await {
            Ok(status) => status,
            Err(ProcessorError::ProcessorUnavailable) => return Ok(Settled::Left),
            Err(error) => ChargeStatus::Refused(error),
        };
        match status {
            ChargeStatus::Charged(_) => {
                let key = match self.store().top_up_key(&record.id).await? {
                    Some(key) => key,
                    None => {
                        // Made before every credit was keyed: its credit, if made, has its id.
                        if self.store().ledger_entry_exists(&record.id).await? {
                            return self.complete(record).await;
                        }
                        top_up_credit_key(&record.user_id, None, &record.id)
                    }
                };
                let id = record.id.clone();
                match self.credit_top_up(record, key).await {
                    // Another record's answer means this one failed as a duplicate.
                    Ok(done) if done.id == id => Ok(Settled::Completed),
                    Ok(_) | Err(WalletError::Rejected { .. }) => Ok(Settled::Failed),
                    Err(WalletError::LedgerUnavailable) => Ok(Settled::Left),
                    Err(error) => Err(error),
                }
            }
            ChargeStatus::Refused(error) => {
                let reason = ReasonCode::parse(error.code()).expect("processor codes are valid");
                self.fail_top_up(&mut record, reason).await?;
                Ok(Settled::Failed)
            }
            ChargeStatus::NotFound => {
                let reason = ReasonCode::parse(NOT_CHARGED_REASON).expect("a valid code");
                self.fail_top_up(&mut record, reason).await?;
                Ok(Settled::Failed)
            }
        }
    }

    async fn complete(&self, mut record: TransactionRecord) -> Result<Settled, WalletError> {
        record.advance(
            crate::records::TransactionStatus::Completed,
            self.now(),
            None,
        )?;
        self.store().update_record(&record).await?;
        Ok(Settled::Completed)
    }
}

/// How one stuck top-up ended.
enum Settled {
    Completed,
    Failed,
    Left,
}
