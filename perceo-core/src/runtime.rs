//! The one async runtime of Perceo: a multi-threaded tokio runtime, started on first use and
//! shared by every opened project, `perceo serve`, the dashboard and `perceo doctor`.
//!
//! Synchronous callers (the facade's methods, hence the CLI, C and Node) block on it from
//! their own thread; async code that needs the facade goes through `spawn_blocking`, whose
//! threads may block on it too. Nothing else in the crate starts a runtime.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::{Error, Result};

/// Blocking threads the runtime may start (the servers run facade calls on them).
const MAX_BLOCKING_THREADS: usize = 64;

static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, started on the first call.
pub(crate) fn shared() -> Result<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name("perceo")
                .max_blocking_threads(MAX_BLOCKING_THREADS)
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}
