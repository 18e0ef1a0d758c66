//! One of a user's transactions as staff read it (`/staff/users/{user}/transactions/{id}`):
//! amount, kind, status, timeline, failure reason with what the user was told, and the
//! counterparties, linked from the agent console's ticket and customer panel; for roles that
//! answer users about their money, every look written to the audit log.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use domain::records::{Direction, TransactionRecord};
use domain::staff::StaffPermission;
use serde::Deserialize;

use super::display::{filters, money_text};
use super::layout::Layout;
use super::render_page;
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::staff_page::staff_page;
use super::wallet::wallet_of;
use crate::AppState;
use crate::api::wallet::wallet_error;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{
    Locale, RecordsText, StaffRecordText, category_name, error_text, record_kind_name,
    record_status_name,
};
use crate::time::rfc3339_utc;

staff_page!(StaffRecordPage);

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/staff/users/{user_id}/transactions/{id}",
        get(staff_record),
    )
}

/// The path of `user_id`'s record `id` on this page.
pub(crate) fn staff_record_path(user_id: &str, id: &str) -> String {
    format!("/staff/users/{user_id}/transactions/{id}")
}

struct TimelineRow {
    status: &'static str,
    status_code: &'static str,
    at: String,
    note: Option<String>,
}

struct Failure {
    code: String,
    message: Option<&'static str>,
    next_step: Option<&'static str>,
}

struct CounterpartyView {
    label: String,
    id: String,
    /// The other user's record of the same movement, when the counterparty is a user.
    other_side: Option<String>,
}

/// What the page shows; empty for a role that may not see it.
#[derive(Default)]
struct RecordView {
    id: String,
    user_id: String,
    kind: &'static str,
    kind_code: &'static str,
    status: &'static str,
    status_code: &'static str,
    direction: &'static str,
    amount: String,
    fee: String,
    arrived: Option<String>,
    counterparty: Option<CounterpartyView>,
    note: Option<String>,
    category: &'static str,
    fee_schedule: Option<String>,
    quote_id: Option<String>,
    created_at: String,
    timeline: Vec<TimelineRow>,
    failure: Option<Failure>,
}

#[derive(Template)]
#[template(path = "staff_record.html")]
struct StaffRecordPage {
    layout: Layout,
    title: &'static str,
    frame: StaffFrame,
    text: &'static StaffRecordText,
    records: &'static RecordsText,
    /// The ticket the agent came from, for the way back.
    ticket: Option<String>,
    record: RecordView,
}

#[derive(Deserialize)]
pub(crate) struct StaffRecordQuery {
    ticket: Option<String>,
}

/// An id as our ids are written (`tkt_…`): anything else is dropped rather than put in a link.
fn plain_id(text: &str) -> Option<String> {
    let plain = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    plain.then(|| text.to_owned())
}

fn record_view(record: TransactionRecord, locale: Locale) -> RecordView {
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
        other_side: c
            .id
            .starts_with("usr_")
            .then(|| staff_record_path(&c.id, &record.id)),
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

/// `GET /staff/users/{user_id}/transactions/{id}`: 403 with the staff frame for a role that may
/// not read transactions, 404 `transaction_not_found` for a record the user does not have.
pub(crate) async fn staff_record(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path((user_id, id)): Path<(String, String)>,
    Query(query): Query<StaffRecordQuery>,
) -> Result<Response, ApiError> {
    let frame = StaffFrame::new(
        locale,
        &staff,
        StaffPermission::ViewUserTransactions,
        None,
        None,
    );
    let record = frame
        .load(async {
            let wallet = wallet_of(&state)?;
            let record = wallet
                .staff_record(&staff.staff_id, &user_id, &id)
                .await
                .map_err(wallet_error)?;
            Ok(record_view(record, locale))
        })
        .await?;
    let text = StaffRecordText::for_locale(locale);
    let status = frame.status(None);
    Ok(render_page(
        &StaffRecordPage {
            layout: Layout::for_staff(locale, &staff),
            title: text.title,
            frame,
            text,
            records: RecordsText::for_locale(locale),
            ticket: query.ticket.as_deref().and_then(plain_id),
            record,
        },
        status,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_go_into_the_way_back() {
        assert_eq!(plain_id("tkt_0193abc"), Some("tkt_0193abc".to_owned()));
        assert_eq!(plain_id(""), None);
        assert_eq!(plain_id("x\" onclick=\"y"), None);
        assert_eq!(plain_id("../../admin"), None);
        assert_eq!(plain_id(&"a".repeat(65)), None);
    }
}
