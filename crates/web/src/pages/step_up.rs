//! The step-up screens on `/security`: turning two-factor sign-in off and changing the password,
//! e-mail or phone ask for a fresh second factor bound to that one change, then make it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::identity::{StartStepUpError, StepUpAction, StepUpStart};
use domain::notify::Channel;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::layout::Layout;
use super::render_page;
use super::security::NoFields;
use super::session::PageSession;
use crate::AppState;
use crate::api::auth::{address_of, store_error, unix_now, weak_password};
use crate::api::security::{
    address_change_error, code_refusal, second_factor_error, step_up_error, totp_error,
};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{ErrorText, Locale, StepUpText, error_text};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/security/step-up/{change}",
            get(step_up_form).post(step_up_submit),
        )
        .route("/security/step-up/{change}/send", post(step_up_send))
        .route("/security/address/confirm", post(address_confirm))
}

/// The sensitive changes a page can make, each bound to its own step-up action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    TotpDisable,
    Password,
    Email,
    Phone,
}

impl Change {
    fn parse(slug: &str) -> Option<Change> {
        match slug {
            "totp-disable" => Some(Change::TotpDisable),
            "password" => Some(Change::Password),
            "email" => Some(Change::Email),
            "phone" => Some(Change::Phone),
            _ => None,
        }
    }

    const fn slug(self) -> &'static str {
        match self {
            Change::TotpDisable => "totp-disable",
            Change::Password => "password",
            Change::Email => "email",
            Change::Phone => "phone",
        }
    }

    const fn action(self) -> StepUpAction {
        match self {
            Change::TotpDisable => StepUpAction::DisableTotp,
            Change::Password => StepUpAction::ChangePassword,
            Change::Email => StepUpAction::ChangeEmail,
            Change::Phone => StepUpAction::ChangePhone,
        }
    }

    fn heading(self, text: &'static StepUpText) -> &'static str {
        match self {
            Change::TotpDisable => text.heading_totp_disable,
            Change::Password => text.heading_password,
            Change::Email => text.heading_email,
            Change::Phone => text.heading_phone,
        }
    }

    fn submit(self, text: &'static StepUpText) -> &'static str {
        match self {
            Change::TotpDisable => text.submit_totp_disable,
            Change::Password => text.submit_password,
            Change::Email | Change::Phone => text.submit_address,
        }
    }
}

/// Which screen of the flow the page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The second factor (and the change's own fields).
    Ask,
    /// The code sent to the new address.
    ConfirmAddress,
    /// Finished.
    Done,
}

#[derive(Template)]
#[template(path = "step_up.html")]
struct StepUpPage {
    layout: Layout,
    title: &'static str,
    text: &'static StepUpText,
    csrf_token: String,
    slug: &'static str,
    heading: &'static str,
    submit: &'static str,
    stage: Stage,
    /// The account has TOTP: the page asks for its code; else for a code we send.
    totp_enabled: bool,
    /// Where the code went, once sent, in words…
    sent_to: Option<&'static str>,
    /// …and as the channel's name, sent back with the form.
    sent_code: &'static str,
    /// `email` or `tel`, for the new address's input.
    address_input_type: &'static str,
    needs_password: bool,
    /// `email` or `phone` for an address change.
    address_field: Option<&'static str>,
    address_label: &'static str,
    address: String,
    done: Option<&'static str>,
    error: Option<ErrorText>,
}

struct View {
    stage: Stage,
    sent_to: Option<Channel>,
    address: String,
    error: Option<ApiError>,
}

impl View {
    fn ask() -> View {
        View {
            stage: Stage::Ask,
            sent_to: None,
            address: String::new(),
            error: None,
        }
    }

    fn failed(error: ApiError, address: String, sent_to: Option<Channel>) -> View {
        View {
            stage: Stage::Ask,
            sent_to,
            address,
            error: Some(error),
        }
    }
}

async fn page(
    state: &AppState,
    locale: Locale,
    session: &PageSession,
    change: Change,
    view: View,
) -> Response {
    let text = StepUpText::for_locale(locale);
    let totp_enabled = match state.security.totp_enabled(&session.user.id).await {
        Ok(enabled) => enabled,
        Err(error) => return store_error(&error).into_response(),
    };
    let status = view.error.as_ref().map_or(StatusCode::OK, ApiError::status);
    let done = (view.stage == Stage::Done).then_some(match change {
        Change::TotpDisable => text.done_totp_disable,
        Change::Password => text.done_password,
        Change::Email | Change::Phone => text.done_address,
    });
    render_page(
        &StepUpPage {
            layout: Layout::for_session(locale, Some(session)),
            title: text.title,
            text,
            csrf_token: session.csrf_token.clone(),
            slug: change.slug(),
            heading: change.heading(text),
            submit: change.submit(text),
            stage: view.stage,
            totp_enabled,
            sent_to: view.sent_to.map(|channel| match channel {
                Channel::Email => text.sent_email,
                Channel::Sms => text.sent_sms,
            }),
            sent_code: view.sent_to.map_or("", Channel::name),
            address_input_type: if change == Change::Phone {
                "tel"
            } else {
                "email"
            },
            needs_password: change == Change::Password,
            address_field: match change {
                Change::Email => Some("email"),
                Change::Phone => Some("phone"),
                _ => None,
            },
            address_label: match change {
                Change::Phone => text.new_phone_label,
                _ => text.new_email_label,
            },
            address: view.address,
            done,
            error: view
                .error
                .as_ref()
                .map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

fn change_of(slug: &str) -> Result<Change, ApiError> {
    Change::parse(slug).ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

async fn step_up_form(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let change = change_of(&slug)?;
    Ok(page(&state, locale, &session, change, View::ask()).await)
}

/// For accounts without TOTP: sends the code the step-up asks for.
async fn step_up_send(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(slug): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    let change = change_of(&slug)?;
    let view = match state
        .security
        .start_step_up(&session.user.id, change.action(), None, unix_now())
        .await
    {
        Ok(StepUpStart::CodeSent { channel }) => View {
            sent_to: Some(channel),
            ..View::ask()
        },
        // An account with TOTP is asked for its code instead; nothing was sent.
        Ok(StepUpStart::Granted { .. }) => View::ask(),
        Err(error) => View::failed(start_error(error), String::new(), None),
    };
    Ok(page(&state, locale, &session, change, view).await)
}

fn start_error(error: StartStepUpError) -> ApiError {
    match error {
        StartStepUpError::SecondFactor(error) => second_factor_error(error),
        StartStepUpError::Code(refusal) => code_refusal(refusal),
        StartStepUpError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
        StartStepUpError::NoAccount => ApiError::new(ErrorCode::NotSignedIn),
        StartStepUpError::Store(error) => store_error(&error),
    }
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    /// Set when the code was sent by e-mail or SMS, so a wrong code keeps saying where.
    #[serde(default)]
    sent: String,
}

/// Checks the change's own fields before the second factor is spent on it, so a weak password
/// or a malformed address does not use up a TOTP step.
fn precheck(state: &AppState, change: Change, form: &ChangeForm) -> Result<String, ApiError> {
    match change {
        Change::TotpDisable => Ok(String::new()),
        Change::Password => {
            let (_, verdict) = state.accounts.password_strength(&form.new_password, &[]);
            verdict
                .map(|()| String::new())
                .map_err(|refusal| weak_password(&refusal).with_param("new_password"))
        }
        Change::Email => address_of(Some(form.email.trim()), None).map(|(address, _)| address),
        Change::Phone => address_of(None, Some(form.phone.trim())).map(|(address, _)| address),
    }
}

async fn step_up_submit(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, ApiError> {
    let change = change_of(&slug)?;
    let sent_to = Channel::parse(&form.sent);
    let typed_address = match change {
        Change::Phone => form.phone.trim().to_owned(),
        _ => form.email.trim().to_owned(),
    };
    let address = match precheck(&state, change, &form) {
        Ok(address) => address,
        Err(error) => {
            let view = View::failed(error, typed_address, sent_to);
            return Ok(page(&state, locale, &session, change, view).await);
        }
    };
    let code = form.code.trim();
    if code.is_empty() {
        let view = View::failed(ApiError::invalid_request("code"), typed_address, sent_to);
        return Ok(page(&state, locale, &session, change, view).await);
    }
    let now = unix_now();
    let user_id = &session.user.id;
    let token = match state
        .security
        .start_step_up(user_id, change.action(), Some(code), now)
        .await
    {
        Ok(StepUpStart::Granted { token, .. }) => token,
        Ok(StepUpStart::CodeSent { channel }) => {
            let view = View {
                sent_to: Some(channel),
                address: typed_address,
                ..View::ask()
            };
            return Ok(page(&state, locale, &session, change, view).await);
        }
        Err(error) => {
            let view = View::failed(start_error(error), typed_address, sent_to);
            return Ok(page(&state, locale, &session, change, view).await);
        }
    };
    let done = match change {
        Change::TotpDisable => state
            .security
            .totp_disable(user_id, &session.session_id, Some(&token), now)
            .await
            .map(|()| Stage::Done)
            .map_err(totp_error),
        Change::Password => state
            .security
            .change_password(
                user_id,
                &session.session_id,
                &form.new_password,
                Some(&token),
                now,
            )
            .await
            .map(|()| Stage::Done)
            .map_err(|error| match error {
                domain::identity::ChangePasswordError::StepUp(error) => step_up_error(error),
                domain::identity::ChangePasswordError::WeakPassword(refusal) => {
                    weak_password(&refusal).with_param("new_password")
                }
                domain::identity::ChangePasswordError::Hashing => {
                    ApiError::internal(&"the password could not be hashed")
                }
                domain::identity::ChangePasswordError::Store(error) => store_error(&error),
            }),
        Change::Email | Change::Phone => state
            .security
            .request_address_change(user_id, &address, Some(&token), now)
            .await
            .map(|_| Stage::ConfirmAddress)
            .map_err(|error| address_change_error(error, change.address_param())),
    };
    let view = match done {
        Ok(stage) => View {
            stage,
            sent_to: None,
            address,
            error: None,
        },
        Err(error) => View::failed(error, typed_address, None),
    };
    Ok(page(&state, locale, &session, change, view).await)
}

impl Change {
    const fn address_param(self) -> &'static str {
        match self {
            Change::Phone => "phone",
            _ => "email",
        }
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
}

/// Finishes an address change with the code sent to the new address.
async fn address_confirm(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Response {
    let (change, typed) = if form.phone.trim().is_empty() {
        (Change::Email, form.email.trim().to_owned())
    } else {
        (Change::Phone, form.phone.trim().to_owned())
    };
    let address = match change {
        Change::Phone => address_of(None, Some(&typed)),
        _ => address_of(Some(&typed), None),
    };
    let result = match address {
        Ok((address, param)) => state
            .security
            .confirm_address_change(&session.user.id, &address, form.code.trim(), unix_now())
            .await
            .map_err(|error| address_change_error(error, param)),
        Err(error) => Err(error),
    };
    let view = match result {
        Ok(()) => View {
            stage: Stage::Done,
            sent_to: None,
            address: typed,
            error: None,
        },
        Err(error) => View {
            stage: Stage::ConfirmAddress,
            sent_to: None,
            address: typed,
            error: Some(error),
        },
    };
    page(&state, locale, &session, change, view).await
}
