//! The user community over HTTP, on both databases: ask, answer, vote, accept, report; the demo's
//! questions; and the staff report queue's API.

use std::sync::Arc;

use domain::community::{Badge, Community};
use domain::notify::OutboxStore;
use domain::staff::StaffRole;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

const PASSWORD: &str = "plum-orbit-canyon-17";

/// Registers, confirms and signs in `email`; answers its session token and user id.
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> (String, String) {
    let registered: Value = post(
        app,
        "/api/v1/auth/register",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await
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
    let verified = post(
        app,
        "/api/v1/auth/verify",
        None,
        json!({"email": email, "code": code}),
    )
    .await;
    assert_eq!(verified.status(), 200);
    let login: Value = post(
        app,
        "/api/v1/auth/login",
        None,
        json!({"login": email, "password": PASSWORD}),
    )
    .await
    .json()
    .await
    .expect("JSON");
    (
        login["token"].as_str().expect("a token").to_owned(),
        registered["user_id"].as_str().expect("an id").to_owned(),
    )
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("answered")
}

on_both_databases!(people_ask_answer_vote_and_accept_in_the_community);
async fn people_ask_answer_vote_and_accept_in_the_community(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (asker, _) = signed_in(&app, "asker@example.com").await;
    let (helper, helper_id) = signed_in(&app, "helper@example.com").await;

    let anonymous = post(
        &app,
        "/api/v1/community/questions",
        None,
        json!({"title": "提现多久到账？", "body": "我昨天提现到招商银行，现在还没到账。"}),
    )
    .await;
    assert_eq!(anonymous.status(), 401);

    let asked = post(
        &app,
        "/api/v1/community/questions",
        Some(&asker),
        json!({"title": "提现多久到账？", "body": "我昨天提现到招商银行，现在还没到账。"}),
    )
    .await;
    assert_eq!(asked.status(), 201);
    let question: Value = asked.json().await.expect("JSON");
    let question_id = question["id"].as_str().expect("an id").to_owned();
    assert!(question_id.starts_with("q_"));

    let answered = post(
        &app,
        &format!("/api/v1/community/questions/{question_id}/answers"),
        Some(&helper),
        json!({"body": "一般 1 到 3 个工作日，可以在交易详情里看进度。"}),
    )
    .await;
    assert_eq!(answered.status(), 201);
    let answer: Value = answered.json().await.expect("JSON");
    let answer_id = answer["id"].as_str().expect("an id").to_owned();

    let own = post(
        &app,
        "/api/v1/community/votes",
        Some(&helper),
        json!({"target_id": answer_id, "value": 1}),
    )
    .await;
    assert_eq!(own.status(), 403);
    assert_eq!(error_code(own).await, "community_own_post");
    let voted = post(
        &app,
        "/api/v1/community/votes",
        Some(&asker),
        json!({"target_id": answer_id, "value": 1}),
    )
    .await;
    assert_eq!(voted.status(), 200);
    assert_eq!(voted.json::<Value>().await.expect("JSON")["score"], 1);

    let not_author = post(
        &app,
        &format!("/api/v1/community/questions/{question_id}/accept"),
        Some(&helper),
        json!({"answer_id": answer_id}),
    )
    .await;
    assert_eq!(not_author.status(), 403);
    assert_eq!(error_code(not_author).await, "community_not_author");
    let accepted = post(
        &app,
        &format!("/api/v1/community/questions/{question_id}/accept"),
        Some(&asker),
        json!({"answer_id": answer_id}),
    )
    .await;
    assert_eq!(accepted.status(), 204);

    // Staff mark the helper an expert.
    let community = Community::new(Arc::new(app.running.store.clone()));
    community
        .grant_badge(&helper_id, Badge::Expert, "stf_admin", 0)
        .await
        .expect("granted");

    let thread: Value = app
        .get(&format!("/api/v1/community/questions/{question_id}"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(thread["question"]["answer_count"], 1);
    assert_eq!(thread["question"]["accepted_answer_id"], answer_id.as_str());
    assert_eq!(thread["answers"][0]["accepted"], true);
    assert_eq!(thread["answers"][0]["score"], 1);
    assert_eq!(thread["answers"][0]["author_badges"], json!(["expert"]));

    let list: Value = app
        .get("/api/v1/community/questions?limit=10")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(list["data"][0]["id"], question_id.as_str());
    assert_eq!(list["has_more"], false);
    assert_eq!(
        app.get("/api/v1/community/questions?limit=0")
            .await
            .status(),
        400
    );
    assert_eq!(
        app.get("/api/v1/community/questions/q_missing")
            .await
            .status(),
        404
    );

    community
        .set_locked(&question_id, true, "stf_mod")
        .await
        .expect("locked");
    let locked = post(
        &app,
        &format!("/api/v1/community/questions/{question_id}/answers"),
        Some(&helper),
        json!({"body": "另外，节假日会顺延。"}),
    )
    .await;
    assert_eq!(locked.status(), 409);
    assert_eq!(error_code(locked).await, "community_question_locked");

    let reported = post(
        &app,
        "/api/v1/community/reports",
        Some(&helper),
        json!({"target_id": question_id, "reason": "Duplicate"}),
    )
    .await;
    assert_eq!(reported.status(), 201);
    let short = post(
        &app,
        "/api/v1/community/questions",
        Some(&asker),
        json!({"title": "?", "body": "too short"}),
    )
    .await;
    assert_eq!(short.status(), 400);
    assert_eq!(
        short.json::<Value>().await.expect("JSON")["error"]["param"],
        "title"
    );
    app.stop().await;
}

on_both_databases!(
    a_fresh_demo_community_has_answered_questions_in_both_languages_and_loading_again_adds_none
);
async fn a_fresh_demo_community_has_answered_questions_in_both_languages_and_loading_again_adds_none(
    backend: Backend,
) {
    let Some(app) = crate::helpers::spawn_app_with(backend, |config| config.demo = true).await
    else {
        return;
    };
    let list: Value = app
        .get("/api/v1/community/questions?limit=100")
        .await
        .json()
        .await
        .expect("JSON");
    let questions = list["data"].as_array().expect("questions").clone();
    assert!(questions.len() >= 4, "{list}");
    let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let titles: Vec<&str> = questions
        .iter()
        .filter_map(|q| q["title"].as_str())
        .collect();
    assert!(titles.iter().any(|t| t.chars().any(is_cjk)), "{titles:?}");
    assert!(titles.iter().any(|t| t.is_ascii()), "{titles:?}");
    assert!(
        questions.iter().all(|q| q["author"]
            .as_str()
            .is_some_and(|a| a.starts_with("usr_demo_"))),
        "{list}"
    );
    let answered = questions
        .iter()
        .filter(|q| q["answer_count"].as_i64() > Some(0))
        .count();
    assert!(answered >= 3, "{list}");
    let accepted: Vec<&Value> = questions
        .iter()
        .filter(|q| q["accepted_answer_id"].is_string())
        .collect();
    assert_eq!(accepted.len(), 1, "{list}");
    let id = accepted[0]["id"].as_str().expect("an id");
    let thread: Value = app
        .get(&format!("/api/v1/community/questions/{id}"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(thread["answers"][0]["accepted"], true, "{thread}");

    let page = app
        .client
        .get(app.url("/community"))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("HTML");
    assert!(page.contains(titles[0]), "{page}");
    // People appear by their masked address, as on the other side of a transfer, not by id.
    assert!(!page.contains("usr_demo_"), "{page}");
    assert!(page.contains("***@demo.okpay.test"), "{page}");
    let english = app
        .client
        .get(app.url("/community"))
        .header("accept-language", "en")
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("HTML");
    assert!(
        english.contains("1 answer<") || english.contains("1 answer "),
        "{english}"
    );
    assert!(!english.contains("1 answers"), "{english}");
    assert!(!english.contains("1 votes"), "{english}");

    let again = app.okpay(&["demo"]);
    assert!(again.status.success(), "{again:?}");
    let after: Value = app
        .get("/api/v1/community/questions?limit=100")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        after["data"].as_array().map(Vec::len),
        Some(questions.len())
    );
    app.stop().await;
}

/// `GET` `path` with a bearer token, as JSON: the status and the body.
async fn staff_get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

on_both_databases!(
    staff_list_and_resolve_community_reports_over_the_api_with_a_reason_and_an_audit
);
async fn staff_list_and_resolve_community_reports_over_the_api_with_a_reason_and_an_audit(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (asker, _) = signed_in(&app, "api-queue-asker@example.com").await;
    let (helper, _) = signed_in(&app, "api-queue-helper@example.com").await;
    let (reporter, reporter_id) = signed_in(&app, "api-queue-reporter@example.com").await;
    let (agent, agent_id) = crate::tickets::staff_signed_in(&app, StaffRole::Agent).await;
    let (finance, _) = crate::tickets::staff_signed_in(&app, StaffRole::Finance).await;
    let ask = |title: &'static str, body: &'static str| {
        let asker = asker.clone();
        let app = &app;
        async move {
            let asked: Value = post(
                app,
                "/api/v1/community/questions",
                Some(&asker),
                json!({"title": title, "body": body}),
            )
            .await
            .json()
            .await
            .expect("JSON");
            asked["id"].as_str().expect("an id").to_owned()
        }
    };
    let spam = ask(
        "Cheap top-up codes here",
        "Send money to my account for a discount.",
    )
    .await;
    let fine = ask("提现一般多久到账？", "今天上午提现到了银行卡，还没有到账。").await;
    let answered: Value = post(
        &app,
        &format!("/api/v1/community/questions/{fine}/answers"),
        Some(&helper),
        json!({"body": "Read the help center, it says 1-3 days."}),
    )
    .await
    .json()
    .await
    .expect("JSON");
    let blunt = answered["id"].as_str().expect("an id").to_owned();
    for (target, reason) in [(&spam, "Scam: asks for money"), (&blunt, "Rude answer")] {
        let reported = post(
            &app,
            "/api/v1/community/reports",
            Some(&reporter),
            json!({"target_id": target, "reason": reason}),
        )
        .await;
        assert_eq!(reported.status(), 201);
    }

    // Only staff who moderate the community read the queue or resolve.
    let anonymous = app.get("/api/v1/staff/community/reports").await;
    assert_eq!(anonymous.status(), 401);
    let (status, body) = staff_get(&app, "/api/v1/staff/community/reports", &finance).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "staff_role_forbidden");
    let refused = post(
        &app,
        &format!("/api/v1/staff/community/reports/{spam}/resolve"),
        Some(&finance),
        json!({"resolution": "hidden", "reason": "诈骗广告"}),
    )
    .await;
    assert_eq!(refused.status(), 403);

    // The queue: each post with its text and its open reports, in the order first reported.
    let (status, queue) = staff_get(&app, "/api/v1/staff/community/reports", &agent).await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue["has_more"], false);
    let posts = queue["data"].as_array().expect("posts");
    assert_eq!(posts.len(), 2, "{queue}");
    assert_eq!(posts[0]["target_id"], spam.as_str());
    assert_eq!(posts[0]["target"], "question");
    assert_eq!(posts[0]["body"], "Send money to my account for a discount.");
    assert_eq!(posts[0]["reports"][0]["reason"], "Scam: asks for money");
    assert_eq!(posts[0]["reports"][0]["reporter"], reporter_id.as_str());
    assert_eq!(posts[1]["target_id"], blunt.as_str());
    assert_eq!(posts[1]["target"], "answer");
    assert_eq!(posts[1]["question_id"], fine.as_str());
    assert_eq!(posts[1]["question_title"], "提现一般多久到账？");
    let (_, first) = staff_get(&app, "/api/v1/staff/community/reports?limit=1", &agent).await;
    assert_eq!(first["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(first["has_more"], true);
    let (_, second) = staff_get(
        &app,
        &format!("/api/v1/staff/community/reports?limit=1&starting_after={spam}"),
        &agent,
    )
    .await;
    assert_eq!(second["data"][0]["target_id"], blunt.as_str());
    assert_eq!(second["has_more"], false);
    let (status, _) = staff_get(&app, "/api/v1/staff/community/reports?limit=0", &agent).await;
    assert_eq!(status, 400);

    // A decision needs a known resolution and a reason.
    for (body, param) in [
        (json!({"resolution": "hidden", "reason": " "}), "reason"),
        (
            json!({"resolution": "deleted", "reason": "诈骗广告"}),
            "resolution",
        ),
        (json!({"reason": "诈骗广告"}), "resolution"),
    ] {
        let refused = post(
            &app,
            &format!("/api/v1/staff/community/reports/{spam}/resolve"),
            Some(&agent),
            body,
        )
        .await;
        assert_eq!(refused.status(), 400);
        assert_eq!(
            refused.json::<Value>().await.expect("JSON")["error"]["param"],
            param
        );
    }

    // Hidden: gone for users. Dismissed: the answer stays.
    let hidden = post(
        &app,
        &format!("/api/v1/staff/community/reports/{spam}/resolve"),
        Some(&agent),
        json!({"resolution": "hidden", "reason": "诈骗广告"}),
    )
    .await;
    assert_eq!(hidden.status(), 200);
    let hidden: Value = hidden.json().await.expect("JSON");
    assert_eq!(
        hidden,
        json!({"target_id": spam, "resolution": "hidden", "reports_closed": 1})
    );
    assert_eq!(
        app.get(&format!("/api/v1/community/questions/{spam}"))
            .await
            .status(),
        404
    );
    let dismissed = post(
        &app,
        &format!("/api/v1/staff/community/reports/{blunt}/resolve"),
        Some(&agent),
        json!({"resolution": "dismissed", "reason": "Blunt, not rude"}),
    )
    .await;
    assert_eq!(dismissed.status(), 200);
    let thread: Value = app
        .get(&format!("/api/v1/community/questions/{fine}"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(thread["answers"][0]["id"], blunt.as_str());
    let (_, queue) = staff_get(&app, "/api/v1/staff/community/reports", &agent).await;
    assert_eq!(queue["data"], json!([]));

    // Someone decided first: the same 409 as the page.
    let late = post(
        &app,
        &format!("/api/v1/staff/community/reports/{blunt}/resolve"),
        Some(&agent),
        json!({"resolution": "hidden", "reason": "Too late"}),
    )
    .await;
    assert_eq!(late.status(), 409);
    assert_eq!(error_code(late).await, "community_reports_resolved");
    let not_a_post = post(
        &app,
        "/api/v1/staff/community/reports/usr_missing/resolve",
        Some(&agent),
        json!({"resolution": "hidden", "reason": "Not a post"}),
    )
    .await;
    assert_eq!(not_a_post.status(), 404);

    // Both decisions are in the audit log, by the agent, with the reason.
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
    app.stop().await;
}
