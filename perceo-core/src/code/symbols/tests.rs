use super::*;

fn names(list: &[&str]) -> ExportChange {
    ExportChange::Names(list.iter().map(|s| s.to_string()).collect())
}

fn change(old: &str, new: &str) -> ExportChange {
    let (old, new) = (table("m.tsx", old).unwrap(), table("m.tsx", new).unwrap());
    changed_exports(Some(&old), &new)
}

#[test]
fn only_the_exports_that_use_a_changed_declaration_change() {
    let before = "import { money } from './format';\n\
                  const radius = 4;\n\
                  function frame(x) { return x + radius }\n\
                  export function Card() { return frame(1) }\n\
                  export function Button() { return money(2) }\n\
                  export default function Page() { return Card() }\n";
    let after = before.replace("radius = 4", "radius = 8");
    assert_eq!(change(before, &after), names(&["Card", "default"]));
    let after = before.replace("money(2)", "money(3)");
    assert_eq!(change(before, &after), names(&["Button"]));
}

#[test]
fn a_changed_import_binding_dirties_its_users() {
    let before = "import { money } from './format';\nexport const price = () => money(1);\nexport const other = 1;\n";
    let after = before.replace("'./format'", "'./format2'");
    assert_eq!(change(before, &after), names(&["price"]));
}

#[test]
fn effects_and_commonjs_make_the_whole_file_change() {
    let before = "export const a = 1;\nregister(a);\n";
    assert_eq!(
        change(before, &before.replace("register(a)", "register(a, 2)")),
        ExportChange::File("a top-level statement with side effects changed".into())
    );
    let cjs = "const x = require('./x');\nexport const a = x;\n";
    assert!(matches!(
        change(cjs, &cjs.replace("a = x", "a = x + 1")),
        ExportChange::File(_)
    ));
}

#[test]
fn added_removed_and_renamed_exports_count() {
    assert_eq!(
        change("export const a = 1;\n", "export const a = 1;\nexport const b = 2;\n"),
        names(&["b"])
    );
    assert_eq!(
        change("export const a = 1;\nexport const b = 2;\n", "export const a = 1;\n"),
        names(&["b"])
    );
    assert_eq!(
        change(
            "const a = 1;\nexport { a as b };\n",
            "const a = 1;\nexport { a as c };\n"
        ),
        names(&["b", "c"])
    );
}

#[test]
fn a_default_expression_is_compared_by_its_text_not_its_place() {
    let before = "export default { name: 'x' };\n";
    assert_eq!(change(before, &format!("export const y = 1;\n{before}")), names(&["y"]));
    assert_eq!(change(before, "export default { name: 'z' };\n"), names(&["default"]));
}

#[test]
fn namespace_members_are_recorded_by_name() {
    let t = table("m.ts", "import * as ui from './ui';\nexport const f = () => ui.Card;\n").unwrap();
    assert!(
        t.items[1].uses.contains(&"ui.Card".to_string()),
        "{:?}",
        t.items[1].uses
    );
    let seeds: BTreeSet<String> = ["ui.Card".to_string()].into();
    assert_eq!(dirty_exports(&t, &seeds), ["f".to_string()].into());
    let seeds: BTreeSet<String> = ["ui.Button".to_string()].into();
    assert!(dirty_exports(&t, &seeds).is_empty());
}

#[test]
fn re_exports_and_stars_are_tables_entries() {
    let t = table(
        "index.ts",
        "export { Card } from './Card';\nexport { default as Button } from './Button';\nexport * from './Input';\n",
    )
    .unwrap();
    assert_eq!(
        t.exports.get("Button"),
        Some(&ExportOf::ReExport {
            specifier: "./Button".into(),
            imported: Imported::Name("default".into())
        })
    );
    assert_eq!(t.stars, vec!["./Input".to_string()]);
    assert!(t.items.iter().all(|i| !i.has_effects()));
    assert_eq!(table("a.vue", "<script>x</script>"), None);
}
