//! Contact channels, the official-channel check with scam reports, and announcements, over
//! HTTP on both databases.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use domain::support::{AnnouncementDraft, ReportStatus, Support};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// The use cases on the app's own database, as an admin page (or another process) would use them.
pub fn admin(app: &TestApp) -> Support<store::Store> {
    Support::new(Arc::new(app.running.store.clone()))
}

async fn get_json(app: &TestApp, path: &str, language: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .header("Accept-Language", language)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn page(app: &TestApp, path: &str, language: &str) -> String {
    let response = app
        .client
        .get(app.url(path))
        .header("Accept-Language", language)
        .header("Accept", "text/html")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("HTML")
}

/// `value` percent-encoded for a query string or form body.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

async fn check(app: &TestApp, value: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/official-check?value={}", encode(value)))
        .await;
    assert_eq!(response.status(), 200, "{value}");
    response.json().await.expect("JSON")
}

on_both_databases!(the_contact_channels_list_hours_and_whether_each_is_open_now);
async fn the_contact_channels_list_hours_and_whether_each_is_open_now(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (status, body) = get_json(&app, "/api/v1/contact-channels", "en").await;
    assert_eq!(status, 200);
    assert_eq!(body["has_more"], false);
    let channels = body["data"].as_array().expect("a list");
    let find = |id: &str| {
        channels
            .iter()
            .find(|channel| channel["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed"))
    };
    let mainland = find("hotline_mainland");
    assert_eq!(mainland["kind"], "hotline");
    assert_eq!(mainland["value"], "+864008206688");
    assert_eq!(mainland["display"], "400-820-6688");
    assert_eq!(mainland["name"], "Hotline (mainland China)");
    assert_eq!(mainland["hours"]["time_zone"], "Asia/Shanghai");
    assert_eq!(mainland["hours"]["weekly"][0]["day"], "mon");
    assert_eq!(mainland["hours"]["weekly"][0]["periods"][0], "09:00-21:00");
    assert!(mainland["open_now"].is_boolean());
    assert!(
        mainland["next_change_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    let security = find("hotline_security");
    assert_eq!(security["open_now"], true);
    assert_eq!(security["hours"]["always"], true);
    assert!(security["next_change_at"].is_null());
    for kind in ["hotline", "email", "live_chat", "website", "social"] {
        assert!(channels.iter().any(|c| c["kind"] == kind), "{kind} listed");
    }

    let (_, chinese) = get_json(&app, "/api/v1/contact-channels", "zh-CN").await;
    assert_eq!(chinese["data"][0]["name"], "客服热线（中国大陆）");

    // An admin hides a channel: it leaves the list and the page.
    let support = admin(&app);
    let mut hidden = domain::support::ChannelDraft {
        id: "social_x".into(),
        kind: "social".into(),
        value: "@OKPayHelp".into(),
        platform: Some("x".into()),
        name_zh_cn: "X".into(),
        name_en: "X".into(),
        hours: "always".into(),
        ..Default::default()
    };
    hidden.enabled = false;
    support
        .save_channel(hidden, "stf_admin", now())
        .await
        .expect("saved");
    let (_, body) = get_json(&app, "/api/v1/contact-channels", "en").await;
    assert!(
        !body["data"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|c| c["id"] == "social_x")
    );

    let english = page(&app, "/contact", "en").await;
    assert!(english.contains("Contact OKPay"));
    assert!(english.contains("400-820-6688"));
    assert!(english.contains("href=\"tel:+864008206688\""));
    assert!(english.contains("Around the clock"));
    assert!(!english.contains("@OKPayHelp"));
    let chinese = page(&app, "/contact?lang=zh-CN", "en").await;
    assert!(chinese.contains("联系 OKPay"));
    assert!(chinese.contains("服务时间"));
    app.stop().await;
}

on_both_databases!(the_official_check_tells_ours_from_lookalikes_and_reported_scams);
async fn the_official_check_tells_ours_from_lookalikes_and_reported_scams(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for (value, verdict, channel) in [
        ("400 820 6688", "official", Some("hotline_mainland")),
        (
            "+86 (0)21 6088-6688",
            "official",
            Some("hotline_international"),
        ),
        ("Support@OKPay.com", "official", Some("email_support")),
        ("https://www.okpay.com/login", "official", Some("website")),
        ("@okpayhelp", "official", Some("social_x")),
        ("okpay.com.evil.net", "lookalike", None),
        ("0kpay.com", "lookalike", None),
        ("okpay-support.com", "lookalike", None),
        ("okpаy.com", "lookalike", None),
        ("example.com", "not_ours", None),
        ("+1 415 555 0100", "not_ours", None),
    ] {
        let body = check(&app, value).await;
        assert_eq!(body["verdict"], verdict, "{value}: {body}");
        assert_eq!(body["official"], verdict == "official", "{value}");
        assert_eq!(body["value"], value);
        assert_eq!(body["channel"]["id"].as_str(), channel, "{value}");
    }
    let lookalike = check(&app, "0kpay.com").await;
    assert_eq!(lookalike["resembles"], "okpay");
    assert_eq!(lookalike["kind"], "url");

    // A user reports a number; the check then says it is reported, and once staff confirm
    // it, that it is a confirmed scam.
    let reported = app
        .client
        .post(app.url("/api/v1/official-check/reports"))
        .json(&json!({"value": "+86 171-0000-1234", "note": "Asked for my SMS code."}))
        .send()
        .await
        .expect("answered");
    assert_eq!(reported.status(), 201);
    let report: Value = reported.json().await.expect("JSON");
    assert_eq!(report["status"], "pending");
    assert_eq!(report["normalized"], "+8617100001234");
    let body = check(&app, "17100001234").await;
    assert_eq!(body["verdict"], "reported_scam");
    assert_eq!(body["confirmed_scam"], false);
    assert_eq!(body["reports"]["pending"], 1);

    let support = admin(&app);
    let pending = support
        .scam_reports(Some(ReportStatus::Pending), 10)
        .await
        .expect("listed");
    let id = report["id"].as_str().expect("an id");
    assert_eq!(pending[0].id, id);
    support
        .review_report(id, true, "stf_security", "Known script.", now())
        .await
        .expect("confirmed");
    let body = check(&app, "0086 171 0000 1234").await;
    assert_eq!(body["verdict"], "reported_scam");
    assert_eq!(body["confirmed_scam"], true);

    let html = page(&app, "/official-check?value=171%200000%201234", "en").await;
    assert!(html.contains("data-verdict=\"confirmed_scam\""));
    assert!(html.contains("Confirmed scam"));
    let html = page(&app, "/official-check?value=0kpay.com", "zh-CN").await;
    assert!(html.contains("data-verdict=\"lookalike\""));
    assert!(html.contains("不是 OKPay：这是仿冒"));
    assert!(html.contains("如果您怀疑遇到诈骗"));
    let html = page(&app, "/official-check?value=400-820-6688", "en").await;
    assert!(html.contains("data-verdict=\"official\""));
    assert!(html.contains("Hotline (mainland China)"));

    // The page's report form, with the CSRF cookie and token a browser carries; without them
    // it is refused.
    let form_page = app
        .client
        .get(app.url("/official-check"))
        .header("Accept", "text/html")
        .send()
        .await
        .expect("answered");
    let cookie = form_page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("okpay_csrf="))
        .and_then(|value| value.split(';').next())
        .expect("a CSRF cookie")
        .to_owned();
    let html = form_page.text().await.expect("HTML");
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let token = html[start..].split('"').next().expect("a token").to_owned();
    let send_form = |token: String| {
        app.client
            .post(app.url("/official-check/report"))
            .header("Accept-Language", "en")
            .header("Cookie", cookie.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf_token={token}&value={}&note={}",
                encode("okpay-refund.top"),
                encode("A fake refund page.")
            ))
            .send()
    };
    let forged = send_form("00".to_owned()).await.expect("answered");
    assert_eq!(forged.status(), 403);
    let form = send_form(token).await.expect("answered");
    assert_eq!(form.status(), 200);
    assert!(form.text().await.expect("HTML").contains("Thank you"));
    assert_eq!(
        check(&app, "https://okpay-refund.top/x").await["verdict"],
        "reported_scam"
    );
    app.stop().await;
}

on_both_databases!(bad_checks_and_reports_are_refused_with_their_codes);
async fn bad_checks_and_reports_are_refused_with_their_codes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for path in [
        "/api/v1/official-check",
        "/api/v1/official-check?value=",
        "/api/v1/official-check?value=hello%20world",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(error_code(response).await, "invalid_check_value");
    }
    let long = "x".repeat(600);
    let response = app
        .get(&format!("/api/v1/official-check?value={long}"))
        .await;
    assert_eq!(response.status(), 400);

    let report = |body: Value| {
        app.client
            .post(app.url("/api/v1/official-check/reports"))
            .json(&body)
            .send()
    };
    let official = report(json!({"value": "support@okpay.com"}))
        .await
        .expect("answered");
    assert_eq!(official.status(), 422);
    assert_eq!(
        error_code(official).await,
        "official_channel_not_reportable"
    );
    let long_note = report(json!({"value": "evil.example", "note": "y".repeat(1_001)}))
        .await
        .expect("answered");
    assert_eq!(long_note.status(), 400);
    assert_eq!(error_code(long_note).await, "report_note_too_long");
    let unknown = report(json!({"value": "evil.example", "extra": 1}))
        .await
        .expect("answered");
    assert_eq!(unknown.status(), 400);

    let html = page(&app, "/official-check?value=%40", "en").await;
    assert!(html.contains("class=\"form-problem\" role=\"alert\""));
    assert!(!html.contains("data-verdict"));
    app.stop().await;
}

pub fn card_topup_maintenance(starts_at: i64, ends_at: i64) -> AnnouncementDraft {
    AnnouncementDraft {
        kind: "maintenance".into(),
        severity: "outage".into(),
        title_zh_cn: "银行卡充值系统维护".into(),
        title_en: "Card top-up maintenance".into(),
        body_zh_cn: "维护期间暂停银行卡充值，余额和转账不受影响。".into(),
        body_en: "Card top-ups are paused; balances and transfers are not affected.".into(),
        starts_at,
        ends_at: Some(ends_at),
        services: vec!["card_topup".into()],
        withdrawn: false,
    }
}

on_both_databases!(announcements_show_as_a_banner_on_the_status_page_and_in_the_api);
async fn announcements_show_as_a_banner_on_the_status_page_and_in_the_api(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let support = admin(&app);
    let now = now();
    let active = support
        .create_announcement(
            card_topup_maintenance(now - 600, now + 3_600),
            "stf_admin",
            now,
        )
        .await
        .expect("created");
    let mut planned = card_topup_maintenance(now + 86_400, now + 90_000);
    planned.services = vec!["bank_payout".into()];
    planned.title_en = "Bank payout maintenance".into();
    let planned = support
        .create_announcement(planned, "stf_admin", now)
        .await
        .expect("created");
    let mut past = card_topup_maintenance(now - 7_200, now - 3_600);
    past.title_en = "Earlier sign-in incident".into();
    past.kind = "incident".into();
    past.severity = "degraded".into();
    past.services = vec!["sign_in".into()];
    support
        .create_announcement(past, "stf_admin", now)
        .await
        .expect("created");

    let (status, body) = get_json(&app, "/api/v1/announcements", "en").await;
    assert_eq!(status, 200);
    let data = body["data"].as_array().expect("a list");
    assert_eq!(data.len(), 2, "active and upcoming by default: {body}");
    assert_eq!(data[0]["id"], active.id.as_str());
    assert_eq!(data[0]["state"], "active");
    assert_eq!(data[0]["title"], "Card top-up maintenance");
    assert_eq!(data[0]["services"], json!(["card_topup"]));
    assert_eq!(data[0]["severity"], "outage");
    assert_eq!(data[1]["id"], planned.id.as_str());
    assert_eq!(data[1]["state"], "upcoming");
    let (_, past_only) = get_json(&app, "/api/v1/announcements?state=past", "zh-CN").await;
    assert_eq!(past_only["data"][0]["title"], "银行卡充值系统维护");
    assert_eq!(past_only["data"][0]["kind"], "incident");
    let bad = app.get("/api/v1/announcements?state=someday").await;
    assert_eq!(bad.status(), 400);

    let (_, board) = get_json(&app, "/api/v1/status", "en").await;
    let state_of = |service: &str| {
        board["services"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|row| row["service"] == service)
            .map(|row| row["status"].clone())
    };
    assert_eq!(state_of("card_topup"), Some(json!("outage")));
    assert_eq!(state_of("transfer"), Some(json!("operational")));
    assert_eq!(board["recent"][0]["title"], "Earlier sign-in incident");

    // Every page shows the active notice as a banner.
    for path in ["/", "/contact", "/official-check"] {
        let html = page(&app, path, "en").await;
        assert!(html.contains("class=\"notice-banner\""), "{path}");
        assert!(html.contains("Card top-up maintenance"), "{path}");
        assert!(!html.contains("Bank payout maintenance"), "{path}: not yet");
    }
    let html = page(&app, "/status", "zh-CN").await;
    assert!(html.contains("服务状态"));
    assert!(html.contains("id=\"service-card_topup\" data-state=\"outage\""));
    assert!(html.contains("暂停服务"));
    assert!(html.contains("Bank payout maintenance") || html.contains("银行卡充值系统维护"));
    assert!(html.contains(&format!("id=\"{}\"", planned.id)));

    // The wallet asks which notice explains a refused top-up.
    let explaining = support
        .announcement_explaining(domain::support::Service::CardTopup, now)
        .await
        .expect("read");
    assert_eq!(explaining.map(|notice| notice.id), Some(active.id.clone()));
    app.stop().await;
}

fn run_ok(database: &crate::helpers::TestDatabase, args: &[&str]) -> String {
    let output = database.okpay(args);
    assert!(
        output.status.success(),
        "okpay {args:?} failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

on_both_databases!(operators_publish_end_and_review_from_the_command_line);
async fn operators_publish_end_and_review_from_the_command_line(backend: Backend) {
    let Some(database) = crate::helpers::TestDatabase::new(backend).await else {
        return;
    };
    let an_hour_ago = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    let id = run_ok(
        &database,
        &[
            "support",
            "announce",
            "--from",
            &an_hour_ago,
            "--kind",
            "incident",
            "--severity",
            "degraded",
            "--services",
            "card_topup,bank_payout",
            "--title-zh",
            "充值变慢",
            "--title-en",
            "Slow top-ups",
            "--body-zh",
            "正在处理。",
            "--body-en",
            "We are on it.",
            "--by",
            "ops",
        ],
    );
    let id = id.trim().to_owned();
    assert!(id.starts_with("ann_"), "{id}");
    let listed = run_ok(&database, &["support", "notices"]);
    assert!(
        listed.contains(&format!("{id} v1 active incident degraded")),
        "{listed}"
    );
    assert!(listed.contains("[card_topup,bank_payout] Slow top-ups"));
    let ended = run_ok(&database, &["support", "end", &id, "--by", "ops"]);
    assert_eq!(ended.trim(), format!("{id} version 2"));
    assert!(run_ok(&database, &["support", "notices"]).contains(&format!("{id} v2 past")));

    let bad = database.okpay(&[
        "support",
        "announce",
        "--kind",
        "party",
        "--severity",
        "info",
        "--services",
        "chat",
        "--title-zh",
        "a",
        "--title-en",
        "b",
        "--body-zh",
        "c",
        "--body-en",
        "d",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("kind"));
    assert!(run_ok(&database, &["support", "reports"]).contains("no reports"));
    let missing = database.okpay(&["support", "review", "rpt_missing", "--confirm"]);
    assert!(!missing.status.success());
}

/// A signed-in staff member of `role`, made directly in the store (staff set-up with a password
/// and TOTP is the identity tests' business); answers the session token.
async fn staff_token(app: &TestApp, role: domain::staff::StaffRole) -> String {
    use domain::SecurityStore;
    use domain::identity::SessionRecord;
    use domain::staff::{StaffRecord, StaffStatus};
    use sha2::Digest;

    let id = format!("stf_{}", role.name());
    app.running
        .store
        .insert_staff(&StaffRecord {
            id: id.clone(),
            email: format!("{}@staff.okpay.test", role.name()),
            name: None,
            role,
            password_hash: None,
            status: StaffStatus::Active,
            locale: "en".to_owned(),
            created_at: now(),
        })
        .await
        .expect("staff stored");
    let token = format!("staff-token-{}", role.name());
    let token_hash: String = sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    app.running
        .store
        .insert_staff_session(&SessionRecord {
            id: format!("sss_{}", role.name()),
            token_hash,
            user_id: id,
            created_at: now(),
            last_seen_at: now(),
            revoked_at: None,
            ip: "127.0.0.1".to_owned(),
            user_agent: "test".to_owned(),
        })
        .await
        .expect("session stored");
    token
}

async fn staff_send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("answered")
}

on_both_databases!(staff_edit_notices_and_channels_review_reports_and_moderate_by_role);
async fn staff_edit_notices_and_channels_review_reports_and_moderate_by_role(backend: Backend) {
    use domain::staff::StaffRole;
    use reqwest::Method;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin_token = staff_token(&app, StaffRole::Admin).await;
    let security = staff_token(&app, StaffRole::Security).await;
    let finance = staff_token(&app, StaffRole::Finance).await;
    let start = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(5)).to_string();
    let notice = json!({
        "kind": "maintenance", "severity": "outage",
        "title_zh_cn": "银行卡充值维护", "title_en": "Card top-up maintenance",
        "body_zh_cn": "暂停银行卡充值。", "body_en": "Card top-ups are paused.",
        "starts_at": start, "ends_at": null, "services": ["card_topup"]
    });

    let anonymous = app
        .client
        .get(app.url("/api/v1/staff/announcements"))
        .send()
        .await
        .expect("answered");
    assert_eq!(anonymous.status(), 401);
    let forbidden = staff_send(
        &app,
        Method::POST,
        "/api/v1/staff/announcements",
        &finance,
        Some(notice.clone()),
    )
    .await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(error_code(forbidden).await, "staff_role_forbidden");

    let created = staff_send(
        &app,
        Method::POST,
        "/api/v1/staff/announcements",
        &admin_token,
        Some(notice.clone()),
    )
    .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("JSON");
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["version"], 1);
    assert_eq!(created["edited_by"], "stf_admin");

    let mut edit = notice.clone();
    edit["version"] = json!(1);
    edit["title_en"] = json!("Card top-up maintenance (extended)");
    let saved = staff_send(
        &app,
        Method::PUT,
        &format!("/api/v1/staff/announcements/{id}"),
        &admin_token,
        Some(edit.clone()),
    )
    .await;
    assert_eq!(saved.status(), 200);
    assert_eq!(saved.json::<Value>().await.expect("JSON")["version"], 2);
    let stale = staff_send(
        &app,
        Method::PUT,
        &format!("/api/v1/staff/announcements/{id}"),
        &admin_token,
        Some(edit),
    )
    .await;
    assert_eq!(stale.status(), 409);
    assert_eq!(error_code(stale).await, "announcement_version_conflict");
    let history: Value = staff_send(
        &app,
        Method::GET,
        &format!("/api/v1/staff/announcements/{id}/history"),
        &admin_token,
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(history["data"].as_array().map(Vec::len), Some(2));
    let mut bad = notice.clone();
    bad["starts_at"] = json!("tomorrow");
    let bad = staff_send(
        &app,
        Method::POST,
        "/api/v1/staff/announcements",
        &admin_token,
        Some(bad),
    )
    .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.expect("JSON")["error"]["param"],
        "starts_at"
    );
    let (_, public) = get_json(&app, "/api/v1/announcements", "en").await;
    assert_eq!(
        public["data"][0]["title"],
        "Card top-up maintenance (extended)"
    );

    let channel = staff_send(
        &app,
        Method::PUT,
        "/api/v1/staff/contact-channels/hotline_hk",
        &admin_token,
        Some(json!({
            "kind": "hotline", "value": "+852 3000 6688", "name_zh_cn": "香港热线",
            "name_en": "Hong Kong hotline", "hours": "Asia/Hong_Kong mon-fri 09:00-18:00"
        })),
    )
    .await;
    assert_eq!(channel.status(), 200);
    assert_eq!(
        channel.json::<Value>().await.expect("JSON")["value"],
        "+85230006688"
    );
    assert_eq!(
        check(&app, "3000 6688").await["verdict"],
        "not_ours",
        "no country: mainland"
    );
    assert_eq!(
        check(&app, "+852-3000-6688").await["channel"]["id"],
        "hotline_hk"
    );
    let bad_hours = staff_send(
        &app,
        Method::PUT,
        "/api/v1/staff/contact-channels/hotline_hk",
        &admin_token,
        Some(
            json!({"kind": "hotline", "value": "+852 3000 6688", "name_zh_cn": "香港热线",
            "name_en": "Hong Kong hotline", "hours": "Mars/Base 09:00-18:00"}),
        ),
    )
    .await;
    assert_eq!(bad_hours.status(), 400);
    let deleted = staff_send(
        &app,
        Method::DELETE,
        "/api/v1/staff/contact-channels/hotline_hk",
        &admin_token,
        None,
    )
    .await;
    assert_eq!(deleted.status(), 204);
    let channels: Value = staff_send(
        &app,
        Method::GET,
        "/api/v1/staff/contact-channels",
        &admin_token,
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert!(
        !channels["data"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|c| c["id"] == "hotline_hk")
    );

    let report: Value = app
        .client
        .post(app.url("/api/v1/official-check/reports"))
        .json(&json!({"value": "okpay-refund.top"}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let report_id = report["id"].as_str().expect("an id");
    let pending: Value = staff_send(
        &app,
        Method::GET,
        "/api/v1/staff/scam-reports?status=pending",
        &security,
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(pending["data"][0]["id"], report_id);
    let reviewed = staff_send(
        &app,
        Method::POST,
        &format!("/api/v1/staff/scam-reports/{report_id}/review"),
        &security,
        Some(json!({"decision": "confirm", "note": "Phishing kit"})),
    )
    .await;
    assert_eq!(reviewed.status(), 200);
    assert_eq!(
        reviewed.json::<Value>().await.expect("JSON")["reviewed_by"],
        "stf_security"
    );
    assert_eq!(
        check(&app, "okpay-refund.top").await["confirmed_scam"],
        true
    );
    let finance_review = staff_send(
        &app,
        Method::GET,
        "/api/v1/staff/scam-reports",
        &finance,
        None,
    )
    .await;
    assert_eq!(finance_review.status(), 403);

    let audit = domain::AuditStore::verify_audit(&app.running.store)
        .await
        .expect("checked");
    assert!(audit.is_intact());
    app.stop().await;
}

on_both_databases!(a_top_up_refused_during_card_maintenance_carries_the_notice);
async fn a_top_up_refused_during_card_maintenance_carries_the_notice(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let notice = admin(&app)
        .create_announcement(
            card_topup_maintenance(now() - 60, now() + 3_600),
            "stf_admin",
            now(),
        )
        .await
        .expect("created");
    let (token, _) = crate::community::signed_in(&app, "topup@example.com").await;
    let card = app
        .client
        .post(app.url("/api/v1/cards"))
        .bearer_auth(&token)
        .json(
            &json!({"number": "4000 0000 0000 0119", "exp_month": 12, "exp_year": 2035,
            "cvc": "123", "holder_name": "LI LEI"}),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(
        card.status(),
        201,
        "{}",
        card.text().await.unwrap_or_default()
    );
    let card: Value = card.json().await.expect("JSON");
    let refused = app
        .client
        .post(app.url("/api/v1/topups"))
        .bearer_auth(&token)
        .header("Accept-Language", "zh-CN")
        .json(&json!({"card_id": card["id"], "amount": 1000, "currency": "CNY"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "processor_unavailable");
    assert_eq!(body["error"]["announcement"]["id"], notice.id.as_str());
    assert_eq!(body["error"]["announcement"]["title"], "银行卡充值系统维护");
    assert_eq!(body["error"]["announcement"]["state"], "active");
    app.stop().await;
}
