//! One of a user's transactions as staff read it (`/staff/users/{user}/transactions/{id}`):
//! amount, kind, status, timeline, failure reason with what the user was told, and the
//! counterparties, linked from the agent console's ticket and customer panel; for roles that
//! answer users about their money, every look written to the audit log.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use domain::records::TransactionRecord;
use domain::staff::StaffPermission;
use serde::Deserialize;

use super::display::filters;
use super::layout::Layout;
use super::records::{RecordView, record_view};
use super::render_page;
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::staff_page::staff_page;
use super::wallet::wallet_of;
use crate::AppState;
use crate::api::wallet::wallet_error;
use crate::error::ApiError;
use crate::i18n::{Locale, RecordsText, StaffRecordText};

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

/// The shared view of the record, with the other user's side of a transfer linked.
fn staff_record_view(record: TransactionRecord, locale: Locale) -> RecordView {
    let mut view = record_view(record, locale);
    if let Some(counterparty) = view.counterparty.as_mut()
        && counterparty.id.starts_with("usr_")
    {
        counterparty.other_side = Some(staff_record_path(&counterparty.id, &view.id));
    }
    view
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
            Ok(staff_record_view(record, locale))
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
