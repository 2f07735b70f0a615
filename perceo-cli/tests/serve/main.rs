//! `perceo serve` on loopback, and the real clients (`perceo ci analyze`, `init`, `analyze`,
//! `ci test` with an `apiBaseUrl`) against it. One test binary.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod engines;
mod operations;
