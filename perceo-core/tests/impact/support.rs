//! Fixture repositories and helpers the impact tests share.

use std::path::{Path, PathBuf};
use std::process::Command;

use perceo_core::impact::{ImpactReport, OnEmpty};
use perceo_core::{AnalyzeOptions, ChangeSource, Env, OpenOptions, Perceo};

pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
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

pub(crate) fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

pub(crate) fn flow_file(id: &str, priority: &str, pages: &[&str], specs: &[&str]) -> String {
    serde_json::json!({"id": id, "name": id, "priority": priority, "pages": pages, "tests": {"specs": specs}})
        .to_string()
}

/// A small Next.js app router shop in a git repo (at `sub` inside the repo), one commit.
pub(crate) fn shop(sub: &str) -> (tempfile::TempDir, PathBuf) {
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

pub(crate) fn open(dir: &Path) -> Perceo {
    Perceo::open(
        dir,
        OpenOptions {
            env: Env::default(),
            ..Default::default()
        },
    )
    .unwrap()
}

pub(crate) fn analyze_last_commit(dir: &Path, on_empty: OnEmpty) -> ImpactReport {
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

pub(crate) fn change_and_commit(repo: &Path, dir: &Path, files: &[(&str, &str)]) -> ImpactReport {
    write(dir, files);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "change"]);
    analyze_last_commit(dir, OnEmpty::All)
}

pub(crate) fn affected(report: &ImpactReport) -> Vec<&str> {
    let mut ids: Vec<&str> = report.flows.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    ids
}

pub(crate) fn flow<'r>(report: &'r ImpactReport, id: &str) -> &'r perceo_core::impact::AffectedFlow {
    report
        .flows
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("{id} not affected: {:?}", affected(report)))
}

pub(crate) fn package_lock(zod: &str, typescript: &str, integrity: &str) -> String {
    serde_json::json!({"name": "shop", "lockfileVersion": 3, "packages": {
        "": {"dependencies": {"next": "15", "zod": "^3"}, "devDependencies": {"typescript": "^5"}},
        "node_modules/next": {"version": "15.0.0"},
        "node_modules/zod": {"version": zod, "integrity": integrity},
        "node_modules/typescript": {"version": typescript},
    }})
    .to_string()
}
