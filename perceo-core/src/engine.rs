//! The facade: [`Perceo`], the one object the CLI, the C ABI and the Node package wrap.

use std::path::Path;

use crate::config::{Config, Env, LoadOptions};
use crate::error::Result;
use crate::init::{InitOptions, InitReport, init_project};

/// Options for [`Perceo::open`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Environment for configuration (`PERCEO_*`, `NODE_ENV`, `${VAR}`). Default: empty;
    /// bindings pass [`Env::from_process`].
    pub env: Env,
}

/// An opened Perceo project: its configuration and the engines behind it.
///
/// `Send + Sync`, so a binding can hold it in an `Arc`.
#[derive(Debug)]
pub struct Perceo {
    config: Config,
}

impl Perceo {
    /// Opens the project at (or above) `project_dir`, loading and validating its config.
    pub fn open(project_dir: &Path, options: OpenOptions) -> Result<Perceo> {
        let config = Config::load(project_dir, &LoadOptions { env: options.env })?;
        Ok(Perceo { config })
    }

    /// Creates `.perceo/` in `project_dir` (see [`crate::init`]).
    pub fn init(project_dir: &Path, options: &InitOptions) -> Result<InitReport> {
        init_project(project_dir, options)
    }

    /// The loaded configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facade_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Perceo>();
    }
}
