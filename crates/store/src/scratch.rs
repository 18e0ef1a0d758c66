//! Fresh, empty PostgreSQL databases for tests and benchmarks, each with a unique name.

use sqlx::any::install_default_drivers;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor};

use crate::error::store_error;
use domain::StoreError;

/// Creates a new database on the server `server_url` points at and returns a URL for it.
/// `server_url` is any URL of that server, e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
pub async fn create_postgres_database(
    server_url: &str,
    name_prefix: &str,
) -> Result<String, StoreError> {
    install_default_drivers();
    let name = format!("{name_prefix}_{}", uuid_like_suffix());
    let mut connection = AnyConnection::connect(server_url)
        .await
        .map_err(store_error)?;
    connection
        .execute(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await
        .map_err(store_error)?;
    connection.close().await.map_err(store_error)?;
    Ok(with_database(server_url, &name))
}

/// `server_url` with its database (the path) replaced by `database`, keeping any query.
pub fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let host_and_path = &base[authority_start..];
    let authority = host_and_path.split('/').next().unwrap_or(host_and_path);
    format!("{}{authority}/{database}{query}", &base[..authority_start])
}

/// Unique across processes (the pid) and within one (the clock and a counter).
fn uuid_like_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static CREATED: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let sequence = CREATED.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:x}_{:x}_{sequence}", std::process::id())
}

/// The PostgreSQL server tests use: `OKPAY_TEST_POSTGRES_URL`, else the local default.
pub const TEST_POSTGRES_DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh database for one test, or `None` when no PostgreSQL server answers. Under CI
/// (`CI=true`) an unreachable server is a failure, never a skip.
pub async fn test_postgres_database() -> Option<String> {
    let server = std::env::var("OKPAY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| TEST_POSTGRES_DEFAULT_URL.to_owned());
    match create_postgres_database(&server, "okpay_test").await {
        Ok(url) => Some(url),
        Err(error) if std::env::var("CI").is_ok_and(|value| value == "true") => {
            panic!("CI needs PostgreSQL at {server}: {error}")
        }
        Err(error) => {
            eprintln!("skipping the PostgreSQL run: {server} unreachable ({error})");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_part_of_a_url_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
