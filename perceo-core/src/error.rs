//! The one error type of `perceo-core`, with stable codes shared by the CLI, C and JavaScript.

use std::path::PathBuf;

/// Result alias used throughout `perceo-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Broad class of an error, which each binding maps to its own convention once
/// (the CLI maps it to an exit code: see [`ErrorKind::exit_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The user's input (arguments, configuration, flow files) is wrong.
    Usage,
    /// The job ran and failed (for example a git operation or a write failed).
    Job,
    /// A service (Neo4j, Redis, a managed API) could not be reached.
    Unreachable,
}

impl ErrorKind {
    /// The process exit code the CLI uses for this kind: 2 usage/config, 1 job, 3 service.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage => 2,
            ErrorKind::Job => 1,
            ErrorKind::Unreachable => 3,
        }
    }
}

/// Everything that can go wrong in `perceo-core`.
///
/// Each variant carries its context (file, line, key) and has a stable [`Error::code`].
/// Messages never contain secret values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No configuration file was found in the project directory or its parents.
    #[error("no Perceo configuration found in {} or its parent directories; run `perceo init` to create one", dir.display())]
    ConfigNotFound {
        /// The directory the search started from.
        dir: PathBuf,
    },

    /// `PERCEO_CONFIG_PATH` names a file that does not exist, or a directory.
    #[error("PERCEO_CONFIG_PATH points to {}, which {}", path.display(), if path.is_dir() { "is a directory, not a file" } else { "does not exist" })]
    ConfigPathMissing {
        /// The resolved path.
        path: PathBuf,
    },

    /// A configuration or flow file's path is a directory.
    #[error("{} is a directory, not a file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },

    /// A configuration or flow file is not valid JSONC.
    #[error("{}:{line}:{column}: invalid JSON: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser found.
        message: String,
    },

    /// A value has the wrong type or an invalid value.
    #[error("{}:{line}:{column}: `{key}`: {message}", path.display())]
    Invalid {
        /// The file that set the value.
        path: PathBuf,
        /// 1-based line of the value.
        line: usize,
        /// 1-based column of the value.
        column: usize,
        /// Dotted key path, e.g. `observer.ci.parallelism`.
        key: String,
        /// What is wrong with it.
        message: String,
    },

    /// A `${VAR}` used by a component is not set in the environment.
    #[error("config key `{key}` needs the environment variable `{var}`, which is not set")]
    MissingEnv {
        /// Dotted key path of the setting.
        key: String,
        /// Name of the variable.
        var: String,
    },

    /// A `file:PATH` secret could not be read.
    #[error("config key `{key}` refers to the file {}, which cannot be read: {source}", path.display())]
    SecretFile {
        /// Dotted key path of the setting.
        key: String,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A dotted key given to `config get`/`config set` is not usable.
    #[error("config key `{key}`: {message}")]
    Key {
        /// The dotted key.
        key: String,
        /// Why it cannot be used.
        message: String,
    },

    /// `perceo init` found an existing configuration and will not overwrite it.
    #[error("{} already exists; Perceo never overwrites a configuration (edit it, or use `perceo config set`)", path.display())]
    AlreadyInitialized {
        /// The existing file.
        path: PathBuf,
    },

    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A git operation failed.
    #[error("git: {message}")]
    Git {
        /// What failed, with a hint where one helps.
        message: String,
    },

    /// A flow or persona definition is invalid (duplicate id, unknown priority, ...).
    #[error("{}: {message}", path.display())]
    Flow {
        /// The flow or persona file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// The flow graph's server could not be reached (down, wrong host or port, TLS).
    #[error("could not reach {backend} at {location}: {message}")]
    GraphUnreachable {
        /// `Neo4j`.
        backend: &'static str,
        /// The URI, without credentials.
        location: String,
        /// What happened.
        message: String,
    },

    /// The flow graph refused the credentials.
    #[error(
        "{backend} at {location} refused the credentials of user `{user}`: {message} (check flowGraph.username and flowGraph.password)"
    )]
    GraphAuth {
        /// `Neo4j`.
        backend: &'static str,
        /// The URI, without credentials.
        location: String,
        /// The user name.
        user: String,
        /// The server's words.
        message: String,
    },

    /// The configured Neo4j database does not exist.
    #[error("Neo4j at {location} has no database `{database}`: {hint}")]
    GraphDatabaseMissing {
        /// The URI, without credentials.
        location: String,
        /// The database name.
        database: String,
        /// How to fix it.
        hint: String,
    },

    /// The embedded graph file is corrupt, or was written by a newer Perceo.
    #[error("flow graph {}: {message}", location)]
    GraphSchema {
        /// The file or URI.
        location: String,
        /// What is wrong and what to do.
        message: String,
    },

    /// A flow graph operation failed.
    #[error("flow graph ({backend}): {message}")]
    Graph {
        /// `sqlite` or `neo4j`.
        backend: &'static str,
        /// What failed.
        message: String,
    },

    /// The event bus (Redis) could not be reached or refused the credentials.
    #[error("could not reach the Redis event bus at {location}: {message}")]
    BusUnreachable {
        /// The URL, without credentials.
        location: String,
        /// What happened.
        message: String,
    },

    /// The event bus refused the credentials in its URL.
    #[error(
        "the Redis event bus at {location} refused the credentials: {message} (check the user and password in eventBus.redisUrl)"
    )]
    BusAuth {
        /// The URL, without credentials.
        location: String,
        /// The server's words.
        message: String,
    },

    /// An event bus operation failed.
    #[error("event bus: {0}")]
    Bus(String),

    /// A managed engine API could not be reached (down, timeout, TLS).
    #[error("could not reach the {engine} API at {url}: {message}")]
    ApiUnreachable {
        /// `observer`, `analyzer`, ...
        engine: &'static str,
        /// The URL, without credentials.
        url: String,
        /// What happened.
        message: String,
    },

    /// A managed engine API answered with an error.
    #[error("the {engine} API at {url} answered {status}: {message}")]
    Api {
        /// `observer`, `analyzer`, ...
        engine: &'static str,
        /// The URL, without credentials.
        url: String,
        /// HTTP status.
        status: u16,
        /// The server's message (the key is never in it).
        message: String,
    },

    /// A caller passed an invalid argument (for example an unknown flow id).
    #[error("{0}")]
    Argument(String),

    /// A server (`serve`, the dashboard) cannot listen on its address.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address, `host:port`.
        address: String,
        /// The I/O error (address in use, permission denied, ...).
        source: std::io::Error,
    },

    /// A value could not be encoded (JSON, the graph cache): a bug, never the input.
    #[error("cannot encode {what}: {message}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's words.
        message: String,
    },

    /// The configuration asks for something this build of `perceo-core` leaves out (it was
    /// compiled without the Cargo feature that holds it).
    #[error(
        "{what} needs the `{feature}` feature of perceo-core, which this build leaves out; build with `--features {feature}` (the perceo CLI, the C library and the npm package have every feature)"
    )]
    Unsupported {
        /// What was asked for.
        what: &'static str,
        /// The Cargo feature that holds it.
        feature: &'static str,
    },

    /// Perceo itself failed (a runtime that cannot start, a poisoned lock, a server that
    /// stopped): never the caller's input.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One row of the error code registry: every code any binding reports, with the class the
/// CLI exit code, the C status and the HTTP status derive from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable code (`config.parse`).
    pub code: &'static str,
    /// Its class.
    pub kind: ErrorKind,
    /// What it means, in plain words.
    pub meaning: &'static str,
    /// Who reports it.
    pub source: CodeSource,
}

/// Who reports a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodeSource {
    /// An [`Error`] of the core, so every binding.
    Core,
    /// The C ABI and the Node addon, for what happens in the binding itself.
    Binding,
    /// `perceo serve`'s HTTP layer, before a request reaches the core.
    Http,
}

/// The code a binding reports when Perceo panicked (the C ABI and the Node addon catch it).
pub const PANIC_CODE: &str = "panic";

/// The error code registry: every [`Error::code`], and [`PANIC_CODE`]. The README's "Error
/// codes" table and the C header's comment on `perceo_last_error_code` are checked against
/// it by tests.
pub const CODES: &[CodeInfo] = &[
    code(
        "config.not_found",
        ErrorKind::Usage,
        "no Perceo configuration in the directory or its parents",
    ),
    code(
        "config.path_missing",
        ErrorKind::Usage,
        "PERCEO_CONFIG_PATH names a missing file or a directory",
    ),
    code(
        "config.not_a_file",
        ErrorKind::Usage,
        "a configuration or flow file's path is a directory",
    ),
    code(
        "config.parse",
        ErrorKind::Usage,
        "a configuration or flow file is not valid JSONC (file:line:column)",
    ),
    code(
        "config.invalid",
        ErrorKind::Usage,
        "a value has the wrong type or an invalid value (file:line:column, key)",
    ),
    code(
        "config.env_missing",
        ErrorKind::Usage,
        "a `${VAR}` a component needs is not set",
    ),
    code(
        "config.secret_file",
        ErrorKind::Usage,
        "a `file:` secret cannot be read",
    ),
    code(
        "config.key",
        ErrorKind::Usage,
        "a dotted key given to `config get`/`set` is not usable",
    ),
    code(
        "init.exists",
        ErrorKind::Usage,
        "`init` found a configuration and will not overwrite it",
    ),
    code(
        "io",
        ErrorKind::Job,
        "a file or directory could not be read or written (path)",
    ),
    code("git", ErrorKind::Job, "a git operation failed"),
    code(
        "flow.invalid",
        ErrorKind::Usage,
        "a flow or persona definition is invalid",
    ),
    code(
        "graph.unreachable",
        ErrorKind::Unreachable,
        "the flow graph's server cannot be reached",
    ),
    code("graph.auth", ErrorKind::Usage, "the flow graph refused the credentials"),
    code(
        "graph.database_missing",
        ErrorKind::Usage,
        "the configured Neo4j database does not exist",
    ),
    code(
        "graph.schema",
        ErrorKind::Job,
        "the embedded graph is corrupt or from a newer Perceo",
    ),
    code("graph.query", ErrorKind::Job, "a flow graph operation failed"),
    code(
        "bus.unreachable",
        ErrorKind::Unreachable,
        "the Redis event bus cannot be reached",
    ),
    code(
        "bus.auth",
        ErrorKind::Usage,
        "the Redis event bus refused the credentials",
    ),
    code("bus.error", ErrorKind::Job, "an event bus operation failed"),
    code(
        "api.unreachable",
        ErrorKind::Unreachable,
        "a managed engine API cannot be reached",
    ),
    code(
        "api.auth",
        ErrorKind::Usage,
        "a managed engine API refused the key (401/403)",
    ),
    code(
        "api.error",
        ErrorKind::Job,
        "a managed engine API answered with an error",
    ),
    code(
        "argument",
        ErrorKind::Usage,
        "an invalid argument: an unknown flow id, a bad option, a NULL pointer",
    ),
    code(
        "serve.listen",
        ErrorKind::Job,
        "a server cannot listen on its address (in use, not permitted)",
    ),
    code("encode", ErrorKind::Job, "a value could not be encoded (a bug)"),
    code(
        "unsupported",
        ErrorKind::Usage,
        "the configuration asks for a part this build of perceo-core was compiled without (a Cargo feature)",
    ),
    code(
        "internal",
        ErrorKind::Job,
        "Perceo itself failed (a bug or a broken environment)",
    ),
    from(
        CodeSource::Binding,
        PANIC_CODE,
        ErrorKind::Job,
        "Perceo panicked; the C ABI and the Node addon catch it (a bug)",
    ),
    from(
        CodeSource::Http,
        "auth.missing",
        ErrorKind::Usage,
        "serve: no `Authorization` header (401)",
    ),
    from(
        CodeSource::Http,
        "auth.scheme",
        ErrorKind::Usage,
        "serve: the header is not `Bearer <key>` (401)",
    ),
    from(
        CodeSource::Http,
        "auth.invalid",
        ErrorKind::Usage,
        "serve: the key is not one of the server's (401)",
    ),
    from(
        CodeSource::Http,
        "not_found",
        ErrorKind::Usage,
        "serve: no such route (404)",
    ),
    from(
        CodeSource::Http,
        "method_not_allowed",
        ErrorKind::Usage,
        "serve: the route takes another method (405)",
    ),
    from(
        CodeSource::Http,
        "request.invalid",
        ErrorKind::Usage,
        "serve: a malformed body, query or path (400)",
    ),
    from(
        CodeSource::Http,
        "request.content_type",
        ErrorKind::Usage,
        "serve: the body is not `application/json` (415)",
    ),
    from(
        CodeSource::Http,
        "request.too_large",
        ErrorKind::Usage,
        "serve: the body is over `serve.maxBodyBytes` (413)",
    ),
    from(
        CodeSource::Http,
        "request.uri_too_long",
        ErrorKind::Usage,
        "serve: the request line is over 8 KiB (414)",
    ),
    from(
        CodeSource::Http,
        "request.timeout",
        ErrorKind::Unreachable,
        "serve: the request took over `serve.requestTimeoutSecs` (503)",
    ),
];

const fn code(code: &'static str, kind: ErrorKind, meaning: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        kind,
        meaning,
        source: CodeSource::Core,
    }
}

const fn from(source: CodeSource, code: &'static str, kind: ErrorKind, meaning: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        kind,
        meaning,
        source,
    }
}

/// The registry row of `code`.
pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// The registry as the README's Markdown table (code, who reports it, CLI exit code, meaning).
pub fn codes_markdown() -> String {
    let mut out = String::from("| code | from | exit | meaning |\n|---|---|---|---|\n");
    for c in CODES {
        let (from, exit) = match c.source {
            CodeSource::Core => ("all", c.kind.exit_code().to_string()),
            CodeSource::Binding => ("C, Node", c.kind.exit_code().to_string()),
            CodeSource::Http => ("HTTP", "–".to_string()),
        };
        out.push_str(&format!("| `{}` | {from} | {exit} | {} |\n", c.code, c.meaning));
    }
    out
}

impl Error {
    /// Stable machine-readable code, e.g. `config.parse`; shared by the CLI, C and JavaScript.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ConfigNotFound { .. } => "config.not_found",
            Error::ConfigPathMissing { .. } => "config.path_missing",
            Error::NotAFile { .. } => "config.not_a_file",
            Error::Parse { .. } => "config.parse",
            Error::Invalid { .. } => "config.invalid",
            Error::MissingEnv { .. } => "config.env_missing",
            Error::SecretFile { .. } => "config.secret_file",
            Error::Key { .. } => "config.key",
            Error::AlreadyInitialized { .. } => "init.exists",
            Error::Io { .. } => "io",
            Error::Git { .. } => "git",
            Error::Flow { .. } => "flow.invalid",
            Error::GraphUnreachable { .. } => "graph.unreachable",
            Error::GraphAuth { .. } => "graph.auth",
            Error::GraphDatabaseMissing { .. } => "graph.database_missing",
            Error::GraphSchema { .. } => "graph.schema",
            Error::Graph { .. } => "graph.query",
            Error::BusUnreachable { .. } => "bus.unreachable",
            Error::BusAuth { .. } => "bus.auth",
            Error::Bus(_) => "bus.error",
            Error::ApiUnreachable { .. } => "api.unreachable",
            Error::Api { status: 401 | 403, .. } => "api.auth",
            Error::Api { .. } => "api.error",
            Error::Argument(_) => "argument",
            Error::Listen { .. } => "serve.listen",
            Error::Encode { .. } => "encode",
            Error::Unsupported { .. } => "unsupported",
            Error::Internal(_) => "internal",
        }
    }

    /// The registry row of this error's code.
    pub fn info(&self) -> &'static CodeInfo {
        code_info(self.code()).expect("every code is in the registry (tested)")
    }

    /// Broad class of the error (usage, job, unreachable service), from the registry.
    pub fn kind(&self) -> ErrorKind {
        self.info().kind
    }

    /// An [`Error::Encode`] of `what`.
    pub(crate) fn encode(what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Encode {
            what,
            message: e.to_string(),
        }
    }

    /// An [`Error::Unsupported`]: `what` needs the Cargo feature `feature`.
    #[allow(dead_code)] // unused when every feature is on
    pub(crate) fn unsupported(what: &'static str, feature: &'static str) -> Self {
        Error::Unsupported { what, feature }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests;
