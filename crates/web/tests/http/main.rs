//! The web crate driven through its public router, request by request, as clients see it.

mod accounts;
mod errors;
mod fake_accounts;
mod fake_community;
mod fake_support;
mod languages;
mod money;
mod openapi;
mod operations;
mod page_sessions;
mod pages;
mod support;
