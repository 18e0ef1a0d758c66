//! The storage contract: every test here runs against SQLite and against PostgreSQL.

use std::sync::Arc;

use domain::{Ledger, LedgerError, LedgerStore, WriterConfig};
use ledger::{
    AccountId, Amount, BalancedEntry, Book, Currency, EntryId, EntryStatus, LedgerCommand,
    PlatformAccount, Rejection,
};
use store::Store;

/// Runs `$body` (an async fn taking a migrated `Store`) once per database, as two tests.
macro_rules! contract_test {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let (store, _dir) = crate::sqlite_store().await;
                super::$body(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(store) = crate::postgres_store().await {
                    super::$body(store).await;
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

fn wallet(user: &str) -> AccountId {
    AccountId::wallet(user, Currency::Cny)
}

fn card_clearing() -> AccountId {
    AccountId::platform(PlatformAccount::CardClearing, Currency::Cny)
}

fn id(text: &str) -> EntryId {
    EntryId::parse(text).expect("a valid entry id")
}

fn transfer(entry: &str, from: AccountId, to: AccountId, minor: i64) -> LedgerCommand {
    LedgerCommand::post(
        id(entry),
        BalancedEntry::transfer(from, to, Amount::from_minor(minor)).expect("balanced"),
        "test",
    )
}

async fn open(store: &Store, users: &[&str]) {
    let mut accounts: Vec<AccountId> = users.iter().map(|user| wallet(user)).collect();
    accounts.extend(
        PlatformAccount::ALL
            .iter()
            .map(|platform| AccountId::platform(*platform, Currency::Cny)),
    );
    store.open_accounts(&accounts).await.expect("accounts open");
}

async fn posted(store: &Store, account: &AccountId) -> i64 {
    store
        .balance(account)
        .await
        .expect("readable")
        .expect("open")
        .posted
        .minor()
}

async fn assert_verify_clean(store: &Store) {
    let report = store.verify().await.expect("verify runs");
    assert!(report.is_clean(), "{report}");
}

contract_test!(
    transfers_between_open_wallets_move_money_and_verify_stays_clean,
    transfers_move_money
);
async fn transfers_move_money(store: Store) {
    open(&store, &["usr_a", "usr_b"]).await;
    let results = store
        .apply_batch(&[
            transfer("txn_1", card_clearing(), wallet("usr_a"), 10_000),
            transfer("txn_2", wallet("usr_a"), wallet("usr_b"), 2_500),
        ])
        .await
        .expect("the batch commits");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(posted(&store, &wallet("usr_a")).await, 7_500);
    assert_eq!(posted(&store, &wallet("usr_b")).await, 2_500);
    assert_eq!(posted(&store, &card_clearing()).await, -10_000);
    assert_verify_clean(&store).await;
}

contract_test!(
    a_refused_command_moves_nothing_and_does_not_stop_the_rest_of_its_batch,
    refusals_are_isolated
);
async fn refusals_are_isolated(store: Store) {
    open(&store, &["usr_a", "usr_b"]).await;
    let results = store
        .apply_batch(&[
            transfer("txn_1", card_clearing(), wallet("usr_a"), 1_000),
            transfer("txn_2", wallet("usr_a"), wallet("usr_b"), 1_001),
            transfer("txn_3", wallet("usr_a"), wallet("usr_b"), 400),
            transfer(
                "txn_4",
                wallet("usr_a"),
                AccountId::wallet("usr_nobody", Currency::Cny),
                1,
            ),
        ])
        .await
        .expect("the batch commits");
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(Rejection::InsufficientFunds { available, .. }) if available.minor() == 1_000)
    );
    assert!(results[2].is_ok());
    assert!(matches!(
        &results[3],
        Err(Rejection::AccountNotFound { .. })
    ));
    assert_eq!(posted(&store, &wallet("usr_a")).await, 600);
    assert_eq!(posted(&store, &wallet("usr_b")).await, 400);
    assert_verify_clean(&store).await;
}

contract_test!(
    an_idempotency_key_replays_its_first_result_in_later_batches_and_refuses_another_request,
    keys_replay
);
async fn keys_replay(store: Store) {
    open(&store, &["usr_a"]).await;
    let top_up = |entry: &str, minor| {
        transfer(entry, card_clearing(), wallet("usr_a"), minor).with_idempotency_key("usr_a:k1")
    };
    let first = store
        .apply_batch(&[top_up("txn_1", 500)])
        .await
        .expect("commits");
    let again = store
        .apply_batch(&[top_up("txn_2", 500), top_up("txn_3", 500)])
        .await
        .expect("commits");
    let first = first[0].clone().expect("applied");
    for replay in again {
        let replay = replay.expect("replayed");
        assert!(replay.replayed);
        assert_eq!(replay.entry_id, first.entry_id);
    }
    let changed = store
        .apply_batch(&[top_up("txn_4", 900)])
        .await
        .expect("commits");
    assert!(matches!(
        changed[0],
        Err(Rejection::IdempotencyKeyReused { .. })
    ));
    assert_eq!(posted(&store, &wallet("usr_a")).await, 500);
    assert_verify_clean(&store).await;
}

contract_test!(
    a_hold_reserves_funds_at_once_and_is_posted_or_voided_in_a_later_batch,
    holds_settle
);
async fn holds_settle(store: Store) {
    open(&store, &["usr_a"]).await;
    let payout = AccountId::platform(PlatformAccount::PayoutClearing, Currency::Cny);
    let hold = |entry: &str, minor| {
        LedgerCommand::hold(
            id(entry),
            BalancedEntry::transfer(wallet("usr_a"), payout.clone(), Amount::from_minor(minor))
                .expect("balanced"),
            "withdrawal",
        )
    };
    let results = store
        .apply_batch(&[
            transfer("txn_fund", card_clearing(), wallet("usr_a"), 1_000),
            hold("wdr_1", 600),
            hold("wdr_2", 300),
        ])
        .await
        .expect("commits");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let balance = store
        .balance(&wallet("usr_a"))
        .await
        .expect("readable")
        .expect("open");
    assert_eq!(
        (balance.posted.minor(), balance.available().minor()),
        (1_000, 100)
    );
    assert_verify_clean(&store).await;
    let results = store
        .apply_batch(&[
            LedgerCommand::post_hold(id("wdr_1")),
            LedgerCommand::void_hold(id("wdr_2")),
            LedgerCommand::void_hold(id("wdr_1")),
            LedgerCommand::post_hold(id("wdr_missing")),
        ])
        .await
        .expect("commits");
    assert_eq!(
        results[0].as_ref().map(|applied| applied.status),
        Ok(EntryStatus::Posted)
    );
    assert_eq!(
        results[1].as_ref().map(|applied| applied.status),
        Ok(EntryStatus::Voided)
    );
    assert!(matches!(
        results[2],
        Err(Rejection::HoldNotPending {
            status: EntryStatus::Posted,
            ..
        })
    ));
    assert!(matches!(results[3], Err(Rejection::HoldNotFound { .. })));
    let balance = store
        .balance(&wallet("usr_a"))
        .await
        .expect("readable")
        .expect("open");
    assert_eq!(
        (balance.posted.minor(), balance.available().minor()),
        (400, 400)
    );
    assert_eq!(posted(&store, &payout).await, 600);
    assert_verify_clean(&store).await;
}

contract_test!(
    two_writers_on_one_database_never_deadlock_and_lose_no_update,
    two_writers
);
async fn two_writers(store: Store) {
    const USERS: usize = 20;
    const TRANSFERS_PER_WRITER: usize = 400;
    let users: Vec<String> = (0..USERS).map(|index| format!("usr_{index}")).collect();
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    open(&store, &user_refs).await;
    let funding: Vec<LedgerCommand> = users
        .iter()
        .map(|user| {
            transfer(
                &format!("txn_fund_{user}"),
                card_clearing(),
                wallet(user),
                1_000_000,
            )
        })
        .collect();
    assert!(
        store
            .apply_batch(&funding)
            .await
            .expect("funded")
            .iter()
            .all(Result::is_ok)
    );
    // A second pool stands for a second okpay process: its own connections and its own writer.
    let second = store.connect_again().await.expect("a second pool connects");
    let mut tasks = Vec::new();
    for (writer_index, writer_store) in [store.clone(), second].into_iter().enumerate() {
        let (ledger, _writer) = Ledger::start(
            Arc::new(writer_store),
            WriterConfig {
                queue_capacity: 256,
                batch_size_max: 64,
            },
        );
        for client in 0..8 {
            let ledger = ledger.clone();
            tasks.push(tokio::spawn(async move {
                let mut applied = 0_usize;
                for n in 0..TRANSFERS_PER_WRITER / 8 {
                    let from = (client * 7 + n * 3 + writer_index) % USERS;
                    let to = (from + 1 + n % (USERS - 1)) % USERS;
                    let command = transfer(
                        &format!("txn_w{writer_index}_c{client}_{n}"),
                        wallet(&format!("usr_{from}")),
                        wallet(&format!("usr_{to}")),
                        (n as i64 % 50) + 1,
                    );
                    match ledger.submit(command).await {
                        Ok(_) => applied += 1,
                        Err(LedgerError::Rejected(rejection)) => {
                            panic!("no wallet should run dry: {rejection}")
                        }
                        Err(error) => panic!("the write path failed: {error}"),
                    }
                }
                applied
            }));
        }
    }
    let mut applied = 0;
    for task in tasks {
        applied += task.await.expect("the client finished");
    }
    assert_eq!(applied, 2 * TRANSFERS_PER_WRITER);
    let mut total = 0;
    for user in &users {
        total += posted(&store, &wallet(user)).await;
    }
    assert_eq!(
        total,
        USERS as i64 * 1_000_000,
        "transfers between users keep their total"
    );
    assert_verify_clean(&store).await;
}

contract_test!(
    batches_in_flight_settle_holds_and_replay_keys_of_the_batch_just_before,
    in_flight_batches
);
async fn in_flight_batches(store: Store) {
    const HOLDS: usize = 64;
    open(&store, &["usr_a"]).await;
    let funded = store
        .apply_batch(&[transfer(
            "txn_fund",
            card_clearing(),
            wallet("usr_a"),
            1_000_000,
        )])
        .await
        .expect("funded");
    assert!(funded[0].is_ok());
    // Tiny batches, so that a hold, its settlement and its retry often land in consecutive
    // batches, the later one applied while the earlier one commits.
    let (ledger, _writer) = Ledger::start(
        Arc::new(store.clone()),
        WriterConfig {
            queue_capacity: 1_024,
            batch_size_max: 4,
        },
    );
    let payout = AccountId::platform(PlatformAccount::PayoutClearing, Currency::Cny);
    let mut tasks = Vec::new();
    for n in 0..HOLDS {
        let (ledger, payout) = (ledger.clone(), payout.clone());
        tasks.push(tokio::spawn(async move {
            let hold = |entry: String| {
                LedgerCommand::hold(
                    id(&entry),
                    BalancedEntry::transfer(
                        wallet("usr_a"),
                        payout.clone(),
                        Amount::from_minor(100),
                    )
                    .expect("balanced"),
                    "withdrawal",
                )
                .with_idempotency_key(format!("hold_{n}"))
            };
            let hold_id = id(&format!("wdr_{n}"));
            let settle = if n % 2 == 0 {
                LedgerCommand::post_hold(hold_id.clone())
            } else {
                LedgerCommand::void_hold(hold_id.clone())
            };
            // Queued in this order: the hold, its settlement, then a retry of the hold.
            let (held, settled, retried) = tokio::join!(
                biased;
                ledger.submit(hold(format!("wdr_{n}"))),
                ledger.submit(settle),
                ledger.submit(hold(format!("wdr_{n}_retry"))),
            );
            let held = held.expect("held");
            assert!(!held.replayed);
            let settled = settled.expect("settled");
            let expected = if n % 2 == 0 {
                EntryStatus::Posted
            } else {
                EntryStatus::Voided
            };
            assert_eq!(settled.status, expected);
            let retried = retried.expect("replayed");
            assert!(
                retried.replayed,
                "the retry finds the key of the batch before"
            );
            assert_eq!(retried.entry_id, hold_id);
        }));
    }
    for task in tasks {
        task.await.expect("the client finished");
    }
    let balance = store
        .balance(&wallet("usr_a"))
        .await
        .expect("readable")
        .expect("open");
    let posted_holds = (HOLDS / 2) as i64 * 100;
    assert_eq!(
        (balance.posted.minor(), balance.available().minor()),
        (1_000_000 - posted_holds, 1_000_000 - posted_holds)
    );
    assert_eq!(posted(&store, &payout).await, posted_holds);
    assert_verify_clean(&store).await;
}

contract_test!(
    transactions_of_their_own_beside_the_batched_path_lose_no_update,
    own_transactions_beside_batches
);
async fn own_transactions_beside_batches(store: Store) {
    const USERS: usize = 8;
    const TRANSFERS_PER_CLIENT: usize = 40;
    let users: Vec<String> = (0..USERS).map(|index| format!("usr_{index}")).collect();
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    open(&store, &user_refs).await;
    let funding: Vec<LedgerCommand> = users
        .iter()
        .map(|user| {
            transfer(
                &format!("txn_fund_{user}"),
                card_clearing(),
                wallet(user),
                100_000,
            )
        })
        .collect();
    assert!(
        store
            .apply_batch(&funding)
            .await
            .expect("funded")
            .iter()
            .all(Result::is_ok)
    );
    let (ledger, _writer) = Ledger::start(
        Arc::new(store.clone()),
        WriterConfig {
            queue_capacity: 256,
            batch_size_max: 8,
        },
    );
    // Batched clients and clients with a transaction each move money between the same wallets,
    // so each path keeps committing rows the other one has in memory.
    let mut tasks = Vec::new();
    for client in 0..8_usize {
        let (ledger, store) = (ledger.clone(), store.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..TRANSFERS_PER_CLIENT {
                let from = (client + n) % USERS;
                let to = (from + 1 + client % (USERS - 1)) % USERS;
                let command = transfer(
                    &format!("txn_c{client}_{n}"),
                    wallet(&format!("usr_{from}")),
                    wallet(&format!("usr_{to}")),
                    (n as i64 % 20) + 1,
                );
                let applied = if client % 2 == 0 {
                    ledger.submit(command).await
                } else {
                    store
                        .apply_in_own_transaction(std::slice::from_ref(&command))
                        .await
                        .map_err(LedgerError::from)
                        .and_then(|mut results| {
                            results
                                .pop()
                                .expect("one answer")
                                .map_err(LedgerError::from)
                        })
                };
                applied.expect("no wallet runs dry");
            }
        }));
    }
    for task in tasks {
        task.await.expect("the client finished");
    }
    let mut total = 0;
    for user in &users {
        total += posted(&store, &wallet(user)).await;
    }
    assert_eq!(total, USERS as i64 * 100_000);
    assert_verify_clean(&store).await;
}

contract_test!(
    the_store_answers_exactly_what_the_in_memory_book_answers_for_random_batches,
    matches_the_model
);
async fn matches_the_model(store: Store) {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const USERS: usize = 6;
    let users: Vec<String> = (0..USERS).map(|index| format!("usr_{index}")).collect();
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    open(&store, &user_refs).await;
    let mut model = Book::new();
    for user in &users {
        model.load_account(wallet(user), Default::default());
    }
    for platform in PlatformAccount::ALL {
        model.load_account(
            AccountId::platform(*platform, Currency::Cny),
            Default::default(),
        );
    }
    let mut rng = StdRng::seed_from_u64(0x0c_a5_4e);
    let mut holds: Vec<EntryId> = Vec::new();
    let mut sequence = 0;
    for batch in 0..25 {
        let mut commands = Vec::new();
        for _ in 0..rng.random_range(1..40) {
            sequence += 1;
            let user = |rng: &mut StdRng| wallet(&users[rng.random_range(0..USERS)]);
            let minor = rng.random_range(1..5_000);
            let entry = format!("txn_{sequence}");
            let command = match rng.random_range(0..6) {
                0 => transfer(&entry, card_clearing(), user(&mut rng), minor),
                1 | 2 => {
                    let from = user(&mut rng);
                    let to = user(&mut rng);
                    if from == to {
                        continue;
                    }
                    transfer(&entry, from, to, minor)
                }
                3 => {
                    holds.push(id(&entry));
                    let payout =
                        AccountId::platform(PlatformAccount::PayoutClearing, Currency::Cny);
                    LedgerCommand::hold(
                        id(&entry),
                        BalancedEntry::transfer(user(&mut rng), payout, Amount::from_minor(minor))
                            .expect("balanced"),
                        "",
                    )
                }
                4 if !holds.is_empty() => {
                    LedgerCommand::post_hold(holds[rng.random_range(0..holds.len())].clone())
                }
                _ if !holds.is_empty() => {
                    LedgerCommand::void_hold(holds[rng.random_range(0..holds.len())].clone())
                }
                _ => continue,
            };
            let key = rng.random_range(0..60);
            commands.push(command.with_idempotency_key(format!("key_{key}")));
        }
        let expected: Vec<_> = commands
            .iter()
            .map(|command| model.execute(command))
            .collect();
        // Every other batch through the benchmark's naive path (on PostgreSQL its own
        // row-by-row statements), which must answer and write exactly what the batch path does.
        let actual = if batch % 2 == 0 {
            store.apply_batch(&commands).await
        } else {
            store.apply_in_own_transaction(&commands).await
        }
        .expect("the batch commits");
        assert_eq!(actual, expected, "batch {batch}");
    }
    for (account, balance) in model.accounts() {
        assert_eq!(
            store.balance(account).await.expect("readable"),
            Some(*balance),
            "{account}"
        );
    }
    assert_verify_clean(&store).await;
}

contract_test!(
    the_same_idempotency_key_sent_to_two_processes_at_once_moves_money_once,
    keys_race_between_processes
);
async fn keys_race_between_processes(store: Store) {
    open(&store, &["usr_a"]).await;
    let second = store.connect_again().await.expect("a second pool connects");
    const KEYS: usize = 30;
    for round in 0..KEYS {
        let command = |entry: String| {
            transfer(&entry, card_clearing(), wallet("usr_a"), 100)
                .with_idempotency_key(format!("race_{round}"))
        };
        let first_command = [command(format!("txn_first_{round}"))];
        let other_command = [command(format!("txn_second_{round}"))];
        let (first, other) = tokio::join!(
            store.apply_batch(&first_command),
            second.apply_batch(&other_command)
        );
        let first = first.expect("commits")[0].clone().expect("applied");
        let other = other.expect("commits")[0].clone().expect("applied");
        assert_eq!(
            first.entry_id, other.entry_id,
            "both answers name the one entry"
        );
        assert!(
            first.replayed != other.replayed,
            "exactly one of the two moved money"
        );
    }
    assert_eq!(posted(&store, &wallet("usr_a")).await, 100 * KEYS as i64);
    assert_verify_clean(&store).await;
}

fn audit_event(index: usize) -> domain::audit::AuditEvent {
    domain::audit::AuditEvent {
        actor: domain::audit::Actor::User(format!("usr_{index}")),
        action: "sign_in.failed",
        subject: format!("usr_{index}"),
        detail: format!("wrong password from 203.0.113.{index}"),
    }
}

contract_test!(
    audit_events_appended_from_two_processes_at_once_form_one_intact_chain,
    audit_chain_across_processes
);
async fn audit_chain_across_processes(store: Store) {
    use domain::AuditStore;

    let empty = store.verify_audit().await.expect("verifies");
    assert!(empty.is_intact() && empty.rows_checked == 0, "{empty}");
    let second = store.connect_again().await.expect("a second pool connects");
    let mut tasks = Vec::new();
    for (writer, pool) in [store.clone(), second].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for round in 0..10 {
                let events: Vec<_> = (0..3)
                    .map(|n| audit_event(writer * 100 + round * 3 + n))
                    .collect();
                pool.append_audit(&events).await.expect("appended");
            }
        }));
    }
    for task in tasks {
        task.await.expect("finished");
    }
    let report = store.verify_audit().await.expect("verifies");
    assert_eq!(report.rows_checked, 60);
    assert!(report.is_intact(), "{report}");
}

mod accounts {
    use std::sync::Arc;

    use domain::identity::{
        AccountRules, Accounts, AuthError, Client, CodeRefusal, SignInError, VerifyError,
    };
    use store::Store;

    const T0: i64 = 1_800_000_000;
    const PASSWORD: &str = "plum-orbit-canyon-17";

    fn accounts(store: Store) -> Accounts<Store> {
        Accounts::new(
            Arc::new(store),
            AccountRules::with_code_key(b"test code key".to_vec()),
        )
    }

    fn client() -> Client {
        Client {
            ip: "203.0.113.7".into(),
            user_agent: "contract-test".into(),
        }
    }

    /// Registers and confirms an account, returning its normalised login.
    async fn active_account(accounts: &Accounts<Store>, login: &str) -> String {
        let registration = accounts
            .register(login, PASSWORD, "zh-CN", T0)
            .await
            .expect("registered");
        let code = registration.code.expect("a code for a new address");
        accounts
            .verify(login, code.as_str(), T0 + 10)
            .await
            .expect("verified");
        registration.login.as_str().to_owned()
    }

    contract_test!(
        an_account_is_registered_confirmed_signed_in_and_out,
        sign_up_and_in
    );
    async fn sign_up_and_in(store: Store) {
        let accounts = accounts(store.clone());
        let registration = accounts
            .register("Li.Wei@Example.com", PASSWORD, "zh-CN", T0)
            .await
            .expect("registered");
        assert!(registration.user_id.starts_with("usr_"));
        let code = registration.code.expect("a code for a new address");
        let sent = domain::notify::OutboxStore::recent_messages(&store, 5)
            .await
            .expect("readable");
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].recipient.as_str(), sent[0].locale.as_str()),
            ("li.wei@example.com", "zh-CN")
        );
        assert!(
            sent[0].body.contains(code.as_str()),
            "the code goes out by e-mail: {}",
            sent[0].body
        );
        let early = accounts
            .sign_in("li.wei@example.com", PASSWORD, &client(), T0 + 5)
            .await;
        assert!(matches!(early, Err(SignInError::NotVerified)), "{early:?}");
        let wrong = if code.as_str() == "000000" {
            "111111"
        } else {
            "000000"
        };
        let refused = accounts.verify("li.wei@example.com", wrong, T0 + 6).await;
        assert!(
            matches!(
                refused,
                Err(VerifyError::Refused(CodeRefusal::Wrong {
                    attempts_left: 4
                }))
            ),
            "{refused:?}"
        );
        accounts
            .verify("li.wei@example.com", code.as_str(), T0 + 7)
            .await
            .expect("verified");
        let signed_in = accounts
            .sign_in("LI.WEI@example.com", PASSWORD, &client(), T0 + 8)
            .await
            .expect("signed in");
        assert_eq!(signed_in.user_id, registration.user_id);
        assert_eq!(signed_in.token.len(), 64, "256 random bits");
        let session = accounts
            .authenticate(&signed_in.token, T0 + 9)
            .await
            .expect("a live session");
        assert_eq!(session.user_id, registration.user_id);
        accounts
            .sign_out(&signed_in.token, T0 + 10)
            .await
            .expect("signed out");
        assert!(matches!(
            accounts.authenticate(&signed_in.token, T0 + 11).await,
            Err(AuthError::NotSignedIn)
        ));
    }

    contract_test!(
        registering_a_taken_address_answers_alike_and_changes_nothing,
        taken_address
    );
    async fn taken_address(store: Store) {
        let accounts = accounts(store.clone());
        let login = active_account(&accounts, "+86 138 0013 8000").await;
        assert_eq!(login, "+8613800138000");
        let again = accounts
            .register("13800138000", "another-long-passphrase-9", "en", T0 + 20)
            .await
            .expect("answered");
        assert!(again.code.is_none(), "nothing is sent to the newcomer");
        let sent = domain::notify::OutboxStore::recent_messages(&store, 1)
            .await
            .expect("readable");
        assert_eq!(sent[0].recipient, "+8613800138000");
        assert!(
            sent[0].body.contains("尝试"),
            "the owner hears of the attempt in Chinese: {}",
            sent[0].body
        );
        assert!(again.user_id.starts_with("usr_"));
        accounts
            .sign_in("13800138000", PASSWORD, &client(), T0 + 30)
            .await
            .expect("the owner's password still works");
        let unknown = accounts
            .sign_in("nobody@example.com", PASSWORD, &client(), T0 + 31)
            .await;
        assert!(matches!(unknown, Err(SignInError::InvalidCredentials)));
    }

    contract_test!(
        five_wrong_passwords_lock_sign_in_and_the_next_lock_lasts_twice_as_long,
        lockout_escalates
    );
    async fn lockout_escalates(store: Store) {
        let accounts = accounts(store);
        let login = active_account(&accounts, "zhang@example.com").await;
        let mut now = T0 + 100;
        for attempt in 1..=5 {
            let answer = accounts
                .sign_in(&login, "wrong password!!", &client(), now)
                .await;
            if attempt < 5 {
                assert!(
                    matches!(answer, Err(SignInError::InvalidCredentials)),
                    "attempt {attempt}: {answer:?}"
                );
            } else {
                assert!(
                    matches!(answer, Err(SignInError::Locked { until, .. }) if until == now + 900),
                    "{answer:?}"
                );
            }
            now += 10;
        }
        let during = accounts.sign_in(&login, PASSWORD, &client(), now).await;
        assert!(
            matches!(during, Err(SignInError::Locked { .. })),
            "a correct password is refused while locked"
        );
        now = T0 + 100 + 40 + 900;
        accounts
            .sign_in(&login, PASSWORD, &client(), now)
            .await
            .expect("the lock ended by itself");
        for _ in 0..5 {
            now += 1;
            let _ = accounts
                .sign_in(&login, "wrong password!!", &client(), now)
                .await;
        }
        let second = accounts.sign_in(&login, PASSWORD, &client(), now + 1).await;
        assert!(
            matches!(second, Err(SignInError::Locked { until, .. }) if until == now + 1_800),
            "{second:?}"
        );
    }

    contract_test!(
        a_session_unused_for_thirty_minutes_ends_by_itself,
        idle_sessions_end
    );
    async fn idle_sessions_end(store: Store) {
        let accounts = accounts(store);
        let login = active_account(&accounts, "wang@example.com").await;
        let signed_in = accounts
            .sign_in(&login, PASSWORD, &client(), T0 + 100)
            .await
            .expect("signed in");
        accounts
            .authenticate(&signed_in.token, T0 + 100 + 1_700)
            .await
            .expect("still live after 28 minutes");
        accounts
            .authenticate(&signed_in.token, T0 + 100 + 1_700 + 1_700)
            .await
            .expect("each use renews it");
        let idle = accounts
            .authenticate(&signed_in.token, T0 + 100 + 3_400 + 1_800)
            .await;
        assert!(matches!(idle, Err(AuthError::NotSignedIn)));
    }
}
