//! Backup and restore of the embedded database, and the lock that keeps restore from running
//! under a live server.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use domain::audit::{Actor, AuditEvent};
use domain::{AuditStore, LedgerStore};
use store::Store;

use crate::config::Config;

/// An exclusive lock on a data directory, held by `okpay serve` for as long as it runs.
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> anyhow::Result<DataDirLock> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let path = data_dir.join("okpay.lock");
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(_) => anyhow::bail!(
                "another okpay process is using {}; stop it first (`okpay serve` holds this directory)",
                data_dir.display()
            ),
        }
    }
}

/// Writes a consistent copy of the running embedded database to `to`.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.uses_embedded_database(),
        "backup copies the embedded SQLite database; use pg_dump for PostgreSQL"
    );
    anyhow::ensure!(
        !to.exists(),
        "{} already exists; choose a new file",
        to.display()
    );
    let store = crate::app::open_store(config).await?;
    store
        .backup_to(to)
        .await
        .with_context(|| format!("writing {}", to.display()))?;
    let event = operator_event("database.backed_up", format!("to {}", to.display()));
    store
        .append_audit(&[event])
        .await
        .context("recording the backup in the audit log")?;
    store.close().await;
    Ok(())
}

/// An operator's action at the command line, for the audit log.
fn operator_event(action: &'static str, detail: String) -> AuditEvent {
    AuditEvent {
        actor: Actor::System,
        action,
        subject: String::new(),
        detail,
    }
}

/// Replaces the embedded database with the backup in `from`, after checking that the backup is an
/// OKPay database whose ledger verifies clean. Refuses while a server uses the data directory.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<ledger::VerifyReport> {
    anyhow::ensure!(
        config.database_url.is_none(),
        "restore replaces the embedded database in the data directory"
    );
    anyhow::ensure!(from.is_file(), "{} is not a file", from.display());
    let _lock = DataDirLock::acquire(&config.data_dir)?;
    let target = config.embedded_database_path();
    let staging = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(from, &staging).with_context(|| format!("copying {}", from.display()))?;
    let report = check_backup(&staging).await;
    let report = match report {
        Ok(report) if report.is_clean() => report,
        Ok(report) => {
            let _ = std::fs::remove_file(&staging);
            anyhow::bail!("the backup's ledger does not verify; nothing was restored\n{report}");
        }
        Err(error) => {
            let _ = std::fs::remove_file(&staging);
            return Err(error.context(format!(
                "{} is not a readable OKPay backup; nothing was restored",
                from.display()
            )));
        }
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
    std::fs::rename(&staging, &target)
        .with_context(|| format!("moving the backup into {}", target.display()))?;
    let store = crate::app::open_store(config).await?;
    let event = operator_event("database.restored", format!("from {}", from.display()));
    store
        .append_audit(&[event])
        .await
        .context("recording the restore in the audit log")?;
    store.close().await;
    Ok(report)
}

async fn check_backup(path: &Path) -> anyhow::Result<ledger::VerifyReport> {
    let store = Store::connect(&format!("sqlite://{}?mode=rw", path.display()), 1).await?;
    let report = store.verify().await;
    store.close().await;
    Ok(report?)
}
