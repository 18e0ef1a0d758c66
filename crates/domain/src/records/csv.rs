//! One transaction record as a CSV row (RFC 4180), for the streamed export.
//!
//! Fields are separated by commas and rows end with CRLF. A field holding a comma, a double
//! quote, CR or LF is wrapped in double quotes with its quotes doubled. Amounts are decimal text
//! in the currency's unit (`10.50` yuan, `100` yen) from `ledger::Amount`, times RFC 3339 in UTC.
//! Free text (notes, counterparty labels) that begins with `=`, `+`, `-`, `@`, a tab or CR is
//! prefixed with `'` so spreadsheet programs show it as text instead of running it as a formula
//! (OWASP "CSV injection"). The web layer writes [`CSV_BOM`] first so spreadsheet programs read
//! the file as UTF-8 and show Chinese correctly.

use ledger::{Amount, Currency};

use crate::calendar::push_rfc3339_utc;
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

/// Appends one field, quoted when RFC 4180 requires it; `first` leaves out the comma before it.
fn push_field(row: &mut String, field: &str, first: bool) {
    if !first {
        row.push(',');
    }
    if field.contains([',', '"', '\r', '\n']) {
        row.push('"');
        for part in field.split_inclusive('"') {
            row.push_str(part);
            if part.ends_with('"') {
                row.push('"');
            }
        }
        row.push('"');
    } else {
        row.push_str(field);
    }
}

/// Appends free text with a leading formula character neutralised.
fn push_text(row: &mut String, field: &str) {
    row.push(',');
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        let mut quoted = String::with_capacity(field.len() + 1);
        quoted.push('\'');
        quoted.push_str(field);
        push_field(row, &quoted, true);
    } else {
        push_field(row, field, true);
    }
}

/// Appends an amount as decimal text in its currency's unit (digits and a point: never quoted).
fn push_amount(row: &mut String, amount: Amount, currency: Currency) {
    row.push(',');
    row.push_str(&amount.to_decimal_string(currency));
}

/// One record as a row, CRLF included.
pub fn csv_row(record: &TransactionRecord) -> String {
    let mut row = String::with_capacity(256);
    push_csv_row(&mut row, record);
    row
}

/// Appends one record's row, CRLF included, to `out`: the export writes a whole page of rows
/// into one buffer instead of a string per field and per row.
pub fn push_csv_row(out: &mut String, record: &TransactionRecord) {
    push_field(out, &record.id, true);
    out.push(',');
    push_rfc3339_utc(out, record.created_at);
    push_field(out, record.kind.code(), false);
    push_field(out, record.direction.code(), false);
    push_field(out, record.status().code(), false);
    push_amount(out, record.amount, record.currency);
    push_amount(out, record.fee, record.currency);
    push_field(out, record.currency.code(), false);
    match record.arrived {
        Some((amount, currency)) => {
            push_amount(out, amount, currency);
            push_field(out, currency.code(), false);
        }
        None => out.push_str(",,"),
    }
    push_text(
        out,
        record
            .counterparty
            .as_ref()
            .map_or("", |c| c.label.as_str()),
    );
    push_text(out, record.note.as_deref().unwrap_or_default());
    push_field(out, record.category.code(), false);
    push_field(
        out,
        record.failure_reason.as_ref().map_or("", |r| r.as_str()),
        false,
    );
    push_field(
        out,
        record.fee_schedule_id.as_deref().unwrap_or_default(),
        false,
    );
    out.push_str("\r\n");
}
