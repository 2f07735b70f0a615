//! The analysis around the impact: subfolder projects, the working tree, events, git errors
//! and shallow clones, the module graph and its cache.

use std::path::Path;

use perceo_core::bus::EventType;
use perceo_core::impact::OnEmpty;
use perceo_core::{AnalyzeOptions, AppModel, ChangeSource};

use crate::support::*;

#[test]
fn a_project_in_a_subfolder_reports_project_relative_paths() {
    let (repo, dir) = shop("web");
    write(repo.path(), &[("other/thing.ts", "export const x = 1;\n")]);
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("app/about/page.tsx", "export default function P() { return 2 }\n")],
    );
    // Changes outside the project are listed too, climbing with `../`, never dropped.
    let paths: Vec<&str> = report.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["../other/thing.ts", "app/about/page.tsx"]);
    assert_eq!(affected(&report), vec!["about"]);
    assert_eq!(report.unmatched_changes, ["../other/thing.ts"]);
    assert!(report.unmatched_reasons[0].reason.contains("outside the app"));
}

#[test]
fn uncommitted_work_is_analysed_against_head() {
    let (_repo, dir) = shop("");
    write(
        &dir,
        &[
            ("src/lib/cart.ts", "export function total() { return 3 }\n"),
            ("src/lib/new.ts", "export {}\n"),
        ],
    );
    let report = open(&dir)
        .analyze(&AnalyzeOptions {
            source: ChangeSource::WorkingTree,
            on_empty: OnEmpty::None,
        })
        .unwrap();
    let paths: Vec<&str> = report.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["src/lib/cart.ts", "src/lib/new.ts"]);
    assert_eq!(affected(&report), vec!["cart", "checkout"]);
}

#[test]
fn the_report_is_published_as_observer_analysis_complete() {
    let (repo, dir) = shop("");
    write(
        &dir,
        &[("app/about/page.tsx", "export default function P() { return 3 }\n")],
    );
    git(repo.path(), &["commit", "-qam", "x"]);
    let perceo = open(&dir);
    let mut rx = perceo
        .subscribe(perceo_core::bus::EventFilter::default(), None)
        .unwrap();
    let report = perceo
        .analyze(&AnalyzeOptions {
            source: ChangeSource::Refs {
                base: "HEAD~1".into(),
                head: "HEAD".into(),
            },
            on_empty: OnEmpty::All,
        })
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(Ok(perceo_core::bus::Delivery::Event(event))) = rx.try_next() {
        if event.kind == EventType::ObserverAnalysisComplete {
            assert_eq!(event.data["changeId"], report.change_id);
        }
        kinds.push(event.kind.as_str().to_string());
    }
    assert_eq!(
        kinds,
        vec![
            "observer.change.detected",
            "observer.flows.affected",
            "observer.analysis.complete"
        ]
    );
}

#[test]
fn unknown_refs_and_unrelated_histories_are_clear_errors() {
    let (_repo, dir) = shop("");
    let err = open(&dir)
        .analyze(&AnalyzeOptions {
            source: ChangeSource::Refs {
                base: "no-such-branch".into(),
                head: "HEAD".into(),
            },
            on_empty: OnEmpty::All,
        })
        .unwrap_err();
    assert_eq!(err.code(), "git");
    assert!(err.to_string().contains("no-such-branch"));
}

#[test]
fn a_shallow_clone_without_the_merge_base_deepens_from_its_remote_or_says_how_to_fix_it() {
    let (origin, _dir) = shop("");
    for i in 0..3 {
        write(
            origin.path(),
            &[(
                "src/lib/cart.ts",
                &format!("export function total() {{ return {i} }}\n"),
            )],
        );
        git(origin.path(), &["commit", "-qam", "more"]);
    }
    git(origin.path(), &["checkout", "-qb", "feature"]);
    write(
        origin.path(),
        &[("app/about/page.tsx", "export default function P() { return 9 }\n")],
    );
    git(origin.path(), &["commit", "-qam", "feature"]);
    let base_sha = git(origin.path(), &["rev-parse", "main~2"]);
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow"],
    );
    let shallow = clones.path().join("shallow");
    git(&shallow, &["fetch", "-q", "--depth", "1", "origin", &base_sha]);
    let perceo = open(&shallow);
    let options = AnalyzeOptions {
        source: ChangeSource::Refs {
            base: base_sha.clone(),
            head: "HEAD".into(),
        },
        on_empty: OnEmpty::None,
    };
    let report = perceo.analyze(&options).unwrap();
    assert!(report.changes.iter().any(|c| c.path == "app/about/page.tsx"));
    assert!(report.changes.iter().any(|c| c.path == "src/lib/cart.ts"));

    // Without a remote there is nothing to deepen from: say how to fix it.
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", "--branch", "feature", &url, "lonely"],
    );
    let lonely = clones.path().join("lonely");
    git(&lonely, &["fetch", "-q", "--depth", "1", "origin", &base_sha]);
    git(&lonely, &["remote", "remove", "origin"]);
    let err = open(&lonely).analyze(&options).unwrap_err();
    assert!(err.to_string().contains("fetch-depth: 0"), "{err}");
}

#[test]
fn the_example_app_graph_has_every_kind_of_edge() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
    let dir = std::fs::canonicalize(dir).unwrap();
    let model = AppModel::build(&dir, None, &Default::default()).unwrap();
    let g = &model.graph;
    let edge = |from: &str, to: &str| {
        let f = g.id(from).unwrap_or_else(|| panic!("no file {from}"));
        let t = g.id(to).unwrap_or_else(|| panic!("no file {to}"));
        g.imports_of(f)
            .iter()
            .find(|e| e.file == t)
            .copied()
            .unwrap_or_else(|| panic!("no edge {from} -> {to}"))
    };
    // Nearest tsconfig: the package's own `@/*` alias.
    edge("packages/ui/src/Money.tsx", "packages/ui/src/Badge.tsx");
    // Workspace package without node_modules or dist: its source.
    edge("src/components/PriceTag.tsx", "packages/ui/src/index.ts");
    // Template literal import: every matching locale.
    edge("src/lib/i18n.ts", "src/locales/en.json");
    edge("src/lib/i18n.ts", "src/locales/fr.json");
    // CommonJS require, JSON and CSS module imports.
    edge("src/lib/api.ts", "src/lib/legacy/analytics.js");
    edge("src/components/Button.tsx", "src/components/Button.module.css");
    // next/dynamic import.
    assert_eq!(
        edge("app/(shop)/product/[id]/page.tsx", "src/components/ProductGallery.tsx").kind,
        perceo_core::code::imports::ImportKind::Dynamic
    );
    // Type-only re-export is flagged.
    assert!(edge("src/components/index.ts", "src/components/types.ts").type_only);
    // Every relative or aliased import resolves.
    let internal: Vec<_> = g
        .unresolved
        .iter()
        .filter(|u| u.specifier.starts_with('.') || u.specifier.starts_with('@'))
        .collect();
    assert!(internal.is_empty(), "{internal:?}");
    assert!(g.edge_count() >= 43, "{}", g.edge_count());
    assert!(g.parse_errors.is_empty(), "{:?}", g.parse_errors);
    // Navigation edges reach the right routes.
    let nav = model.navigation_edges();
    assert!(nav.contains(&("/".to_string(), "/cart".to_string())), "{nav:?}");
    assert!(nav.iter().any(|(_, to)| to == "/product/[id]"), "{nav:?}");
}

#[test]
fn the_graph_cache_reuses_unchanged_files_and_sees_every_change() {
    use perceo_core::code::{DependencyGraph, GraphOptions};
    let (_repo, dir) = shop("");
    let options = GraphOptions {
        ignore: Vec::new(),
        cache_dir: Some(dir.join(".perceo/cache")),
        ..Default::default()
    };
    let has_edge = |g: &DependencyGraph, from: &str, to: &str| {
        let (f, t) = (g.id(from).unwrap(), g.id(to).unwrap());
        g.imports_of(f).iter().any(|e| e.file == t)
    };
    let cold = DependencyGraph::build(&dir, &options).unwrap();
    assert_eq!(cold.stats.parses_cached, 0);
    assert!(cold.stats.parses_fresh > 10);
    let warm = DependencyGraph::build(&dir, &options).unwrap();
    assert_eq!(warm.stats.parses_fresh, 0);
    assert!(warm.stats.resolution_cached);
    assert_eq!(warm.edge_count(), cold.edge_count());

    // A content edit is parsed again, even when size and mtime are made to look unchanged.
    let about = dir.join("app/about/page.tsx");
    let before = std::fs::metadata(&about).unwrap();
    let text = "import { total } from '@/lib/cart';\nexport default function P() { return total() }\n";
    std::fs::write(&about, text).unwrap();
    let edited = DependencyGraph::build(&dir, &options).unwrap();
    assert_eq!(edited.stats.parses_fresh, 1);
    assert!(has_edge(&edited, "app/about/page.tsx", "src/lib/cart.ts"));
    let same_size = "import { Button } from '@/components/Button';\nexport default function P() { return Button() }\n";
    let padded = format!("{same_size:<width$}", width = text.len());
    std::fs::write(&about, &padded).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&about)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let sneaky = DependencyGraph::build(&dir, &options).unwrap();
    assert!(has_edge(&sneaky, "app/about/page.tsx", "src/components/Button.tsx"));

    // A new file can change what a specifier resolves to: resolutions are redone.
    write(
        &dir,
        &[("src/lib/cart/index.ts", "export function total() { return 9 }\n")],
    );
    std::fs::remove_file(dir.join("src/lib/cart.ts")).unwrap();
    let moved = DependencyGraph::build(&dir, &options).unwrap();
    assert!(!moved.stats.resolution_cached);
    assert!(has_edge(&moved, "app/(shop)/cart/page.tsx", "src/lib/cart/index.ts"));

    // A tsconfig change (aliases) invalidates resolutions too.
    write(
        &dir,
        &[(
            "tsconfig.json",
            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./other/*"] } } }"#,
        )],
    );
    let realiased = DependencyGraph::build(&dir, &options).unwrap();
    assert!(!realiased.stats.resolution_cached);
    assert!(!has_edge(
        &realiased,
        "app/(shop)/cart/page.tsx",
        "src/lib/cart/index.ts"
    ));

    // A corrupt cache is rebuilt, not an error (once the last build's cache write is done).
    drop(realiased);
    std::fs::write(dir.join(".perceo/cache/graph.bin"), b"\x00garbage").unwrap();
    let rebuilt = DependencyGraph::build(&dir, &options).unwrap();
    assert_eq!(rebuilt.stats.parses_cached, 0);

    // The cache is written beside the rest of the analysis; once the graph is dropped it is
    // on disk, whole.
    let parsed = rebuilt.stats.parses_fresh;
    drop(rebuilt);
    let cache = perceo_core::code::cache::GraphCache::load(&dir.join(".perceo/cache/graph.bin"));
    assert_eq!(cache.files.len(), parsed);
    assert!(cache.resolution.is_some());
}

#[test]
fn analysing_a_head_that_is_not_checked_out_says_so() {
    let (repo, dir) = shop("");
    git(repo.path(), &["checkout", "-qb", "feature"]);
    write(
        &dir,
        &[("app/about/page.tsx", "export default function P() { return 5 }\n")],
    );
    git(repo.path(), &["commit", "-qam", "feature"]);
    git(repo.path(), &["checkout", "-q", "main"]);
    let report = open(&dir)
        .analyze(&AnalyzeOptions {
            source: ChangeSource::Refs {
                base: "main".into(),
                head: "feature".into(),
            },
            on_empty: OnEmpty::None,
        })
        .unwrap();
    assert!(
        report.warnings.iter().any(|w| w.contains("not the checked-out commit")),
        "{:?}",
        report.warnings
    );
}
