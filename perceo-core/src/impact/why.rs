//! `perceo why FILE...`: for each file, the pages and flows a change to it reaches, with the
//! chains, or in plain words why it reaches none. The flows come from the same analysis as
//! `ci analyze` (a change set of that one file), so the two never disagree.

use serde::Serialize;

use super::{ImpactInput, OnEmpty, Reason, analyze, search};
use crate::git::{ChangeSet, ChangeStatus, FileChange};
use crate::routes::RouteKind;

/// How a page is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PageVia {
    /// The file is the page file.
    #[serde(rename = "self")]
    SelfFile,
    /// The page file imports it (transitively).
    ImportChain,
    /// A layout, template or other file that wraps the page imports it (or is it).
    Layout,
}

/// A page a file reaches.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageHit {
    /// The route pattern (`/product/[id]`).
    pub pattern: String,
    /// The page file (project-relative).
    pub file: String,
    /// The page file, repository-relative (`None` outside a git checkout).
    pub repo_file: Option<String>,
    /// How it is reached.
    pub via: PageVia,
    /// The import chain from the file to the page (or to the layout, then the page).
    pub chain: Vec<String>,
}

/// A flow a file reaches.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhyFlow {
    /// Flow id.
    pub id: String,
    /// Confidence of the strongest reason (0..1).
    pub confidence: f64,
    /// Every reason, strongest first.
    pub reasons: Vec<Reason>,
}

/// What one file reaches.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhyFile {
    /// The file (project-relative; `../` for files outside the project).
    pub file: String,
    /// The file, repository-relative (`None` outside a git checkout).
    pub repo_path: Option<String>,
    /// Whether the dependency graph holds the file.
    pub in_graph: bool,
    /// The pages it reaches, by pattern.
    pub pages: Vec<PageHit>,
    /// The flows a change to it affects.
    pub flows: Vec<WhyFlow>,
    /// When it affects no flow: why, in plain words.
    pub why: Option<String>,
}

/// The answer of `perceo why`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhyReport {
    /// One entry per file asked about, in the order asked.
    pub files: Vec<WhyFile>,
}

/// Explains each of `files` (project-relative, graph notation) over the analysis input
/// `base` (whose change set is replaced by each file in turn). `repo_prefix` is the
/// project's folder in the repository, when it is a git checkout.
pub fn explain(base: &ImpactInput<'_>, files: &[String], repo_prefix: Option<&str>) -> WhyReport {
    let graph = base.graph;
    let repo = |p: &str| repo_prefix.map(|prefix| crate::git::repo_path(prefix, p));
    let out = files
        .iter()
        .map(|file| {
            let id = graph.id(file);
            let mut pages = Vec::new();
            if let Some(id) = id {
                let reach = search::reverse_reach(graph, id);
                for route in base.routes.iter().filter(|r| r.kind == RouteKind::Page) {
                    let Some(page) = graph.id(&route.file) else { continue };
                    let hit = if reach.contains_key(&page) {
                        let via = if page == id {
                            PageVia::SelfFile
                        } else {
                            PageVia::ImportChain
                        };
                        Some((via, search::chain(graph, &reach, page)))
                    } else {
                        route
                            .attached
                            .iter()
                            .filter_map(|a| graph.id(a))
                            .find(|a| reach.contains_key(a))
                            .map(|a| {
                                let mut chain = search::chain(graph, &reach, a);
                                chain.push(route.file.clone());
                                (PageVia::Layout, chain)
                            })
                    };
                    if let Some((via, chain)) = hit {
                        pages.push(PageHit {
                            pattern: route.pattern.clone(),
                            file: route.file.clone(),
                            repo_file: repo(&route.file),
                            via,
                            chain,
                        });
                    }
                }
            }
            let changes = ChangeSet {
                base_sha: String::new(),
                head_sha: String::new(),
                merge_base: String::new(),
                changes: vec![FileChange {
                    path: file.clone(),
                    status: ChangeStatus::Modified,
                    old_path: None,
                    additions: 1,
                    deletions: 0,
                }],
                warnings: Vec::new(),
            };
            let report = analyze(&ImpactInput {
                changes: &changes,
                on_empty: OnEmpty::None,
                ..*base
            });
            let flows: Vec<WhyFlow> = report
                .flows
                .into_iter()
                .map(|f| WhyFlow {
                    id: f.id,
                    confidence: f.confidence,
                    reasons: f.reasons,
                })
                .collect();
            let why = flows.is_empty().then(|| {
                report
                    .no_impact
                    .iter()
                    .chain(&report.unmatched_reasons)
                    .find(|n| &n.path == file)
                    .map(|n| n.reason.clone())
                    .unwrap_or_else(|| {
                        if pages.is_empty() {
                            "it reaches no page".into()
                        } else {
                            "it reaches pages that no flow names (add them to a flow's pages)".into()
                        }
                    })
            });
            WhyFile {
                file: file.clone(),
                repo_path: repo(file),
                in_graph: id.is_some(),
                pages,
                flows,
                why,
            }
        })
        .collect();
    WhyReport { files: out }
}
