//! Unit tests of `graph`.

use super::*;

#[test]
fn template_imports_expand_to_matching_files() {
    let files: Vec<String> = [
        "src/locales/en.json",
        "src/locales/fr.json",
        "src/locales/x/de.json",
        "src/lib/i18n.ts",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let got = template_matches("src/lib/i18n.ts", &["../locales/".into(), ".json".into()], &files);
    assert_eq!(got, vec![0, 1]);
}
