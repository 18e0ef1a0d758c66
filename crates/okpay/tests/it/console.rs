//! The support pages over HTTP on both databases: "What happened?", the ticket pages with uploads and ratings, the stolen-account page, and the agent console (SLA order and pauses, internal notes, the audited customer panel, roles), and the community pages (ask, answer, accept, search in Chinese and English, staff hiding).

use domain::staff::StaffRole;
use domain::tickets::{AuthorKind, Category, Ticket, TicketMessage, TicketStatus, TicketStore};
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};
use crate::tickets::{signed_in, staff_member_signed_in, staff_signed_in, staff_signed_in_as};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR tiny screenshot";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// A browser's cookies for one person (or staff member), and their language.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
    language: &'static str,
}

struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: Vec::new(),
            language: "en",
        }
    }

    fn with_cookie(mut self, name: &str, value: &str) -> Browser<'a> {
        self.cookies.push((name.to_owned(), value.to_owned()));
        self
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all("set-cookie") {
            let line = value.to_str().expect("text");
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(known, _)| known != name);
                if !value.is_empty() {
                    self.cookies.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|v| v.to_str().expect("text").to_owned()),
            body: response.text().await.expect("a body"),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header("accept", "text/html")
            .header("accept-language", self.language)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("answered");
        self.read(response).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("accept", "text/html")
            .header("accept-language", self.language)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode_form(form))
            .send()
            .await
            .expect("answered");
        self.read(response).await
    }

    async fn post_multipart(&mut self, path: &str, form: Form) -> Page {
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("accept", "text/html")
            .header("accept-language", self.language)
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("answered");
        self.read(response).await
    }
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

fn csrf(page: &Page) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.body.find(marker).expect("a form with a CSRF token") + marker.len();
    page.body[start..start + 64].to_owned()
}

/// The ticket id a redirect to `/tickets/{id}…` or `/staff/tickets/{id}…` names.
fn ticket_in(location: &str) -> String {
    let start = location.find("tkt_").expect("a ticket id");
    location[start..]
        .split(['?', '/'])
        .next()
        .expect("an id")
        .to_owned()
}

fn user_browser<'a>(app: &'a TestApp, token: &str) -> Browser<'a> {
    Browser::new(app).with_cookie("okpay_session", token)
}

fn staff_browser<'a>(app: &'a TestApp, token: &str) -> Browser<'a> {
    Browser::new(app).with_cookie("okpay_staff_session", token)
}

on_both_databases!(the_diagnose_page_explains_a_failed_top_up_and_opens_a_ticket_with_it);
async fn the_diagnose_page_explains_a_failed_top_up_and_opens_a_ticket_with_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = crate::wallet::person(&app, "diagnose-page@example.com").await;
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
    // A withdrawal on its way, and five wrong passwords that lock sign-in.
    let good_card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    let bank = crate::wallet::add_bank_account(&app, &mei, "6222 0000 0000 0001", "CNY").await;
    for (key, path, body) in [
        (
            "diag-topup",
            "/api/v1/topups",
            json!({"card_id": good_card, "amount": 200_000, "currency": "CNY"}),
        ),
        (
            "diag-withdrawal",
            "/api/v1/withdrawals",
            json!({"bank_account_id": bank, "amount": 20_000, "currency": "CNY"}),
        ),
    ] {
        let answer = crate::wallet::call(&app, &mei, "POST", path, Some(body), Some(key)).await;
        assert_eq!(answer.status, 201, "{path}: {}", answer.body);
    }
    for _ in 0..5 {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": mei.email, "password": "wrong-password-123"}))
            .send()
            .await
            .expect("answered");
    }

    // Signed out, the page sends the browser to sign in first.
    let anonymous = Browser::new(&app).get("/diagnose").await;
    assert_eq!(anonymous.status, 303);
    assert!(
        anonymous
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login?next="))
    );

    let mut browser = user_browser(&app, &mei.token);
    let contact = browser.get("/contact").await;
    assert!(
        contact.body.contains(r#"<a href="/diagnose">"#),
        "found from /contact"
    );
    let page = browser.get("/diagnose").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("What happened?"));
    assert!(page.body.contains(r#"data-reason="insufficient_funds""#));
    assert!(
        page.body.contains("Card top-up maintenance"),
        "the notice that explains it"
    );
    assert!(page.body.contains("id=\"diagnose-limits\""));
    // The verification tier in words, not its code.
    assert!(
        page.body
            .contains(r#"<strong id="diagnose-tier">Unverified</strong>"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"diagnose-lock\""), "{}", page.body);
    assert!(
        page.body
            .contains(r#"<dd id="diagnose-lock-failures">5</dd>"#)
    );
    assert!(page.body.contains("id=\"diagnose-lock-until\""));
    let withdrawals = &page.body[page
        .body
        .find("id=\"diagnose-withdrawals\"")
        .expect("the part")..];
    assert!(withdrawals.contains("200.00 CNY"), "{withdrawals}");
    assert!(withdrawals.contains("Next expected step"));
    browser.language = "zh-CN";
    let chinese = browser.get("/diagnose").await;
    assert!(chinese.body.contains("发生了什么？"));
    assert!(chinese.body.contains("下一步"));
    assert!(
        chinese
            .body
            .contains(r#"<strong id="diagnose-tier">未认证</strong>"#)
    );
    browser.language = "en";

    // The form opens the ticket with the diagnosis and a screenshot in one post.
    let token = csrf(&page);
    let form = |token: &str| {
        Form::new()
            .text("csrf_token", token.to_owned())
            .text("with_diagnosis", "1")
            .text("category", "top_up")
            .text("transaction_id", "")
            .text("description", "My top-up failed, what now?")
            .part(
                "attachments",
                Part::bytes(PNG.to_vec()).file_name("declined.png"),
            )
    };
    let forged = browser.post_multipart("/tickets/new", form("00")).await;
    assert_eq!(forged.status, 403);
    let opened = browser.post_multipart("/tickets/new", form(&token)).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let id = ticket_in(opened.location.as_deref().expect("a location"));
    let thread = browser.get(&format!("/tickets/{id}")).await;
    assert_eq!(thread.status, 200);
    assert!(thread.body.contains("id=\"ticket-context\""));
    assert!(
        thread.body.contains("insufficient_funds"),
        "the diagnosis goes with it"
    );
    assert!(thread.body.contains("declined.png"));
    assert!(thread.body.contains("Question after the self-diagnosis"));
    app.stop().await;
}

on_both_databases!(
    a_ticket_filed_on_the_pages_with_a_screenshot_is_answered_in_the_console_and_rated
);
async fn a_ticket_filed_on_the_pages_with_a_screenshot_is_answered_in_the_console_and_rated(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user_token, _) = signed_in(&app, "pages-ticket@example.com").await;
    let (agent_token, agent_id) = staff_signed_in(&app, StaffRole::Agent).await;
    let mut user = user_browser(&app, &user_token);
    let form_page = user.get("/tickets/new").await;
    assert_eq!(form_page.status, 200);
    let token = csrf(&form_page);
    let form = |token: &str, file: &[u8]| {
        Form::new()
            .text("csrf_token", token.to_owned())
            .text("category", "top_up")
            .text("subject", "Top-up failed")
            .text("description", "The top-up failed twice this morning.")
            .text("transaction_id", "")
            .part(
                "attachments",
                Part::bytes(file.to_vec()).file_name("screen.png"),
            )
    };
    // No token, no ticket; a file that is not an image or PDF is refused by its content.
    let forged = user.post_multipart("/tickets/new", form("00", PNG)).await;
    assert_eq!(forged.status, 403);
    let refused = user
        .post_multipart("/tickets/new", form(&token, b"MZ\x90\0 not a picture"))
        .await;
    assert_eq!(refused.status, 415, "{}", refused.body);
    assert!(refused.body.contains("id=\"ticket-error\""));
    let created = user.post_multipart("/tickets/new", form(&token, PNG)).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = ticket_in(created.location.as_deref().expect("a location"));
    let thread = user.get(&format!("/tickets/{id}?done=created")).await;
    assert!(thread.body.contains("id=\"ticket-notice\""));
    assert!(thread.body.contains("screen.png"));
    let href_start = thread.body.find("/attachments/att_").expect("a link");
    let href = format!(
        "/tickets/{id}{}",
        &thread.body[href_start..].split('"').next().expect("a link")
    );
    let download = app
        .client
        .get(app.url(&href))
        .header("cookie", format!("okpay_session={user_token}"))
        .send()
        .await
        .expect("answered");
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PNG);
    let list = user.get("/tickets").await;
    assert!(list.body.contains(&id));

    // The agent answers from the console: a note for colleagues, then a reply.
    let mut agent = staff_browser(&app, &agent_token);
    let console = agent.get(&format!("/staff/tickets/{id}")).await;
    assert_eq!(console.status, 200, "{}", console.body);
    assert!(console.body.contains("id=\"customer-panel\""));
    assert!(console.body.contains("pages-ticket@example.com"));
    let staff_token = csrf(&console);
    let claimed = agent
        .post(
            &format!("/staff/tickets/{id}/claim"),
            &[("csrf_token", &staff_token)],
        )
        .await;
    assert_eq!(claimed.status, 303);
    let note = agent
        .post(
            &format!("/staff/tickets/{id}/reply"),
            &[
                ("csrf_token", &staff_token),
                ("body", "Internal: card issuer flagged it, do not tell."),
                ("internal", "1"),
            ],
        )
        .await;
    assert_eq!(note.status, 303);
    // A canned reply arrives in the reply box in the customer's language.
    let canned = agent
        .get(&format!("/staff/tickets/{id}?canned=topup_failed"))
        .await;
    assert!(
        canned.body.contains("did not go through"),
        "{}",
        canned.body
    );
    let replied = agent
        .post(
            &format!("/staff/tickets/{id}/reply"),
            &[
                ("csrf_token", &staff_token),
                ("body", "Your card declined it; nothing was charged."),
            ],
        )
        .await;
    assert_eq!(replied.status, 303);
    let console = agent.get(&format!("/staff/tickets/{id}")).await;
    assert!(console.body.contains("card issuer flagged it"));
    assert!(console.body.contains(&agent_id), "claimed by the agent");

    let thread = user.get(&format!("/tickets/{id}")).await;
    assert!(thread.body.contains("nothing was charged"));
    assert!(
        !thread.body.contains("card issuer flagged it"),
        "internal notes never reach the user"
    );
    assert!(
        !thread.body.contains("id=\"ticket-rate\""),
        "not solved yet"
    );

    let solved = agent
        .post(
            &format!("/staff/tickets/{id}/status"),
            &[("csrf_token", &staff_token), ("status", "solved")],
        )
        .await;
    assert_eq!(solved.status, 303);
    let thread = user.get(&format!("/tickets/{id}")).await;
    assert!(thread.body.contains("id=\"ticket-rate\""));
    let user_token_csrf = csrf(&thread);
    let rated = user
        .post(
            &format!("/tickets/{id}/rate"),
            &[
                ("csrf_token", &user_token_csrf),
                ("rating", "5"),
                ("comment", "Quick and clear"),
            ],
        )
        .await;
    assert_eq!(rated.status, 303);
    let thread = user.get(&format!("/tickets/{id}")).await;
    assert!(thread.body.contains("id=\"ticket-rating\""));
    assert!(thread.body.contains("Quick and clear"));
    let again = user
        .post(
            &format!("/tickets/{id}/rate"),
            &[("csrf_token", &user_token_csrf), ("rating", "1")],
        )
        .await;
    assert_eq!(again.status, 409);
    app.stop().await;
}

fn stored_ticket(
    user_id: &str,
    category: Category,
    status: TicketStatus,
    created_at: i64,
) -> Ticket {
    Ticket {
        id: domain::ids::new_id("tkt"),
        user_id: user_id.to_owned(),
        category,
        subject: format!("{} {}", category.name(), created_at),
        description: "Stored by the test.".into(),
        transaction_id: None,
        status,
        priority: category.priority(),
        assignee: None,
        context: String::new(),
        rating: None,
        rating_comment: None,
        created_at,
        updated_at: created_at,
        solved_at: None,
    }
}

/// The queue's rows as `(ticket id, SLA state)`, top first.
fn queue_rows(page: &Page) -> Vec<(String, String)> {
    page.body
        .split("<tr class=\"sla-")
        .skip(1)
        .map(|row| {
            let id_start = row.find("data-id=\"").expect("an id") + 9;
            let id = row[id_start..].split('"').next().expect("an id").to_owned();
            let sla_start = row.find("data-sla=\"").expect("a state") + 10;
            let sla = row[sla_start..]
                .split('"')
                .next()
                .expect("a state")
                .to_owned();
            (id, sla)
        })
        .collect()
}

on_both_databases!(the_console_puts_breaches_and_risks_first_and_pauses_while_waiting_on_the_user);
async fn the_console_puts_breaches_and_risks_first_and_pauses_while_waiting_on_the_user(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user_token, user_id) = signed_in(&app, "sla@example.com").await;
    let (agent_token, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let store = &app.running.store;
    let now = now();
    // Each case is chosen far from its boundary, so the time of day the test runs at and a
    // slow machine cannot change its outcome: ten days hold far more than 24 service hours.
    let old_other = stored_ticket(
        &user_id,
        Category::Other,
        TicketStatus::Open,
        now - 10 * 86_400,
    );
    let late_security = stored_ticket(
        &user_id,
        Category::Security,
        TicketStatus::Open,
        now - 2 * 3_600,
    );
    let risky_security = stored_ticket(
        &user_id,
        Category::Security,
        TicketStatus::Open,
        now - 47 * 60,
    );
    let fresh_top_up = stored_ticket(&user_id, Category::TopUp, TicketStatus::Open, now);
    let waiting = stored_ticket(
        &user_id,
        Category::Security,
        TicketStatus::WaitingOnCustomer,
        now - 3 * 3_600,
    );
    let solved = stored_ticket(
        &user_id,
        Category::Fees,
        TicketStatus::Solved,
        now - 5 * 86_400,
    );
    for ticket in [
        &old_other,
        &late_security,
        &risky_security,
        &fresh_top_up,
        &waiting,
        &solved,
    ] {
        store.insert_ticket(ticket).await.expect("stored");
    }
    // The agent answered the waiting ticket within ten minutes; the user has not written back.
    store
        .insert_message(&TicketMessage {
            id: domain::ids::new_id("tkm"),
            ticket_id: waiting.id.clone(),
            author_kind: AuthorKind::Staff,
            author_id: "stf_x".into(),
            body: "Please send a screenshot.".into(),
            internal: false,
            created_at: waiting.created_at + 600,
        })
        .await
        .expect("stored");

    let mut agent = staff_browser(&app, &agent_token);
    let queue = agent.get("/staff/tickets").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let rows = queue_rows(&queue);
    let expected = vec![
        (old_other.id.clone(), "breached".to_owned()),
        (late_security.id.clone(), "breached".to_owned()),
        (risky_security.id.clone(), "at_risk".to_owned()),
        (fresh_top_up.id.clone(), "on_track".to_owned()),
        (waiting.id.clone(), "paused".to_owned()),
    ];
    assert_eq!(rows, expected, "solved tickets leave the default queue");
    assert!(queue.body.contains(r#"<span id="breached-count">2</span>"#));
    assert!(queue.body.contains(r#"<span id="at-risk-count">1</span>"#));
    // The back office names the staff member and signs them out, not a visitor's links.
    assert!(queue.body.contains(r#"id="staff-name""#), "{}", queue.body);
    assert!(queue.body.contains(r#"action="/staff/logout""#));
    assert!(!queue.body.contains(r#"href="/register""#));
    let solved_tab = agent.get("/staff/tickets?status=solved").await;
    assert_eq!(
        queue_rows(&solved_tab),
        vec![(solved.id.clone(), "stopped".to_owned())]
    );
    let security = agent.get("/staff/tickets?category=security").await;
    assert_eq!(queue_rows(&security).len(), 3);
    assert!(security.body.contains("Security: 1 hour"));

    // The user writes back three hours after opening: the clock starts again from their
    // message, so the ticket is on track, not three hours late.
    let mut user = user_browser(&app, &user_token);
    let thread = user.get(&format!("/tickets/{}", waiting.id)).await;
    let answered = user
        .post(
            &format!("/tickets/{}/reply", waiting.id),
            &[("csrf_token", &csrf(&thread)), ("body", "Here it is.")],
        )
        .await;
    assert_eq!(answered.status, 303);
    let queue = agent.get("/staff/tickets").await;
    let row = queue_rows(&queue)
        .into_iter()
        .find(|(id, _)| *id == waiting.id)
        .expect("listed");
    assert_eq!(row.1, "on_track");

    // The late security ticket: the agent asks the user to wait on their side by status alone.
    let console = agent
        .get(&format!("/staff/tickets/{}", late_security.id))
        .await;
    assert!(console.body.contains(r#"data-sla="breached""#));
    let paused = agent
        .post(
            &format!("/staff/tickets/{}/status", late_security.id),
            &[
                ("csrf_token", &csrf(&console)),
                ("status", "waiting_on_customer"),
            ],
        )
        .await;
    assert_eq!(paused.status, 303);
    let sla_of = |page: &Page, id: &str| {
        queue_rows(page)
            .into_iter()
            .find(|(row, _)| row == id)
            .map(|(_, sla)| sla)
            .expect("listed")
    };
    assert_eq!(
        sla_of(&agent.get("/staff/tickets").await, &late_security.id),
        "paused"
    );
    let thread = user.get(&format!("/tickets/{}", late_security.id)).await;
    let answered = user
        .post(
            &format!("/tickets/{}/reply", late_security.id),
            &[("csrf_token", &csrf(&thread)), ("body", "Done, see above.")],
        )
        .await;
    assert_eq!(answered.status, 303);
    assert_eq!(
        sla_of(&agent.get("/staff/tickets").await, &late_security.id),
        "on_track",
        "the two hours before the pause are not held against the agents"
    );
    app.stop().await;
}

on_both_databases!(every_customer_view_is_audited_and_other_roles_are_refused);
async fn every_customer_view_is_audited_and_other_roles_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user_token, user_id) = signed_in(&app, "audited@example.com").await;
    let (agent_token, agent_id) = staff_signed_in(&app, StaffRole::Agent).await;
    let (finance_token, _) = staff_signed_in(&app, StaffRole::Finance).await;
    let ticket = stored_ticket(&user_id, Category::Account, TicketStatus::Open, now());
    app.running
        .store
        .insert_ticket(&ticket)
        .await
        .expect("stored");
    // The owner freezes the account: the panel shows it with its source.
    let frozen = app
        .client
        .post(app.url("/api/v1/me/freeze"))
        .bearer_auth(&user_token)
        .send()
        .await
        .expect("answered");
    assert_eq!(frozen.status(), 200);

    let mut agent = staff_browser(&app, &agent_token);
    for _ in 0..2 {
        let page = agent.get(&format!("/staff/tickets/{}", ticket.id)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("id=\"panel-events\""));
        assert!(page.body.contains("account.frozen"));
        assert!(page.body.contains("via=owner"), "{}", page.body);
    }
    let views: Vec<(String, String)> = app
        .running
        .store
        .audit_actions_about(&user_id)
        .await
        .expect("audit")
        .into_iter()
        .filter(|(_, action)| action == "ticket.customer_viewed")
        .collect();
    assert_eq!(views.len(), 2, "one audit row per view");
    assert!(views.iter().all(|(actor, _)| actor.contains(&agent_id)));

    // Finance staff are not agents; nobody signed out gets in.
    let mut finance = staff_browser(&app, &finance_token);
    assert_eq!(finance.get("/staff/tickets").await.status, 403);
    let refused = finance.get(&format!("/staff/tickets/{}", ticket.id)).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("staff_role_forbidden"));
    let csrf_page = finance.get("/staff").await;
    let token = csrf(&csrf_page);
    let reply = finance
        .post(
            &format!("/staff/tickets/{}/reply", ticket.id),
            &[("csrf_token", &token), ("body", "not mine to answer")],
        )
        .await;
    assert_eq!(reply.status, 403);
    let views_after: usize = app
        .running
        .store
        .audit_actions_about(&user_id)
        .await
        .expect("audit")
        .iter()
        .filter(|(_, action)| action == "ticket.customer_viewed")
        .count();
    assert_eq!(views_after, 2, "a refused view shows and records nothing");
    let signed_out = Browser::new(&app).get("/staff/tickets").await;
    assert_eq!(signed_out.status, 303);
    assert_eq!(signed_out.location.as_deref(), Some("/staff"));
    app.stop().await;
}

on_both_databases!(
    the_stolen_page_freezes_the_account_and_opens_a_security_ticket_without_signing_in
);
async fn the_stolen_page_freezes_the_account_and_opens_a_security_ticket_without_signing_in(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let _ = signed_in(&app, "stolen-page@example.com").await;
    let mut visitor = Browser::new(&app);
    let form = visitor.get("/stolen").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("My account was stolen"));
    let token = csrf(&form);
    let sent = visitor
        .post(
            "/stolen",
            &[("csrf_token", &token), ("login", "stolen-page@example.com")],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("id=\"stolen-code-sent\""));
    let wrong = visitor
        .post(
            "/stolen/confirm",
            &[
                ("csrf_token", &token),
                ("login", "stolen-page@example.com"),
                ("code", "000000"),
            ],
        )
        .await;
    assert!((400..500).contains(&wrong.status), "{}", wrong.status);
    assert!(wrong.body.contains("id=\"stolen-error\""));
    let messages = domain::notify::OutboxStore::recent_messages(&app.running.store, 50)
        .await
        .expect("outbox");
    let code = messages
        .iter()
        // Newest first: the fast lane's code, not the sign-up's.
        .find(|m| m.recipient == "stolen-page@example.com")
        .and_then(|m| {
            m.body
                .split(|c: char| !c.is_ascii_digit())
                .find(|word| word.len() == 6)
                .map(str::to_owned)
        })
        .expect("a code was sent");
    let confirmed = visitor
        .post(
            "/stolen/confirm",
            &[
                ("csrf_token", &token),
                ("login", "stolen-page@example.com"),
                ("code", &code),
                ("description", "Someone changed my password."),
            ],
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("id=\"stolen-frozen\""));
    let login = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "stolen-page@example.com", "password": "plum-orbit-canyon-17"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(login).await, "account_frozen");
    app.stop().await;
}

/// The question id a redirect to `/community/questions/{id}…` names.
fn question_in(location: &str) -> String {
    let start = location.find("q_").expect("a question id");
    location[start..]
        .split(['?', '/', '#'])
        .next()
        .expect("an id")
        .to_owned()
}

on_both_databases!(community_pages_ask_answer_accept_and_search_in_chinese_and_english);
async fn community_pages_ask_answer_accept_and_search_in_chinese_and_english(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (asker_token, _) = signed_in(&app, "asker@example.com").await;
    let (helper_token, _) = signed_in(&app, "helper@example.com").await;
    let (moderator_token, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let mut asker = user_browser(&app, &asker_token);
    let form = asker.get("/community/ask").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let token = csrf(&form);
    let too_short = asker
        .post(
            "/community/ask",
            &[("csrf_token", &token), ("title", "短"), ("body", "太短")],
        )
        .await;
    assert_eq!(too_short.status, 400, "{}", too_short.body);
    assert!(too_short.body.contains(r#"id="community-error""#));
    let asked = asker
        .post(
            "/community/ask",
            &[
                ("csrf_token", &token),
                ("title", "提现一直没有到账怎么办"),
                ("body", "我昨天提现到银行卡，到现在还没有收到钱。"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let chinese = question_in(asked.location.as_deref().expect("to the question"));
    let asked = asker
        .post(
            "/community/ask",
            &[
                ("csrf_token", &token),
                ("title", "How do I change my phone number?"),
                ("body", "I have a new phone and the old number is gone."),
            ],
        )
        .await;
    let english = question_in(asked.location.as_deref().expect("to the question"));

    // Another user answers the Chinese question; the asker accepts the answer.
    let mut helper = user_browser(&app, &helper_token);
    let page = helper.get(&format!("/community/questions/{chinese}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("提现一直没有到账怎么办"));
    let answered = helper
        .post(
            &format!("/community/questions/{chinese}/answer"),
            &[
                ("csrf_token", &csrf(&page)),
                (
                    "body",
                    "银行处理需要一到三个工作日，可以在交易记录里查看进度。",
                ),
            ],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let page = asker.get(&format!("/community/questions/{chinese}")).await;
    let answer_start = page.body.find(r#"data-answer="ans_"#).expect("an answer") + 13;
    let answer_id = page.body[answer_start..]
        .split('"')
        .next()
        .expect("an id")
        .to_owned();
    let accepted = asker
        .post(
            &format!("/community/questions/{chinese}/accept/{answer_id}"),
            &[("csrf_token", &csrf(&page))],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let page = Browser::new(&app)
        .get(&format!("/community/questions/{chinese}"))
        .await;
    assert!(page.body.contains(r#"data-accepted="true""#));
    assert!(
        page.body.contains(r#"id="sign-in-to-answer""#),
        "visitors see no forms"
    );

    // Search finds a question by its words in either language, and by its answer's words.
    let mut visitor = Browser::new(&app);
    let found = visitor
        .get("/community?q=%E6%8F%90%E7%8E%B0%E6%B2%A1%E5%88%B0%E8%B4%A6")
        .await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains(&chinese), "提现没到账 finds it");
    assert!(!found.body.contains(&english));
    let found = visitor.get("/community?q=changing+phone+numbers").await;
    assert!(found.body.contains(&english));
    assert!(!found.body.contains(&chinese));
    let by_answer = visitor
        .get("/community?q=%E5%B7%A5%E4%BD%9C%E6%97%A5")
        .await;
    assert!(by_answer.body.contains(&chinese), "工作日 is in the answer");
    let unanswered = visitor.get("/community?sort=unanswered").await;
    assert!(unanswered.body.contains(&english));
    assert!(!unanswered.body.contains(&chinese));
    assert_eq!(visitor.get("/community?sort=sideways").await.status, 400);

    // Staff hide the English question: it is gone from the page and from search.
    let mut moderator = staff_browser(&app, &moderator_token);
    let desk = moderator.get("/staff/community").await;
    assert_eq!(desk.status, 200, "{}", desk.body);
    assert!(desk.body.contains(r#"id="staff-name""#));
    let hidden = moderator
        .post(
            "/staff/community",
            &[
                ("csrf_token", &csrf(&desk)),
                ("target", &english),
                ("action", "hide"),
            ],
        )
        .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    assert_eq!(
        visitor
            .get(&format!("/community/questions/{english}"))
            .await
            .status,
        404
    );
    let found = visitor.get("/community?q=phone").await;
    assert!(!found.body.contains(&english));
    app.stop().await;
}

/// Asks a question on the page; answers its id.
async fn ask_on_page(browser: &mut Browser<'_>, title: &str, body: &str) -> String {
    let form = browser.get("/community/ask").await;
    let asked = browser
        .post(
            "/community/ask",
            &[
                ("csrf_token", &csrf(&form)),
                ("title", title),
                ("body", body),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    question_in(asked.location.as_deref().expect("to the question"))
}

/// Answers a question on the page; answers the answer's id.
async fn answer_on_page(browser: &mut Browser<'_>, question: &str, body: &str) -> String {
    let page = browser
        .get(&format!("/community/questions/{question}"))
        .await;
    let answered = browser
        .post(
            &format!("/community/questions/{question}/answer"),
            &[("csrf_token", &csrf(&page)), ("body", body)],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let page = browser
        .get(&format!("/community/questions/{question}"))
        .await;
    let start = page.body.rfind(r#"data-answer="ans_"#).expect("an answer") + 13;
    page.body[start..]
        .split('"')
        .next()
        .expect("an id")
        .to_owned()
}

async fn report_on_page(browser: &mut Browser<'_>, question: &str, target: &str, reason: &str) {
    let page = browser
        .get(&format!("/community/questions/{question}"))
        .await;
    let reported = browser
        .post(
            &format!("/community/questions/{question}/report/{target}"),
            &[("csrf_token", &csrf(&page)), ("reason", reason)],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
}

on_both_databases!(staff_hide_or_dismiss_reported_posts_from_the_queue_with_a_reason);
async fn staff_hide_or_dismiss_reported_posts_from_the_queue_with_a_reason(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (asker_token, _) = signed_in(&app, "queue-asker@example.com").await;
    let (helper_token, _) = signed_in(&app, "queue-helper@example.com").await;
    let (reporter_token, _) = signed_in(&app, "queue-reporter@example.com").await;
    let (agent_token, agent_id) = staff_signed_in(&app, StaffRole::Agent).await;
    let mut asker = user_browser(&app, &asker_token);
    let spam = ask_on_page(
        &mut asker,
        "Cheap top-up codes here",
        "Send money to my personal account for a discount.",
    )
    .await;
    let fine = ask_on_page(
        &mut asker,
        "How long does a withdrawal take?",
        "I withdrew to my bank card this morning.",
    )
    .await;
    let mut helper = user_browser(&app, &helper_token);
    let blunt = answer_on_page(
        &mut helper,
        &fine,
        "Read the help center, it says 1-3 days.",
    )
    .await;
    let mut reporter = user_browser(&app, &reporter_token);
    report_on_page(&mut reporter, &spam, &spam, "Scam: asks for money").await;
    report_on_page(&mut reporter, &fine, &blunt, "Rude answer").await;

    // The queue shows each reported post with its text and the reporter's reason.
    let mut desk = staff_browser(&app, &agent_token);
    let queue = desk.get("/staff/community").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains(r#"id="staff-name""#));
    assert!(queue.body.contains(&format!(r#"id="reported-{spam}""#)));
    assert!(queue.body.contains("Send money to my personal account"));
    assert!(queue.body.contains("Scam: asks for money"));
    assert!(queue.body.contains(&format!(r#"id="reported-{blunt}""#)));
    assert!(queue.body.contains("Rude answer"));

    // A decision needs a reason; the refusal is the page again with the error.
    let no_reason = desk
        .post(
            "/staff/community/reports",
            &[
                ("csrf_token", &csrf(&queue)),
                ("target", &spam),
                ("resolution", "hidden"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(no_reason.status, 400, "{}", no_reason.body);
    assert!(no_reason.body.contains(r#"id="staff-error""#));

    // Hidden: gone for users and from the queue.
    let hidden = desk
        .post(
            "/staff/community/reports",
            &[
                ("csrf_token", &csrf(&queue)),
                ("target", &spam),
                ("resolution", "hidden"),
                ("reason", "诈骗广告"),
            ],
        )
        .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    let visitor_sees = Browser::new(&app)
        .get(&format!("/community/questions/{spam}"))
        .await;
    assert_eq!(visitor_sees.status, 404);

    // Dismissed: the answer stays.
    let dismissed = desk
        .post(
            "/staff/community/reports",
            &[
                ("csrf_token", &csrf(&queue)),
                ("target", &blunt),
                ("resolution", "dismissed"),
                ("reason", "Blunt, not rude"),
            ],
        )
        .await;
    assert_eq!(dismissed.status, 303, "{}", dismissed.body);
    let thread = Browser::new(&app)
        .get(&format!("/community/questions/{fine}"))
        .await;
    assert!(thread.body.contains(&format!(r#"data-answer="{blunt}""#)));
    let queue = desk.get("/staff/community").await;
    assert!(
        queue.body.contains(r#"id="reports-none""#),
        "{}",
        queue.body
    );

    // A second decision on the same reports is told someone decided first.
    let late = desk
        .post(
            "/staff/community/reports",
            &[
                ("csrf_token", &csrf(&queue)),
                ("target", &blunt),
                ("resolution", "hidden"),
                ("reason", "Too late"),
            ],
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains(r#"id="staff-error""#));

    // Both decisions are in the audit log, by the agent.
    for (target, action) in [
        (&spam, "community.reports_hidden"),
        (&blunt, "community.reports_dismissed"),
    ] {
        let actions = app
            .running
            .store
            .audit_actions_about(target)
            .await
            .expect("the audit log");
        assert!(
            actions
                .iter()
                .any(|(actor, done)| done == action && actor.contains(&agent_id)),
            "{actions:?}"
        );
    }

    // Other roles are refused the desk.
    let (risk_token, _) = staff_signed_in(&app, StaffRole::Risk).await;
    let refused = staff_browser(&app, &risk_token)
        .get("/staff/community")
        .await;
    assert_eq!(refused.status, 403);
    app.stop().await;
}

on_both_databases!(staff_grant_and_revoke_badges_on_the_moderation_page);
async fn staff_grant_and_revoke_badges_on_the_moderation_page(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (helper_token, helper_id) = signed_in(&app, "badge-helper@example.com").await;
    let (admin_token, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let mut helper = user_browser(&app, &helper_token);
    let question = ask_on_page(
        &mut helper,
        "Which cards can top up?",
        "Do prepaid cards work for a top-up?",
    )
    .await;
    let mut desk = staff_browser(&app, &admin_token);
    desk.language = "zh-CN";
    let page = desk.get("/staff/community").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(r#"id="badges-none""#));
    let granted = desk
        .post(
            "/staff/community/badges",
            &[
                ("csrf_token", &csrf(&page)),
                ("user_id", &helper_id),
                ("badge", "expert"),
                ("action", "grant"),
            ],
        )
        .await;
    assert_eq!(granted.status, 303, "{}", granted.body);
    let page = desk.get("/staff/community").await;
    assert!(
        page.body
            .contains(&format!(r#"data-user="{helper_id}" data-badge="expert""#)),
        "{}",
        page.body
    );
    assert!(page.body.contains("专家"));
    let thread = Browser::new(&app)
        .get(&format!("/community/questions/{question}"))
        .await;
    assert!(thread.body.contains(r#"data-badge="expert""#));

    let revoked = desk
        .post(
            "/staff/community/badges",
            &[
                ("csrf_token", &csrf(&page)),
                ("user_id", &helper_id),
                ("badge", "expert"),
                ("action", "revoke"),
            ],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let thread = Browser::new(&app)
        .get(&format!("/community/questions/{question}"))
        .await;
    assert!(!thread.body.contains(r#"data-badge="expert""#));
    let bad = desk
        .post(
            "/staff/community/badges",
            &[
                ("csrf_token", &csrf(&page)),
                ("user_id", &helper_id),
                ("badge", "wizard"),
                ("action", "grant"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    let actions = app
        .running
        .store
        .audit_actions_about(&helper_id)
        .await
        .expect("the audit log");
    let done: Vec<&str> = actions.iter().map(|(_, action)| action.as_str()).collect();
    assert!(done.contains(&"community.badge_granted"), "{done:?}");
    assert!(done.contains(&"community.badge_revoked"), "{done:?}");
    app.stop().await;
}

on_both_databases!(community_search_rebuilds_only_when_posts_change_on_any_process);
async fn community_search_rebuilds_only_when_posts_change_on_any_process(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let other = app.another_process().await;
    let (asker_token, _) = signed_in(&app, "search-asker@example.com").await;
    let mut asker = user_browser(&app, &asker_token);
    let question = ask_on_page(
        &mut asker,
        "Frozen account after travel",
        "My account was frozen when I logged in abroad.",
    )
    .await;
    let builds = || app.running.community_search.builds();
    let mut visitor = Browser::new(&app);
    let found = visitor.get("/community?q=frozen").await;
    assert!(found.body.contains(&question));
    let built = builds();
    // Searching again with nothing changed reuses the index.
    for query in ["frozen", "abroad", "withdrawal"] {
        visitor.get(&format!("/community?q={query}")).await;
    }
    assert_eq!(builds(), built, "no change, no rebuild");

    // An answer posted through the other process: this one notices and finds it.
    let other_url = other.url();
    let page = app
        .client
        .get(format!("{other_url}/community/questions/{question}"))
        .header("cookie", format!("okpay_session={asker_token}"))
        .send()
        .await
        .expect("answered");
    let cookies: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let body = page.text().await.expect("a page");
    let token = {
        let marker = r#"name="csrf_token" value=""#;
        let start = body.find(marker).expect("a form") + marker.len();
        body[start..start + 64].to_owned()
    };
    let answered = app
        .client
        .post(format!("{other_url}/community/questions/{question}/answer"))
        .header(
            "cookie",
            [format!("okpay_session={asker_token}")]
                .into_iter()
                .chain(cookies)
                .collect::<Vec<_>>()
                .join("; "),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf_token={token}&body=Call+the+hotline%2C+they+unfroze+mine+in+minutes."
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(answered.status(), 303);
    let found = visitor.get("/community?q=hotline").await;
    assert!(found.body.contains(&question), "{}", found.body);
    assert_eq!(builds(), built + 1, "one rebuild for one change");

    // Hidden through the other process: gone from this one's search.
    let (moderator, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let hide = app
        .client
        .post(format!(
            "{other_url}/api/v1/staff/community/{question}/hide"
        ))
        .bearer_auth(&moderator)
        .json(&json!({"on": true}))
        .send()
        .await
        .expect("answered");
    assert_eq!(hide.status(), 204);
    let found = visitor.get("/community?q=hotline").await;
    assert!(!found.body.contains(&question));
    other.stop().await.expect("the other process stops");
    app.stop().await;
}

on_both_databases!(the_console_names_staff_and_assigns_from_a_list_of_active_agents);
async fn the_console_names_staff_and_assigns_from_a_list_of_active_agents(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, user_id) = signed_in(&app, "named-staff@example.com").await;
    let (li_token, li_id) =
        staff_signed_in_as(&app, Some("li.na@okpay.example"), StaffRole::Agent).await;
    let (_, wang_id) =
        staff_signed_in_as(&app, Some("wang.wei@okpay.example"), StaffRole::Agent).await;
    let (_, finance_id) =
        staff_signed_in_as(&app, Some("zhao.lei@okpay.example"), StaffRole::Finance).await;
    let mut ticket = stored_ticket(&user_id, Category::TopUp, TicketStatus::Open, now());
    ticket.transaction_id = Some("txn_0123456789abcdef0123456789abcdef".into());
    app.running
        .store
        .insert_ticket(&ticket)
        .await
        .expect("stored");
    let id = ticket.id.clone();

    let mut agent = staff_browser(&app, &li_token);
    let page = agent.get(&format!("/staff/tickets/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The transaction the ticket is about is labelled in the page's language, not "Txn".
    assert!(
        page.body.contains("<dt>Transaction</dt>") || page.body.contains("<dt>相关交易</dt>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<dt>Txn</dt>"), "{}", page.body);
    let header = section(&page.body, "id=\"staff-name\"", "<form");
    assert!(header.contains("Agent · li.na@okpay.example"), "{header}");
    // The customer panel names what the address is, not "@".
    assert!(
        page.body.contains(
            "<dt id=\"panel-address-label\">E-mail</dt><dd id=\"panel-address\">named-staff@example.com</dd>"
        ),
        "{}",
        page.body
    );
    assert!(!header.contains(&li_id), "{header}");
    let select = section(
        &page.body,
        "<select id=\"assign-to\" name=\"staff_id\"",
        "</select>",
    );
    assert!(
        select.contains(&format!(
            "<option value=\"{wang_id}\">wang.wei@okpay.example</option>"
        )),
        "{select}"
    );
    assert!(select.contains("li.na@okpay.example"), "{select}");
    assert!(
        !select.contains(&finance_id) && !select.contains("zhao.lei"),
        "only people who handle tickets are offered: {select}"
    );
    let token = csrf(&page);
    let refused = agent
        .post(
            &format!("/staff/tickets/{id}/assign"),
            &[("csrf_token", &token), ("staff_id", &finance_id)],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let assigned = agent
        .post(
            &format!("/staff/tickets/{id}/assign"),
            &[("csrf_token", &token), ("staff_id", &wang_id)],
        )
        .await;
    assert_eq!(assigned.status, 303, "{}", assigned.body);

    let page = agent.get(&format!("/staff/tickets/{id}")).await;
    let assignee = section(&page.body, "id=\"console-assignee\"", "</dd>");
    assert!(assignee.contains("wang.wei@okpay.example"), "{assignee}");
    assert!(
        !page.body.contains(&wang_id),
        "no raw staff id: {}",
        page.body
    );
    let queue = agent.get("/staff/tickets").await;
    assert!(
        queue.body.contains("<td>wang.wei@okpay.example</td>"),
        "{}",
        queue.body
    );
    assert!(!queue.body.contains(&wang_id), "{}", queue.body);

    agent.language = "zh-CN";
    let page = agent.get(&format!("/staff/tickets/{id}")).await;
    assert!(
        page.body.contains("<label for=\"assign-to\">转给</label>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<dt id=\"panel-address-label\">邮箱</dt>"),
        "{}",
        page.body
    );
    app.stop().await;
}

on_both_databases!(a_staff_member_created_with_a_name_is_called_by_it_in_the_console);
async fn a_staff_member_created_with_a_name_is_called_by_it_in_the_console(backend: Backend) {
    use domain::SecurityStore;
    use domain::staff::{StaffRecord, StaffStatus};

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, user_id) = signed_in(&app, "named-agents@example.com").await;
    // Wang Fang is added as `okpay staff create --name 王芳` adds her, and finishes her set-up.
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    let wang = accounts
        .create_staff(
            "wang.fang@okpay.example",
            Some(" 王芳 "),
            StaffRole::Agent,
            "zh-CN",
            now(),
        )
        .await
        .expect("created")
        .staff;
    assert_eq!(wang.name.as_deref(), Some("王芳"));
    app.running
        .store
        .activate_staff(&wang.id, "$argon2id$v=19$m=19456,t=2,p=1$unused$unused")
        .await
        .expect("set up");
    let stored = app
        .running
        .store
        .staff_by_id(&wang.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.display_name(), "王芳");
    let (li_token, _) = staff_member_signed_in(
        &app,
        StaffRecord {
            id: domain::ids::new_id("stf"),
            email: "li.na@okpay.example".into(),
            name: Some("Li Na".into()),
            role: StaffRole::Agent,
            password_hash: None,
            status: StaffStatus::Active,
            locale: "en".into(),
            created_at: now(),
        },
    )
    .await;
    // One added without a name is still called by their e-mail address.
    staff_signed_in_as(&app, Some("zhou.jie@okpay.example"), StaffRole::Agent).await;
    let ticket = stored_ticket(&user_id, Category::TopUp, TicketStatus::Open, now());
    app.running
        .store
        .insert_ticket(&ticket)
        .await
        .expect("stored");

    let mut agent = staff_browser(&app, &li_token);
    let page = agent.get(&format!("/staff/tickets/{}", ticket.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let header = section(&page.body, "id=\"staff-name\"", "<form");
    assert!(header.contains("Agent · Li Na"), "{header}");
    let select = section(
        &page.body,
        "<select id=\"assign-to\" name=\"staff_id\"",
        "</select>",
    );
    assert!(
        select.contains(&format!("<option value=\"{}\">王芳</option>", wang.id)),
        "{select}"
    );
    assert!(select.contains(">Li Na</option>"), "{select}");
    assert!(
        select.contains(">zhou.jie@okpay.example</option>"),
        "{select}"
    );
    assert!(!select.contains("wang.fang@"), "{select}");
    let assigned = agent
        .post(
            &format!("/staff/tickets/{}/assign", ticket.id),
            &[("csrf_token", &csrf(&page)), ("staff_id", &wang.id)],
        )
        .await;
    assert_eq!(assigned.status, 303, "{}", assigned.body);
    let page = agent.get(&format!("/staff/tickets/{}", ticket.id)).await;
    let assignee = section(&page.body, "id=\"console-assignee\"", "</dd>");
    assert!(assignee.contains("王芳"), "{assignee}");
    let queue = agent.get("/staff/tickets").await;
    assert!(queue.body.contains("<td>王芳</td>"), "{}", queue.body);
    app.stop().await;
}

/// The paths the staff navigation on `html` links to, in order.
fn staff_nav_links(html: &str) -> Vec<String> {
    section(html, "<nav class=\"staff-nav\"", "</nav>")
        .split("<a href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("a closed href")].to_owned())
        .collect()
}

on_both_databases!(the_agents_queue_and_ticket_pages_carry_the_staff_navigation);
async fn the_agents_queue_and_ticket_pages_carry_the_staff_navigation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, user_id) = signed_in(&app, "navigated@example.com").await;
    let (token, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let ticket = stored_ticket(&user_id, Category::TopUp, TicketStatus::Open, now());
    app.running
        .store
        .insert_ticket(&ticket)
        .await
        .expect("stored");
    let mut agent = staff_browser(&app, &token);
    // The same links as every other back-office page shows an agent, and its sign-out.
    let agents_links = [
        "/staff/users",
        "/staff/tickets",
        "/staff/chat",
        "/staff/community",
    ];
    for path in [
        "/staff/tickets".to_owned(),
        format!("/staff/tickets/{}", ticket.id),
    ] {
        let page = agent.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_eq!(staff_nav_links(&page.body), agents_links, "{path}");
        let nav = section(&page.body, "<nav class=\"staff-nav\"", "</nav>");
        assert!(nav.contains("action=\"/staff/logout\""), "{path}: {nav}");
    }
    // A change made on the ticket page is confirmed under the navigation, as on other pages.
    let page = agent.get(&format!("/staff/tickets/{}", ticket.id)).await;
    let claimed = agent
        .post(
            &format!("/staff/tickets/{}/claim", ticket.id),
            &[("csrf_token", &csrf(&page))],
        )
        .await;
    assert_eq!(claimed.status, 303, "{}", claimed.body);
    let location = claimed.location.expect("back to the ticket");
    let page = agent.get(&location).await;
    assert!(page.body.contains("id=\"staff-notice\""), "{}", page.body);
    agent.language = "zh-CN";
    let page = agent.get(&format!("/staff/tickets/{}", ticket.id)).await;
    assert_eq!(staff_nav_links(&page.body), agents_links);
    app.stop().await;
}

on_both_databases!(a_chinese_staff_page_names_the_member_s_role_in_chinese);
async fn a_chinese_staff_page_names_the_member_s_role_in_chinese(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let cases = [
        (StaffRole::Agent, "/staff/tickets", "客服", "Agent"),
        (StaffRole::Finance, "/staff/withdrawals", "财务", "Finance"),
        (StaffRole::Risk, "/staff/kyc", "风控", "Risk"),
        (StaffRole::Security, "/staff/users", "安全团队", "Security"),
        (StaffRole::Admin, "/staff/fx-rates", "管理员", "Admin"),
    ];
    for (number, (role, path, chinese, english)) in cases.into_iter().enumerate() {
        let email = format!("member{number}@okpay.test");
        let (token, _) = staff_signed_in_as(&app, Some(&email), role).await;
        let mut member = staff_browser(&app, &token);
        member.language = "zh-CN";
        let page = member.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let header = section(&page.body, "id=\"staff-name\"", "<form");
        assert!(
            header.contains(&format!("{chinese} · {email}")),
            "{path}: {header}"
        );
        assert!(!header.contains(role.name()), "{path}: {header}");
        member.language = "en";
        let page = member.get(path).await;
        let header = section(&page.body, "id=\"staff-name\"", "<form");
        assert!(
            header.contains(&format!("{english} · {email}")),
            "{path}: {header}"
        );
    }
    app.stop().await;
}

on_both_databases!(a_ticket_s_transaction_links_to_the_staff_view_of_that_transaction);
async fn a_ticket_s_transaction_links_to_the_staff_view_of_that_transaction(backend: Backend) {
    use domain::AuditStore;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = crate::wallet::person(&app, "linked-txn@example.com").await;
    let lei = crate::wallet::person(&app, "linked-txn-lei@example.com").await;
    let declined = crate::wallet::add_card(&app, &mei, "4000 0000 0000 0002").await;
    let refused = crate::wallet::top_up(&app, &mei, &declined, 2_500, "CNY").await;
    assert_eq!(refused.code(), "card_declined", "{}", refused.body);
    let failed_id = refused.body["error"]["transaction_id"]
        .as_str()
        .expect("the failed top-up's record")
        .to_owned();
    let mut ticket = stored_ticket(&mei.id, Category::TopUp, TicketStatus::Open, now());
    ticket.transaction_id = Some(failed_id.clone());
    app.running
        .store
        .insert_ticket(&ticket)
        .await
        .expect("stored");

    let (agent_token, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let mut agent = staff_browser(&app, &agent_token);
    let page = agent.get(&format!("/staff/tickets/{}", ticket.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let href = format!(
        "/staff/users/{}/transactions/{failed_id}?ticket={}",
        mei.id, ticket.id
    );
    let link = section(&page.body, "id=\"console-transaction\"", "</a>");
    assert!(
        page.body
            .contains(&format!("<a href=\"{href}\" id=\"console-transaction\"")),
        "{link}"
    );

    let audited_before = app
        .running
        .store
        .verify_audit()
        .await
        .expect("audit")
        .rows_checked;
    let detail = agent.get(&href).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    for expected in [
        failed_id.as_str(),
        mei.id.as_str(),
        "25.00 CNY",
        "data-status=\"failed\"",
        "data-type=\"topup\"",
        "id=\"record-failure-code\">card_declined<",
        &declined,
        "class=\"staff-nav\"",
        &format!("href=\"/staff/tickets/{}\"", ticket.id),
    ] {
        assert!(
            detail.body.contains(expected),
            "{expected}: {}",
            detail.body
        );
    }
    let timeline = section(&detail.body, "id=\"timeline\"", "</ol>");
    assert!(
        timeline.contains("data-status=\"processing\""),
        "{timeline}"
    );
    assert!(timeline.contains("data-status=\"failed\""), "{timeline}");
    let audited_after = app
        .running
        .store
        .verify_audit()
        .await
        .expect("audit")
        .rows_checked;
    assert_eq!(audited_after, audited_before + 1, "the look is audited");

    // In Chinese, with the user's explanation in Chinese.
    agent.language = "zh-CN";
    let chinese = agent.get(&href).await;
    assert_eq!(chinese.status, 200);
    assert!(chinese.body.contains("交易详情"), "{}", chinese.body);
    assert!(chinese.body.contains("失败原因"), "{}", chinese.body);
    agent.language = "en";

    // A transfer's counterparty links to the other user's record of it.
    let card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_eq!(
        crate::wallet::top_up(&app, &mei, &card, 10_000, "CNY")
            .await
            .status,
        201
    );
    let sent = crate::wallet::call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": lei.email, "amount": 1_000, "currency": "CNY"})),
        Some("linked-transfer"),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let transfer_id = sent.body["id"].as_str().expect("an id").to_owned();
    let sender_side = agent
        .get(&format!(
            "/staff/users/{}/transactions/{transfer_id}",
            mei.id
        ))
        .await;
    assert_eq!(sender_side.status, 200, "{}", sender_side.body);
    let other_side = format!("/staff/users/{}/transactions/{transfer_id}", lei.id);
    assert!(
        sender_side.body.contains(&format!("href=\"{other_side}\"")),
        "{}",
        sender_side.body
    );
    let receiver_side = agent.get(&other_side).await;
    assert_eq!(receiver_side.status, 200, "{}", receiver_side.body);
    assert!(
        receiver_side.body.contains(&mei.id),
        "{}",
        receiver_side.body
    );

    // Finance reads it too; an admin's role may not; an unknown one is 404.
    let (finance_token, _) = staff_signed_in(&app, StaffRole::Finance).await;
    let finance = staff_browser(&app, &finance_token).get(&href).await;
    assert_eq!(finance.status, 200, "{}", finance.body);
    let (admin_token, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let refused = staff_browser(&app, &admin_token).get(&href).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(!refused.body.contains("card_declined<"), "{}", refused.body);
    let missing = agent
        .get(&format!("/staff/users/{}/transactions/txn_nothing", mei.id))
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    let signed_out = Browser::new(&app).get(&href).await;
    assert_ne!(signed_out.status, 200);
    app.stop().await;
}

/// The text of `html` from `start` to the next `end`.
fn section<'h>(html: &'h str, start: &str, end: &str) -> &'h str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}
