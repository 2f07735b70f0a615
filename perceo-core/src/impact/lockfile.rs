//! Lockfile precision: which direct dependencies a lockfile change really moved, so a
//! lockfile change affects only the flows whose files import them.
//!
//! Understood: `package-lock.json` / `npm-shrinkwrap.json` (v2, v3), `pnpm-lock.yaml`
//! (v6–v9), Yarn Berry's `yarn.lock` (YAML), Yarn v1's `yarn.lock` and Bun's text
//! `bun.lock` (JSONC). Yarn v1 does not record which packages are direct dependencies, so
//! there a moved package stands for itself and every package that depends on it. Anything
//! else (Bun's binary `bun.lockb`) returns `None` and the caller falls back to treating the
//! lockfile as a global input.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;

/// One resolved package of a lockfile.
struct Node {
    name: String,
    version: String,
    deps: Vec<String>,
}

/// A parsed lockfile: the direct dependencies of each importer (workspace folder relative
/// to the lockfile, `""` for the root) and every resolved package.
struct Lock {
    direct: BTreeMap<String, BTreeSet<String>>,
    nodes: Vec<Node>,
}

/// A direct dependency a lockfile change moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedDependency {
    /// What moved, e.g. `next 15.0.1 → 15.0.3`, or `via sharp 0.33.1 → 0.33.5`.
    pub what: String,
    /// The importers (workspace folders relative to the lockfile, `""` for the root) that
    /// declare the dependency.
    pub importers: BTreeSet<String>,
}

/// `./packages/ui`, `packages/ui/`, `.` → `packages/ui`, `packages/ui`, `""`.
fn importer_dir(key: &str) -> String {
    key.trim_start_matches("./")
        .trim_matches('/')
        .trim_start_matches('.')
        .to_string()
}

/// Whether a file name is a lockfile Perceo knows of.
pub fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "package-lock.json" | "npm-shrinkwrap.json" | "pnpm-lock.yaml" | "yarn.lock" | "bun.lock" | "bun.lockb"
    )
}

fn keys(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn dep_keys(entry: &Value) -> Vec<String> {
    ["dependencies", "optionalDependencies", "peerDependencies"]
        .iter()
        .flat_map(|k| keys(entry.get(*k)))
        .collect()
}

fn parse_npm(text: &str) -> Option<Lock> {
    let json: Value = serde_json::from_str(text).ok()?;
    let packages = json.get("packages")?.as_object()?;
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut nodes = Vec::new();
    for (key, entry) in packages {
        match key.rfind("node_modules/") {
            Some(i) => nodes.push(Node {
                name: key[i + "node_modules/".len()..].to_string(),
                version: entry.get("version").and_then(Value::as_str).unwrap_or("").to_string(),
                deps: dep_keys(entry),
            }),
            // The root ("") and workspace packages: their dependencies are direct.
            None => {
                let own = direct.entry(importer_dir(key)).or_default();
                for k in ["dependencies", "devDependencies", "optionalDependencies"] {
                    own.extend(keys(entry.get(k)));
                }
            }
        }
    }
    Some(Lock { direct, nodes })
}

/// `name@version(peers)` or `/name@version` → (name, version).
fn split_pnpm_key(key: &str) -> Option<(String, String)> {
    let key = key.trim_start_matches('/');
    let at = key[1..].find('@')? + 1;
    Some((key[..at].to_string(), key[at + 1..].to_string()))
}

fn parse_pnpm(text: &str) -> Option<Lock> {
    let yaml: Value = serde_yaml_ng::from_str(text).ok()?;
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, importer) in yaml
        .get("importers")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
    {
        let own = direct.entry(importer_dir(key)).or_default();
        for k in ["dependencies", "devDependencies", "optionalDependencies"] {
            own.extend(keys(importer.get(k)));
        }
    }
    // Lockfile v5/v6 list direct dependencies at the top level.
    for k in ["dependencies", "devDependencies", "optionalDependencies"] {
        direct.entry(String::new()).or_default().extend(keys(yaml.get(k)));
    }
    let table = yaml.get("snapshots").or_else(|| yaml.get("packages"))?.as_object()?;
    let nodes = table
        .iter()
        .filter_map(|(key, entry)| {
            let (name, version) = split_pnpm_key(key)?;
            Some(Node {
                name,
                version,
                deps: dep_keys(entry),
            })
        })
        .collect();
    Some(Lock { direct, nodes })
}

fn parse_yarn_berry(text: &str) -> Option<Lock> {
    let yaml: Value = serde_yaml_ng::from_str(text).ok()?;
    let map = yaml.as_object()?;
    map.get("__metadata")?;
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut nodes = Vec::new();
    for (key, entry) in map.iter().filter(|(k, _)| *k != "__metadata") {
        let resolution = entry.get("resolution").and_then(Value::as_str).unwrap_or(key);
        let Some((name, version)) = split_pnpm_key(resolution) else {
            continue;
        };
        if let Some(dir) = version.strip_prefix("workspace:") {
            direct.entry(importer_dir(dir)).or_default().extend(dep_keys(entry));
        } else {
            nodes.push(Node {
                name,
                version: entry
                    .get("version")
                    .and_then(Value::as_str)
                    .unwrap_or(&version)
                    .to_string(),
                deps: dep_keys(entry),
            });
        }
    }
    Some(Lock { direct, nodes })
}

/// `"name@range"` / `name@range` → name (the `@` of a scope is not the separator).
fn name_of_spec(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let at = spec.get(1..)?.find('@')? + 1;
    Some(&spec[..at])
}

/// Yarn v1's own format: entries `"a@^1", a@^1.2:` at column 0, then `version "1.2.3"` and
/// `dependencies:` blocks indented by two and four spaces.
fn parse_yarn_v1(text: &str) -> Option<Lock> {
    if !text.contains("# yarn lockfile v1") {
        return None;
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            let first = line.trim_end_matches(':').split(", ").next()?;
            nodes.push(Node {
                name: name_of_spec(first)?.to_string(),
                version: String::new(),
                deps: Vec::new(),
            });
            in_deps = false;
            continue;
        }
        let node = nodes.last_mut()?;
        if let Some(rest) = line.strip_prefix("    ") {
            if in_deps && let Some((dep, _)) = rest.trim().split_once(' ') {
                node.deps.push(dep.trim_matches('"').to_string());
            }
        } else if let Some(rest) = line.strip_prefix("  ") {
            in_deps = matches!(rest.trim_end(), "dependencies:" | "optionalDependencies:");
            if let Some(v) = rest.strip_prefix("version ") {
                node.version = v.trim().trim_matches('"').to_string();
            }
        }
    }
    // No record of direct dependencies: every package counts as one, of the root.
    let direct = BTreeMap::from([(String::new(), nodes.iter().map(|n| n.name.clone()).collect())]);
    Some(Lock { direct, nodes })
}

/// Bun's text lockfile (`bun.lock`, JSONC): `workspaces` hold the direct dependencies,
/// `packages` map a key to `["name@version", registry, {dependencies...}, integrity]`.
fn parse_bun(text: &str) -> Option<Lock> {
    let json = crate::jsonc::parse_value(std::path::Path::new("bun.lock"), text).ok()?;
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, ws) in json.get("workspaces")?.as_object()? {
        let own = direct.entry(importer_dir(key)).or_default();
        for k in ["dependencies", "devDependencies", "optionalDependencies"] {
            own.extend(keys(ws.get(k)));
        }
    }
    let mut nodes = Vec::new();
    for entry in json.get("packages")?.as_object()?.values() {
        let Some(list) = entry.as_array() else { continue };
        let Some(id) = list.first().and_then(Value::as_str) else {
            continue;
        };
        let Some(name) = name_of_spec(id) else { continue };
        nodes.push(Node {
            name: name.to_string(),
            version: id[name.len() + 1..].to_string(),
            deps: list.get(2).map(dep_keys).unwrap_or_default(),
        });
    }
    Some(Lock { direct, nodes })
}

fn parse(path: &str, text: &str) -> Option<Lock> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "package-lock.json" | "npm-shrinkwrap.json" => parse_npm(text),
        "pnpm-lock.yaml" => parse_pnpm(text),
        "yarn.lock" => parse_yarn_v1(text).or_else(|| parse_yarn_berry(text)),
        "bun.lock" => parse_bun(text),
        _ => None,
    }
}

fn versions(lock: &Lock) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for n in &lock.nodes {
        out.entry(n.name.as_str()).or_default().insert(n.version.as_str());
    }
    out
}

fn describe(set: Option<&BTreeSet<&str>>) -> String {
    match set {
        None => "absent".into(),
        Some(s) => s.iter().copied().collect::<Vec<_>>().join(", "),
    }
}

/// The direct dependencies moved by a lockfile change, each with a description
/// (`next 15.0.1 → 15.0.3`, or `via sharp 0.33.1 → 0.33.5`) and the importers that declare
/// it. A moved package for which `inert` holds (type packages, lint tooling) moves nothing
/// above it. `None` when the format is not understood or either side does not parse.
pub fn changed_direct_dependencies(
    path: &str,
    old: &str,
    new: &str,
    inert: &dyn Fn(&str) -> bool,
) -> Option<BTreeMap<String, MovedDependency>> {
    let (old, new) = (parse(path, old)?, parse(path, new)?);
    let (old_v, new_v) = (versions(&old), versions(&new));
    let names: BTreeSet<&str> = old_v.keys().chain(new_v.keys()).copied().collect();
    let changed: BTreeMap<&str, String> = names
        .into_iter()
        .filter(|n| old_v.get(n) != new_v.get(n))
        .map(|n| {
            (
                n,
                format!("{n} {} → {}", describe(old_v.get(n)), describe(new_v.get(n))),
            )
        })
        .collect();
    // Who depends on whom (both sides), to walk from a changed package up to direct deps.
    let mut dependents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for node in old.nodes.iter().chain(&new.nodes) {
        for d in &node.deps {
            dependents.entry(d.as_str()).or_default().insert(node.name.as_str());
        }
    }
    // Direct dependency → the importers declaring it (both sides).
    let mut declared_by: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (importer, deps) in old.direct.iter().chain(&new.direct) {
        for d in deps {
            declared_by.entry(d.as_str()).or_default().insert(importer.as_str());
        }
    }
    let mut out: BTreeMap<String, MovedDependency> = BTreeMap::new();
    for (name, what) in &changed {
        let mut seen = BTreeSet::from([*name]);
        let mut queue = VecDeque::from([*name]);
        while let Some(n) = queue.pop_front() {
            if let Some(importers) = declared_by.get(n) {
                let description = if n == *name {
                    what.clone()
                } else {
                    format!("via {what}")
                };
                out.entry(n.to_string()).or_insert_with(|| MovedDependency {
                    what: description,
                    importers: importers.iter().map(|s| s.to_string()).collect(),
                });
            }
            if n == *name && inert(n) {
                continue; // types and tooling change nothing in the packages that use them
            }
            for up in dependents.get(n).into_iter().flatten() {
                if seen.insert(up) {
                    queue.push_back(up);
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What moved, by direct dependency (nothing inert).
    fn moved(path: &str, old: &str, new: &str) -> Option<BTreeMap<String, String>> {
        changed_direct_dependencies(path, old, new, &|_| false)
            .map(|m| m.into_iter().map(|(k, v)| (k, v.what)).collect())
    }

    fn npm(next: &str, sharp: &str) -> String {
        serde_json::json!({"lockfileVersion": 3, "packages": {
            "": {"dependencies": {"next": "^15", "zod": "^3"}, "devDependencies": {"typescript": "^5"}},
            "node_modules/next": {"version": next, "dependencies": {"sharp": "*"}},
            "node_modules/sharp": {"version": sharp},
            "node_modules/zod": {"version": "3.23.0"},
            "node_modules/typescript": {"version": "5.6.0"},
        }})
        .to_string()
    }

    #[test]
    fn npm_direct_and_transitive_changes_reach_direct_dependencies() {
        let got = moved("package-lock.json", &npm("15.0.1", "0.33.1"), &npm("15.0.3", "0.33.1")).unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), vec!["next"]);
        assert_eq!(got["next"], "next 15.0.1 → 15.0.3");
        let got = moved("package-lock.json", &npm("15.0.1", "0.33.1"), &npm("15.0.1", "0.33.5")).unwrap();
        assert_eq!(got["next"], "via sharp 0.33.1 → 0.33.5");
        let same = moved("package-lock.json", &npm("15.0.1", "0.33.1"), &npm("15.0.1", "0.33.1")).unwrap();
        assert!(same.is_empty());
    }

    #[test]
    fn pnpm_v9_snapshots_are_understood() {
        let lock = |zod: &str| {
            format!(
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      zod:\n        specifier: ^3\n        version: {zod}\n      '@acme/forms':\n        specifier: ^1\n        version: 1.0.0\npackages:\n  zod@{zod}:\n    resolution: {{integrity: x}}\nsnapshots:\n  zod@{zod}: {{}}\n  '@acme/forms@1.0.0':\n    dependencies:\n      zod: {zod}\n"
            )
        };
        let got = moved("pnpm-lock.yaml", &lock("3.23.0"), &lock("3.24.1")).unwrap();
        assert_eq!(got["zod"], "zod 3.23.0 → 3.24.1");
        assert_eq!(got["@acme/forms"], "via zod 3.23.0 → 3.24.1");
    }

    #[test]
    fn yarn_v1_changes_reach_the_package_and_its_dependents() {
        let lock = |sharp: &str| {
            format!(
                "# THIS IS AN AUTOGENERATED FILE.\n# yarn lockfile v1\n\n\n\"@acme/img@^1.0.0\":\n  version \"1.0.0\"\n  dependencies:\n    sharp \"^0.33.0\"\n\nsharp@^0.33.0, sharp@^0.33.1:\n  version \"{sharp}\"\n  resolved \"https://r/sharp.tgz\"\n\nzod@^3:\n  version \"3.23.0\"\n"
            )
        };
        let got = moved("yarn.lock", &lock("0.33.1"), &lock("0.33.5")).unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), vec!["@acme/img", "sharp"]);
        assert_eq!(got["sharp"], "sharp 0.33.1 → 0.33.5");
        assert_eq!(got["@acme/img"], "via sharp 0.33.1 → 0.33.5");
    }

    #[test]
    fn bun_text_lockfiles_are_understood() {
        let lock = |zod: &str| {
            format!(
                "{{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {{\n    \"\": {{ \"name\": \"app\", \"dependencies\": {{ \"@acme/forms\": \"^1\", }}, }},\n  }},\n  \"packages\": {{\n    \"@acme/forms\": [\"@acme/forms@1.0.0\", \"\", {{ \"dependencies\": {{ \"zod\": \"^3\" }} }}, \"sha512-a\"],\n    \"zod\": [\"zod@{zod}\", \"\", {{}}, \"sha512-b\"],\n  }}\n}}\n"
            )
        };
        let got = moved("bun.lock", &lock("3.23.0"), &lock("3.24.1")).unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), vec!["@acme/forms"]);
        assert_eq!(got["@acme/forms"], "via zod 3.23.0 → 3.24.1");
    }

    #[test]
    fn moves_name_the_workspaces_that_declare_them_and_types_move_nothing_above() {
        let lock = |vite: &str, types: &str| {
            format!(
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    devDependencies:\n      turbo:\n        specifier: 2.0.0\n        version: 2.0.0\n  packages/mcp:\n    devDependencies:\n      vite:\n        specifier: ^8\n        version: {vite}\n  apps/web:\n    dependencies:\n      '@sentry/nextjs':\n        specifier: ^9\n        version: 9.0.0\npackages:\n  vite@{vite}:\n    resolution: {{integrity: a}}\nsnapshots:\n  turbo@2.0.0: {{}}\n  vite@{vite}: {{}}\n  '@types/node@{types}': {{}}\n  '@sentry/nextjs@9.0.0':\n    dependencies:\n      '@types/node': {types}\n"
            )
        };
        let got = changed_direct_dependencies(
            "pnpm-lock.yaml",
            &lock("8.0.3", "25.5.0"),
            &lock("8.0.2", "25.5.2"),
            &|name| name.starts_with("@types/"),
        )
        .unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), vec!["vite"], "{got:?}");
        assert_eq!(got["vite"].importers, BTreeSet::from(["packages/mcp".to_string()]));
        // Without the inert rule the types bump climbs to the package that uses them.
        let all = moved("pnpm-lock.yaml", &lock("8.0.3", "25.5.0"), &lock("8.0.3", "25.5.2")).unwrap();
        assert_eq!(all["@sentry/nextjs"], "via @types/node 25.5.0 → 25.5.2");
    }

    #[test]
    fn unknown_formats_give_none() {
        assert!(moved("bun.lockb", "\0binary", "\0binary2").is_none());
        assert!(moved("package-lock.json", "{not json", "{}").is_none());
    }
}
