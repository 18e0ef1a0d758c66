//! Spending analysis and statements: totals by local month, currency and category, and the
//! range a monthly statement covers.

use std::collections::BTreeMap;

use ledger::{Amount, Currency};

use crate::calendar::{CivilDate, UtcOffset};
use crate::identity::UnixSeconds;
use crate::records::record::{Category, TransactionRecord};

/// The range `[from, to)` of the statement for `year`-`month` in the user's offset, or `None`
/// for a month that does not exist.
pub fn statement_range(
    year: i32,
    month: u32,
    offset: UtcOffset,
) -> Option<(UnixSeconds, UnixSeconds)> {
    let first = CivilDate::new(year, month, 1)?;
    Some((offset.start_of(first), offset.start_of(first.add_months(1))))
}

/// The key of one total: the first day of the local month, the currency and the category.
pub type SpendingKey = (CivilDate, Currency, Category);

/// Totals of money spent, accumulated one record at a time (so a store can stream them).
/// Currencies are never added together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpendingTotals {
    totals: BTreeMap<SpendingKey, i128>,
}

impl SpendingTotals {
    pub fn add(&mut self, record: &TransactionRecord, offset: UtcOffset) {
        let spent = record.spent();
        if !spent.is_positive() {
            return;
        }
        let month = offset.date_at(record.created_at).first_of_month();
        *self
            .totals
            .entry((month, record.currency, record.category))
            .or_default() += i128::from(spent.minor());
    }

    /// Every total, by month, then currency, then category. A total too large for an amount
    /// (impossible from real records) is shown as the largest amount.
    pub fn totals(&self) -> impl Iterator<Item = (SpendingKey, Amount)> + '_ {
        self.totals.iter().map(|(key, total)| {
            let minor = i64::try_from(*total).unwrap_or(i64::MAX);
            (*key, Amount::from_minor(minor))
        })
    }
}
