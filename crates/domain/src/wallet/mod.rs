//! The wallet's pure rules: funding sources, the card processor and bank rail, quotes, and the
//! ledger entries every movement makes.

pub mod bank_account;
pub mod card;
pub mod kind;
pub mod movements;
pub mod processor;
pub mod quote;
pub mod simulator;

pub use bank_account::{BankAccount, BankAccountError, BankAccountNumber, BankAccountScheme};
pub use card::{
    CardBrand, CardDetails, CardError, CardExpiry, CardInput, CardNumber, CardToken, Cvc,
    HolderName, SavedCard,
};
pub use kind::{MovementKind, UnknownMovementKind};
pub use movements::{Conversion, MovementError};
pub use processor::{
    BankRail, CardProcessor, ChargeReceipt, ChargeRequest, PayoutError, PayoutNext, PayoutReceipt,
    PayoutRequest, PayoutRetryPolicy, ProcessorError, save_card,
};
pub use quote::{
    FeeContext, Pricing, QUOTE_LIFETIME_DEFAULT_S, Quote, QuoteError, QuotePolicy, QuoteRequest,
    QuotedRate, new_quote_id,
};
pub use simulator::{
    RailMode, RailSwitch, SimulatedRail, TEST_BANK_ACCOUNTS, TEST_CARDS, TestBankAccount,
    TestBankAccountOutcome, TestCard, TestCardOutcome,
};
