//! `okpay`: one binary runs OKPay and its tools.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use domain::AuditStore;
use domain::notify::OutboxStore;
use okpay::app;
use okpay::backup::{self, DataDirLock};
use okpay::cli::{BenchCommand, Cli, Command, DebugCommand};
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
        ..Overrides::default()
    };
    if let Command::Serve { listen, demo } = &cli.command {
        overrides.listen = listen.clone();
        overrides.demo = demo.then_some(true);
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
        Command::Bench(BenchCommand::PasswordHash { rounds }) => {
            let figures = bench::password_hash(rounds.max(1)).await?;
            println!("{figures}");
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
