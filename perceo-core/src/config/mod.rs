//! Finding, parsing (JSONC), layering, interpolating, validating and redacting configuration.
//!
//! Rules (the seed's, kept exactly):
//! - the base file is `.perceo/config.json` in the project directory (searched upwards from
//!   the directory given); `PERCEO_CONFIG_PATH` (absolute, or relative to the project
//!   directory) replaces it;
//! - when `PERCEO_ENV=local` (any case) or `NODE_ENV=development` and
//!   `.perceo/config.local.json` exists, it is deep-merged over the base: objects merge key
//!   by key, arrays and scalars replace;
//! - `${VAR}` and `file:PATH` are resolved only when a component uses the value;
//! - unknown keys are warnings; wrong types are errors naming file, line, column and key.

mod edit;
mod env;
mod interpolate;
mod redact;
mod settings;

use std::path::{Path, PathBuf};

pub use edit::{parse_value_argument, set_key as set_key_in_text};
pub use env::Env;
pub use redact::{MASK, is_secret_key, redact_entry, redact_url, redact_value};
pub use settings::*;

use crate::error::{Error, Result};
use crate::jsonc::{self, KeyPath};

/// Name of the directory that holds Perceo's files in a project.
pub const PERCEO_DIR: &str = ".perceo";
/// Base configuration file name inside [`PERCEO_DIR`].
pub const CONFIG_FILE: &str = "config.json";
/// Local overlay file name inside [`PERCEO_DIR`].
pub const LOCAL_CONFIG_FILE: &str = "config.local.json";

/// How configuration is looked up.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Environment used for `PERCEO_CONFIG_PATH`, `PERCEO_ENV`, `NODE_ENV` and `${VAR}`.
    /// Default: empty; bindings pass [`Env::from_process`].
    pub env: Env,
}

/// One file that contributed to the configuration.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSource {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// `base` or `local`.
    pub role: &'static str,
}

/// An environment variable that contributed to (or is referenced by) the configuration.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvSource {
    /// Variable name.
    pub name: String,
    /// What it did: `config path`, `selects local overlay`, or the key that references it.
    pub used_for: String,
    /// Whether it is set (values are never shown).
    pub set: bool,
}

/// A loaded, merged and validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Typed settings with defaults filled in.
    pub settings: Settings,
    /// The project directory (the one holding `.perceo/`).
    pub project_dir: PathBuf,
    /// Files that contributed, base first.
    pub sources: Vec<ConfigSource>,
    /// Non-fatal problems (unknown keys), each naming its key path and file.
    pub warnings: Vec<String>,
    /// The unknown keys the warnings are about, in the same order.
    unknown_keys: Vec<String>,
    env: Env,
    env_sources: Vec<EnvSource>,
}

/// What [`Config::set`] wrote.
#[derive(Debug, Clone)]
pub struct SetOutcome {
    /// The file written.
    pub file: PathBuf,
    /// Warnings about the key set (not in the schema), each naming file, line and column.
    pub warnings: Vec<String>,
}

struct LoadedFile {
    path: PathBuf,
    text: String,
    value: serde_json::Value,
}

impl LoadedFile {
    fn read(path: &Path) -> Result<Self> {
        let text = jsonc::read_text(path)?;
        let value = jsonc::parse_value(path, &text)?;
        if !value.is_object() {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                key: "(root)".into(),
                message: "the configuration must be a JSON object".into(),
            });
        }
        Ok(LoadedFile {
            path: path.to_path_buf(),
            text,
            value,
        })
    }
}

/// Where the base config file of `dir` is, following `PERCEO_CONFIG_PATH` and searching
/// parent directories. Returns `(project_dir, base_file)`.
pub fn find_config(dir: &Path, env: &Env) -> Result<(PathBuf, PathBuf)> {
    let dir = &std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(p) = env.get("PERCEO_CONFIG_PATH").filter(|p| !p.is_empty()) {
        let path = dir.join(p);
        if !path.is_file() {
            return Err(Error::ConfigPathMissing { path });
        }
        return Ok((dir.to_path_buf(), path));
    }
    for candidate in dir.ancestors() {
        let path = candidate.join(PERCEO_DIR).join(CONFIG_FILE);
        if path.is_file() {
            return Ok((candidate.to_path_buf(), path));
        }
        if path.exists() {
            // Never skip to a parent's configuration past a broken one.
            return Err(Error::NotAFile { path });
        }
    }
    Err(Error::ConfigNotFound { dir: dir.to_path_buf() })
}

/// Whether the environment selects the local overlay (`PERCEO_ENV=local`, any case, or
/// `NODE_ENV=development`); returns the variable that did.
fn local_overlay_selector(env: &Env) -> Option<&'static str> {
    if env.get("PERCEO_ENV").is_some_and(|v| v.eq_ignore_ascii_case("local")) {
        Some("PERCEO_ENV")
    } else if env.get("NODE_ENV") == Some("development") {
        Some("NODE_ENV")
    } else {
        None
    }
}

/// Deep merge: objects merge key by key; arrays and scalars in `overlay` replace.
pub fn deep_merge(base: &mut serde_json::Value, overlay: serde_json::Value) {
    match (base, overlay) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

impl Config {
    /// Loads the configuration of the project at (or above) `dir`.
    pub fn load(dir: &Path, options: &LoadOptions) -> Result<Config> {
        let env = &options.env;
        let (project_dir, base_path) = find_config(dir, env)?;
        let mut files = vec![LoadedFile::read(&base_path)?];
        let mut sources = vec![ConfigSource {
            path: base_path,
            role: "base",
        }];
        let mut env_sources = Vec::new();
        if env.get("PERCEO_CONFIG_PATH").is_some_and(|p| !p.is_empty()) {
            env_sources.push(EnvSource {
                name: "PERCEO_CONFIG_PATH".into(),
                used_for: "config path".into(),
                set: true,
            });
        }
        if let Some(selector) = local_overlay_selector(env) {
            let local = project_dir.join(PERCEO_DIR).join(LOCAL_CONFIG_FILE);
            if local.is_file() {
                files.push(LoadedFile::read(&local)?);
                sources.push(ConfigSource {
                    path: local,
                    role: "local",
                });
                env_sources.push(EnvSource {
                    name: selector.into(),
                    used_for: "selects the local overlay".into(),
                    set: true,
                });
            }
        }
        Self::from_files(project_dir, files, sources, env.clone(), env_sources)
    }

    fn from_files(
        project_dir: PathBuf,
        files: Vec<LoadedFile>,
        sources: Vec<ConfigSource>,
        env: Env,
        mut env_sources: Vec<EnvSource>,
    ) -> Result<Config> {
        let mut merged = serde_json::Value::Object(Default::default());
        for f in &files {
            deep_merge(&mut merged, f.value.clone());
        }
        // The file that set a key last is the one an error about it points at.
        let locate = |key: &KeyPath| -> (PathBuf, usize, usize) {
            let owner = files
                .iter()
                .rev()
                .find(|f| jsonc::contains(&f.value, key))
                .unwrap_or(&files[0]);
            let (line, col) = jsonc::locate(&owner.text, key).unwrap_or((1, 1));
            (owner.path.clone(), line, col)
        };
        let typed = jsonc::deserialize::<Settings>(&merged, locate)?;
        validate(&typed.value, &locate)?;
        let warnings = typed
            .unknown_keys
            .iter()
            .map(|k| {
                let (path, line, col) = locate(&KeyPath::parse_dotted(k));
                format!(
                    "{}:{line}:{col}: unknown key `{k}` is ignored (check its spelling)",
                    path.display()
                )
            })
            .collect();
        collect_env_references(&merged, &env, &mut env_sources);
        Ok(Config {
            settings: typed.value,
            project_dir,
            sources,
            warnings,
            unknown_keys: typed.unknown_keys,
            env,
            env_sources,
        })
    }

    /// Resolves a string setting for use: `${VAR}` from the environment, then `file:PATH`.
    /// `key` is the dotted key path, named in errors.
    pub fn resolve(&self, key: &str, setting: &Setting) -> Result<String> {
        interpolate::resolve(setting.raw(), key, &self.env, &self.project_dir)
    }

    /// Like [`Config::resolve`] for an optional setting.
    pub fn resolve_opt(&self, key: &str, setting: Option<&Setting>) -> Result<Option<String>> {
        setting.map(|s| self.resolve(key, s)).transpose()
    }

    /// The `.perceo/` directory of the project.
    pub fn perceo_dir(&self) -> PathBuf {
        self.project_dir.join(PERCEO_DIR)
    }

    /// The project name: `project.name`, else the directory name.
    pub fn project_name(&self) -> String {
        self.settings.project.name.clone().unwrap_or_else(|| {
            self.project_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "project".into())
        })
    }

    /// The environment the configuration was loaded with (for `${VAR}` lookups).
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Environment variables that contributed to or are referenced by the configuration.
    pub fn env_sources(&self) -> &[EnvSource] {
        &self.env_sources
    }

    /// The effective configuration (defaults filled in) as JSON, with `${VAR}` interpolated
    /// where set and every secret masked. Safe to print.
    pub fn redacted(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.settings).unwrap_or_default();
        interpolate_for_display(&mut value, &self.env);
        redact_value(&value)
    }

    /// The effective value at a dotted key (defaults included), secrets masked.
    pub fn get(&self, key: &str) -> Result<serde_json::Value> {
        let path = KeyPath::parse_dotted(key);
        let redacted = self.redacted();
        jsonc::lookup(&redacted, &path).cloned().ok_or_else(|| Error::Key {
            key: key.to_string(),
            message: "no such setting (see `perceo config show` for the keys in use)".into(),
        })
    }

    /// Sets a dotted key in the base config file, keeping its comments and formatting.
    /// The new file is validated before it replaces the old one (atomically), so a bad
    /// value never reaches the disk. A key the schema does not know is written with a
    /// warning, or refused (nothing written) when `strict`.
    pub fn set(&self, key: &str, value: serde_json::Value, strict: bool) -> Result<SetOutcome> {
        let (file, text, edited) = self.edited(&[(key.to_string(), value)])?;
        let unknown: Vec<String> = edited
            .warnings
            .iter()
            .zip(&edited.unknown_keys)
            .filter(|(_, k)| *k == key || k.starts_with(&format!("{key}.")) || key.starts_with(&format!("{k}.")))
            .map(|(warning, _)| warning.clone())
            .collect();
        if strict && !unknown.is_empty() {
            return Err(Error::Key {
                key: key.to_string(),
                message: "unknown key (see `perceo config schema`); nothing was written (--strict)".into(),
            });
        }
        crate::fsutil::write_atomic(&file, text.as_bytes())?;
        Ok(SetOutcome {
            file,
            warnings: unknown,
        })
    }

    /// Sets several dotted keys in one validated, atomic write (all or none), like
    /// [`Config::set`]. Returns the file written.
    pub fn set_many(&self, entries: &[(String, serde_json::Value)]) -> Result<PathBuf> {
        let (file, text, _) = self.edited(entries)?;
        crate::fsutil::write_atomic(&file, text.as_bytes())?;
        Ok(file)
    }

    /// The base file with `entries` set: its path, its new text, and the configuration it
    /// gives (validated with the overlay; nothing is written).
    fn edited(&self, entries: &[(String, serde_json::Value)]) -> Result<(PathBuf, String, Config)> {
        let base = self.sources[0].path.clone();
        let mut new_text = jsonc::read_text(&base)?;
        for (key, value) in entries {
            new_text = edit::set_key(&new_text, key, value.clone())?;
        }
        // Validate the edited file together with the overlay before writing it.
        let mut files = vec![LoadedFile {
            value: jsonc::parse_value(&base, &new_text)?,
            path: base.clone(),
            text: new_text.clone(),
        }];
        for s in &self.sources[1..] {
            files.push(LoadedFile::read(&s.path)?);
        }
        let edited = Self::from_files(
            self.project_dir.clone(),
            files,
            self.sources.clone(),
            self.env.clone(),
            Vec::new(),
        )?;
        Ok((base, new_text, edited))
    }
}

/// Whether an endpoint names Neo4j (`bolt://`, `bolt+s://`, `bolt+ssc://`, `neo4j://`,
/// `neo4j+s://`, `neo4j+ssc://`) rather than the embedded store.
pub fn is_neo4j_uri(endpoint: &str) -> bool {
    [
        "bolt://",
        "bolt+s://",
        "bolt+ssc://",
        "neo4j://",
        "neo4j+s://",
        "neo4j+ssc://",
    ]
    .iter()
    .any(|p| endpoint.starts_with(p))
}

/// Semantic checks the types cannot express.
fn validate(s: &Settings, locate: &dyn Fn(&KeyPath) -> (PathBuf, usize, usize)) -> Result<()> {
    let fail = |key: &str, message: String| {
        let (path, line, column) = locate(&KeyPath::parse_dotted(key));
        Err(Error::Invalid {
            path,
            line,
            column,
            key: key.to_string(),
            message,
        })
    };
    if s.observer.ci.parallelism == 0 {
        return fail("observer.ci.parallelism", "must be at least 1".into());
    }
    let ratios = [
        ("observer.analysis.llmThreshold", s.observer.analysis.llm_threshold),
        (
            "analyzer.predictions.confidenceThreshold",
            s.analyzer.predictions.confidence_threshold,
        ),
        (
            "analyzer.coverage.minCoverageScore",
            s.analyzer.coverage.min_coverage_score,
        ),
        (
            "analytics.correlation.minSimilarity",
            s.analytics.correlation.min_similarity,
        ),
    ];
    for (key, v) in ratios {
        if !(0.0..=1.0).contains(&v) {
            return fail(key, format!("must be between 0 and 1, found {v}"));
        }
    }
    if s.serve.request_timeout_secs == 0 {
        return fail("serve.requestTimeoutSecs", "must be at least 1".into());
    }
    if s.analytics.correlation.session_timeout_minutes == 0 {
        return fail(
            "analytics.correlation.sessionTimeoutMinutes",
            "must be at least 1".into(),
        );
    }
    if s.analytics.correlation.window_days == 0 {
        return fail("analytics.correlation.windowDays", "must be at least 1".into());
    }
    if s.analytics.correlation.algorithm != "smith-waterman" {
        return fail(
            "analytics.correlation.algorithm",
            format!(
                "unsupported algorithm `{}`: the only one is `smith-waterman`",
                s.analytics.correlation.algorithm
            ),
        );
    }
    if let Some(source) = &s.analytics.revenue_tracking.avg_order_value_source {
        match (source.fixed(), source) {
            (Some(v), _) if !v.is_finite() || v < 0.0 => {
                return fail(
                    "analytics.revenueTracking.avgOrderValueSource",
                    format!("must be a positive number or \"events\", found {v}"),
                );
            }
            (None, OrderValueSetting::Named(text)) if text != "events" => {
                return fail(
                    "analytics.revenueTracking.avgOrderValueSource",
                    format!("must be a number or \"events\", found \"{text}\""),
                );
            }
            _ => {}
        }
    }
    if s.analytics.amplitude.region == Region::In {
        return fail(
            "analytics.amplitude.region",
            "Amplitude has no India region: use `us` or `eu`".into(),
        );
    }
    if let Some(endpoint) = &s.flow_graph.endpoint {
        let raw = endpoint.raw();
        if raw.contains("://") && !raw.contains("${") && !is_neo4j_uri(raw) {
            return fail(
                "flowGraph.endpoint",
                format!(
                    "unsupported scheme in `{}`: use bolt://, bolt+s://, neo4j://, neo4j+s:// for Neo4j, or a sqlite: / file path for the embedded store",
                    redact_url(raw)
                ),
            );
        }
    }
    if s.notifications.email.enabled {
        return fail(
            "notifications.email.enabled",
            "email notifications are not supported yet; set it to false and use notifications.slack".into(),
        );
    }
    if let Some(url) = &s.event_bus.redis_url {
        let raw = url.raw();
        if !raw.contains("${") && !raw.starts_with("redis://") && !raw.starts_with("rediss://") {
            return fail("eventBus.redisUrl", "must start with redis:// or rediss://".into());
        }
    }
    Ok(())
}

/// Calls `f(key, text)` for every string in `value`, with its dotted key (`a.b`, `a.list[2]`).
pub(crate) fn for_each_string(value: &serde_json::Value, f: &mut dyn FnMut(&str, &str)) {
    fn walk(value: &serde_json::Value, key: &mut String, f: &mut dyn FnMut(&str, &str)) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let len = key.len();
                    if !key.is_empty() {
                        key.push('.');
                    }
                    key.push_str(k);
                    walk(v, key, f);
                    key.truncate(len);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let len = key.len();
                    key.push_str(&format!("[{i}]"));
                    walk(v, key, f);
                    key.truncate(len);
                }
            }
            serde_json::Value::String(s) => f(key, s),
            _ => {}
        }
    }
    walk(value, &mut String::new(), f);
}

fn collect_env_references(value: &serde_json::Value, env: &Env, out: &mut Vec<EnvSource>) {
    for_each_string(value, &mut |key, text| {
        for var in interpolate::referenced_vars(text) {
            out.push(EnvSource {
                set: env.get(&var).is_some(),
                name: var,
                used_for: key.to_string(),
            });
        }
    });
}

fn interpolate_for_display(value: &mut serde_json::Value, env: &Env) {
    match value {
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| interpolate_for_display(v, env)),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| interpolate_for_display(v, env)),
        serde_json::Value::String(s) => {
            if let Ok(v) = interpolate::interpolate(&mask_variables_in_query(s), "", env) {
                *s = v;
            }
        }
        _ => {}
    }
}

/// A URL whose query parameters take a value from `${VAR}` (`?db=0&pass=${REDIS_PW}`), with
/// those values masked: a variable in a query string is a credential more often than not, and
/// its value is not shown whatever the parameter is called.
fn mask_variables_in_query(raw: &str) -> String {
    let Some((head, query)) = raw.split_once('?').filter(|(head, _)| head.contains("://")) else {
        return raw.to_string();
    };
    let (query, fragment) = query.split_at(query.find('#').unwrap_or(query.len()));
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, value)) if value.contains("${") => format!("{name}={MASK}"),
            _ => param.to_string(),
        })
        .collect();
    format!("{head}?{}{fragment}", params.join("&"))
}

/// The JSON Schema of `.perceo/config.json`, generated from [`Settings`].
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Settings);
    serde_json::to_value(schema).unwrap_or_default()
}
