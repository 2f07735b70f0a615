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
        }
    }

    /// Broad class of the error (usage, job, unreachable service).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } | Error::Git { .. } | Error::Graph { .. } | Error::GraphSchema { .. } => ErrorKind::Job,
            Error::GraphUnreachable { .. } | Error::BusUnreachable { .. } | Error::ApiUnreachable { .. } => {
                ErrorKind::Unreachable
            }
            Error::Api { status: 401 | 403, .. } => ErrorKind::Usage,
            Error::Api { .. } => ErrorKind::Job,
            Error::Bus(_) => ErrorKind::Job,
            _ => ErrorKind::Usage,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
