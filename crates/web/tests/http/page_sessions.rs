//! Page sessions and CSRF: the session cookie's flags, redirects to sign in, refused forms, and
//! the sign-up, sign-in and account pages in both languages.

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;

use crate::fake_accounts::{EMAIL, LOCKED, PASSWORD, PENDING, TOKEN};
use crate::support::{Answer, BROWSER_ACCEPT, app, request, send};

/// A browser: the cookies it was given and the CSRF token of the last form it saw.
struct Browser {
    router: Router,
    cookies: Vec<(String, String)>,
    language: &'static str,
}

impl Browser {
    fn new(language: &'static str) -> Browser {
        Browser {
            router: app(),
            cookies: Vec::new(),
            language,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, answer: &Answer) {
        for value in answer.headers.get_all("set-cookie") {
            let cookie = value.to_str().expect("text");
            let (pair, _) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            self.cookies.retain(|(known, _)| known != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let request = request("GET", path)
            .header("accept", BROWSER_ACCEPT)
            .header("accept-language", self.language)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .expect("request");
        let answer = send(&self.router, request).await;
        self.keep_cookies(&answer);
        answer
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let body = form
            .iter()
            .map(|(name, value)| format!("{name}={}", urlencode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let request = request("POST", path)
            .header("accept", BROWSER_ACCEPT)
            .header("accept-language", self.language)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", self.cookie_header())
            .body(Body::from(body))
            .expect("request");
        let answer = send(&self.router, request).await;
        self.keep_cookies(&answer);
        answer
    }

    /// Opens `path` and returns the CSRF token of its forms.
    async fn form_token(&mut self, path: &str) -> String {
        let answer = self.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        csrf_token_in(answer.text())
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

fn csrf_token_in(page: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page
        .find(marker)
        .expect("the page has a form with a CSRF token")
        + marker.len();
    page[start..start + 64].to_owned()
}

#[tokio::test]
async fn signing_in_sets_an_http_only_same_site_session_cookie_and_opens_the_next_page() {
    let mut browser = Browser::new("en");
    let token = browser.form_token("/login?next=/account").await;
    let answer = browser
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("login", EMAIL),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), "/account");
    let cookie = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().expect("text"))
        .find(|cookie| cookie.starts_with("okpay_session="))
        .expect("a session cookie");
    assert_eq!(
        cookie,
        format!("okpay_session={TOKEN}; Path=/; HttpOnly; SameSite=Lax")
    );

    let account = browser.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert_eq!(account.header("cache-control"), "no-store");
    let page = account.text();
    assert!(page.contains(EMAIL), "{page}");
    assert!(page.contains("Sign out"), "{page}");
}

#[tokio::test]
async fn a_page_that_needs_a_session_sends_a_visitor_to_sign_in_and_back() {
    let mut browser = Browser::new("en");
    let answer = browser.get("/account?tab=x").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), "/login?next=/account%3Ftab%3Dx");

    browser
        .cookies
        .push(("okpay_session".into(), "tok_expired".into()));
    let answer = browser.get("/account").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(
        answer
            .header("set-cookie")
            .contains("okpay_session=; Path=/; Max-Age=0"),
        "a dead session's cookie is forgotten"
    );
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_with_a_page_that_says_what_to_do() {
    let mut browser = Browser::new("zh-CN");
    browser.form_token("/login").await;
    for token in ["", "0123", &"ab".repeat(32)] {
        let answer = browser
            .post(
                "/login",
                &[
                    ("csrf_token", token),
                    ("login", EMAIL),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert!(answer.header("content-type").starts_with("text/html"));
        let page = answer.text();
        assert!(page.contains("csrf_token_invalid"), "{page}");
        assert!(page.contains("刷新后重新提交"), "{page}");
        assert!(!answer.headers.contains_key("location"), "not signed in");
    }
}

#[tokio::test]
async fn a_token_from_another_browser_does_not_work_in_this_one() {
    let mut attacker = Browser::new("en");
    let token = attacker.form_token("/login").await;
    let mut victim = Browser::new("en");
    victim.form_token("/register").await;
    let answer = victim
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("login", EMAIL),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_needs_the_session_token_and_forgets_the_cookie() {
    let mut browser = Browser::new("en");
    browser.cookies.push(("okpay_session".into(), TOKEN.into()));
    let refused = browser.post("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let token = browser.form_token("/account").await;
    let answer = browser.post("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), "/login?signed_out=1");
    assert!(
        browser
            .cookies
            .iter()
            .all(|(name, _)| name != "okpay_session")
    );
}

#[tokio::test]
async fn a_locked_account_is_told_why_and_until_when_in_both_languages() {
    for (language, phrases) in [
        (
            "en",
            [
                "entered wrong 5 times within 15 minutes",
                "2027-01-15 16:00 (UTC+8)",
                "href=\"/password-reset\"",
            ],
        ),
        (
            "zh-CN",
            [
                "15 分钟内连续输错密码 5 次",
                "2027-01-15 16:00（北京时间）",
                "href=\"/help\"",
            ],
        ),
    ] {
        let mut browser = Browser::new(language);
        let token = browser.form_token("/login").await;
        let answer = browser
            .post(
                "/login",
                &[
                    ("csrf_token", &token),
                    ("login", LOCKED),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::LOCKED);
        let page = answer.text();
        for phrase in phrases {
            assert!(page.contains(phrase), "{language}: {phrase} in {page}");
        }
        assert!(
            page.contains(&format!("value=\"{LOCKED}\"")),
            "the address stays filled in"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unconfirmed_address_are_explained_on_the_form() {
    let mut browser = Browser::new("en");
    let token = browser.form_token("/login").await;
    let wrong = browser
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("login", EMAIL),
                ("password", "nope"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("<form"), "the form is shown again");
    let pending = browser
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("login", PENDING),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(pending.status, StatusCode::FORBIDDEN);
    assert!(
        pending
            .text()
            .contains("/verify?login=pending%40example.com"),
        "{}",
        pending.text()
    );
}

#[tokio::test]
async fn registering_goes_on_to_the_confirmation_page_then_to_sign_in() {
    let mut browser = Browser::new("zh-CN");
    let token = browser.form_token("/register").await;
    let weak = browser
        .post(
            "/register",
            &[
                ("csrf_token", &token),
                ("login", "Mei@Example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.text().contains("密码太短"), "{}", weak.text());

    let answer = browser
        .post(
            "/register",
            &[
                ("csrf_token", &token),
                ("login", "Mei@Example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), "/verify?login=mei%40example.com");

    let verify_token = browser.form_token("/verify?login=mei%40example.com").await;
    let wrong = browser
        .post(
            "/verify",
            &[
                ("csrf_token", &verify_token),
                ("login", "mei@example.com"),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let resent = browser
        .post(
            "/verify/resend",
            &[("csrf_token", &verify_token), ("login", "mei@example.com")],
        )
        .await;
    assert_eq!(resent.status, StatusCode::OK);
    assert!(resent.text().contains("新的验证码已经发出"));
    let confirmed = browser
        .post(
            "/verify",
            &[
                ("csrf_token", &verify_token),
                ("login", "mei@example.com"),
                ("code", crate::fake_accounts::CODE),
            ],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        confirmed.header("location"),
        "/login?verified=1&login=mei%40example.com"
    );
    let login = browser.get(confirmed.header("location")).await;
    assert!(login.text().contains("您的地址已确认"));
}

#[tokio::test]
async fn the_header_shows_who_is_signed_in_and_a_sign_out_button() {
    let mut visitor = Browser::new("en");
    let page = visitor.get("/").await;
    assert!(
        page.headers.get("set-cookie").is_none(),
        "a page without a form sets no cookie"
    );
    assert!(page.text().contains("href=\"/login\""));
    assert!(!page.text().contains("action=\"/logout\""));
    let mut member = Browser::new("en");
    member.cookies.push(("okpay_session".into(), TOKEN.into()));
    let page = member.get("/").await;
    assert!(page.text().contains(EMAIL));
    assert!(page.text().contains("action=\"/logout\""));
}

#[tokio::test]
async fn the_password_strength_hint_answers_in_the_request_language() {
    let router = app();
    let strength = request("POST", "/api/v1/auth/password-strength")
        .header("content-type", "application/json")
        .header("accept-language", "zh-CN")
        .body(Body::from(r#"{"password": "password1"}"#))
        .expect("request");
    let answer = send(&router, strength).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["acceptable"], false);
    assert_eq!(body["refusal"]["code"], "password_too_common");
    assert!(body["score"].as_u64().expect("a score") <= 1);
    assert!(
        body["warning"]["message"]
            .as_str()
            .expect("a warning")
            .contains("密码"),
        "{body}"
    );
    let strength = request("POST", "/api/v1/auth/password-strength")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"password": "plum orbit canyon lantern"}"#))
        .expect("request");
    let body = send(&router, strength).await.json();
    assert_eq!(body["acceptable"], true);
    assert_eq!(body["score"], 4);
}
