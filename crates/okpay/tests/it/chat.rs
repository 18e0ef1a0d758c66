//! Live chat over HTTP and WebSocket on both databases: a socket dropped and reopened mid-conversation receives every message exactly once and in order, resent messages count once, typing and read marks travel (between processes too), and a chat outside service hours or with no agent free becomes one ticket however often it is retried.

use std::sync::Arc;
use std::time::Duration;

use domain::staff::StaffRole;
use domain::support::{ChannelDraft, Support};
use okpay::chat_bench::ChatSocket;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};
use crate::tickets::{signed_in, staff_signed_in};

/// Generous: the CI machine is slow, and every wait ends as soon as its frame arrives.
const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// Sets the live-chat channel's service hours as an admin would.
pub async fn set_live_chat_hours(app: &TestApp, hours: &str) {
    Support::new(Arc::new(app.running.store.clone()))
        .save_channel(
            ChannelDraft {
                id: "live_chat".into(),
                kind: "live_chat".into(),
                value: "/chat".into(),
                display: Some("在线客服".into()),
                name_zh_cn: "在线客服".into(),
                name_en: "Live chat".into(),
                note_zh_cn: "登录后即可与客服对话。".into(),
                note_en: "Chat with an agent once signed in.".into(),
                hours: hours.into(),
                position: 50,
                enabled: true,
                ..Default::default()
            },
            "stf_admin",
            now(),
        )
        .await
        .expect("the live-chat channel saved");
}

/// Hours that are closed now: one minute on the weekday three days from today in Shanghai.
fn hours_closed_now() -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    // 1970-01-01 was a Thursday (index 3 from Monday).
    let shanghai_day = (now() + 8 * 3_600).div_euclid(86_400);
    let today = (shanghai_day + 3).rem_euclid(7) as usize;
    format!("Asia/Shanghai {} 00:00-00:01", DAYS[(today + 3) % 7])
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Accept-Language", "en")
        .json(&body)
        .send()
        .await
        .expect("answered")
}

/// An agent taking chats, and a user whose chat they were given; answers the user's token,
/// the agent's token and the conversation id.
pub async fn chat_under_way(app: &TestApp, email: &str) -> (String, String, String) {
    set_live_chat_hours(app, "always").await;
    let (agent, _) = staff_signed_in(app, StaffRole::Agent).await;
    let available = post(
        app,
        "/api/v1/staff/chat/availability",
        &agent,
        json!({"available": true}),
    )
    .await;
    assert_eq!(available.status(), 200);
    let (user, _) = signed_in(app, email).await;
    let started = post(
        app,
        "/api/v1/chat",
        &user,
        json!({"message": "My top-up failed"}),
    )
    .await;
    assert_eq!(started.status(), 201);
    let started: Value = started.json().await.expect("JSON");
    assert_eq!(started["status"], "chat");
    let id = started["conversation"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    (user, agent, id)
}

async fn user_socket(app: &TestApp, token: &str, id: &str, after: i64) -> ChatSocket {
    let mut socket = ChatSocket::connect(&app.base_url, "/api/v1/chat/ws", token, id, after)
        .await
        .expect("the user's socket opens");
    let hello = socket.next_of("hello", WAIT).await.expect("a hello");
    assert_eq!(hello["you"], "user");
    socket
}

async fn agent_socket(app: &TestApp, token: &str, id: &str, after: i64) -> ChatSocket {
    let mut socket = ChatSocket::connect(&app.base_url, "/api/v1/staff/chat/ws", token, id, after)
        .await
        .expect("the agent's socket opens");
    let hello = socket.next_of("hello", WAIT).await.expect("a hello");
    assert_eq!(hello["you"], "agent");
    socket
}

/// Sends a message and waits for its ack; messages that arrive meanwhile go to `seen`.
async fn send(
    socket: &mut ChatSocket,
    client_id: &str,
    body: &str,
    seen: &mut Vec<(i64, String)>,
) -> i64 {
    socket
        .send(&json!({"type": "send", "client_id": client_id, "body": body}))
        .await
        .expect("sent");
    loop {
        let frame = socket.next(WAIT).await.expect("an ack");
        match frame["type"].as_str() {
            Some("ack") => {
                assert_eq!(frame["client_id"], client_id);
                return frame["seq"].as_i64().expect("a seq");
            }
            Some("message") => seen.push(message_of(&frame)),
            _ => {}
        }
    }
}

fn message_of(frame: &Value) -> (i64, String) {
    (
        frame["seq"].as_i64().expect("a seq"),
        frame["body"].as_str().expect("a body").to_owned(),
    )
}

/// Receives messages into `seen` until it holds the one with `seq`.
async fn receive_until(socket: &mut ChatSocket, seen: &mut Vec<(i64, String)>, seq: i64) {
    while seen.last().is_none_or(|(last, _)| *last < seq) {
        let frame = socket.next_of("message", WAIT).await.expect("a message");
        seen.push(message_of(&frame));
    }
}

async fn a_dropped_socket_resumes_with_every_message_once_and_in_order(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user, agent, id) = chat_under_way(&app, "resume@example.com").await;
    let mut user_side = user_socket(&app, &user, &id, 0).await;
    let mut agent_side = agent_socket(&app, &agent, &id, 0).await;
    let mut seen: Vec<(i64, String)> = Vec::new();
    receive_until(&mut user_side, &mut seen, 1).await;
    assert_eq!(seen, vec![(1, "My top-up failed".to_owned())]);
    let mut agent_seen = Vec::new();
    receive_until(&mut agent_side, &mut agent_seen, 1).await;

    // Typing and read marks reach the other side only.
    user_side
        .send(&json!({"type": "typing"}))
        .await
        .expect("sent");
    let typing = agent_side.next_of("typing", WAIT).await.expect("typing");
    assert_eq!(typing["from"], "user");

    // The agent writes three messages; the user reads them, then its connection drops.
    let mut last = 0;
    for n in 1..=3 {
        last = send(
            &mut agent_side,
            &format!("a{n}"),
            &format!("answer {n}"),
            &mut agent_seen,
        )
        .await;
    }
    receive_until(&mut user_side, &mut seen, last).await;
    let user_message = send(&mut user_side, "u1", "Card ending 4242", &mut seen).await;
    receive_until(&mut user_side, &mut seen, user_message).await;
    agent_side
        .send(&json!({"type": "read", "seq": user_message}))
        .await
        .expect("sent");
    let read = user_side.next_of("read", WAIT).await.expect("a read mark");
    assert_eq!(read["from"], "agent");
    assert_eq!(read["seq"], user_message);
    let seen_before_drop = seen.last().expect("some").0;
    user_side.drop_connection();

    // While the user is away the agent goes on writing.
    for n in 4..=7 {
        last = send(
            &mut agent_side,
            &format!("a{n}"),
            &format!("answer {n}"),
            &mut agent_seen,
        )
        .await;
    }

    // The user comes back saying the last seq it saw, resends its last message (as a client
    // unsure it got through does) and receives what it missed, once each.
    let mut user_side = user_socket(&app, &user, &id, seen_before_drop).await;
    let resent = send(&mut user_side, "u1", "Card ending 4242", &mut seen).await;
    assert_eq!(resent, user_message, "a resent message is stored once");
    receive_until(&mut user_side, &mut seen, last).await;
    let after_return = send(&mut user_side, "u2", "Thanks!", &mut seen).await;
    receive_until(&mut user_side, &mut seen, after_return).await;

    let seqs: Vec<i64> = seen.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=after_return).collect::<Vec<_>>());
    let bodies: Vec<&str> = seen.iter().map(|(_, body)| body.as_str()).collect();
    assert_eq!(
        bodies,
        vec![
            "My top-up failed",
            "answer 1",
            "answer 2",
            "answer 3",
            "Card ending 4242",
            "answer 4",
            "answer 5",
            "answer 6",
            "answer 7",
            "Thanks!"
        ]
    );

    // The history says the same, for either side, and nobody else sees it.
    let history: Value = app
        .client
        .get(app.url(&format!("/api/v1/chat/{id}/messages?after=0")))
        .bearer_auth(&user)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        history["messages"].as_array().expect("a list").len() as i64,
        after_return
    );
    assert_eq!(history["conversation"]["user_read_seq"], 0);
    assert_eq!(history["conversation"]["agent_read_seq"], user_message);
    let (stranger, _) = signed_in(&app, "stranger@example.com").await;
    let refused = app
        .client
        .get(app.url(&format!("/api/v1/chat/{id}/messages")))
        .bearer_auth(&stranger)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 404);
    assert!(
        ChatSocket::connect(&app.base_url, "/api/v1/chat/ws", &stranger, &id, 0)
            .await
            .is_err(),
        "a stranger's socket is refused"
    );

    // The agent ends the chat: both sides are told, and nothing more can be sent.
    agent_side
        .send(&json!({"type": "close"}))
        .await
        .expect("sent");
    assert!(user_side.next_of("closed", WAIT).await.is_some());
    let mut late = user_socket(&app, &user, &id, after_return).await;
    assert!(late.next_of("closed", WAIT).await.is_some());
    let gone = app
        .client
        .get(app.url("/api/v1/chat"))
        .bearer_auth(&user)
        .send()
        .await
        .expect("answered");
    assert_eq!(gone.status(), 404);
    app.stop().await;
}
on_both_databases!(a_dropped_socket_resumes_with_every_message_once_and_in_order);

async fn a_chat_outside_hours_or_with_no_agent_free_becomes_a_ticket(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user, _) = signed_in(&app, "after-hours@example.com").await;

    set_live_chat_hours(&app, &hours_closed_now()).await;
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    post(
        &app,
        "/api/v1/staff/chat/availability",
        &agent,
        json!({"available": true}),
    )
    .await;
    let answer = post(
        &app,
        "/api/v1/chat",
        &user,
        json!({"message": "Where is my withdrawal?"}),
    )
    .await;
    assert_eq!(answer.status(), 202);
    let answer: Value = answer.json().await.expect("JSON");
    assert_eq!(answer["status"], "ticket");
    assert_eq!(answer["reason"], "outside_hours");
    let ticket_id = answer["ticket_id"].as_str().expect("a ticket").to_owned();
    let ticket: Value = app
        .client
        .get(app.url(&format!("/api/v1/tickets/{ticket_id}")))
        .bearer_auth(&user)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(ticket["description"], "Where is my withdrawal?");

    // Open, but the only agent paused: a ticket again.
    set_live_chat_hours(&app, "always").await;
    post(
        &app,
        "/api/v1/staff/chat/availability",
        &agent,
        json!({"available": false}),
    )
    .await;
    let answer: Value = post(&app, "/api/v1/chat", &user, json!({"message": "Hello?"}))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["status"], "ticket");
    assert_eq!(answer["reason"], "no_agent_free");
    let tickets: Value = app
        .client
        .get(app.url("/api/v1/tickets"))
        .bearer_auth(&user)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        tickets["data"].as_array().map(Vec::len),
        Some(2),
        "{tickets}"
    );

    // Bad input is a 400 with its field; another role is refused the agents' routes.
    let empty = post(&app, "/api/v1/chat", &user, json!({"message": "  "})).await;
    assert_eq!(empty.status(), 400);
    assert_eq!(error_code(empty).await, "invalid_request");
    let (security, _) = staff_signed_in(&app, StaffRole::Security).await;
    let refused = post(
        &app,
        "/api/v1/staff/chat/availability",
        &security,
        json!({"available": true}),
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "staff_role_forbidden");
    let anonymous = app
        .client
        .post(app.url("/api/v1/chat"))
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}
on_both_databases!(a_chat_outside_hours_or_with_no_agent_free_becomes_a_ticket);

async fn messages_sent_at_once_from_both_sides_arrive_once_each_in_one_order(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (user, agent, id) = chat_under_way(&app, "burst@example.com").await;
    let mut user_side = user_socket(&app, &user, &id, 0).await;
    let mut agent_side = agent_socket(&app, &agent, &id, 0).await;
    // Neither side waits for an ack: the writer stores them in batches.
    for n in 0..20 {
        user_side
            .send(
                &json!({"type": "send", "client_id": format!("u{n}"), "body": format!("user {n}")}),
            )
            .await
            .expect("sent");
        agent_side
            .send(&json!({"type": "send", "client_id": format!("a{n}"), "body": format!("agent {n}")}))
            .await
            .expect("sent");
    }
    let mut user_seen = Vec::new();
    receive_until(&mut user_side, &mut user_seen, 41).await;
    let mut agent_seen = Vec::new();
    receive_until(&mut agent_side, &mut agent_seen, 41).await;
    assert_eq!(
        user_seen.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=41).collect::<Vec<_>>()
    );
    assert_eq!(user_seen, agent_seen, "both sides see one order");
    // Each side's own messages keep the order they were sent in.
    let users: Vec<&str> = user_seen
        .iter()
        .map(|(_, body)| body.as_str())
        .filter(|body| body.starts_with("user "))
        .collect();
    assert_eq!(
        users,
        (0..20).map(|n| format!("user {n}")).collect::<Vec<_>>()
    );
    app.stop().await;
}
on_both_databases!(messages_sent_at_once_from_both_sides_arrive_once_each_in_one_order);

async fn tickets_of(app: &TestApp, user: &str) -> Vec<String> {
    let tickets: Value = app
        .client
        .get(app.url("/api/v1/tickets"))
        .bearer_auth(user)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    tickets["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|ticket| ticket["id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn start_chat(app: &TestApp, user: &str, key: Option<&str>, message: &str) -> String {
    let mut request = app
        .client
        .post(app.url("/api/v1/chat"))
        .bearer_auth(user)
        .json(&json!({ "message": message }));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let answer = request.send().await.expect("answered");
    assert_eq!(answer.status(), 202);
    let answer: Value = answer.json().await.expect("JSON");
    assert_eq!(answer["status"], "ticket");
    answer["ticket_id"].as_str().expect("a ticket").to_owned()
}

async fn a_retried_fallback_answers_the_ticket_the_first_request_opened(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    set_live_chat_hours(&app, &hours_closed_now()).await;
    let (user, _) = signed_in(&app, "retry-fallback@example.com").await;

    // The same key sent twice at once, as a client retrying a request that timed out.
    let (first, second) = tokio::join!(
        start_chat(&app, &user, Some("req-1"), "Where is my withdrawal?"),
        start_chat(&app, &user, Some("req-1"), "Where is my withdrawal?"),
    );
    assert_eq!(first, second);
    assert_eq!(tickets_of(&app, &user).await, vec![first.clone()]);

    // Without a key the message itself is the key: the same words, the same ticket.
    let plain = start_chat(&app, &user, None, "My card was charged twice").await;
    let again = start_chat(&app, &user, None, "My card was charged twice").await;
    assert_eq!(plain, again);
    let other = start_chat(&app, &user, None, "And my limit looks wrong").await;
    assert_ne!(other, plain);
    assert_eq!(tickets_of(&app, &user).await.len(), 3);

    // Once that ticket is solved, the same words are a new matter and open a new ticket.
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let solved = post(
        &app,
        &format!("/api/v1/staff/tickets/{plain}/status"),
        &agent,
        json!({"status": "solved"}),
    )
    .await;
    assert_eq!(
        solved.status(),
        200,
        "{}",
        solved.text().await.unwrap_or_default()
    );
    let after_solved = start_chat(&app, &user, None, "My card was charged twice").await;
    assert_ne!(after_solved, plain);
    assert_eq!(tickets_of(&app, &user).await.len(), 4);

    // A key that is not a key is refused with its field.
    let bad = app
        .client
        .post(app.url("/api/v1/chat"))
        .bearer_auth(&user)
        .header("Idempotency-Key", "k".repeat(101))
        .json(&json!({"message": "hello"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(bad.status(), 400);
    assert_eq!(error_code(bad).await, "invalid_request");
    app.stop().await;
}
on_both_databases!(a_retried_fallback_answers_the_ticket_the_first_request_opened);

/// The next frame of `kind` from `from`, skipping others.
async fn next_from(socket: &mut ChatSocket, kind: &str, from: &str) -> Value {
    loop {
        let frame = socket
            .next_of(kind, WAIT)
            .await
            .unwrap_or_else(|| panic!("a {kind} frame from the {from}"));
        if frame["from"] == from {
            return frame;
        }
    }
}

async fn typing_and_read_marks_reach_a_socket_on_another_process(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let other = app.another_process().await;
    let (user, agent, id) = chat_under_way(&app, "two-processes@example.com").await;
    // The user on this process, the agent on the other.
    let mut user_side = user_socket(&app, &user, &id, 0).await;
    let mut agent_side = {
        let mut socket = ChatSocket::connect(&other.url(), "/api/v1/staff/chat/ws", &agent, &id, 0)
            .await
            .expect("the agent's socket opens on the other process");
        socket.next_of("hello", WAIT).await.expect("a hello");
        socket
    };
    let first = agent_side
        .next_of("message", WAIT)
        .await
        .expect("the first message");
    assert_eq!(first["seq"], 1);

    user_side
        .send(&json!({"type": "typing"}))
        .await
        .expect("sent");
    next_from(&mut agent_side, "typing", "user").await;
    let mut seen = Vec::new();
    let seq = send(&mut user_side, "u-1", "Still waiting", &mut seen).await;
    let message = agent_side
        .next_of("message", WAIT)
        .await
        .expect("the message");
    assert_eq!(message["seq"], seq);
    assert_eq!(message["body"], "Still waiting");

    agent_side
        .send(&json!({"type": "typing"}))
        .await
        .expect("sent");
    next_from(&mut user_side, "typing", "agent").await;
    agent_side
        .send(&json!({"type": "read", "seq": seq}))
        .await
        .expect("sent");
    let read = next_from(&mut user_side, "read", "agent").await;
    assert_eq!(read["seq"], seq);
    user_side
        .send(&json!({"type": "read", "seq": 1}))
        .await
        .expect("sent");
    let read = next_from(&mut agent_side, "read", "user").await;
    assert_eq!(read["seq"], 1);

    // Closing on one process closes the socket on the other.
    user_side
        .send(&json!({"type": "close"}))
        .await
        .expect("sent");
    agent_side.next_of("closed", WAIT).await.expect("closed");
    other.stop().await.expect("the other process stops");
    app.stop().await;
}
on_both_databases!(typing_and_read_marks_reach_a_socket_on_another_process);

async fn the_agents_chat_desk_shows_the_staff_header_and_navigation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let desk = app
        .client
        .get(app.url("/staff/chat"))
        .header("accept", "text/html")
        .header("accept-language", "zh-CN")
        .header("cookie", format!("okpay_staff_session={agent}"))
        .send()
        .await
        .expect("answered");
    assert_eq!(desk.status(), 200);
    let body = desk.text().await.expect("a page");
    assert!(body.contains(r#"id="staff-name""#), "{body}");
    assert!(body.contains(r#"<nav class="staff-nav""#), "{body}");
    assert!(
        body.contains(r#"<a href="/staff/tickets">工单</a>"#),
        "{body}"
    );
    assert!(!body.contains(r#"href="/register""#), "{body}");
    let (security, _) = staff_signed_in(&app, StaffRole::Security).await;
    let refused = app
        .client
        .get(app.url("/staff/chat"))
        .header("accept", "text/html")
        .header("cookie", format!("okpay_staff_session={security}"))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 403);
    app.stop().await;
}
on_both_databases!(the_agents_chat_desk_shows_the_staff_header_and_navigation);
