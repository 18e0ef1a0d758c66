//! Starting and stopping OKPay: the store, the ledger's writer, the web server and the job worker.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use domain::community::Community;
use domain::delivery::OUTBOX_DELIVERY_JOB;
use domain::identity::{AccountRules, Accounts, SecretBox};
use domain::support::Support;
use domain::wallet::{
    CardFingerprintKey, MoneyOutGuard, RailSwitch, SimulatedRail, Wallet, WalletRules,
};
use domain::{Ledger, LedgerStore, WriterConfig};
use jobs::{RunningWorker, Worker, WorkerConfig};
use ledger::{AccountId, Currency, PlatformAccount};
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Config, DayOffset};
use crate::{demo, telemetry};

/// Connects to the configured database (creating the data directory for the embedded one),
/// applies migrations and opens the platform's accounts.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.uses_embedded_database() && config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    let url = config.database_url();
    let store = Store::connect(&url, config.database_connections_max)
        .await
        .with_context(|| format!("connecting to {}", redact(&url)))?;
    store.migrate().await.context("applying migrations")?;
    let platform: Vec<AccountId> = Currency::ALL
        .iter()
        .flat_map(|currency| {
            PlatformAccount::ALL
                .iter()
                .map(|account| AccountId::platform(*account, *currency))
        })
        .collect();
    store
        .open_accounts(&platform)
        .await
        .context("opening the platform accounts")?;
    Ok(store)
}

pub fn start_ledger(store: &Store, config: &Config) -> (Ledger, JoinHandle<()>) {
    let writer = WriterConfig {
        queue_capacity: config.ledger_queue_capacity,
        batch_size_max: config.ledger_batch_size_max,
    };
    Ledger::start(Arc::new(store.clone()), writer)
}

/// A running OKPay: what tests and `okpay serve` hold on to.
pub struct Running {
    pub address: SocketAddr,
    pub store: Store,
    pub ledger: Ledger,
    /// The job queue's worker, with every handler registered: tests drive it with
    /// `jobs.run_pending(now)` when `job_worker` is off.
    pub jobs: Worker<Store>,
    job_worker: Option<RunningWorker>,
    /// The wallet's use cases, shared with the web server (tests move its clock).
    pub wallet: Arc<Wallet>,
    /// The simulated processor's and rail's slow/down switch.
    pub rail_switch: Arc<RailSwitch>,
    /// This process's community search index (tests count its builds).
    pub community_search: Arc<web::CommunitySearch>,
    payout_worker: JoinHandle<()>,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    writer: JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops taking requests, lets those in flight finish, commits what the ledger has queued,
    /// and closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.server
            .await
            .context("the web server task")?
            .context("the web server")?;
        // The workers and the wallet hold ledger handles; the writer stops once all are gone.
        if let Some(worker) = self.job_worker {
            worker.stop().await;
        }
        drop(self.jobs);
        self.payout_worker.abort();
        let _ = self.payout_worker.await;
        drop(self.wallet);
        drop(self.ledger);
        self.writer.await.context("the ledger writer")?;
        self.store.close().await;
        Ok(())
    }
}

/// Starts everything and returns once the server is listening.
pub async fn start(config: &Config) -> anyhow::Result<Running> {
    // Installed before anything records, so the demo's and the first batches' figures count.
    let metrics = telemetry::metrics_handle();
    let store = open_store(config).await?;
    let (ledger, writer) = start_ledger(&store, config);
    if config.demo {
        demo::load(&store, &ledger)
            .await
            .context("loading demo data")?;
    }
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let address = listener.local_addr()?;
    let readiness_store = store.clone();
    let csrf_key = store
        .server_secret("csrf_key", &random_hex_secret())
        .await
        .context("reading the server's CSRF key")?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let accounts = Arc::new(accounts(&store, &public_url).await?);
    let support = Support::new(Arc::new(store.clone()));
    support
        .seed_defaults(unix_now())
        .await
        .context("seeding the default contact channels")?;
    // The wallet asks identity before money leaves an account: a frozen one moves nothing out.
    let wallet = start_wallet(&store, &ledger, accounts.clone(), config.day_offset).await?;
    let rail_switch = Arc::clone(&wallet.1);
    let wallet = wallet.0;
    if config.demo {
        demo::load_wallet(&store, &ledger, &wallet)
            .await
            .context("loading the wallet's demo data")?;
        crate::demo_community::load_community(&store, wallet.now())
            .await
            .context("loading the community's demo questions")?;
    }
    let payout_worker = tokio::spawn(payout_worker(Arc::clone(&wallet)));
    let help = Arc::new(start_help_center(&store).await?);
    let tickets = domain::tickets::Tickets::new(Arc::new(store.clone()));
    let community_search = Arc::new(web::CommunitySearch::default());
    let state = web::AppParts {
        chat: Some(web::LiveChat::new(domain::chat::Chat::new(
            Arc::new(store.clone()),
            tickets,
        ))),
        appeals: Some(Arc::new(domain::appeals::Appeals::new(
            Arc::new(store.clone()),
            accounts.clone(),
        ))),
        help: help.clone(),
        help_desk: Arc::new(domain::help::HelpDesk::new(store.clone(), help)),
        wallet: Some(Arc::clone(&wallet)),
        rail_switch: Some(Arc::clone(&rail_switch)),
        step_up_money_yuan: config.step_up_money_yuan,
        fee_rules_json: Some(web::FeeRulesJson {
            to_json: store::fee_rules_json::fee_rules_to_json,
            from_json: |text| {
                store::fee_rules_json::fee_rules_from_json(text).map_err(|error| error.0)
            },
        }),
        kyc: Some(Arc::new(domain::kyc::Kyc::new(
            Arc::new(store.clone()),
            Arc::clone(&wallet) as Arc<dyn domain::kyc::TierSetter>,
        ))),
        tickets: Some(Arc::new(domain::tickets::Tickets::new(Arc::new(
            store.clone(),
        )))),
        support: Arc::new(support),
        community: Arc::new(Community::new(Arc::new(store.clone()))),
        community_search: Arc::clone(&community_search),
        accounts: accounts.clone(),
        security: accounts,
        auth_rate_limit: web::AuthRateLimit {
            per_minute: config.auth_rate_limit_per_minute,
        },
        readiness: Arc::new(move || {
            let store = readiness_store.clone();
            Box::pin(async move { store.is_ready().await })
        }),
        metrics,
        secure_cookies: config.secure_cookies(address),
        csrf_key: web::CsrfKey::new(csrf_key.as_bytes()),
        page_offset: wallet.rules().offset,
    };
    let router = web::router(state);
    let mut jobs = Worker::new(Arc::new(store.clone()), WorkerConfig::default());
    let senders = mail::Senders {
        email: match &config.smtp_url {
            Some(url) => Some(
                mail::SmtpSender::new(url, &config.mail_from)
                    .with_context(|| format!("the SMTP server {}", redact(url)))?,
            ),
            None => None,
        },
        sms: None,
    };
    jobs.register(
        OUTBOX_DELIVERY_JOB,
        Arc::new(mail::DeliverOutboxMessage::new(
            Arc::new(store.clone()),
            senders,
        )),
    );
    jobs.register(
        domain::wallet::MAINTENANCE_FEE_JOB,
        Arc::new(crate::maintenance_fee::MaintenanceFeeJob {
            wallet: Arc::clone(&wallet),
        }),
    );
    jobs.register(
        domain::wallet::TOP_UP_RECONCILE_JOB,
        Arc::new(crate::topup_reconcile::TopUpReconcileJob {
            wallet: Arc::clone(&wallet),
            after_s: i64::try_from(config.topup_reconcile_after_s).unwrap_or(i64::MAX),
        }),
    );
    if config.job_worker {
        jobs.schedule(&crate::maintenance_fee::schedule())
            .await
            .context("scheduling the daily maintenance fee pass")?;
        jobs.schedule(&crate::topup_reconcile::schedule())
            .await
            .context("scheduling the stuck top-up reconcile pass")?;
    }
    let job_worker = config.job_worker.then(|| jobs.clone().start());
    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = shutdown_signal.await;
        })
        .await
    });
    Ok(Running {
        address,
        store,
        ledger,
        jobs,
        job_worker,
        wallet,
        rail_switch,
        community_search,
        payout_worker,
        shutdown,
        server,
        writer,
    })
}

/// The accounts use cases over `store`, with the server's secrets (made on first start).
pub async fn accounts(store: &Store, public_url: &str) -> anyhow::Result<Accounts<Store>> {
    let code_key = store
        .server_secret("one_time_code_key", &random_hex_secret())
        .await
        .context("reading the server's code key")?;
    let totp_key = store
        .server_secret("totp_secret_key", &random_hex_secret())
        .await
        .context("reading the server's TOTP key")?;
    let mut rules = AccountRules::with_code_key(code_key.into_bytes());
    rules.totp_box = SecretBox::new(totp_key.as_bytes());
    rules.public_url = public_url.trim_end_matches('/').to_owned();
    Ok(Accounts::new(Arc::new(store.clone()), rules))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// How often approved withdrawals are looked at for payout.
const PAYOUT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The wallet over `store` and `ledger`, with the simulated processor and rail (the default
/// until a real provider is configured), its days counted in `day_offset`, and the starting FX
/// rates on a fresh database.
pub async fn start_wallet(
    store: &Store,
    ledger: &Ledger,
    guard: Arc<dyn MoneyOutGuard>,
    day_offset: DayOffset,
) -> anyhow::Result<(Arc<Wallet>, Arc<RailSwitch>)> {
    let fingerprint_key = store
        .server_secret("card_fingerprint_key", &random_hex_secret())
        .await
        .context("reading the server's card fingerprint key")?;
    let switch = RailSwitch::new();
    // The simulator remembers its charges in the database, as a real processor would in its own.
    let rail = Arc::new(SimulatedRail::new(
        Arc::clone(&switch),
        Arc::new(store.clone()),
    ));
    let wallet = Wallet::new(
        Arc::new(store.clone()),
        ledger.clone(),
        rail.clone(),
        rail,
        guard,
        WalletRules {
            offset: day_offset.0,
            card_fingerprint_key: CardFingerprintKey::new(fingerprint_key.as_bytes()),
            ..WalletRules::default()
        },
    );
    wallet
        .seed()
        .await
        .context("publishing the built-in fee schedule and the starting FX rates")?;
    Ok((Arc::new(wallet), switch))
}

/// Pays out approved withdrawals as they fall due. A plain interval task for now; the job
/// queue can take it over by calling `process_due_withdrawals` the same way.
async fn payout_worker(wallet: Arc<Wallet>) {
    let mut ticks = tokio::time::interval(PAYOUT_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match wallet.process_due_withdrawals().await {
            Ok(pass) if pass != domain::wallet::PayoutPass::default() => {
                tracing::info!(?pass, "payout pass");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "payout pass failed; the next one retries"),
        }
    }
}

/// The help center over the stored articles (the built-in ones are stored on first start), with
/// its search index built off the async threads.
async fn start_help_center(store: &Store) -> anyhow::Result<domain::help::HelpCenter> {
    let builtin = domain::help::builtin_articles()
        .map_err(|(file, error)| anyhow::anyhow!("built-in help article {file}: {error}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let articles = domain::help::load_articles(store, &builtin, now)
        .await
        .context("loading the help articles")?;
    tokio::task::spawn_blocking(move || search::help_center(articles))
        .await
        .context("building the help center")?
        .context("building the help center's search index")
}

/// 256 random bits as hex, offered as a new server secret (kept only if none exists yet).
fn random_hex_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Keeps `user:password@` out of logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// What `verify` reports for the configured database.
pub async fn verify(store: &Store) -> anyhow::Result<ledger::VerifyReport> {
    store.verify().await.context("verifying the ledger")
}
