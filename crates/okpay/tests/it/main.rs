//! Integration tests: the real app over HTTP, and the real binary, on SQLite and PostgreSQL.

mod auth;
mod browser;
mod browser_accounts;
mod cli;
mod community;
mod crash;
mod help;
mod helpers;
mod http_edges;
mod job_worker;
mod mail;
mod maintenance_fee;
mod operations;
mod pages;
mod security;
mod security_browser;
mod smtp_server;
mod support;
mod tickets;
mod wallet;
mod wallet_browser;
mod wallet_pages;
