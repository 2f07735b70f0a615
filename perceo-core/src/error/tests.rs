//! Unit tests of `error`.

use super::*;

/// One error of every variant. The `match` has no wildcard, so a new variant does not
/// compile until it is added here, and so to the registry check below.
fn one_of_each() -> Vec<Error> {
    let io = || std::io::Error::other("x");
    let all = vec![
        Error::ConfigNotFound { dir: "d".into() },
        Error::ConfigPathMissing { path: "p".into() },
        Error::NotAFile { path: "p".into() },
        Error::Parse {
            path: "p".into(),
            line: 1,
            column: 1,
            message: "m".into(),
        },
        Error::Invalid {
            path: "p".into(),
            line: 1,
            column: 1,
            key: "k".into(),
            message: "m".into(),
        },
        Error::MissingEnv {
            key: "k".into(),
            var: "V".into(),
        },
        Error::SecretFile {
            key: "k".into(),
            path: "p".into(),
            source: io(),
        },
        Error::Key {
            key: "k".into(),
            message: "m".into(),
        },
        Error::AlreadyInitialized { path: "p".into() },
        Error::Io {
            path: "p".into(),
            source: io(),
        },
        Error::Git { message: "m".into() },
        Error::Flow {
            path: "p".into(),
            message: "m".into(),
        },
        Error::GraphUnreachable {
            backend: "Neo4j",
            location: "l".into(),
            message: "m".into(),
        },
        Error::GraphAuth {
            backend: "Neo4j",
            location: "l".into(),
            user: "u".into(),
            message: "m".into(),
        },
        Error::GraphDatabaseMissing {
            location: "l".into(),
            database: "d".into(),
            hint: "h".into(),
        },
        Error::GraphSchema {
            location: "l".into(),
            message: "m".into(),
        },
        Error::Graph {
            backend: "sqlite",
            message: "m".into(),
        },
        Error::BusUnreachable {
            location: "l".into(),
            message: "m".into(),
        },
        Error::BusAuth {
            location: "l".into(),
            message: "m".into(),
        },
        Error::Bus("m".into()),
        Error::ApiUnreachable {
            engine: "observer",
            url: "u".into(),
            message: "m".into(),
        },
        Error::Api {
            engine: "observer",
            url: "u".into(),
            status: 401,
            message: "m".into(),
        },
        Error::Api {
            engine: "observer",
            url: "u".into(),
            status: 500,
            message: "m".into(),
        },
        Error::Argument("m".into()),
        Error::Listen {
            address: "a".into(),
            source: io(),
        },
        Error::Encode {
            what: "w",
            message: "m".into(),
        },
        Error::Unsupported {
            what: "w",
            feature: "f",
        },
        Error::Internal("m".into()),
    ];
    for e in &all {
        match e {
            Error::ConfigNotFound { .. }
            | Error::ConfigPathMissing { .. }
            | Error::NotAFile { .. }
            | Error::Parse { .. }
            | Error::Invalid { .. }
            | Error::MissingEnv { .. }
            | Error::SecretFile { .. }
            | Error::Key { .. }
            | Error::AlreadyInitialized { .. }
            | Error::Io { .. }
            | Error::Git { .. }
            | Error::Flow { .. }
            | Error::GraphUnreachable { .. }
            | Error::GraphAuth { .. }
            | Error::GraphDatabaseMissing { .. }
            | Error::GraphSchema { .. }
            | Error::Graph { .. }
            | Error::BusUnreachable { .. }
            | Error::BusAuth { .. }
            | Error::Bus(_)
            | Error::ApiUnreachable { .. }
            | Error::Api { .. }
            | Error::Argument(_)
            | Error::Listen { .. }
            | Error::Encode { .. }
            | Error::Unsupported { .. }
            | Error::Internal(_) => {}
        }
    }
    all
}

#[test]
fn the_registry_holds_every_code_and_nothing_else() {
    let produced: Vec<&str> = one_of_each().iter().map(Error::code).collect();
    for code in &produced {
        assert!(code_info(code).is_some(), "`{code}` is not in error::CODES");
    }
    for c in CODES {
        assert_eq!(
            produced.contains(&c.code),
            c.source == CodeSource::Core,
            "`{}`: core codes are those of an error variant, and only those",
            c.code
        );
    }
    let mut codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), CODES.len(), "a code is listed twice");
}

#[test]
fn kinds_and_exit_codes_come_from_the_registry() {
    assert_eq!(Error::Argument("x".into()).kind().exit_code(), 2);
    assert_eq!(Error::Internal("x".into()).kind().exit_code(), 1);
    assert_eq!(
        Error::Listen {
            address: "127.0.0.1:1".into(),
            source: std::io::Error::other("in use")
        }
        .kind(),
        ErrorKind::Job
    );
    let down = Error::BusUnreachable {
        location: "l".into(),
        message: "m".into(),
    };
    assert_eq!(down.kind().exit_code(), 3);
    let refused = Error::Api {
        engine: "observer",
        url: "u".into(),
        status: 403,
        message: "m".into(),
    };
    assert_eq!((refused.code(), refused.kind()), ("api.auth", ErrorKind::Usage));
}

#[test]
fn the_readme_lists_the_registry() {
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(&codes_markdown()),
        "README.md's \"Error codes\" table is stale; paste error::codes_markdown():\n{}",
        codes_markdown()
    );
}
