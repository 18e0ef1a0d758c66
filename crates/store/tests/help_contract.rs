//! The help articles' storage contract, on SQLite and on PostgreSQL.

use domain::StoreError;
use domain::help::{ArticleRevision, HelpStore, Language, builtin_articles, load_articles};
use store::Store;

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

contract_test!(built_in_articles_are_seeded_once_and_edits_survive_a_restart);
async fn built_in_articles_are_seeded_once_and_edits_survive_a_restart(store: Store) {
    let builtin = builtin_articles().unwrap();
    let loaded = load_articles(&store, &builtin, 1_000).await.unwrap();
    assert_eq!(loaded.len(), builtin.len());

    let mut edited = loaded
        .iter()
        .find(|a| a.slug == "fees-overview" && a.language == Language::En)
        .unwrap()
        .clone();
    edited.title = "Every fee we charge".into();
    store
        .insert_help_revision(&ArticleRevision {
            slug: edited.slug.clone(),
            language: edited.language,
            revision: 2,
            source: edited.to_file(),
            edited_at: 2_000,
            edited_by: "usr_admin".into(),
        })
        .await
        .unwrap();

    // A second start seeds nothing and keeps the edit.
    assert_eq!(
        store
            .seed_help_articles(&[ArticleRevision {
                slug: "fees-overview".into(),
                language: Language::En,
                revision: 1,
                source: builtin[0].to_file(),
                edited_at: 3_000,
                edited_by: "system".into(),
            }])
            .await
            .unwrap(),
        0
    );
    let reloaded = load_articles(&store, &builtin, 3_000).await.unwrap();
    assert_eq!(reloaded.len(), builtin.len());
    let fees = reloaded
        .iter()
        .find(|a| a.slug == "fees-overview" && a.language == Language::En)
        .unwrap();
    assert_eq!(fees.title, "Every fee we charge");

    let history = store
        .help_article_history("fees-overview", Language::En)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|r| r.revision).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(history[0].edited_by, "usr_admin");
    assert_eq!(history[1].edited_by, "system");
}

contract_test!(a_revision_number_is_taken_only_once);
async fn a_revision_number_is_taken_only_once(store: Store) {
    let builtin = builtin_articles().unwrap();
    load_articles(&store, &builtin, 1_000).await.unwrap();
    let revision = ArticleRevision {
        slug: builtin[0].slug.clone(),
        language: builtin[0].language,
        revision: 1,
        source: builtin[0].to_file(),
        edited_at: 2_000,
        edited_by: "usr_admin".into(),
    };
    assert!(matches!(
        store.insert_help_revision(&revision).await,
        Err(StoreError::Conflict { .. })
    ));
}

contract_test!(helpful_answers_are_counted_per_article);
async fn helpful_answers_are_counted_per_article(store: Store) {
    assert_eq!(store.help_feedback("fees-overview").await.unwrap(), (0, 0));
    store
        .record_help_feedback("fees-overview", true)
        .await
        .unwrap();
    store
        .record_help_feedback("fees-overview", true)
        .await
        .unwrap();
    store
        .record_help_feedback("fees-overview", false)
        .await
        .unwrap();
    store
        .record_help_feedback("top-up-how-to", false)
        .await
        .unwrap();
    assert_eq!(store.help_feedback("fees-overview").await.unwrap(), (2, 1));
    assert_eq!(store.help_feedback("top-up-how-to").await.unwrap(), (0, 1));
}

/// Search is tested in `crates/search`; here only the catalog matters.
struct NoSearch;

impl domain::help::HelpSearch for NoSearch {
    fn search(&self, _: &str, _: Option<Language>, _: usize) -> Vec<domain::help::SearchHit> {
        Vec::new()
    }

    fn rebuild(&self, _: &[domain::help::Article]) -> Result<(), domain::help::SearchError> {
        Ok(())
    }
}

contract_test!(an_edit_is_saved_published_and_refused_when_stale_or_invalid);
async fn an_edit_is_saved_published_and_refused_when_stale_or_invalid(store: Store) {
    use domain::help::{EditError, HelpCatalog, HelpCenter, save_article};

    let builtin = builtin_articles().unwrap();
    let articles = load_articles(&store, &builtin, 1_000).await.unwrap();
    let center = HelpCenter::new(HelpCatalog::new(articles), std::sync::Arc::new(NoSearch));
    let mut edited = center
        .catalog()
        .article("account-locked", Language::ZhCn)
        .unwrap()
        .clone();
    edited.body.push_str("\n\n补充：锁定期间资金安全。");

    let revision = save_article(&store, &center, edited.clone(), 1, "usr_admin", 2_000)
        .await
        .unwrap();
    assert_eq!(revision, 2);
    assert!(
        center
            .catalog()
            .article("account-locked", Language::ZhCn)
            .unwrap()
            .body
            .ends_with("补充：锁定期间资金安全。")
    );

    // Someone who opened revision 1 and saves now would overwrite revision 2 unseen: refused.
    let stale = save_article(&store, &center, edited.clone(), 1, "usr_other", 2_100).await;
    assert!(matches!(stale, Err(EditError::Stale { current: 2 })));

    let mut invalid = edited;
    invalid.category = "nowhere".into();
    let refused = save_article(&store, &center, invalid, 2, "usr_admin", 2_200).await;
    assert!(matches!(refused, Err(EditError::Invalid(_))));
    assert_eq!(
        store
            .help_article_history("account-locked", Language::ZhCn)
            .await
            .unwrap()
            .len(),
        2
    );
}
