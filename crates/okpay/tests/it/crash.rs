//! Durability: a process killed with SIGKILL mid-commit loses no acknowledged transfer.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use domain::LedgerStore;
use ledger::{EntryId, EntryStatus};

use crate::helpers::{Backend, TestDatabase, okpay_binary, on_both_databases};

const SUBMITTERS: usize = 64;
const ACKS_BEFORE_KILL: usize = 3_000;

on_both_databases!(
    a_process_killed_while_committing_keeps_every_acknowledged_transfer_and_nothing_else
);
async fn a_process_killed_while_committing_keeps_every_acknowledged_transfer_and_nothing_else(
    backend: Backend,
) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    let mut load = Command::new(okpay_binary())
        .args([
            "debug",
            "ledger-load",
            "--submitters",
            &SUBMITTERS.to_string(),
        ])
        .args(database.flags())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the load starts");
    let pid = load.id();
    let mut acknowledged = Vec::new();
    for line in BufReader::new(load.stdout.take().expect("stdout")).lines() {
        let line = line.expect("readable");
        if let Some(id) = line.strip_prefix("ack ") {
            acknowledged.push(id.to_owned());
            if acknowledged.len() == ACKS_BEFORE_KILL {
                load.kill().expect("SIGKILL delivered");
                break;
            }
        }
    }
    let _ = load.wait();
    assert_eq!(
        acknowledged.len(),
        ACKS_BEFORE_KILL,
        "the load acknowledged transfers before it was killed"
    );

    // Reopen the database as a restarted process would.
    let store = okpay::app::open_store(&database.config)
        .await
        .expect("reopens after the crash");
    for id in &acknowledged {
        let status = store
            .entry_status(&EntryId::parse(id).expect("an entry id"))
            .await
            .expect("readable");
        assert_eq!(
            status,
            Some(EntryStatus::Posted),
            "acknowledged transfer {id} was lost"
        );
    }
    // Nothing else: besides what was acknowledged, at most the batches in flight at the kill
    // (one per submitter) were committed without their answer reaching us.
    let stored = store
        .entry_ids_starting_with(&format!("txn_probe_{pid}_"))
        .await
        .expect("readable");
    assert!(stored.len() >= acknowledged.len());
    assert!(
        stored.len() <= acknowledged.len() + SUBMITTERS,
        "{} stored, {} acknowledged",
        stored.len(),
        acknowledged.len()
    );
    let report = store.verify().await.expect("verify runs");
    assert!(report.is_clean(), "{report}");
    store.close().await;
}
