//! The stylesheet and the one small script, compiled into the binary and served with a long cache life.

use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

pub(crate) const STYLESHEET_PATH: &str = "/assets/app.css";

const STYLESHEET: &str = include_str!("../../assets/app.css");

/// Changes whenever the stylesheet does, so pages can link to `app.css?v=<version>` and let
/// browsers keep the file for a year: a new build links to a new URL.
const STYLESHEET_VERSION: u64 = fnv1a_64(STYLESHEET.as_bytes());

/// The address pages link the stylesheet under.
pub(crate) fn stylesheet_href() -> String {
    format!("{STYLESHEET_PATH}?v={STYLESHEET_VERSION:016x}")
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLESHEET,
    )
}

pub(crate) const PASSWORD_STRENGTH_SCRIPT_PATH: &str = "/assets/password-strength.js";

const PASSWORD_STRENGTH_SCRIPT: &str = include_str!("../../assets/password-strength.js");

const PASSWORD_STRENGTH_SCRIPT_VERSION: u64 = fnv1a_64(PASSWORD_STRENGTH_SCRIPT.as_bytes());

/// The address pages load the sign-up page's strength hint from, versioned like the stylesheet.
pub(crate) fn password_strength_script_href() -> String {
    format!("{PASSWORD_STRENGTH_SCRIPT_PATH}?v={PASSWORD_STRENGTH_SCRIPT_VERSION:016x}")
}

pub(crate) async fn password_strength_script() -> impl IntoResponse {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        PASSWORD_STRENGTH_SCRIPT,
    )
}

/// FNV-1a: a few lines, computable at compile time, and plenty to tell two stylesheets apart.
const fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut index = 0;
    while index < bytes.len() {
        hash ^= bytes[index] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        index += 1;
    }
    hash
}
