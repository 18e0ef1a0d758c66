//! The command line: `okpay serve | migrate | verify | demo | bench | outbox | support | backup | restore`.

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
    /// The UTC offset the wallet's days and months begin in, for limits, statements and the
    /// times pages show: +08:00, -05:30 or Z (default +08:00; env OKPAY_DAY_OFFSET).
    #[arg(long, global = true, value_name = "OFFSET", allow_hyphen_values = true)]
    pub day_offset: Option<String>,
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
        /// Send e-mail through this SMTP server, smtp://HOST:PORT (env OKPAY_SMTP_URL); without
        /// it e-mail stays in the outbox.
        #[arg(long, value_name = "URL")]
        smtp_url: Option<String>,
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
    /// Manage staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
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
    /// Announcements and scam reports, for operators (until the staff console edits them).
    #[command(subcommand)]
    Support(SupportCommand),
    /// The withdrawal review queue: list, approve or reject (finance staff).
    #[command(subcommand)]
    Withdrawals(WithdrawalsCommand),
    /// The fee schedule's versions: list them, or publish a new one (admins).
    #[command(subcommand)]
    Fees(FeesCommand),
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
    /// Sign-in latency (p50, p99) one at a time and several at once, on the configured database.
    Login {
        /// Sign-ins per run.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        /// Sign-ins at once in the second run.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Transfers over real HTTP: `clients` concurrent clients among `users` people; prints
    /// transfers/s and latency percentiles, then runs verify. Point it at a scratch database.
    Http {
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 200)]
        users: usize,
    },
    /// Streams the CSV export of `records` transaction records of one user over HTTP; prints
    /// the time and how much the process's memory grew. Point it at a scratch database.
    Export {
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
    },
    /// Help-center search latency over generated articles (both languages), per query.
    Search {
        /// Articles to generate and index.
        #[arg(long, default_value_t = 10_000)]
        articles: usize,
        /// Times the whole query set is run.
        #[arg(long, default_value_t = 100)]
        rounds: usize,
    },
    /// Live-chat delivery latency: `connections` WebSocket connections (half users, half
    /// agents) on one process, messages both ways. Point it at a scratch database.
    Chat {
        #[arg(long, default_value_t = 1_000)]
        connections: usize,
        /// Messages each socket sends.
        #[arg(long, default_value_t = 20)]
        messages: usize,
        /// Milliseconds between one socket's messages.
        #[arg(long, default_value_t = 200)]
        interval_ms: u64,
    },
    /// The time of one argon2id password hash and one verification on this machine.
    PasswordHash {
        /// Hashes (and as many verifications) to time.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member and print their one-time set-up link (password and TOTP).
    Create {
        #[arg(long)]
        email: String,
        /// Their name as colleagues know them (王芳, Wang Fang), shown in the console and the
        /// back-office header; without it they are named by e-mail address.
        #[arg(long)]
        name: Option<String>,
        /// admin, agent, security, risk or finance.
        #[arg(long)]
        role: String,
        /// The language of their messages: zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        locale: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum WithdrawalsCommand {
    /// List the withdrawals waiting for review, oldest first.
    Review {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Approve a withdrawal: its payout is due at once (paid by the next `okpay serve` pass).
    Approve {
        id: String,
        /// Who approves (a staff id), kept with the withdrawal.
        #[arg(long)]
        staff: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Reject a withdrawal with a reason the user reads; the held amount is released.
    Reject {
        id: String,
        #[arg(long)]
        staff: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FeesCommand {
    /// Every published version, oldest first, with its rules as JSON.
    List,
    /// Publish a new version from a JSON file shaped like `list` prints; older versions stay.
    Publish {
        /// The version's id (letters, digits, underscores), recorded with every movement it prices.
        #[arg(long)]
        id: String,
        /// When it takes effect, RFC 3339 (default: now).
        #[arg(long)]
        effective_at: Option<String>,
        #[arg(long, value_name = "FILE")]
        rules: std::path::PathBuf,
        /// Who publishes it (a staff id).
        #[arg(long)]
        staff: String,
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

#[derive(Debug, Subcommand)]
pub enum SupportCommand {
    /// Publish a maintenance or incident notice; prints its id.
    Announce {
        /// `maintenance` or `incident`.
        #[arg(long)]
        kind: String,
        /// `info`, `degraded` or `outage`.
        #[arg(long)]
        severity: String,
        /// Comma-separated: sign_in, card_topup, transfer, bank_payout, exchange, remittance,
        /// merchant_payments, chat, tickets.
        #[arg(long, value_delimiter = ',')]
        services: Vec<String>,
        /// RFC 3339, e.g. 2026-11-24T01:00:00Z (default: now).
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// RFC 3339; leave out while an incident's end is unknown.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        #[arg(long)]
        title_zh: String,
        #[arg(long)]
        title_en: String,
        #[arg(long)]
        body_zh: String,
        #[arg(long)]
        body_en: String,
        /// Who is publishing it, for the history and the audit log.
        #[arg(long, default_value = "system")]
        by: String,
    },
    /// End a notice now (an incident resolved, maintenance done early), or withdraw it.
    End {
        id: String,
        /// Hide it everywhere instead of ending it.
        #[arg(long)]
        withdraw: bool,
        #[arg(long, default_value = "system")]
        by: String,
    },
    /// List the newest notices.
    Notices {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// List scam reports, newest first.
    Reports {
        /// `pending`, `confirmed` or `rejected`; all when left out.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Confirm a scam report (the check then says "confirmed scam") or reject it.
    Review {
        id: String,
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        confirm: bool,
        #[arg(long)]
        reject: bool,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "system")]
        by: String,
    },
}
