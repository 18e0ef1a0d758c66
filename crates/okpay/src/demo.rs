//! Demo data: users with balances in several currencies, a transfer and a withdrawal on hold;
//! then the wallet's side: sign-in accounts, cards, bank accounts, months of records and the
//! withdrawal waiting for review.
//!
//! Every movement carries a fixed idempotency key, so loading the demo twice changes nothing.

use anyhow::Context;
use domain::calendar::months_after;
use domain::identity::{PasswordHashing, UserRecord, UserStatus};
use domain::limits::{KycTier, LimitKind};
use domain::records::{
    Counterparty, Direction, NewRecord, ReasonCode, RecordKind, TransactionRecord,
    TransactionStatus,
};
use domain::rounding::proportion_of;
use domain::wallet::{
    CardInput, DEFAULT_FEE_SCHEDULE_ID, Wallet, WalletStore, WalletUser, Withdrawal,
    WithdrawalState, movements,
};
use domain::{IdentityStore, Ledger, LedgerError, LedgerStore};
use ledger::{AccountId, Amount, BalancedEntry, Currency, EntryId, LedgerCommand, PlatformAccount};
use store::Store;

/// Demo users and what they top up from a card, in minor units.
pub const DEMO_USERS: &[(&str, &[(Currency, i64)])] = &[
    (
        "usr_demo_alice",
        &[
            (Currency::Cny, 1_288_800),
            (Currency::Usd, 52_000),
            (Currency::Hkd, 300_000),
        ],
    ),
    (
        "usr_demo_bob",
        &[
            (Currency::Cny, 356_000),
            (Currency::Eur, 18_050),
            (Currency::Gbp, 9_900),
        ],
    ),
    (
        "usr_demo_chen",
        &[(Currency::Cny, 5_000_000), (Currency::Jpy, 120_000)],
    ),
    (
        "usr_demo_dana",
        &[(Currency::Usd, 250_000), (Currency::Cny, 80_000)],
    ),
];

/// What loading the demo did.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub movements_applied: usize,
    pub movements_already_there: usize,
}

pub async fn load(store: &Store, ledger: &Ledger) -> anyhow::Result<DemoSummary> {
    let wallets: Vec<AccountId> = DEMO_USERS
        .iter()
        .flat_map(|(user, balances)| {
            balances
                .iter()
                .map(move |(currency, _)| AccountId::wallet(user, *currency))
        })
        .collect();
    store
        .open_accounts(&wallets)
        .await
        .context("opening demo wallets")?;

    let mut commands = Vec::new();
    for (user, balances) in DEMO_USERS {
        for (currency, minor) in *balances {
            let entry = BalancedEntry::transfer(
                AccountId::platform(PlatformAccount::CardClearing, *currency),
                AccountId::wallet(user, *currency),
                Amount::from_minor(*minor),
            )?;
            let id = format!(
                "txn_demo_topup_{}_{}",
                user.trim_start_matches("usr_"),
                currency.code().to_lowercase()
            );
            commands.push(
                LedgerCommand::post(EntryId::parse(&id)?, entry, "demo top-up")
                    .with_idempotency_key(format!("demo:{id}")),
            );
        }
    }
    let transfer = BalancedEntry::transfer(
        AccountId::wallet("usr_demo_alice", Currency::Cny),
        AccountId::wallet("usr_demo_bob", Currency::Cny),
        Amount::from_minor(10_000),
    )?;
    commands.push(
        LedgerCommand::post(
            EntryId::parse("txn_demo_transfer_1")?,
            transfer,
            "demo: dinner",
        )
        .with_idempotency_key("demo:transfer_1"),
    );
    let withdrawal = BalancedEntry::transfer(
        AccountId::wallet("usr_demo_chen", Currency::Cny),
        AccountId::platform(PlatformAccount::PayoutClearing, Currency::Cny),
        Amount::from_minor(200_000),
    )?;
    commands.push(
        LedgerCommand::hold(
            EntryId::parse("wdr_demo_1")?,
            withdrawal,
            "demo withdrawal under review",
        )
        .with_idempotency_key("demo:withdrawal_1"),
    );

    let mut summary = DemoSummary::default();
    // Submitted in order, one at a time: the transfer needs the top-ups before it.
    for command in commands {
        match ledger.submit(command).await {
            Ok(applied) if applied.replayed => summary.movements_already_there += 1,
            Ok(_) => summary.movements_applied += 1,
            Err(LedgerError::Rejected(rejection)) => {
                anyhow::bail!("a demo movement was refused: {rejection}")
            }
            Err(error) => return Err(error).context("submitting demo movements"),
        }
    }
    Ok(summary)
}

/// The password of every demo account (`alice@demo.okpay.test`, …).
pub const DEMO_PASSWORD: &str = "okpay-demo-2026";

/// Demo accounts: user id, e-mail address, language, KYC tier.
const DEMO_PEOPLE: &[(&str, &str, &str, KycTier)] = &[
    (
        "usr_demo_alice",
        "alice@demo.okpay.test",
        "zh-CN",
        KycTier::Verified,
    ),
    (
        "usr_demo_bob",
        "bob@demo.okpay.test",
        "en",
        KycTier::Unverified,
    ),
    (
        "usr_demo_chen",
        "chen@demo.okpay.test",
        "zh-CN",
        KycTier::Enhanced,
    ),
    (
        "usr_demo_dana",
        "dana@demo.okpay.test",
        "en",
        KycTier::Verified,
    ),
];

/// Monthly transfers of the history: from, to, amount in fen, note.
const DEMO_HISTORY: &[(&str, &str, i64, &str)] = &[
    ("usr_demo_alice", "usr_demo_bob", 12_800, "午饭 AA"),
    ("usr_demo_chen", "usr_demo_dana", 50_000, "rent share"),
    ("usr_demo_alice", "usr_demo_chen", 8_850, "电影票"),
];

/// Months of history the demo records go back.
const DEMO_HISTORY_MONTHS: i32 = 5;

async fn demo_user(store: &Store, id: &str) -> anyhow::Result<WalletUser> {
    store
        .find_user(id)
        .await?
        .with_context(|| format!("demo user {id} is missing"))
}

fn transfer_records(
    id: &str,
    from: &WalletUser,
    to: &WalletUser,
    amount: Amount,
    fee: Amount,
    note: Option<&str>,
    at: i64,
) -> anyhow::Result<Vec<(TransactionRecord, Option<LimitKind>)>> {
    let sent = NewRecord {
        id: id.to_owned(),
        user_id: from.id.clone(),
        kind: RecordKind::Transfer,
        direction: Direction::Out,
        status: TransactionStatus::Completed,
        amount,
        currency: Currency::Cny,
        fee,
        arrived: Some((amount, Currency::Cny)),
        counterparty: Some(Counterparty {
            id: to.id.clone(),
            label: to.label(),
        }),
        note: note.map(str::to_owned),
        fee_schedule_id: Some(DEFAULT_FEE_SCHEDULE_ID.to_owned()),
        quote_id: None,
        failure_reason: None,
        created_at: at,
    };
    let received = NewRecord {
        user_id: to.id.clone(),
        direction: Direction::In,
        fee: Amount::ZERO,
        counterparty: Some(Counterparty {
            id: from.id.clone(),
            label: from.label(),
        }),
        ..sent.clone()
    };
    Ok(vec![
        (TransactionRecord::new(sent)?, Some(LimitKind::TransferOut)),
        (TransactionRecord::new(received)?, None),
    ])
}

/// The wallet's demo data on top of [`load`]: accounts people can sign in to, a card and a bank
/// account each, records for the demo movements, five months of transfers (so charts and
/// filters show something), a declined top-up, and the demo withdrawal in the review queue.
/// Every step checks what is there first, so loading twice changes nothing.
pub async fn load_wallet(store: &Store, ledger: &Ledger, wallet: &Wallet) -> anyhow::Result<()> {
    let now = wallet.now();
    let hashing = PasswordHashing::default();
    let mut digest = None;
    for (id, email, locale, tier) in DEMO_PEOPLE {
        if store.user_by_id(id).await?.is_none() {
            if digest.is_none() {
                digest = Some(
                    hashing
                        .hash(DEMO_PASSWORD)
                        .await
                        .map_err(|_| anyhow::anyhow!("hashing the demo password"))?,
                );
            }
            let phc = digest
                .as_ref()
                .map(|d| d.as_phc().to_owned())
                .unwrap_or_default();
            let opened = now - 400 * 86_400;
            store
                .insert_user(&UserRecord {
                    id: (*id).to_owned(),
                    email: Some((*email).to_owned()),
                    phone: None,
                    password_hash: phc,
                    status: UserStatus::Active,
                    locale: (*locale).to_owned(),
                    created_at: opened,
                    verified_at: Some(opened),
                })
                .await?;
        }
        wallet.set_kyc_tier(id, *tier).await?;
        if wallet.cards(id).await?.is_empty() {
            for number in ["4242 4242 4242 4242", "4000 0000 0000 0002"] {
                wallet
                    .add_card(
                        id,
                        CardInput {
                            number,
                            exp_month: 12,
                            exp_year: 2031,
                            cvc: "123",
                            holder_name: "DEMO USER",
                        },
                    )
                    .await?;
            }
        }
        if wallet.bank_accounts(id).await?.is_empty() {
            wallet
                .add_bank_account(
                    id,
                    "招商银行",
                    "6222 0000 0000 0001",
                    "DEMO USER",
                    Currency::Cny,
                )
                .await?;
        }
    }

    let offset = wallet.rules().offset;
    let long_ago = months_after(now, -(DEMO_HISTORY_MONTHS + 1));
    let mut records = Vec::new();
    for (user, balances) in DEMO_USERS {
        let person = demo_user(store, user).await?;
        let card = wallet.cards(user).await?.into_iter().next();
        for (currency, minor) in *balances {
            let id = format!(
                "txn_demo_topup_{}_{}",
                user.trim_start_matches("usr_"),
                currency.code().to_lowercase()
            );
            let record = TransactionRecord::new(NewRecord {
                id,
                user_id: person.id.clone(),
                kind: RecordKind::TopUp,
                direction: Direction::In,
                status: TransactionStatus::Completed,
                amount: Amount::from_minor(*minor),
                currency: *currency,
                fee: Amount::ZERO,
                arrived: Some((Amount::from_minor(*minor), *currency)),
                counterparty: card.as_ref().map(|card| Counterparty {
                    id: card.id.clone(),
                    label: card.card.label(),
                }),
                note: None,
                fee_schedule_id: Some(DEFAULT_FEE_SCHEDULE_ID.to_owned()),
                quote_id: None,
                failure_reason: None,
                created_at: long_ago,
            })?;
            records.push((record, Some(LimitKind::TopUp)));
        }
    }
    let alice = demo_user(store, "usr_demo_alice").await?;
    let bob = demo_user(store, "usr_demo_bob").await?;
    records.extend(transfer_records(
        "txn_demo_transfer_1",
        &alice,
        &bob,
        Amount::from_minor(10_000),
        Amount::ZERO,
        Some("demo: dinner"),
        long_ago + 86_400,
    )?);
    // A declined top-up the user can find in the records.
    let declined = TransactionRecord::new(NewRecord {
        id: "txn_demo_declined_1".into(),
        user_id: alice.id.clone(),
        kind: RecordKind::TopUp,
        direction: Direction::In,
        status: TransactionStatus::Failed,
        amount: Amount::from_minor(50_000),
        currency: Currency::Cny,
        fee: Amount::ZERO,
        arrived: None,
        counterparty: None,
        note: None,
        fee_schedule_id: Some(DEFAULT_FEE_SCHEDULE_ID.to_owned()),
        quote_id: None,
        failure_reason: Some(ReasonCode::parse("card_declined")?),
        created_at: months_after(now, -1),
    })?;
    records.push((declined, None));

    for months_ago in 1..=DEMO_HISTORY_MONTHS {
        let month_start = offset.start_of_month(months_after(now, -months_ago));
        for (index, (from, to, fen, note)) in DEMO_HISTORY.iter().enumerate() {
            let id = format!("txn_demo_history_{months_ago}_{index}");
            let amount = Amount::from_minor(fen + i64::from(months_ago) * 1_000);
            let fee = proportion_of(amount, 1_000);
            let command =
                movements::transfer(EntryId::parse(&id)?, from, to, Currency::Cny, amount, fee)?
                    .with_idempotency_key(format!("demo:{id}"));
            match ledger.submit(command).await {
                Ok(_) => {}
                Err(LedgerError::Rejected(rejection)) => {
                    anyhow::bail!("a demo history transfer was refused: {rejection}")
                }
                Err(error) => return Err(error).context("submitting demo history"),
            }
            let at = month_start + (index as i64 + 2) * 3 * 86_400 + 10 * 3_600;
            let sender = demo_user(store, from).await?;
            let receiver = demo_user(store, to).await?;
            records.extend(transfer_records(
                &id,
                &sender,
                &receiver,
                amount,
                fee,
                Some(note),
                at,
            )?);
        }
    }
    store.insert_records(&records).await?;

    // The demo withdrawal on hold (see `load`) waits in the review queue.
    if store.withdrawal("wdr_demo_1").await?.is_none() {
        let chen = demo_user(store, "usr_demo_chen").await?;
        let account = wallet
            .bank_accounts(&chen.id)
            .await?
            .into_iter()
            .next()
            .context("the demo bank account")?;
        let amount = Amount::from_minor(200_000);
        let mut record = TransactionRecord::new(NewRecord {
            id: "wdr_demo_1".into(),
            user_id: chen.id.clone(),
            kind: RecordKind::Withdrawal,
            direction: Direction::Out,
            status: TransactionStatus::Submitted,
            amount,
            currency: Currency::Cny,
            fee: Amount::ZERO,
            arrived: Some((amount, Currency::Cny)),
            counterparty: Some(Counterparty {
                id: account.id.clone(),
                label: account.account.label(),
            }),
            note: None,
            fee_schedule_id: None,
            quote_id: None,
            failure_reason: None,
            created_at: now,
        })?;
        record.advance(TransactionStatus::Reviewing, now, None)?;
        store
            .insert_withdrawal(&Withdrawal {
                id: "wdr_demo_1".into(),
                user_id: chen.id.clone(),
                bank_account_id: account.id.clone(),
                amount,
                currency: Currency::Cny,
                fee: Amount::ZERO,
                state: WithdrawalState::Reviewing,
                attempts: 0,
                next_attempt_at: None,
                reviewed_by: None,
                review_reason: None,
                created_at: now,
                updated_at: now,
            })
            .await?;
        store
            .insert_records(&[(record, Some(LimitKind::Withdrawal))])
            .await?;
    }
    Ok(())
}
