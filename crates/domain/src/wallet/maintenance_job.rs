//! The monthly maintenance fee as a use case: tells inactive wallets it is coming and charges it.

use ledger::{Amount, EntryId};

use crate::calendar::rfc3339_utc;
use crate::fees::{Inactivity, inactivity, maintenance_charge};
use crate::identity::{Notice, UnixSeconds};
use crate::records::{Direction, NewRecord, RecordKind, TransactionRecord, TransactionStatus};
use crate::wallet::port::MaintenanceCandidate;
use crate::wallet::service::{Wallet, WalletError};
use crate::wallet::{movements, notices};

/// The job kind the worker runs daily.
pub const MAINTENANCE_FEE_JOB: &str = "wallet.maintenance_fee";

/// Wallets read per store call.
const CANDIDATES_PER_PAGE: u32 = 500;

/// What one maintenance pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaintenancePass {
    /// Wallets told (message center and e-mail) that the fee is coming.
    pub noticed: u32,
    /// Wallets charged this pass.
    pub charged: u32,
    /// Fees already charged for this month by an earlier run (the ledger kept the first).
    pub replayed: u32,
    /// Wallets that failed; the next daily run tries them again.
    pub failed: u32,
}

impl Wallet {
    /// Tells every wallet whose notice is due and charges every wallet whose fee is due, as of
    /// `now`. Running it twice in a month charges once: each charge carries the idempotency key
    /// `{user}:maint:{currency}:{YYYY-MM}` and each notice a derived message-center id.
    pub async fn charge_maintenance_fees(
        &self,
        now: UnixSeconds,
    ) -> Result<MaintenancePass, WalletError> {
        let schedule = self.schedule_at(now).await?;
        let mut pass = MaintenancePass::default();
        let mut after = String::new();
        loop {
            let page = self
                .store()
                .maintenance_candidates(&after, CANDIDATES_PER_PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(pass);
            };
            after.clone_from(&last.account_id);
            for candidate in &page {
                // One wallet failing (a user deleted meanwhile) must not stop the others.
                if let Err(error) = self
                    .maintain_one(&schedule, candidate, now, &mut pass)
                    .await
                {
                    tracing::warn!(%error, account = %candidate.account_id, "the maintenance fee failed");
                    pass.failed += 1;
                }
            }
        }
    }

    async fn maintain_one(
        &self,
        schedule: &crate::fees::FeeSchedule,
        candidate: &MaintenanceCandidate,
        now: UnixSeconds,
        pass: &mut MaintenancePass,
    ) -> Result<(), WalletError> {
        let MaintenanceCandidate {
            user_id, currency, ..
        } = candidate;
        let currency = *currency;
        match inactivity(schedule, candidate.last_activity_at, now) {
            Inactivity::Active => Ok(()),
            Inactivity::NoticeDue { first_charge_at } => {
                let Some(fee) = schedule.rules().maintenance_monthly.get(currency) else {
                    return Ok(());
                };
                let day = &rfc3339_utc(first_charge_at)[..10];
                let months = schedule.rules().inactive_months;
                let zh = notices::maintenance_coming("zh-CN", fee, currency, day, months);
                let en = notices::maintenance_coming("en", fee, currency, day, months);
                // The id names the period of inactivity, so each period is told once.
                let notice = Notice {
                    id: format!("ntc_maint_{user_id}_{}_{first_charge_at}", currency.code()),
                    user_id: user_id.clone(),
                    kind: "maintenance_fee_coming".to_owned(),
                    title_zh: zh.subject.clone(),
                    body_zh: zh.body.clone(),
                    title_en: en.subject.clone(),
                    body_en: en.body.clone(),
                    created_at: now,
                    read_at: None,
                };
                if self.store().insert_notice_once(&notice).await? {
                    let user = self.user(user_id).await?;
                    let text = if user.locale.starts_with("zh") {
                        zh
                    } else {
                        en
                    };
                    self.tell(&user, text, now).await;
                    pass.noticed += 1;
                }
                Ok(())
            }
            Inactivity::Inactive { .. } => {
                let Some(charge) = maintenance_charge(
                    schedule,
                    currency,
                    candidate.available,
                    candidate.last_activity_at,
                    candidate.last_charged_at,
                    now,
                ) else {
                    return Ok(());
                };
                let id = crate::ids::new_id("txn");
                let command = movements::maintenance_fee(
                    EntryId::parse(&id).expect("new ids parse"),
                    user_id,
                    currency,
                    charge.amount,
                )?;
                let key = format!("maint:{}:{}", currency.code(), &rfc3339_utc(now)[..7]);
                let (entry_id, replayed) = self.submit(command, user_id, Some(&key)).await?;
                let record = TransactionRecord::new(NewRecord {
                    id: entry_id.as_str().to_owned(),
                    user_id: user_id.clone(),
                    kind: RecordKind::MaintenanceFee,
                    direction: Direction::Out,
                    status: TransactionStatus::Completed,
                    amount: charge.amount,
                    currency,
                    fee: Amount::ZERO,
                    arrived: None,
                    counterparty: None,
                    note: None,
                    fee_schedule_id: Some(charge.schedule_id),
                    quote_id: None,
                    failure_reason: None,
                    created_at: now,
                })?;
                // A replay rewrites the record (kept as it is when it exists) so a run that died
                // between the ledger and the record still leaves the user a record.
                self.write(vec![(record, None)], Vec::new()).await?;
                if replayed {
                    pass.replayed += 1;
                } else {
                    pass.charged += 1;
                }
                Ok(())
            }
        }
    }
}
