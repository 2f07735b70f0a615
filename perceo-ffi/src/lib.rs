//! # perceo (C ABI)
//!
//! The C interface of Perceo, built as `libperceo.so` / `libperceo.a`; its header
//! `include/perceo.h` is generated from this crate by cbindgen on every build.
//!
//! Open a project with [`perceo_project_open`], ask it which flows a change can break with
//! [`perceo_project_analyze`] (a JSON report), and free every result with its one
//! `perceo_*_free` function:
//!
//! ```c
//! PerceoProject *project = NULL;
//! if (perceo_project_open("path/to/app", NULL, &project) != PERCEO_STATUS_OK) {
//!     char *code = perceo_last_error_code(), *message = perceo_last_error_message();
//!     fprintf(stderr, "%s: %s\n", code, message);
//!     perceo_string_free(code);
//!     perceo_string_free(message);
//!     return 1;
//! }
//! char *report = NULL;
//! if (perceo_project_analyze(project, "main", "feature", NULL, &report) == PERCEO_STATUS_OK) {
//!     puts(report);
//!     perceo_string_free(report);
//! }
//! perceo_project_free(project);
//! ```
//!
//! Conventions: every fallible function returns a [`PerceoStatus`] and, when it is not
//! `PERCEO_STATUS_OK`, records a code and a message for the calling thread
//! ([`perceo_last_error_code`], [`perceo_last_error_message`]). String arguments are
//! NUL-terminated UTF-8, borrowed for the call only. Panics never cross into C: they come
//! back as `PERCEO_STATUS_PANIC`.

mod cstr;
mod guard;

use std::ffi::{CStr, c_char};
use std::path::Path;
use std::ptr;

use perceo_core::bus::EventType;
use perceo_core::impact::OnEmpty;
use perceo_core::{AnalyzeOptions, ChangeSource, Env, OpenOptions, Perceo};

use crate::cstr::{json_c_string, message_to_c_string, optional, out_param, required};
use crate::guard::{FfiError, call, guard, last_error};

/// The result of every fallible Perceo function.
///
/// On anything but `PERCEO_STATUS_OK` the out parameters are NULL and the calling thread's
/// last error (`perceo_last_error_code`, `perceo_last_error_message`) says what happened.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerceoStatus {
    /// Success; the out parameters are set and the thread's last error is cleared.
    Ok = 0,
    /// Perceo reported an error (configuration, git, flows, ...); its stable code (e.g.
    /// `config.not_found`, the same as the CLI's and the Node package's) and message are
    /// the thread's last error.
    Error = 1,
    /// An argument is NULL where it may not be, not valid UTF-8, or malformed options JSON;
    /// the last error's code is `argument`.
    InvalidArgument = 2,
    /// Perceo panicked (a bug); the last error's code is `panic` and its message the panic
    /// message. The handle stays usable, but the call had no effect or a partial one.
    Panic = 3,
}

/// An opened Perceo project: its configuration and the engines behind it.
///
/// Opaque: create it with `perceo_project_open`, free it with `perceo_project_free`.
/// Thread-safety: one handle may be used from several threads at once (every function
/// taking `const PerceoProject *` may run concurrently on the same handle, including
/// `perceo_project_analyze`); only `perceo_project_free` must not race with other uses.
pub struct PerceoProject {
    perceo: Perceo,
}

const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(version) => version,
    Err(_) => panic!("the package version contains a NUL byte"),
};

/// The version of Perceo, e.g. `"0.1.0"` (the same as `PERCEO_VERSION` in this header for a
/// matching library).
///
/// Ownership: a static string; never free it. Thread-safety: callable from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn perceo_version() -> *const c_char {
    guard(ptr::null(), || VERSION.as_ptr())
}

/// Opens the Perceo project at (or above) `project_dir`, loading and validating its
/// configuration (`.perceo/config.json`), and stores a new handle in `*out_project`.
///
/// `config_path` (nullable) overrides where the configuration is read from, like the
/// `PERCEO_CONFIG_PATH` environment variable (a relative path is taken from
/// `project_dir`); NULL uses the process environment as is. Other settings still come from
/// the process environment (`PERCEO_*`, `${VAR}` references), read at open time.
///
/// Returns `PERCEO_STATUS_OK`, or `PERCEO_STATUS_ERROR` with a code such as
/// `config.not_found`, `config.parse` or `config.invalid`, or
/// `PERCEO_STATUS_INVALID_ARGUMENT`.
///
/// Ownership: the strings are borrowed for the call only. On success the caller owns
/// `*out_project` and frees it with `perceo_project_free`; on failure `*out_project` is NULL.
///
/// Thread-safety: callable from any thread.
///
/// # Safety
///
/// `project_dir` is a NUL-terminated string; `config_path` is NULL or a NUL-terminated
/// string; `out_project` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_open(
    project_dir: *const c_char,
    config_path: *const c_char,
    out_project: *mut *mut PerceoProject,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_project` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_project, "out_project") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL (checked).
        let project_dir = unsafe { required(project_dir, "project_dir") }?;
        // SAFETY: the caller guarantees NULL or a NUL-terminated string.
        let config_path = unsafe { optional(config_path, "config_path") }?;

        let perceo = Perceo::open(
            Path::new(project_dir),
            OpenOptions {
                env: Env::from_process(),
                config_path: config_path.map(std::path::PathBuf::from),
                ..Default::default()
            },
        )?;
        *out = Box::into_raw(Box::new(PerceoProject { perceo }));
        Ok(())
    })
}

/// Frees a project handle from `perceo_project_open`. NULL is accepted and ignored.
///
/// Ownership: takes `project` back; it must not be used afterwards.
///
/// Thread-safety: must not run while another thread still uses `project`.
///
/// # Safety
///
/// `project` is NULL or a handle from `perceo_project_open` that was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_free(project: *mut PerceoProject) {
    guard((), || {
        if !project.is_null() {
            // SAFETY: a live handle from `perceo_project_open` (`Box::into_raw`), freed once.
            drop(unsafe { Box::from_raw(project) });
        }
    })
}

/// Options of `perceo_project_analyze`, as JSON.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AnalyzeOptionsJson {
    on_empty: Option<String>,
}

fn parse_analyze_options(json: Option<&str>) -> Result<OnEmpty, FfiError> {
    let Some(json) = json else {
        return Ok(OnEmpty::default());
    };
    let options: AnalyzeOptionsJson = serde_json::from_str(json)
        .map_err(|e| FfiError::InvalidArgument(format!("`options_json` is not valid options JSON: {e}")))?;
    options
        .on_empty
        .as_deref()
        .map(str::parse::<OnEmpty>)
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(invalid_argument)
}

/// A core error about an argument the caller passed, as `PERCEO_STATUS_INVALID_ARGUMENT`.
fn invalid_argument(e: perceo_core::Error) -> FfiError {
    FfiError::InvalidArgument(e.to_string())
}

/// Borrows the project behind a handle.
///
/// # Safety
///
/// `project` is NULL or a live handle from `perceo_project_open`.
unsafe fn project_ref<'a>(project: *const PerceoProject) -> Result<&'a Perceo, FfiError> {
    // SAFETY: forwarded from the caller's contract; `as_ref` checks NULL.
    unsafe { project.as_ref() }
        .map(|p| &p.perceo)
        .ok_or_else(|| FfiError::InvalidArgument("`project` is NULL".into()))
}

/// Works out which flows a change can break, and stores the impact report as JSON in
/// `*out_json` (camelCase keys: `changeId`, `baseSha`, `headSha`, `flows`, `changes`,
/// `totals`, `warnings`, `timings`, ...).
///
/// - `base` (nullable): the base ref (branch, tag, SHA, `HEAD~n`); the change is
///   `base...head`, from their merge base. NULL analyses the uncommitted work (staged,
///   unstaged, untracked) against HEAD instead, and then `head` must be NULL too.
/// - `head` (nullable): the head ref. Default: `"HEAD"`.
/// - `options_json` (nullable): `{"onEmpty": "all" | "none" | "smoke"}`, what to select
///   when code changed but no flow is affected. Default: `"all"`. Unknown keys are an
///   invalid argument.
///
/// Also publishes `observer.change.detected`, `observer.flows.affected` and
/// `observer.analysis.complete` on the project's event bus.
///
/// Ownership: the strings are borrowed for the call only. On success the caller owns
/// `*out_json` and frees it with `perceo_string_free`; on failure it is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `base`, `head` and `options_json`
/// are NULL or NUL-terminated strings; `out_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_analyze(
    project: *const PerceoProject,
    base: *const c_char,
    head: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_json` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_json, "out_json") }?;
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        // SAFETY: the caller guarantees NULL or NUL-terminated strings, for all three.
        let (base, head, options) = unsafe {
            (
                optional(base, "base")?,
                optional(head, "head")?,
                optional(options_json, "options_json")?,
            )
        };
        let source = ChangeSource::new(base.map(String::from), head.map(String::from)).map_err(invalid_argument)?;
        let on_empty = parse_analyze_options(options)?;
        let report = perceo.analyze(&AnalyzeOptions { source, on_empty })?;
        *out = json_c_string(&report)?;
        Ok(())
    })
}

/// Stores the project's effective configuration as JSON in `*out_json`, with secrets
/// redacted (the same as `perceo config show --json`).
///
/// Ownership: on success the caller owns `*out_json` and frees it with
/// `perceo_string_free`; on failure it is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `out_json` points to writable
/// storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_config_json(
    project: *const PerceoProject,
    out_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_json` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_json, "out_json") }?;
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        *out = json_c_string(&perceo.config().redacted())?;
        Ok(())
    })
}

/// Options of [`perceo_project_run_tests`], as JSON.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TestOptionsJson {
    flows_from: Option<String>,
    base: Option<String>,
    head: Option<String>,
    parallel: Option<usize>,
    shard: Option<String>,
}

/// Runs the tests of the selected flows (Playwright, or the project's
/// `coordinator.command`), records them in the flow graph and stores the run report as JSON
/// in `*out_json` (`{"runId", "flows": [{"flowId", "status", "durationMs", "cases",
/// "failures"}], "passed", "failed", "uncovered", ...}`). A failed flow is not an error:
/// check `failed` in the report.
///
/// - `options_json` (nullable): `{"flowsFrom": "analyze" | "all" | "<report.json path>",
///   "base": "main", "head": "HEAD", "parallel": 4, "shard": "1/2"}`; the default is a
///   fresh analysis of uncommitted work.
///
/// Ownership: on success the caller owns `*out_json` and frees it with
/// `perceo_string_free`; on failure it is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle; it starts
/// test processes and can take minutes.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `options_json` is NULL or a
/// NUL-terminated string; `out_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_run_tests(
    project: *const PerceoProject,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_json` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_json, "out_json") }?;
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        // SAFETY: the caller guarantees NULL or a NUL-terminated string.
        let options = unsafe { optional(options_json, "options_json") }?;
        let o: TestOptionsJson = match options {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                FfiError::InvalidArgument(format!("`options_json` is not valid test options JSON: {e}"))
            })?,
            None => TestOptionsJson::default(),
        };
        let options = perceo_core::TestOptions::new(
            o.flows_from.as_deref().map(str::parse).transpose()?.unwrap_or_default(),
            ChangeSource::new(o.base, o.head)?,
            o.parallel,
            o.shard
                .as_deref()
                .map(perceo_core::coordinator::shard::parse_shard)
                .transpose()?,
        )?;
        let report = perceo.run_tests(&options, &mut |_| {})?;
        *out = json_c_string(&report)?;
        Ok(())
    })
}

/// Stores the project's flows and personas (read from `.perceo/flows` and
/// `.perceo/personas`) as JSON in `*out_json`: `{"flows": [...], "personas": [...],
/// "warnings": [...]}`.
///
/// Returns `PERCEO_STATUS_ERROR` with code `flow.invalid` or `config.parse` for a broken
/// flow or persona file.
///
/// Ownership: on success the caller owns `*out_json` and frees it with
/// `perceo_string_free`; on failure it is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `out_json` points to writable
/// storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_flows_json(
    project: *const PerceoProject,
    out_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_json` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_json, "out_json") }?;
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        *out = json_c_string(&perceo.flows()?)?;
        Ok(())
    })
}

/// Explains which pages and flows a change to `file` reaches (`perceo why`), as JSON
/// `{files:[{file, repoPath, inGraph, pages, flows, why}]}`.
///
/// - `file`: absolute, or relative to the project (`../../packages/ui/src/Button.tsx` in a
///   monorepo).
///
/// Ownership: `file` is borrowed for the call only. On success the caller owns `*out_json`
/// and frees it with `perceo_string_free`; on failure it is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `file` is a NUL-terminated string;
/// `out_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_why_json(
    project: *const PerceoProject,
    file: *const c_char,
    out_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_json` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_json, "out_json") }?;
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL (checked).
        let file = unsafe { required(file, "file") }?;
        *out = json_c_string(&perceo.why(&[file.to_string()])?)?;
        Ok(())
    })
}

/// The module graph (`perceo graph deps`) as JSON `{nodes, edges:[{from, to, kind}],
/// unresolved}`; `from` (nullable) keeps what that file imports, transitively; `to`
/// (nullable) keeps what imports that file.
///
/// Ownership: the strings are borrowed for the call only. On success the caller owns
/// `*out_json` and frees it with `perceo_string_free`; on failure it is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `from` and `to` are NULL or
/// NUL-terminated strings; `out_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_module_graph_json(
    project: *const PerceoProject,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        // SAFETY: the caller guarantees `out_json` is NULL or writable (checked for NULL).
        let out = unsafe { out_param(out_json, "out_json") }?;
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        // SAFETY: the caller guarantees NULL or a NUL-terminated string.
        let from = unsafe { optional(from, "from") }?;
        // SAFETY: the caller guarantees NULL or a NUL-terminated string.
        let to = unsafe { optional(to, "to") }?;
        *out = json_c_string(&perceo.module_graph(from, to)?)?;
        Ok(())
    })
}

/// Publishes an event on the project's event bus (in-memory, or Redis as configured),
/// with source `"c"`.
///
/// - `type`: the event type, e.g. `"observer.change.detected"`; unknown names are
///   published as custom types.
/// - `data_json` (nullable): the event's data, any JSON value. Default: `{}`. Invalid JSON
///   is an invalid argument.
/// - `out_event_json` (nullable): where to store the published event as JSON (`id`,
///   `type`, `timestamp`, `source`, `data`, `metadata`); NULL when not wanted.
///
/// Returns `PERCEO_STATUS_ERROR` with code `bus.unreachable`, `bus.auth` or `bus.error`
/// when the bus fails.
///
/// Ownership: the strings are borrowed for the call only. On success the caller owns
/// `*out_event_json` (if requested) and frees it with `perceo_string_free`; on failure it
/// is NULL.
///
/// Thread-safety: may run concurrently with other calls on the same handle.
///
/// # Safety
///
/// `project` is a live handle from `perceo_project_open`; `type` is a NUL-terminated
/// string; `data_json` is NULL or a NUL-terminated string; `out_event_json` is NULL or
/// points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_project_publish_event(
    project: *const PerceoProject,
    r#type: *const c_char,
    data_json: *const c_char,
    out_event_json: *mut *mut c_char,
) -> PerceoStatus {
    call(|| {
        let out = if out_event_json.is_null() {
            None
        } else {
            // SAFETY: the caller guarantees `out_event_json` is writable when not NULL.
            Some(unsafe { out_param(out_event_json, "out_event_json") }?)
        };
        // SAFETY: the caller guarantees a live handle or NULL (checked).
        let perceo = unsafe { project_ref(project) }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL (checked).
        let kind = unsafe { required(r#type, "type") }?;
        // SAFETY: the caller guarantees NULL or a NUL-terminated string.
        let data = match unsafe { optional(data_json, "data_json") }? {
            None => serde_json::Value::Object(serde_json::Map::new()),
            Some(json) => serde_json::from_str(json)
                .map_err(|e| FfiError::InvalidArgument(format!("`data_json` is not valid JSON: {e}")))?,
        };
        let event = perceo.publish(EventType::parse(kind), "c", data)?;
        if let Some(out) = out {
            *out = json_c_string(&event)?;
        }
        Ok(())
    })
}

/// The message of the last failed call on the calling thread (one line, in plain words),
/// or NULL if the last call succeeded or none failed yet.
///
/// Ownership: the caller owns the result and frees it with `perceo_string_free`.
///
/// Thread-safety: each thread has its own last error; this call does not change it.
#[unsafe(no_mangle)]
pub extern "C" fn perceo_last_error_message() -> *mut c_char {
    guard(ptr::null_mut(), || {
        last_error().map_or(ptr::null_mut(), |e| message_to_c_string(&e.message))
    })
}

/// The stable code of the last failed call on the calling thread, or NULL if the last call
/// succeeded or none failed yet. The same codes as the CLI's and the Node package's (the
/// README's "Error codes" table): `config.not_found`, `config.path_missing`,
/// `config.not_a_file`, `config.parse`, `config.invalid`, `config.env_missing`,
/// `config.secret_file`, `config.key`, `init.exists`, `io`, `git`, `flow.invalid`,
/// `graph.unreachable`, `graph.auth`, `graph.database_missing`, `graph.schema`,
/// `graph.query`, `bus.unreachable`, `bus.auth`, `bus.error`, `api.unreachable`,
/// `api.auth`, `api.error`, `argument` (also a NULL pointer, bad UTF-8 or bad options JSON),
/// `serve.listen`, `encode`, `unsupported`, `internal` (also a result that could not be
/// returned) and `panic`.
///
/// Ownership: the caller owns the result and frees it with `perceo_string_free`.
///
/// Thread-safety: each thread has its own last error; this call does not change it.
#[unsafe(no_mangle)]
pub extern "C" fn perceo_last_error_code() -> *mut c_char {
    guard(ptr::null_mut(), || {
        last_error().map_or(ptr::null_mut(), |e| message_to_c_string(e.code))
    })
}

/// Frees a string returned by Perceo (JSON results, error code and message). NULL is
/// accepted and ignored. Never pass it `perceo_version()`'s static string, nor memory from
/// `malloc`.
///
/// Ownership: takes `s` back; it must not be used afterwards.
///
/// Thread-safety: callable from any thread.
///
/// # Safety
///
/// `s` is NULL or a string returned by a Perceo function (other than `perceo_version`)
/// that was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perceo_string_free(s: *mut c_char) {
    guard((), || {
        if !s.is_null() {
            // SAFETY: `s` came from `CString::into_raw` in this crate and is freed once.
            drop(unsafe { std::ffi::CString::from_raw(s) });
        }
    })
}

#[cfg(test)]
mod tests;

/// Property tests of the C ABI's string inputs (issue 18): any bytes a C caller passes
/// (without an inner NUL) give a status, never a panic.
#[cfg(test)]
mod properties;
