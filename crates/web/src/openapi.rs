//! The OpenAPI 3 document of the public API, generated from the handlers and types themselves.

use std::sync::LazyLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorCode;
use crate::error_body::ErrorBody;
use crate::money::MoneyInput;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OKPay API",
        description = "The public API of OKPay, a self-hostable multi-currency e-wallet with \
            its customer-service center built in. JSON in and out; money is `{\"amount\": <integer minor units>, \
            \"currency\": \"CNY\"}`; messages follow `Accept-Language` (zh-CN or en)."
    ),
    paths(
        crate::api::ops::healthz,
        crate::api::ops::readyz,
        crate::api::ops::metrics,
        crate::api::currencies::list_currencies,
        crate::api::auth::register,
        crate::api::auth::verify,
        crate::api::auth::login,
        crate::api::auth::logout,
        crate::api::auth::me,
        crate::api::password_strength::password_strength,
        crate::api::security::request_password_reset,
        crate::api::security::confirm_password_reset,
        crate::api::security::change_password,
        crate::api::security::request_address_change,
        crate::api::security::confirm_address_change,
        crate::api::security::totp_setup,
        crate::api::security::totp_enable,
        crate::api::security::totp_disable,
        crate::api::security::security_overview,
        crate::api::security::step_up,
        crate::api::security::sessions,
        crate::api::security::revoke_session,
        crate::api::security::logins,
        crate::api::security::freeze,
        crate::api::security::not_me_preview,
        crate::api::security::not_me_confirm,
        crate::api::messages::list,
        crate::api::messages::unread_count,
        crate::api::messages::mark_read,
        crate::api::messages::mark_all_read,
        crate::api::staff::setup_start,
        crate::api::staff::setup_finish,
        crate::api::staff::login,
        crate::api::staff::logout,
        crate::api::staff::find_user,
        crate::api::staff::user_status,
        crate::api::staff::unlock,
        crate::api::staff::unfreeze,
        crate::api::support::contact_channels,
        crate::api::support::official_check,
        crate::api::support::report_scam,
        crate::api::support::announcements,
        crate::api::support::status,
        crate::api::community::list_questions,
        crate::api::community::ask,
        crate::api::community::thread,
        crate::api::community::answer,
        crate::api::community::accept,
        crate::api::community::vote,
        crate::api::community::report,
        crate::api::support_staff::list_announcements,
        crate::api::support_staff::create_announcement,
        crate::api::support_staff::update_announcement,
        crate::api::support_staff::announcement_history,
        crate::api::support_staff::list_channels,
        crate::api::support_staff::put_channel,
        crate::api::support_staff::delete_channel,
        crate::api::support_staff::list_reports,
        crate::api::support_staff::review_report,
        crate::api::support_staff::hide_post,
        crate::api::support_staff::lock_question,
        crate::api::support_staff::set_badge,
        crate::api::staff_community::list_reported_posts,
        crate::api::staff_community::resolve_reports,
        crate::api::help::list_categories,
        crate::api::help::list_articles,
        crate::api::help::get_article,
        crate::api::help::search_articles,
        crate::api::openapi_document,
        crate::api::wallet::balances,
        crate::api::wallet::add_card,
        crate::api::wallet::cards,
        crate::api::wallet::remove_card,
        crate::api::wallet::add_bank_account,
        crate::api::wallet::bank_accounts,
        crate::api::wallet::remove_bank_account,
        crate::api::wallet::create_quote,
        crate::api::wallet::top_up,
        crate::api::wallet::transfer,
        crate::api::wallet::withdraw,
        crate::api::wallet::withdrawal,
        crate::api::wallet::exchange,
        crate::api::wallet::remit,
        crate::api::wallet::limits,
        crate::api::wallet::fx_rates,
        crate::api::wallet::transactions,
        crate::api::wallet::transaction,
        crate::api::wallet::export_csv,
        crate::api::wallet::statement,
        crate::api::wallet::spending,
        crate::api::kyc::status,
        crate::api::kyc::submit,
        crate::api::kyc::queue,
        crate::api::kyc::approve,
        crate::api::kyc::reject,
        crate::api::kyc::document,
        crate::api::staff_admin::outbox,
        crate::api::staff_admin::fx_rates,
        crate::api::staff_admin::fx_history,
        crate::api::staff_admin::set_fx_rate,
        crate::api::staff_admin::fee_schedules,
        crate::api::staff_admin::publish_fee_schedule,
        crate::api::staff_admin::articles,
        crate::api::staff_admin::article,
        crate::api::staff_admin::save_article,
        crate::api::staff_admin::preview,
        crate::api::staff_wallet::queue,
        crate::api::staff_wallet::approve,
        crate::api::staff_wallet::reject,
        crate::api::staff_wallet::switch_rail,
    ),
    components(schemas(ErrorBody, MoneyInput)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "currencies", description = "The currencies OKPay holds"),
        (name = "accounts", description = "Sign-up, sign-in, sessions and the signed-in account"),
        (name = "security", description = "Two-factor sign-in, step-up, sessions, login history, freeze"),
        (name = "messages", description = "The message center"),
        (name = "staff", description = "The back office: staff sign-in and the security team's tools"),
        (name = "community", description = "The user community: questions, answers, votes, accepted answers, reports"),
        (name = "support", description = "Contact channels, the official-channel check and scam reports, announcements and service status"),
        (name = "wallet", description = "Balances, cards, bank accounts, quotes, top-ups, transfers, \
            withdrawals, exchanges, remittances, limits and transaction records. Every POST that \
            moves money takes `Idempotency-Key`."),
        (name = "help", description = "The help center: categories, articles and search"),
        (name = "kyc", description = "Identity verification: documents for a higher tier"),
    )
)]
struct OkPayApi;

/// Declares `Authorization: Bearer <token>`, the session token of `POST /api/v1/auth/login`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Built once: the document never changes while the process runs.
pub(crate) static OPENAPI_JSON: LazyLock<String> = LazyLock::new(build_openapi_json);

/// The OpenAPI 3 document as pretty JSON.
pub fn openapi_json() -> String {
    OPENAPI_JSON.clone()
}

fn build_openapi_json() -> String {
    let mut document = OkPayApi::openapi();
    // The error codes are part of the contract; listing them from `ErrorCode::ALL` keeps the
    // document from missing one.
    let description = document.info.description.take().unwrap_or_default();
    document.info.description = Some(format!(
        "{description}\n\nEvery error answers `{{\"error\": {{\"code\", \"message\", \"next_step\", \
         \"param\", \"request_id\"}}}}`. The codes, with their HTTP status: {}.",
        documented_error_codes()
    ));
    document
        .to_pretty_json()
        .expect("an OpenAPI document of plain maps and strings always serializes")
}

fn documented_error_codes() -> String {
    ErrorCode::ALL
        .iter()
        .map(|code| format!("`{code}` ({})", code.status().as_u16()))
        .collect::<Vec<_>>()
        .join(", ")
}
