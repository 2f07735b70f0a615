//! Personas, flows and steps: the flow files in `.perceo/flows/*.json` and
//! `.perceo/personas/*.json` (JSONC), and bootstrap of flows from discovered routes.

mod bootstrap;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::PERCEO_DIR;
pub use crate::config::Severity as Priority;
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::jsonc;
pub use bootstrap::{bootstrap_flows, flow_id_for};

/// One thing a user does, over one or two pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Stable id. Default: the file name without `.json`.
    #[serde(default)]
    #[schema(required = true)]
    pub id: String,
    /// Human name, e.g. "Add item to cart".
    pub name: String,
    /// The app its pages belong to, in a project with several apps (`project.apps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// What the user does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `critical`, `high`, `medium` (default) or `low`.
    #[serde(default)]
    #[schema(required = true)]
    pub priority: Priority,
    /// Persona ids.
    #[serde(default)]
    #[schema(required = true)]
    pub personas: Vec<String>,
    /// Route patterns as the framework writes them (`/product/[id]`).
    #[serde(default)]
    #[schema(required = true)]
    pub pages: Vec<String>,
    /// Extra source globs that belong to the flow (project-relative).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The steps.
    #[serde(default)]
    #[schema(required = true)]
    pub steps: Vec<Step>,
    /// How to test the flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<FlowTests>,
    /// Ids of related flows (navigation between their pages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Step name.
    pub name: String,
    /// The page the step happens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The analytics event that marks the step in production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// What the user does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The expected state after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

/// How a flow is tested.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowTests {
    /// Spec files (project-relative).
    #[serde(default)]
    #[schema(required = true)]
    pub specs: Vec<String>,
    /// A grep tag for the test runner (`@cart`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grep: Option<String>,
    /// Tests of the project's own suites that visit the flow's pages, found by `perceo flows
    /// link-tests` (and `perceo init`), which rewrites this list each time; `specs` and
    /// `grep` are a person's and never touched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<LinkedTest>,
}

/// A test found in the project's suites that covers a flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkedTest {
    /// Its spec file (project-relative).
    pub spec: String,
    /// 1-based line of its `test(...)` call (Playwright runs it as `spec:line`).
    pub line: u32,
    /// Its title, `describe` titles first, joined with ` › `.
    pub title: String,
    /// The runner config of its suite (project-relative): tests run from that folder.
    pub config: String,
}

impl Flow {
    /// Whether the flow has any way to be tested.
    pub fn has_tests(&self) -> bool {
        self.tests
            .as_ref()
            .is_some_and(|t| !t.specs.is_empty() || t.grep.is_some() || !t.linked.is_empty())
    }
}

/// A kind of user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Persona {
    /// Stable id. Default: the file name.
    #[serde(default)]
    #[schema(required = true)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Who they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What they typically do.
    #[serde(default)]
    #[schema(required = true)]
    pub behaviors: Vec<String>,
}

/// The flows and personas of a project.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct FlowSet {
    /// Flows sorted by id.
    pub flows: Vec<Flow>,
    /// Personas sorted by id.
    pub personas: Vec<Persona>,
    /// Unknown keys and other non-fatal notes, each naming its file.
    pub warnings: Vec<String>,
    /// The file each flow was read from, by flow id.
    #[serde(skip)]
    pub sources: BTreeMap<String, PathBuf>,
}

impl FlowSet {
    /// The flow with `id`.
    pub fn get(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }
}

/// The flows directory of a project.
pub fn flows_dir(project_dir: &Path) -> PathBuf {
    project_dir.join(PERCEO_DIR).join("flows")
}

/// The personas directory of a project.
pub fn personas_dir(project_dir: &Path) -> PathBuf {
    project_dir.join(PERCEO_DIR).join("personas")
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "jsonc"))
        .collect();
    files.sort();
    Ok(files)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Loads `.perceo/flows/*.json` and `.perceo/personas/*.json`. Errors name the file and line;
/// duplicate ids are an error naming both files.
pub fn load_flows(project_dir: &Path) -> Result<FlowSet> {
    let mut set = FlowSet::default();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in json_files(&flows_dir(project_dir))? {
        let typed = jsonc::read_file::<Flow>(&path)?;
        let mut flow = typed.value;
        if flow.id.is_empty() {
            flow.id = stem(&path);
        }
        check_flow(&flow).map_err(|message| Error::Flow {
            path: path.clone(),
            message,
        })?;
        set.warnings.extend(
            typed
                .unknown_keys
                .iter()
                .map(|k| format!("{}: unknown key `{k}` is ignored", path.display())),
        );
        if let Some(other) = seen.insert(flow.id.clone(), path.clone()) {
            return Err(Error::Flow {
                path,
                message: format!("duplicate flow id `{}` (also in {})", flow.id, other.display()),
            });
        }
        set.sources.insert(flow.id.clone(), path.clone());
        set.flows.push(flow);
    }
    let mut seen_personas: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in json_files(&personas_dir(project_dir))? {
        let typed = jsonc::read_file::<Persona>(&path)?;
        let mut persona = typed.value;
        if persona.id.is_empty() {
            persona.id = stem(&path);
        }
        if let Some(other) = seen_personas.insert(persona.id.clone(), path.clone()) {
            return Err(Error::Flow {
                path,
                message: format!("duplicate persona id `{}` (also in {})", persona.id, other.display()),
            });
        }
        set.personas.push(persona);
    }
    set.flows.sort_by(|a, b| a.id.cmp(&b.id));
    set.personas.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(set)
}

/// The checks every flow passes, read or written (`flows create`/`edit` write, then read
/// back through this): a usable id, no control characters in what is printed, page
/// patterns that are paths, file globs that compile. The message names the key.
fn check_flow(flow: &Flow) -> std::result::Result<(), String> {
    if !is_valid_flow_id(&flow.id) {
        return Err(format!(
            "`id` {:?} must use lower-case letters, digits, `-` and `_` only (at most 100)",
            flow.id.chars().take(100).collect::<String>()
        ));
    }
    let controls = |key: String, text: &str, allow_newlines: bool| {
        let bad = text
            .chars()
            .find(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\t' | '\r')));
        match bad {
            Some(c) => Err(format!("`{key}` holds the control character U+{:04X}", c as u32)),
            None => Ok(()),
        }
    };
    controls("name".into(), &flow.name, false)?;
    controls("description".into(), flow.description.as_deref().unwrap_or(""), true)?;
    for (i, page) in flow.pages.iter().enumerate() {
        controls(format!("pages[{i}]"), page, false)?;
        if !page.starts_with('/') {
            return Err(format!(
                "`pages[{i}]` {page:?} must be a route pattern starting with `/`"
            ));
        }
    }
    for (i, glob) in flow.files.iter().enumerate() {
        controls(format!("files[{i}]"), glob, false)?;
        if let Err(e) = globset::Glob::new(glob) {
            return Err(format!("`files[{i}]` {glob:?} is not a valid glob: {}", e.kind()));
        }
    }
    for (key, list) in [("personas", &flow.personas), ("related", &flow.related)] {
        for (i, item) in list.iter().enumerate() {
            controls(format!("{key}[{i}]"), item, false)?;
        }
    }
    for (i, step) in flow.steps.iter().enumerate() {
        controls(format!("steps[{i}].name"), &step.name, false)?;
    }
    Ok(())
}

/// Whether a flow id is usable as a file name: lower-case letters, digits, `-` and `_`.
pub fn is_valid_flow_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Creates `.perceo/flows/<id>.json` for a new flow; refuses an existing id or file. The
/// whole flow set is validated after the write and the write is undone when it fails.
pub fn create_flow_file(project_dir: &Path, flow: &Flow) -> Result<PathBuf> {
    if !is_valid_flow_id(&flow.id) {
        return Err(Error::Argument(format!(
            "flow id `{}` must use lower-case letters, digits, `-` and `_` only",
            flow.id
        )));
    }
    let existing = load_flows(project_dir)?;
    if let Some(path) = existing.sources.get(&flow.id) {
        return Err(Error::Argument(format!(
            "a flow `{}` already exists in {}; use `perceo flows edit`",
            flow.id,
            path.display()
        )));
    }
    let path = flows_dir(project_dir).join(format!("{}.json", flow.id));
    let text = serde_json::to_string_pretty(flow).map_err(|e| Error::encode("a flow", e))? + "\n";
    replace_validated(project_dir, &path, None, &text)?;
    Ok(path)
}

/// Applies `changes` (dotted key → JSON value, e.g. `tests.specs`) to the file of flow `id`,
/// keeping its comments; validated like [`create_flow_file`].
pub fn edit_flow_file(project_dir: &Path, id: &str, changes: &[(String, serde_json::Value)]) -> Result<PathBuf> {
    let set = load_flows(project_dir)?;
    let path = set
        .sources
        .get(id)
        .cloned()
        .ok_or_else(|| Error::Argument(format!("no flow with id `{id}` (see `perceo flows list`)")))?;
    let old = jsonc::read_text(&path)?;
    let mut text = old.clone();
    for (key, value) in changes {
        if key == "id" {
            return Err(Error::Argument(
                "a flow's id cannot be edited; create a new flow and delete this one".into(),
            ));
        }
        text = crate::config::set_key_in_text(&text, key, value.clone())?;
    }
    replace_validated(project_dir, &path, Some(&old), &text)?;
    Ok(path)
}

/// Deletes the file of flow `id`; returns the path removed.
pub fn delete_flow_file(project_dir: &Path, id: &str) -> Result<PathBuf> {
    let set = load_flows(project_dir)?;
    let path = set
        .sources
        .get(id)
        .cloned()
        .ok_or_else(|| Error::Argument(format!("no flow with id `{id}` (see `perceo flows list`)")))?;
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Writes `text` to `path`, then loads every flow; on failure restores `old` (or removes
/// the new file) and returns the validation error.
fn replace_validated(project_dir: &Path, path: &Path, old: Option<&str>, text: &str) -> Result<()> {
    write_atomic(path, text.as_bytes())?;
    if let Err(e) = load_flows(project_dir) {
        match old {
            Some(old) => write_atomic(path, old.as_bytes())?,
            None => std::fs::remove_file(path).map_err(|e| Error::io(path, e))?,
        }
        return Err(e);
    }
    Ok(())
}

/// Writes flows and personas as one pretty JSON file each (atomically); existing files with
/// the same id are left alone. Returns how many of each were written.
pub fn write_flow_files(project_dir: &Path, flows: &[Flow], personas: &[Persona]) -> Result<(usize, usize)> {
    fn write_all<T: Serialize>(dir: &Path, items: &[(String, &T)]) -> Result<usize> {
        let mut written = 0;
        for (id, item) in items {
            let path = dir.join(format!("{id}.json"));
            if path.exists() {
                continue;
            }
            let text = serde_json::to_string_pretty(item).map_err(|e| Error::encode("a flow file", e))? + "\n";
            write_atomic(&path, text.as_bytes())?;
            written += 1;
        }
        Ok(written)
    }
    let f: Vec<(String, &Flow)> = flows.iter().map(|f| (f.id.clone(), f)).collect();
    let p: Vec<(String, &Persona)> = personas.iter().map(|p| (p.id.clone(), p)).collect();
    Ok((
        write_all(&flows_dir(project_dir), &f)?,
        write_all(&personas_dir(project_dir), &p)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testutil::project;

    #[test]
    fn design_md_flow_file_loads_with_id_from_file_name() {
        let text = r#"{
          "name": "Add item to cart",
          "priority": "high",                  // critical | high | medium | low
          "personas": ["shopper"],
          "pages": ["/product/[id]", "/cart"],
          "files": ["src/lib/cart/**"],
          "steps": [
            { "name": "Open product", "page": "/product/[id]", "event": "view_item" },
            { "name": "See cart", "page": "/cart" },
          ],
          "tests": { "specs": ["e2e/cart.spec.ts"], "grep": "@cart" }
        }"#;
        let d = project(&[(".perceo/flows/add-to-cart.json", text)]);
        let set = load_flows(d.path()).unwrap();
        assert_eq!(set.flows[0].id, "add-to-cart");
        assert_eq!(set.flows[0].priority, Priority::High);
        assert!(set.flows[0].has_tests());
    }

    #[test]
    fn duplicate_ids_and_bad_values_are_errors_naming_the_file() {
        let d = project(&[
            (".perceo/flows/a.json", r#"{"id": "x", "name": "A"}"#),
            (".perceo/flows/b.json", r#"{"id": "x", "name": "B"}"#),
        ]);
        let err = load_flows(d.path()).unwrap_err();
        assert!(
            err.to_string().contains("duplicate flow id `x`") && err.to_string().contains("a.json"),
            "{err}"
        );
        let d = project(&[(".perceo/flows/a.json", "{\n\"name\": \"A\",\n\"priority\": \"urgent\"}")]);
        let err = load_flows(d.path()).unwrap_err().to_string();
        assert!(err.contains("a.json:3:") && err.contains("priority"), "{err}");
    }

    #[test]
    fn no_flows_directory_is_an_empty_set() {
        let d = project(&[]);
        assert!(load_flows(d.path()).unwrap().flows.is_empty());
    }
}
