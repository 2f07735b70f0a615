//! The real `perceo` binary in temporary projects, one module per command group. One test
//! binary for all of them (`cargo test --test cli`).

#[path = "../common/mod.rs"]
mod common;
mod support;

mod analytics;
mod analyzer;
mod ci;
mod config;
mod doctor;
mod init;
mod precision;
mod remote;
mod services;
