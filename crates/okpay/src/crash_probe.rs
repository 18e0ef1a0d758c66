//! `okpay debug ledger-load`: submits transfers and prints each one the moment it is
//! acknowledged, so a test can kill the process and compare what was promised with what is stored.

use std::io::Write;

use domain::{Ledger, LedgerError, LedgerStore};
use ledger::{AccountId, Amount, BalancedEntry, Currency, EntryId, LedgerCommand, PlatformAccount};
use store::Store;

pub const PROBE_USERS: usize = 10;

pub fn probe_wallet(index: usize) -> AccountId {
    AccountId::wallet(&format!("usr_probe_{index}"), Currency::Cny)
}

/// Runs until killed or until `count` transfers are acknowledged, printing `ack <entry id>`.
pub async fn run(
    store: &Store,
    ledger: &Ledger,
    submitters: usize,
    count: u64,
) -> anyhow::Result<()> {
    let wallets: Vec<AccountId> = (0..PROBE_USERS).map(probe_wallet).collect();
    store.open_accounts(&wallets).await?;
    for (index, wallet) in wallets.iter().enumerate() {
        let entry = BalancedEntry::transfer(
            AccountId::platform(PlatformAccount::CardClearing, Currency::Cny),
            wallet.clone(),
            Amount::from_minor(1_000_000_000),
        )?;
        let command = LedgerCommand::post(
            EntryId::parse(&format!("txn_probe_fund_{index}"))?,
            entry,
            "probe funding",
        )
        .with_idempotency_key(format!("probe:fund:{index}"));
        ledger.submit(command).await?;
    }
    println!("ready");
    let pid = std::process::id();
    let per_submitter = count.div_ceil(submitters.max(1) as u64);
    let mut tasks = Vec::new();
    for submitter in 0..submitters {
        let ledger = ledger.clone();
        tasks.push(tokio::spawn(async move {
            for sequence in 0..per_submitter {
                let from = (submitter + sequence as usize) % PROBE_USERS;
                let to = (from + 1) % PROBE_USERS;
                let entry = BalancedEntry::transfer(
                    probe_wallet(from),
                    probe_wallet(to),
                    Amount::from_minor(1 + sequence as i64 % 97),
                )
                .expect("balanced");
                let id = EntryId::parse(&format!("txn_probe_{pid}_{submitter}_{sequence}"))
                    .expect("a valid id");
                match ledger
                    .submit(LedgerCommand::post(id.clone(), entry, "probe transfer"))
                    .await
                {
                    Ok(_) => {
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "ack {id}");
                        let _ = out.flush();
                    }
                    Err(LedgerError::Rejected(rejection)) => eprintln!("refused {id}: {rejection}"),
                    Err(error) => return Err(error),
                }
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}
