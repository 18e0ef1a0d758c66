//! The storage port implemented with sqlx for SQLite (embedded, the default) and PostgreSQL.
//!
//! One code path serves both databases through sqlx's `Any` driver with portable SQL (`$n`
//! placeholders, BIGINT money, TEXT ids); the few places where the dialects differ ask [`Dialect`].

mod appeal_store;
mod audit_store;
mod bulk;
mod charge_store;
mod chat_store;
mod community_store;
mod database;
mod document_store;
mod error;
pub mod fee_rules_json;
mod help_store;
mod identity_store;
mod job_store;
mod kyc_store;
mod ledger_store;
mod legs;
mod outbox_store;
mod record_export;
pub mod scratch;
mod security_store;
mod sqlite_ledger;
mod sqlite_reads;
mod support_store;
mod ticket_store;
mod verify;
mod wallet_batch;
mod wallet_store;

pub use database::{Dialect, Store};
pub use job_store::enqueue_job_in;
