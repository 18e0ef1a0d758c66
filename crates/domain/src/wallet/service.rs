//! The wallet's use cases: funding sources, quotes, top-up, transfer, withdrawal with review and
//! payout, exchange, remittance, limits and records. Each movement is priced by the fee schedule,
//! checked against the user's limits and the money-out guard, moved by one ledger command, and
//! written down as a transaction record (a failure too).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ledger::{AccountId, Amount, Balance, Currency, EntryId, LedgerCommand, Rejection};

use crate::calendar::UtcOffset;
use crate::fees::{FeeBreakdown, FeeError, FeeRequest, FeeRules, FeeSchedule, fee_breakdown};
use crate::fx::{FxError, FxRate, RateTable, parse_rate_e8};
use crate::identity::UnixSeconds;
use crate::ids::new_id;
use crate::ledger_writer::{Ledger, LedgerError};
use crate::limits::{KycTier, LimitExceeded, LimitKind, LimitTable, Remaining, Usage};
use crate::records::{
    Counterparty, Direction, FilterError, NewRecord, ReasonCode, RecordError, RecordKind,
    SpendingTotals, TransactionRecord, TransactionStatus, parse_user_note,
};
use crate::store_port::StoreError;
use crate::wallet::guard::{GuardRefusal, MoneyOutGuard};
use crate::wallet::movements::{self, Conversion, MovementError};
use crate::wallet::notices;
use crate::wallet::port::{
    Mover, RecordPage, StoredBankAccount, StoredCard, StoredQuote, StoredResponse, WalletStore,
    WalletUser, Withdrawal, WithdrawalState,
};
use crate::wallet::turns::{HeldTurn, UserTurns};
use crate::wallet::writer::{ResponseToKeep, WalletWriter, WriteJob};
use crate::wallet::{
    BankAccount, BankAccountError, BankRail, CardDetails, CardError, CardExpiry,
    CardFingerprintKey, CardInput, CardProcessor, ChargeRequest, HolderName, MovementKind,
    PayoutError, PayoutNext, PayoutRequest, PayoutRetryPolicy, ProcessorError, Quote, QuoteError,
    QuotePolicy, QuoteRequest, save_card,
};

/// The default fee schedule's version id, recorded with every movement priced by it.
pub const DEFAULT_FEE_SCHEDULE_ID: &str = "fees_default_v1";

/// The most payouts one worker pass makes.
const PAYOUTS_PER_PASS: u32 = 100;

/// The wall clock, with an offset tests move forward (quote expiry, payout retries).
#[derive(Debug, Default)]
pub struct Clock {
    offset_s: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> UnixSeconds {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs() as i64);
        wall + self.offset_s.load(Ordering::Relaxed)
    }

    /// Moves this clock `seconds` ahead of the wall clock.
    pub fn advance(&self, seconds: i64) {
        self.offset_s.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// The rules the wallet runs by; every one is data.
#[derive(Clone, Debug)]
pub struct WalletRules {
    pub fees: FeeSchedule,
    pub limits: LimitTable,
    pub quotes: QuotePolicy,
    pub payout_retry: PayoutRetryPolicy,
    /// Days and months for limits, statements and presets start in this offset.
    pub offset: UtcOffset,
    /// The installation's key for card fingerprints (`okpay serve` keeps it in the database).
    pub card_fingerprint_key: CardFingerprintKey,
}

impl Default for WalletRules {
    fn default() -> Self {
        WalletRules {
            fees: FeeSchedule::new(DEFAULT_FEE_SCHEDULE_ID, 0, FeeRules::default())
                .expect("the default rules are valid"),
            limits: LimitTable::default(),
            quotes: QuotePolicy::default(),
            payout_retry: PayoutRetryPolicy::default(),
            offset: UtcOffset::CHINA,
            card_fingerprint_key: CardFingerprintKey::random(),
        }
    }
}

/// The rates OKPay starts with when none were ever set (CNY per unit), so a fresh install can
/// quote at once; admins replace them.
pub const STARTING_RATES: &[(Currency, &str)] = &[
    (Currency::Usd, "7.1"),
    (Currency::Eur, "7.7"),
    (Currency::Hkd, "0.91"),
    (Currency::Gbp, "9.0"),
    (Currency::Jpy, "0.047"),
];

/// Why a wallet request failed. Nothing moved unless a record says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error(transparent)]
    Card(#[from] CardError),
    #[error(transparent)]
    BankAccount(#[from] BankAccountError),
    /// The processor refused to save the card.
    #[error(transparent)]
    Processor(#[from] ProcessorError),
    /// The card was refused at charge time; the failed top-up is `record`.
    #[error("the charge failed: {error}")]
    ChargeFailed {
        error: ProcessorError,
        record: Box<TransactionRecord>,
    },
    #[error(transparent)]
    Fee(#[from] FeeError),
    #[error(transparent)]
    FeeRules(#[from] crate::fees::InvalidFeeRules),
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error(transparent)]
    Fx(#[from] FxError),
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// The ledger refused; when the movement was written down as failed, `record` is it.
    #[error("the ledger refused: {rejection}")]
    Rejected {
        rejection: Rejection,
        record: Option<Box<TransactionRecord>>,
    },
    #[error(transparent)]
    Movement(#[from] MovementError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Guard(#[from] GuardRefusal),
    /// `what` is the error code: `card_not_found`, `recipient_not_found`, …
    #[error("{0}")]
    NotFound(&'static str),
    #[error("the bank account holds {account}, not {requested}")]
    BankAccountCurrency {
        account: Currency,
        requested: Currency,
    },
    #[error("the withdrawal is {} and can no longer be reviewed", .0.code())]
    NotReviewable(WithdrawalState),
    #[error("a reason is required")]
    ReasonRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the ledger is unavailable")]
    LedgerUnavailable,
}

impl WalletError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            WalletError::Card(error) => error.code(),
            WalletError::BankAccount(error) => error.code(),
            WalletError::Processor(error) => error.code(),
            WalletError::ChargeFailed { error, .. } => error.code(),
            WalletError::Fee(error) => error.code(),
            WalletError::FeeRules(error) => error.code(),
            WalletError::Quote(error) => error.code(),
            WalletError::Fx(error) => error.code(),
            WalletError::Limit(error) => error.code(),
            WalletError::Rejected { rejection, .. } => rejection.code(),
            WalletError::Movement(error) => error.code(),
            WalletError::Record(error) => error.code(),
            WalletError::Filter(error) => error.code(),
            WalletError::Guard(refusal) => refusal.code,
            WalletError::NotFound(code) => code,
            WalletError::BankAccountCurrency { .. } => "bank_account_currency_mismatch",
            WalletError::NotReviewable(_) => "withdrawal_not_reviewable",
            WalletError::ReasonRequired => "reason_required",
            WalletError::Store(StoreError::Unavailable(_)) => "database_unavailable",
            WalletError::Store(_) => "internal_error",
            WalletError::LedgerUnavailable => "database_unavailable",
        }
    }

    /// The record of the failed movement, when one was written.
    pub fn record(&self) -> Option<&TransactionRecord> {
        match self {
            WalletError::ChargeFailed { record, .. } => Some(record),
            WalletError::Rejected {
                record: Some(record),
                ..
            } => Some(record),
            _ => None,
        }
    }
}

impl From<crate::records::TimelineError> for WalletError {
    fn from(error: crate::records::TimelineError) -> Self {
        WalletError::Record(error.into())
    }
}

/// The ledger's idempotency key for a request of `user_id` sent with `Idempotency-Key: key`.
fn ledger_key(user_id: &str, key: &str) -> String {
    format!("{user_id}:{key}")
}

/// The ledger key a top-up credits under: the request's own, else one named by its record
/// (`topup:<id>`; user ids never read `topup`), so that every credit of a charge is keyed and a
/// second credit of it (by the reconcile job) replays instead of moving money again.
pub(super) fn top_up_credit_key(user_id: &str, key: Option<&str>, record_id: &str) -> String {
    match key {
        Some(key) => ledger_key(user_id, key),
        None => format!("topup:{record_id}"),
    }
}

fn ledger_error(error: LedgerError) -> WalletError {
    match error {
        LedgerError::Rejected(rejection) => WalletError::Rejected {
            rejection,
            record: None,
        },
        LedgerError::Unavailable(_) | LedgerError::ShuttingDown => WalletError::LedgerUnavailable,
    }
}

/// A priced quote and what was stored of it.
#[derive(Clone, Debug)]
pub struct QuoteAnswer {
    pub quote: Quote,
}

/// One side of a movement (who and how they are shown).
struct Party {
    user: WalletUser,
}

impl Party {
    fn counterparty(&self) -> Counterparty {
        Counterparty {
            id: self.user.id.clone(),
            label: self.user.label(),
        }
    }
}

/// A withdrawal and its record, as the API shows them.
#[derive(Clone, Debug)]
pub struct WithdrawalView {
    pub withdrawal: Withdrawal,
    pub record: TransactionRecord,
}

/// What adding a card did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardSaved {
    /// The card is new to the user's list.
    New,
    /// The user had already saved this card; nothing changed.
    AlreadySaved,
    /// The user had already saved this card; its expiry or holder name was brought up to date.
    Updated,
}

impl CardSaved {
    pub const fn is_new(self) -> bool {
        matches!(self, CardSaved::New)
    }
}

/// A card added to a user's list, or the card already there with the same number.
#[derive(Clone, Debug)]
pub struct AddedCard {
    pub card: StoredCard,
    pub saved: CardSaved,
}

/// What a payout pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PayoutPass {
    pub completed: u32,
    pub retrying: u32,
    pub failed: u32,
}

/// The wallet's use cases over one store, ledger, processor and rail.
pub struct Wallet {
    store: Arc<dyn WalletStore>,
    ledger: Ledger,
    processor: Arc<dyn CardProcessor>,
    rail: Arc<dyn BankRail>,
    guard: Arc<dyn MoneyOutGuard>,
    rules: WalletRules,
    clock: Arc<Clock>,
    writer: WalletWriter,
    /// The published fee schedule versions, re-read at most every [`SCHEDULES_CACHE`].
    schedules: std::sync::RwLock<Option<(Arc<Vec<FeeSchedule>>, std::time::Instant)>>,
    /// Wallets this process knows are open. Nothing closes a ledger account, so a wallet found
    /// here needs no read before a movement credits it.
    opened: std::sync::Mutex<std::collections::HashSet<AccountId>>,
    /// Each user's limit-checked movements run one at a time in this process (see `turns`).
    turns: UserTurns,
    /// Copies of one keyed top-up (`<user>:<key>`) run one after another in this process, from
    /// before the key is looked up until the card is charged and the money credited.
    top_up_keys: UserTurns,
}

/// Past this many known wallets the set starts again empty (each costs one read to relearn).
const OPENED_WALLETS_MAX: usize = 1_000_000;

/// The answer to keep under a request's `Idempotency-Key`, rendered from the record the request
/// wrote so that it is kept in the same transaction as the record.
pub struct KeepAnswer {
    pub key: String,
    pub render: Box<dyn FnOnce(&TransactionRecord) -> StoredResponse + Send>,
}

/// How long this process trusts the fee schedule versions it read (another process may publish).
const SCHEDULES_CACHE: std::time::Duration = std::time::Duration::from_secs(10);

impl Wallet {
    pub fn new(
        store: Arc<dyn WalletStore>,
        ledger: Ledger,
        processor: Arc<dyn CardProcessor>,
        rail: Arc<dyn BankRail>,
        guard: Arc<dyn MoneyOutGuard>,
        rules: WalletRules,
    ) -> Wallet {
        Wallet {
            writer: WalletWriter::start(Arc::clone(&store)),
            store,
            ledger,
            processor,
            rail,
            guard,
            rules,
            clock: Arc::new(Clock::default()),
            schedules: std::sync::RwLock::new(None),
            opened: std::sync::Mutex::new(std::collections::HashSet::new()),
            turns: UserTurns::default(),
            top_up_keys: UserTurns::default(),
        }
    }

    /// Waits for `user_id`'s turn to make a limit-checked movement. Held from before the limit
    /// check until the movement's records (which later usage reads sum) are written, so that
    /// two racing movements cannot both pass a limit only one of them fits.
    async fn limit_turn(&self, user_id: &str) -> HeldTurn<'_> {
        self.turns.take(user_id).await
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    pub fn now(&self) -> UnixSeconds {
        self.clock.now()
    }

    pub fn rules(&self) -> &WalletRules {
        &self.rules
    }

    /// The card processor the wallet charges (tests charge through it to stage a crash).
    pub fn processor(&self) -> &Arc<dyn CardProcessor> {
        &self.processor
    }

    pub fn store(&self) -> &Arc<dyn WalletStore> {
        &self.store
    }

    /// Keeps the first answer to `key` (through the batched writer) and returns the one kept.
    pub async fn keep_response(
        &self,
        user_id: &str,
        key: &str,
        response: StoredResponse,
    ) -> Result<StoredResponse, WalletError> {
        let kept = self
            .writer
            .write(WriteJob {
                response: Some(ResponseToKeep {
                    user_id: user_id.to_owned(),
                    key: key.to_owned(),
                    response,
                    at: self.now(),
                }),
                ..WriteJob::default()
            })
            .await?;
        kept.ok_or(WalletError::Store(StoreError::NotFound))
    }

    /// Writes records (and notices) through the batched writer.
    pub(super) async fn write(
        &self,
        records: Vec<(TransactionRecord, Option<LimitKind>)>,
        messages: Vec<crate::notify::OutboundMessage>,
    ) -> Result<(), WalletError> {
        self.writer
            .write(WriteJob {
                records,
                messages,
                response: None,
            })
            .await?;
        Ok(())
    }

    /// Publishes the built-in fee schedule and sets the starting rates on a database that has
    /// none.
    pub async fn seed(&self) -> Result<(), WalletError> {
        if self.store.fee_schedules().await?.is_empty() {
            match self
                .store
                .insert_fee_schedule(&self.rules.fees, "system", self.now())
                .await
            {
                // Another process seeded it first.
                Ok(()) | Err(StoreError::Conflict { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        if !self.store.current_rates().await?.is_empty() {
            return Ok(());
        }
        let now = self.now();
        for (currency, text) in STARTING_RATES {
            let rate = FxRate::new(*currency, Currency::Cny, parse_rate_e8(text)?, now)?;
            self.store.insert_rate(&rate, "system").await?;
        }
        Ok(())
    }

    /// The fee schedule version in force at `now` (the built-in one before any is published).
    pub async fn schedule_at(&self, now: UnixSeconds) -> Result<FeeSchedule, WalletError> {
        let cached = self
            .schedules
            .read()
            .expect("the schedule cache is never poisoned")
            .as_ref()
            .filter(|(_, read_at)| read_at.elapsed() < SCHEDULES_CACHE)
            .map(|(versions, _)| Arc::clone(versions));
        let versions = match cached {
            Some(versions) => versions,
            None => {
                let versions: Arc<Vec<FeeSchedule>> = Arc::new(
                    self.store
                        .fee_schedules()
                        .await?
                        .into_iter()
                        .map(|(schedule, _)| schedule)
                        .collect(),
                );
                *self
                    .schedules
                    .write()
                    .expect("the schedule cache is never poisoned") =
                    Some((Arc::clone(&versions), std::time::Instant::now()));
                versions
            }
        };
        Ok(FeeSchedule::in_force(&versions, now)
            .cloned()
            .unwrap_or_else(|| self.rules.fees.clone()))
    }

    /// Every published version, oldest first, with who published it.
    pub async fn fee_schedules(&self) -> Result<Vec<(FeeSchedule, String)>, WalletError> {
        Ok(self.store.fee_schedules().await?)
    }

    /// An admin publishes a new version, in force from `effective_at`; older versions stay as
    /// they were, so every record's version can still be read.
    pub async fn publish_fee_schedule(
        &self,
        admin_id: &str,
        id: &str,
        effective_at: UnixSeconds,
        rules: FeeRules,
    ) -> Result<FeeSchedule, WalletError> {
        let schedule = FeeSchedule::new(id, effective_at, rules)?;
        self.store
            .insert_fee_schedule(&schedule, admin_id, self.now())
            .await?;
        *self
            .schedules
            .write()
            .expect("the schedule cache is never poisoned") = None;
        Ok(schedule)
    }

    pub(super) async fn user(&self, user_id: &str) -> Result<WalletUser, WalletError> {
        self.store
            .find_user(user_id)
            .await?
            .ok_or(WalletError::NotFound("user_not_found"))
    }

    // --- funding sources ---

    /// Saves a card, or answers the one already saved with the same number: a card whose
    /// fingerprint matches one of the user's live cards is not saved twice; its expiry and holder
    /// name are updated when they changed (a renewed card), and it keeps its id and token. A
    /// removed card added again is a new card.
    pub async fn add_card(
        &self,
        user_id: &str,
        input: CardInput<'_>,
    ) -> Result<AddedCard, WalletError> {
        let now = self.now();
        let details = CardDetails::parse(input, self.rules.offset.date_at(now))?;
        let fingerprint = self.rules.card_fingerprint_key.fingerprint(&details.number);
        if let Some(saved) = self
            .store
            .live_card_by_fingerprint(user_id, &fingerprint)
            .await?
        {
            return self
                .refresh_card(saved, details.expiry, &details.holder_name)
                .await;
        }
        let card = save_card(self.processor.as_ref(), details).await?;
        let stored = StoredCard {
            id: new_id("card"),
            user_id: user_id.to_owned(),
            card,
            fingerprint: Some(fingerprint),
            created_at: now,
        };
        match self.store.insert_card(&stored).await {
            Ok(()) => Ok(AddedCard {
                card: stored,
                saved: CardSaved::New,
            }),
            // Another request saved the same card first (the live fingerprint is unique).
            Err(StoreError::Conflict { .. }) => {
                let fingerprint = stored.fingerprint.as_ref().expect("set above");
                let saved = self
                    .store
                    .live_card_by_fingerprint(user_id, fingerprint)
                    .await?
                    .ok_or(WalletError::NotFound("card_not_found"))?;
                self.refresh_card(saved, stored.card.expiry, &stored.card.holder_name)
                    .await
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The card already saved, with the expiry and holder name just typed when they differ.
    async fn refresh_card(
        &self,
        mut saved: StoredCard,
        expiry: CardExpiry,
        holder_name: &HolderName,
    ) -> Result<AddedCard, WalletError> {
        if saved.card.expiry == expiry && &saved.card.holder_name == holder_name {
            return Ok(AddedCard {
                card: saved,
                saved: CardSaved::AlreadySaved,
            });
        }
        let updated = self
            .store
            .update_card_details(&saved.user_id, &saved.id, expiry, holder_name)
            .await?;
        if !updated {
            // Removed between the read and the write: the user no longer has it.
            return Err(WalletError::NotFound("card_not_found"));
        }
        saved.card.expiry = expiry;
        saved.card.holder_name = holder_name.clone();
        Ok(AddedCard {
            card: saved,
            saved: CardSaved::Updated,
        })
    }

    pub async fn cards(&self, user_id: &str) -> Result<Vec<StoredCard>, WalletError> {
        Ok(self.store.cards(user_id).await?)
    }

    pub async fn remove_card(&self, user_id: &str, card_id: &str) -> Result<(), WalletError> {
        if self.store.remove_card(user_id, card_id, self.now()).await? {
            Ok(())
        } else {
            Err(WalletError::NotFound("card_not_found"))
        }
    }

    pub async fn add_bank_account(
        &self,
        user_id: &str,
        bank_name: &str,
        account_number: &str,
        holder_name: &str,
        currency: Currency,
    ) -> Result<StoredBankAccount, WalletError> {
        let account = BankAccount::parse(bank_name, account_number, holder_name, currency)?;
        let stored = StoredBankAccount {
            id: new_id("ba"),
            user_id: user_id.to_owned(),
            account,
            created_at: self.now(),
        };
        self.store.insert_bank_account(&stored).await?;
        Ok(stored)
    }

    pub async fn bank_accounts(
        &self,
        user_id: &str,
    ) -> Result<Vec<StoredBankAccount>, WalletError> {
        Ok(self.store.bank_accounts(user_id).await?)
    }

    pub async fn remove_bank_account(
        &self,
        user_id: &str,
        account_id: &str,
    ) -> Result<(), WalletError> {
        if self
            .store
            .remove_bank_account(user_id, account_id, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(WalletError::NotFound("bank_account_not_found"))
        }
    }

    pub async fn balances(&self, user_id: &str) -> Result<Vec<(Currency, Balance)>, WalletError> {
        Ok(self.store.balances(user_id).await?)
    }

    // --- pricing, limits ---

    async fn rate_table(&self) -> Result<RateTable, WalletError> {
        Ok(RateTable::new(self.store.current_rates().await?))
    }

    async fn fees(
        &self,
        user: &WalletUser,
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
        now: UnixSeconds,
    ) -> Result<FeeBreakdown, WalletError> {
        let month_start = self.rules.offset.start_of_month(now);
        let monthly_volume = self
            .store
            .monthly_volume(&user.id, currency, month_start)
            .await?;
        self.fees_at_volume(user, kind, amount, currency, now, monthly_volume)
            .await
    }

    /// [`Wallet::fees`] with the month's volume already read.
    async fn fees_at_volume(
        &self,
        user: &WalletUser,
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
        now: UnixSeconds,
        monthly_volume: Amount,
    ) -> Result<FeeBreakdown, WalletError> {
        let schedule = self.schedule_at(now).await?;
        Ok(fee_breakdown(
            &schedule,
            &FeeRequest {
                kind,
                amount,
                currency,
                monthly_volume,
                account_opened_at: user.created_at,
                now,
            },
        )?)
    }

    async fn usage(
        &self,
        user_id: &str,
        kind: LimitKind,
        currency: Currency,
        now: UnixSeconds,
    ) -> Result<Usage, WalletError> {
        let offset = self.rules.offset;
        Ok(self
            .store
            .usage(
                user_id,
                kind,
                currency,
                offset.start_of_day(now),
                offset.start_of_month(now),
            )
            .await?)
    }

    async fn check_limit(
        &self,
        user_id: &str,
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
        now: UnixSeconds,
    ) -> Result<(), WalletError> {
        let limit_kind = LimitKind::of(kind);
        let usage = self.usage(user_id, limit_kind, currency, now).await?;
        self.check_limit_with(user_id, kind, amount, currency, usage)
            .await
    }

    /// [`Wallet::check_limit`] with the usage already read.
    async fn check_limit_with(
        &self,
        user_id: &str,
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
        usage: Usage,
    ) -> Result<(), WalletError> {
        let tier = self.store.kyc_tier(user_id).await?;
        self.rules
            .limits
            .check(tier, LimitKind::of(kind), currency, amount, usage)?;
        Ok(())
    }

    /// The user of a limit-checked movement of `kind` in `currency` with their tier, the
    /// month's volume (for fee discounts) and the usage of `kind`'s limits, in one read.
    async fn mover(
        &self,
        user_id: &str,
        kind: LimitKind,
        currency: Currency,
        now: UnixSeconds,
    ) -> Result<Mover, WalletError> {
        let offset = self.rules.offset;
        self.store
            .mover(
                user_id,
                kind,
                currency,
                offset.start_of_day(now),
                offset.start_of_month(now),
            )
            .await?
            .ok_or(WalletError::NotFound("user_not_found"))
    }

    /// The user's tier and what is left of every limit in `currency`.
    pub async fn limits(
        &self,
        user_id: &str,
        currency: Currency,
    ) -> Result<(KycTier, Vec<Remaining>), WalletError> {
        let now = self.now();
        let tier = self.store.kyc_tier(user_id).await?;
        let mut usages = Vec::new();
        for kind in LimitKind::ALL {
            usages.push((*kind, self.usage(user_id, *kind, currency, now).await?));
        }
        let remaining = self.rules.limits.remaining(tier, currency, |kind| {
            usages
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or_else(Usage::default, |(_, usage)| *usage)
        });
        Ok((tier, remaining))
    }

    pub async fn set_kyc_tier(&self, user_id: &str, tier: KycTier) -> Result<(), WalletError> {
        Ok(self.store.set_kyc_tier(user_id, tier, self.now()).await?)
    }

    /// Prices a movement and keeps the quote for `rules.quotes.lifetime_s`.
    pub async fn quote(
        &self,
        user_id: &str,
        request: QuoteRequest,
    ) -> Result<QuoteAnswer, WalletError> {
        let now = self.now();
        let user = self.user(user_id).await?;
        let month_start = self.rules.offset.start_of_month(now);
        let monthly_volume = self
            .store
            .monthly_volume(user_id, request.currency, month_start)
            .await?;
        let rates = self.rate_table().await?;
        let schedule = self.schedule_at(now).await?;
        let quote = Quote::build(
            crate::wallet::new_quote_id(),
            user_id,
            request,
            crate::wallet::FeeContext {
                monthly_volume,
                account_opened_at: user.created_at,
            },
            crate::wallet::Pricing {
                schedule: &schedule,
                rates: &rates,
                policy: self.rules.quotes,
            },
            now,
        )?;
        let stored = StoredQuote {
            id: quote.id.clone(),
            user_id: user_id.to_owned(),
            kind: request.kind,
            amount: request.amount,
            currency: request.currency,
            target_currency: request.target_currency,
            rate: quote.rate.map(|r| (r.rate.rate_e8(), r.rate.set_at())),
            fee: quote.fees.net_fee,
            arrives: quote.arrives,
            fee_schedule_id: quote.fees.schedule_id.clone(),
            created_at: quote.created_at,
            expires_at: quote.expires_at,
        };
        self.store.insert_quote(&stored).await?;
        Ok(QuoteAnswer { quote })
    }

    /// The stored quote `quote_id`, checked for this user and request at `now`.
    async fn use_quote(
        &self,
        user_id: &str,
        quote_id: &str,
        request: &QuoteRequest,
        now: UnixSeconds,
    ) -> Result<StoredQuote, WalletError> {
        let quote = self
            .store
            .quote(quote_id)
            .await?
            .filter(|quote| quote.user_id == user_id)
            .ok_or(QuoteError::QuoteNotFound)?;
        if now >= quote.expires_at {
            return Err(QuoteError::QuoteExpired {
                expired_at: quote.expires_at,
            }
            .into());
        }
        let differences = [
            (quote.kind != request.kind, "kind"),
            (quote.amount != request.amount, "amount"),
            (quote.currency != request.currency, "currency"),
            (
                quote.target_currency != request.target_currency,
                "target_currency",
            ),
        ];
        if let Some((_, field)) = differences.iter().find(|(differs, _)| *differs) {
            return Err(QuoteError::QuoteMismatch { field }.into());
        }
        Ok(quote)
    }

    async fn guard(
        &self,
        user_id: &str,
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
    ) -> Result<(), WalletError> {
        Ok(self.guard.check(user_id, kind, amount, currency).await?)
    }

    pub(super) async fn open_wallet(
        &self,
        user_id: &str,
        currency: Currency,
    ) -> Result<(), WalletError> {
        let account = AccountId::wallet(user_id, currency);
        let known = self
            .opened
            .lock()
            .expect("the wallet set is never poisoned")
            .contains(&account);
        if known {
            return Ok(());
        }
        self.store
            .open_wallets(std::slice::from_ref(&account))
            .await?;
        let mut opened = self
            .opened
            .lock()
            .expect("the wallet set is never poisoned");
        if opened.len() >= OPENED_WALLETS_MAX {
            opened.clear();
        }
        opened.insert(account);
        Ok(())
    }

    /// Submits `command` (keyed per user when the client sent a key) and answers the entry id
    /// that holds the money: the first one when the key was seen before.
    pub(super) async fn submit(
        &self,
        command: LedgerCommand,
        user_id: &str,
        key: Option<&str>,
    ) -> Result<(EntryId, bool), WalletError> {
        let command = match key {
            Some(key) => command.with_idempotency_key(ledger_key(user_id, key)),
            None => command,
        };
        let applied = self.ledger.submit(command).await.map_err(ledger_error)?;
        Ok((applied.entry_id, applied.replayed))
    }

    /// [`Wallet::submit`] with the rows that record the movement, written in the ledger's own
    /// transaction when the command is applied afresh. Answers the entry id, whether the key
    /// replayed an earlier movement (then nothing attached was written) and what is kept under
    /// the attached answer's key.
    pub(super) async fn submit_recorded(
        &self,
        command: LedgerCommand,
        user_id: &str,
        key: Option<&str>,
        job: WriteJob,
    ) -> Result<(EntryId, bool, Option<StoredResponse>), WalletError> {
        let command = match key {
            Some(key) => command.with_idempotency_key(ledger_key(user_id, key)),
            None => command,
        };
        let settled = self
            .ledger
            .submit_with(command, job)
            .await
            .map_err(ledger_error)?;
        Ok((
            settled.applied.entry_id,
            settled.applied.replayed,
            settled.kept,
        ))
    }

    /// Writes a failed record for a refused movement and returns the error carrying it.
    async fn refused(
        &self,
        rejection: Rejection,
        new: NewRecord,
    ) -> Result<WalletError, WalletError> {
        let mut new = new;
        new.status = TransactionStatus::Failed;
        new.failure_reason = ReasonCode::parse(rejection.code()).ok();
        let record = TransactionRecord::new(new)?;
        self.write(vec![(record.clone(), None)], vec![]).await?;
        Ok(WalletError::Rejected {
            rejection,
            record: Some(Box::new(record)),
        })
    }

    // --- movements ---

    /// Charges a saved card and credits the wallet. A refused charge is a failed record.
    ///
    /// The user's turn is held only while the limit is checked and the top-up's record is
    /// written, `processing` and counted against the limit; the card is charged after the turn
    /// is given back, so a slow processor never holds up the user's transfers, and a second
    /// top-up meanwhile is checked against the first one's amount. The record then completes
    /// with the ledger's credit, or fails with the processor's reason (and stops counting).
    /// A record whose credit's outcome is unknown (the ledger unavailable, the process stopped)
    /// stays `processing`, counted, for an operator to settle against the processor.
    pub async fn top_up(
        &self,
        user_id: &str,
        card_id: &str,
        amount: Amount,
        currency: Currency,
        key: Option<&str>,
    ) -> Result<TransactionRecord, WalletError> {
        // A copy of a keyed top-up waits for the one before it, then answers what that one
        // moved instead of charging the card again.
        let _copies = match key {
            Some(key) => Some(self.top_up_keys.take(&ledger_key(user_id, key)).await),
            None => None,
        };
        if let Some(key) = key
            && let Some(done) = self
                .top_up_of_key(user_id, key, card_id, amount, currency)
                .await?
        {
            return Ok(done);
        }
        let (mut record, fees, token) = {
            let _turn = self.limit_turn(user_id).await;
            let now = self.now();
            let user = self.user(user_id).await?;
            let card = self
                .store
                .cards(user_id)
                .await?
                .into_iter()
                .find(|card| card.id == card_id)
                .ok_or(WalletError::NotFound("card_not_found"))?;
            let fees = self
                .fees(&user, MovementKind::TopUp, amount, currency, now)
                .await?;
            self.check_limit(user_id, MovementKind::TopUp, amount, currency, now)
                .await?;
            let record = TransactionRecord::new(NewRecord {
                id: new_id("txn"),
                user_id: user_id.to_owned(),
                kind: RecordKind::TopUp,
                direction: Direction::In,
                status: TransactionStatus::Processing,
                amount,
                currency,
                fee: fees.net_fee,
                arrived: Some((amount, currency)),
                counterparty: Some(Counterparty {
                    id: card.id.clone(),
                    label: card.card.label(),
                }),
                note: None,
                fee_schedule_id: Some(fees.schedule_id.clone()),
                quote_id: None,
                failure_reason: None,
                created_at: now,
            })?;
            // Written before the turn is given back: the next limit check counts it.
            self.write(vec![(record.clone(), Some(LimitKind::TopUp))], vec![])
                .await?;
            (record, fees, card.card.token)
        };
        // The key the credit is made under, the same whoever makes it: this request or, if it
        // stops after the charge, the reconcile job. A keyed top-up's key is kept before the
        // card is charged, since the job cannot derive it.
        let credit_key = top_up_credit_key(user_id, key, &record.id);
        if key.is_some() {
            self.store
                .keep_top_up_key(&record.id, user_id, &credit_key, self.now())
                .await?;
        }
        let charge = ChargeRequest {
            reference: record.id.clone(),
            token,
            amount: fees.user_pays,
            currency,
        };
        if let Err(error) = self.processor.charge(&charge).await {
            let reason = ReasonCode::parse(error.code()).expect("processor codes are valid");
            self.fail_top_up(&mut record, reason).await?;
            return Err(WalletError::ChargeFailed {
                error,
                record: Box::new(record),
            });
        }
        self.credit_top_up(record, credit_key).await
    }

    /// Credits a charged top-up under `credit_key` and completes its record; the same whether
    /// the request that charged the card does it or the reconcile job after it stopped.
    pub(super) async fn credit_top_up(
        &self,
        mut record: TransactionRecord,
        credit_key: String,
    ) -> Result<TransactionRecord, WalletError> {
        let user_id = record.user_id.clone();
        self.open_wallet(&user_id, record.currency).await?;
        let command = movements::top_up(
            EntryId::parse(&record.id).expect("record ids are entry ids"),
            &user_id,
            record.currency,
            record.amount,
            record.fee,
        )?
        .with_idempotency_key(credit_key);
        match self.ledger.submit(command).await.map_err(ledger_error) {
            // Applied afresh, or replayed by the entry this record's own credit made.
            Ok(applied) if !applied.replayed || applied.entry_id.as_str() == record.id => {
                record.advance(TransactionStatus::Completed, self.now(), None)?;
                self.store.update_record(&record).await?;
                Ok(record)
            }
            // A copy sent to another process moved the key's money first (copies in this
            // process wait for each other): this record credited nothing.
            Ok(applied) => {
                let reason = ReasonCode::parse("duplicate_request").expect("a valid code");
                self.fail_top_up(&mut record, reason).await?;
                self.existing(&user_id, applied.entry_id.as_str()).await
            }
            Err(WalletError::Rejected { rejection, .. }) => {
                let reason = ReasonCode::parse(rejection.code()).expect("ledger codes are valid");
                self.fail_top_up(&mut record, reason).await?;
                Err(WalletError::Rejected {
                    rejection,
                    record: Some(Box::new(record)),
                })
            }
            Err(error) => Err(error),
        }
    }

    /// Ends a top-up's record failed with `reason`: nothing arrived, and it no longer counts
    /// against the limit.
    pub(super) async fn fail_top_up(
        &self,
        record: &mut TransactionRecord,
        reason: ReasonCode,
    ) -> Result<(), WalletError> {
        record.arrived = None;
        record.end_unsuccessfully(TransactionStatus::Failed, reason, self.now(), None)?;
        self.store.update_record(record).await?;
        Ok(())
    }

    /// The top-up an earlier copy of this keyed request made, when one did; a key that moved
    /// money otherwise (another movement, another amount) is refused as the ledger would
    /// refuse it, before the card is charged.
    async fn top_up_of_key(
        &self,
        user_id: &str,
        key: &str,
        card_id: &str,
        amount: Amount,
        currency: Currency,
    ) -> Result<Option<TransactionRecord>, WalletError> {
        let ledger_key = ledger_key(user_id, key);
        let Some(entry_id) = self.store.ledger_entry_of_key(&ledger_key).await? else {
            return Ok(None);
        };
        let earlier = self.store.record(user_id, &entry_id).await?;
        match earlier {
            Some(mut record)
                if record.kind == RecordKind::TopUp
                    && record.amount == amount
                    && record.currency == currency
                    && record
                        .counterparty
                        .as_ref()
                        .is_some_and(|c| c.id == card_id) =>
            {
                // The money moved but the copy that moved it stopped before completing its
                // record (or is completing it in another process now: the same write).
                if record.status() == TransactionStatus::Processing {
                    record.advance(TransactionStatus::Completed, self.now(), None)?;
                    self.store.update_record(&record).await?;
                }
                Ok(Some(record))
            }
            _ => Err(WalletError::Rejected {
                rejection: Rejection::IdempotencyKeyReused { key: ledger_key },
                record: None,
            }),
        }
    }

    async fn existing(&self, user_id: &str, id: &str) -> Result<TransactionRecord, WalletError> {
        self.store
            .record(user_id, id)
            .await?
            .ok_or(WalletError::NotFound("transaction_not_found"))
    }

    /// The user `to` names: a `usr_` id, an e-mail address or a phone number.
    async fn recipient(&self, to: &str) -> Result<WalletUser, WalletError> {
        let to = to.trim();
        let login = if to.starts_with("usr_") {
            Some(to.to_owned())
        } else {
            crate::identity::Login::parse(to)
                .ok()
                .map(|login| login.as_str().to_owned())
        };
        match login {
            Some(login) => self
                .store
                .find_user(&login)
                .await?
                .ok_or(WalletError::NotFound("recipient_not_found")),
            None => Err(WalletError::NotFound("recipient_not_found")),
        }
    }

    /// Money to another user in the same currency; the receiver is told.
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer(
        &self,
        user_id: &str,
        to: &str,
        amount: Amount,
        currency: Currency,
        note: Option<&str>,
        quote_id: Option<&str>,
        key: Option<&str>,
    ) -> Result<TransactionRecord, WalletError> {
        let (record, _) = self
            .transfer_keeping(user_id, to, amount, currency, note, quote_id, key, None)
            .await?;
        Ok(record)
    }

    /// [`Wallet::transfer`], keeping the request's answer under its key in the same write as
    /// the transfer's records: a keyed request then waits for one durable write after the
    /// ledger's instead of two. Answers the record and, when `answer` was given and the
    /// transfer is not a replay, the answer kept under the key (the first one kept).
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer_keeping(
        &self,
        user_id: &str,
        to: &str,
        amount: Amount,
        currency: Currency,
        note: Option<&str>,
        quote_id: Option<&str>,
        key: Option<&str>,
        answer: Option<KeepAnswer>,
    ) -> Result<(TransactionRecord, Option<StoredResponse>), WalletError> {
        let _turn = self.limit_turn(user_id).await;
        let now = self.now();
        let note = match note {
            Some(note) => parse_user_note(note)?,
            None => None,
        };
        let limit_kind = LimitKind::of(MovementKind::Transfer);
        let mover = self.mover(user_id, limit_kind, currency, now).await?;
        let sender = Party { user: mover.user };
        let receiver = Party {
            user: self.recipient(to).await?,
        };
        if receiver.user.id == user_id {
            return Err(MovementError::SameWallet.into());
        }
        let (fee, schedule_id) = match quote_id {
            Some(quote_id) => {
                let request = QuoteRequest::new(MovementKind::Transfer, amount, currency, None)?;
                let quote = self.use_quote(user_id, quote_id, &request, now).await?;
                (quote.fee, quote.fee_schedule_id)
            }
            None => {
                let fees = self
                    .fees_at_volume(
                        &sender.user,
                        MovementKind::Transfer,
                        amount,
                        currency,
                        now,
                        mover.volume,
                    )
                    .await?;
                (fees.net_fee, fees.schedule_id)
            }
        };
        self.rules
            .limits
            .check(mover.tier, limit_kind, currency, amount, mover.usage)?;
        let debit = amount
            .checked_add(fee)
            .map_err(|_| FeeError::AmountInvalid)?;
        self.guard(user_id, MovementKind::Transfer, debit, currency)
            .await?;
        let id = new_id("txn");
        let sent = NewRecord {
            id: id.clone(),
            user_id: user_id.to_owned(),
            kind: RecordKind::Transfer,
            direction: Direction::Out,
            status: TransactionStatus::Completed,
            amount,
            currency,
            fee,
            arrived: Some((amount, currency)),
            counterparty: Some(receiver.counterparty()),
            note: note.clone(),
            fee_schedule_id: Some(schedule_id),
            quote_id: quote_id.map(str::to_owned),
            failure_reason: None,
            created_at: now,
        };
        self.open_wallet(&receiver.user.id, currency).await?;
        let command = movements::transfer(
            EntryId::parse(&id).expect("new ids parse"),
            user_id,
            &receiver.user.id,
            currency,
            amount,
            fee,
        )?;
        // The records, the receiver's notice and the kept answer ride with the ledger command:
        // one commit makes the money and its records durable together.
        let received = NewRecord {
            user_id: receiver.user.id.clone(),
            direction: Direction::In,
            fee: Amount::ZERO,
            counterparty: Some(sender.counterparty()),
            quote_id: None,
            ..sent.clone()
        };
        let sent_record = TransactionRecord::new(sent.clone())?;
        let received = TransactionRecord::new(received)?;
        let text = notices::money_received(
            &receiver.user.locale,
            amount,
            currency,
            &sender.user.label(),
            note.as_deref(),
        );
        let notice = notices::notice_for(&receiver.user, text, now);
        let response = answer.map(|answer| ResponseToKeep {
            user_id: user_id.to_owned(),
            key: answer.key,
            response: (answer.render)(&sent_record),
            at: now,
        });
        let job = WriteJob {
            records: vec![
                (sent_record.clone(), Some(LimitKind::TransferOut)),
                (received, None),
            ],
            messages: vec![notice],
            response,
        };
        match self.submit_recorded(command, user_id, key, job).await {
            Ok((_, false, kept)) => Ok((sent_record, kept)),
            Ok((entry_id, true, _)) => Ok((self.existing(user_id, entry_id.as_str()).await?, None)),
            Err(WalletError::Rejected {
                rejection: rejection @ Rejection::InsufficientFunds { .. },
                ..
            }) => {
                let mut sent = sent;
                sent.arrived = None;
                Err(self.refused(rejection, sent).await?)
            }
            Err(error) => Err(error),
        }
    }

    /// Every notice leaves through here; a notice that cannot be queued is logged, never fatal
    /// to the movement that already happened.
    pub(super) async fn tell(
        &self,
        user: &WalletUser,
        text: crate::notify::MessageText,
        now: UnixSeconds,
    ) {
        let message = notices::notice_for(user, text, now);
        if let Err(error) = self.store.enqueue_message(&message).await {
            tracing::warn!(%error, user_id = %user.id, "a wallet notice could not be queued");
        }
    }

    /// A currency exchange between the user's own wallets at a quoted rate.
    pub async fn exchange(
        &self,
        user_id: &str,
        quote_id: &str,
        amount: Amount,
        currency: Currency,
        target_currency: Currency,
        key: Option<&str>,
    ) -> Result<TransactionRecord, WalletError> {
        self.convert(
            user_id,
            None,
            quote_id,
            amount,
            currency,
            target_currency,
            None,
            key,
        )
        .await
    }

    /// Money to another user arriving in another currency, at a quoted rate.
    #[allow(clippy::too_many_arguments)]
    pub async fn remit(
        &self,
        user_id: &str,
        to: &str,
        quote_id: &str,
        amount: Amount,
        currency: Currency,
        target_currency: Currency,
        note: Option<&str>,
        key: Option<&str>,
    ) -> Result<TransactionRecord, WalletError> {
        self.convert(
            user_id,
            Some(to),
            quote_id,
            amount,
            currency,
            target_currency,
            note,
            key,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn convert(
        &self,
        user_id: &str,
        to: Option<&str>,
        quote_id: &str,
        amount: Amount,
        currency: Currency,
        target_currency: Currency,
        note: Option<&str>,
        key: Option<&str>,
    ) -> Result<TransactionRecord, WalletError> {
        let _turn = self.limit_turn(user_id).await;
        let now = self.now();
        let kind = if to.is_some() {
            MovementKind::Remittance
        } else {
            MovementKind::Exchange
        };
        let note = match note {
            Some(note) => parse_user_note(note)?,
            None => None,
        };
        let request = QuoteRequest::new(kind, amount, currency, Some(target_currency))?;
        let quote = self.use_quote(user_id, quote_id, &request, now).await?;
        let sender = self.user(user_id).await?;
        let receiver = match to {
            Some(to) => {
                let receiver = self.recipient(to).await?;
                if receiver.id == user_id {
                    return Err(MovementError::SameWallet.into());
                }
                Some(receiver)
            }
            None => None,
        };
        self.check_limit(user_id, kind, amount, currency, now)
            .await?;
        self.guard(user_id, kind, amount, currency).await?;
        let payee = receiver.as_ref().map_or(user_id, |r| r.id.as_str());
        self.open_wallet(payee, target_currency).await?;
        let id = new_id("txn");
        let entry_id = EntryId::parse(&id).expect("new ids parse");
        let conversion = Conversion {
            from: currency,
            amount,
            fee: quote.fee,
            to: target_currency,
            converted: quote.arrives,
        };
        let command = match &receiver {
            Some(receiver) => movements::remittance(entry_id, user_id, &receiver.id, conversion)?,
            None => movements::exchange(entry_id, user_id, conversion)?,
        };
        let sent = NewRecord {
            id: id.clone(),
            user_id: user_id.to_owned(),
            kind: if receiver.is_some() {
                RecordKind::Remittance
            } else {
                RecordKind::Exchange
            },
            direction: if receiver.is_some() {
                Direction::Out
            } else {
                Direction::Internal
            },
            status: TransactionStatus::Completed,
            amount,
            currency,
            fee: quote.fee,
            arrived: Some((quote.arrives, target_currency)),
            counterparty: receiver.as_ref().map(|receiver| Counterparty {
                id: receiver.id.clone(),
                label: receiver.label(),
            }),
            note: note.clone(),
            fee_schedule_id: Some(quote.fee_schedule_id.clone()),
            quote_id: Some(quote.id.clone()),
            failure_reason: None,
            created_at: now,
        };
        let (entry_id, replayed) = match self.submit(command, user_id, key).await {
            Ok(applied) => applied,
            Err(WalletError::Rejected {
                rejection: rejection @ Rejection::InsufficientFunds { .. },
                ..
            }) => {
                let mut sent = sent;
                sent.arrived = None;
                return Err(self.refused(rejection, sent).await?);
            }
            Err(error) => return Err(error),
        };
        if replayed {
            return self.existing(user_id, entry_id.as_str()).await;
        }
        let mut records = vec![];
        let sent = TransactionRecord::new(sent)?;
        records.push((sent.clone(), Some(LimitKind::ExchangeRemittance)));
        if let Some(receiver) = &receiver {
            let received = TransactionRecord::new(NewRecord {
                id,
                user_id: receiver.id.clone(),
                kind: RecordKind::Remittance,
                direction: Direction::In,
                status: TransactionStatus::Completed,
                amount: quote.arrives,
                currency: target_currency,
                fee: Amount::ZERO,
                arrived: Some((quote.arrives, target_currency)),
                counterparty: Some(Counterparty {
                    id: sender.id.clone(),
                    label: sender.label(),
                }),
                note: note.clone(),
                fee_schedule_id: None,
                quote_id: None,
                failure_reason: None,
                created_at: now,
            })?;
            records.push((received, None));
        }
        let mut messages = Vec::new();
        if let Some(receiver) = &receiver {
            let text = notices::money_received(
                &receiver.locale,
                quote.arrives,
                target_currency,
                &sender.label(),
                note.as_deref(),
            );
            messages.push(notices::notice_for(receiver, text, now));
        }
        self.write(records, messages).await?;
        Ok(sent)
    }

    // --- withdrawals ---

    /// Holds `amount` at once and puts the withdrawal in the review queue.
    pub async fn withdraw(
        &self,
        user_id: &str,
        bank_account_id: &str,
        amount: Amount,
        currency: Currency,
        key: Option<&str>,
    ) -> Result<WithdrawalView, WalletError> {
        let _turn = self.limit_turn(user_id).await;
        let now = self.now();
        let user = self.user(user_id).await?;
        let account = self
            .store
            .bank_accounts(user_id)
            .await?
            .into_iter()
            .find(|account| account.id == bank_account_id)
            .ok_or(WalletError::NotFound("bank_account_not_found"))?;
        if account.account.currency != currency {
            return Err(WalletError::BankAccountCurrency {
                account: account.account.currency,
                requested: currency,
            });
        }
        let fees = self
            .fees(&user, MovementKind::Withdrawal, amount, currency, now)
            .await?;
        self.check_limit(user_id, MovementKind::Withdrawal, amount, currency, now)
            .await?;
        self.guard(user_id, MovementKind::Withdrawal, amount, currency)
            .await?;
        let id = new_id("wdr");
        let new = NewRecord {
            id: id.clone(),
            user_id: user_id.to_owned(),
            kind: RecordKind::Withdrawal,
            direction: Direction::Out,
            status: TransactionStatus::Submitted,
            amount,
            currency,
            fee: fees.net_fee,
            arrived: Some((fees.arrives, currency)),
            counterparty: Some(Counterparty {
                id: account.id.clone(),
                label: account.account.label(),
            }),
            note: None,
            fee_schedule_id: Some(fees.schedule_id.clone()),
            quote_id: None,
            failure_reason: None,
            created_at: now,
        };
        let command = movements::withdrawal_hold(
            EntryId::parse(&id).expect("new ids parse"),
            user_id,
            currency,
            amount,
            fees.net_fee,
        )?;
        let (entry_id, replayed) = match self.submit(command, user_id, key).await {
            Ok(applied) => applied,
            Err(WalletError::Rejected {
                rejection: rejection @ Rejection::InsufficientFunds { .. },
                ..
            }) => {
                let mut new = new;
                new.arrived = None;
                return Err(self.refused(rejection, new).await?);
            }
            Err(error) => return Err(error),
        };
        if replayed {
            return self.withdrawal(user_id, entry_id.as_str()).await;
        }
        let mut record = TransactionRecord::new(new)?;
        record.advance(TransactionStatus::Reviewing, now, None)?;
        let withdrawal = Withdrawal {
            id: id.clone(),
            user_id: user_id.to_owned(),
            bank_account_id: account.id.clone(),
            amount,
            currency,
            fee: fees.net_fee,
            state: WithdrawalState::Reviewing,
            attempts: 0,
            next_attempt_at: None,
            reviewed_by: None,
            review_reason: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_withdrawal(&withdrawal).await?;
        self.write(vec![(record.clone(), Some(LimitKind::Withdrawal))], vec![])
            .await?;
        Ok(WithdrawalView { withdrawal, record })
    }

    /// A withdrawal of `user_id` with its record.
    pub async fn withdrawal(&self, user_id: &str, id: &str) -> Result<WithdrawalView, WalletError> {
        let withdrawal = self
            .store
            .withdrawal(id)
            .await?
            .filter(|withdrawal| withdrawal.user_id == user_id)
            .ok_or(WalletError::NotFound("withdrawal_not_found"))?;
        let record = self.existing(user_id, id).await?;
        Ok(WithdrawalView { withdrawal, record })
    }

    /// The review queue, oldest first.
    pub async fn withdrawals_to_review(&self, limit: u32) -> Result<Vec<Withdrawal>, WalletError> {
        Ok(self
            .store
            .withdrawals_in(WithdrawalState::Reviewing, None, limit)
            .await?)
    }

    async fn reviewable(&self, id: &str) -> Result<(Withdrawal, TransactionRecord), WalletError> {
        let withdrawal = self
            .store
            .withdrawal(id)
            .await?
            .ok_or(WalletError::NotFound("withdrawal_not_found"))?;
        if withdrawal.state != WithdrawalState::Reviewing {
            return Err(WalletError::NotReviewable(withdrawal.state));
        }
        let record = self.existing(&withdrawal.user_id, id).await?;
        Ok((withdrawal, record))
    }

    /// Finance approves: the payout is due at once.
    pub async fn approve_withdrawal(
        &self,
        staff_id: &str,
        id: &str,
        reason: Option<&str>,
    ) -> Result<WithdrawalView, WalletError> {
        let now = self.now();
        let (mut withdrawal, mut record) = self.reviewable(id).await?;
        withdrawal.state = WithdrawalState::Processing;
        withdrawal.next_attempt_at = Some(now);
        withdrawal.reviewed_by = Some(staff_id.to_owned());
        withdrawal.review_reason = reason.map(str::to_owned);
        withdrawal.updated_at = now;
        record.advance(TransactionStatus::Processing, now, None)?;
        if !self
            .store
            .update_withdrawal(&withdrawal, WithdrawalState::Reviewing, 0)
            .await?
        {
            return Err(WalletError::NotReviewable(WithdrawalState::Processing));
        }
        self.store.update_record(&record).await?;
        self.audit_review(staff_id, "withdrawal.approved", &withdrawal)
            .await;
        Ok(WithdrawalView { withdrawal, record })
    }

    /// Writes a review to the audit log, after the review took effect: a failure here loses the
    /// audit row (logged), never the review, which keeps who made it and why on the withdrawal.
    async fn audit_review(&self, staff_id: &str, action: &'static str, withdrawal: &Withdrawal) {
        let event = crate::audit::AuditEvent {
            actor: crate::audit::Actor::Staff(staff_id.to_owned()),
            action,
            subject: withdrawal.id.clone(),
            detail: withdrawal.review_reason.clone().unwrap_or_default(),
        };
        if let Err(error) = self.store.wallet_audit(&event).await {
            tracing::error!(%error, withdrawal = %withdrawal.id, action, "a review was not audited");
        }
    }

    /// Finance rejects with a reason the user reads: the hold is released.
    pub async fn reject_withdrawal(
        &self,
        staff_id: &str,
        id: &str,
        reason: &str,
    ) -> Result<WithdrawalView, WalletError> {
        if reason.trim().is_empty() {
            return Err(WalletError::ReasonRequired);
        }
        let now = self.now();
        let (mut withdrawal, mut record) = self.reviewable(id).await?;
        withdrawal.state = WithdrawalState::Rejected;
        withdrawal.reviewed_by = Some(staff_id.to_owned());
        withdrawal.review_reason = Some(reason.trim().to_owned());
        withdrawal.updated_at = now;
        record.end_unsuccessfully(
            TransactionStatus::Rejected,
            ReasonCode::parse("withdrawal_rejected").expect("a valid code"),
            now,
            Some(reason),
        )?;
        if !self
            .store
            .update_withdrawal(&withdrawal, WithdrawalState::Reviewing, 0)
            .await?
        {
            return Err(WalletError::NotReviewable(WithdrawalState::Processing));
        }
        self.release(&withdrawal).await?;
        self.store.update_record(&record).await?;
        self.tell_withdrawal_end(&withdrawal, "rejected", Some(reason.trim()), now)
            .await;
        self.audit_review(staff_id, "withdrawal.rejected", &withdrawal)
            .await;
        Ok(WithdrawalView { withdrawal, record })
    }

    async fn release(&self, withdrawal: &Withdrawal) -> Result<(), WalletError> {
        let hold = EntryId::parse(&withdrawal.id).expect("stored ids parse");
        match self
            .ledger
            .submit(movements::withdrawal_released(hold))
            .await
        {
            Ok(_) => Ok(()),
            // Released already by an earlier pass that stopped before writing its state.
            Err(LedgerError::Rejected(Rejection::HoldNotPending { .. })) => Ok(()),
            Err(error) => Err(ledger_error(error)),
        }
    }

    async fn tell_withdrawal_end(
        &self,
        withdrawal: &Withdrawal,
        outcome: &str,
        reason: Option<&str>,
        now: UnixSeconds,
    ) {
        let Ok(user) = self.user(&withdrawal.user_id).await else {
            return;
        };
        let text = notices::withdrawal_ended(
            &user.locale,
            &withdrawal.id,
            outcome,
            withdrawal.amount,
            withdrawal.currency,
            reason,
        );
        self.tell(&user, text, now).await;
    }

    /// Pays out every approved withdrawal that is due, over the bank rail: posted on success,
    /// retried later on a passing failure, released and failed when the bank refuses for good.
    pub async fn process_due_withdrawals(&self) -> Result<PayoutPass, WalletError> {
        let now = self.now();
        let due = self
            .store
            .withdrawals_in(WithdrawalState::Processing, Some(now), PAYOUTS_PER_PASS)
            .await?;
        let mut pass = PayoutPass::default();
        for withdrawal in due {
            match self.pay_out(withdrawal, now).await? {
                Some(WithdrawalState::Completed) => pass.completed += 1,
                Some(WithdrawalState::Failed) => pass.failed += 1,
                Some(_) => pass.retrying += 1,
                None => {}
            }
        }
        Ok(pass)
    }

    /// One payout attempt; `None` when another worker took the withdrawal first.
    async fn pay_out(
        &self,
        withdrawal: Withdrawal,
        now: UnixSeconds,
    ) -> Result<Option<WithdrawalState>, WalletError> {
        let previous_attempts = withdrawal.attempts;
        let mut claimed = withdrawal.clone();
        claimed.attempts += 1;
        // While this attempt runs, no other worker picks the withdrawal up.
        claimed.next_attempt_at = Some(now + 300);
        claimed.updated_at = now;
        if !self
            .store
            .update_withdrawal(&claimed, WithdrawalState::Processing, previous_attempts)
            .await?
        {
            return Ok(None);
        }
        let mut withdrawal = claimed;
        let mut record = self.existing(&withdrawal.user_id, &withdrawal.id).await?;
        let account = self
            .store
            .bank_accounts(&withdrawal.user_id)
            .await?
            .into_iter()
            .find(|account| account.id == withdrawal.bank_account_id);
        let paid_out = withdrawal
            .amount
            .checked_sub(withdrawal.fee)
            .unwrap_or(Amount::ZERO);
        let result = match &account {
            Some(account) => {
                self.rail
                    .pay_out(&PayoutRequest {
                        reference: withdrawal.id.clone(),
                        attempt: withdrawal.attempts,
                        account: account.account.number.clone(),
                        holder_name: account.account.holder_name.clone(),
                        amount: paid_out,
                        currency: withdrawal.currency,
                    })
                    .await
            }
            // The user removed the account after withdrawing; nothing can be paid to it.
            None => Err(PayoutError::AccountInvalid),
        };
        let attempts = withdrawal.attempts;
        let outcome = match result {
            Ok(_) => {
                let hold = EntryId::parse(&withdrawal.id).expect("stored ids parse");
                match self.ledger.submit(movements::withdrawal_paid(hold)).await {
                    Ok(_) | Err(LedgerError::Rejected(Rejection::HoldNotPending { .. })) => {}
                    Err(error) => return Err(ledger_error(error)),
                }
                withdrawal.state = WithdrawalState::Completed;
                withdrawal.next_attempt_at = None;
                record.advance(TransactionStatus::Completed, now, None)?;
                WithdrawalState::Completed
            }
            Err(error) => match self.rules.payout_retry.after_failure(attempts, error, now) {
                PayoutNext::RetryAt(at) => {
                    withdrawal.next_attempt_at = Some(at);
                    let note = format!(
                        "payout attempt {attempts} failed: {}; retrying",
                        error.code()
                    );
                    // A full timeline only loses the note, never the retry.
                    let _ = record.add_note(now, &note);
                    WithdrawalState::Processing
                }
                PayoutNext::GiveUp => {
                    self.release(&withdrawal).await?;
                    withdrawal.state = WithdrawalState::Failed;
                    withdrawal.next_attempt_at = None;
                    record.end_unsuccessfully(
                        TransactionStatus::Failed,
                        ReasonCode::parse(error.code()).expect("payout codes are valid"),
                        now,
                        None,
                    )?;
                    WithdrawalState::Failed
                }
            },
        };
        withdrawal.updated_at = now;
        self.store
            .update_withdrawal(&withdrawal, WithdrawalState::Processing, attempts)
            .await?;
        self.store.update_record(&record).await?;
        match outcome {
            WithdrawalState::Completed => {
                self.tell_withdrawal_end(&withdrawal, "completed", None, now)
                    .await;
            }
            WithdrawalState::Failed => {
                let reason = record
                    .failure_reason
                    .as_ref()
                    .map(|r| r.as_str().to_owned());
                self.tell_withdrawal_end(&withdrawal, "failed", reason.as_deref(), now)
                    .await;
            }
            _ => {}
        }
        Ok(Some(outcome))
    }

    // --- FX rates ---

    pub async fn rates(&self) -> Result<Vec<FxRate>, WalletError> {
        Ok(self.store.current_rates().await?)
    }

    /// An admin sets a rate; the old one stays in the history.
    pub async fn set_rate(
        &self,
        admin_id: &str,
        base: Currency,
        quote: Currency,
        rate_text: &str,
    ) -> Result<FxRate, WalletError> {
        let rate = FxRate::new(base, quote, parse_rate_e8(rate_text)?, self.now())?;
        self.store.insert_rate(&rate, admin_id).await?;
        Ok(rate)
    }

    /// Every rate set for the pair, newest first, with who set it.
    pub async fn rate_history(
        &self,
        base: Currency,
        quote: Currency,
    ) -> Result<Vec<(FxRate, String)>, WalletError> {
        Ok(self.store.rate_history(base, quote).await?)
    }

    // --- records ---

    pub async fn records(
        &self,
        user_id: &str,
        page: &RecordPage<'_>,
    ) -> Result<Vec<TransactionRecord>, WalletError> {
        Ok(self.store.records(user_id, page).await?)
    }

    /// Every record the filter keeps, newest first, in chunks sent to `sink` while it takes
    /// them: what the CSV export streams, at most a few chunks in memory however many there are.
    pub async fn export_records(
        &self,
        user_id: &str,
        filter: &crate::records::TransactionFilter,
        sink: tokio::sync::mpsc::Sender<Vec<TransactionRecord>>,
    ) -> Result<(), WalletError> {
        Ok(self.store.export_records(user_id, filter, sink).await?)
    }

    /// One of `user_id`'s records for a staff member; the look is written to the audit log
    /// (subject: the user) before the record is answered.
    pub async fn staff_record(
        &self,
        staff_id: &str,
        user_id: &str,
        id: &str,
    ) -> Result<TransactionRecord, WalletError> {
        let record = self.existing(user_id, id).await?;
        self.store
            .wallet_audit(&crate::audit::AuditEvent {
                actor: crate::audit::Actor::Staff(staff_id.to_owned()),
                action: "wallet.record_viewed",
                subject: user_id.to_owned(),
                detail: format!("transaction={id}"),
            })
            .await?;
        Ok(record)
    }

    pub async fn record(&self, user_id: &str, id: &str) -> Result<TransactionRecord, WalletError> {
        self.existing(user_id, id).await
    }

    /// Spending totals over `[from, to)`, read page by page.
    pub async fn spending(
        &self,
        user_id: &str,
        from: UnixSeconds,
        to: UnixSeconds,
    ) -> Result<SpendingTotals, WalletError> {
        let mut totals = SpendingTotals::default();
        let filter = crate::records::TransactionFilter {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        let mut after: Option<String> = None;
        loop {
            let page = RecordPage {
                filter: filter.clone(),
                after: after.as_deref(),
                limit: 1_000,
            };
            let records = self.store.records(user_id, &page).await?;
            for record in &records {
                totals.add(record, self.rules.offset);
            }
            match records.last() {
                Some(last) if records.len() == 1_000 => after = Some(last.id.clone()),
                _ => break,
            }
        }
        Ok(totals)
    }
}
