//! The support storage contract: contact channels, scam reports and announcements, each test
//! run against SQLite and against PostgreSQL through the domain's use cases.

use std::sync::Arc;

use domain::support::{
    AnnouncementDraft, ChannelDraft, EditError, ReportRequest, ReportStatus, Service, Support,
    SupportStore, Verdict,
};
use domain::{AuditStore, StoreError};
use store::Store;

/// Runs `$body` (an async fn taking a migrated `Store`) once per database, as two tests.
macro_rules! contract_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let (store, _dir) = crate::sqlite_store().await;
                super::$name(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(store) = crate::postgres_store().await {
                    super::$name(store).await;
                }
            }
        }
    };
}

async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("okpay.db").display()
    );
    let store = Store::connect(&url, 4).await.expect("SQLite opens");
    store.migrate().await.expect("migrations apply");
    (store, dir)
}

async fn postgres_store() -> Option<Store> {
    let url = store::scratch::test_postgres_database().await?;
    let store = Store::connect(&url, 4).await.expect("PostgreSQL connects");
    store.migrate().await.expect("migrations apply");
    Some(store)
}

/// 2026-11-23T10:00:00Z, a Monday: 18:00 in Shanghai.
const NOW: i64 = 1_795_428_000;
const HOUR: i64 = 3_600;

fn support(store: &Store) -> Support<Store> {
    Support::new(Arc::new(store.clone()))
}

fn maintenance(starts_at: i64, ends_at: i64) -> AnnouncementDraft {
    AnnouncementDraft {
        kind: "maintenance".into(),
        severity: "outage".into(),
        title_zh_cn: "银行卡充值系统维护".into(),
        title_en: "Card top-up maintenance".into(),
        body_zh_cn: "维护期间无法用银行卡充值。".into(),
        body_en: "Card top-ups are unavailable during the work.".into(),
        starts_at,
        ends_at: Some(ends_at),
        services: vec!["card_topup".into()],
        withdrawn: false,
    }
}

contract_test!(channels_are_seeded_once_and_edited_by_admins);
async fn channels_are_seeded_once_and_edited_by_admins(store: Store) {
    let support = support(&store);
    assert!(support.seed_defaults(NOW).await.expect("seeded"));
    let seeded = support.all_channels().await.expect("listed");
    assert!(seeded.len() >= 10);

    support
        .delete_channel("social_x", "stf_admin")
        .await
        .expect("the channel is deleted");
    let again = Support::new(Arc::new(
        store.connect_again().await.expect("a second pool"),
    ));
    assert!(
        !again.seed_defaults(NOW).await.expect("answered"),
        "a second start seeds nothing"
    );
    let listed = support.contact_channels(NOW).await.expect("listed");
    assert_eq!(
        listed.len(),
        seeded.len() - 1,
        "a deleted channel stays deleted"
    );
    assert!(matches!(
        support.delete_channel("social_x", "stf_admin").await,
        Err(EditError::NotFound)
    ));

    let mainland = listed
        .iter()
        .find(|listed| listed.channel.id == "hotline_mainland")
        .expect("the mainland hotline");
    assert!(
        mainland.openness.open_now,
        "09:00–21:00 Shanghai is open at 18:00"
    );
    assert_eq!(mainland.openness.next_change_at, Some(NOW + 3 * HOUR));

    let saved = support
        .save_channel(
            ChannelDraft {
                id: "hotline_mainland".into(),
                kind: "hotline".into(),
                value: "400 820 7777".into(),
                name_zh_cn: "客服热线".into(),
                name_en: "Hotline".into(),
                hours: "Asia/Shanghai mon-fri 09:00-17:00".into(),
                position: 5,
                enabled: true,
                ..ChannelDraft::default()
            },
            "stf_admin",
            NOW,
        )
        .await
        .expect("saved");
    assert_eq!(saved.value, "+864008207777");
    let listed = support.contact_channels(NOW).await.expect("listed");
    let mainland = &listed[0];
    assert_eq!(
        mainland.channel.id, "hotline_mainland",
        "position 5 sorts first"
    );
    assert!(!mainland.openness.open_now, "closed at 18:00 now");
    assert_eq!(
        support.check("4008207777").await.expect("checked").verdict,
        Verdict::Official
    );
    assert_eq!(
        support
            .check("400-820-6688")
            .await
            .expect("checked")
            .verdict,
        Verdict::NotOurs,
        "the old number is no longer ours"
    );

    let hidden = support
        .save_channel(
            ChannelDraft {
                enabled: false,
                ..ChannelDraft {
                    id: "hotline_mainland".into(),
                    kind: "hotline".into(),
                    value: "400 820 7777".into(),
                    name_zh_cn: "客服热线".into(),
                    name_en: "Hotline".into(),
                    hours: "always".into(),
                    ..ChannelDraft::default()
                }
            },
            "stf_admin",
            NOW,
        )
        .await
        .expect("saved");
    assert!(!hidden.enabled);
    assert_eq!(
        support.check("4008207777").await.expect("checked").verdict,
        Verdict::NotOurs,
        "a hidden channel is not vouched for"
    );
}

contract_test!(reports_count_until_staff_reject_them_and_say_confirmed_once_confirmed);
async fn reports_count_until_staff_reject_them_and_say_confirmed_once_confirmed(store: Store) {
    let support = support(&store);
    support.seed_defaults(NOW).await.expect("seeded");
    let report = |value: &str| ReportRequest {
        value: value.to_owned(),
        note: "They called me about a refund and asked for the code.".to_owned(),
        reporter: None,
    };
    let first = support
        .report_scam(report("+86 171 0000 1234"), NOW)
        .await
        .expect("filed");
    support
        .report_scam(report("17100001234"), NOW + 1)
        .await
        .expect("filed");
    let check = support.check("171-0000-1234").await.expect("checked");
    assert_eq!(check.verdict, Verdict::ReportedScam);
    assert_eq!((check.reports.pending, check.reports.confirmed), (2, 0));

    let pending = support
        .scam_reports(Some(ReportStatus::Pending), 10)
        .await
        .expect("listed");
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].key, "+8617100001234");

    let reviewed = support
        .review_report(&first.id, true, "stf_admin", "Known refund scam.", NOW + 60)
        .await
        .expect("reviewed");
    assert_eq!(reviewed.status, ReportStatus::Confirmed);
    assert_eq!(reviewed.reviewed_by.as_deref(), Some("stf_admin"));
    let check = support.check("+8617100001234").await.expect("checked");
    assert_eq!((check.reports.pending, check.reports.confirmed), (1, 1));

    // A reported site covers every address and page on it.
    let site = support
        .report_scam(report("https://login.okpay-refund.top/verify"), NOW)
        .await
        .expect("filed");
    let mail = support
        .check("service@okpay-refund.top")
        .await
        .expect("checked");
    assert_eq!(mail.verdict, Verdict::ReportedScam);
    assert_eq!(mail.resembles.as_deref(), Some("okpay"));
    support
        .review_report(&site.id, false, "stf_admin", "", NOW + 60)
        .await
        .expect("reviewed");
    assert_eq!(
        support
            .check("okpay-refund.top")
            .await
            .expect("checked")
            .verdict,
        Verdict::Lookalike,
        "a rejected report no longer counts"
    );

    assert!(matches!(
        support
            .review_report("rpt_missing", true, "stf_admin", "", NOW)
            .await,
        Err(EditError::NotFound)
    ));
    assert!(matches!(
        support.report_scam(report("support@okpay.com"), NOW).await,
        Err(domain::support::ReportError::Official)
    ));
}

contract_test!(announcements_keep_every_version_and_refuse_stale_edits);
async fn announcements_keep_every_version_and_refuse_stale_edits(store: Store) {
    let support = support(&store);
    let created = support
        .create_announcement(maintenance(NOW + HOUR, NOW + 3 * HOUR), "stf_admin", NOW)
        .await
        .expect("created");
    assert_eq!(created.version, 1);
    let mut later = maintenance(NOW + 2 * HOUR, NOW + 4 * HOUR);
    later.title_en = "Card top-up maintenance (moved)".into();
    let updated = support
        .update_announcement(&created.id, 1, later.clone(), "stf_other", NOW + 10)
        .await
        .expect("updated");
    assert_eq!(updated.version, 2);
    assert_eq!(updated.created_at, NOW);
    assert!(matches!(
        support
            .update_announcement(&created.id, 1, later.clone(), "stf_admin", NOW + 20)
            .await,
        Err(EditError::VersionConflict)
    ));
    assert!(matches!(
        support
            .update_announcement("ann_missing", 1, later, "stf_admin", NOW)
            .await,
        Err(EditError::NotFound)
    ));
    let history = support
        .announcement_history(&created.id)
        .await
        .expect("read");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].title_en, "Card top-up maintenance");
    assert_eq!(history[0].edited_by, "stf_admin");
    assert_eq!(history[1].title_en, "Card top-up maintenance (moved)");
    assert_eq!(
        support.announcement(&created.id).await.expect("read"),
        Some(updated.clone())
    );

    let audit = store.verify_audit().await.expect("checked");
    assert!(audit.is_intact());
    assert_eq!(audit.rows_checked, 2, "one audit row per saved version");

    // The version check holds in the store itself, for processes racing past the use case.
    let mut stale = updated.clone();
    stale.version = 2;
    assert!(matches!(
        store.update_announcement(&stale).await,
        Err(StoreError::Conflict { .. })
    ));
}

contract_test!(a_failure_during_maintenance_finds_the_notice_that_explains_it);
async fn a_failure_during_maintenance_finds_the_notice_that_explains_it(store: Store) {
    let support = support(&store);
    let notice = support
        .create_announcement(maintenance(NOW - HOUR, NOW + HOUR), "stf_admin", NOW)
        .await
        .expect("created");
    let mut withdrawn = maintenance(NOW - HOUR, NOW + HOUR);
    withdrawn.services = vec!["transfer".into()];
    withdrawn.withdrawn = true;
    support
        .create_announcement(withdrawn, "stf_admin", NOW)
        .await
        .expect("created");
    let explaining = support
        .announcement_explaining(Service::CardTopup, NOW)
        .await
        .expect("read");
    assert_eq!(explaining.map(|a| a.id), Some(notice.id.clone()));
    assert_eq!(
        support
            .announcement_explaining(Service::Transfer, NOW)
            .await
            .expect("read"),
        None,
        "withdrawn notices explain nothing"
    );
    assert_eq!(
        support
            .announcement_explaining(Service::CardTopup, NOW + 2 * HOUR)
            .await
            .expect("read"),
        None
    );
    let board = support.status_board(NOW).await.expect("read");
    assert_eq!(board.active.len(), 1);
    let card = board
        .services
        .iter()
        .find(|(service, _)| *service == Service::CardTopup)
        .expect("listed");
    assert_eq!(card.1.name(), "outage");
    let board = support.status_board(NOW + 2 * HOUR).await.expect("read");
    assert_eq!(board.recent.len(), 1, "ended an hour ago: recent past");
    assert!(board.active.is_empty());
}

mod community {
    use std::sync::Arc;

    use domain::AuditStore;
    use domain::community::{Badge, Community, CommunityError, PostDraft};
    use store::Store;

    use super::NOW;

    fn draft(title: &str) -> PostDraft {
        PostDraft {
            title: title.to_owned(),
            body: "My top-up failed with card_declined. What should I do?".to_owned(),
        }
    }

    contract_test!(questions_get_answers_votes_and_an_accepted_answer);
    async fn questions_get_answers_votes_and_an_accepted_answer(store: Store) {
        let community = Community::new(Arc::new(store.clone()));
        let question = community
            .ask("usr_asker", draft("Why was my top-up declined?"), NOW)
            .await
            .expect("asked");
        let first = community
            .answer(
                &question.id,
                "usr_helper",
                "Ask your bank to allow online payments.",
                NOW + 1,
            )
            .await
            .expect("answered");
        let second = community
            .answer(
                &question.id,
                "usr_expert",
                "Check the card's expiry date first.",
                NOW + 2,
            )
            .await
            .expect("answered");
        community
            .grant_badge("usr_expert", Badge::Expert, "stf_admin", NOW)
            .await
            .expect("granted");

        assert_eq!(
            community
                .vote(&first.id, "usr_a", 1, NOW)
                .await
                .expect("voted"),
            1
        );
        assert_eq!(
            community
                .vote(&first.id, "usr_b", 1, NOW)
                .await
                .expect("voted"),
            2
        );
        assert_eq!(
            community
                .vote(&first.id, "usr_b", 1, NOW)
                .await
                .expect("voted"),
            2,
            "voting twice counts once"
        );
        assert_eq!(
            community
                .vote(&first.id, "usr_b", -1, NOW)
                .await
                .expect("voted"),
            0
        );
        assert_eq!(
            community
                .vote(&first.id, "usr_b", 0, NOW)
                .await
                .expect("voted"),
            1
        );
        assert!(matches!(
            community.vote(&first.id, "usr_helper", 1, NOW).await,
            Err(CommunityError::OwnPost)
        ));
        assert_eq!(
            community
                .vote(&question.id, "usr_a", 1, NOW)
                .await
                .expect("voted"),
            1
        );

        assert!(matches!(
            community
                .accept(&question.id, Some(&second.id), "usr_helper")
                .await,
            Err(CommunityError::NotAuthor)
        ));
        community
            .accept(&question.id, Some(&second.id), "usr_asker")
            .await
            .expect("accepted");
        let thread = community.thread(&question.id).await.expect("read");
        assert_eq!(thread.question.item.answer_count, 2);
        assert_eq!(thread.question.item.score, 1);
        assert_eq!(
            thread.answers[0].item.id, second.id,
            "the accepted answer comes first"
        );
        assert_eq!(thread.answers[0].author_badges, vec![Badge::Expert]);
        assert_eq!(thread.answers[1].item.score, 1);

        let page = community.questions(None, 10).await.expect("listed");
        assert_eq!(page.questions.len(), 1);
        assert!(!page.has_more);
    }

    contract_test!(staff_and_reports_hide_and_lock_posts);
    async fn staff_and_reports_hide_and_lock_posts(store: Store) {
        let community = Community::new(Arc::new(store.clone()));
        let older = community
            .ask("usr_a", draft("How do I withdraw to my bank?"), NOW)
            .await
            .expect("asked");
        let spam = community
            .ask(
                "usr_spammer",
                draft("Cheap OKPay balance, contact me"),
                NOW + 1,
            )
            .await
            .expect("asked");
        let page = community.questions(None, 1).await.expect("listed");
        assert_eq!(page.questions[0].item.id, spam.id, "newest first");
        assert!(page.has_more);
        let next = community
            .questions(Some(&spam.id), 1)
            .await
            .expect("listed");
        assert_eq!(next.questions[0].item.id, older.id);

        for reporter in ["usr_1", "usr_2", "usr_3", "usr_4"] {
            community
                .report(&spam.id, reporter, "Selling balance", NOW)
                .await
                .expect("reported");
        }
        // One person reporting again does not count twice.
        community
            .report(&spam.id, "usr_4", "Still there", NOW)
            .await
            .expect("reported");
        assert!(community.thread(&spam.id).await.is_ok());
        community
            .report(&spam.id, "usr_5", "Scam", NOW)
            .await
            .expect("reported");
        assert!(
            matches!(
                community.thread(&spam.id).await,
                Err(CommunityError::NotFound)
            ),
            "five reporters hide a post"
        );
        community
            .set_hidden(&spam.id, false, "stf_mod")
            .await
            .expect("shown");
        assert!(community.thread(&spam.id).await.is_ok());

        community
            .set_locked(&older.id, true, "stf_mod")
            .await
            .expect("locked");
        assert!(matches!(
            community
                .answer(&older.id, "usr_b", "Use the withdrawal page.", NOW)
                .await,
            Err(CommunityError::Locked)
        ));
        assert!(matches!(
            community.vote(&older.id, "usr_b", 1, NOW).await,
            Err(CommunityError::Locked)
        ));
        assert!(matches!(
            community.ask("usr_a", PostDraft::default(), NOW).await,
            Err(CommunityError::Invalid { field: "title", .. })
        ));
        let audit = store.verify_audit().await.expect("checked");
        assert_eq!(audit.rows_checked, 2, "staff actions are audited");
    }
}

mod chat {
    use domain::chat::{ChatStore, Conversation, ConversationStatus, NewChatMessage, Side};
    use store::Store;

    fn conversation(id: &str) -> Conversation {
        Conversation {
            id: id.to_owned(),
            user_id: format!("usr_{id}"),
            agent_id: "stf_agent".to_owned(),
            status: ConversationStatus::Active,
            last_seq: 0,
            user_read_seq: 0,
            agent_read_seq: 0,
            created_at: super::NOW,
            updated_at: super::NOW,
            closed_at: None,
        }
    }

    fn message(conversation: &str, side: Side, client_id: &str, body: &str) -> NewChatMessage {
        NewChatMessage {
            conversation_id: conversation.to_owned(),
            sender: side,
            sender_id: "someone".to_owned(),
            client_id: client_id.to_owned(),
            body: body.to_owned(),
            created_at_ms: super::NOW * 1_000,
        }
    }

    contract_test!(a_batch_numbers_each_conversation_in_order_and_stores_a_repeat_once);
    async fn a_batch_numbers_each_conversation_in_order_and_stores_a_repeat_once(store: Store) {
        for id in ["cht_a", "cht_b", "cht_closed"] {
            store
                .insert_conversation(&conversation(id))
                .await
                .expect("stored");
        }
        store
            .close_conversation("cht_closed", super::NOW)
            .await
            .expect("closed");
        let (before, fresh) = store
            .append_message(&message("cht_a", Side::User, "u0", "first"))
            .await
            .expect("stored");
        assert_eq!((before.seq, fresh), (1, true));
        let batch = [
            message("cht_b", Side::Agent, "a1", "hello b"),
            message("cht_a", Side::User, "u1", "second"),
            message("cht_a", Side::User, "u0", "first, resent"),
            message("cht_closed", Side::User, "x1", "too late"),
            message("cht_a", Side::Agent, "a1", "third"),
            message("cht_a", Side::User, "u1", "second, twice in one batch"),
        ];
        let answers = store.append_messages(&batch).await.expect("the batch");
        let summary: Vec<Option<(String, i64, bool, String)>> = answers
            .into_iter()
            .map(|answer| {
                answer
                    .ok()
                    .map(|(stored, fresh)| (stored.conversation_id, stored.seq, fresh, stored.body))
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                Some(("cht_b".into(), 1, true, "hello b".into())),
                Some(("cht_a".into(), 2, true, "second".into())),
                Some(("cht_a".into(), 1, false, "first".into())),
                None,
                Some(("cht_a".into(), 3, true, "third".into())),
                Some(("cht_a".into(), 2, false, "second".into())),
            ]
        );
        let stored = store.messages_after("cht_a", 0, 10).await.expect("read");
        let bodies: Vec<(i64, &str)> = stored.iter().map(|m| (m.seq, m.body.as_str())).collect();
        assert_eq!(bodies, vec![(1, "first"), (2, "second"), (3, "third")]);
        let pulses = store
            .pulses(&["cht_a".to_owned(), "cht_b".to_owned()])
            .await
            .expect("read");
        let mut seqs: Vec<(String, i64)> = pulses.into_iter().map(|p| (p.id, p.last_seq)).collect();
        seqs.sort();
        assert_eq!(seqs, vec![("cht_a".into(), 3), ("cht_b".into(), 1)]);
    }
}
