//! `${VAR}` interpolation and `file:PATH` secrets, applied lazily when a value is used.

use std::path::Path;

use super::env::Env;
use crate::error::{Error, Result};

/// Names of the variables `text` refers to with `${VAR}` or `${VAR:-default}`.
pub fn referenced_vars(text: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        let name = inner.split(":-").next().unwrap_or(inner);
        vars.push(name.to_string());
        rest = &after[end + 1..];
    }
    vars
}

/// Replaces every `${VAR}` (or `${VAR:-default}`) in `text`; `key` names the setting in
/// the error when a variable without default is unset.
pub fn interpolate(text: &str, key: &str, env: &Env) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let inner = &after[..end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        // `${VAR:-default}` also uses the default when VAR is set but empty, as in shells.
        let value = env.get(name).filter(|v| !v.is_empty() || default.is_none());
        match (value, default) {
            (Some(v), _) => out.push_str(v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => {
                return Err(Error::MissingEnv {
                    key: key.to_string(),
                    var: name.to_string(),
                });
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Resolves a setting: interpolates variables, then loads `file:PATH` (relative to
/// `project_dir`) with its trailing newline removed.
pub fn resolve(text: &str, key: &str, env: &Env, project_dir: &Path) -> Result<String> {
    let value = interpolate(text, key, env)?;
    match value.strip_prefix("file:") {
        Some(rel) => {
            let path = project_dir.join(rel);
            let content = std::fs::read_to_string(&path).map_err(|source| Error::SecretFile {
                key: key.to_string(),
                path: path.clone(),
                source,
            })?;
            Ok(content.trim_end_matches(['\n', '\r']).to_string())
        }
        None => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_variables_and_defaults() {
        let env = Env::from_pairs([("HOST", "db"), ("EMPTY", "")]);
        assert_eq!(interpolate("bolt://${HOST}:7687", "k", &env).unwrap(), "bolt://db:7687");
        assert_eq!(interpolate("${NOPE:-x}-${EMPTY:-y}", "k", &env).unwrap(), "x-y");
        assert_eq!(interpolate("no vars", "k", &env).unwrap(), "no vars");
    }

    #[test]
    fn missing_variable_names_key_and_variable() {
        let err = interpolate("${NEO4J_PASSWORD}", "flowGraph.password", &Env::default()).unwrap_err();
        assert_eq!(err.code(), "config.env_missing");
        let msg = err.to_string();
        assert!(
            msg.contains("flowGraph.password") && msg.contains("NEO4J_PASSWORD"),
            "{msg}"
        );
    }

    #[test]
    fn lists_referenced_variables() {
        assert_eq!(referenced_vars("${A}/x/${B:-d}"), vec!["A", "B"]);
    }

    #[test]
    fn file_secrets_are_read_relative_to_the_project() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/key.json"), "{\"k\":1}\n").unwrap();
        let got = resolve(
            "file:secrets/key.json",
            "analytics.credentials",
            &Env::default(),
            dir.path(),
        );
        assert_eq!(got.unwrap(), "{\"k\":1}");
        let err = resolve(
            "file:missing.json",
            "analytics.credentials",
            &Env::default(),
            dir.path(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "config.secret_file");
        assert!(err.to_string().contains("analytics.credentials"));
    }
}
