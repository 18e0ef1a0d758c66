//! Tickets (工单) over HTTP on both databases: filing with attachments sniffed by content, both
//! sides replying, internal notes hidden from the user, the notice on a staff reply, the rating
//! once solved, and the audit log of agents' views.

use domain::SecurityStore;
use domain::identity::SessionRecord;
use domain::notify::OutboxStore;
use domain::staff::{StaffRecord, StaffRole, StaffStatus};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

const PASSWORD: &str = "plum-orbit-canyon-17";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR tiny screenshot";
const PDF: &[u8] = b"%PDF-1.7\n% a statement\n";

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("answered")
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("answered")
}

/// Registers, confirms and signs in `email`; answers its session token and user id.
pub async fn signed_in(app: &TestApp, email: &str) -> (String, String) {
    let registered: Value = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let messages = app.running.store.recent_messages(50).await.expect("outbox");
    let code = messages
        .iter()
        .find(|message| message.recipient == email)
        .and_then(|message| {
            message
                .body
                .split(|c: char| !c.is_ascii_digit())
                .find(|word| word.len() == 6)
                .map(str::to_owned)
        })
        .expect("a code was sent");
    let verified = app
        .client
        .post(app.url("/api/v1/auth/verify"))
        .json(&json!({"email": email, "code": code}))
        .send()
        .await
        .expect("answered");
    assert_eq!(verified.status(), 200);
    let login: Value = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": email, "password": PASSWORD}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    (
        login["token"].as_str().expect("a token").to_owned(),
        registered["user_id"].as_str().expect("an id").to_owned(),
    )
}

/// An active staff member with a live session, written straight to the database (their TOTP
/// set-up is tested elsewhere); answers the session token and the staff id.
pub async fn staff_signed_in(app: &TestApp, role: StaffRole) -> (String, String) {
    staff_signed_in_as(app, None, role).await
}

/// A signed-in staff member with `email` (else one made of their id): their token and id.
pub async fn staff_signed_in_as(
    app: &TestApp,
    email: Option<&str>,
    role: StaffRole,
) -> (String, String) {
    let id = domain::ids::new_id("stf");
    let email = email.map_or_else(|| format!("{id}@okpay.example"), str::to_owned);
    staff_member_signed_in(
        app,
        StaffRecord {
            id,
            email,
            name: None,
            role,
            password_hash: None,
            status: StaffStatus::Active,
            locale: "en".into(),
            created_at: now(),
        },
    )
    .await
}

/// `staff`, stored, with a live session: their token and id.
pub async fn staff_member_signed_in(app: &TestApp, staff: StaffRecord) -> (String, String) {
    let store = &app.running.store;
    let id = staff.id.clone();
    store.insert_staff(&staff).await.expect("staff inserted");
    let token = domain::ids::new_id("tok");
    let digest: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let now = now();
    store
        .insert_staff_session(&SessionRecord {
            id: domain::ids::new_id("sss"),
            token_hash: digest,
            user_id: id.clone(),
            created_at: now,
            last_seen_at: now,
            revoked_at: None,
            ip: "127.0.0.1".into(),
            user_agent: "test".into(),
        })
        .await
        .expect("session inserted");
    (token, id)
}

fn file(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

fn ticket_form(category: &str, files: Vec<Part>) -> Form {
    let mut form = Form::new()
        .text("category", category.to_owned())
        .text("subject", "Top-up failed")
        .text(
            "description",
            "My card top-up of 100 CNY failed twice this morning.",
        )
        .text("transaction_id", "txn_0001");
    for part in files {
        form = form.part("attachments", part);
    }
    form
}

async fn file_ticket(app: &TestApp, token: &str, form: Form) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(token)
        .header("Accept-Language", "en")
        .multipart(form)
        .send()
        .await
        .expect("answered")
}

on_both_databases!(a_user_files_a_ticket_with_screenshots_and_both_sides_reply);
async fn a_user_files_a_ticket_with_screenshots_and_both_sides_reply(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user, _) = signed_in(&app, "ticket-user@example.com").await;
    let (agent, agent_id) = staff_signed_in(&app, StaffRole::Agent).await;

    // A PNG named .pdf and a PDF named .png: the content decides, not the name.
    let response = file_ticket(
        &app,
        &user,
        ticket_form(
            "top_up",
            vec![file("screen.pdf", PNG), file("../../statement.png", PDF)],
        ),
    )
    .await;
    assert_eq!(response.status(), 201);
    let ticket: Value = response.json().await.expect("JSON");
    let id = ticket["id"].as_str().expect("an id").to_owned();
    assert_eq!(ticket["status"], "open");
    assert_eq!(ticket["category"], "top_up");
    assert_eq!(ticket["transaction_id"], "txn_0001");
    let attachments = ticket["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0]["content_type"], "image/png");
    assert_eq!(attachments[1]["content_type"], "application/pdf");
    assert_eq!(attachments[1]["file_name"], "statement.png");
    let download = get(
        &app,
        &format!(
            "/api/v1/tickets/{id}/attachments/{}",
            attachments[0]["id"].as_str().expect("an id")
        ),
        &user,
    )
    .await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PNG);

    // Someone else sees nothing of it.
    let (stranger, _) = signed_in(&app, "stranger@example.com").await;
    assert_eq!(
        get(&app, &format!("/api/v1/tickets/{id}"), &stranger)
            .await
            .status(),
        404
    );

    // The agent sees it in the queue, claims it, writes a note and a reply.
    let queue: Value = get(&app, "/api/v1/staff/tickets?status=open", &agent)
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        queue["data"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|t| t["id"] == id)
    );
    let claimed: Value = post(
        &app,
        &format!("/api/v1/staff/tickets/{id}/claim"),
        &agent,
        json!({}),
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(claimed["assignee"], agent_id.as_str());
    let note = post(
        &app,
        &format!("/api/v1/staff/tickets/{id}/messages"),
        &agent,
        json!({"body": "Card rail was in maintenance; customer looks legitimate.", "internal": true}),
    )
    .await;
    assert_eq!(note.status(), 201);
    let reply = post(
        &app,
        &format!("/api/v1/staff/tickets/{id}/messages"),
        &agent,
        json!({"body": "Sorry about that: the card service was under maintenance. Please try again now."}),
    )
    .await;
    assert_eq!(reply.status(), 201);

    // The user reads the reply but never the note, and was told by e-mail and in the messages.
    let thread: Value = get(&app, &format!("/api/v1/tickets/{id}"), &user)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(thread["status"], "waiting_on_customer");
    let messages = thread["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "{thread}");
    assert_eq!(messages[0]["author"], "staff");
    assert!(!thread.to_string().contains("legitimate"));
    let staff_view: Value = get(&app, &format!("/api/v1/staff/tickets/{id}"), &agent)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        staff_view["messages"].as_array().expect("messages").len(),
        2
    );
    let notices: Value = get(&app, "/api/v1/messages", &user)
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        notices["data"]
            .as_array()
            .expect("messages")
            .iter()
            .any(|notice| notice["kind"] == "ticket_reply"),
        "{notices}"
    );
    let outbox = app.running.store.recent_messages(50).await.expect("outbox");
    assert!(outbox.iter().any(|message| {
        message.recipient == "ticket-user@example.com" && message.body.contains("Top-up failed")
    }));

    // The user answers: back with the agent.
    let answer = post(
        &app,
        &format!("/api/v1/tickets/{id}/messages"),
        &user,
        json!({"body": "It worked, thank you."}),
    )
    .await;
    assert_eq!(answer.status(), 201);
    let listed: Value = get(&app, "/api/v1/tickets", &user)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["data"][0]["status"], "waiting_on_agent");

    // Every agent view is in the audit log.
    let audit = app
        .running
        .store
        .audit_actions_about(&id)
        .await
        .expect("audit log");
    assert!(
        audit.contains(&(agent_id.clone(), "ticket.viewed".to_owned())),
        "{audit:?}"
    );
    assert!(audit.contains(&(agent_id, "ticket.internal_note".to_owned())));
    app.stop().await;
}

on_both_databases!(attachments_are_refused_by_content_size_and_count);
async fn attachments_are_refused_by_content_size_and_count(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user, _) = signed_in(&app, "attacher@example.com").await;

    // An executable named like a screenshot.
    let response = file_ticket(
        &app,
        &user,
        ticket_form(
            "top_up",
            vec![file("screenshot.png", b"MZ\x90\0 not an image")],
        ),
    )
    .await;
    assert_eq!(response.status(), 415);
    assert_eq!(error_code(response).await, "attachment_type_refused");

    // One byte over 10 MB, though it starts like a PNG.
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let response = file_ticket(
        &app,
        &user,
        ticket_form("top_up", vec![file("big.png", &big)]),
    )
    .await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "attachment_too_large");

    let six = (0..6).map(|n| file(&format!("{n}.png"), PNG)).collect();
    let response = file_ticket(&app, &user, ticket_form("top_up", six)).await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "too_many_attachments");

    let response = file_ticket(&app, &user, ticket_form("lottery", Vec::new())).await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "invalid_request");

    // Nothing refused was kept; exactly five 10 MB files are fine.
    let listed: Value = get(&app, "/api/v1/tickets", &user)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["data"].as_array().expect("a list").len(), 0);
    let mut largest = PNG.to_vec();
    largest.resize(10 * 1024 * 1024, 0);
    let five = (0..5)
        .map(|n| file(&format!("{n}.png"), &largest))
        .collect();
    let response = file_ticket(&app, &user, ticket_form("top_up", five)).await;
    assert_eq!(response.status(), 201);
    app.stop().await;
}

on_both_databases!(a_ticket_is_rated_once_and_only_when_solved_and_security_comes_first);
async fn a_ticket_is_rated_once_and_only_when_solved_and_security_comes_first(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user, _) = signed_in(&app, "rater@example.com").await;
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let (finance, _) = staff_signed_in(&app, StaffRole::Finance).await;
    let first: Value = file_ticket(&app, &user, ticket_form("fees", Vec::new()))
        .await
        .json()
        .await
        .expect("JSON");
    let id = first["id"].as_str().expect("an id").to_owned();
    let security: Value = file_ticket(&app, &user, ticket_form("security", Vec::new()))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(security["priority"], 1);

    // The queue puts the security ticket first though it came later; finance has no queue.
    let queue: Value = get(&app, "/api/v1/staff/tickets", &agent)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(queue["data"][0]["id"], security["id"]);
    let refused = get(&app, "/api/v1/staff/tickets", &finance).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "staff_role_forbidden");

    let early = post(
        &app,
        &format!("/api/v1/tickets/{id}/rating"),
        &user,
        json!({"rating": 5}),
    )
    .await;
    assert_eq!(early.status(), 409);
    assert_eq!(error_code(early).await, "ticket_not_solved");

    let solved = post(
        &app,
        &format!("/api/v1/staff/tickets/{id}/status"),
        &agent,
        json!({"status": "solved"}),
    )
    .await;
    assert_eq!(solved.status(), 200);
    let out_of_range = post(
        &app,
        &format!("/api/v1/tickets/{id}/rating"),
        &user,
        json!({"rating": 6}),
    )
    .await;
    assert_eq!(out_of_range.status(), 400);
    let rated: Value = post(
        &app,
        &format!("/api/v1/tickets/{id}/rating"),
        &user,
        json!({"rating": 4, "comment": "Quick and clear."}),
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(rated["rating"], 4);
    assert_eq!(rated["rating_comment"], "Quick and clear.");
    let twice = post(
        &app,
        &format!("/api/v1/tickets/{id}/rating"),
        &user,
        json!({"rating": 1}),
    )
    .await;
    assert_eq!(twice.status(), 409);
    assert_eq!(error_code(twice).await, "ticket_already_rated");

    // Writing to a solved ticket reopens it.
    post(
        &app,
        &format!("/api/v1/tickets/{id}/messages"),
        &user,
        json!({"body": "It happened again."}),
    )
    .await;
    let thread: Value = get(&app, &format!("/api/v1/tickets/{id}"), &user)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(thread["status"], "reopened");
    app.stop().await;
}

on_both_databases!(the_diagnosis_explains_a_lock_and_a_failed_top_up_and_opens_a_ticket_with_it);
async fn the_diagnosis_explains_a_lock_and_a_failed_top_up_and_opens_a_ticket_with_it(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = crate::wallet::person(&app, "diagnosed@example.com").await;
    let now = now();
    crate::support::admin(&app)
        .create_announcement(
            crate::support::card_topup_maintenance(now - 60, now + 3_600),
            "stf_admin",
            now,
        )
        .await
        .expect("a notice");
    let card = crate::wallet::add_card(&app, &mei, "4000 0000 0000 9995").await;
    let refused = crate::wallet::top_up(&app, &mei, &card, 1_000, "CNY").await;
    assert!(refused.status >= 400, "{}", refused.body);

    // Five wrong passwords lock sign-in; the session already open still reads the diagnosis.
    for _ in 0..5 {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": mei.email, "password": "wrong-password-123"}))
            .send()
            .await
            .expect("answered");
    }
    let response = get(&app, "/api/v1/diagnose", &mei.token).await;
    assert_eq!(response.status(), 200);
    let diagnosis: Value = response.json().await.expect("JSON");
    let account = &diagnosis["account"];
    assert_eq!(account["locked"], true, "{diagnosis}");
    assert_eq!(account["frozen"], false);
    assert_eq!(account["lock"]["failures"], 5);
    assert!(account["lock"]["until"].as_str().is_some());
    let failed = &diagnosis["failed_transactions"][0];
    assert_eq!(failed["reason_code"], "insufficient_funds", "{diagnosis}");
    assert!(
        failed["failure"]["next_step"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(
        failed["announcement"]["title"], "Card top-up maintenance",
        "{failed}"
    );
    assert!(
        diagnosis["limits"]["data"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    );

    let opened = post(
        &app,
        "/api/v1/diagnose/ticket",
        &mei.token,
        json!({"category": "top_up", "description": "My top-up failed, please help."}),
    )
    .await;
    assert_eq!(opened.status(), 201);
    let ticket: Value = opened.json().await.expect("JSON");
    let context: Value =
        serde_json::from_str(ticket["context"].as_str().expect("context")).expect("JSON context");
    assert_eq!(context["account"]["locked"], true);
    assert_eq!(
        context["failed_transactions"][0]["reason_code"],
        "insufficient_funds"
    );
    app.stop().await;
}

on_both_databases!(the_stolen_account_fast_lane_freezes_the_account_and_opens_a_security_ticket);
async fn the_stolen_account_fast_lane_freezes_the_account_and_opens_a_security_ticket(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, _) = signed_in(&app, "stolen@example.com").await;
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let ask = |body: Value, path: &'static str| {
        app.client
            .post(app.url(path))
            .header("Accept-Language", "en")
            .json(&body)
            .send()
    };
    // An unknown address gets the same answer and nothing is sent.
    let unknown = ask(json!({"login": "nobody@example.com"}), "/api/v1/stolen")
        .await
        .expect("answered");
    assert_eq!(unknown.status(), 202);
    let sent = ask(json!({"login": "stolen@example.com"}), "/api/v1/stolen")
        .await
        .expect("answered");
    assert_eq!(sent.status(), 202);
    let messages = app.running.store.recent_messages(50).await.expect("outbox");
    assert!(!messages.iter().any(|m| m.recipient == "nobody@example.com"));
    let code = messages
        .iter()
        .find(|m| m.recipient == "stolen@example.com")
        .and_then(|m| {
            m.body
                .split(|c: char| !c.is_ascii_digit())
                .find(|word| word.len() == 6)
                .map(str::to_owned)
        })
        .expect("a code was sent");
    let wrong = ask(
        json!({"login": "stolen@example.com", "code": "000000"}),
        "/api/v1/stolen/confirm",
    )
    .await
    .expect("answered");
    assert!(wrong.status().is_client_error());
    let confirmed = ask(
        json!({"login": "stolen@example.com", "code": code}),
        "/api/v1/stolen/confirm",
    )
    .await
    .expect("answered");
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.expect("JSON");
    assert_eq!(confirmed["status"], "frozen");
    assert_eq!(confirmed["priority"], 1);

    // The thief's session is over, sign-in is refused, and the ticket heads the queue.
    assert_eq!(get(&app, "/api/v1/me", &token).await.status(), 401);
    let login = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "stolen@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(login).await, "account_frozen");
    let queue: Value = get(&app, "/api/v1/staff/tickets?category=security", &agent)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(queue["data"][0]["id"], confirmed["ticket_id"]);
    assert_eq!(queue["data"][0]["category"], "security");
    app.stop().await;
}
