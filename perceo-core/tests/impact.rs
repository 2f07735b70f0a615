//! The main job on fixture repositories: change sets, the dependency graph, routes and the
//! affected flows with their reasons. Each test builds a real git repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use perceo_core::bus::EventType;
use perceo_core::git::ChangeStatus;
use perceo_core::impact::{ImpactReport, OnEmpty, ReasonKind};
use perceo_core::{AnalyzeOptions, AppModel, ChangeSource, Env, OpenOptions, Perceo};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn flow_file(id: &str, priority: &str, pages: &[&str], specs: &[&str]) -> String {
    serde_json::json!({"id": id, "name": id, "priority": priority, "pages": pages, "tests": {"specs": specs}})
        .to_string()
}

/// A small Next.js app router shop in a git repo (at `sub` inside the repo), one commit.
fn shop(sub: &str) -> (tempfile::TempDir, PathBuf) {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join(sub);
    let home = flow_file("home", "medium", &["/"], &["e2e/home.spec.ts"]);
    let cart = flow_file("cart", "high", &["/cart"], &["e2e/cart.spec.ts"]);
    let checkout = flow_file("checkout", "critical", &["/checkout"], &[]);
    let about = flow_file("about", "low", &["/about"], &[]);
    write(
        &dir,
        &[
            (".perceo/config.json", r#"{"project": {"framework": "nextjs"}}"#),
            (".perceo/flows/home.json", &home),
            (".perceo/flows/cart.json", &cart),
            (".perceo/flows/checkout.json", &checkout),
            (".perceo/flows/about.json", &about),
            ("package.json", r#"{"name": "shop", "dependencies": {"next": "15"}}"#),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } }, }"#,
            ),
            (
                "app/layout.tsx",
                "import './globals.css';\nexport default function L({children}) { return children }\n",
            ),
            ("app/globals.css", "body{}\n"),
            (
                "app/page.tsx",
                "import { Button } from '@/components';\nexport default function P() { return <Button/> }\n",
            ),
            (
                "app/(shop)/layout.tsx",
                "import { CartBadge } from '@/components/CartBadge';\nexport default function L({children}) { return <><CartBadge/>{children}</> }\n",
            ),
            (
                "app/(shop)/cart/page.tsx",
                "import { total } from '@/lib/cart';\nimport type { Item } from '@/lib/types';\nexport default function P() { return total() }\n",
            ),
            (
                "app/(shop)/checkout/page.tsx",
                "import { total } from '@/lib/cart';\nimport { Button } from '@/components/Button';\nexport default function P() { return total() }\n",
            ),
            ("app/about/page.tsx", "export default function P() { return 'about' }\n"),
            ("src/components/index.ts", "export { Button } from './Button';\n"),
            (
                "src/components/Button.tsx",
                "export function Button() { return null }\n",
            ),
            (
                "src/components/CartBadge.tsx",
                "export function CartBadge() { return null }\n",
            ),
            ("src/lib/cart.ts", "export function total() { return 1 }\n"),
            ("src/lib/types.ts", "export type Item = { id: string };\n"),
            ("src/lib/unused.ts", "export const unused = 1;\n"),
            ("e2e/home.spec.ts", "test('home', () => {});\n"),
            ("e2e/cart.spec.ts", "test('cart', () => {});\n"),
            ("README.md", "# shop\n"),
        ],
    );
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "base"]);
    (repo, dir)
}

fn open(dir: &Path) -> Perceo {
    Perceo::open(
        dir,
        OpenOptions {
            env: Env::default(),
            ..Default::default()
        },
    )
    .unwrap()
}

fn analyze_last_commit(dir: &Path, on_empty: OnEmpty) -> ImpactReport {
    open(dir)
        .analyze(&AnalyzeOptions {
            source: ChangeSource::Refs {
                base: "HEAD~1".into(),
                head: "HEAD".into(),
            },
            on_empty,
        })
        .unwrap()
}

fn change_and_commit(repo: &Path, dir: &Path, files: &[(&str, &str)]) -> ImpactReport {
    write(dir, files);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "change"]);
    analyze_last_commit(dir, OnEmpty::All)
}

fn affected(report: &ImpactReport) -> Vec<&str> {
    let mut ids: Vec<&str> = report.flows.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    ids
}

fn flow<'r>(report: &'r ImpactReport, id: &str) -> &'r perceo_core::impact::AffectedFlow {
    report
        .flows
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("{id} not affected: {:?}", affected(report)))
}

#[test]
fn a_changed_page_affects_its_flow_with_full_confidence() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[(
            "app/about/page.tsx",
            "export default function P() { return 'About us' }\n",
        )],
    );
    assert_eq!(affected(&report), vec!["about"]);
    let about = flow(&report, "about");
    assert_eq!(about.confidence, 1.0);
    assert_eq!(about.reasons[0].chain, vec!["app/about/page.tsx"]);
    assert!(about.risk_score > 0.0 && about.risk_score <= 1.0);
    assert_eq!(report.changes[0].status, ChangeStatus::Modified);
    assert_eq!(report.totals.flows, 4);
}

#[test]
fn a_shared_module_affects_every_page_that_imports_it_with_the_chain() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("src/lib/cart.ts", "export function total() { return 2 }\n")],
    );
    assert_eq!(affected(&report), vec!["cart", "checkout"]);
    let cart = flow(&report, "cart");
    assert_eq!(
        cart.reasons[0].chain,
        vec!["src/lib/cart.ts", "app/(shop)/cart/page.tsx"]
    );
    assert!(cart.confidence < 1.0, "fan-in and distance lower the confidence");
    // Higher priority ranks first at equal confidence.
    assert_eq!(report.flows[0].id, "checkout");
}

#[test]
fn barrels_are_followed_and_confidence_falls_with_distance() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("src/components/Button.tsx", "export function Button() { return 1 }\n")],
    );
    assert_eq!(affected(&report), vec!["checkout", "home"]);
    let home = flow(&report, "home");
    assert_eq!(
        home.reasons[0].chain,
        vec!["src/components/Button.tsx", "src/components/index.ts", "app/page.tsx"]
    );
    assert!(home.confidence < flow(&report, "checkout").confidence);
}

#[test]
fn a_layout_affects_only_the_pages_beneath_it() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[(
            "src/components/CartBadge.tsx",
            "export function CartBadge() { return 2 }\n",
        )],
    );
    assert_eq!(affected(&report), vec!["cart", "checkout"]);
    assert_eq!(flow(&report, "cart").reasons[0].kind, ReasonKind::Layout);
}

#[test]
fn type_only_imports_count_for_less() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("src/lib/types.ts", "export type Item = { id: number };\n")],
    );
    assert_eq!(affected(&report), vec!["cart"]);
    assert!(flow(&report, "cart").confidence < 0.5);
}

#[test]
fn global_inputs_affect_every_flow_with_that_reason() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("package.json", r#"{"name": "shop", "dependencies": {"next": "16"}}"#)],
    );
    assert_eq!(affected(&report), vec!["about", "cart", "checkout", "home"]);
    assert!(report.flows.iter().all(|f| f.reasons[0].kind == ReasonKind::Global));
    assert!(
        report.flows[0].reasons[0].detail.contains("next 15 → 16"),
        "{:?}",
        report.flows[0].reasons[0]
    );
    assert_eq!(report.flows[0].reasons[0].changed_file, "package.json");
}

#[test]
fn docs_only_changes_affect_nothing_quietly() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("README.md", "# the shop\n"), ("docs/guide.md", "x\n")],
    );
    assert!(report.flows.is_empty());
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.on_empty_applied, None);
}

#[test]
fn code_that_reaches_no_flow_is_said_loudly_and_fails_safe() {
    let (repo, dir) = shop("");
    write(&dir, &[("src/lib/unused.ts", "export const unused = 2;\n")]);
    git(repo.path(), &["commit", "-qam", "unused"]);
    let all = analyze_last_commit(&dir, OnEmpty::All);
    assert_eq!(all.flows.len(), 4);
    assert!(
        all.warnings.iter().any(|w| w.contains("no flow is affected")),
        "{:?}",
        all.warnings
    );
    assert_eq!(all.unmatched_changes, vec!["src/lib/unused.ts"]);
    let none = analyze_last_commit(&dir, OnEmpty::None);
    assert!(none.flows.is_empty());
    assert!(none.warnings.iter().any(|w| w.contains("no flow is affected")));
    let smoke = analyze_last_commit(&dir, OnEmpty::Smoke);
    assert_eq!(affected(&smoke), vec!["cart", "checkout"]);
}

#[test]
fn a_flows_own_test_spec_affects_it() {
    let (repo, dir) = shop("");
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("e2e/cart.spec.ts", "test('cart 2', () => {});\n")],
    );
    assert_eq!(affected(&report), vec!["cart"]);
    assert_eq!(flow(&report, "cart").reasons[0].kind, ReasonKind::Test);
}

#[test]
fn renames_carry_the_old_path() {
    let (repo, dir) = shop("");
    git(repo.path(), &["mv", "src/lib/cart.ts", "src/lib/basket.ts"]);
    write(
        &dir,
        &[
            (
                "app/(shop)/cart/page.tsx",
                "import { total } from '@/lib/basket';\nimport type { Item } from '@/lib/types';\nexport default function P() { return total() }\n",
            ),
            (
                "app/(shop)/checkout/page.tsx",
                "import { total } from '@/lib/basket';\nimport { Button } from '@/components/Button';\nexport default function P() { return total() }\n",
            ),
        ],
    );
    git(repo.path(), &["commit", "-qam", "rename"]);
    let report = analyze_last_commit(&dir, OnEmpty::All);
    let renamed = report.changes.iter().find(|c| c.path == "src/lib/basket.ts").unwrap();
    assert_eq!(renamed.status, ChangeStatus::Renamed);
    assert_eq!(renamed.old_path.as_deref(), Some("src/lib/cart.ts"));
    assert_eq!(affected(&report), vec!["cart", "checkout"]);
}

#[test]
fn a_deleted_module_affects_the_pages_whose_imports_break() {
    let (repo, dir) = shop("");
    git(repo.path(), &["rm", "-q", "src/components/CartBadge.tsx"]);
    git(repo.path(), &["commit", "-qm", "delete"]);
    let report = analyze_last_commit(&dir, OnEmpty::None);
    assert_eq!(report.changes[0].status, ChangeStatus::Deleted);
    assert_eq!(affected(&report), vec!["cart", "checkout"]);
}

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

fn package_lock(zod: &str, typescript: &str, integrity: &str) -> String {
    serde_json::json!({"name": "shop", "lockfileVersion": 3, "packages": {
        "": {"dependencies": {"next": "15", "zod": "^3"}, "devDependencies": {"typescript": "^5"}},
        "node_modules/next": {"version": "15.0.0"},
        "node_modules/zod": {"version": zod, "integrity": integrity},
        "node_modules/typescript": {"version": typescript},
    }})
    .to_string()
}

#[test]
fn a_lockfile_change_affects_only_the_flows_that_import_what_moved() {
    let (repo, dir) = shop("");
    write(
        &dir,
        &[
            (
                "src/lib/validate.ts",
                "import { z } from 'zod';\nexport const schema = z.string();\n",
            ),
            (
                "app/(shop)/checkout/page.tsx",
                "import { total } from '@/lib/cart';\nimport { schema } from '@/lib/validate';\nexport default function P() { return total() }\n",
            ),
            ("package-lock.json", &package_lock("3.23.0", "5.6.0", "a")),
        ],
    );
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "zod"]);

    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("package-lock.json", &package_lock("3.24.1", "5.6.0", "a"))],
    );
    assert_eq!(affected(&report), vec!["checkout"]);
    let reason = &flow(&report, "checkout").reasons[0];
    assert_eq!(
        reason.kind,
        ReasonKind::Dependency,
        "{:#?}",
        flow(&report, "checkout").reasons
    );
    assert!(reason.detail.contains("zod 3.23.0 → 3.24.1"), "{}", reason.detail);
    assert_eq!(
        reason.chain,
        vec![
            "package-lock.json",
            "src/lib/validate.ts",
            "app/(shop)/checkout/page.tsx"
        ]
    );

    // A tool nobody imports may still change every page: every flow, said so.
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("package-lock.json", &package_lock("3.24.1", "5.7.0", "a"))],
    );
    assert_eq!(report.flows.len(), 4);
    assert!(
        report.flows[0].reasons[0].detail.contains("typescript"),
        "{}",
        report.flows[0].reasons[0].detail
    );

    // No resolved version moved: nothing is affected, and nothing is said to be wrong.
    let report = change_and_commit(
        repo.path(),
        &dir,
        &[("package-lock.json", &package_lock("3.24.1", "5.7.0", "b"))],
    );
    assert!(report.flows.is_empty());
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}
