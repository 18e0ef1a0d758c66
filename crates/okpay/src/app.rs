//! Starting and stopping OKPay: the store, the ledger's writer and the web server, in that order.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use domain::identity::{AccountRules, Accounts};
use domain::{Ledger, LedgerStore, WriterConfig};
use ledger::{AccountId, Currency, PlatformAccount};
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
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
    let code_key = store
        .server_secret("one_time_code_key", &random_hex_secret())
        .await
        .context("reading the server's code key")?;
    let accounts = Accounts::new(
        Arc::new(store.clone()),
        AccountRules::with_code_key(code_key.into_bytes()),
    );
    let state = web::AppState {
        accounts: Arc::new(accounts),
        readiness: Arc::new(move || {
            let store = readiness_store.clone();
            Box::pin(async move { store.is_ready().await })
        }),
        metrics,
        secure_cookies: !address.ip().is_loopback(),
    };
    let router = web::router(state);
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
        shutdown,
        server,
        writer,
    })
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
