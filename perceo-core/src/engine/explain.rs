//! Explaining the analysis to its users: `why` a file reaches the flows it does, and the
//! module graph itself, for auditing Perceo against other tools.

use std::path::{Component, Path};

use super::Perceo;
use crate::code::deps::{ModuleGraphExport, export};
use crate::error::{Error, Result};
use crate::git::ChangeSet;
use crate::impact::why::{WhyReport, explain};
use crate::impact::{DependencyRules, OnEmpty};

impl Perceo {
    /// For each file (absolute, or relative to the project; files outside the project are
    /// welcome), the pages and flows a change to it reaches, with every chain, or why none.
    pub fn why(&self, files: &[String]) -> Result<WhyReport> {
        if files.is_empty() {
            return Err(Error::Argument("name at least one file".into()));
        }
        let model = self.model()?;
        let flows = self.flows()?;
        let files: Vec<String> = files.iter().map(|f| self.graph_path(f)).collect::<Result<_>>()?;
        let no_changes = ChangeSet {
            base_sha: String::new(),
            head_sha: String::new(),
            merge_base: String::new(),
            changes: Vec::new(),
            warnings: Vec::new(),
        };
        let deps = DependencyRules::from_settings(&self.config.settings.observer.analysis.dependencies);
        let input = model.impact_input(&no_changes, &flows, OnEmpty::None, &[], &deps);
        let prefix = crate::git::project_prefix(&self.config.project_dir).ok();
        Ok(explain(&input, &files, prefix.as_deref()))
    }

    /// The module graph: every file and resolved import edge with its kind; with `from`,
    /// only what that file imports (transitively); with `to`, only what imports that file.
    pub fn module_graph(&self, from: Option<&str>, to: Option<&str>) -> Result<ModuleGraphExport> {
        let model = self.model()?;
        let id = |role: &str, f: &str| -> Result<usize> {
            let path = self.graph_path(f)?;
            model.graph.id(&path).ok_or_else(|| {
                Error::Argument(format!(
                    "{role} {f}: `{path}` is not in the dependency graph (not a file of the project or of a workspace package it can import)"
                ))
            })
        };
        let from = from.map(|f| id("from", f)).transpose()?;
        let to = to.map(|f| id("to", f)).transpose()?;
        Ok(export(&model.graph, from, to))
    }

    /// A file named by a user (absolute, or relative to the project) in the graph's notation:
    /// project-relative, `/`-separated, `../` for files outside the project.
    fn graph_path(&self, file: &str) -> Result<String> {
        let project =
            std::fs::canonicalize(&self.config.project_dir).map_err(|e| Error::io(&self.config.project_dir, e))?;
        let path = Path::new(file);
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            project.join(path)
        };
        let absolute = std::fs::canonicalize(&absolute).unwrap_or_else(|_| lexical(&absolute));
        crate::code::discover::relative_path(&project, &absolute)
            .ok_or_else(|| Error::Argument(format!("{file}: cannot be named relative to the project")))
    }
}

/// `path` with `.` and `..` resolved without touching the disk (for files that are gone).
fn lexical(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
