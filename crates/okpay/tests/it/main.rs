//! Integration tests: the real app over HTTP, and the real binary, on SQLite and PostgreSQL.

mod auth;
mod browser;
mod cli;
mod crash;
mod helpers;
mod http_edges;
mod operations;
