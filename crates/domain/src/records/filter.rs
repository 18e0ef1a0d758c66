//! The filters of `GET /transactions` and its CSV export, parsed into one checked type.
//!
//! - `from`, `to`: an RFC 3339 time, or a date `YYYY-MM-DD` read in the user's UTC offset.
//!   `from` is inclusive; `to` is exclusive for a time and includes the whole day for a date.
//! - `preset`, in the user's UTC offset: `yesterday` (the whole previous day), `last_7_days`
//!   (today and the six days before it), `last_month` (the whole previous calendar month). A
//!   preset cannot be combined with `from` or `to`.
//! - `type` (a record kind: `topup`, `transfer`, …), `status`, `currency`: exact values.
//! - `counterparty`: a user, card or bank-account id matched exactly, or text found in the
//!   counterparty's label (case-insensitive).
//! - `amount_min`, `amount_max`: integer minor units of the record's amount, inclusive.

use ledger::{AMOUNT_INPUT_MAX, Amount, Currency};

use crate::calendar::{CivilDate, UtcOffset, parse_rfc3339};
use crate::identity::UnixSeconds;
use crate::records::record::{RecordKind, TransactionRecord, TransactionStatus};

const COUNTERPARTY_QUERY_LENGTH_MAX: usize = 100;

/// The query parameters as they arrived, unparsed.
#[derive(Clone, Copy, Debug, Default)]
pub struct FilterInput<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub preset: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub status: Option<&'a str>,
    pub currency: Option<&'a str>,
    pub counterparty: Option<&'a str>,
    pub amount_min: Option<&'a str>,
    pub amount_max: Option<&'a str>,
}

/// The named time ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Yesterday,
    Last7Days,
    LastMonth,
}

impl Preset {
    pub const fn code(self) -> &'static str {
        match self {
            Preset::Yesterday => "yesterday",
            Preset::Last7Days => "last_7_days",
            Preset::LastMonth => "last_month",
        }
    }

    pub fn parse(code: &str) -> Option<Preset> {
        [Preset::Yesterday, Preset::Last7Days, Preset::LastMonth]
            .into_iter()
            .find(|preset| preset.code() == code)
    }

    /// The range `[from, to)` the preset names at `now` in `offset`.
    pub fn range(self, now: UnixSeconds, offset: UtcOffset) -> (UnixSeconds, UnixSeconds) {
        let today = offset.date_at(now);
        let (first, end) = match self {
            Preset::Yesterday => (today.add_days(-1), today),
            Preset::Last7Days => (today.add_days(-6), today.add_days(1)),
            Preset::LastMonth => {
                let this_month = today.first_of_month();
                (this_month.add_months(-1), this_month)
            }
        };
        (offset.start_of(first), offset.start_of(end))
    }
}

/// A query parameter that cannot be used; `param` names it for the API's error shape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {problem}")]
pub struct FilterError {
    pub param: &'static str,
    pub problem: &'static str,
}

impl FilterError {
    pub const fn code(&self) -> &'static str {
        "filter_invalid"
    }
}

fn error(param: &'static str, problem: &'static str) -> FilterError {
    FilterError { param, problem }
}

/// A checked filter; `None` everywhere means everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    /// Inclusive.
    pub from: Option<UnixSeconds>,
    /// Exclusive.
    pub to: Option<UnixSeconds>,
    pub kind: Option<RecordKind>,
    pub status: Option<TransactionStatus>,
    pub currency: Option<Currency>,
    pub counterparty: Option<String>,
    pub amount_min: Option<Amount>,
    pub amount_max: Option<Amount>,
}

/// Parameters sent empty (`?type=`) count as absent, as HTML forms send them.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// A bound: a time as given, or a local date's midnight (the next day's for an inclusive `to`).
fn bound(
    text: &str,
    param: &'static str,
    whole_day: bool,
    offset: UtcOffset,
) -> Result<UnixSeconds, FilterError> {
    if let Some(date) = CivilDate::parse(text) {
        let day = if whole_day { date.add_days(1) } else { date };
        return Ok(offset.start_of(day));
    }
    parse_rfc3339(text).map_err(|_| error(param, "expected an RFC 3339 time or a YYYY-MM-DD date"))
}

fn amount(text: &str, param: &'static str) -> Result<Amount, FilterError> {
    let problem = "expected an integer amount in minor units";
    if !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 16 {
        return Err(error(param, problem));
    }
    let minor: i64 = text.parse().map_err(|_| error(param, problem))?;
    if minor > AMOUNT_INPUT_MAX {
        return Err(error(param, problem));
    }
    Ok(Amount::from_minor(minor))
}

impl TransactionFilter {
    /// Parses the query; presets and dates are read at `now` in the user's `offset`.
    pub fn parse(
        input: FilterInput<'_>,
        now: UnixSeconds,
        offset: UtcOffset,
    ) -> Result<TransactionFilter, FilterError> {
        let mut filter = TransactionFilter::default();
        match (
            present(input.preset),
            present(input.from),
            present(input.to),
        ) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(error(
                    "preset",
                    "a preset cannot be combined with from or to",
                ));
            }
            (Some(preset), None, None) => {
                let preset = Preset::parse(preset).ok_or_else(|| {
                    error("preset", "expected yesterday, last_7_days or last_month")
                })?;
                let (from, to) = preset.range(now, offset);
                filter.from = Some(from);
                filter.to = Some(to);
            }
            (None, from, to) => {
                filter.from = from.map(|f| bound(f, "from", false, offset)).transpose()?;
                filter.to = to.map(|t| bound(t, "to", true, offset)).transpose()?;
            }
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(error("to", "the range ends before it starts"));
        }
        filter.kind = present(input.kind)
            .map(|kind| {
                RecordKind::parse(kind).ok_or_else(|| error("type", "unknown transaction type"))
            })
            .transpose()?;
        filter.status = present(input.status)
            .map(|status| {
                TransactionStatus::parse(status).ok_or_else(|| error("status", "unknown status"))
            })
            .transpose()?;
        filter.currency = present(input.currency)
            .map(|code| Currency::parse(code).map_err(|_| error("currency", "unknown currency")))
            .transpose()?;
        filter.counterparty = present(input.counterparty)
            .map(|text| {
                if text.chars().count() > COUNTERPARTY_QUERY_LENGTH_MAX {
                    Err(error("counterparty", "at most 100 characters"))
                } else {
                    Ok(text.to_lowercase())
                }
            })
            .transpose()?;
        filter.amount_min = present(input.amount_min)
            .map(|text| amount(text, "amount_min"))
            .transpose()?;
        filter.amount_max = present(input.amount_max)
            .map(|text| amount(text, "amount_max"))
            .transpose()?;
        if let (Some(min), Some(max)) = (filter.amount_min, filter.amount_max)
            && min > max
        {
            return Err(error("amount_max", "the maximum is below the minimum"));
        }
        Ok(filter)
    }

    /// Whether a record passes: the reference meaning of the filter, which stores' SQL must match.
    pub fn matches(&self, record: &TransactionRecord) -> bool {
        let counterparty_matches = |query: &str| {
            record.counterparty.as_ref().is_some_and(|counterparty| {
                counterparty.id.to_lowercase() == query
                    || counterparty.label.to_lowercase().contains(query)
            })
        };
        self.from.is_none_or(|from| record.created_at >= from)
            && self.to.is_none_or(|to| record.created_at < to)
            && self.kind.is_none_or(|kind| record.kind == kind)
            && self.status.is_none_or(|status| record.status() == status)
            && self
                .currency
                .is_none_or(|currency| record.currency == currency)
            && self
                .counterparty
                .as_deref()
                .is_none_or(counterparty_matches)
            && self.amount_min.is_none_or(|min| record.amount >= min)
            && self.amount_max.is_none_or(|max| record.amount <= max)
    }
}
