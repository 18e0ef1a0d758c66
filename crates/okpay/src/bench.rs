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
    /// CPU time the whole process spent per transfer (Linux only). On a machine shared with
    /// other work, transfers/s shows the share of the CPU the run got; this shows the cost.
    pub cpu_us_per_transfer: Option<f64>,
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
        let cpu = self
            .cpu_us_per_transfer
            .map(|us| format!("   cpu {us:.1} µs/transfer"))
            .unwrap_or_default();
        format!(
            "{:<8} {:>10.0} transfers/s   p50 {:>7.2} ms   p99 {:>7.2} ms{cpu}   ({} transfers in {:.1} s, {} refused)",
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
    let cpu_before = process_cpu_seconds();
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
    let cpu_seconds = process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
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
        cpu_us_per_transfer: cpu_seconds
            .filter(|_| transfers > 0)
            .map(|cpu| cpu * 1e6 / transfers as f64),
    })
}

/// User + system CPU time of this process so far, from `/proc/self/stat` (in USER_HZ, which
/// Linux fixes at 100 a second); `None` where there is no such file.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let mut fields = after_name.split(' ').skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
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
    let mut results = store
        .apply_in_own_transaction(std::slice::from_ref(&command))
        .await?;
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

/// Sign-in figures: latency of whole sign-ins (lookup, lock check, argon2id verify, attempt,
/// session and audit rows) one at a time and `concurrency` at once.
pub async fn login(
    store: &store::Store,
    rounds: usize,
    concurrency: usize,
) -> anyhow::Result<String> {
    use domain::IdentityStore;
    use domain::identity::{Client, UserStatus};

    let accounts = std::sync::Arc::new(crate::app::accounts(store, "http://bench.invalid").await?);
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs() as i64)
    };
    let password = "benchmark-passphrase-orbit-17";
    let run = uuid::Uuid::now_v7().simple().to_string();
    // Each account takes at most 50 sign-ins, well under the lockout's 100 attempts an hour.
    let per_account = 50;
    let total = rounds * 2 + concurrency * per_account;
    let mut logins = Vec::new();
    for account in 0..total.div_ceil(per_account) {
        let login = format!("bench-{run}-{account}@example.com");
        let registration = accounts.register(&login, password, "en", now()).await?;
        store
            .set_user_status(&registration.user_id, UserStatus::Active, Some(now()))
            .await?;
        logins.push(login);
    }
    let client = Client {
        ip: "127.0.0.1".into(),
        user_agent: "okpay-bench".into(),
    };
    let logins = std::sync::Arc::new(logins);
    let mut lines = Vec::new();
    let mut next_account = 0;
    for workers in [1, concurrency] {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        let per_worker = rounds.div_ceil(workers);
        for _ in 0..workers {
            let accounts = accounts.clone();
            let client = client.clone();
            let logins = logins.clone();
            let first_account = next_account;
            next_account += per_worker.div_ceil(per_account);
            tasks.spawn(async move {
                let mut latencies = Vec::with_capacity(per_worker);
                for round in 0..per_worker {
                    let login = &logins[first_account + round / per_account];
                    let began = Instant::now();
                    accounts
                        .sign_in(login, password, &client, now())
                        .await
                        .map_err(|error| anyhow::anyhow!("a benchmark sign-in failed: {error}"))?;
                    latencies.push(began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                }
                anyhow::Ok(latencies)
            });
        }
        let mut latencies = Vec::new();
        for result in tasks.join_all().await {
            latencies.extend(result?);
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort_unstable();
        lines.push(format!(
            "login, {workers:>2} at once: p50 {:>6.1} ms   p99 {:>6.1} ms   {:>6.1} sign-ins/s   ({} sign-ins)",
            percentile_ms(&latencies, 0.5),
            percentile_ms(&latencies, 0.99),
            latencies.len() as f64 / elapsed,
            latencies.len()
        ));
    }
    Ok(lines.join("\n"))
}

/// `okpay bench http`: people made and funded, then transfers over HTTP from `clients` clients;
/// prints the figures and the verify report, and answers whether verify was clean.
pub async fn http(
    config: &crate::config::Config,
    seconds: f64,
    clients: usize,
    users: usize,
) -> anyhow::Result<bool> {
    let running = crate::app::start(config).await?;
    eprintln!("making {users} people (sign-in, card, top-up each)…");
    let people = crate::load::people(&running, users.max(2), 10_000_000).await?;
    let cpu_before = process_cpu_seconds();
    let figures = crate::load::transfers(
        &running.url(),
        std::sync::Arc::new(people),
        clients.max(1),
        std::time::Duration::from_secs_f64(seconds.max(0.1)),
    )
    .await?;
    println!(
        "database {} · {clients} clients · {users} people · {:.1} s",
        dialect_name(&running.store),
        figures.seconds
    );
    // The whole process: server and clients alike (they share it), per request answered.
    let cpu = cpu_before
        .zip(process_cpu_seconds())
        .map(|(before, after)| {
            let requests = (figures.completed + figures.refused).max(1) as f64;
            format!(" · cpu {:.0} µs/request", (after - before) * 1e6 / requests)
        })
        .unwrap_or_default();
    println!(
        "transfers over HTTP: {:.0}/s · p50 {:.1} ms · p99 {:.1} ms · {} completed, {} refused, {} failed{cpu}",
        figures.per_second(),
        figures.percentile_ms(50.0),
        figures.percentile_ms(99.0),
        figures.completed,
        figures.refused,
        figures.failed
    );
    let verify = crate::app::verify(&running.store).await?;
    println!("{verify}");
    running.stop().await?;
    Ok(verify.is_clean())
}

/// The resident memory of this process in KiB (Linux), for the export benchmark.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// `okpay bench export`: `records` records for one person written straight to the store (they
/// stand for history; no money moves), then the CSV export streamed over HTTP and counted.
pub async fn export(config: &crate::config::Config, records: usize) -> anyhow::Result<()> {
    use domain::records::{
        Counterparty, Direction, NewRecord, RecordKind, TransactionRecord, TransactionStatus,
    };
    use domain::wallet::WalletStore;

    let running = crate::app::start(config).await?;
    let people = crate::load::people(&running, 2, 10_000).await?;
    let person = &people[0];
    let now = running.wallet.now();
    eprintln!("writing {records} records…");
    let written = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for index in 0..records {
        let record = TransactionRecord::new(NewRecord {
            id: format!("txn_bench_{index:08}"),
            user_id: person.id.clone(),
            kind: RecordKind::Transfer,
            direction: Direction::Out,
            status: TransactionStatus::Completed,
            amount: Amount::from_minor(100 + (index as i64 % 10_000)),
            currency: Currency::Cny,
            fee: Amount::from_minor(1),
            arrived: Some((
                Amount::from_minor(100 + (index as i64 % 10_000)),
                Currency::Cny,
            )),
            counterparty: Some(Counterparty {
                id: people[1].id.clone(),
                label: "b***@example.com".into(),
            }),
            note: Some("基准测试, \"export\"".into()),
            fee_schedule_id: Some(domain::wallet::DEFAULT_FEE_SCHEDULE_ID.into()),
            quote_id: None,
            failure_reason: None,
            created_at: now - (records - index) as i64,
        })?;
        batch.push((record, None));
        if batch.len() == 10_000 || index + 1 == records {
            running.store.insert_records(&batch).await?;
            batch.clear();
        }
    }
    eprintln!(
        "written in {:.1} s; exporting…",
        written.elapsed().as_secs_f64()
    );
    let before = resident_kib().unwrap_or(0);
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampler = {
        let peak = std::sync::Arc::clone(&peak);
        tokio::spawn(async move {
            loop {
                if let Some(now) = resident_kib() {
                    peak.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let client = reqwest::Client::new();
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let mut response = client
        .get(format!("{}/api/v1/transactions/export.csv", running.url()))
        .bearer_auth(&person.token)
        .send()
        .await?;
    anyhow::ensure!(response.status().is_success(), "{}", response.status());
    let (mut bytes, mut rows) = (0_u64, 0_u64);
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len() as u64;
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let elapsed = started.elapsed().as_secs_f64();
    sampler.abort();
    let grew_mib = (peak
        .load(std::sync::atomic::Ordering::Relaxed)
        .saturating_sub(before)) as f64
        / 1_024.0;
    let cpu = cpu_before
        .zip(process_cpu_seconds())
        .map(|(before, after)| format!(" · cpu {:.2} s", after - before))
        .unwrap_or_default();
    println!(
        "database {} · exported {} records ({:.1} MiB) in {elapsed:.2} s · {:.0} records/s · memory grew {grew_mib:.1} MiB{cpu}",
        dialect_name(&running.store),
        rows.saturating_sub(1),
        bytes as f64 / 1_048_576.0,
        rows.saturating_sub(1) as f64 / elapsed
    );
    running.stop().await?;
    Ok(())
}

fn dialect_name(store: &Store) -> &'static str {
    match store.dialect() {
        store::Dialect::Sqlite => "SQLite",
        store::Dialect::Postgres => "PostgreSQL",
    }
}

/// Builds an index of `articles` generated articles and times every query of the mixed set
/// `rounds` times (each search returns 10 hits with their highlighted snippets).
pub fn search(articles: usize, rounds: usize) -> anyhow::Result<String> {
    use domain::help::HelpSearch;
    use search::bench::{BENCH_QUERIES, generated_articles};

    let seed = domain::help::builtin_articles()
        .map_err(|(file, error)| anyhow::anyhow!("{file}: {error}"))?;
    let generated = generated_articles(&seed, articles);
    let analyzer = search::Analyzer::shared();
    let started = Instant::now();
    let index = search::HelpIndex::new(analyzer, &generated)?;
    let build_s = started.elapsed().as_secs_f64();
    let mut latencies_us = Vec::with_capacity(rounds * BENCH_QUERIES.len());
    let mut hits = 0usize;
    for _ in 0..rounds {
        for (query, language) in BENCH_QUERIES {
            let started = Instant::now();
            let found = index.search(query, Some(*language), 10);
            latencies_us.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
            hits += found.len();
        }
    }
    anyhow::ensure!(hits > 0, "the queries found nothing");
    latencies_us.sort_unstable();
    Ok(format!(
        "help search over {} generated articles (index built in {build_s:.1} s): {} queries, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        generated.len(),
        latencies_us.len(),
        percentile_ms(&latencies_us, 0.5),
        percentile_ms(&latencies_us, 0.99),
        f64::from(*latencies_us.last().unwrap_or(&0)) / 1000.0,
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
