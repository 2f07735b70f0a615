//! Which flows each kind of change affects, and why: pages, shared modules, barrels,
//! layouts, globals, lockfiles, renames, deletions.

use perceo_core::git::ChangeStatus;
use perceo_core::impact::{OnEmpty, ReasonKind};

use crate::support::*;

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
