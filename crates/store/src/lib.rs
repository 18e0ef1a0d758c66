//! The storage port implemented with sqlx for SQLite (embedded, the default) and PostgreSQL.
//!
//! One code path serves both databases through sqlx's `Any` driver with portable SQL (`$n`
//! placeholders, BIGINT money, TEXT ids); the few places where the dialects differ ask [`Dialect`].

mod audit_store;
mod bulk;
mod database;
mod error;
mod identity_store;
mod ledger_store;
mod legs;
mod outbox_store;
pub mod scratch;
mod verify;

pub use database::{Dialect, Store};
