//! `POST /api/v1/auth/password-strength`: zxcvbn's estimate and the policy's verdict, in words,
//! for the sign-up page's hint.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::weak_password;
use crate::error::ApiError;
use crate::i18n::{Locale, error_text, strength_suggestion_text, strength_warning_text};
use crate::json::ApiJson;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordStrengthRequest {
    #[schema(format = Password, write_only)]
    pub password: String,
    /// The address being registered: a password containing it is refused and scores lower.
    #[schema(example = "li.lei@example.com")]
    pub login: Option<String>,
}

/// A hint, not a verdict: registration checks the policy again.
#[derive(Serialize, ToSchema)]
pub struct PasswordStrengthResponse {
    /// 0 (guessable in about a thousand tries) to 4 (more than ten billion).
    #[schema(minimum = 0, maximum = 4)]
    pub score: u8,
    /// Whether registration would accept it.
    pub acceptable: bool,
    /// Why registration would refuse it, in the request's language.
    pub refusal: Option<StrengthMessage>,
    pub warning: Option<StrengthMessage>,
    pub suggestions: Vec<StrengthMessage>,
}

/// A stable code and its words in the request's language.
#[derive(Serialize, ToSchema)]
pub struct StrengthMessage {
    #[schema(example = "use_a_few_words")]
    pub code: String,
    pub message: String,
}

/// How hard a password would be to guess, and how to make it harder. Nothing is stored or logged.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-strength",
    tag = "accounts",
    request_body = PasswordStrengthRequest,
    responses(
        (status = 200, description = "The estimate", body = PasswordStrengthResponse),
        (status = 400, description = "`invalid_request`", body = crate::error_body::ErrorBody),
    )
)]
pub(crate) async fn password_strength(
    State(state): State<AppState>,
    locale: Locale,
    ApiJson(body): ApiJson<PasswordStrengthRequest>,
) -> Result<Json<PasswordStrengthResponse>, ApiError> {
    let personal: Vec<&str> = body.login.as_deref().map(str::trim).into_iter().collect();
    let (strength, verdict) = state.accounts.password_strength(&body.password, &personal);
    let refusal = verdict.err().map(|refusal| {
        let code = weak_password(&refusal).code();
        StrengthMessage {
            code: code.as_str().to_owned(),
            message: error_text(code, locale).message.to_owned(),
        }
    });
    Ok(Json(PasswordStrengthResponse {
        score: strength.score,
        acceptable: refusal.is_none(),
        refusal,
        warning: strength.warning.map(|warning| StrengthMessage {
            code: warning.code().to_owned(),
            message: strength_warning_text(warning, locale).to_owned(),
        }),
        suggestions: strength
            .suggestions
            .into_iter()
            .map(|suggestion| StrengthMessage {
                code: suggestion.code().to_owned(),
                message: strength_suggestion_text(suggestion, locale).to_owned(),
            })
            .collect(),
    }))
}
