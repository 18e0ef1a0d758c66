//! `okpay`: one binary runs OKPay and its tools.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use domain::AuditStore;
use domain::notify::OutboxStore;
use domain::wallet::AllowAll;
use okpay::app;
use okpay::backup::{self, DataDirLock};
use okpay::cli::{
    BenchCommand, Cli, Command, DebugCommand, FeesCommand, StaffCommand, WithdrawalsCommand,
};
use okpay::config::{Config, Overrides};
use okpay::{bench, crash_probe, demo, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = Overrides {
        database_url: cli.global.database_url.clone(),
        data_dir: cli.global.data_dir.clone(),
        day_offset: cli.global.day_offset.clone(),
        ..Overrides::default()
    };
    if let Command::Serve {
        listen,
        demo,
        smtp_url,
    } = &cli.command
    {
        overrides.listen = listen.clone();
        overrides.demo = demo.then_some(true);
        overrides.smtp_url = smtp_url.clone();
    }
    let config = Config::load(cli.global.config.as_deref(), &overrides)?;
    telemetry::init_logging(&config.log_format);
    match cli.command {
        Command::Serve { .. } => serve(&config).await,
        Command::Migrate => {
            let store = app::open_store(&config).await?;
            store.close().await;
            println!(
                "migrations applied to {}",
                app::redact(&config.database_url())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let store = app::open_store(&config).await?;
            let report = app::verify(&store).await?;
            let audit = store
                .verify_audit()
                .await
                .context("checking the audit log")?;
            store.close().await;
            println!("{report}\n{audit}");
            Ok(if report.is_clean() && audit.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Demo => {
            let store = app::open_store(&config).await?;
            let (ledger, writer) = app::start_ledger(&store, &config);
            let summary = demo::load(&store, &ledger).await?;
            let (wallet, _switch) =
                app::start_wallet(&store, &ledger, Arc::new(AllowAll), config.day_offset).await?;
            demo::load_wallet(&store, &ledger, &wallet).await?;
            okpay::demo_community::load_community(&store, wallet.now()).await?;
            drop(wallet);
            drop(ledger);
            writer.await?;
            store.close().await;
            println!(
                "demo data loaded: {} movements applied, {} already there",
                summary.movements_applied, summary.movements_already_there
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Ledger {
            seconds,
            submitters,
            naive_submitters,
            accounts,
            json,
        }) => {
            let store = app::open_store(&config).await?;
            let (ledger, writer) = app::start_ledger(&store, &config);
            let options = bench::BenchOptions {
                seconds_per_mode: seconds,
                submitters,
                naive_submitters,
                accounts,
            };
            let report = bench::run(&store, &ledger, &options).await?;
            drop(ledger);
            writer.await?;
            let verify = app::verify(&store).await?;
            store.close().await;
            if json {
                let document =
                    serde_json::json!({ "bench": report, "verify_clean": verify.is_clean() });
                println!("{}", serde_json::to_string_pretty(&document)?);
            } else {
                println!(
                    "database {} · {} accounts · {} submitters (naive: {})",
                    report.database, report.accounts, report.submitters, report.naive_submitters
                );
                for mode in &report.modes {
                    println!("{}", mode.line());
                }
                println!(
                    "batched/naive {:.1}x · hot/batched {:.0}%",
                    report.batched_over_naive,
                    report.hot_over_batched * 100.0
                );
                println!("{verify}");
            }
            Ok(if verify.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Bench(BenchCommand::Login {
            rounds,
            concurrency,
        }) => {
            let store = app::open_store(&config).await?;
            let figures = bench::login(&store, rounds.max(1), concurrency.clamp(1, 256)).await;
            store.close().await;
            println!("{}", figures?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Http {
            seconds,
            clients,
            users,
        }) => {
            let mut config = config;
            config.listen = "127.0.0.1:0".into();
            // The load signs every person in from one address: the per-IP limit would stop it.
            config.auth_rate_limit_per_minute = 1_000_000;
            let verify = bench::http(&config, seconds, clients, users).await?;
            Ok(if verify {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Bench(BenchCommand::Export { records }) => {
            let mut config = config;
            config.listen = "127.0.0.1:0".into();
            // The load signs every person in from one address: the per-IP limit would stop it.
            config.auth_rate_limit_per_minute = 1_000_000;
            bench::export(&config, records).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Search { articles, rounds }) => {
            let figures =
                tokio::task::spawn_blocking(move || bench::search(articles, rounds.max(1)))
                    .await??;
            println!("{figures}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Chat {
            connections,
            messages,
            interval_ms,
        }) => {
            let mut config = config;
            config.listen = "127.0.0.1:0".into();
            okpay::chat_bench::run(
                &config,
                connections.max(2),
                messages.max(1),
                std::time::Duration::from_millis(interval_ms.max(1)),
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::PasswordHash { rounds }) => {
            let figures = bench::password_hash(rounds.max(1)).await?;
            println!("{figures}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Staff(StaffCommand::Create {
            email,
            name,
            role,
            locale,
        }) => {
            let role = domain::staff::StaffRole::parse(role.trim()).with_context(|| {
                format!("{role:?} is not a role: use admin, agent, security, risk or finance")
            })?;
            let store = app::open_store(&config).await?;
            let public_url = config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.listen));
            let accounts = app::accounts(&store, &public_url).await?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs() as i64);
            let created = accounts
                .create_staff(&email, name.as_deref(), role, &locale, now)
                .await
                .context("adding the staff member")?;
            store.close().await;
            let who = match &created.staff.name {
                Some(name) => format!("{name}, {}", created.staff.email),
                None => created.staff.email.clone(),
            };
            println!(
                "staff member {} ({who}, {}) added; their one-time set-up link (72 hours):",
                created.staff.id,
                role.name()
            );
            println!(
                "{}/staff/setup/{}",
                public_url.trim_end_matches('/'),
                created.setup_token
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Outbox { limit } => {
            let store = app::open_store(&config).await?;
            let messages = store
                .recent_messages(limit.clamp(1, 1_000))
                .await
                .context("reading the outbox")?;
            store.close().await;
            if messages.is_empty() {
                println!("the outbox is empty");
            }
            for message in messages {
                let state = if message.sent_at.is_some() {
                    "sent"
                } else {
                    "waiting"
                };
                println!(
                    "── {} · {} to {} · {} · {state}\n{}\n{}\n",
                    message.id,
                    message.channel.name(),
                    message.recipient,
                    message.locale,
                    message.subject,
                    message.body
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Support(command) => {
            let store = app::open_store(&config).await?;
            let outcome = okpay::support_cli::run(&store, command).await;
            store.close().await;
            outcome?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Withdrawals(command) => withdrawals(&config, command).await,
        Command::Fees(command) => fees(&config, command).await,
        Command::Backup { to } => {
            backup::backup(&config, &to).await?;
            println!("backup written to {}", to.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from } => {
            let report = backup::restore(&config, &from).await?;
            println!(
                "restored {} into {}\n{report}",
                from.display(),
                config.embedded_database_path().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Debug(DebugCommand::LedgerLoad { submitters, count }) => {
            let store = app::open_store(&config).await?;
            let (ledger, writer) = app::start_ledger(&store, &config);
            crash_probe::run(&store, &ledger, submitters, count).await?;
            drop(ledger);
            writer.await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `okpay withdrawals …`: the review queue from the command line until the staff pages exist.
async fn withdrawals(config: &Config, command: WithdrawalsCommand) -> anyhow::Result<ExitCode> {
    let store = app::open_store(config).await?;
    let (ledger, writer) = app::start_ledger(&store, config);
    let (wallet, _switch) =
        app::start_wallet(&store, &ledger, Arc::new(AllowAll), config.day_offset).await?;
    let outcome = match command {
        WithdrawalsCommand::Review { limit } => {
            let queue = wallet.withdrawals_to_review(limit.clamp(1, 1_000)).await?;
            if queue.is_empty() {
                println!("no withdrawal is waiting for review");
            }
            for w in queue {
                println!(
                    "{}  {}  {} {} (fee {})  to {}  submitted {}",
                    w.id,
                    w.user_id,
                    w.amount.to_decimal_string(w.currency),
                    w.currency,
                    w.fee.to_decimal_string(w.currency),
                    w.bank_account_id,
                    domain::calendar::rfc3339_utc(w.created_at),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        WithdrawalsCommand::Approve { id, staff, reason } => wallet
            .approve_withdrawal(&staff, &id, reason.as_deref())
            .await
            .map(|view| {
                println!("{} approved: {}", view.withdrawal.id, view.record.status());
                ExitCode::SUCCESS
            }),
        WithdrawalsCommand::Reject { id, staff, reason } => wallet
            .reject_withdrawal(&staff, &id, &reason)
            .await
            .map(|view| {
                println!("{} rejected; the hold is released", view.withdrawal.id);
                ExitCode::SUCCESS
            }),
    };
    let outcome = outcome.or_else(|error| {
        eprintln!("refused: {} ({error})", error.code());
        Ok::<_, anyhow::Error>(ExitCode::FAILURE)
    });
    drop(wallet);
    drop(ledger);
    writer.await?;
    store.close().await;
    outcome
}

/// `okpay fees …`: the fee schedule's history and publishing, until the admin page exists.
async fn fees(config: &Config, command: FeesCommand) -> anyhow::Result<ExitCode> {
    let store = app::open_store(config).await?;
    let (ledger, writer) = app::start_ledger(&store, config);
    let (wallet, _switch) =
        app::start_wallet(&store, &ledger, Arc::new(AllowAll), config.day_offset).await?;
    let outcome = match command {
        FeesCommand::List => {
            for (schedule, by) in wallet.fee_schedules().await? {
                println!(
                    "{}  in force from {}  published by {by}\n{}\n",
                    schedule.id(),
                    domain::calendar::rfc3339_utc(schedule.effective_at()),
                    store::fee_rules_json::fee_rules_to_json(schedule.rules())
                );
            }
            ExitCode::SUCCESS
        }
        FeesCommand::Publish {
            id,
            effective_at,
            rules,
            staff,
        } => {
            let text = std::fs::read_to_string(&rules)
                .with_context(|| format!("reading {}", rules.display()))?;
            let rules = store::fee_rules_json::fee_rules_from_json(&text)?;
            let effective_at = match effective_at {
                Some(text) => domain::calendar::parse_rfc3339(&text)
                    .map_err(|_| anyhow::anyhow!("--effective-at {text:?} is not RFC 3339"))?,
                None => wallet.now(),
            };
            match wallet
                .publish_fee_schedule(&staff, &id, effective_at, rules)
                .await
            {
                Ok(schedule) => {
                    println!(
                        "{} published, in force from {}",
                        schedule.id(),
                        domain::calendar::rfc3339_utc(schedule.effective_at())
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("refused: {} ({error})", error.code());
                    ExitCode::FAILURE
                }
            }
        }
    };
    drop(wallet);
    drop(ledger);
    writer.await?;
    store.close().await;
    Ok(outcome)
}

async fn serve(config: &Config) -> anyhow::Result<ExitCode> {
    // Restore must not swap the file under a running server.
    let _lock = if config.database_url.is_none() {
        Some(DataDirLock::acquire(&config.data_dir)?)
    } else {
        None
    };
    let running = app::start(config).await?;
    tracing::info!(database = %app::redact(&config.database_url()), "okpay is running");
    println!("OKPay is running at {}  (Ctrl-C stops it)", running.url());
    shutdown_signal().await;
    println!("stopping: finishing requests in flight and committing the ledger's queue");
    running.stop().await.context("stopping")?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return std::future::pending::<()>().await,
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
