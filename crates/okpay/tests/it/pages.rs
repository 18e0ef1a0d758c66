//! The sign-up, sign-in and account pages over real HTTP, with cookies and CSRF tokens as a
//! browser carries them, on both databases.

use domain::notify::OutboxStore;

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app};

const PASSWORD: &str = "plum-orbit-canyon-17";

/// The cookies a browser holds for the app, and what it sends.
#[derive(Default)]
pub(crate) struct Jar(Vec<(String, String)>);

impl Jar {
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Sets a cookie as if the server had (a staff session made by a test, say).
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.0.retain(|(known, _)| known != name);
        self.0.push((name.to_owned(), value.to_owned()));
    }

    /// Keeps the response's cookies and returns their `Set-Cookie` lines.
    fn keep(&mut self, response: &reqwest::Response) -> Vec<String> {
        let mut lines = Vec::new();
        for value in response.headers().get_all("set-cookie") {
            let line = value.to_str().expect("text").to_owned();
            let pair = line.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            self.0.retain(|(known, _)| known != name);
            if !value.is_empty() {
                self.0.push((name.to_owned(), value.to_owned()));
            }
            lines.push(line);
        }
        lines
    }
}

pub(crate) struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

pub(crate) async fn get(app: &TestApp, jar: &mut Jar, path: &str) -> Page {
    let response = app
        .client
        .get(app.url(path))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", jar.header())
        .send()
        .await
        .expect("answered");
    read(jar, response).await
}

pub(crate) async fn post(app: &TestApp, jar: &mut Jar, path: &str, form: &[(&str, &str)]) -> Page {
    let response = app
        .client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", jar.header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode_form(form))
        .send()
        .await
        .expect("answered");
    read(jar, response).await
}

fn encode_form(form: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| {
                if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    (byte as char).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            })
            .collect()
    };
    form.iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn read(jar: &mut Jar, response: reqwest::Response) -> Page {
    let set_cookies = jar.keep(&response);
    Page {
        status: response.status().as_u16(),
        location: response
            .headers()
            .get("location")
            .map(|value| value.to_str().expect("text").to_owned()),
        set_cookies,
        body: response.text().await.expect("a body"),
    }
}

pub(crate) fn csrf_token(page: &Page) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.body.find(marker).expect("a form with a CSRF token") + marker.len();
    page.body[start..start + 64].to_owned()
}

async fn code_sent_to(app: &TestApp, recipient: &str) -> String {
    let messages = app
        .running
        .store
        .recent_messages(20)
        .await
        .expect("the outbox is readable");
    let message = messages
        .iter()
        .find(|message| message.recipient == recipient)
        .expect("a message was sent");
    message
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

/// Registers and confirms `email` through the pages.
async fn register_and_confirm(app: &TestApp, jar: &mut Jar, email: &str) {
    let form = get(app, jar, "/register").await;
    assert!(
        form.set_cookies
            .iter()
            .any(|cookie| cookie.starts_with("okpay_csrf=") && cookie.contains("HttpOnly")),
        "{:?}",
        form.set_cookies
    );
    let token = csrf_token(&form);
    let registered = post(
        app,
        jar,
        "/register",
        &[
            ("csrf_token", &token),
            ("login", email),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(registered.status, 303, "{}", registered.body);
    let verify_path = registered.location.expect("a redirect");
    let verify_page = get(app, jar, &verify_path).await;
    let code = code_sent_to(app, email).await;
    let confirmed = post(
        app,
        jar,
        "/verify",
        &[
            ("csrf_token", &csrf_token(&verify_page)),
            ("login", email),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
}

on_both_databases!(
    a_person_signs_up_confirms_signs_in_sees_their_account_and_signs_out_in_a_browser
);
async fn a_person_signs_up_confirms_signs_in_sees_their_account_and_signs_out_in_a_browser(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut jar = Jar::default();
    register_and_confirm(&app, &mut jar, "mei@example.com").await;

    let account = get(&app, &mut jar, "/account").await;
    assert_eq!(account.status, 303);
    let login_path = account.location.expect("sent to sign in");
    assert_eq!(login_path, "/login?next=/account");
    let login_page = get(&app, &mut jar, &login_path).await;
    let signed_in = post(
        &app,
        &mut jar,
        "/login",
        &[
            ("csrf_token", &csrf_token(&login_page)),
            ("login", "mei@example.com"),
            ("password", PASSWORD),
            ("next", "/account"),
        ],
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location.as_deref(), Some("/account"));
    let session_cookie = signed_in
        .set_cookies
        .iter()
        .find(|cookie| cookie.starts_with("okpay_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session_cookie.contains(flag), "{session_cookie}");
    }
    assert!(
        !session_cookie.contains("Secure"),
        "plain HTTP on loopback cannot carry a Secure cookie"
    );

    let account = get(&app, &mut jar, "/account").await;
    assert_eq!(account.status, 200);
    assert!(account.body.contains("mei@example.com"));
    assert!(account.body.contains("Confirmed and in use"));

    // The cookie's token is the API's session token too.
    let token = jar
        .0
        .iter()
        .find(|(name, _)| name == "okpay_session")
        .map(|(_, value)| value.clone())
        .expect("kept");
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(me.status(), 200);

    let forged = post(&app, &mut jar, "/logout", &[("csrf_token", "00")]).await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("csrf_token_invalid"));
    let signed_out = post(
        &app,
        &mut jar,
        "/logout",
        &[("csrf_token", &csrf_token(&account))],
    )
    .await;
    assert_eq!(signed_out.status, 303);
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(me.status(), 401, "signing out on the page ends the session");
    assert_eq!(get(&app, &mut jar, "/account").await.status, 303);
    app.stop().await;
}

on_both_databases!(the_login_page_explains_a_lock_and_until_when);
async fn the_login_page_explains_a_lock_and_until_when(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut jar = Jar::default();
    register_and_confirm(&app, &mut jar, "lei@example.com").await;
    let token = csrf_token(&get(&app, &mut jar, "/login").await);
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            post(
                &app,
                &mut jar,
                "/login",
                &[
                    ("csrf_token", &token),
                    ("login", "lei@example.com"),
                    ("password", "wrong-password-here"),
                ],
            )
            .await,
        );
    }
    let locked = last.expect("six attempts");
    assert_eq!(locked.status, 423, "{}", locked.body);
    for phrase in [
        "Sign-in to this account is locked for now",
        "entered wrong 5 times within 15 minutes",
        "(UTC+8), about 15 minutes from now",
        "href=\"/password-reset\"",
        "href=\"/help\"",
    ] {
        assert!(locked.body.contains(phrase), "{phrase}: {}", locked.body);
    }
    app.stop().await;
}

on_both_databases!(a_new_code_is_sent_at_most_once_a_minute_and_only_to_a_waiting_address);
async fn a_new_code_is_sent_at_most_once_a_minute_and_only_to_a_waiting_address(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut jar = Jar::default();
    let form = get(&app, &mut jar, "/register").await;
    let token = csrf_token(&form);
    post(
        &app,
        &mut jar,
        "/register",
        &[
            ("csrf_token", &token),
            ("login", "ann@example.com"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let count = |app: &TestApp| {
        let store = app.running.store.clone();
        async move { store.recent_messages(50).await.expect("readable").len() }
    };
    let before = count(&app).await;
    for login in ["ann@example.com", "nobody@example.com"] {
        let resent = post(
            &app,
            &mut jar,
            "/verify/resend",
            &[("csrf_token", &token), ("login", login)],
        )
        .await;
        assert_eq!(resent.status, 200);
        assert!(
            resent
                .body
                .contains("If this address is waiting to be confirmed")
        );
    }
    assert_eq!(
        count(&app).await,
        before,
        "a code a moment old is kept, and unknown addresses get nothing"
    );
    app.stop().await;
}
