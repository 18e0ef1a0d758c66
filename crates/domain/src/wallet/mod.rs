//! The wallet's pure rules: funding sources, the card processor and bank rail, quotes, and the
//! ledger entries every movement makes.

pub mod bank_account;
pub mod card;
pub mod fingerprint;
pub mod guard;
pub mod kind;
pub mod maintenance_job;
pub mod movements;
pub mod notices;
pub mod port;
pub mod processor;
pub mod quote;
pub mod reconcile;
pub mod service;
pub mod simulated_charges;
pub mod simulator;
pub mod turns;
pub mod writer;

pub use bank_account::{BankAccount, BankAccountError, BankAccountNumber, BankAccountScheme};
pub use card::{
    CardBrand, CardDetails, CardError, CardExpiry, CardInput, CardNumber, CardToken, Cvc,
    HolderName, SavedCard,
};
pub use fingerprint::{CardFingerprint, CardFingerprintKey, MalformedCardFingerprint};
pub use guard::{AllowAll, GuardRefusal, MoneyOutGuard};
pub use kind::{MovementKind, UnknownMovementKind};
pub use maintenance_job::{MAINTENANCE_FEE_JOB, MaintenancePass};
pub use movements::{Conversion, MovementError};
pub use port::{
    MaintenanceCandidate, Mover, RecordPage, StoredBankAccount, StoredCard, StoredQuote,
    StoredResponse, WalletStore, WalletUser, Withdrawal, WithdrawalState,
};
pub use processor::{
    BankRail, CardProcessor, ChargeReceipt, ChargeRequest, ChargeStatus, PayoutError, PayoutNext,
    PayoutReceipt, PayoutRequest, PayoutRetryPolicy, ProcessorError, save_card,
};
pub use quote::{
    FeeContext, Pricing, QUOTE_LIFETIME_DEFAULT_S, Quote, QuoteError, QuotePolicy, QuoteRequest,
    QuotedRate, new_quote_id,
};
pub use reconcile::{
    NOT_CHARGED_REASON, ReconcilePass, TOP_UP_RECONCILE_AFTER_S_DEFAULT, TOP_UP_RECONCILE_JOB,
};
pub use service::{
    AddedCard, CardSaved, Clock, DEFAULT_FEE_SCHEDULE_ID, KeepAnswer, PayoutPass, QuoteAnswer,
    STARTING_RATES, Wallet, WalletError, WalletRules, WithdrawalView,
};
pub use simulated_charges::{SimulatedCharge, SimulatedChargeStore};
pub use simulator::{
    RAIL_DELAY_MAX_MS, RailMode, RailSwitch, SimulatedRail, TEST_BANK_ACCOUNTS, TEST_CARDS,
    TestBankAccount, TestBankAccountOutcome, TestCard, TestCardOutcome,
};
pub use writer::{ResponseToKeep, WalletWriter, WriteJob};
