//! `observer.analysis.precision`: at `symbol`, a change follows only the importers of the
//! exports it changed — through a barrel (`export { } from`, `export *`), a default
//! re-export and `ns.name` members — and falls back to the file level where that is not
//! sound; at `file`, every importer.

use std::path::Path;

use crate::common::{flow_ids, git, json_stdout, perceo};

/// A Next.js app with a UI barrel and three pages that use different parts of it, committed
/// on `main`, at `precision`.
fn app(precision: &str) -> assert_fs::TempDir {
    let tmp = assert_fs::TempDir::new().unwrap();
    let files: &[(&str, &str)] = &[
        (
            "package.json",
            r#"{"name":"ui-app","dependencies":{"next":"14.2.5","react":"18.3.1"}}"#,
        ),
        (
            "components/ui/Button.tsx",
            "export function Button() { return <button>ok</button> }\n",
        ),
        (
            "components/ui/Card.tsx",
            "const radius = 4;\nexport function Card() { return <div style={{ borderRadius: radius }} /> }\nexport function CardTitle() { return <h2 /> }\n",
        ),
        (
            "components/ui/Input.tsx",
            "export default function Input() { return <input /> }\n",
        ),
        (
            "components/ui/index.ts",
            "export { Button } from './Button';\nexport * from './Card';\nexport { default as Input } from './Input';\n",
        ),
        (
            "app/login/page.tsx",
            "import { Button, Input } from '../../components/ui';\nexport default function Login() { return <form><Input /><Button /></form> }\n",
        ),
        (
            "app/shop/page.tsx",
            "import { Card } from '../../components/ui';\nexport default function Shop() { return <Card /> }\n",
        ),
        (
            "app/cart/page.tsx",
            "import * as ui from '../../components/ui';\nexport default function Cart() { return <ui.Button /> }\n",
        ),
    ];
    write_files(tmp.path(), files);
    let perceo_dir = tmp.path().join(".perceo/flows");
    std::fs::create_dir_all(&perceo_dir).unwrap();
    std::fs::write(
        tmp.path().join(".perceo/config.json"),
        format!(
            r#"{{"version":"1.0","project":{{"name":"ui-app","framework":"nextjs"}},"observer":{{"analysis":{{"precision":"{precision}"}}}}}}"#
        ),
    )
    .unwrap();
    for id in ["login", "shop", "cart"] {
        std::fs::write(
            perceo_dir.join(format!("{id}.json")),
            format!(r#"{{"name":"{id}","pages":["/{id}"],"steps":[{{"name":"open","page":"/{id}"}}]}}"#),
        )
        .unwrap();
    }
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    tmp
}

/// Writes `files` (path, text) under `dir`, making their folders.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Rewrites `file` with `edit`, commits it, and returns the affected flows (sorted) and the
/// report.
fn affected_after(dir: &Path, file: &str, edit: impl Fn(&str) -> String) -> (Vec<String>, serde_json::Value) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&text)).unwrap();
    git(dir, &["commit", "-qam", "change"]);
    let report = json_stdout(perceo(dir).args(["ci", "analyze", "--base", "HEAD~1", "--head", "HEAD", "--json"]));
    let ids = flow_ids(&report);
    (ids, report)
}

fn detail(report: &serde_json::Value, flow: &str) -> String {
    report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == flow)
        .map(|f| f["reasons"][0]["detail"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn a_component_behind_a_barrel_selects_only_the_pages_that_import_it() {
    let tmp = app("symbol");
    let (ids, report) = affected_after(tmp.path(), "components/ui/Card.tsx", |t| {
        t.replace("radius = 4", "radius = 8")
    });
    // Through `export *`: shop imports Card; login imports Button and Input, cart uses only
    // `ui.Button`.
    assert_eq!(ids, vec!["shop"], "{report}");
    let why = detail(&report, "shop");
    assert!(why.contains("components/ui/index.ts (Card)"), "{why}");

    // The same change at file precision selects every page of the barrel.
    let tmp = app("file");
    let (ids, _) = affected_after(tmp.path(), "components/ui/Card.tsx", |t| {
        t.replace("radius = 4", "radius = 8")
    });
    assert_eq!(ids, vec!["cart", "login", "shop"]);
}

#[test]
fn named_default_and_namespace_imports_are_followed_name_by_name() {
    let tmp = app("symbol");
    let (ids, report) = affected_after(tmp.path(), "components/ui/Button.tsx", |t| t.replace("ok", "go"));
    assert_eq!(ids, vec!["cart", "login"], "{report}");
    let (ids, report) = affected_after(tmp.path(), "components/ui/Input.tsx", |t| {
        t.replace("<input />", "<input required />")
    });
    assert_eq!(ids, vec!["login"], "{report}");
}

#[test]
fn an_export_no_page_uses_selects_nothing_and_says_why() {
    let tmp = app("symbol");
    let (ids, report) = affected_after(tmp.path(), "components/ui/Card.tsx", |t| t.replace("<h2 />", "<h3 />"));
    assert!(ids.is_empty(), "{report}");
    let notes = report["noImpact"].to_string();
    assert!(notes.contains("CardTitle"), "{report}");
    assert_eq!(report["onEmptyApplied"], serde_json::Value::Null, "{report}");
}

#[test]
fn side_effects_and_opaque_namespaces_fall_back_to_the_file_level() {
    // A top-level statement with an effect: every importer, and the reason says so.
    let tmp = app("symbol");
    let (ids, report) = affected_after(tmp.path(), "components/ui/Card.tsx", |t| {
        format!("{t}console.log(radius);\n")
    });
    assert_eq!(ids, vec!["cart", "login", "shop"], "{report}");
    assert!(
        detail(&report, "login").contains("file level: a top-level statement with side effects changed"),
        "{report}"
    );

    // A namespace used as a whole (not `ns.name`) takes every change of its module.
    let tmp = app("symbol");
    let cart = tmp.path().join("app/cart/page.tsx");
    std::fs::write(
        &cart,
        "import * as ui from '../../components/ui';\nexport default function Cart() { return <div>{Object.keys(ui).length}</div> }\n",
    )
    .unwrap();
    git(tmp.path(), &["commit", "-qam", "cart lists the kit"]);
    let (ids, report) = affected_after(tmp.path(), "components/ui/Card.tsx", |t| {
        t.replace("radius = 4", "radius = 8")
    });
    assert_eq!(ids, vec!["cart", "shop"], "{report}");
}

/// A Next.js app whose pages read one catalog (`messages/en.json`, loaded by the root
/// layout) through next-intl, at symbol precision.
fn i18n_app() -> assert_fs::TempDir {
    let tmp = app("symbol");
    let files: &[(&str, &str)] = &[
        (
            "messages/en.json",
            r#"{"Login":{"title":"Sign in"},"Shop":{"title":"Shop","empty":"Nothing here"},"Cart":{"title":"Cart"}}"#,
        ),
        (
            "lib/i18n.ts",
            "import en from '../messages/en.json';\nexport const messages = en;\n",
        ),
        (
            "app/layout.tsx",
            "import { messages } from '../lib/i18n';\nexport default function Root({ children }) { return <body data-m={messages}>{children}</body> }\n",
        ),
        (
            "app/login/page.tsx",
            "import { useTranslations } from 'next-intl';\nexport default function Login() { const t = useTranslations('Login'); return <h1>{t('title')}</h1> }\n",
        ),
        (
            "app/shop/page.tsx",
            "import { useTranslations } from 'next-intl';\nexport default function Shop() { const t = useTranslations(); return <h1>{t('Shop.title')}</h1> }\n",
        ),
        (
            "app/cart/page.tsx",
            "import { useTranslations } from 'next-intl';\nexport default function Cart() { const t = useTranslations('Cart'); return <h1>{t('title')}</h1> }\n",
        ),
    ];
    write_files(tmp.path(), files);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "i18n"]);
    tmp
}

#[test]
fn a_changed_message_selects_the_pages_that_name_its_key() {
    let tmp = i18n_app();
    let (ids, report) = affected_after(tmp.path(), "messages/en.json", |t| {
        t.replace("\"Shop\",", "\"Our shop\",")
    });
    assert_eq!(ids, vec!["shop"], "{report}");
    let reason = &report["flows"][0]["reasons"][0];
    assert_eq!(reason["kind"], "message", "{report}");
    assert!(reason["detail"].as_str().unwrap().contains("`Shop.title`"), "{report}");

    // An added key no code names yet selects nothing, and is explained.
    let (ids, report) = affected_after(tmp.path(), "messages/en.json", |t| {
        t.replace("\"empty\":", "\"subtitle\":\"New\",\"empty\":")
    });
    assert!(ids.is_empty(), "{report}");
    assert!(report["noImpact"].to_string().contains("Shop.subtitle"), "{report}");

    // At file precision, the catalog reaches every page through the root layout.
    std::fs::write(
        tmp.path().join(".perceo/config.json"),
        r#"{"version":"1.0","project":{"name":"ui-app","framework":"nextjs"}}"#,
    )
    .unwrap();
    git(tmp.path(), &["commit", "-qam", "file precision"]);
    let (ids, _) = affected_after(tmp.path(), "messages/en.json", |t| t.replace("Nothing here", "Empty"));
    assert_eq!(ids, vec!["cart", "login", "shop"]);
}

#[test]
fn a_key_built_at_run_time_may_be_any_key() {
    let tmp = i18n_app();
    std::fs::write(
        tmp.path().join("app/cart/page.tsx"),
        "import { useTranslations } from 'next-intl';\nexport default function Cart({ k }) { const t = useTranslations(); return <h1>{t(k)}</h1> }\n",
    )
    .unwrap();
    git(tmp.path(), &["commit", "-qam", "cart builds its key"]);
    let (ids, report) = affected_after(tmp.path(), "messages/en.json", |t| t.replace("Sign in", "Log in"));
    assert_eq!(ids, vec!["cart", "login"], "{report}");
}

#[test]
fn a_change_to_an_api_handler_selects_the_pages_that_call_its_endpoint() {
    let tmp = app("file");
    let files: &[(&str, &str)] = &[
        (
            "lib/cart-db.ts",
            "export async function addItem(id: string) { return { id } }\n",
        ),
        (
            "app/api/cart/[id]/route.ts",
            "import { addItem } from '../../../../lib/cart-db';\nexport async function POST(_req: Request, { params }) { return Response.json(await addItem(params.id)) }\n",
        ),
        (
            "components/AddToCart.tsx",
            "'use client';\nexport function AddToCart({ id }) { return <button onClick={() => fetch(`/api/cart/${id}`, { method: 'POST' })}>Add</button> }\n",
        ),
        (
            "app/shop/page.tsx",
            "import { Card } from '../../components/ui';\nimport { AddToCart } from '../../components/AddToCart';\nexport default function Shop() { return <Card><AddToCart id=\"1\" /></Card> }\n",
        ),
    ];
    write_files(tmp.path(), files);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "cart api"]);
    let (ids, report) = affected_after(tmp.path(), "lib/cart-db.ts", |t| {
        t.replace("{ id }", "{ id, at: Date.now() }")
    });
    assert_eq!(ids, vec!["shop"], "{report}");
    let reason = &report["flows"][0]["reasons"][0];
    assert_eq!(reason["kind"], "api", "{report}");
    let chain: Vec<&str> = reason["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        chain,
        vec![
            "lib/cart-db.ts",
            "app/api/cart/[id]/route.ts",
            "components/AddToCart.tsx",
            "app/shop/page.tsx"
        ]
    );
}

#[test]
fn removing_the_last_firing_of_a_step_event_is_an_instrumentation_regression() {
    let tmp = app("file");
    let files: &[(&str, &str)] = &[
        (
            "components/AddToCart.tsx",
            "import mixpanel from 'mixpanel-browser';\nexport function AddToCart() { return <button onClick={() => mixpanel.track('add_to_cart')}>Add</button> }\n",
        ),
        (
            "app/shop/page.tsx",
            "import { Card } from '../../components/ui';\nimport { AddToCart } from '../../components/AddToCart';\nexport default function Shop() { return <Card><AddToCart /></Card> }\n",
        ),
        (
            ".perceo/flows/shop.json",
            r#"{"name":"shop","pages":["/shop"],"steps":[{"name":"open","page":"/shop"},{"name":"Add to cart","event":"add_to_cart"}]}"#,
        ),
    ];
    write_files(tmp.path(), files);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "tracking"]);
    let (ids, report) = affected_after(tmp.path(), "components/AddToCart.tsx", |t| {
        t.replace("mixpanel.track('add_to_cart')", "console.log('added')")
    });
    assert_eq!(ids, vec!["shop"], "{report}");
    assert_eq!(
        report["instrumentation"],
        serde_json::json!([{"flow": "shop", "step": "Add to cart", "event": "add_to_cart", "removedFrom": ["components/AddToCart.tsx"]}]),
        "{report}"
    );
    assert!(
        report["warnings"].to_string().contains("production metrics go blind"),
        "{report}"
    );

    // Moved to another file the page loads: still fired, no regression.
    let tmp = app("file");
    write_files(tmp.path(), files);
    std::fs::write(
        tmp.path().join("components/ui/Card.tsx"),
        "import mixpanel from 'mixpanel-browser';\nexport function Card({ children }) { mixpanel.track('add_to_cart'); return <div>{children}</div> }\nexport function CardTitle() { return <h2 /> }\n",
    )
    .unwrap();
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "tracking twice"]);
    let (_, report) = affected_after(tmp.path(), "components/AddToCart.tsx", |t| {
        t.replace("mixpanel.track('add_to_cart')", "console.log('added')")
    });
    assert_eq!(report.get("instrumentation"), None, "{report}");
}

#[test]
fn coverage_lists_the_steps_whose_event_nothing_fires() {
    let tmp = app("file");
    std::fs::write(
        tmp.path().join(".perceo/flows/shop.json"),
        r#"{"name":"shop","pages":["/shop"],"steps":[{"name":"open","page":"/shop"},{"name":"Add to cart","event":"add_to_cart"}]}"#,
    )
    .unwrap();
    let report = json_stdout(perceo(tmp.path()).args(["analyze", "coverage", "--json"]));
    assert_eq!(
        report["unmeasured"],
        serde_json::json!([{"flow": "shop", "step": "Add to cart", "event": "add_to_cart"}]),
        "{report}"
    );
    std::fs::write(
        tmp.path().join("components/ui/Card.tsx"),
        "export function Card() { window.gtag('event', 'add_to_cart'); return <div /> }\nexport function CardTitle() { return <h2 /> }\n",
    )
    .unwrap();
    let report = json_stdout(perceo(tmp.path()).args(["analyze", "coverage", "--json"]));
    assert_eq!(report["unmeasured"], serde_json::json!([]), "{report}");
}
