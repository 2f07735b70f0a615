//! Message catalogs (translations) and the message keys source files name, for message
//! precision: a changed catalog affects only the files that name one of its changed keys.
//!
//! A catalog is a JSON or YAML file under a `locales`/`messages`/`i18n`/`lang`/
//! `translations`/`dictionaries` folder (or named after a locale, `en.json`, `pt-BR.yml`);
//! its keys are the dotted paths of its leaves. The keys a file names are read from its
//! text: the literal first argument of `t`, `$t`, `i18n.t`, `translate`, `tc`; `i18nKey`,
//! `<Trans id>` and `<FormattedMessage id>`; `formatMessage({ id })`; namespaces from
//! `useTranslations`/`getTranslations`/`useTranslation`/`useI18n`-style calls. A template
//! key with a static start (`` t(`errors.${code}`) ``) names every key with that start; a
//! key built any other way (`t(key)`) may be any key: such a file is `dynamic`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The message keys one source file names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageUses {
    /// Literal keys (`checkout.title`, `common:save`).
    pub keys: Vec<String>,
    /// Static starts of keys built from templates (`errors.`).
    pub prefixes: Vec<String>,
    /// Namespaces its translation hooks are scoped to (`Checkout`, `common`).
    pub namespaces: Vec<String>,
    /// Whether it builds a key any other way (it may name any key).
    pub dynamic: bool,
}

static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:(?:^|[^\w$.])(?:tc?|translate)|(?:^|[^\w$])\$tc?|\bi18n\.t)\(\s*(?:(['"])([^'"\n]*)['"]|`([^`$\n]*)(\$\{)?|([^'"`\s)]))"#,
    )
        .expect("a valid regex")
});
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:i18nKey|<Trans\b[^>]*?\bid|<FormattedMessage\b[^>]*?\bid)=\{?\s*['"]([^'"\n]+)['"]"#)
        .expect("a valid regex")
});
static FORMAT_MESSAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"formatMessage\(\s*\{\s*id:\s*['"]([^'"\n]+)['"]"#).expect("a valid regex"));
static NAMESPACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:useTranslations|getTranslations|useTranslation|useScopedI18n|getScopedI18n|useI18n)\(\s*(?:\{[^}]*?namespace:\s*)?['"]([^'"\n]+)['"]"#,
    )
    .expect("a valid regex")
});

/// The message keys `text` names.
pub fn scan(text: &str) -> MessageUses {
    let mut uses = MessageUses::default();
    for c in CALL.captures_iter(text) {
        match (c.get(2), c.get(3), c.get(4), c.get(5)) {
            (Some(key), ..) => uses.keys.push(key.as_str().to_string()),
            (None, Some(start), None, _) => uses.keys.push(start.as_str().to_string()),
            (None, Some(start), Some(_), _) if !start.as_str().is_empty() => {
                uses.prefixes.push(start.as_str().to_string())
            }
            _ => uses.dynamic = true,
        }
    }
    for re in [&*ATTRIBUTE, &*FORMAT_MESSAGE] {
        uses.keys.extend(re.captures_iter(text).map(|c| c[1].to_string()));
    }
    uses.namespaces
        .extend(NAMESPACE.captures_iter(text).map(|c| c[1].to_string()));
    for list in [&mut uses.keys, &mut uses.prefixes, &mut uses.namespaces] {
        list.sort();
        list.dedup();
    }
    uses
}

/// Folder names that hold catalogs.
const CATALOG_DIRS: &[&str] = &[
    "locales",
    "locale",
    "messages",
    "i18n",
    "lang",
    "langs",
    "translations",
    "dictionaries",
];

/// Whether `path` is a message catalog (see the module documentation).
pub fn is_catalog_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(ext, "json" | "yaml" | "yml") || name == "package.json" || stem.starts_with("tsconfig") {
        return false;
    }
    let in_catalog_dir = path.split('/').rev().skip(1).any(|dir| CATALOG_DIRS.contains(&dir));
    in_catalog_dir || is_locale(stem)
}

/// `en`, `fr-CA`, `pt_BR`, `zh-Hans`: a language code and an optional region or script.
fn is_locale(stem: &str) -> bool {
    let mut parts = stem.split(['-', '_']);
    let lang = parts.next().unwrap_or("");
    let lang_ok = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase());
    lang_ok && parts.all(|p| (2..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The leaves of a catalog, by dotted key path, with their text (`None` when it does not
/// parse).
pub fn catalog_entries(path: &str, text: &str) -> Option<BTreeMap<String, String>> {
    let value: serde_json::Value = if path.ends_with(".json") {
        serde_json::from_str(text).ok()?
    } else {
        serde_yaml_ng::from_str(text).ok()?
    };
    let mut out = BTreeMap::new();
    flatten("", &value, &mut out);
    Some(out)
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The keys added, removed or changed between two versions of a catalog.
pub fn changed_keys(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = old
        .iter()
        .filter(|(k, v)| new.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    keys.extend(new.keys().filter(|k| !old.contains_key(*k)).cloned());
    keys
}

/// The namespace a catalog file gives its keys, i18next-style: the file name in a locale
/// folder (`locales/en/common.json` → `common`); none for a file named after a locale
/// (`messages/en.json`).
pub fn catalog_namespace(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    (!is_locale(stem)).then_some(stem)
}

impl MessageUses {
    /// Whether the file names `key` of a catalog with `namespace` (over-approximating: a
    /// key the file may name counts).
    pub fn names(&self, key: &str, namespace: Option<&str>) -> bool {
        let full = |k: &str| -> Vec<String> {
            let mut forms = vec![k.to_string()];
            // i18next: `ns:key`.
            if let Some(ns) = namespace {
                forms.push(format!("{ns}:{k}"));
            }
            forms
        };
        let forms = full(key);
        let named = |literal: &str| {
            forms.iter().any(|f| f == literal)
                || self
                    .namespaces
                    .iter()
                    .any(|ns| forms.iter().any(|f| *f == format!("{ns}.{literal}") || *f == format!("{ns}:{literal}")))
                    // `useTranslation('common')` + `t('title')` for `common.json`'s `title`.
                    || namespace.is_some_and(|ns| self.namespaces.iter().any(|n| n == ns) && literal == key)
        };
        self.dynamic
            || self.keys.iter().any(|k| named(k))
            || self.prefixes.iter().any(|p| {
                forms.iter().any(|f| f.starts_with(p.as_str()))
                    || self
                        .namespaces
                        .iter()
                        .any(|ns| forms.iter().any(|f| f.starts_with(&format!("{ns}.{p}"))))
            })
    }
}

#[cfg(test)]
mod tests;
