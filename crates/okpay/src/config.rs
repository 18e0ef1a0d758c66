//! Configuration: defaults, then an optional TOML file, then `OKPAY_*` variables, then flags.

use std::path::{Path, PathBuf};

use anyhow::Context;
use domain::calendar::UtcOffset;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything an `okpay` process can be told. Every field has a default, so a bare `okpay serve`
/// runs on an embedded SQLite file under `./okpay-data/`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the web server listens on; port 0 picks a free one.
    pub listen: String,
    /// `postgres://…` or `sqlite://…`; when unset, `<data_dir>/okpay.db`.
    pub database_url: Option<String>,
    /// Where the embedded database and other local files live.
    pub data_dir: PathBuf,
    /// Load demo users and balances at start.
    pub demo: bool,
    /// `text` for people, `json` for log collectors.
    pub log_format: String,
    /// Connections in the database pool.
    pub database_connections_max: u32,
    /// Ledger commands that may wait for the writer before submitters are slowed down.
    pub ledger_queue_capacity: usize,
    /// The most ledger commands committed in one transaction.
    pub ledger_batch_size_max: usize,
    /// The address people open, e.g. `https://pay.example.com`, when it differs from `listen`
    /// (behind a proxy): links in messages use it (else `http://<listen address>`), and cookies
    /// are `Secure` unless it is on localhost or a loopback address.
    pub public_url: Option<String>,
    /// Run the background job worker in this process (mail delivery, recurring jobs). Any number
    /// of processes may; at least one should.
    pub job_worker: bool,
    /// `smtp://HOST:PORT` (or `smtps://`, with optional `user:password@`): e-mail is sent
    /// through it. Unset, e-mail stays in the outbox (`okpay outbox` prints it).
    pub smtp_url: Option<String>,
    /// The sender of OKPay's e-mail.
    pub mail_from: String,
    /// Sign-in requests (login, register, reset, step-up, staff sign-in) one IP address may make
    /// per minute; 0 turns the limit off.
    pub auth_rate_limit_per_minute: u32,
    /// Money leaving a wallet (transfer, withdrawal, remittance) of about this many yuan or more
    /// needs a fresh second factor (step-up, `money.move`); each currency's threshold is the
    /// round amount of about the same worth. 0 turns it off.
    pub step_up_money_yuan: u64,
    /// A top-up still `processing` this many seconds after it began (its process stopped
    /// between charging the card and crediting the wallet) is settled by the job worker's
    /// reconcile pass, which asks the card processor what became of the charge.
    pub topup_reconcile_after_s: u64,
    /// The UTC offset the wallet's days and months are counted in: when "today" and "this
    /// month" begin for limits, statements and record filters, and the zone pages show times in.
    pub day_offset: DayOffset,
}

/// A fixed UTC offset written `+08:00`, `-05:30`, `+0800` or `Z`, read from the configuration's
/// text (`day_offset`, `OKPAY_DAY_OFFSET`, `--day-offset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayOffset(pub UtcOffset);

impl Default for DayOffset {
    /// China Standard Time, where OKPay's users are.
    fn default() -> Self {
        DayOffset(UtcOffset::CHINA)
    }
}

impl DayOffset {
    /// Reads `+08:00`, `-05:30`, `+0800` or `Z` (also `UTC`), with a message that names the setting.
    pub fn parse(text: &str) -> Result<DayOffset, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("utc") {
            return Ok(DayOffset(UtcOffset::UTC));
        }
        UtcOffset::parse(text).map(DayOffset).map_err(|_| {
            format!(
                "day_offset (--day-offset, OKPAY_DAY_OFFSET): {text:?} is not a UTC offset; \
                 write it as +08:00, -05:30 or Z, between -18:00 and +18:00"
            )
        })
    }
}

impl Serialize for DayOffset {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DayOffset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = DayOffset;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a UTC offset written as text, such as \"+08:00\"")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DayOffset, E> {
                DayOffset::parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from("okpay-data"),
            demo: false,
            log_format: "text".into(),
            database_connections_max: 16,
            ledger_queue_capacity: 65_536,
            ledger_batch_size_max: 8_192,
            public_url: None,
            job_worker: true,
            smtp_url: None,
            mail_from: "OKPay <no-reply@localhost>".into(),
            auth_rate_limit_per_minute: 60,
            step_up_money_yuan: 0,
            topup_reconcile_after_s: 600,
            day_offset: DayOffset::default(),
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    /// `--day-offset`, as typed; checked with the other layers' value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_offset: Option<String>,
}

impl Config {
    /// The settings, as `OKPAY_<NAME>` variables name them (other `OKPAY_` variables, such as the
    /// tests' own, are not settings).
    const FIELDS: &'static [&'static str] = &[
        "listen",
        "database_url",
        "data_dir",
        "demo",
        "log_format",
        "database_connections_max",
        "ledger_queue_capacity",
        "ledger_batch_size_max",
        "public_url",
        "job_worker",
        "smtp_url",
        "mail_from",
        "auth_rate_limit_per_minute",
        "step_up_money_yuan",
        "topup_reconcile_after_s",
        // `day_offset` is read by hand: figment would read `+0800` as the number 800.
    ];

    /// Merges the layers. `file` is `--config`; without it `OKPAY_CONFIG` or `./okpay.toml` is
    /// read when present. `DATABASE_URL` is honoured when `OKPAY_DATABASE_URL` is not set.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("OKPAY_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("okpay.toml")).filter(|default| default.exists()));
        if let Some(file) = &file {
            anyhow::ensure!(
                file.exists(),
                "the configuration file {} does not exist",
                file.display()
            );
            figment = figment.merge(Toml::file(file));
        }
        if std::env::var_os("OKPAY_DATABASE_URL").is_none()
            && let Ok(url) = std::env::var("DATABASE_URL")
        {
            figment = figment.merge(Serialized::default("database_url", url));
        }
        figment = figment.merge(Env::prefixed("OKPAY_").only(Config::FIELDS).lowercase(true));
        if let Ok(offset) = std::env::var("OKPAY_DAY_OFFSET") {
            figment = figment.merge(Serialized::default("day_offset", offset));
        }
        figment = figment.merge(Serialized::defaults(overrides));
        figment.extract().context("reading the configuration")
    }

    /// The database URL in force: the configured one, or the embedded file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.embedded_database_path().display()
            ),
        }
    }

    pub fn embedded_database_path(&self) -> PathBuf {
        self.data_dir.join("okpay.db")
    }

    /// Whether cookies must be `Secure`: always, except when people reach OKPay on this machine
    /// itself (localhost or a loopback address), over the plain HTTP of development.
    pub fn secure_cookies(&self, listening_on: std::net::SocketAddr) -> bool {
        match &self.public_url {
            Some(url) => !is_local_url(url),
            None => !listening_on.ip().is_loopback(),
        }
    }

    pub fn uses_embedded_database(&self) -> bool {
        self.database_url.is_none()
            || self
                .database_url
                .as_deref()
                .is_some_and(|url| url.starts_with("sqlite:"))
    }
}

/// `http://localhost:8080/`, `http://127.0.0.1`, `http://[::1]:8080`: an address only this machine
/// reaches.
fn is_local_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if let Some(bracketed) = host.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_unless_people_reach_okpay_on_this_machine() {
        let loopback: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let public: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let with_url = |url: &str| Config {
            public_url: Some(url.into()),
            ..Config::default()
        };
        assert!(!Config::default().secure_cookies(loopback));
        assert!(Config::default().secure_cookies(public));
        assert!(with_url("https://pay.example.com").secure_cookies(loopback));
        for local in [
            "http://localhost:8080/",
            "http://127.0.0.1",
            "http://[::1]:9000",
        ] {
            assert!(!with_url(local).secure_cookies(public), "{local}");
        }
    }

    #[test]
    fn the_defaults_run_on_an_embedded_database_in_the_data_directory() {
        let config = Config::default();
        assert_eq!(
            config.database_url(),
            "sqlite://okpay-data/okpay.db?mode=rwc"
        );
        assert!(config.uses_embedded_database());
    }

    #[test]
    fn flags_win_over_a_configuration_file() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("okpay.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nledger_batch_size_max = 100\n",
        )
        .expect("written");
        let overrides = Overrides {
            listen: Some("127.0.0.1:0".into()),
            ..Overrides::default()
        };
        let config = Config::load(Some(&file), &overrides).expect("loads");
        assert_eq!(config.listen, "127.0.0.1:0");
        assert_eq!(config.ledger_batch_size_max, 100);
    }

    #[test]
    fn days_begin_at_utc_plus_8_unless_the_day_offset_says_otherwise() {
        assert_eq!(Config::default().day_offset, DayOffset(UtcOffset::CHINA));
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("okpay.toml");
        std::fs::write(&file, "day_offset = \"-05:30\"\n").expect("written");
        let config = Config::load(Some(&file), &Overrides::default()).expect("loads");
        assert_eq!(config.day_offset.0.seconds(), -(5 * 3_600 + 30 * 60));
        for (flag, seconds) in [("+00:00", 0), ("Z", 0), ("UTC", 0), ("+0800", 8 * 3_600)] {
            let overrides = Overrides {
                day_offset: Some(flag.into()),
                ..Overrides::default()
            };
            let config = Config::load(Some(&file), &overrides).expect("loads");
            assert_eq!(config.day_offset.0.seconds(), seconds, "{flag}");
        }
    }

    #[test]
    fn a_day_offset_that_is_not_an_offset_stops_start_up_naming_the_setting() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("okpay.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:0\"\n").expect("written");
        for bad in ["8", "+8:00", "+19:00", "Asia/Shanghai", ""] {
            let overrides = Overrides {
                day_offset: Some(bad.into()),
                ..Overrides::default()
            };
            let error = Config::load(Some(&file), &overrides).expect_err(bad);
            let message = format!("{error:#}");
            assert!(message.contains("day_offset"), "{bad}: {message}");
            assert!(message.contains("--day-offset"), "{bad}: {message}");
            assert!(message.contains("is not a UTC offset"), "{bad}: {message}");
        }
        // A number in the file is not read as hours or minutes: it is refused.
        std::fs::write(&file, "day_offset = 8\n").expect("written");
        let error = Config::load(Some(&file), &Overrides::default()).expect_err("a number");
        assert!(format!("{error:#}").contains("day_offset"), "{error:#}");
    }

    #[test]
    fn an_unknown_setting_in_the_file_is_an_error_not_silently_ignored() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("okpay.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:9000\"\n").expect("written");
        assert!(Config::load(Some(&file), &Overrides::default()).is_err());
    }
}
