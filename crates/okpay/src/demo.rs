//! Demo data: users with balances in several currencies, a transfer and a withdrawal on hold.
//!
//! Every movement carries a fixed idempotency key, so loading the demo twice changes nothing.

use anyhow::Context;
use domain::{Ledger, LedgerError, LedgerStore};
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
