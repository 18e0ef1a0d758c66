//! `okpay bench ledger`: the batched write path against a naive one-transaction-per-transfer
//! baseline and a hot-account mix, on whatever database the command is pointed at.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::{Ledger, LedgerError, LedgerStore};
use indicatif::{ProgressBar, ProgressStyle};
use ledger::{AccountId, Amount, BalancedEntry, Currency, EntryId, LedgerCommand, PlatformAccount};
use rand::Rng;
use serde::Serialize;
use store::Store;

/// How one run is shaped.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    pub seconds_per_mode: f64,
    /// Tasks submitting to the batched write path at once.
    pub submitters: usize,
    /// Tasks each running its own database transaction in the naive mode.
    pub naive_submitters: usize,
    pub accounts: usize,
}

/// Which path a mode drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Batched,
    Naive,
    Hot,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Batched => "batched",
            Mode::Naive => "naive",
            Mode::Hot => "hot",
        }
    }
}

/// The figures of one mode.
#[derive(Clone, Debug, Serialize)]
pub struct ModeResult {
    pub mode: &'static str,
    pub transfers: u64,
    pub rejected: u64,
    pub seconds: f64,
    pub transfers_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub database: &'static str,
    pub accounts: usize,
    pub submitters: usize,
    pub naive_submitters: usize,
    pub modes: Vec<ModeResult>,
    pub batched_over_naive: f64,
    pub hot_over_batched: f64,
}

impl ModeResult {
    pub fn line(&self) -> String {
        format!(
            "{:<8} {:>10.0} transfers/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} transfers in {:.1} s, {} refused)",
            self.mode,
            self.transfers_per_s,
            self.p50_ms,
            self.p99_ms,
            self.transfers,
            self.seconds,
            self.rejected
        )
    }
}

/// Accounts of one run, named after the run so that runs never share accounts.
struct Accounts {
    wallets: Vec<AccountId>,
    hot: AccountId,
    run: String,
}

pub async fn run(
    store: &Store,
    ledger: &Ledger,
    options: &BenchOptions,
) -> anyhow::Result<BenchReport> {
    anyhow::ensure!(
        options.accounts >= 2,
        "a benchmark needs at least two accounts"
    );
    let accounts = open_and_fund(store, ledger, options.accounts).await?;
    let mut modes = Vec::new();
    for mode in [Mode::Batched, Mode::Naive, Mode::Hot] {
        let result = run_mode(mode, store, ledger, &accounts, options).await?;
        eprintln!("{}", result.line());
        modes.push(result);
    }
    let rate = |name: &str| {
        modes
            .iter()
            .find(|mode| mode.mode == name)
            .map_or(0.0, |mode| mode.transfers_per_s)
    };
    Ok(BenchReport {
        database: match store.dialect() {
            store::Dialect::Sqlite => "sqlite",
            store::Dialect::Postgres => "postgres",
        },
        accounts: options.accounts,
        submitters: options.submitters,
        naive_submitters: options.naive_submitters,
        batched_over_naive: rate("batched") / rate("naive").max(f64::MIN_POSITIVE),
        hot_over_batched: rate("hot") / rate("batched").max(f64::MIN_POSITIVE),
        modes,
    })
}

async fn open_and_fund(store: &Store, ledger: &Ledger, count: usize) -> anyhow::Result<Accounts> {
    let run = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis()
    );
    let wallets: Vec<AccountId> = (0..count)
        .map(|index| AccountId::wallet(&format!("usr_bench{run}_{index}"), Currency::Cny))
        .collect();
    let hot = AccountId::wallet(&format!("usr_bench{run}_hot"), Currency::Cny);
    let mut all = wallets.clone();
    all.push(hot.clone());
    store
        .open_accounts(&all)
        .await
        .context("opening benchmark accounts")?;
    let clearing = AccountId::platform(PlatformAccount::CardClearing, Currency::Cny);
    let mut funding = Vec::with_capacity(all.len());
    for (index, wallet) in all.iter().enumerate() {
        let entry = BalancedEntry::transfer(
            clearing.clone(),
            wallet.clone(),
            Amount::from_minor(1_000_000_000_000),
        )?;
        let id = EntryId::parse(&format!("txn_bench{run}_fund_{index}"))?;
        let ledger = ledger.clone();
        funding.push(tokio::spawn(async move {
            ledger
                .submit(LedgerCommand::post(id, entry, "benchmark funding"))
                .await
        }));
    }
    for task in funding {
        task.await?.context("funding benchmark accounts")?;
    }
    Ok(Accounts { wallets, hot, run })
}

async fn run_mode(
    mode: Mode,
    store: &Store,
    ledger: &Ledger,
    accounts: &Accounts,
    options: &BenchOptions,
) -> anyhow::Result<ModeResult> {
    let submitters = if mode == Mode::Naive {
        options.naive_submitters
    } else {
        options.submitters
    };
    let duration = Duration::from_secs_f64(options.seconds_per_mode);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let wallets = Arc::new(accounts.wallets.clone());
    let progress = progress_bar(mode, duration);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(submitters);
    for _ in 0..submitters {
        let (stop, done, wallets) = (stop.clone(), done.clone(), wallets.clone());
        let (store, ledger, hot, run) = (
            store.clone(),
            ledger.clone(),
            accounts.hot.clone(),
            accounts.run.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies_us: Vec<u32> = Vec::with_capacity(4_096);
            let mut rejected = 0_u64;
            let mut sequence = 0_u64;
            while !stop.load(Ordering::Relaxed) {
                sequence += 1;
                let (from, to) = pick_accounts(mode, &wallets, &hot, sequence);
                let amount = Amount::from_minor(rand::rng().random_range(1..10_000));
                let entry = BalancedEntry::transfer(from, to, amount)
                    .expect("distinct accounts, positive amount");
                // Ids as the product makes them (time-ordered v7); keys as clients make them
                // (random), scoped by the run so that runs never replay each other.
                let id = EntryId::parse(&domain::ids::new_id("txn")).expect("a valid id");
                let key = format!("bench{run}:{:032x}", rand::rng().random::<u128>());
                let command =
                    LedgerCommand::post(id, entry, "benchmark transfer").with_idempotency_key(key);
                let sent = Instant::now();
                let outcome = match mode {
                    Mode::Naive => naive_transfer(&store, command).await,
                    Mode::Batched | Mode::Hot => ledger.submit(command).await,
                };
                latencies_us.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                match outcome {
                    Ok(_) => {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(LedgerError::Rejected(_)) => rejected += 1,
                    Err(error) => return Err(anyhow::Error::from(error)),
                }
            }
            Ok((latencies_us, rejected))
        }));
    }
    while started.elapsed() < duration {
        tokio::time::sleep(Duration::from_millis(100)).await;
        progress.set_position(started.elapsed().as_millis().min(duration.as_millis()) as u64);
        progress.set_message(format!("{} transfers", done.load(Ordering::Relaxed)));
    }
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut rejected = 0;
    for task in tasks {
        let (task_latencies, task_rejected) = task.await??;
        latencies.extend(task_latencies);
        rejected += task_rejected;
    }
    let seconds = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    latencies.sort_unstable();
    let transfers = done.load(Ordering::Relaxed);
    Ok(ModeResult {
        mode: mode.name(),
        transfers,
        rejected,
        seconds,
        transfers_per_s: transfers as f64 / seconds,
        p50_ms: percentile_ms(&latencies, 0.50),
        p99_ms: percentile_ms(&latencies, 0.99),
    })
}

/// Uniform modes pick two distinct random wallets; the hot mode routes every transfer through
/// one account, alternately into and out of it.
fn pick_accounts(
    mode: Mode,
    wallets: &[AccountId],
    hot: &AccountId,
    sequence: u64,
) -> (AccountId, AccountId) {
    let mut rng = rand::rng();
    let from = rng.random_range(0..wallets.len());
    let mut to = rng.random_range(0..wallets.len() - 1);
    if to >= from {
        to += 1;
    }
    match mode {
        Mode::Hot if sequence.is_multiple_of(2) => (wallets[from].clone(), hot.clone()),
        Mode::Hot => (hot.clone(), wallets[to].clone()),
        Mode::Batched | Mode::Naive => (wallets[from].clone(), wallets[to].clone()),
    }
}

/// The baseline: one database transaction per transfer, locking its rows, as ledgers built
/// directly on PostgreSQL do.
async fn naive_transfer(
    store: &Store,
    command: LedgerCommand,
) -> Result<ledger::Applied, LedgerError> {
    let mut results = store.apply_batch(std::slice::from_ref(&command)).await?;
    results
        .pop()
        .expect("one answer for one command")
        .map_err(LedgerError::Rejected)
}

fn percentile_ms(sorted_us: &[u32], quantile: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let index = ((sorted_us.len() - 1) as f64 * quantile).round() as usize;
    f64::from(sorted_us[index]) / 1_000.0
}

fn progress_bar(mode: Mode, duration: Duration) -> ProgressBar {
    let progress = ProgressBar::new(duration.as_millis() as u64);
    let style = ProgressStyle::with_template("{prefix:>8} [{bar:40}] {msg}")
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    progress.set_style(style);
    progress.set_prefix(mode.name());
    progress
}

/// Times `rounds` argon2id hashes and verifications, one at a time, and reports their medians.
pub async fn password_hash(rounds: usize) -> anyhow::Result<String> {
    let hashing = domain::identity::PasswordHashing::default();
    let mut hash_us = Vec::with_capacity(rounds);
    let mut verify_us = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let password = format!("benchmark passphrase {round}");
        let started = Instant::now();
        let digest = hashing.hash(&password).await?;
        hash_us.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        let started = Instant::now();
        anyhow::ensure!(
            hashing.verify(&password, Some(&digest)).await,
            "a fresh hash must verify"
        );
        verify_us.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
    }
    hash_us.sort_unstable();
    verify_us.sort_unstable();
    Ok(format!(
        "argon2id m=19456 KiB t=2 p=1: hash p50 {:.1} ms (p99 {:.1} ms), verify p50 {:.1} ms, over {rounds} rounds",
        percentile_ms(&hash_us, 0.5),
        percentile_ms(&hash_us, 0.99),
        percentile_ms(&verify_us, 0.5),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let latencies: Vec<u32> = (1..=100).map(|ms| ms * 1_000).collect();
        assert_eq!(percentile_ms(&latencies, 0.50), 51.0);
        assert_eq!(percentile_ms(&latencies, 0.99), 99.0);
        assert_eq!(percentile_ms(&[], 0.99), 0.0);
    }
}
