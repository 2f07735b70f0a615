//! `perceo doctor`: the deployment runbook's operator checklists as checks. Each check says
//! ✓ (pass), ✗ (fail, with a one-line fix) or – (not applicable, with why), runs concurrently
//! with the others under a timeout, and never prints a secret.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bus::{Event, EventBus, EventFilter, EventMetadata, EventType, Since};
use crate::config::{Config, Env, EventBusKind, LoadOptions, Setting, is_secret_key, redact_url};
use crate::error::{Error, Result};
use crate::graph::{GraphLocation, graph_location, open_graph};

/// Which checklist to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = DoctorStage)]
pub enum Stage {
    /// A developer's machine: config, variables, secrets, graph and bus.
    Local,
    /// CI: local, plus the managed APIs and a dry run of `ci analyze`.
    Ci,
    /// Staging: CI, plus the analytics credentials.
    Staging,
    /// Production: staging, plus TLS on Neo4j and Redis, no secret written in the config file,
    /// and every `file:` secret ignored by git.
    Production,
}

impl std::str::FromStr for Stage {
    type Err = Error;

    /// `local`, `ci`, `staging` or `production`.
    fn from_str(text: &str) -> Result<Stage> {
        match text {
            "local" => Ok(Stage::Local),
            "ci" => Ok(Stage::Ci),
            "staging" => Ok(Stage::Staging),
            "production" => Ok(Stage::Production),
            other => Err(Error::Argument(format!(
                "stage must be local, ci, staging or production, not `{other}`"
            ))),
        }
    }
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = CheckStatus)]
pub enum Status {
    /// It passed (✓).
    Pass,
    /// It failed (✗); see the fix.
    Fail,
    /// It does not apply to this project or stage (–).
    Skip,
}

/// One check.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = DoctorCheck)]
pub struct Check {
    /// Stable id (`config`, `graph`, `bus`, `api.observer`, ...).
    pub id: String,
    /// What is checked.
    pub title: String,
    /// The outcome.
    pub status: Status,
    /// What was found (never a secret).
    pub detail: String,
    /// One line saying how to fix a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Whether a failure fails the doctor run.
    pub required: bool,
}

/// What `perceo doctor` reports.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    /// The checklist run.
    pub stage: Stage,
    /// The checks, in checklist order.
    pub checks: Vec<Check>,
    /// Whether every required check passed.
    pub ok: bool,
}

fn check(id: &str, title: &str, status: Status, detail: impl Into<String>, fix: Option<&str>) -> Check {
    Check {
        id: id.into(),
        title: title.into(),
        status,
        detail: detail.into(),
        fix: fix.map(String::from),
        required: true,
    }
}

fn pass(id: &str, title: &str, detail: impl Into<String>) -> Check {
    check(id, title, Status::Pass, detail, None)
}

fn fail(id: &str, title: &str, detail: impl Into<String>, fix: &str) -> Check {
    check(id, title, Status::Fail, detail, Some(fix))
}

fn skip(id: &str, title: &str, why: impl Into<String>) -> Check {
    Check {
        required: false,
        ..check(id, title, Status::Skip, why, None)
    }
}

/// Every `file:` secret the configuration uses, with its key.
fn file_secrets(value: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    crate::config::for_each_string(value, &mut |key, text| {
        if let Some(path) = text.strip_prefix("file:") {
            out.push((key.to_string(), path.to_string()));
        }
    });
    out
}

/// Secret keys whose value is written in the file itself (not `${VAR}` or `file:`).
fn inline_secrets(value: &serde_json::Value, key: &mut String, out: &mut Vec<String>) {
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            let len = key.len();
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(k);
            match v {
                serde_json::Value::String(s)
                    if is_secret_key(k) && !s.is_empty() && !s.starts_with("file:") && !s.contains("${") =>
                {
                    out.push(key.clone());
                }
                serde_json::Value::String(s) if s.contains("://") && has_url_password(s) => out.push(key.clone()),
                _ => inline_secrets(v, key, out),
            }
            key.truncate(len);
        }
    }
}

/// `redis://user:pw@host` with a literal password.
fn has_url_password(url: &str) -> bool {
    let Some(rest) = url.split("://").nth(1) else {
        return false;
    };
    let Some(userinfo) = rest.split('@').next().filter(|_| rest.contains('@')) else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, pw)| !pw.is_empty() && !pw.contains("${"))
}

/// The checks that need no network: config sources, variables, `file:` secrets, and (for
/// production) TLS schemes and secrets written in the config file.
fn static_checks(config: &Config, stage: Stage, checks: &mut Vec<Check>) {
    let files: Vec<String> = config
        .sources
        .iter()
        .map(|s| format!("{} ({})", s.path.display(), s.role))
        .collect();
    checks.push(pass(
        "config",
        "configuration found and valid",
        format!(
            "{}{}",
            files.join(", "),
            if config.warnings.is_empty() {
                String::new()
            } else {
                format!("; {} warning(s): {}", config.warnings.len(), config.warnings.join("; "))
            }
        ),
    ));

    let missing: Vec<String> = config
        .env_sources()
        .iter()
        .filter(|e| !e.set && e.used_for.contains('.'))
        .map(|e| format!("{} (for {})", e.name, e.used_for))
        .collect();
    let referenced = config.env_sources().iter().filter(|e| e.used_for.contains('.')).count();
    checks.push(if missing.is_empty() {
        pass(
            "env",
            "every ${VAR} the configuration uses is set",
            format!("{referenced} variable reference(s), all set"),
        )
    } else {
        fail(
            "env",
            "every ${VAR} the configuration uses is set",
            format!("not set: {}", missing.join(", ")),
            "export each variable (in CI: add it as a secret of the pipeline)",
        )
    });

    let settings = serde_json::to_value(&config.settings).unwrap_or_default();
    let secrets = file_secrets(&settings);
    checks.push(file_secret_check(config, stage, &secrets));

    if stage == Stage::Production {
        let base = config
            .sources
            .first()
            .and_then(|s| std::fs::read_to_string(&s.path).ok())
            .and_then(|text| crate::jsonc::parse_value(Path::new("config.json"), &text).ok());
        let mut inline = Vec::new();
        if let Some(value) = &base {
            inline_secrets(value, &mut String::new(), &mut inline);
        }
        checks.push(if inline.is_empty() {
            pass(
                "secrets.inline",
                "no secret written in the config file itself",
                "every secret is a ${VAR} or file: reference",
            )
        } else {
            fail(
                "secrets.inline",
                "no secret written in the config file itself",
                format!("literal values at: {}", inline.join(", ")),
                "replace each with \"${VAR}\" or \"file:secrets/…\" and rotate the exposed secret",
            )
        });
        checks.push(tls_check(
            "tls.neo4j",
            "Neo4j connection uses TLS",
            config.settings.flow_graph.endpoint.as_ref(),
            &["bolt+s://", "bolt+ssc://", "neo4j+s://", "neo4j+ssc://"],
            crate::config::is_neo4j_uri,
            "use bolt+s:// or neo4j+s:// (Aura and clusters with certificates)",
        ));
        checks.push(tls_check(
            "tls.redis",
            "Redis connection uses TLS",
            config.settings.event_bus.redis_url.as_ref(),
            &["rediss://"],
            |_| config.settings.event_bus.kind == EventBusKind::Redis,
            "use a rediss:// URL (and eventBus.tlsCaFile for a private CA)",
        ));
    }
}

fn tls_check(
    id: &str,
    title: &str,
    setting: Option<&Setting>,
    secure: &[&str],
    applies: impl Fn(&str) -> bool,
    fix: &str,
) -> Check {
    match setting.map(Setting::raw) {
        Some(raw) if applies(raw) => {
            if secure.iter().any(|p| raw.starts_with(p)) {
                pass(id, title, redact_url(raw))
            } else if raw.starts_with("${") {
                skip(
                    id,
                    title,
                    "the URL comes from a variable; checked when the service is reached",
                )
            } else {
                fail(id, title, format!("{} is not encrypted", redact_url(raw)), fix)
            }
        }
        _ => skip(id, title, "not configured"),
    }
}

fn file_secret_check(config: &Config, stage: Stage, secrets: &[(String, String)]) -> Check {
    let title = "file: secrets readable and kept out of git";
    if secrets.is_empty() {
        return skip("secrets.files", title, "no file: secret configured");
    }
    let repo = git2::Repository::discover(&config.project_dir).ok();
    let mut problems = Vec::new();
    for (key, rel) in secrets {
        let path = config.project_dir.join(rel);
        if let Err(e) = std::fs::File::open(&path) {
            problems.push(format!("{key}: {} is not readable ({e})", path.display()));
            continue;
        }
        let Some(repo) = &repo else { continue };
        let Some(workdir) = repo.workdir() else { continue };
        let Ok(canonical) = path.canonicalize() else { continue };
        let Ok(in_repo) = canonical.strip_prefix(workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf()))
        else {
            continue;
        };
        let tracked = repo
            .index()
            .ok()
            .is_some_and(|index| index.get_path(in_repo, 0).is_some());
        if tracked {
            problems.push(format!("{key}: {rel} is tracked by git"));
        } else if stage == Stage::Production && !repo.is_path_ignored(in_repo).unwrap_or(false) {
            problems.push(format!("{key}: {rel} is not ignored by git"));
        }
    }
    if problems.is_empty() {
        pass(
            "secrets.files",
            title,
            format!("{} file(s) readable, none tracked", secrets.len()),
        )
    } else {
        fail(
            "secrets.files",
            title,
            problems.join("; "),
            "git rm --cached the file, add it to .gitignore, and rotate the secret if it was pushed",
        )
    }
}

/// Runs `future` under `timeout`, turning a timeout into a failed check.
async fn timed(id: &str, title: &str, timeout: Duration, fix: &str, future: impl Future<Output = Check>) -> Check {
    match tokio::time::timeout(timeout, future).await {
        Ok(check) => check,
        Err(_) => fail(id, title, format!("no answer within {} s", timeout.as_secs_f32()), fix),
    }
}

async fn graph_check(location: Result<GraphLocation>) -> Check {
    let title = "flow graph reachable";
    let location = match location {
        Ok(l) => l,
        Err(e) => return fail("graph", title, e.to_string(), "fix flowGraph.* in the config"),
    };
    match open_graph(&location).await {
        Ok(graph) => match graph.status().await {
            Ok(s) => pass(
                "graph",
                title,
                format!(
                    "{} at {} (schema version {}, {} flow(s))",
                    s.backend, s.location, s.schema_version, s.flows
                ),
            ),
            Err(e) => fail("graph", title, e.to_string(), graph_fix(&location)),
        },
        Err(e) => fail("graph", title, e.to_string(), graph_fix(&location)),
    }
}

fn graph_fix(location: &GraphLocation) -> &'static str {
    match location {
        GraphLocation::Sqlite(_) => "make .perceo/ writable (or point flowGraph.endpoint at a writable file)",
        GraphLocation::Neo4j { .. } => {
            "check flowGraph.endpoint/username/password/database and that Neo4j is up (`perceo graph status`)"
        }
    }
}

async fn bus_check(bus: Result<Arc<dyn EventBus>>) -> Check {
    let title = "event bus reachable (publish and replay)";
    let fix = "check eventBus.redisUrl (user, password, TLS) and that Redis is up";
    let bus = match bus {
        Ok(b) => b,
        Err(e) => return fail("bus", title, e.to_string(), fix),
    };
    let before = std::time::SystemTime::now() - Duration::from_secs(1);
    let probe = Event::new(
        EventType::Other("doctor.probe".into()),
        "doctor",
        serde_json::json!({}),
        EventMetadata::default(),
    );
    if let Err(e) = bus.publish(&probe).await {
        return fail("bus", title, e.to_string(), fix);
    }
    match bus
        .replay(Since::Time(before), &EventFilter::prefix("doctor.probe"), 1000)
        .await
    {
        Ok(events) if events.iter().any(|e| e.id == probe.id) => pass(
            "bus",
            title,
            format!("{}: published and replayed a probe event", bus.kind()),
        ),
        Ok(_) => fail("bus", title, "the probe event was published but not replayed", fix),
        Err(e) => fail("bus", title, e.to_string(), fix),
    }
}

async fn api_check(engine: &'static str, base: Result<Option<String>>, key: Result<Option<String>>) -> Check {
    let id = format!("api.{engine}");
    let title = format!("{engine} API answers /healthz with the key");
    let fix = format!("check {engine}.apiBaseUrl and {engine}.apiKey, and that `perceo serve` (or Perceo Cloud) is up");
    let (base, key) = match (base, key) {
        (Ok(Some(base)), Ok(key)) => (base, key),
        (Ok(None), _) => return skip(&id, &title, format!("{engine}.apiBaseUrl not set: runs locally")),
        (Err(e), _) | (_, Err(e)) => return fail(&id, &title, e.to_string(), &fix),
    };
    match probe_healthz(&base, key.as_deref()).await {
        Ok(detail) => pass(&id, &title, detail),
        Err(detail) => fail(&id, &title, detail, &fix),
    }
}

/// `GET {base}/healthz` with the key, once: what answered (`Ok` for a 2xx).
#[cfg(feature = "remote")]
async fn probe_healthz(base: &str, key: Option<&str>) -> std::result::Result<String, String> {
    let url = crate::http::join_url(base, "/healthz");
    let client = crate::http::http_client(crate::http::Timeouts::default()).map_err(|e| e.to_string())?;
    let mut request = client.get(&url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    match request.send().await {
        Ok(r) if r.status().is_success() => Ok(format!("{} answered {}", redact_url(&url), r.status())),
        Ok(r) => Err(format!("{} answered {}", redact_url(&url), r.status())),
        Err(e) => Err(format!("{}: {}", redact_url(&url), e.without_url())),
    }
}

/// Without the `remote` feature there is no client to probe with.
#[cfg(not(feature = "remote"))]
async fn probe_healthz(_base: &str, _key: Option<&str>) -> std::result::Result<String, String> {
    Err(Error::unsupported("the managed engine APIs (an `apiBaseUrl`)", "remote").to_string())
}

/// Runs the checklist of `stage` for the project at (or above) `project_dir`; `hooks` (the
/// facade) connects the bus, checks analytics credentials and runs the dry analysis.
pub async fn run(
    project_dir: &Path,
    env: Env,
    stage: Stage,
    timeout: Duration,
    hooks: &(dyn DoctorHooks + Sync),
) -> DoctorReport {
    let mut checks = Vec::new();
    let config = match Config::load(project_dir, &LoadOptions { env }) {
        Ok(c) => c,
        Err(e) => {
            let fix = match &e {
                Error::ConfigNotFound { .. } => "run `perceo init` in the project",
                _ => "fix the file at the place the message names (`perceo config show` re-checks)",
            };
            checks.push(fail("config", "configuration found and valid", e.to_string(), fix));
            return DoctorReport {
                stage,
                checks,
                ok: false,
            };
        }
    };
    static_checks(&config, stage, &mut checks);

    let graph = timed(
        "graph",
        "flow graph reachable",
        timeout,
        "check that the graph's server is up and reachable from here",
        graph_check(graph_location(&config)),
    );
    let bus = async {
        if config.settings.event_bus.kind == EventBusKind::InMemory {
            return skip(
                "bus",
                "event bus reachable (publish and replay)",
                "in-memory bus: nothing to reach (use Redis to share events between machines)",
            );
        }
        timed(
            "bus",
            "event bus reachable (publish and replay)",
            timeout,
            "check that Redis is up and reachable from here",
            async { bus_check(hooks.connect_bus(&config).await).await },
        )
        .await
    };
    let s = &config.settings;
    let api = |engine: &'static str, base: &Option<Setting>, key: &Option<Setting>| {
        let base = config.resolve_opt(&format!("{engine}.apiBaseUrl"), base.as_ref());
        let key = config.resolve_opt(&format!("{engine}.apiKey"), key.as_ref());
        let needed = stage != Stage::Local;
        async move {
            if !needed {
                return skip(
                    &format!("api.{engine}"),
                    &format!("{engine} API answers /healthz with the key"),
                    "checked for ci, staging and production",
                );
            }
            timed(
                &format!("api.{engine}"),
                &format!("{engine} API answers /healthz with the key"),
                timeout,
                "check that the API is up and reachable from here",
                api_check(engine, base, key),
            )
            .await
        }
    };
    let observer = api("observer", &s.observer.api_base_url, &s.observer.api_key);
    let analyzer = api("analyzer", &s.analyzer.api_base_url, &s.analyzer.api_key);
    let analytics_api = api("analytics", &s.analytics.api_base_url, &s.analytics.api_key);
    let coordinator = api("coordinator", &s.coordinator.api_base_url, &s.coordinator.api_key);
    let analytics = async {
        let title = "analytics credentials accepted by the provider";
        match (stage, s.analytics.provider) {
            (Stage::Local | Stage::Ci, _) => skip("analytics", title, "checked for staging and production"),
            (_, None) => skip("analytics", title, "analytics.provider not set"),
            (_, Some(provider)) => {
                timed(
                    "analytics",
                    title,
                    timeout,
                    "check that the provider is reachable from here",
                    async {
                        match hooks.check_analytics(&config).await {
                            Ok(()) => pass("analytics", title, format!("{provider:?} accepted the credentials")),
                            Err(e) => fail(
                                "analytics",
                                title,
                                e.to_string(),
                                "run `perceo analytics connect` again with valid credentials",
                            ),
                        }
                    },
                )
                .await
            }
        }
    };
    let dry_run = async {
        let title = "`perceo ci analyze` dry run on HEAD~1..HEAD";
        if stage == Stage::Local {
            return skip("analyze", title, "checked for ci, staging and production");
        }
        timed(
            "analyze",
            title,
            timeout,
            "a big repository may need a longer --timeout",
            async {
                match hooks.dry_run(&config.project_dir).await {
                    Ok(detail) => pass("analyze", title, detail),
                    Err(e) => fail(
                        "analyze",
                        title,
                        e.to_string(),
                        "fetch the history (CI: fetch-depth: 0) and fix what the message names",
                    ),
                }
            },
        )
        .await
    };
    let (graph, bus, observer, analyzer, analytics_api, coordinator, analytics, dry_run) = tokio::join!(
        graph,
        bus,
        observer,
        analyzer,
        analytics_api,
        coordinator,
        analytics,
        dry_run
    );
    checks.extend([
        graph,
        bus,
        observer,
        analyzer,
        analytics_api,
        coordinator,
        analytics,
        dry_run,
    ]);
    let ok = checks.iter().all(|c| !c.required || c.status != Status::Fail);
    DoctorReport { stage, checks, ok }
}

/// What the doctor needs from the engines (the facade provides it), so this module does not
/// depend on how they are wired.
#[async_trait::async_trait]
pub trait DoctorHooks {
    /// Connects the configured event bus.
    async fn connect_bus(&self, config: &Config) -> Result<Arc<dyn EventBus>>;
    /// Checks the configured analytics credentials with the provider.
    async fn check_analytics(&self, config: &Config) -> Result<()>;
    /// Analyses HEAD~1..HEAD without storing or publishing; returns a one-line summary.
    async fn dry_run(&self, project_dir: &Path) -> Result<String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_secrets_and_url_passwords_are_found_but_references_are_not() {
        let value = serde_json::json!({
            "observer": {"apiKey": "sk-live-123", "apiBaseUrl": "https://x"},
            "analyzer": {"apiKey": "${KEY}"},
            "analytics": {"credentials": "file:secrets/ga.json"},
            "eventBus": {"redisUrl": "rediss://perceo:hunter2@cache:6380"},
            "flowGraph": {"endpoint": "bolt+s://neo4j:${PW}@db:7687", "password": ""}
        });
        let mut found = Vec::new();
        inline_secrets(&value, &mut String::new(), &mut found);
        assert_eq!(found, vec!["observer.apiKey", "eventBus.redisUrl"]);
    }

    #[test]
    fn file_secrets_are_collected_with_their_keys() {
        let value = serde_json::json!({"analytics": {"credentials": "file:secrets/ga.json"}, "x": "y"});
        assert_eq!(
            file_secrets(&value),
            vec![("analytics.credentials".to_string(), "secrets/ga.json".to_string())]
        );
    }
}
