//! A snapshot of environment variables, so configuration never reads the process
//! environment behind the caller's back and tests need not mutate it.

use std::collections::BTreeMap;

/// Environment variables visible to configuration (`${VAR}`, `PERCEO_ENV`, ...).
#[derive(Debug, Clone, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    /// A snapshot of the current process environment (non-UTF-8 variables are skipped).
    pub fn from_process() -> Self {
        Env(std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect())
    }

    /// An explicit set of variables (for tests and embedders).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Env(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    /// This environment with `name` set to `value` (a binding's `configPath` option sets
    /// `PERCEO_CONFIG_PATH` this way).
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.to_string(), value.to_string());
        self
    }

    /// The value of a variable, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Sets (or replaces) one variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }
}
