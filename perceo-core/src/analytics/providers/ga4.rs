//! Google Analytics 4.
//!
//! - Credentials: a service-account JSON key. The Data API is called with an OAuth access
//!   token obtained by the JWT bearer grant: an RS256-signed JWT (`iss` = `client_email`,
//!   `scope` = `analytics.readonly`, `aud` = `token_uri`, `exp` = `iat` + 1 h, header `kid` =
//!   `private_key_id`) is posted to `token_uri`; the token is cached until shortly before it
//!   expires.
//! - [`Connector::check`] runs a one-row `runReport`; [`Connector::aggregates`] pages a
//!   `runReport` by `date` (active users, transactions, purchase revenue).
//! - [`Connector::fetch`] reads per-user events from the BigQuery export
//!   (`analytics.ga4.exportPath`): the Data API only returns aggregated, thresholded,
//!   possibly sampled tables, never the ordered events of one user.

use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};

use super::time::{compact_date_to_iso, utc_date};
use super::{
    Aggregates, Connector, FetchStats, TimeRange, credentials_error, endpoint_override, json_f64, json_i64, json_text,
    read_lines, take_line,
};
use crate::analytics::event::{AnalyticsEvent, page_path};
use crate::config::{AnalyticsProvider, AnalyticsSettings, redact_url};
use crate::error::{Error, Result};
use crate::http::{Timeouts, http_client, send_with_retries};

/// The Data API's own host.
pub const DEFAULT_BASE: &str = "https://analyticsdata.googleapis.com";
/// Google's token endpoint, used when the key has no `token_uri`.
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The one scope Perceo asks for.
pub const SCOPE: &str = "https://www.googleapis.com/auth/analytics.readonly";
/// `grant_type` of the JWT bearer grant.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The Data API's default (and Perceo's) page size for `runReport`.
pub const DEFAULT_PAGE_SIZE: u64 = 10_000;

const ENGINE: &str = "ga4";
const EXPECTED: &str = "the service-account JSON key downloaded from Google Cloud (use `file:path/to/key.json`)";
/// Tokens are renewed this long before Google says they expire.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// At most this many `runReport` pages are read (10,000 rows each by default).
const MAX_PAGES: u64 = 10_000;

/// The parts of a service-account key Perceo uses.
struct ServiceAccount {
    client_email: String,
    private_key_id: Option<String>,
    token_uri: String,
    key: RsaKeyPair,
}

struct CachedToken {
    value: String,
    renew_at: Instant,
}

/// The GA4 connector (see the module docs).
pub struct Ga4Connector {
    property_id: Option<String>,
    export_path: Option<String>,
    project_dir: PathBuf,
    base: String,
    account: Option<ServiceAccount>,
    http: reqwest::Client,
    token: Mutex<Option<CachedToken>>,
    page_size: u64,
}

impl fmt::Debug for Ga4Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ga4Connector")
            .field("property_id", &self.property_id)
            .field("export_path", &self.export_path)
            .field("base", &self.base)
            .field("client_email", &self.account.as_ref().map(|a| a.client_email.as_str()))
            .finish_non_exhaustive()
    }
}

impl Ga4Connector {
    /// A GA4 connector.
    ///
    /// `credentials` is the service-account JSON key as downloaded from Google Cloud:
    /// `type` (`service_account`), `client_email`, `private_key` (PEM, PKCS#8 `BEGIN PRIVATE
    /// KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`), `private_key_id` (sent as the JWT `kid`) and
    /// `token_uri` (default `https://oauth2.googleapis.com/token`). It needs
    /// `analytics.ga4.propertyId`. Credentials may be left empty when only
    /// `analytics.ga4.exportPath` is used (then `check` and `aggregates` fail, `fetch` works).
    pub fn new(settings: &AnalyticsSettings, credentials: &str, project_dir: &Path) -> Result<Ga4Connector> {
        let export_path = settings
            .ga4
            .export_path
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from);
        let account = if credentials.trim().is_empty() {
            if export_path.is_none() {
                return Err(credentials_error("GA4", "it is empty", EXPECTED));
            }
            None
        } else {
            Some(parse_service_account(credentials)?)
        };
        let property_id = match settings.ga4.property_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => {
                let id = id.strip_prefix("properties/").unwrap_or(id);
                if !id.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::Argument(format!(
                        "config key `analytics.ga4.propertyId`: `{id}` is not a numeric GA4 property id (Admin → Property details, e.g. 123456789)"
                    )));
                }
                Some(id.to_string())
            }
            _ if account.is_some() => {
                return Err(Error::Argument(
                    "config key `analytics.ga4.propertyId` is required for GA4: the numeric property id (Admin → Property details, e.g. 123456789)".into(),
                ));
            }
            _ => None,
        };
        Ok(Ga4Connector {
            property_id,
            export_path,
            project_dir: project_dir.to_path_buf(),
            base: endpoint_override(settings)?.unwrap_or_else(|| DEFAULT_BASE.to_string()),
            account,
            http: http_client(Timeouts::default())?,
            token: Mutex::new(None),
            page_size: DEFAULT_PAGE_SIZE,
        })
    }

    /// Rows asked for per `runReport` page (default 10,000; at least 1).
    pub fn with_page_size(mut self, rows: u64) -> Self {
        self.page_size = rows.clamp(1, 250_000);
        self
    }

    fn account(&self) -> Result<&ServiceAccount> {
        self.account.as_ref().ok_or_else(|| {
            Error::Argument(
                "config key `analytics.credentials` is empty: the GA4 Data API needs the service-account JSON key (use `file:path/to/key.json`)".into(),
            )
        })
    }

    fn property(&self) -> Result<&str> {
        self.property_id.as_deref().ok_or_else(|| {
            Error::Argument("config key `analytics.ga4.propertyId` is required for the GA4 Data API".into())
        })
    }

    /// The signed JWT assertion of the bearer grant, issued `now` (seconds since the epoch).
    fn assertion(&self, account: &ServiceAccount, now: u64) -> Result<String> {
        let mut header = json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &account.private_key_id {
            header["kid"] = json!(kid);
        }
        let claims = json!({
            "iss": account.client_email,
            "scope": SCOPE,
            "aud": account.token_uri,
            "iat": now,
            "exp": now + 3600,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; account.key.public().modulus_len()];
        account
            .key
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| Error::Argument("cannot sign the GA4 JWT with the service-account key".into()))?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// A valid access token: the cached one, or a fresh one from the token endpoint.
    async fn access_token(&self) -> Result<String> {
        if let Some(cached) = self.token.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && Instant::now() < cached.renew_at
        {
            return Ok(cached.value.clone());
        }
        let account = self.account()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let assertion = self.assertion(account, now)?;
        let body = format!("grant_type={}&assertion={assertion}", GRANT_TYPE.replace(':', "%3A"));
        let shown = redact_url(&account.token_uri);
        let response = send_with_retries(ENGINE, &shown, &[&assertion], || {
            self.http
                .post(&account.token_uri)
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone())
        })
        .await
        .map_err(|e| match e {
            Error::Api {
                engine,
                url,
                status: status @ (400 | 401),
                message,
            } => Error::Api {
                engine,
                url,
                status,
                message: format!(
                    "{message} (the token endpoint refused the service account {}: check that the key in analytics.credentials is current and the machine's clock is right)",
                    account.client_email
                ),
            },
            e => e,
        })?;
        let answer: Value = response.json().await.map_err(|e| Error::Api {
            engine: ENGINE,
            url: shown.clone(),
            status: 200,
            message: format!("the token answer does not decode: {}", e.without_url()),
        })?;
        let Some(token) = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return Err(Error::Api {
                engine: ENGINE,
                url: shown,
                status: 200,
                message: "the token answer has no access_token".into(),
            });
        };
        let lifetime = answer.get("expires_in").and_then(json_i64).unwrap_or(3600).max(0) as u64;
        let renew_at = Instant::now() + Duration::from_secs(lifetime).saturating_sub(TOKEN_MARGIN);
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(CachedToken {
            value: token.to_string(),
            renew_at,
        });
        Ok(token.to_string())
    }

    /// `POST .../properties/{id}:runReport` with `body`; a 401 renews the token once.
    async fn run_report(&self, body: &Value) -> Result<Value> {
        let property = self.property()?;
        let url = format!("{}/v1beta/properties/{property}:runReport", self.base);
        let shown = redact_url(&url);
        let mut renewed = false;
        loop {
            let token = self.access_token().await?;
            let result = send_with_retries(ENGINE, &shown, &[&token], || {
                self.http.post(&url).bearer_auth(&token).json(body)
            })
            .await;
            let response = match result {
                Ok(response) => response,
                Err(Error::Api { status: 401, .. }) if !renewed => {
                    renewed = true;
                    *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    continue;
                }
                Err(Error::Api {
                    engine,
                    url,
                    status: 403,
                    message,
                }) => {
                    let email = self.account.as_ref().map_or("", |a| a.client_email.as_str());
                    return Err(Error::Api {
                        engine,
                        url,
                        status: 403,
                        message: format!(
                            "{message} (add the service account {email} as a Viewer of GA4 property {property}, and check the Google Analytics Data API is enabled in its Cloud project)"
                        ),
                    });
                }
                Err(e) => return Err(e),
            };
            return response.json::<Value>().await.map_err(|e| Error::Api {
                engine: ENGINE,
                url: shown.clone(),
                status: 200,
                message: format!("the report does not decode: {}", e.without_url()),
            });
        }
    }

    /// Every row of a report, paged with `limit`/`offset` (sent as strings) until `offset >=
    /// rowCount`. Calls `on_page` with each response.
    async fn run_report_paged(&self, mut body: Value, on_page: &mut impl FnMut(&Value)) -> Result<()> {
        let mut offset: u64 = 0;
        for _ in 0..MAX_PAGES {
            body["limit"] = json!(self.page_size.to_string());
            body["offset"] = json!(offset.to_string());
            let page = self.run_report(&body).await?;
            on_page(&page);
            let rows = page.get("rows").and_then(Value::as_array).map_or(0, Vec::len);
            let row_count = page.get("rowCount").and_then(json_i64).unwrap_or(0).max(0) as u64;
            offset += self.page_size;
            if rows == 0 || offset >= row_count {
                break;
            }
        }
        Ok(())
    }

    fn export_files(&self, spec: &str) -> Result<Vec<PathBuf>> {
        let files = export_files(&self.project_dir, spec)?;
        if files.is_empty() {
            return Err(Error::Argument(format!(
                "config key `analytics.ga4.exportPath`: `{spec}` holds no *.json, *.ndjson or *.jsonl files (optionally .gz) of BigQuery export rows"
            )));
        }
        Ok(files)
    }
}

#[async_trait::async_trait]
impl Connector for Ga4Connector {
    fn provider(&self) -> AnalyticsProvider {
        AnalyticsProvider::Ga4
    }

    async fn check(&self) -> Result<()> {
        let body = json!({
            "dateRanges": [{"startDate": "yesterday", "endDate": "today"}],
            "metrics": [{"name": "activeUsers"}],
            "limit": "1",
        });
        let report = self.run_report(&body).await?;
        if !report.is_object() {
            return Err(Error::Api {
                engine: ENGINE,
                url: redact_url(&self.base),
                status: 200,
                message: "runReport did not answer with a report".into(),
            });
        }
        Ok(())
    }

    async fn fetch(
        &self,
        range: TimeRange,
        on_event: &mut (dyn FnMut(AnalyticsEvent) + Send),
        stats: &mut FetchStats,
    ) -> Result<()> {
        let Some(spec) = &self.export_path else {
            return Err(Error::Argument(
                "GA4 per-user journeys need `analytics.ga4.exportPath`: the GA4 Data API only returns aggregated (thresholded, possibly sampled) tables, never the ordered events of one user. Link the property to BigQuery, export the `events_*` tables with `bq extract --destination_format NEWLINE_DELIMITED_JSON` and point `analytics.ga4.exportPath` at the files (a file, a directory or a glob, relative to the project)".into(),
            ));
        };
        if range.is_empty() {
            return Ok(());
        }
        for path in self.export_files(spec)? {
            let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
            let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
            let reader: Box<dyn Read> = if gz {
                Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
            } else {
                Box::new(file)
            };
            let mut on_line = |line: &[u8]| take_line(line, row_to_event, range, stats, on_event);
            let oversized =
                read_lines(BufReader::with_capacity(1 << 16, reader), &mut on_line).map_err(|e| Error::io(&path, e))?;
            stats.malformed += oversized;
        }
        Ok(())
    }

    async fn aggregates(&self, range: TimeRange) -> Result<Option<Aggregates>> {
        let mut aggregates = Aggregates::default();
        if range.is_empty() {
            return Ok(Some(aggregates));
        }
        let body = json!({
            "dateRanges": [{"startDate": utc_date(range.start_ms), "endDate": utc_date(range.end_ms - 1)}],
            "dimensions": [{"name": "date"}],
            "metrics": [{"name": "activeUsers"}, {"name": "transactions"}, {"name": "purchaseRevenue"}],
            "orderBys": [{"dimension": {"dimensionName": "date"}}],
        });
        self.run_report_paged(body, &mut |page| add_aggregate_rows(page, &mut aggregates))
            .await?;
        Ok(Some(aggregates))
    }
}

/// Adds one `runReport` page (dimension `date`; metrics `activeUsers`, `transactions`,
/// `purchaseRevenue`, located by their headers) to `into`. Rows that do not read are skipped.
fn add_aggregate_rows(page: &Value, into: &mut Aggregates) {
    let header_index = |name: &str, default: usize| {
        page.get("metricHeaders")
            .and_then(Value::as_array)
            .and_then(|h| {
                h.iter()
                    .position(|m| m.get("name").and_then(Value::as_str) == Some(name))
            })
            .unwrap_or(default)
    };
    let (users, transactions, revenue) = (
        header_index("activeUsers", 0),
        header_index("transactions", 1),
        header_index("purchaseRevenue", 2),
    );
    let Some(rows) = page.get("rows").and_then(Value::as_array) else {
        return;
    };
    for row in rows {
        let Some(date) = row
            .pointer("/dimensionValues/0/value")
            .and_then(Value::as_str)
            .and_then(compact_date_to_iso)
        else {
            continue;
        };
        let metric = |i: usize| {
            row.get("metricValues")
                .and_then(|m| m.get(i))
                .and_then(|m| m.get("value"))
                .and_then(json_f64)
        };
        if let Some(n) = metric(users) {
            *into.daily_active_users.entry(date).or_default() += n.max(0.0).round() as u64;
        }
        if let Some(n) = metric(transactions) {
            into.transactions += n.max(0.0).round() as u64;
        }
        if let Some(r) = metric(revenue) {
            into.purchase_revenue += r;
        }
    }
}

/// The value of event parameter `key` in a BigQuery export row (`string_value`,
/// `int_value`, `double_value` or `float_value`, whichever is set).
fn param<'a>(row: &'a Value, key: &str) -> Option<&'a Value> {
    let value = row
        .get("event_params")?
        .as_array()?
        .iter()
        .find(|p| p.get("key").and_then(Value::as_str) == Some(key))?
        .get("value")?;
    ["string_value", "int_value", "double_value", "float_value"]
        .iter()
        .filter_map(|k| value.get(*k))
        .find(|v| !v.is_null())
}

/// One BigQuery export row → an event; `None` when it lacks a name, a time or a user.
pub(crate) fn row_to_event(row: &Value) -> Option<AnalyticsEvent> {
    let name = row
        .get("event_name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())?;
    let micros = row.get("event_timestamp").and_then(json_i64)?;
    let user = row
        .get("user_id")
        .and_then(json_text)
        .or_else(|| row.get("user_pseudo_id").and_then(json_text))?;
    let revenue = row
        .pointer("/ecommerce/purchase_revenue")
        .and_then(json_f64)
        .or_else(|| param(row, "value").and_then(json_f64));
    Some(AnalyticsEvent {
        name: name.to_string(),
        time_ms: micros.div_euclid(1000),
        user,
        session: param(row, "ga_session_id").and_then(json_text),
        page: param(row, "page_location").and_then(Value::as_str).map(page_path),
        device: row
            .pointer("/device/category")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_ascii_lowercase),
        new_user: param(row, "ga_session_number").and_then(json_i64).map(|n| n == 1),
        revenue,
        insert_id: None,
    })
}

/// The export files `spec` names: a file, a directory (searched recursively for
/// `*.json`/`*.ndjson`/`*.jsonl`, optionally `.gz`) or a glob (`*`, `?`, `[..]`, `{..}`,
/// `**`), relative to `project_dir`; sorted.
fn export_files(project_dir: &Path, spec: &str) -> Result<Vec<PathBuf>> {
    let is_glob = spec.contains(['*', '?', '[', '{']);
    if !is_glob {
        let path = project_dir.join(spec);
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_file() {
            return Ok(vec![path]);
        }
        let mut files = Vec::new();
        walk(&path, 0, &mut |p| {
            if is_export_file(p) {
                files.push(p.to_path_buf());
            }
        })?;
        files.sort();
        return Ok(files);
    }
    // The literal directories before the first component with a glob character are the
    // root of the search; the rest is matched against paths relative to it.
    let normalized = spec.replace('\\', "/");
    let components: Vec<&str> = normalized.split('/').collect();
    let first_glob = components
        .iter()
        .position(|c| c.contains(['*', '?', '[', '{']))
        .unwrap_or(0);
    let root: PathBuf = if normalized.starts_with('/') {
        Path::new("/").join(components[..first_glob].join("/"))
    } else {
        project_dir.join(components[..first_glob].join("/"))
    };
    let pattern = components[first_glob..].join("/");
    let matcher = globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| {
            Error::Argument(format!(
                "config key `analytics.ga4.exportPath`: `{spec}` is not a valid glob: {}",
                e.kind()
            ))
        })?
        .compile_matcher();
    let mut files = Vec::new();
    if root.is_dir() {
        walk(&root, 0, &mut |p| {
            if let Ok(rel) = p.strip_prefix(&root)
                && matcher.is_match(rel)
            {
                files.push(p.to_path_buf());
            }
        })?;
    }
    files.sort();
    Ok(files)
}

fn is_export_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".json", ".ndjson", ".jsonl"].iter().any(|ext| name.ends_with(ext))
}

/// Calls `on_file` for every file under `dir` (following at most 32 levels).
fn walk(dir: &Path, depth: usize, on_file: &mut impl FnMut(&Path)) -> Result<()> {
    if depth > 32 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, depth + 1, on_file)?;
        } else if path.is_file() {
            on_file(&path);
        }
    }
    Ok(())
}

/// Reads a service-account key, naming what is wrong without ever quoting it.
fn parse_service_account(credentials: &str) -> Result<ServiceAccount> {
    let text = credentials.trim();
    if !text.starts_with('{') {
        return Err(credentials_error(
            "GA4",
            "it is not JSON (a path to the key file needs the `file:` prefix)",
            EXPECTED,
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        credentials_error(
            "GA4",
            &format!("it is not valid JSON (line {}, column {})", e.line(), e.column()),
            EXPECTED,
        )
    })?;
    let field = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    match field("type") {
        Some("service_account") => {}
        Some(_) => {
            return Err(credentials_error(
                "GA4",
                "its `type` is not `service_account` (an OAuth client or user credential will not do)",
                EXPECTED,
            ));
        }
        None => return Err(credentials_error("GA4", "it has no `type` field", EXPECTED)),
    }
    let client_email = field("client_email")
        .ok_or_else(|| credentials_error("GA4", "it has no `client_email`", EXPECTED))?
        .to_string();
    let pem = field("private_key").ok_or_else(|| credentials_error("GA4", "it has no `private_key`", EXPECTED))?;
    let key = match PrivateKeyDer::from_pem_slice(pem.as_bytes()) {
        Ok(PrivateKeyDer::Pkcs8(der)) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).ok(),
        Ok(PrivateKeyDer::Pkcs1(der)) => RsaKeyPair::from_der(der.secret_pkcs1_der()).ok(),
        _ => None,
    }
    .ok_or_else(|| {
        credentials_error(
            "GA4",
            "its `private_key` is not a PEM RSA private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`, 2048 bits or more)",
            EXPECTED,
        )
    })?;
    let token_uri = field("token_uri").unwrap_or(DEFAULT_TOKEN_URI).to_string();
    if !(token_uri.starts_with("https://") || token_uri.starts_with("http://")) {
        return Err(credentials_error(
            "GA4",
            "its `token_uri` is not an http(s) URL",
            EXPECTED,
        ));
    }
    Ok(ServiceAccount {
        client_email,
        private_key_id: field("private_key_id").map(String::from),
        token_uri,
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_rows_map_to_events() {
        let row = json!({
            "event_date": "20240115",
            "event_timestamp": "1705314600123456",
            "event_name": "purchase",
            "user_pseudo_id": "123.456",
            "event_params": [
                {"key": "ga_session_id", "value": {"int_value": "1705314000"}},
                {"key": "ga_session_number", "value": {"int_value": 1}},
                {"key": "page_location", "value": {"string_value": "https://shop.example/checkout/done?x=1"}},
                {"key": "value", "value": {"double_value": 19.5}}
            ],
            "device": {"category": "Mobile"},
            "ecommerce": {"purchase_revenue": 42.5}
        });
        let e = row_to_event(&row).unwrap();
        assert_eq!(e.time_ms, 1_705_314_600_123);
        assert_eq!(e.user, "123.456");
        assert_eq!(e.session.as_deref(), Some("1705314000"));
        assert_eq!(e.page.as_deref(), Some("/checkout/done"));
        assert_eq!(e.device.as_deref(), Some("mobile"));
        assert_eq!(e.new_user, Some(true));
        assert_eq!(e.revenue, Some(42.5));
        assert!(row_to_event(&json!({"event_name": "x", "event_timestamp": 1})).is_none());
    }

    #[test]
    fn aggregate_rows_follow_the_metric_headers() {
        let page = json!({
            "metricHeaders": [{"name": "purchaseRevenue"}, {"name": "activeUsers"}, {"name": "transactions"}],
            "rows": [
                {"dimensionValues": [{"value": "20240115"}], "metricValues": [{"value": "10.5"}, {"value": "7"}, {"value": "2"}]},
                {"dimensionValues": [{"value": "bad"}], "metricValues": [{"value": "1"}, {"value": "1"}, {"value": "1"}]}
            ]
        });
        let mut a = Aggregates::default();
        add_aggregate_rows(&page, &mut a);
        assert_eq!(a.daily_active_users.get("2024-01-15"), Some(&7));
        assert_eq!(a.transactions, 2);
        assert_eq!(a.purchase_revenue, 10.5);
    }
}
