//! The wallet's pure rules: funding sources, the card processor and bank rail, quotes, and the
//! ledger entries every movement makes.

pub mod bank_account;
pub mod card;
pub mod kind;
pub mod processor;
pub mod simulator;

pub use bank_account::{BankAccount, BankAccountError, BankAccountNumber, BankAccountScheme};
pub use card::{
    CardBrand, CardDetails, CardError, CardExpiry, CardInput, CardNumber, CardToken, Cvc,
    HolderName, SavedCard,
};
pub use kind::{MovementKind, UnknownMovementKind};
pub use processor::{
    BankRail, CardProcessor, ChargeReceipt, ChargeRequest, PayoutError, PayoutNext, PayoutReceipt,
    PayoutRequest, PayoutRetryPolicy, ProcessorError, save_card,
};
pub use simulator::{
    RailMode, RailSwitch, SimulatedRail, TEST_BANK_ACCOUNTS, TEST_CARDS, TestBankAccount,
    TestBankAccountOutcome, TestCard, TestCardOutcome,
};
