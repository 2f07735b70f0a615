//! Linking tests to flows: each URL a test visits is matched against the app's routes (params
//! as wildcards, the most specific route wins, as for navigation targets), and a test covers
//! every flow whose pages include a route it visits. API calls link to handler routes.

use serde::Serialize;

use super::visits::{TestCase, VisitKind};
use super::{Runner, Suite};
use crate::flows::Flow;
use crate::routes::{Route, RouteKind, match_route, pattern_matches};

/// One test and what it was linked to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestLink {
    /// The test.
    #[serde(flatten)]
    pub test: TestCase,
    /// Its runner.
    pub runner: Runner,
    /// Route patterns it visits (pages and handlers), in visit order, without repeats.
    pub routes: Vec<String>,
    /// Ids of the flows it covers, sorted.
    pub flows: Vec<String>,
    /// Why it covers no flow, when it covers none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlinked: Option<String>,
}

/// The links of every test of every suite.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkReport {
    /// The suites found.
    pub suites: Vec<Suite>,
    /// Every test, linked or not, by file and line.
    pub tests: Vec<TestLink>,
    /// Flows no test covers, by id.
    pub uncovered: Vec<String>,
}

impl LinkReport {
    /// Tests that cover at least one flow.
    pub fn linked(&self) -> impl Iterator<Item = &TestLink> {
        self.tests.iter().filter(|t| !t.flows.is_empty())
    }

    /// How many flows at least one test covers.
    pub fn flows_covered(&self) -> usize {
        let mut ids: Vec<&String> = self.tests.iter().flat_map(|t| &t.flows).collect();
        ids.sort();
        ids.dedup();
        ids.len()
    }
}

/// The path a visited URL reaches: the path of a full URL, a relative one under the suite's
/// base path, and, for Cypress, under its base path always (Cypress prefixes `baseUrl`).
fn effective_path(url: &str, runner: Runner, base_path: &str) -> String {
    // `${WEBAPP_URL}/documents`: a placeholder in front of a path is the base URL.
    let url = url
        .strip_prefix('*')
        .filter(|rest| rest.starts_with('/'))
        .unwrap_or(url);
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.starts_with('/') {
        match runner {
            Runner::Cypress if !base_path.is_empty() && !url.contains("://") => format!("{base_path}{path}"),
            _ => path.to_string(),
        }
    } else {
        format!("{base_path}/{path}")
    }
}

/// `*` placeholders in the notation the route matcher reads (`${}`).
fn as_href(path: &str) -> String {
    path.replace('*', "${}")
}

/// Which routes a suite's tests may reach: those of the app its config sits in (of the
/// project's `apps`, or the project itself), every route for a package of tests only, none
/// for another app's suite (with the reason).
fn routes_for<'r>(
    suite: &Suite,
    routes: &'r [Route],
    apps: &[crate::config::AppSettings],
) -> Result<Vec<&'r Route>, String> {
    match suite.app_dir.as_deref() {
        None | Some("") => Ok(routes.iter().collect()),
        Some(dir) => match apps.iter().find(|a| a.path.trim_matches('/') == dir) {
            Some(app) => Ok(routes
                .iter()
                .filter(|r| r.app.as_deref() == Some(app.name.as_str()))
                .collect()),
            None => Err(format!("its suite belongs to another app ({dir}), not to this project")),
        },
    }
}

/// Links `tests` (each with the suite it belongs to) to `flows` through `routes` (`apps`: the
/// project's apps, for a project of several).
pub fn link(
    suites: Vec<Suite>,
    tests: Vec<(TestCase, usize)>,
    routes: &[Route],
    flows: &[Flow],
    apps: &[crate::config::AppSettings],
) -> LinkReport {
    let scopes: Vec<Result<Vec<&Route>, String>> = suites.iter().map(|s| routes_for(s, routes, apps)).collect();
    let mut out = Vec::new();
    for (test, suite) in tests {
        let suite_of = &suites[suite];
        let reachable = &scopes[suite];
        let routes: Vec<Route> = reachable
            .as_ref()
            .map_or_else(|_| Vec::new(), |r| r.iter().map(|r| (*r).clone()).collect());
        let mut matched: Vec<&Route> = Vec::new();
        let mut misses: Vec<String> = Vec::new();
        for visit in &test.visits {
            let path = effective_path(&visit.url, suite_of.runner, &suite_of.base_path);
            let href = as_href(&path);
            let route = match visit.kind {
                VisitKind::Request => routes
                    .iter()
                    .find(|r| r.kind == RouteKind::Handler && pattern_matches(&r.pattern, &href)),
                _ => match_route(&routes, &href),
            };
            match route {
                Some(route) => {
                    if !matched.iter().any(|m| m.pattern == route.pattern && m.app == route.app) {
                        matched.push(route);
                    }
                }
                None => misses.push(path),
            }
        }
        let mut covered: Vec<String> = flows
            .iter()
            .filter(|flow| {
                matched.iter().any(|route| {
                    flow.pages.contains(&route.pattern)
                        && (route.app.is_none() || flow.app.is_none() || flow.app == route.app)
                })
            })
            .map(|flow| flow.id.clone())
            .collect();
        covered.sort();
        covered.dedup();
        let unlinked = if !covered.is_empty() {
            None
        } else if let Err(reason) = reachable {
            Some(reason.clone())
        } else if test.visits.is_empty() {
            Some("no visit found (no goto, visit or URL assertion with a literal URL)".to_string())
        } else if matched.is_empty() && misses.iter().all(|p| p.trim_matches(['/', '*']).is_empty()) {
            Some("its URLs are built at run time (no literal path)".to_string())
        } else if matched.is_empty() {
            Some(format!("its URLs match no route: {}", misses.join(", ")))
        } else {
            Some(format!(
                "no flow has its routes as pages: {}",
                matched
                    .iter()
                    .map(|r| r.pattern.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        out.push(TestLink {
            runner: suite_of.runner,
            routes: matched.iter().map(|r| r.pattern.clone()).collect(),
            flows: covered,
            unlinked,
            test,
        });
    }
    out.sort_by(|a, b| (&a.test.file, a.test.line).cmp(&(&b.test.file, b.test.line)));
    let uncovered = flows
        .iter()
        .filter(|flow| !out.iter().any(|t| t.flows.contains(&flow.id)))
        .map(|flow| flow.id.clone())
        .collect();
    LinkReport {
        suites,
        tests: out,
        uncovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suites::visits::Visit;

    fn route(pattern: &str, kind: RouteKind) -> Route {
        Route {
            app: None,
            pattern: pattern.into(),
            kind,
            file: format!("app{pattern}/page.tsx"),
            attached: Vec::new(),
        }
    }

    fn flow(id: &str, pages: &[&str]) -> Flow {
        serde_json::from_value(serde_json::json!({ "id": id, "name": id, "pages": pages })).unwrap()
    }

    fn test(title: &str, urls: &[(&str, VisitKind)]) -> TestCase {
        TestCase {
            file: "e2e/a.spec.ts".into(),
            line: 1,
            title: title.into(),
            visits: urls
                .iter()
                .map(|(url, kind)| Visit {
                    url: url.to_string(),
                    line: 1,
                    kind: *kind,
                })
                .collect(),
        }
    }

    #[test]
    fn the_most_specific_route_wins_and_flows_follow_their_pages() {
        let routes = [
            route("/t/[teamUrl]/documents/[id]/edit", RouteKind::Page),
            route("/t/[teamUrl]/documents/[id]", RouteKind::Page),
            route("/admin/stats", RouteKind::Page),
            route("/admin/[section]", RouteKind::Page),
            route("/api/health", RouteKind::Handler),
        ];
        let flows = [
            flow("edit", &["/t/[teamUrl]/documents/[id]/edit"]),
            flow("stats", &["/admin/stats"]),
            flow("sections", &["/admin/[section]"]),
        ];
        let suite = Suite {
            runner: Runner::Playwright,
            config: "playwright.config.ts".into(),
            base_path: String::new(),
            specs: vec!["e2e/a.spec.ts".into()],
            app_dir: None,
        };
        let tests = vec![
            (test("edit", &[("/t/*/documents/*/edit", VisitKind::Goto)]), 0),
            (
                test("stats", &[("http://localhost:3000/admin/stats?x=1", VisitKind::Goto)]),
                0,
            ),
            (test("api", &[("/api/health", VisitKind::Request)]), 0),
            (test("nowhere", &[("/missing/page", VisitKind::Goto)]), 0),
            (test("empty", &[]), 0),
        ];
        let report = link(vec![suite], tests, &routes, &flows, &[]);
        let by_title = |title: &str| report.tests.iter().find(|t| t.test.title == title).unwrap();
        assert_eq!(by_title("edit").flows, ["edit"]);
        assert_eq!(by_title("stats").flows, ["stats"], "static beats [section]");
        assert_eq!(by_title("api").routes, ["/api/health"]);
        assert!(
            by_title("api")
                .unlinked
                .as_deref()
                .unwrap()
                .contains("no flow has its routes")
        );
        assert!(
            by_title("nowhere")
                .unlinked
                .as_deref()
                .unwrap()
                .contains("/missing/page")
        );
        assert!(by_title("empty").unlinked.as_deref().unwrap().starts_with("no visit"));
        assert_eq!(report.uncovered, ["sections"]);
    }

    #[test]
    fn base_paths_apply_as_each_runner_applies_them() {
        assert_eq!(effective_path("/cart", Runner::Playwright, "/app"), "/cart");
        assert_eq!(effective_path("cart", Runner::Playwright, "/app"), "/app/cart");
        assert_eq!(effective_path("/cart", Runner::Cypress, "/app"), "/app/cart");
        assert_eq!(effective_path("https://x.dev/a/b#c", Runner::Cypress, "/app"), "/a/b");
        assert_eq!(
            effective_path("*/sign/*/complete", Runner::Playwright, ""),
            "/sign/*/complete"
        );
    }
}
