//! Saved cards are kept once per user: the same card added again answers the card already
//! saved (same id, expiry and holder brought up to date), over the API and on the cards page in
//! both languages, on both databases; a removed card added again is a new card.

use serde_json::json;

use crate::helpers::{Backend, on_both_databases};
use crate::pages::{Jar, csrf_token, get, post};
use crate::wallet::{Answer, Person, add_card, call, person};
use crate::wallet_pages::{app, signed_in};

async fn add(
    app: &crate::helpers::TestApp,
    who: &Person,
    number: &str,
    month: u32,
    holder: &str,
) -> Answer {
    call(
        app,
        who,
        "POST",
        "/api/v1/cards",
        Some(json!({"number": number, "exp_month": month, "exp_year": 2031, "cvc": "123", "holder_name": holder})),
        None,
    )
    .await
}

async fn card_ids(app: &crate::helpers::TestApp, who: &Person) -> Vec<String> {
    let listed = call(app, who, "GET", "/api/v1/cards", None, None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.body["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|card| card["id"].as_str().expect("an id").to_owned())
        .collect()
}

on_both_databases!(the_same_card_added_twice_is_one_card_with_one_id);
async fn the_same_card_added_twice_is_one_card_with_one_id(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let first = add_card(&app, &mei, "4000 0000 0000 0002").await;
    // Typed again with dashes instead of spaces: still the same number.
    let again = add(&app, &mei, "4000-0000-0000-0002", 12, "LI LEI").await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], first.as_str());
    assert_eq!(again.body["already_saved"], true);
    assert_eq!(again.body["updated"], false);
    assert_eq!(again.body["last4"], "0002");
    assert_eq!(card_ids(&app, &mei).await, vec![first.clone()]);
    assert!(!again.body.to_string().contains("4000000000000002"));

    // Another user saving the same card gets a card of their own.
    let lei = person(&app, "lei@example.com").await;
    let theirs = add_card(&app, &lei, "4000 0000 0000 0002").await;
    assert_ne!(theirs, first);
    assert_eq!(card_ids(&app, &mei).await, vec![first]);
}

on_both_databases!(a_card_added_again_with_a_new_expiry_and_name_updates_the_saved_card);
async fn a_card_added_again_with_a_new_expiry_and_name_updates_the_saved_card(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let first = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let renewed = add(&app, &mei, "4242 4242 4242 4242", 6, "MEI HAN").await;
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    assert_eq!(renewed.body["id"], first.as_str());
    assert_eq!(renewed.body["already_saved"], true);
    assert_eq!(renewed.body["updated"], true);
    let listed = call(&app, &mei, "GET", "/api/v1/cards", None, None).await;
    let cards = listed.body["data"].as_array().expect("a list");
    assert_eq!(cards.len(), 1, "{}", listed.body);
    assert_eq!(cards[0]["exp_month"], 6);
    assert_eq!(cards[0]["holder_name"], "MEI HAN");
    // The saved card still charges: its token was kept.
    let topped = crate::wallet::top_up(&app, &mei, &first, 1_000, "CNY").await;
    assert_eq!(topped.status, 201, "{}", topped.body);
}

on_both_databases!(a_removed_card_added_again_is_a_new_card);
async fn a_removed_card_added_again_is_a_new_card(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let first = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let removed = call(
        &app,
        &mei,
        "DELETE",
        &format!("/api/v1/cards/{first}"),
        None,
        None,
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let second = add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_ne!(second, first);
    assert_eq!(card_ids(&app, &mei).await, vec![second.clone()]);
    let third = add(&app, &mei, "4242 4242 4242 4242", 12, "LI LEI").await;
    assert_eq!(third.body["id"], second.as_str());
}

/// Posts the add-card form on `/wallet/cards` and follows the redirect to the page it names.
async fn add_on_page(
    app: &crate::helpers::TestApp,
    jar: &mut Jar,
    number: &str,
    holder: &str,
) -> (String, String) {
    let page = get(app, jar, "/wallet/cards").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let added = post(
        app,
        jar,
        "/wallet/cards",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("number", number),
            ("exp_month", "12"),
            ("exp_year", "2031"),
            ("cvc", "123"),
            ("holder_name", holder),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let location = added.location.expect("a redirect");
    let shown = get(app, jar, &location).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    (location, shown.body)
}

on_both_databases!(the_cards_page_says_in_both_languages_that_a_card_was_already_saved);
async fn the_cards_page_says_in_both_languages_that_a_card_was_already_saved(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let mut jar = signed_in(&app, &mei).await;
    let (first, body) = add_on_page(&app, &mut jar, "4000 0000 0000 0002", "LI LEI").await;
    assert!(first.contains("done=card_added"), "{first}");
    assert!(body.contains("Card added: Visa •••• 0002"), "{body}");

    let (again, body) = add_on_page(&app, &mut jar, "4000 0000 0000 0002", "LI LEI").await;
    assert!(again.contains("done=card_already_saved"), "{again}");
    assert_eq!(first.split("card=").nth(1), again.split("card=").nth(1));
    assert!(
        body.contains("This card was already saved, so it was not added again: Visa •••• 0002"),
        "{body}"
    );
    assert_eq!(
        body.matches(r#"card-last4">•••• 0002<"#).count(),
        1,
        "{body}"
    );

    // In Chinese, chosen with `?lang=` and remembered by its cookie.
    let chinese = get(&app, &mut jar, "/wallet/cards?lang=zh-CN").await;
    assert_eq!(chinese.status, 200);
    let (_, body) = add_on_page(&app, &mut jar, "4000 0000 0000 0002", "LI LEI").await;
    assert!(
        body.contains("这张银行卡已经保存过了，无需重复添加： Visa •••• 0002"),
        "{body}"
    );
    let (updated, body) = add_on_page(&app, &mut jar, "4000 0000 0000 0002", "HAN MEI").await;
    assert!(updated.contains("done=card_updated"), "{updated}");
    assert!(
        body.contains("这张银行卡已经保存过了，已更新有效期和持卡人姓名： Visa •••• 0002"),
        "{body}"
    );
    assert!(body.contains("HAN MEI"), "{body}");
}
