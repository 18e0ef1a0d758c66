//! Records (SPEC section 4): the transaction record with its status timeline, the list filters,
//! CSV rows, and spending analysis.

pub mod analysis;
pub mod csv;
pub mod filter;
pub mod record;

pub use analysis::{SpendingKey, SpendingTotals, statement_range};
pub use csv::{CSV_BOM, CSV_COLUMNS, csv_header, csv_row, push_csv_row};
pub use filter::{FilterError, FilterInput, Preset, TransactionFilter};
pub use record::{
    Category, Counterparty, Direction, NewRecord, ReasonCode, RecordError, RecordKind, Timeline,
    TimelineError, TimelineEvent, TransactionRecord, TransactionStatus, parse_user_note,
};

#[cfg(test)]
mod tests;
