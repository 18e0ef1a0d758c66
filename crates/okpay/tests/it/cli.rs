//! The `okpay` binary: serve, demo, verify, bench, backup and restore, as an operator runs them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use sqlx::Connection;

use crate::helpers::{Backend, TestDatabase, okpay_binary, on_both_databases};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_success(output: &std::process::Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed: {}\nstdout: {}\nstderr: {}",
        output.status,
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn entries_checked(verify_output: &str) -> u64 {
    verify_output
        .lines()
        .find_map(|line| line.strip_prefix("entries checked:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("verify reports how many entries it checked")
}

on_both_databases!(verify_is_clean_after_demo_and_a_second_demo_adds_nothing);
async fn verify_is_clean_after_demo_and_a_second_demo_adds_nothing(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    assert_success(&database.okpay(&["demo"]), "okpay demo");
    let first = database.okpay(&["verify"]);
    assert_success(&first, "okpay verify");
    assert!(stdout(&first).contains("verify: clean"));
    let second_demo = database.okpay(&["demo"]);
    assert_success(&second_demo, "okpay demo again");
    assert!(
        stdout(&second_demo).contains("0 movements applied"),
        "{}",
        stdout(&second_demo)
    );
    let second = database.okpay(&["verify"]);
    assert_eq!(
        entries_checked(&stdout(&first)),
        entries_checked(&stdout(&second))
    );
}

on_both_databases!(the_ledger_benchmark_reports_all_three_modes_and_leaves_verify_clean);
async fn the_ledger_benchmark_reports_all_three_modes_and_leaves_verify_clean(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    let output = database.okpay(&[
        "bench",
        "ledger",
        "--seconds",
        "0.3",
        "--accounts",
        "20",
        "--submitters",
        "32",
        "--naive-submitters",
        "4",
        "--json",
    ]);
    assert_success(&output, "okpay bench ledger");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("--json prints JSON");
    assert_eq!(report["verify_clean"], true);
    let modes: Vec<&str> = report["bench"]["modes"]
        .as_array()
        .expect("modes")
        .iter()
        .filter_map(|mode| mode["mode"].as_str())
        .collect();
    assert_eq!(modes, ["batched", "naive", "hot"]);
    for mode in report["bench"]["modes"].as_array().expect("modes") {
        assert!(
            mode["transfers"].as_u64().is_some_and(|count| count > 0),
            "{mode}"
        );
        assert!(
            mode["transfers_per_s"]
                .as_f64()
                .is_some_and(|rate| rate > 0.0),
            "{mode}"
        );
    }
    assert_success(
        &database.okpay(&["verify"]),
        "okpay verify after the benchmark",
    );
}

on_both_databases!(verify_exits_non_zero_when_a_balance_disagrees_with_the_journal);
async fn verify_exits_non_zero_when_a_balance_disagrees_with_the_journal(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    assert_success(&database.okpay(&["demo"]), "okpay demo");
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&database.config.database_url())
        .await
        .expect("connects");
    sqlx::query("UPDATE ledger_accounts SET posted = posted + 1 WHERE id = 'usr_demo_alice:CNY'")
        .execute(&mut connection)
        .await
        .expect("tampered");
    connection.close().await.expect("closed");
    let output = database.okpay(&["verify"]);
    assert!(
        !output.status.success(),
        "verify must fail on a tampered balance"
    );
    let report = stdout(&output);
    assert!(report.contains("MISMATCH usr_demo_alice:CNY"), "{report}");
    assert!(
        report.contains("trial balance CNY: 1 (NOT ZERO)"),
        "{report}"
    );
}

#[tokio::test]
async fn serve_on_port_zero_with_demo_prints_its_url_counts_ledger_batches_and_stops_cleanly_on_sigterm()
 {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut server = Command::new(okpay_binary())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("okpay serve starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("readable");
    let url = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("the URL is printed")
        .to_owned();
    assert!(!url.ends_with(":0"), "the real port is printed: {first}");
    let health = reqwest::get(format!("{url}/healthz"))
        .await
        .expect("the printed URL answers");
    assert_eq!(health.status(), 200);
    // A fresh process counts the demo's ledger batches from its first one.
    let metrics = reqwest::get(format!("{url}/metrics"))
        .await
        .expect("answered")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("okpay_ledger_batch_size_count"),
        "{metrics}"
    );
    let restore_while_serving = Command::new(okpay_binary())
        .args(["restore", "--from", "/dev/null", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(
        !restore_while_serving.status.success(),
        "restore must refuse while serve runs"
    );
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = server.wait().expect("okpay serve exits");
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_to_exactly_the_ledger_it_copied() {
    let Some(database) = TestDatabase::new(Backend::Sqlite).await else {
        return;
    };
    assert_success(&database.okpay(&["demo"]), "okpay demo");
    let mut server = Command::new(okpay_binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(database.flags())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("okpay serve starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let _ = lines.next();
    let backup_file = database.dir.path().join("backup.db");
    let backup_arg = backup_file.display().to_string();
    assert_success(
        &database.okpay(&["backup", "--to", &backup_arg]),
        "okpay backup while serving",
    );
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let before = entries_checked(&stdout(&database.okpay(&["verify"])));
    assert_success(
        &database.okpay(&[
            "bench",
            "ledger",
            "--seconds",
            "0.2",
            "--accounts",
            "5",
            "--submitters",
            "8",
            "--naive-submitters",
            "2",
        ]),
        "the benchmark adds entries",
    );
    assert!(entries_checked(&stdout(&database.okpay(&["verify"]))) > before);
    assert_success(
        &database.okpay(&["restore", "--from", &backup_arg]),
        "okpay restore",
    );
    let restored = database.okpay(&["verify"]);
    assert_success(&restored, "verify after restore");
    assert_eq!(entries_checked(&stdout(&restored)), before);
    let not_a_backup = database.dir.path().join("junk.db");
    std::fs::write(&not_a_backup, b"this is not a database").expect("written");
    let refused = database.okpay(&["restore", "--from", &not_a_backup.display().to_string()]);
    assert!(
        !refused.status.success(),
        "a file that is not a backup is refused"
    );
    assert_eq!(
        entries_checked(&stdout(&database.okpay(&["verify"]))),
        before,
        "a refused restore changes nothing"
    );
}

on_both_databases!(verify_names_an_entry_whose_legs_were_altered_and_a_key_without_its_entry);
async fn verify_names_an_entry_whose_legs_were_altered_and_a_key_without_its_entry(
    backend: Backend,
) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    assert_success(&database.okpay(&["demo"]), "okpay demo");
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&database.config.database_url())
        .await
        .expect("connects");
    for tampering in [
        "UPDATE ledger_entries SET legs = 'usr_demo_alice:CNY=-10000;usr_demo_bob:CNY=9999' WHERE id = 'txn_demo_transfer_1'",
        "UPDATE ledger_idempotency_keys SET entry_id = 'txn_gone' WHERE key = 'demo:withdrawal_1'",
    ] {
        sqlx::query(tampering)
            .execute(&mut connection)
            .await
            .expect("tampered");
    }
    connection.close().await.expect("closed");
    let output = database.okpay(&["verify"]);
    assert!(!output.status.success(), "verify must fail on altered legs");
    let report = stdout(&output);
    assert!(
        report.contains("UNBALANCED entry txn_demo_transfer_1: CNY nets to -1"),
        "{report}"
    );
    assert!(report.contains("MISMATCH usr_demo_bob:CNY"), "{report}");
    assert!(
        report.contains("1 idempotency keys name no entry"),
        "{report}"
    );
}

#[test]
fn the_password_hash_benchmark_times_argon2id_with_the_required_parameters() {
    let output = Command::new(okpay_binary())
        .args(["bench", "password-hash", "--rounds", "2"])
        .output()
        .expect("runs");
    assert_success(&output, "okpay bench password-hash");
    assert!(
        stdout(&output).starts_with("argon2id m=19456 KiB t=2 p=1: hash p50"),
        "{}",
        stdout(&output)
    );
}

on_both_databases!(
    the_database_refuses_to_change_the_audit_log_and_verify_names_a_row_changed_anyway
);
async fn the_database_refuses_to_change_the_audit_log_and_verify_names_a_row_changed_anyway(
    backend: Backend,
) {
    use domain::AuditStore;
    use domain::audit::{Actor, AuditEvent};

    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    let store = okpay::app::open_store(&database.config)
        .await
        .expect("opens");
    let events: Vec<AuditEvent> = (0..4)
        .map(|index| AuditEvent {
            actor: Actor::Staff("stf_security_1".into()),
            action: "account.unfrozen",
            subject: format!("usr_{index}"),
            detail: "identity confirmed by video call".into(),
        })
        .collect();
    store.append_audit(&events).await.expect("appended");
    store.close().await;
    let clean = database.okpay(&["verify"]);
    assert_success(&clean, "okpay verify");
    assert!(
        stdout(&clean).contains("audit log: 4 rows, chain intact"),
        "{}",
        stdout(&clean)
    );

    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&database.config.database_url())
        .await
        .expect("connects");
    let rewrite = "UPDATE audit_log SET detail = 'no check' WHERE seq = 3";
    assert!(
        sqlx::query(rewrite).execute(&mut connection).await.is_err(),
        "the log is append-only"
    );
    let drop_guard = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "DROP TRIGGER audit_log_append_only ON audit_log",
    };
    sqlx::query(drop_guard)
        .execute(&mut connection)
        .await
        .expect("an intruder drops the guard");
    sqlx::query(rewrite)
        .execute(&mut connection)
        .await
        .expect("and rewrites a row");
    connection.close().await.expect("closed");
    let output = database.okpay(&["verify"]);
    assert!(
        !output.status.success(),
        "verify must fail on a rewritten audit row"
    );
    assert!(
        stdout(&output).contains("AUDIT LOG BROKEN at row 3: its contents were changed"),
        "{}",
        stdout(&output)
    );
}

on_both_databases!(staff_create_takes_a_name_that_the_member_is_then_called_by);
async fn staff_create_takes_a_name_that_the_member_is_then_called_by(backend: Backend) {
    use domain::SecurityStore;

    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    let created = database.okpay(&[
        "staff",
        "create",
        "--email",
        "wang.fang@okpay.example",
        "--name",
        "王芳",
        "--role",
        "agent",
    ]);
    assert_success(&created, "okpay staff create --name");
    let printed = stdout(&created);
    assert!(
        printed.contains("王芳") && printed.contains("/staff/setup/"),
        "{printed}"
    );
    let unnamed = database.okpay(&[
        "staff",
        "create",
        "--email",
        "zhou.jie@okpay.example",
        "--role",
        "finance",
    ]);
    assert_success(&unnamed, "okpay staff create without a name");
    let refused = database.okpay(&[
        "staff",
        "create",
        "--email",
        "bad.name@okpay.example",
        "--name",
        "Wang\tFang",
        "--role",
        "agent",
    ]);
    assert!(!refused.status.success(), "a name with a tab is refused");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not a name"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let store = okpay::app::open_store(&database.config)
        .await
        .expect("the store opens");
    let members = store.staff_members(10).await.expect("listed");
    let named: Vec<(&str, &str)> = members
        .iter()
        .map(|member| (member.email.as_str(), member.display_name()))
        .collect();
    assert_eq!(
        named,
        [
            ("wang.fang@okpay.example", "王芳"),
            ("zhou.jie@okpay.example", "zhou.jie@okpay.example"),
        ]
    );
    store.close().await;
}

#[tokio::test]
async fn a_day_offset_that_is_not_an_offset_stops_the_binary_naming_the_setting() {
    let Some(database) = TestDatabase::new(Backend::Sqlite).await else {
        return;
    };
    let from_env = Command::new(okpay_binary())
        .arg("migrate")
        .args(database.flags())
        .env("OKPAY_DAY_OFFSET", "+8")
        .output()
        .expect("the okpay binary runs");
    let from_flag = Command::new(okpay_binary())
        .args(["migrate", "--day-offset", "Beijing"])
        .args(database.flags())
        .env_remove("OKPAY_DAY_OFFSET")
        .output()
        .expect("the okpay binary runs");
    for (output, value) in [(from_env, "\"+8\""), (from_flag, "\"Beijing\"")] {
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("day_offset (--day-offset, OKPAY_DAY_OFFSET)")
                && stderr.contains(value),
            "{stderr}"
        );
    }
    // The same setting, written well, starts: a negative offset after the flag is its value.
    let west = Command::new(okpay_binary())
        .args(["migrate", "--day-offset", "-05:00"])
        .args(database.flags())
        .env_remove("OKPAY_DAY_OFFSET")
        .output()
        .expect("the okpay binary runs");
    assert_success(&west, "okpay migrate --day-offset -05:00");
}
