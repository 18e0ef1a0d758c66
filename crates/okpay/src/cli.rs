//! The command line: `okpay serve | migrate | verify | demo | bench | backup | restore`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "okpay",
    version,
    about = "OKPay: a self-hostable e-wallet and payment platform with its support center built in"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every subcommand takes, so `okpay verify --data-dir D` checks what
/// `okpay serve --data-dir D` wrote.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// A TOML configuration file (default: $OKPAY_CONFIG, else ./okpay.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory of the embedded database (default ./okpay-data; env OKPAY_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://… (env OKPAY_DATABASE_URL, else DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server, the API and the ledger.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Load demo users and balances first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Recompute every balance from the journal; exit non-zero on any mismatch.
    Verify,
    /// Load demo users and balances (running it twice changes nothing).
    Demo,
    /// Measure performance.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print the newest messages in the outbox (e-mail and SMS waiting for, or without, a sender).
    Outbox {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Write a consistent copy of the embedded database while it runs.
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the embedded database with a backup (stop `okpay serve` first).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Tools for tests and diagnosis.
    #[command(subcommand, hide = true)]
    Debug(DebugCommand),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Transfers per second and latency: batched, a naive baseline, and a hot account.
    Ledger {
        /// Seconds each mode runs.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Concurrent submitters to the batched write path.
        #[arg(long, default_value_t = 4096)]
        submitters: usize,
        /// Concurrent transactions in the naive baseline.
        #[arg(long, default_value_t = 16)]
        naive_submitters: usize,
        /// Wallets transfers are spread over.
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// Print the figures as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The time of one argon2id password hash and one verification on this machine.
    PasswordHash {
        /// Hashes (and as many verifications) to time.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Submit transfers and print `ack <id>` as each is acknowledged (the crash test's load).
    LedgerLoad {
        #[arg(long, default_value_t = 64)]
        submitters: usize,
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
    },
}
