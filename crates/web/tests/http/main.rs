//! The web crate driven through its public router, request by request, as clients see it.

mod accounts;
mod errors;
mod fake_accounts;
mod languages;
mod money;
mod openapi;
mod operations;
mod pages;
mod support;
