//! One transaction record as a CSV row (RFC 4180), for the streamed export.
//!
//! Fields are separated by commas and rows end with CRLF. A field holding a comma, a double
//! quote, CR or LF is wrapped in double quotes with its quotes doubled. Amounts are decimal text
//! in the currency's unit (`10.50` yuan, `100` yen) from `ledger::Amount`, times RFC 3339 in UTC.
//! Free text (notes, counterparty labels) that begins with `=`, `+`, `-`, `@`, a tab or CR is
//! prefixed with `'` so spreadsheet programs show it as text instead of running it as a formula
//! (OWASP "CSV injection"). The web layer writes [`CSV_BOM`] first so spreadsheet programs read
//! the file as UTF-8 and show Chinese correctly.

use std::fmt::Write;

use crate::calendar::rfc3339_utc;
use crate::records::record::TransactionRecord;

/// The UTF-8 byte-order mark the export starts with.
pub const CSV_BOM: &str = "\u{feff}";

/// The columns, in order; stable names a spreadsheet or script can rely on.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "type",
    "direction",
    "status",
    "amount",
    "fee",
    "currency",
    "arrived",
    "arrived_currency",
    "counterparty",
    "note",
    "category",
    "failure_reason",
    "fee_schedule",
];

/// The header row, CRLF included.
pub fn csv_header() -> String {
    let mut row = CSV_COLUMNS.join(",");
    row.push_str("\r\n");
    row
}

/// Appends one field, quoted when RFC 4180 requires it.
fn push_field(row: &mut String, field: &str) {
    if !row.is_empty() && !row.ends_with("\r\n") {
        row.push(',');
    }
    if field.contains([',', '"', '\r', '\n']) {
        row.push('"');
        row.push_str(&field.replace('"', "\"\""));
        row.push('"');
    } else {
        row.push_str(field);
    }
}

/// Free text with a leading formula character neutralised.
fn text(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    }
}

/// One record as a row, CRLF included.
pub fn csv_row(record: &TransactionRecord) -> String {
    let mut row = String::with_capacity(256);
    let (arrived, arrived_currency) = match record.arrived {
        Some((amount, currency)) => (amount.to_decimal_string(currency), currency.code()),
        None => (String::new(), ""),
    };
    let fields = [
        record.id.clone(),
        rfc3339_utc(record.created_at),
        record.kind.code().to_owned(),
        record.direction.code().to_owned(),
        record.status().code().to_owned(),
        record.amount.to_decimal_string(record.currency),
        record.fee.to_decimal_string(record.currency),
        record.currency.code().to_owned(),
        arrived,
        arrived_currency.to_owned(),
        record
            .counterparty
            .as_ref()
            .map_or(String::new(), |c| text(&c.label)),
        record.note.as_deref().map_or(String::new(), text),
        record.category.code().to_owned(),
        record
            .failure_reason
            .as_ref()
            .map_or(String::new(), |reason| reason.as_str().to_owned()),
        record.fee_schedule_id.clone().unwrap_or_default(),
    ];
    for field in &fields {
        push_field(&mut row, field);
    }
    let _ = write!(row, "\r\n");
    row
}
