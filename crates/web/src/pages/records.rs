//! The records pages: `/records` (filters, presets, search by id, paging, the CSV download),
//! `/records/{id}` (detail with the status timeline and, for a failure, its reason), the monthly
//! statement and the spending analysis with bar charts drawn as SVG by the server.

use super::display::filters;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::calendar::CivilDate;
use domain::records::{
    Category, Direction, FilterInput, RecordKind, TransactionFilter, TransactionRecord,
    TransactionStatus,
};
use domain::wallet::RecordPage;
use ledger::{Amount, Currency};
use serde::Deserialize;

use super::display::money_text;
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::session::PageSession;
use super::wallet::{RecordRow, wallet_of};
use crate::AppState;
use crate::api::wallet::{csv_export, statement_of, wallet_error};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{
    Locale, RecordsText, category_name, error_text, record_kind_name, record_status_name,
};
use crate::time::rfc3339_utc;

const PAGE_SIZE: u32 = 20;
const SPENDING_MONTHS_DEFAULT: u32 = 6;

/// The filters of API.md as the page's GET form sends them, plus search and paging.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct RecordsQuery {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    preset: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    counterparty: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
}

impl RecordsQuery {
    fn filter(
        &self,
        now: i64,
        offset: domain::calendar::UtcOffset,
    ) -> Result<TransactionFilter, ApiError> {
        TransactionFilter::parse(
            FilterInput {
                from: Some(self.from.as_str()),
                to: Some(self.to.as_str()),
                preset: Some(self.preset.as_str()),
                kind: Some(self.kind.as_str()),
                status: Some(self.status.as_str()),
                currency: Some(self.currency.as_str()),
                counterparty: Some(self.counterparty.as_str()),
                amount_min: None,
                amount_max: None,
            },
            now,
            offset,
        )
        .map_err(|e| wallet_error(e.into()))
    }

    /// The filters as a query string (without paging), for the CSV link and the next page.
    fn query_string(&self) -> String {
        let mut out = String::new();
        for (name, value) in [
            ("type", &self.kind),
            ("status", &self.status),
            ("currency", &self.currency),
            ("preset", &self.preset),
            ("from", &self.from),
            ("to", &self.to),
            ("counterparty", &self.counterparty),
        ] {
            if value.trim().is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('&');
            }
            let _ = write!(
                out,
                "{name}={}",
                super::session::percent_encode(value.trim())
            );
        }
        out
    }
}

struct FilterChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "records.html")]
struct RecordsPage {
    layout: Layout,
    title: &'static str,
    text: &'static RecordsText,
    query: RecordsQuery,
    kinds: Vec<FilterChoice>,
    statuses: Vec<FilterChoice>,
    currencies: Vec<&'static str>,
    presets: Vec<FilterChoice>,
    rows: Vec<RecordRow>,
    not_found: bool,
    error: Option<crate::i18n::ErrorText>,
    csv_href: String,
    next_href: Option<String>,
    is_later_page: bool,
    this_month: String,
}

pub(crate) async fn records(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<RecordsQuery>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let user_id = &session.user.id;
    let text = RecordsText::for_locale(locale);
    // A search by id goes straight to the record when it is theirs.
    let search = query.q.trim();
    let mut not_found = false;
    if !search.is_empty() {
        match wallet.record(user_id, search).await {
            Ok(record) => return Ok(see_other(&format!("/records/{}", record.id))),
            Err(error)
                if error.code() == "transaction_not_found"
                    || error.code() == "record_id_invalid" =>
            {
                not_found = true;
            }
            Err(error) => return Err(wallet_error(error)),
        }
    }
    let (rows, has_more, error) = match query.filter(wallet.now(), wallet.rules().offset) {
        Ok(filter) => {
            let after = Some(query.after.trim()).filter(|after| !after.is_empty());
            let mut records = wallet
                .records(
                    user_id,
                    &RecordPage {
                        filter,
                        after,
                        limit: PAGE_SIZE + 1,
                    },
                )
                .await
                .map_err(wallet_error)?;
            let has_more = records.len() > PAGE_SIZE as usize;
            records.truncate(PAGE_SIZE as usize);
            let rows: Vec<RecordRow> = records.iter().map(|r| RecordRow::of(r, locale)).collect();
            (rows, has_more, None)
        }
        Err(error) => (Vec::new(), false, Some(error)),
    };
    let filters = query.query_string();
    let next_href = has_more.then(|| {
        let last = rows.last().map(|row| row.id.as_str()).unwrap_or_default();
        if filters.is_empty() {
            format!("/records?after={last}")
        } else {
            format!("/records?{filters}&after={last}")
        }
    });
    let this_month = {
        let today = wallet.rules().offset.date_at(wallet.now());
        format!("{:04}-{:02}", today.year, today.month)
    };
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    let page = RecordsPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.title,
        text,
        kinds: RecordKind::ALL
            .iter()
            .map(|kind| FilterChoice {
                value: kind.code(),
                label: record_kind_name(*kind, locale),
            })
            .collect(),
        statuses: TransactionStatus::ALL
            .iter()
            .map(|status| FilterChoice {
                value: status.code(),
                label: record_status_name(*status, locale),
            })
            .collect(),
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        presets: vec![
            FilterChoice {
                value: "yesterday",
                label: text.preset_yesterday,
            },
            FilterChoice {
                value: "last_7_days",
                label: text.preset_last_7_days,
            },
            FilterChoice {
                value: "last_month",
                label: text.preset_last_month,
            },
        ],
        rows,
        not_found,
        error: error.as_ref().map(|e| error_text(e.code(), locale)),
        csv_href: if filters.is_empty() {
            "/records/export.csv".to_owned()
        } else {
            format!("/records/export.csv?{filters}")
        },
        next_href,
        is_later_page: !query.after.trim().is_empty(),
        this_month,
        query,
    };
    Ok(render_page(&page, status))
}

/// `GET /records/export.csv`: the same streamed CSV as the API, for the page's session.
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    session: PageSession,
    Query(query): Query<RecordsQuery>,
) -> Result<Response, ApiError> {
    let wallet = Arc::clone(wallet_of(&state)?);
    let filter = query.filter(wallet.now(), wallet.rules().offset)?;
    Ok(csv_export(wallet, session.user.id.clone(), filter))
}

// ---- /records/{id} ----

pub(crate) struct TimelineRow {
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) at: String,
    pub(crate) note: Option<String>,
}

pub(crate) struct Failure {
    pub(crate) code: String,
    pub(crate) message: Option<&'static str>,
    pub(crate) next_step: Option<&'static str>,
}

pub(crate) struct CounterpartyView {
    pub(crate) label: String,
    pub(crate) id: String,
    /// The other user's record of the same movement, when the counterparty is a user.
    pub(crate) other_side: Option<String>,
}

/// One record as its detail pages show it, the user's (`/records/{id}`) and staff's
/// (`/staff/users/{user}/transactions/{id}`); empty for a staff role that may not see it.
#[derive(Default)]
pub(crate) struct RecordView {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) kind: &'static str,
    pub(crate) kind_code: &'static str,
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) direction: &'static str,
    pub(crate) amount: String,
    pub(crate) fee: String,
    pub(crate) arrived: Option<String>,
    pub(crate) counterparty: Option<CounterpartyView>,
    pub(crate) note: Option<String>,
    pub(crate) category: &'static str,
    pub(crate) fee_schedule: Option<String>,
    pub(crate) quote_id: Option<String>,
    pub(crate) created_at: String,
    pub(crate) timeline: Vec<TimelineRow>,
    pub(crate) failure: Option<Failure>,
}

/// The view of `record` in `locale`; `other_side` is left for staff pages to link.
pub(crate) fn record_view(record: TransactionRecord, locale: Locale) -> RecordView {
    let records = RecordsText::for_locale(locale);
    let failure = record.failure_reason.as_ref().map(|reason| {
        let known = ErrorCode::from_code(reason.as_str()).map(|code| error_text(code, locale));
        Failure {
            code: reason.as_str().to_owned(),
            message: known.map(|t| t.message),
            next_step: known.map(|t| t.next_step),
        }
    });
    let counterparty = record.counterparty.as_ref().map(|c| CounterpartyView {
        label: c.label.clone(),
        id: c.id.clone(),
        other_side: None,
    });
    RecordView {
        kind: record_kind_name(record.kind, locale),
        kind_code: record.kind.code(),
        status: record_status_name(record.status(), locale),
        status_code: record.status().code(),
        direction: match record.direction {
            Direction::In => records.direction_in,
            Direction::Out => records.direction_out,
            Direction::Internal => records.direction_internal,
        },
        amount: money_text(record.amount, record.currency),
        fee: money_text(record.fee, record.currency),
        arrived: record
            .arrived
            .map(|(amount, currency)| money_text(amount, currency)),
        counterparty,
        note: record.note.clone(),
        category: category_name(record.category, locale),
        fee_schedule: record.fee_schedule_id.clone(),
        quote_id: record.quote_id.clone(),
        created_at: rfc3339_utc(record.created_at),
        timeline: record
            .timeline()
            .events()
            .iter()
            .map(|event| TimelineRow {
                status: record_status_name(event.status, locale),
                status_code: event.status.code(),
                at: rfc3339_utc(event.at),
                note: event.note.clone(),
            })
            .collect(),
        failure,
        user_id: record.user_id.clone(),
        id: record.id,
    }
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordDetailPage {
    layout: Layout,
    title: &'static str,
    text: &'static RecordsText,
    done: bool,
    record: RecordView,
}

#[derive(Deserialize)]
pub(crate) struct RecordQuery {
    done: Option<String>,
}

pub(crate) async fn record(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(id): Path<String>,
    Query(query): Query<RecordQuery>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let record = wallet
        .record(&session.user.id, &id)
        .await
        .map_err(wallet_error)?;
    let text = RecordsText::for_locale(locale);
    let page = RecordDetailPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.detail_title,
        text,
        done: query.done.is_some(),
        record: record_view(record, locale),
    };
    Ok(render_page(&page, StatusCode::OK))
}

// ---- /records/statement ----

struct TotalRow {
    currency: &'static str,
    money_in: String,
    money_out: String,
    fees: String,
    count: u64,
}

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    layout: Layout,
    title: &'static str,
    text: &'static RecordsText,
    month: String,
    from: String,
    to: String,
    totals: Vec<TotalRow>,
    rows: Vec<RecordRow>,
}

#[derive(Deserialize)]
pub(crate) struct StatementQuery {
    month: Option<String>,
}

fn amount_of(total: i128) -> Amount {
    Amount::from_minor(i64::try_from(total).unwrap_or(i64::MAX))
}

pub(crate) async fn statement(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<StatementQuery>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let refused = || {
        ApiError::new(ErrorCode::FilterInvalid)
            .with_param("month")
            .with_detail("problem", "expected YYYY-MM".to_owned())
    };
    let today = wallet.rules().offset.date_at(wallet.now());
    let month = query
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map_or_else(
            || format!("{:04}-{:02}", today.year, today.month),
            str::to_owned,
        );
    let (year, month_number) = month.split_once('-').ok_or_else(refused)?;
    let year: i32 = year.parse().map_err(|_| refused())?;
    let month_number: u32 = month_number.parse().map_err(|_| refused())?;
    let statement = statement_of(wallet, &session.user.id, year, month_number)
        .await?
        .ok_or_else(refused)?;
    let text = RecordsText::for_locale(locale);
    let page = StatementPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.statement_title,
        text,
        month: format!("{year:04}-{month_number:02}"),
        from: rfc3339_utc(statement.from),
        to: rfc3339_utc(statement.to),
        totals: statement
            .totals
            .iter()
            .map(|(currency, (money_in, money_out, fees, count))| TotalRow {
                currency: currency.code(),
                money_in: money_text(amount_of(*money_in), *currency),
                money_out: money_text(amount_of(*money_out), *currency),
                fees: money_text(amount_of(*fees), *currency),
                count: *count,
            })
            .collect(),
        rows: statement
            .records
            .iter()
            .map(|r| RecordRow::of(r, locale))
            .collect(),
    };
    Ok(render_page(&page, StatusCode::OK))
}

// ---- /records/spending ----

/// One bar of a chart: its label and value.
struct Bar {
    label: String,
    value: Amount,
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A vertical bar chart as SVG: one bar per entry, its value above it, its label below. Heights
/// are integer arithmetic on minor units, so the chart never needs floats for money.
fn column_chart(id: &str, label: &str, bars: &[Bar], currency: Currency) -> String {
    const WIDTH: i64 = 640;
    const HEIGHT: i64 = 260;
    const TOP: i64 = 24;
    const BOTTOM: i64 = 36;
    let plot = HEIGHT - TOP - BOTTOM;
    let max = bars
        .iter()
        .map(|b| b.value.minor())
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / (bars.len().max(1) as i64);
    let bar_width = (slot * 3 / 5).max(4);
    let mut svg = format!(
        r##"<svg id="{id}" class="chart" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet"><title>{}</title><line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#9aa5b1"/>"##,
        escape_xml(label),
        escape_xml(label),
        base = TOP + plot,
    );
    for (index, bar) in bars.iter().enumerate() {
        let height =
            i64::try_from(i128::from(bar.value.minor()) * i128::from(plot) / i128::from(max))
                .unwrap_or(plot);
        let x = index as i64 * slot + (slot - bar_width) / 2;
        let y = TOP + plot - height;
        let center = x + bar_width / 2;
        let value = bar.value.to_decimal_string(currency);
        let _ = write!(
            svg,
            r##"<g class="bar" data-label="{label}" data-value="{value}"><rect x="{x}" y="{y}" width="{bar_width}" height="{height}" fill="#1f6feb"/><text x="{center}" y="{ty}" text-anchor="middle" font-size="12" fill="#1f2933">{value}</text><text x="{center}" y="{ly}" text-anchor="middle" font-size="12" fill="#52606d">{label}</text></g>"##,
            label = escape_xml(&bar.label),
            ty = (y - 6).max(12),
            ly = TOP + plot + 22,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart as SVG: one row per entry, label left, value right of the bar.
fn row_chart(id: &str, label: &str, bars: &[Bar], currency: Currency) -> String {
    const WIDTH: i64 = 640;
    const ROW: i64 = 32;
    const LABEL: i64 = 150;
    const VALUE: i64 = 130;
    let height = ROW * bars.len().max(1) as i64 + 8;
    let plot = WIDTH - LABEL - VALUE;
    let max = bars
        .iter()
        .map(|b| b.value.minor())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMidYMid meet"><title>{}</title>"#,
        escape_xml(label),
        escape_xml(label),
    );
    for (index, bar) in bars.iter().enumerate() {
        let width =
            i64::try_from(i128::from(bar.value.minor()) * i128::from(plot) / i128::from(max))
                .unwrap_or(plot)
                .max(1);
        let y = index as i64 * ROW + 4;
        let value = bar.value.to_decimal_string(currency);
        let _ = write!(
            svg,
            r##"<g class="bar" data-label="{label}" data-value="{value}"><text x="{tx}" y="{ty}" text-anchor="end" font-size="13" fill="#1f2933">{label}</text><rect x="{LABEL}" y="{y}" width="{width}" height="{bh}" fill="#2da44e"/><text x="{vx}" y="{ty}" font-size="13" fill="#1f2933">{value}</text></g>"##,
            label = escape_xml(&bar.label),
            tx = LABEL - 8,
            ty = y + ROW / 2 + 2,
            bh = ROW - 10,
            vx = LABEL + width + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Template)]
#[template(path = "spending.html")]
struct SpendingPage {
    layout: Layout,
    title: &'static str,
    text: &'static RecordsText,
    months: u32,
    month_choices: Vec<u32>,
    currency: &'static str,
    currencies: Vec<&'static str>,
    empty: bool,
    by_month_svg: String,
    by_category_svg: String,
}

#[derive(Deserialize)]
pub(crate) struct SpendingQuery {
    months: Option<String>,
    currency: Option<String>,
}

pub(crate) async fn spending(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<SpendingQuery>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let months = match query
        .months
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => SPENDING_MONTHS_DEFAULT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|months| (1..=24).contains(months))
            .ok_or_else(|| ApiError::invalid_request("months"))?,
    };
    let offset = wallet.rules().offset;
    let this_month = offset.date_at(wallet.now()).first_of_month();
    let first = this_month.add_months(1 - months as i32);
    let from = offset.start_of(first);
    let to = offset.start_of(this_month.add_months(1));
    let totals = wallet
        .spending(&session.user.id, from, to)
        .await
        .map_err(wallet_error)?;
    let mut by_currency: BTreeMap<Currency, i128> = BTreeMap::new();
    for ((_, currency, _), amount) in totals.totals() {
        *by_currency.entry(currency).or_default() += i128::from(amount.minor());
    }
    let currency = match query
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Currency::parse(code)
            .map_err(|_| ApiError::new(ErrorCode::UnknownCurrency).with_param("currency"))?,
        // The currency most was spent in, by count of minor units within one currency only.
        None => by_currency
            .iter()
            .max_by_key(|(_, total)| **total)
            .map_or(Currency::Cny, |(currency, _)| *currency),
    };
    let mut per_month: BTreeMap<CivilDate, i64> = BTreeMap::new();
    let mut month = first;
    for _ in 0..months {
        per_month.insert(month, 0);
        month = month.add_months(1);
    }
    let mut per_category: BTreeMap<Category, i64> = BTreeMap::new();
    for ((month, spent_in, category), amount) in totals.totals() {
        if spent_in != currency {
            continue;
        }
        let slot = per_month.entry(month).or_default();
        *slot = slot.saturating_add(amount.minor());
        let slot = per_category.entry(category).or_default();
        *slot = slot.saturating_add(amount.minor());
    }
    let text = RecordsText::for_locale(locale);
    let month_bars: Vec<Bar> = per_month
        .iter()
        .map(|(month, minor)| Bar {
            label: format!("{:04}-{:02}", month.year, month.month),
            value: Amount::from_minor(*minor),
        })
        .collect();
    let mut category_bars: Vec<Bar> = per_category
        .iter()
        .filter(|(_, minor)| **minor > 0)
        .map(|(category, minor)| Bar {
            label: category_name(*category, locale).to_owned(),
            value: Amount::from_minor(*minor),
        })
        .collect();
    category_bars.sort_by_key(|bar| std::cmp::Reverse(bar.value.minor()));
    let page = SpendingPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.spending_title,
        text,
        months,
        month_choices: vec![3, 6, 12, 24],
        currency: currency.code(),
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        empty: category_bars.is_empty(),
        by_month_svg: column_chart(
            "chart-by-month",
            &format!("{} ({})", text.chart_by_month_label, currency.code()),
            &month_bars,
            currency,
        ),
        by_category_svg: row_chart(
            "chart-by-category",
            &format!("{} ({})", text.chart_by_category_label, currency.code()),
            &category_bars,
            currency,
        ),
    };
    Ok(render_page(&page, StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_chart_scales_bars_to_the_largest_and_escapes_labels() {
        let bars = [
            Bar {
                label: "a<b".into(),
                value: Amount::from_minor(5_000),
            },
            Bar {
                label: "2026-11".into(),
                value: Amount::from_minor(10_000),
            },
        ];
        let svg = column_chart("c", "spending & more", &bars, Currency::Cny);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("a&lt;b") && svg.contains("spending &amp; more"));
        assert!(svg.contains(r#"data-value="100.00""#));
        // The largest bar fills the plot (200 high), the other half of it.
        assert!(svg.contains(r#"height="200""#) && svg.contains(r#"height="100""#));
    }

    #[test]
    fn a_row_chart_has_one_row_per_category_even_when_all_are_zero() {
        let bars = [Bar {
            label: "Fees".into(),
            value: Amount::ZERO,
        }];
        let svg = row_chart("r", "by category", &bars, Currency::Jpy);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 1);
        assert!(svg.contains(r#"data-value="0""#));
    }
}
