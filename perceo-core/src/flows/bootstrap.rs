//! Bootstrap: one flow per discovered page route, named from the route, priority from simple
//! rules, related flows from navigation edges; plus a default persona.

use std::collections::{BTreeMap, BTreeSet};

use super::{Flow, Persona, Priority, Step};
use crate::routes::{Route, RouteKind};

/// Words in a route that make its flow critical, high or low priority (else medium).
const CRITICAL: &[&str] = &["checkout", "payment", "pay", "billing", "order", "purchase"];
const HIGH: &[&str] = &[
    "cart", "login", "signin", "sign-in", "signup", "sign-up", "register", "account", "auth", "product",
];
const LOW: &[&str] = &[
    "blog", "about", "docs", "legal", "terms", "privacy", "faq", "careers", "press",
];

/// The priority the bootstrap gives a route pattern.
pub fn priority_for(pattern: &str) -> Priority {
    let words: Vec<String> = pattern
        .split(['/', '-', '_', '.'])
        .map(|w| w.trim_matches(['[', ']', '(', ')', '$', '.']).to_ascii_lowercase())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(CRITICAL) {
        Priority::Critical
    } else if has(HIGH) {
        Priority::High
    } else if has(LOW) {
        Priority::Low
    } else {
        Priority::Medium
    }
}

/// A flow id from a route pattern: `/` → `home`, `/product/[id]` → `product-id`.
pub fn flow_id_for(pattern: &str) -> String {
    let id: Vec<String> = pattern
        .split('/')
        .map(|s| {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .flat_map(|s| {
            s.split('-')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    if id.is_empty() { "home".into() } else { id.join("-") }
}

fn flow_name_for(pattern: &str) -> String {
    if pattern == "/" {
        return "Visit the home page".into();
    }
    let words: Vec<&str> = pattern
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with(['[', '$', ':']))
        .collect();
    let what = if words.is_empty() {
        pattern.to_string()
    } else {
        words.join(" ")
    };
    format!("Visit {what}")
}

/// Builds one flow per page route. `navigation` holds `(from pattern, to pattern)` pairs
/// found in the pages' code; they become `related` flows.
pub fn bootstrap_flows(routes: &[Route], navigation: &[(String, String)]) -> (Vec<Flow>, Vec<Persona>) {
    let mut by_pattern: BTreeMap<&str, &Route> = BTreeMap::new();
    for r in routes.iter().filter(|r| r.kind == RouteKind::Page) {
        by_pattern.entry(r.pattern.as_str()).or_insert(r);
    }
    let mut related: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in navigation {
        if from != to && by_pattern.contains_key(from.as_str()) && by_pattern.contains_key(to.as_str()) {
            related.entry(from.clone()).or_default().insert(to.clone());
        }
    }
    // Routes whose ids coincide (`/` and `/home` are both `home`) get `-2`, `-3`... in
    // pattern order, so every page keeps its own flow.
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for pattern in by_pattern.keys() {
        let base = flow_id_for(pattern);
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(pattern, id);
    }
    let flows = by_pattern
        .keys()
        .map(|pattern| {
            let id = ids[pattern].clone();
            Flow {
                related: related
                    .remove(*pattern)
                    .map(|s| s.iter().map(|p| ids[p.as_str()].clone()).collect())
                    .unwrap_or_default(),
                name: flow_name_for(pattern),
                description: Some(format!(
                    "Bootstrapped from the route {pattern}; edit to describe what the user does."
                )),
                priority: priority_for(pattern),
                personas: vec!["visitor".into()],
                pages: vec![pattern.to_string()],
                files: Vec::new(),
                steps: vec![Step {
                    name: format!("Open {pattern}"),
                    page: Some(pattern.to_string()),
                    event: None,
                    actions: Vec::new(),
                    expected: None,
                }],
                tests: None,
                app: None,
                id,
            }
        })
        .collect();
    let personas = vec![Persona {
        id: "visitor".into(),
        name: "Visitor".into(),
        description: Some("Anyone using the application (bootstrapped; split into real personas).".into()),
        behaviors: Vec::new(),
    }];
    (flows, personas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_priorities_follow_the_route() {
        assert_eq!(flow_id_for("/"), "home");
        assert_eq!(flow_id_for("/product/[id]"), "product-id");
        assert_eq!(flow_id_for("/blog/[...slug]"), "blog-slug");
        assert_eq!(priority_for("/checkout"), Priority::Critical);
        assert_eq!(priority_for("/cart"), Priority::High);
        assert_eq!(priority_for("/blog/[...slug]"), Priority::Low);
        assert_eq!(priority_for("/search"), Priority::Medium);
        assert_eq!(flow_name_for("/product/[id]"), "Visit product");
    }

    #[test]
    fn routes_whose_ids_coincide_each_keep_a_flow() {
        // Found on a real app: `/` and `/home` are both `home`.
        let route = |pattern: &str, file: &str| Route {
            app: None,
            pattern: pattern.into(),
            kind: RouteKind::Page,
            file: file.into(),
            attached: Vec::new(),
        };
        let routes = [route("/", "pages/index.tsx"), route("/home", "pages/home/index.tsx")];
        let (flows, _) = bootstrap_flows(&routes, &[("/".into(), "/home".into())]);
        let ids: Vec<(&str, &str)> = flows.iter().map(|f| (f.id.as_str(), f.pages[0].as_str())).collect();
        assert_eq!(ids, [("home", "/"), ("home-2", "/home")]);
        assert_eq!(flows[0].related, ["home-2"]);
    }
}
