//! The wallet's storage port: saved cards and bank accounts, transaction records, quotes,
//! withdrawals, FX rates, KYC tiers, limit usage and the HTTP idempotency table.
//!
//! Object-safe (every method returns a boxed future) so the use cases hold `Arc<dyn WalletStore>`
//! and the web layer never learns which database is behind it.

use ledger::{AccountId, Amount, Balance, Currency};

use crate::fx::FxRate;
use crate::identity::{BoxFuture, UnixSeconds};
use crate::limits::{KycTier, LimitKind, Usage};
use crate::notify::OutboundMessage;
use crate::records::{TransactionFilter, TransactionRecord};
use crate::store_port::StoreError;
use crate::wallet::{
    BankAccount, CardExpiry, CardFingerprint, HolderName, MovementKind, SavedCard,
};

/// A card as kept: never the number or CVC, only what `SavedCard` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCard {
    /// `card_…`.
    pub id: String,
    pub user_id: String,
    pub card: SavedCard,
    /// The keyed hash of the number that tells the same card added twice; `None` for a card
    /// saved before fingerprints were kept.
    pub fingerprint: Option<CardFingerprint>,
    pub created_at: UnixSeconds,
}

/// A bank account a user withdraws to. The full number is kept because payouts need it; every
/// answer and page shows it masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBankAccount {
    /// `ba_…`.
    pub id: String,
    pub user_id: String,
    pub account: BankAccount,
    pub created_at: UnixSeconds,
}

/// A quote as kept until it is used or expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredQuote {
    pub id: String,
    pub user_id: String,
    pub kind: MovementKind,
    pub amount: Amount,
    pub currency: Currency,
    pub target_currency: Currency,
    /// The rate converted at (10^-8 units) and when it was set, for an exchange or remittance.
    pub rate: Option<(i64, UnixSeconds)>,
    /// The net fee in `currency`.
    pub fee: Amount,
    /// What arrives in `target_currency`.
    pub arrives: Amount,
    pub fee_schedule_id: String,
    pub created_at: UnixSeconds,
    pub expires_at: UnixSeconds,
}

/// Where a withdrawal stands beside its record's timeline: what the payout worker needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithdrawalState {
    /// Waiting for finance to approve or reject.
    Reviewing,
    /// Approved; the payout is due at `next_attempt_at`.
    Processing,
    Completed,
    Rejected,
    Failed,
}

impl WithdrawalState {
    pub const fn code(self) -> &'static str {
        match self {
            WithdrawalState::Reviewing => "reviewing",
            WithdrawalState::Processing => "processing",
            WithdrawalState::Completed => "completed",
            WithdrawalState::Rejected => "rejected",
            WithdrawalState::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<WithdrawalState> {
        [
            WithdrawalState::Reviewing,
            WithdrawalState::Processing,
            WithdrawalState::Completed,
            WithdrawalState::Rejected,
            WithdrawalState::Failed,
        ]
        .into_iter()
        .find(|state| state.code() == code)
    }
}

/// A withdrawal's payout state. Its id is also its ledger hold's and its record's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    /// `wdr_…`.
    pub id: String,
    pub user_id: String,
    pub bank_account_id: String,
    pub amount: Amount,
    pub currency: Currency,
    pub fee: Amount,
    pub state: WithdrawalState,
    /// Payout attempts made so far.
    pub attempts: u32,
    pub next_attempt_at: Option<UnixSeconds>,
    pub reviewed_by: Option<String>,
    pub review_reason: Option<String>,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
}

/// The user of a limit-checked movement as [`WalletStore::mover`] reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mover {
    pub user: WalletUser,
    pub tier: KycTier,
    /// Everything they moved (any limited kind) in the currency this month: fee discounts.
    pub volume: Amount,
    /// What they moved of the movement's kind today and this month: its limits.
    pub usage: Usage,
}

/// A user as the wallet needs to know them: to find a transfer's receiver and to tell them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalletUser {
    pub id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub created_at: UnixSeconds,
}

impl WalletUser {
    /// What the other side of a transfer sees: the address, masked.
    pub fn label(&self) -> String {
        match (&self.email, &self.phone) {
            (Some(email), _) => mask_email(email),
            (None, Some(phone)) => mask_phone(phone),
            (None, None) => self.id.clone(),
        }
    }
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "***".into();
    }
    let head: String = chars[..chars.len() - 8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// The first answer to a money-moving request, replayed for a retry with the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// One page of records, newest first; `after` continues after the record with that id.
#[derive(Clone, Debug, Default)]
pub struct RecordPage<'a> {
    pub filter: TransactionFilter,
    pub after: Option<&'a str>,
    pub limit: u32,
}

/// A wallet with money in it, and when it last moved: what the maintenance fee job weighs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceCandidate {
    /// The wallet's ledger account id; candidates come in its order.
    pub account_id: String,
    pub user_id: String,
    pub currency: Currency,
    pub available: Amount,
    /// The latest record in this currency that is not a maintenance fee; the wallet's opening
    /// when it has none.
    pub last_activity_at: UnixSeconds,
    /// The latest maintenance fee charged to this wallet.
    pub last_charged_at: Option<UnixSeconds>,
}

/// The wallet's storage.
pub trait WalletStore: Send + Sync + 'static {
    /// Saves a card; `Conflict` when the user already has a live card with its fingerprint.
    fn insert_card<'a>(&'a self, card: &'a StoredCard) -> BoxFuture<'a, Result<(), StoreError>>;
    /// The user's card (not removed) whose number has `fingerprint`, when there is one.
    fn live_card_by_fingerprint<'a>(
        &'a self,
        user_id: &'a str,
        fingerprint: &'a CardFingerprint,
    ) -> BoxFuture<'a, Result<Option<StoredCard>, StoreError>>;
    /// Writes a saved card's new expiry and holder name (the same card typed again, renewed);
    /// false when the user has no such live card.
    fn update_card_details<'a>(
        &'a self,
        user_id: &'a str,
        card_id: &'a str,
        expiry: CardExpiry,
        holder_name: &'a HolderName,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Appends a staff action on the wallet (a withdrawal's review) to the audit log.
    fn wallet_audit<'a>(
        &'a self,
        event: &'a crate::audit::AuditEvent,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn cards<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, Result<Vec<StoredCard>, StoreError>>;
    /// Removes a card from the user's list; false when the user has no such card.
    fn remove_card<'a>(
        &'a self,
        user_id: &'a str,
        card_id: &'a str,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    fn insert_bank_account<'a>(
        &'a self,
        account: &'a StoredBankAccount,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn bank_accounts<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<StoredBankAccount>, StoreError>>;
    fn remove_bank_account<'a>(
        &'a self,
        user_id: &'a str,
        account_id: &'a str,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Adds records; one whose (user, id) exists is left as it is (a replayed movement).
    /// `limit_kind` marks the initiator's record of a movement that counts against a limit.
    fn insert_records<'a>(
        &'a self,
        records: &'a [(TransactionRecord, Option<LimitKind>)],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Writes a record's status, timeline, failure reason and what arrived.
    fn update_record<'a>(
        &'a self,
        record: &'a TransactionRecord,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn record<'a>(
        &'a self,
        user_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TransactionRecord>, StoreError>>;
    /// Records of `user_id` that pass the filter, newest first.
    fn records<'a>(
        &'a self,
        user_id: &'a str,
        page: &'a RecordPage<'a>,
    ) -> BoxFuture<'a, Result<Vec<TransactionRecord>, StoreError>>;
    /// Every record of `user_id` that `filter` keeps, newest first, sent to `sink` in chunks as
    /// the receiver takes them (the streamed CSV export); ends early when the receiver is gone.
    fn export_records<'a>(
        &'a self,
        user_id: &'a str,
        filter: &'a TransactionFilter,
        sink: tokio::sync::mpsc::Sender<Vec<TransactionRecord>>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// What the user moved of `kind` in `currency` since the starts of today and this month,
    /// counting every movement not rejected or failed.
    fn usage<'a>(
        &'a self,
        user_id: &'a str,
        kind: LimitKind,
        currency: Currency,
        day_start: UnixSeconds,
        month_start: UnixSeconds,
    ) -> BoxFuture<'a, Result<Usage, StoreError>>;
    /// What a limit-checked movement of `kind` in `currency` reads about its user, in one read:
    /// the user, their KYC tier, the month's volume ([`WalletStore::monthly_volume`]) and the
    /// usage of `kind`'s limits ([`WalletStore::usage`]). `None` when there is no such user.
    fn mover<'a>(
        &'a self,
        user_id: &'a str,
        kind: LimitKind,
        currency: Currency,
        day_start: UnixSeconds,
        month_start: UnixSeconds,
    ) -> BoxFuture<'a, Result<Option<Mover>, StoreError>>;
    /// Everything the user moved (any limited kind) in `currency` since `month_start`.
    fn monthly_volume<'a>(
        &'a self,
        user_id: &'a str,
        currency: Currency,
        month_start: UnixSeconds,
    ) -> BoxFuture<'a, Result<Amount, StoreError>>;

    fn insert_quote<'a>(&'a self, quote: &'a StoredQuote) -> BoxFuture<'a, Result<(), StoreError>>;
    fn quote<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredQuote>, StoreError>>;

    fn insert_withdrawal<'a>(
        &'a self,
        withdrawal: &'a Withdrawal,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Writes the withdrawal only if its stored state and attempts are still `expected` and
    /// `expected_attempts`; false when another process moved it first (two reviewers, two
    /// payout workers).
    fn update_withdrawal<'a>(
        &'a self,
        withdrawal: &'a Withdrawal,
        expected: WithdrawalState,
        expected_attempts: u32,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    fn withdrawal<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Withdrawal>, StoreError>>;
    /// Withdrawals in `state`, oldest first; for `Processing`, only those due by `due_by`.
    fn withdrawals_in<'a>(
        &'a self,
        state: WithdrawalState,
        due_by: Option<UnixSeconds>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<Withdrawal>, StoreError>>;

    /// The latest rate of every pair.
    fn current_rates(&self) -> BoxFuture<'_, Result<Vec<FxRate>, StoreError>>;
    /// Adds a rate to the history; the newest of a pair is the one in force.
    fn insert_rate<'a>(
        &'a self,
        rate: &'a FxRate,
        set_by: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Every rate ever set for the pair, newest first.
    fn rate_history<'a>(
        &'a self,
        base: Currency,
        quote: Currency,
    ) -> BoxFuture<'a, Result<Vec<(FxRate, String)>, StoreError>>;

    /// Every published fee schedule version, oldest first, with who published it.
    fn fee_schedules(
        &self,
    ) -> BoxFuture<'_, Result<Vec<(crate::fees::FeeSchedule, String)>, StoreError>>;
    /// Publishes a version; `Conflict` when its id is taken.
    fn insert_fee_schedule<'a>(
        &'a self,
        schedule: &'a crate::fees::FeeSchedule,
        created_by: &'a str,
        created_at: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    fn kyc_tier<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, Result<KycTier, StoreError>>;
    fn set_kyc_tier<'a>(
        &'a self,
        user_id: &'a str,
        tier: KycTier,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    fn stored_response<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>>;
    /// The id of the ledger entry that the ledger idempotency key `key` (`<user>:<key>`) moved
    /// money with, when a committed entry used it.
    fn ledger_entry_of_key<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>>;
    /// Keeps the ledger key a keyed top-up credits with, before its card is charged.
    fn keep_top_up_key<'a>(
        &'a self,
        record_id: &'a str,
        user_id: &'a str,
        ledger_key: &'a str,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// The ledger key kept for the top-up `record_id`, when it was sent with one.
    fn top_up_key<'a>(
        &'a self,
        record_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>>;
    /// Top-ups still `processing` that were made before `before`, oldest first.
    fn processing_top_ups<'a>(
        &'a self,
        before: UnixSeconds,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<TransactionRecord>, StoreError>>;
    /// Whether the ledger's journal holds an entry with this id.
    fn ledger_entry_exists<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Keeps the first answer under (user, key) and returns whichever answer was kept first.
    fn save_response<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        response: &'a StoredResponse,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<StoredResponse, StoreError>>;

    /// The user whose id, e-mail address or phone number (already normalised) is `login`.
    fn find_user<'a>(
        &'a self,
        login: &'a str,
    ) -> BoxFuture<'a, Result<Option<WalletUser>, StoreError>>;
    fn open_wallets<'a>(
        &'a self,
        accounts: &'a [AccountId],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Every wallet of the user, by currency.
    fn balances<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(Currency, Balance)>, StoreError>>;
    /// Records, outbox messages and answers to keep, all in one transaction; answers the
    /// response kept under each (user, key), in order: the first ever written under it.
    fn write_batch<'a>(
        &'a self,
        records: &'a [(TransactionRecord, Option<LimitKind>)],
        messages: &'a [OutboundMessage],
        responses: &'a [crate::wallet::writer::ResponseToKeep],
    ) -> BoxFuture<'a, Result<Vec<StoredResponse>, StoreError>>;
    fn enqueue_message<'a>(
        &'a self,
        message: &'a OutboundMessage,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// User wallets holding more than zero, after account id `after`, in account id order.
    fn maintenance_candidates<'a>(
        &'a self,
        after: &'a str,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<MaintenanceCandidate>, StoreError>>;
    /// Adds a notice to the user's message center unless one with its id exists; true when
    /// it was added (so a notice with a derived id is given once).
    fn insert_notice_once<'a>(
        &'a self,
        notice: &'a crate::identity::Notice,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counterparty_sees_a_masked_address() {
        assert_eq!(mask_email("mei@example.com"), "m***@example.com");
        assert_eq!(mask_phone("+8613800138000"), "+86138****8000");
    }
}
