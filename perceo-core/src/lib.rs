//! # perceo-core
//!
//! Flow-aware regression testing for web applications: Perceo knows an application's user
//! flows, works out which of them a code change can break, and (in later engines) runs their
//! tests and compares them with production behaviour.
//!
//! The entry point is [`Perceo`], opened from a project directory:
//!
//! ```no_run
//! use perceo_core::{Env, OpenOptions, Perceo};
//!
//! let perceo = Perceo::open(".".as_ref(), OpenOptions { env: Env::from_process(), ..Default::default() })?;
//! println!("{}", perceo.config().project_name());
//! # Ok::<(), perceo_core::Error>(())
//! ```
//!
//! Every error is a [`Error`] with a stable [`Error::code`], listed with its class in [`CODES`].
#![deny(missing_docs)]

mod analysis;
pub mod analytics;
pub mod analyzer;
pub mod api;
pub mod bus;
pub mod code;
pub mod config;
pub mod coordinator;
#[cfg(feature = "dashboard")]
pub mod dashboard;
pub mod doctor;
mod engine;
mod error;
pub mod flows;
mod fsutil;
pub mod git;
pub mod graph;
pub(crate) mod http;
pub mod impact;
pub mod init;
pub mod jsonc;
#[cfg(any(feature = "serve", feature = "dashboard"))]
mod listen;
pub(crate) mod notify;
pub(crate) mod project;
pub mod routes;
mod runtime;
#[cfg(feature = "serve")]
pub mod serve;
pub mod suites;
#[cfg(test)]
mod testutil;
pub mod watch;

pub use analysis::AppModel;
pub use config::{Config, Env, LoadOptions};
pub use engine::{
    AnalyzeOptions, ChangeSource, ConnectOptions, ConnectReport, DEFAULT_CHECK_TIMEOUT, FlowsFrom, GapOptions,
    OpenOptions, Perceo, SyncOptions, SyncProgress, SyncReport, TestOptions, TestSelection,
};
pub use error::{CODES, CodeInfo, CodeSource, Error, ErrorKind, PANIC_CODE, Result, code_info, codes_markdown};
