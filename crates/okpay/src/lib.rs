//! The okpay binary's library half: configuration, startup, demo data and benchmarks, shared by
//! `main.rs` and the integration tests.

pub mod app;
pub mod backup;
pub mod bench;
pub mod chat_bench;
pub mod cli;
pub mod config;
pub mod crash_probe;
pub mod demo;
pub mod demo_community;
pub mod load;
pub mod maintenance_fee;
pub mod support_cli;
pub mod telemetry;
pub mod topup_reconcile;
