//! `spawn_app()` and friends: a fresh database and a running OKPay per test.

use std::path::PathBuf;
use std::process::Command;

use okpay::app::{self, Running};
use okpay::config::Config;
use tempfile::TempDir;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per database from an async fn taking a [`Backend`].
macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name(crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$name(crate::helpers::Backend::Postgres).await;
            }
        }
    };
}
pub(crate) use on_both_databases;

/// A configuration on a fresh database: a temporary data directory for SQLite, a new database
/// for PostgreSQL. `None` when PostgreSQL is wanted but absent outside CI.
pub struct TestDatabase {
    pub config: Config,
    pub dir: TempDir,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Option<TestDatabase> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(store::scratch::test_postgres_database().await?),
        };
        let config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: dir.path().join("data"),
            database_url,
            // Tests run jobs themselves, with `run_pending_jobs`, so they see every outcome.
            job_worker: false,
            ..Config::default()
        };
        Some(TestDatabase { config, dir })
    }

    /// The flags that point the `okpay` binary at this database.
    pub fn flags(&self) -> Vec<String> {
        match &self.config.database_url {
            Some(url) => vec!["--database-url".into(), url.clone()],
            None => vec![
                "--data-dir".into(),
                self.config.data_dir.display().to_string(),
            ],
        }
    }

    /// Runs the `okpay` binary with `args` against this database and returns its output.
    pub fn okpay(&self, args: &[&str]) -> std::process::Output {
        Command::new(okpay_binary())
            .args(args)
            .args(self.flags())
            .env_remove("OKPAY_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .output()
            .expect("the okpay binary runs")
    }
}

pub fn okpay_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_okpay"))
}

/// A running OKPay with an HTTP client pointed at it.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub running: Running,
    /// Kept for the test's lifetime: dropping it deletes the data directory.
    _database: TestDatabase,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let mut database = TestDatabase::new(backend).await?;
    adjust(&mut database.config);
    let running = app::start(&database.config).await.expect("OKPay starts");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    Some(TestApp {
        base_url: running.url(),
        client,
        running,
        _database: database,
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is answered")
    }

    /// Runs every job that is due now (and the schedules that are due), as the worker would.
    pub async fn run_pending_jobs(&self) -> jobs::RunReport {
        self.running
            .jobs
            .run_pending(jobs::now_ms())
            .await
            .expect("the job queue answers")
    }

    /// Runs the `okpay` binary against this app's database.
    pub fn okpay(&self, args: &[&str]) -> std::process::Output {
        self._database.okpay(args)
    }

    /// Another OKPay on this app's database, as a second process sharing it would be: its own
    /// pool, hub, caches and port. Stop it before this app.
    pub async fn another_process(&self) -> Running {
        app::start(&self._database.config)
            .await
            .expect("a second OKPay starts")
    }

    pub async fn stop(self) {
        self.running.stop().await.expect("OKPay stops cleanly");
    }
}

/// Reads an API error body and returns its code, checking the documented shape on the way.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("an error body is JSON");
    let error = &body["error"];
    for field in ["code", "message", "next_step", "request_id"] {
        assert!(
            error[field].as_str().is_some_and(|text| !text.is_empty()),
            "error.{field} missing in {body}"
        );
    }
    error["code"].as_str().unwrap_or_default().to_owned()
}
