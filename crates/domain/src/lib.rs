//! OKPay's use cases and the storage port they need. Knows nothing of HTTP, JSON, HTML or SQL.

pub mod appeals;
pub mod audit;
pub mod calendar;
pub mod chat;
pub mod community;
pub mod delivery;
pub mod documents;
pub mod fees;
pub mod fx;
pub mod help;
pub mod identity;
pub mod ids;
pub mod jobs;
pub mod kyc;
pub mod ledger_writer;
pub mod limits;
pub mod nominal;
pub mod notify;
pub mod records;
pub mod rounding;
pub mod staff;
pub mod store_port;
pub mod support;
pub mod ticket_sla;
pub mod tickets;
pub mod wallet;

pub use ledger_writer::{Ledger, LedgerError, WriterConfig};
pub use store_port::{AuditStore, IdentityStore, LedgerStore, SecurityStore, StoreError};
