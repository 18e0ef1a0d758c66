//! The one error type of the HTTP face: a stable machine code, an HTTP status and the field at fault.

use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::support::Announcement;

use crate::error_body::ErrorBody;
use crate::i18n::Locale;

/// Declares every error code once: its variant, the string clients match on, and its HTTP status.
/// Adding a line here is the whole of adding a code, apart from its text in `i18n::errors`, which
/// the compiler then asks for.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $status:ident;)*) => {
        /// A stable, documented reason a request failed. Clients match on [`ErrorCode::as_str`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order they are declared; the OpenAPI document and tests walk it.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The machine code, e.g. `insufficient_funds`. Never changes once published.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status every response with this code carries.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }

            /// The code whose machine string is `code`, if there is one.
            pub fn from_code(code: &str) -> Option<ErrorCode> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    /// No route or resource answers to this path.
    NotFound => "not_found", NOT_FOUND;
    /// The path exists but not with this HTTP method.
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED;
    /// The body is not syntactically valid JSON.
    MalformedJson => "malformed_json", BAD_REQUEST;
    /// A field is missing or has the wrong type or value; `param` names it.
    InvalidRequest => "invalid_request", BAD_REQUEST;
    /// The body is not declared as `application/json`.
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE;
    /// The body is larger than the server accepts.
    BodyTooLarge => "body_too_large", PAYLOAD_TOO_LARGE;
    /// An amount is not a positive whole number of minor units within the allowed range.
    InvalidAmount => "invalid_amount", BAD_REQUEST;
    /// A currency code OKPay does not hold.
    UnknownCurrency => "unknown_currency", BAD_REQUEST;
    /// The database does not answer; the request may succeed later.
    DatabaseUnavailable => "database_unavailable", SERVICE_UNAVAILABLE;
    /// Something failed on our side; the cause is in the server log under the request id.
    InternalError => "internal_error", INTERNAL_SERVER_ERROR;
    /// Too many requests; `Retry-After` says when to try again.
    RateLimited => "rate_limited", TOO_MANY_REQUESTS;
    /// The `Idempotency-Key` was already used with a different request body.
    IdempotencyKeyReused => "idempotency_key_reused", UNPROCESSABLE_ENTITY;
    /// The wallet's available balance does not cover the amount.
    InsufficientFunds => "insufficient_funds", UNPROCESSABLE_ENTITY;
    /// The e-mail address or phone number is not one we can use; `param` names the field.
    InvalidLogin => "invalid_login", BAD_REQUEST;
    /// The new password is shorter than the policy's minimum.
    PasswordTooShort => "password_too_short", BAD_REQUEST;
    /// The new password is longer than the policy's maximum.
    PasswordTooLong => "password_too_long", BAD_REQUEST;
    /// The new password is common or easy to guess.
    PasswordTooCommon => "password_too_common", BAD_REQUEST;
    /// The new password contains the account's e-mail address or phone number.
    PasswordContainsPersonalInfo => "password_contains_personal_info", BAD_REQUEST;
    /// The one-time code is wrong; more attempts remain.
    CodeWrong => "code_wrong", BAD_REQUEST;
    /// The one-time code has expired.
    CodeExpired => "code_expired", BAD_REQUEST;
    /// Too many wrong codes were tried; the code no longer works.
    CodeAttemptsExhausted => "code_attempts_exhausted", BAD_REQUEST;
    /// No one-time code is waiting for this address.
    NoCodePending => "no_code_pending", BAD_REQUEST;
    /// The sign-in address or password is wrong (which one is never said).
    InvalidCredentials => "invalid_credentials", UNAUTHORIZED;
    /// Sign-in is locked for a while; the error carries `locked_until` and `reason`.
    AccountLocked => "account_locked", LOCKED;
    /// The account is frozen: no sign-in and no money out.
    AccountFrozen => "account_frozen", FORBIDDEN;
    /// The address has not been confirmed with its code yet.
    AddressNotVerified => "address_not_verified", FORBIDDEN;
    /// No valid session token: `Authorization: Bearer <token>` is missing, unknown or expired.
    NotSignedIn => "not_signed_in", UNAUTHORIZED;
    // --- webinfra (pages) ---
    /// A page form arrived without this browser's CSRF token: it expired, or came from elsewhere.
    CsrfTokenInvalid => "csrf_token_invalid", FORBIDDEN;
    // --- identity: second factor, step-up, freezes, staff ---
    /// The password was right; the account has two-factor sign-in: send `totp_code` too.
    TotpRequired => "totp_required", UNAUTHORIZED;
    /// The TOTP or recovery code is wrong, or was already used.
    TotpInvalid => "totp_invalid", UNAUTHORIZED;
    /// Two-factor sign-in is already on.
    TotpAlreadyEnabled => "totp_already_enabled", CONFLICT;
    /// Two-factor sign-in is not on (or its set-up was not started).
    TotpNotEnabled => "totp_not_enabled", CONFLICT;
    /// This action needs a fresh second factor: get a step-up token for the action named in
    /// `action` and send it as `X-Step-Up-Token`.
    StepUpRequired => "step_up_required", FORBIDDEN;
    /// The step-up token is unknown, expired, used, or for another action or account.
    StepUpInvalid => "step_up_invalid", FORBIDDEN;
    /// The link is unknown, used or expired.
    LinkInvalid => "link_invalid", NOT_FOUND;
    /// The staff member's role does not allow this.
    StaffRoleForbidden => "staff_role_forbidden", FORBIDDEN;
    /// A staff member's name must have 1 to 64 characters and no control characters.
    StaffNameInvalid => "staff_name_invalid", BAD_REQUEST;
    /// No staff member with that id.
    StaffMemberNotFound => "staff_member_not_found", NOT_FOUND;
    /// A staff action needs a written reason of at least 5 characters.
    ReasonRequired => "reason_required", BAD_REQUEST;
    /// The new e-mail address or phone number belongs to another account.
    AddressTaken => "address_taken", CONFLICT;
    /// The account is not frozen, so there is nothing to unfreeze.
    AccountNotFrozen => "account_not_frozen", CONFLICT;
    // --- support ---
    /// The official-channel check got an empty or over-long value, or one that is not a phone
    /// number, e-mail address, web address or account name; `param` is `value`.
    InvalidCheckValue => "invalid_check_value", BAD_REQUEST;
    /// A scam report's note is longer than 1,000 characters.
    ReportNoteTooLong => "report_note_too_long", BAD_REQUEST;
    /// The value reported as a scam is one of OKPay's own official channels.
    OfficialChannelNotReportable => "official_channel_not_reportable", UNPROCESSABLE_ENTITY;
    /// Someone saved the announcement since this edit began; reload it and edit again.
    AnnouncementVersionConflict => "announcement_version_conflict", CONFLICT;
    /// The community question is locked by a moderator: no new answers or votes.
    CommunityQuestionLocked => "community_question_locked", CONFLICT;
    /// Only the person who asked the question may accept an answer.
    CommunityNotAuthor => "community_not_author", FORBIDDEN;
    /// Nobody votes on their own question or answer.
    CommunityOwnPost => "community_own_post", FORBIDDEN;
    /// Another staff member resolved this post's reports first: none is open now.
    CommunityReportsResolved => "community_reports_resolved", CONFLICT;
    // --- tickets ---
    /// A ticket or reply carries more than 5 attachments.
    TooManyAttachments => "too_many_attachments", BAD_REQUEST;
    /// An attachment is larger than 10 MB.
    AttachmentTooLarge => "attachment_too_large", PAYLOAD_TOO_LARGE;
    /// An attachment's content is not a PNG, JPEG or PDF file, whatever its name says.
    AttachmentTypeRefused => "attachment_type_refused", UNSUPPORTED_MEDIA_TYPE;
    /// A ticket is rated once it is solved, not before.
    TicketNotSolved => "ticket_not_solved", CONFLICT;
    /// The ticket already has its rating.
    TicketAlreadyRated => "ticket_already_rated", CONFLICT;
    // --- wallet ---
    /// A fee schedule version is not valid; `param` names the rule at fault.
    FeeRulesInvalid => "fee_rules_invalid", BAD_REQUEST;
    /// The card number is not a valid card number (Luhn check, length).
    CardNumberInvalid => "card_number_invalid", BAD_REQUEST;
    /// The card's network is not one OKPay accepts.
    CardBrandUnsupported => "card_brand_unsupported", BAD_REQUEST;
    /// The expiry month or year is not a valid date.
    CardExpiryInvalid => "card_expiry_invalid", BAD_REQUEST;
    /// The card has expired (when added, or as its bank says when charged).
    CardExpired => "card_expired", PAYMENT_REQUIRED;
    /// The security code has the wrong number of digits for the card.
    CardCvcInvalid => "card_cvc_invalid", BAD_REQUEST;
    /// The holder's name is empty, too long or has control characters.
    HolderNameInvalid => "holder_name_invalid", BAD_REQUEST;
    /// The card's bank declined the charge without a reason.
    CardDeclined => "card_declined", PAYMENT_REQUIRED;
    /// The amount is over the card's own limit at its bank.
    CardLimitExceeded => "card_limit_exceeded", PAYMENT_REQUIRED;
    /// The processor no longer knows this saved card.
    CardTokenUnknown => "card_token_unknown", UNPROCESSABLE_ENTITY;
    /// The card processor or bank rail cannot be reached now; nothing was charged.
    ProcessorUnavailable => "processor_unavailable", SERVICE_UNAVAILABLE;
    /// The bank's name is empty or too long.
    BankNameInvalid => "bank_name_invalid", BAD_REQUEST;
    /// The account number is neither a valid IBAN nor a valid Chinese bank account number.
    BankAccountNumberInvalid => "bank_account_number_invalid", BAD_REQUEST;
    /// The bank account holds another currency than the withdrawal's.
    BankAccountCurrencyMismatch => "bank_account_currency_mismatch", BAD_REQUEST;
    /// The receiving bank did not answer in time; the payout is retried.
    BankTimeout => "bank_timeout", BAD_GATEWAY;
    /// The receiving bank says the account is closed.
    BankAccountClosed => "bank_account_closed", UNPROCESSABLE_ENTITY;
    /// The receiving bank does not know the account or its holder.
    BankAccountInvalid => "bank_account_invalid", UNPROCESSABLE_ENTITY;
    /// The amount is below the smallest allowed (a withdrawal's minimum, or it converts to nothing).
    AmountBelowMinimum => "amount_below_minimum", BAD_REQUEST;
    /// The fee would take the whole amount.
    AmountDoesNotCoverFee => "amount_does_not_cover_fee", BAD_REQUEST;
    /// The converted amount is larger than any amount OKPay moves.
    AmountTooLarge => "amount_too_large", BAD_REQUEST;
    /// An exchange or remittance needs a target currency other than the one sent.
    TargetCurrencyRequired => "target_currency_required", BAD_REQUEST;
    /// Only an exchange or remittance arrives in another currency.
    TargetCurrencyNotAllowed => "target_currency_not_allowed", BAD_REQUEST;
    /// The quote's time ran out; rates may have moved.
    QuoteExpired => "quote_expired", CONFLICT;
    /// The request differs from what was quoted; `param` names the field.
    QuoteMismatch => "quote_mismatch", CONFLICT;
    /// No quote with that id belongs to this user.
    QuoteNotFound => "quote_not_found", NOT_FOUND;
    /// An exchange needs two different currencies.
    CurrencyPairInvalid => "currency_pair_invalid", BAD_REQUEST;
    /// A rate must be a decimal above zero with at most 8 places.
    FxRateInvalid => "fx_rate_invalid", BAD_REQUEST;
    /// No rate is set between these currencies.
    FxRateUnavailable => "fx_rate_unavailable", UNPROCESSABLE_ENTITY;
    /// The rate is too old to quote; an admin must update it.
    FxRateStale => "fx_rate_stale", SERVICE_UNAVAILABLE;
    /// Over a daily or monthly limit; the error carries `limit_kind`, `period`, `limit`, `left` and `next_tier`.
    LimitExceeded => "limit_exceeded", UNPROCESSABLE_ENTITY;
    /// The amount must be above zero and within the allowed range.
    AmountInvalid => "amount_invalid", BAD_REQUEST;
    /// Money cannot move from a wallet to itself.
    SameWallet => "same_wallet", BAD_REQUEST;
    /// No OKPay user has that e-mail address, phone number or user id.
    RecipientNotFound => "recipient_not_found", NOT_FOUND;
    /// No such user.
    UserNotFound => "user_not_found", NOT_FOUND;
    /// A note has at most 200 characters and no control characters.
    NoteInvalid => "note_invalid", BAD_REQUEST;
    /// A records filter is wrong; `param` names it.
    FilterInvalid => "filter_invalid", BAD_REQUEST;
    /// No saved card with that id.
    CardNotFound => "card_not_found", NOT_FOUND;
    /// No saved bank account with that id.
    BankAccountNotFound => "bank_account_not_found", NOT_FOUND;
    /// No transaction with that id in your records.
    TransactionNotFound => "transaction_not_found", NOT_FOUND;
    /// No withdrawal with that id.
    WithdrawalNotFound => "withdrawal_not_found", NOT_FOUND;
    /// The withdrawal was already reviewed.
    WithdrawalNotReviewable => "withdrawal_not_reviewable", CONFLICT;
    /// Finance rejected the withdrawal; the reason is in its timeline.
    WithdrawalRejected => "withdrawal_rejected", UNPROCESSABLE_ENTITY;
    /// The account is restricted: no money may leave it.
    AccountRestricted => "account_restricted", FORBIDDEN;
    /// The Idempotency-Key header must have 1 to 200 visible ASCII characters.
    InvalidIdempotencyKey => "invalid_idempotency_key", BAD_REQUEST;
    /// A copy of a keyed top-up sent to another process at the same time made the top-up; this
    /// copy's record credited nothing (a failed record's reason).
    DuplicateRequest => "duplicate_request", CONFLICT;
    /// A top-up interrupted before the card was charged, failed by the reconcile job: nothing
    /// was taken and nothing arrived (a failed record's reason).
    TopUpNotCharged => "topup_not_charged", CONFLICT;
    // --- live chat and appeals ---
    /// The chat has ended; nothing more can be sent in it.
    ChatClosed => "chat_closed", CONFLICT;
    /// The account is neither locked nor frozen: there is nothing to appeal.
    AppealNotNeeded => "appeal_not_needed", CONFLICT;
    /// The account already has an appeal waiting for review.
    AppealAlreadyOpen => "appeal_already_open", CONFLICT;
    /// The appeal was already approved or rejected.
    AppealAlreadyDecided => "appeal_already_decided", CONFLICT;
    // --- identity verification (KYC) ---
    /// A verification request came without any document.
    KycDocumentsMissing => "kyc_documents_missing", BAD_REQUEST;
    /// More than 3 documents in one request.
    KycTooManyDocuments => "kyc_too_many_documents", BAD_REQUEST;
    /// A document is larger than 5 MB.
    KycDocumentTooLarge => "kyc_document_too_large", PAYLOAD_TOO_LARGE;
    /// A document's content is not a JPEG, PNG or PDF file, whatever its name says.
    KycDocumentTypeRefused => "kyc_document_type_refused", UNSUPPORTED_MEDIA_TYPE;
    /// The tier asked for is not above the account's tier now.
    KycTierNotHigher => "kyc_tier_not_higher", CONFLICT;
    /// A verification request is already waiting for review.
    KycAlreadyPending => "kyc_already_pending", CONFLICT;
    /// The request was already approved or rejected.
    KycAlreadyDecided => "kyc_already_decided", CONFLICT;
    // --- the admins' editors ---
    /// A fee schedule version with this id was already published.
    FeeScheduleIdTaken => "fee_schedule_id_taken", CONFLICT;
    /// Someone saved the help article since this edit began; reload it and edit again.
    HelpArticleVersionConflict => "help_article_version_conflict", CONFLICT;
    /// The help article is not valid; `param` names the part at fault.
    HelpArticleInvalid => "help_article_invalid", BAD_REQUEST;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed request, as handlers and extractors return it.
///
/// It carries no text: the response is rendered in the client's language by the error-rendering
/// middleware, which also adds the request id, so handlers never need to know the locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    code: ErrorCode,
    param: Option<String>,
    retry_after_s: Option<u64>,
    /// Extra machine-readable fields of the error object, e.g. `locked_until`; in insertion order.
    details: Vec<(&'static str, String)>,
    /// The maintenance or incident notice that explains the failure, rendered as the error's
    /// `announcement` in the client's language.
    announcement: Option<Box<Announcement>>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            param: None,
            retry_after_s: None,
            details: Vec::new(),
            announcement: None,
        }
    }

    /// Attaches the notice that explains this failure, e.g. a top-up refused while card
    /// top-ups are under maintenance. Find it with the domain's `announcement_explaining`
    /// (`SupportApi::announcement_explaining(Service::CardTopup, now)`); the body then carries
    /// `"announcement": {id, kind, severity, title, body, starts_at, ends_at, services, …}`.
    pub fn with_announcement(mut self, announcement: Option<Announcement>) -> Self {
        self.announcement = announcement.map(Box::new);
        self
    }

    /// The notice attached with [`ApiError::with_announcement`].
    pub fn announcement(&self) -> Option<&Announcement> {
        self.announcement.as_deref()
    }

    /// Adds a field to the rendered `error` object beside `code` and `message`, e.g.
    /// `locked_until`. A second value for the same key replaces the first. The key must not be
    /// one of the fixed fields (`code`, `message`, `next_step`, `param`, `request_id`).
    pub fn with_detail(mut self, key: &'static str, value: String) -> Self {
        debug_assert!(
            !["code", "message", "next_step", "param", "request_id"].contains(&key),
            "{key} is a fixed field of the error object"
        );
        match self.details.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.details.push((key, value)),
        }
        self
    }

    /// Names the request field at fault, e.g. `amount` or `items[0].currency`.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// A field is missing or wrong.
    pub fn invalid_request(param: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidRequest).with_param(param)
    }

    /// Too many requests; the response tells the client how long to wait.
    pub fn rate_limited(retry_after_s: u64) -> Self {
        ApiError {
            retry_after_s: Some(retry_after_s),
            ..ApiError::new(ErrorCode::RateLimited)
        }
    }

    /// A failure on our side. The cause goes to the log (inside the request's span, so it carries
    /// the request id); the client only learns that something went wrong.
    pub fn internal(cause: &dyn fmt::Display) -> Self {
        tracing::error!(%cause, "request failed with an internal error");
        ApiError::new(ErrorCode::InternalError)
    }

    /// The database does not answer. Logged like [`ApiError::internal`].
    pub fn database_unavailable(cause: &dyn fmt::Display) -> Self {
        tracing::error!(%cause, "database unavailable");
        ApiError::new(ErrorCode::DatabaseUnavailable)
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// The extra fields added with [`ApiError::with_detail`], in the order they were added.
    pub fn details(&self) -> &[(&'static str, String)] {
        &self.details
    }

    /// The error a bare error status stands for, for responses that did not come from an
    /// `ApiError` (a layer's own 413, axum's own rejections), so that every error has our shape.
    pub(crate) fn for_bare_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            StatusCode::SERVICE_UNAVAILABLE => ErrorCode::DatabaseUnavailable,
            status if status.is_client_error() => ErrorCode::InvalidRequest,
            _ => ErrorCode::InternalError,
        };
        ApiError::new(code)
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.param {
            Some(param) => write!(f, "{} (param {param})", self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    /// Renders an English body without a request id, which the error-rendering middleware
    /// replaces; the body only shows when a route is served without the app's layers.
    fn into_response(self) -> Response {
        let body = ErrorBody::new(&self, Locale::En, None);
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(retry_after_s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
        }
        if self.code == ErrorCode::NotSignedIn {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_string() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn every_code_is_snake_case_and_an_error_status() {
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{text}"
            );
            assert!(
                code.status().is_client_error() || code.status().is_server_error(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_detail_added_twice_keeps_the_last_value() {
        let error = ApiError::new(ErrorCode::AccountLocked)
            .with_detail("reason", "a".to_owned())
            .with_detail("locked_until", "b".to_owned())
            .with_detail("reason", "c".to_owned());
        assert_eq!(
            error.details(),
            &[("reason", "c".to_owned()), ("locked_until", "b".to_owned())]
        );
    }

    #[test]
    fn a_rate_limited_error_says_when_to_retry() {
        let response = ApiError::rate_limited(30).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "30");
    }
}
