//! Module resolution cases on a pnpm monorepo whose Perceo project is one app: tsconfig
//! `extends` from a workspace package, nearest tsconfig per package, package.json
//! `exports` subpaths into an unbuilt `dist/`, `.js` specifiers naming `.ts` files, index
//! files, and packages outside the project directory.

use std::path::Path;

use perceo_core::code::{DependencyGraph, GraphOptions};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn monorepo() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        &[
            ("package.json", r#"{"name": "acme", "private": true}"#),
            ("pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n  - \"packages/*\"\n"),
            // Shared tsconfig published as a workspace package; the app extends it by name.
            (
                "packages/tsconfig/package.json",
                r#"{"name": "@acme/tsconfig", "files": ["base.json"]}"#,
            ),
            (
                "packages/tsconfig/base.json",
                "{\n  // shared options\n  \"compilerOptions\": { \"strict\": true, },\n}\n",
            ),
            (
                "apps/web/package.json",
                r#"{"name": "web", "dependencies": {"next": "15", "@acme/ui": "workspace:*"}}"#,
            ),
            (
                "apps/web/tsconfig.json",
                r#"{ "extends": "@acme/tsconfig/base.json", "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], "~lib/*": ["./src/lib/*"] } } }"#,
            ),
            (
                "apps/web/app/page.tsx",
                "import { Button } from '@acme/ui';\nimport { Icon } from '@acme/ui/icons';\nimport { helper } from '@/util/helper.js';\nimport { fmt } from '~lib/fmt';\nimport dir from './dir';\nimport { cn } from '@acme/kit/lib/utils';\nexport default function P() { return null }\n",
            ),
            ("apps/web/app/dir/index.ts", "export default 1;\n"),
            ("apps/web/src/util/helper.ts", "export const helper = 1;\n"),
            ("apps/web/src/lib/fmt.ts", "export const fmt = 1;\n"),
            (
                "packages/ui/package.json",
                r#"{"name": "@acme/ui", "main": "./dist/index.js", "exports": {".": {"types": "./dist/index.d.ts", "default": "./dist/index.js"}, "./icons": "./dist/icons/index.js"}}"#,
            ),
            (
                "packages/ui/tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("packages/ui/src/index.ts", "export { Button } from '@/Button';\n"),
            (
                "packages/ui/src/Button.tsx",
                "export function Button() { return null }\n",
            ),
            ("packages/ui/src/icons/index.ts", "export const Icon = 1;\n"),
            // No `exports`: subpaths are files of the package, and `lib/` is a source folder
            // here, not a build output.
            (
                "packages/kit/package.json",
                r#"{"name": "@acme/kit", "main": "./index.ts"}"#,
            ),
            ("packages/kit/index.ts", "export * from './lib/utils';\n"),
            ("packages/kit/lib/utils.ts", "export const cn = 1;\n"),
        ],
    );
    root
}

#[test]
fn every_resolution_case_reaches_source_files() {
    let root = monorepo();
    let web = root.path().join("apps/web");
    let g = DependencyGraph::build(&web, &GraphOptions::default()).unwrap();
    let edge = |from: &str, to: &str| {
        let f = g.id(from).unwrap_or_else(|| panic!("no file {from}: {:?}", g.files()));
        let t = g.id(to).unwrap_or_else(|| panic!("no file {to}: {:?}", g.files()));
        assert!(
            g.imports_of(f).iter().any(|e| e.file == t),
            "no edge {from} -> {to}; unresolved: {:?}",
            g.unresolved
        );
    };
    // Workspace package outside the project, exports into an unbuilt dist/: its source.
    edge("app/page.tsx", "../../packages/ui/src/index.ts");
    // Subpath export `./icons` → dist/icons/index.js → src/icons/index.ts.
    edge("app/page.tsx", "../../packages/ui/src/icons/index.ts");
    // Inside the package, its own tsconfig's `@/*` (nearest tsconfig wins).
    edge("../../packages/ui/src/index.ts", "../../packages/ui/src/Button.tsx");
    // App aliases from a tsconfig that extends a workspace package; `.js` naming a `.ts` file.
    edge("app/page.tsx", "src/util/helper.ts");
    edge("app/page.tsx", "src/lib/fmt.ts");
    // Directory index files.
    edge("app/page.tsx", "app/dir/index.ts");
    // A TypeScript source under a folder named like a build output (`lib/`).
    edge("app/page.tsx", "../../packages/kit/lib/utils.ts");
    assert!(g.unresolved.is_empty(), "{:?}", g.unresolved);
    assert_eq!(g.externals_of(g.id("app/page.tsx").unwrap()), &[] as &[String]);
}

/// Files of one folder owned by different tsconfigs (`include`) resolve the same specifier
/// differently; resolutions remembered per folder must not mix them up.
#[test]
fn files_of_one_folder_under_two_tsconfigs_resolve_apart() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    write(
        dir,
        &[
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./far/*"] } } }"#,
            ),
            (
                "src/tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["../near/*"] } }, "include": ["a.ts"] }"#,
            ),
            ("src/a.ts", "import { x } from '@/x';\nexport const a = x;\n"),
            ("near/x.ts", "export const x = 1;\n"),
            ("far/x.ts", "export const x = 2;\n"),
        ],
    );
    // Enough files after `a.ts` in the folder that one worker resolves several in a row.
    for i in 0..200 {
        write(
            dir,
            &[(
                &format!("src/b{i:03}.ts"),
                "import { x } from '@/x';\nexport const b = x;\n",
            )],
        );
    }
    let graph = DependencyGraph::build(dir, &GraphOptions::default()).unwrap();
    let target = |from: &str| {
        let id = graph.id(from).unwrap();
        graph
            .imports_of(id)
            .iter()
            .map(|e| graph.path(e.file).to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(target("src/a.ts"), ["near/x.ts"]);
    for i in 0..200 {
        assert_eq!(target(&format!("src/b{i:03}.ts")), ["far/x.ts"], "src/b{i:03}.ts");
    }
}
