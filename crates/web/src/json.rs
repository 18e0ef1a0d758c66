//! `ApiJson<T>`, the JSON body extractor whose every refusal is an `ApiError` naming the field at fault.

use std::fmt;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_path_to_error::{Path, Segment};

use crate::error::{ApiError, ErrorCode};

/// A request body parsed from JSON. Refusals: 415 `unsupported_media_type` without a JSON
/// content type, 413 `body_too_large` past the body limit, 400 `malformed_json` for broken
/// syntax, and 400 `invalid_request` (or the code a field chose, see [`FieldRefusal`]) with
/// `param` naming the field for a missing field or a wrong value.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !declares_json(request.headers()) {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(refusal_of_unreadable_body)?;
        parse_json(&body).map(ApiJson)
    }
}

/// Like [`ApiJson`], keeping the body's bytes too: money-moving requests hash them to tell a
/// retry (same bytes) from a different request under the same `Idempotency-Key`.
#[derive(Debug)]
pub struct ApiJsonWithBytes<T>(pub T, pub Bytes);

impl<T, S> FromRequest<S> for ApiJsonWithBytes<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !declares_json(request.headers()) {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(refusal_of_unreadable_body)?;
        let value = parse_json(&body)?;
        Ok(ApiJsonWithBytes(value, body))
    }
}

/// How a field's own deserializer chooses the code the client sees instead of `invalid_request`
/// (e.g. `invalid_amount`). A serde error carries nothing but a message, so the code and the
/// field travel at the start of it: `invalid_amount: amount: must be a whole number`. The field
/// is named because a `#[serde(flatten)]`ed field is parsed outside serde_path_to_error's sight.
#[derive(Clone, Copy, Debug)]
pub struct FieldRefusal {
    pub code: ErrorCode,
    pub field: &'static str,
    /// For the server log and for non-HTTP callers; clients see the localized catalog text.
    pub reason: &'static str,
}

impl FieldRefusal {
    pub fn into_serde_error<E: serde::de::Error>(self) -> E {
        E::custom(self)
    }

    /// The code and field of a message this type wrote.
    fn read(message: &str) -> Option<(ErrorCode, &str)> {
        let (code, rest) = message.split_once(": ")?;
        let (field, _) = rest.split_once(": ")?;
        Some((ErrorCode::from_code(code)?, field))
    }
}

impl fmt::Display for FieldRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.code, self.field, self.reason)
    }
}

/// `application/json` or any `application/*+json`, with or without parameters such as charset.
fn declares_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

fn refusal_of_unreadable_body(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::BodyTooLarge)
    } else {
        // The client went away or sent a broken chunked body; nothing of ours failed.
        tracing::debug!(%rejection, "request body could not be read");
        ApiError::new(ErrorCode::InvalidRequest)
    }
}

/// Parses a whole body as one JSON value of type `T`, tracking the path to any bad field.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(refusal_of_json)?;
    // Anything after the value, as in `{}{}`, is as malformed as a missing brace.
    deserializer
        .end()
        .map_err(|_| ApiError::new(ErrorCode::MalformedJson))?;
    Ok(value)
}

fn refusal_of_json(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    match error.inner().classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(ErrorCode::MalformedJson),
        Category::Data => refusal_of_bad_field(error.path(), &error.inner().to_string()),
    }
}

fn refusal_of_bad_field(path: &Path, message: &str) -> ApiError {
    let (code, field) = match FieldRefusal::read(message) {
        Some((code, field)) => (code, Some(field)),
        None => (ErrorCode::InvalidRequest, field_named_in(message)),
    };
    // The path stops one level short of the field when the struct around it reports the error
    // (a missing or unknown field) or when the field was flattened into that struct.
    let path_ends_at_field = matches!(
        path.iter().next_back(),
        Some(Segment::Map { key }) if Some(key.as_str()) == field
    );
    let mut segments = Vec::new();
    if path.iter().next().is_some() {
        segments.push(path.to_string());
    }
    if let Some(field) = field
        && !path_ends_at_field
    {
        segments.push(field.to_owned());
    }
    if segments.is_empty() {
        ApiError::new(code)
    } else {
        ApiError::new(code).with_param(segments.join("."))
    }
}

/// The field in serde's "missing field `x`" and "unknown field `x`, expected …" messages.
fn field_named_in(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split_once('`').map(|(field, _)| field)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // Fields exist to be parsed, not read.
    struct Order {
        note: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        quantity: u32,
    }

    fn refusal(body: &str) -> ApiError {
        parse_json::<Order>(body.as_bytes()).expect_err("the body should be refused")
    }

    #[test]
    fn broken_syntax_trailing_data_and_an_empty_body_are_malformed_json() {
        for body in [
            r#"{"note": "#,
            r#"{"note": "a", "items": []} {}"#,
            "",
            "nope",
        ] {
            assert_eq!(refusal(body).code(), ErrorCode::MalformedJson, "{body:?}");
        }
    }

    #[test]
    fn a_wrong_type_names_the_field_by_its_path() {
        let error = refusal(r#"{"note": "a", "items": [{"quantity": 1}, {"quantity": "two"}]}"#);
        assert_eq!(error.code(), ErrorCode::InvalidRequest);
        assert_eq!(error.param(), Some("items[1].quantity"));
    }

    #[test]
    fn a_missing_field_is_named_even_when_nested() {
        assert_eq!(refusal(r#"{"items": []}"#).param(), Some("note"));
        assert_eq!(
            refusal(r#"{"note": "a", "items": [{}]}"#).param(),
            Some("items[0].quantity")
        );
    }

    #[test]
    fn an_unknown_field_is_named() {
        let error = refusal(r#"{"note": "a", "items": [], "tip": 1}"#);
        assert_eq!(error.code(), ErrorCode::InvalidRequest);
        assert_eq!(error.param(), Some("tip"));
    }

    #[test]
    fn json_content_types_are_recognised_with_parameters_and_suffixes() {
        let declares = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, value.parse().expect("test header"));
            declares_json(&headers)
        };
        assert!(declares("application/json"));
        assert!(declares("Application/JSON; charset=utf-8"));
        assert!(declares("application/merge-patch+json"));
        assert!(!declares("text/plain"));
        assert!(!declares("application/x-www-form-urlencoded"));
        assert!(!declares_json(&HeaderMap::new()));
    }
}
