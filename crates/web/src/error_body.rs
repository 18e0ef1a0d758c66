//! The JSON shape of every error response, shared by the renderer and the OpenAPI document.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::support::{AnnouncementView, unix_now};
use crate::error::ApiError;
use crate::i18n::{Locale, error_text};

/// `{"error": {...}}`: the body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

/// What went wrong, in words for the user and a code for programs. Some codes carry more
/// fields: `account_locked` has `locked_until` (RFC 3339, UTC) and `reason`
/// (`too_many_failures`); `password_too_short` has `length_min` and `password_too_long`
/// `length_max`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorObject {
    /// Stable machine code; match on this, never on `message`.
    #[schema(value_type = String, example = "insufficient_funds")]
    pub code: &'static str,
    /// What happened, in the request's language (zh-CN or en).
    #[schema(value_type = String)]
    pub message: &'static str,
    /// What the user can do about it, in the request's language.
    #[schema(value_type = String)]
    pub next_step: &'static str,
    /// The request field at fault, e.g. `amount` or `items[0].currency`; null when none is.
    #[schema(required = true, example = "amount")]
    pub param: Option<String>,
    /// Quote this to support; the server log holds the details under it.
    #[schema(required = true, example = "req_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub request_id: Option<String>,
    /// The maintenance or incident notice that explains this failure, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announcement: Option<AnnouncementView>,
    /// Extra fields some codes carry; see [`ErrorObject`].
    #[serde(flatten)]
    #[schema(ignore)]
    pub details: BTreeMap<&'static str, String>,
}

impl ErrorBody {
    pub fn new(error: &ApiError, locale: Locale, request_id: Option<&str>) -> Self {
        let text = error_text(error.code(), locale);
        ErrorBody {
            error: ErrorObject {
                code: error.code().as_str(),
                message: text.message,
                next_step: text.next_step,
                param: error.param().map(str::to_owned),
                request_id: request_id.map(str::to_owned),
                announcement: error
                    .announcement()
                    .map(|notice| AnnouncementView::of(notice, locale, unix_now())),
                details: error
                    .details()
                    .iter()
                    .map(|(key, value)| (*key, value.clone()))
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::support::{Announcement, NoticeKind, Service, Severity};

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_failure_explained_by_a_notice_carries_it_in_the_clients_language() {
        let notice = Announcement {
            id: "ann_1".into(),
            kind: NoticeKind::Maintenance,
            severity: Severity::Outage,
            title_zh_cn: "银行卡充值系统维护".into(),
            title_en: "Card top-up maintenance".into(),
            body_zh_cn: "暂停银行卡充值。".into(),
            body_en: "Card top-ups are paused.".into(),
            starts_at: 0,
            ends_at: Some(i64::MAX / 2),
            services: vec![Service::CardTopup],
            withdrawn: false,
            version: 1,
            edited_by: "stf_admin".into(),
            edited_at: 0,
            created_at: 0,
        };
        let error = ApiError::new(ErrorCode::InternalError).with_announcement(Some(notice));
        let body = serde_json::to_value(ErrorBody::new(&error, Locale::ZhCn, Some("req_1")))
            .expect("serializes");
        assert_eq!(body["error"]["announcement"]["title"], "银行卡充值系统维护");
        assert_eq!(body["error"]["announcement"]["state"], "active");
        assert_eq!(
            body["error"]["announcement"]["services"],
            serde_json::json!(["card_topup"])
        );
        let plain = ApiError::new(ErrorCode::InternalError).with_announcement(None);
        let body = serde_json::to_value(ErrorBody::new(&plain, Locale::En, None)).expect("JSON");
        assert!(body["error"].get("announcement").is_none());
    }
}
