//! Which runner invocations a test run makes, and which flows each one serves.
//!
//! A flow's own tests (`tests.specs`, `tests.grep`) run in an invocation of their own. Linked
//! tests (`tests.linked`) are pooled: every linked test of the selected flows runs once, in
//! one invocation per suite (from the suite's config folder), however many flows it covers;
//! its JUnit cases then go back to each of those flows ([`Job::cases_for`]).

use std::collections::HashMap;
use std::path::PathBuf;

use super::RunnerConfig;
use super::junit::TestCase;
use crate::flows::{Flow, LinkedTest};

/// The runner a group of specs goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunnerKind {
    /// `npx playwright test`.
    Playwright,
    /// `npx cypress run`.
    Cypress,
}

/// One invocation of a test runner: where, which runner, the spec arguments.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    /// The folder it runs in.
    pub dir: PathBuf,
    /// Which runner, when no `coordinator.command` replaces it.
    pub runner: RunnerKind,
    /// Spec paths relative to `dir` (Playwright tests as `spec:line`).
    pub specs: Vec<String>,
    /// A flow's grep tag.
    pub grep: Option<String>,
}

/// A flow served by a job.
#[derive(Debug, Clone)]
pub(super) struct Member {
    /// Index of the flow in the run's flow list.
    pub flow: usize,
    /// The flow's linked tests in this job; `None` for its own specs or grep, whose every
    /// case is the flow's.
    pub tests: Option<Vec<LinkedTest>>,
}

/// One runner invocation and the flows it serves.
#[derive(Debug, Clone)]
pub(super) struct Job {
    /// What runs.
    pub unit: Unit,
    /// Who it runs for, in the flows' order.
    pub members: Vec<Member>,
}

impl Job {
    /// The ids of the flows this job serves, joined with `,` (for `{flow}` and `PERCEO_FLOW`).
    pub fn flow_ids(&self, flows: &[Flow]) -> String {
        let ids: Vec<&str> = self.members.iter().map(|m| flows[m.flow].id.as_str()).collect();
        ids.join(",")
    }

    /// The cases of this job's report that belong to `member`: every case for its own
    /// specs; for linked tests, the cases that are its tests plus the cases that are no
    /// linked test of the job at all (a renamed test, a hook) — those go to every member, so
    /// that no failure is lost.
    pub fn cases_for<'a>(&self, member: &Member, cases: &'a [TestCase]) -> Vec<&'a TestCase> {
        let Some(mine) = &member.tests else {
            return cases.iter().collect();
        };
        cases
            .iter()
            .filter(|case| {
                mine.iter().any(|t| case_is(case, t))
                    || !self
                        .members
                        .iter()
                        .flat_map(|m| m.tests.iter().flatten())
                        .any(|t| case_is(case, t))
            })
            .collect()
    }
}

/// The words of a test title: Playwright joins `describe` titles with ` › `, mocha-style
/// reporters (Cypress) with a space.
fn title_words(title: &str) -> Vec<&str> {
    title.split(" › ").flat_map(str::split_whitespace).collect()
}

/// Whether a JUnit case is a run of the linked test `t`: the same title and, when the case's
/// class names a script file (Playwright: the spec relative to its test folder), the same
/// file.
fn case_is(case: &TestCase, t: &LinkedTest) -> bool {
    if title_words(&case.name) != title_words(&t.title) {
        return false;
    }
    let class = case.classname.trim_start_matches("./");
    let is_file = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"]
        .iter()
        .any(|ext| class.ends_with(ext));
    !is_file || t.spec == class || t.spec.ends_with(&format!("/{class}"))
}

/// Where a flow's own tests (`tests.specs`, `tests.grep`) run, and their spec paths relative
/// to there: the app's folder for a flow of an app (where its Playwright config is).
fn own_unit(config: &RunnerConfig, flow: &Flow) -> Unit {
    let tests = flow.tests.clone().unwrap_or_default();
    let app = flow
        .app
        .as_deref()
        .and_then(|name| config.apps.iter().find(|a| a.name == name));
    let (dir, specs) = match app {
        None => (config.project_dir.clone(), tests.specs),
        Some(app) => {
            let dir = app.path.trim_matches('/');
            let specs = tests
                .specs
                .into_iter()
                .map(|spec| match spec.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
                    Some(rest) => rest.to_string(),
                    None => spec,
                })
                .collect();
            (config.project_dir.join(dir), specs)
        }
    };
    Unit {
        dir,
        runner: RunnerKind::Playwright,
        specs,
        grep: tests.grep,
    }
}

/// The (empty) invocation of a suite: its config's folder, its runner.
fn suite_unit(config: &RunnerConfig, suite_config: &str) -> Unit {
    let folder = suite_config.rsplit_once('/').map_or("", |(dir, _)| dir);
    let name = suite_config.rsplit('/').next().unwrap_or(suite_config);
    let runner = if name.starts_with("cypress.config") {
        RunnerKind::Cypress
    } else {
        RunnerKind::Playwright
    };
    Unit {
        dir: crate::code::discover::absolute(&config.project_dir, folder),
        runner,
        specs: Vec::new(),
        grep: None,
    }
}

/// How a suite's runner is given a linked test: its spec relative to the suite's folder
/// (absolute when outside it), with `:line` for Playwright.
fn linked_arg(config: &RunnerConfig, unit: &Unit, test: &LinkedTest) -> String {
    let folder = test.config.rsplit_once('/').map_or("", |(dir, _)| dir);
    let below = if folder.is_empty() {
        Some(test.spec.as_str())
    } else {
        test.spec.strip_prefix(folder).and_then(|r| r.strip_prefix('/'))
    };
    let path = below.map_or_else(
        || {
            crate::code::discover::absolute(&config.project_dir, &test.spec)
                .display()
                .to_string()
        },
        str::to_string,
    );
    match unit.runner {
        RunnerKind::Playwright => format!("{path}:{}", test.line),
        RunnerKind::Cypress => path,
    }
}

/// The jobs of a run over `flows` (flows without tests get none): each flow's own specs or
/// grep as a job of its own, then one job per suite holding every linked test of the
/// selected flows once.
pub(super) fn plan(config: &RunnerConfig, flows: &[Flow]) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut suites: Vec<(String, Job)> = Vec::new();
    let mut suite_of: HashMap<String, usize> = HashMap::new();
    for (i, flow) in flows.iter().enumerate() {
        let Some(tests) = &flow.tests else { continue };
        if !tests.specs.is_empty() || tests.grep.is_some() {
            jobs.push(Job {
                unit: own_unit(config, flow),
                members: vec![Member { flow: i, tests: None }],
            });
        }
        for test in &tests.linked {
            let at = *suite_of.entry(test.config.clone()).or_insert_with(|| {
                let job = Job {
                    unit: suite_unit(config, &test.config),
                    members: Vec::new(),
                };
                suites.push((test.config.clone(), job));
                suites.len() - 1
            });
            let job = &mut suites[at].1;
            let arg = linked_arg(config, &job.unit, test);
            if !job.unit.specs.contains(&arg) {
                job.unit.specs.push(arg);
            }
            match job.members.iter_mut().find(|m| m.flow == i) {
                Some(member) => member.tests.get_or_insert_with(Vec::new).push(test.clone()),
                None => job.members.push(Member {
                    flow: i,
                    tests: Some(vec![test.clone()]),
                }),
            }
        }
    }
    suites.sort_by(|a, b| a.0.cmp(&b.0));
    jobs.extend(suites.into_iter().map(|(_, mut job)| {
        job.unit.specs.sort();
        job
    }));
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::FlowTests;

    fn linked(spec: &str, line: u32, title: &str, config: &str) -> LinkedTest {
        LinkedTest {
            spec: spec.into(),
            line,
            title: title.into(),
            config: config.into(),
        }
    }

    fn flow(id: &str, linked: Vec<LinkedTest>) -> Flow {
        let mut f: Flow = serde_json::from_value(serde_json::json!({ "id": id, "name": id, "pages": ["/"] })).unwrap();
        f.tests = Some(FlowTests {
            linked,
            ..Default::default()
        });
        f
    }

    fn case(name: &str, classname: &str, failure: Option<&str>) -> TestCase {
        TestCase {
            name: name.into(),
            classname: classname.into(),
            time: 0.0,
            failure: failure.map(str::to_string),
            skipped: false,
        }
    }

    fn config() -> RunnerConfig {
        RunnerConfig {
            project_dir: "/repo/apps/web".into(),
            command: None,
            timeout: std::time::Duration::from_secs(1),
            apps: Vec::new(),
        }
    }

    #[test]
    fn a_test_linked_to_two_flows_is_one_argument_of_one_job_serving_both() {
        let shared = linked("e2e/cart.spec.ts", 3, "adds to cart", "playwright.config.ts");
        let other = linked("e2e/admin.spec.ts", 9, "admin › sees stats", "playwright.config.ts");
        let flows = [flow("home", vec![shared.clone()]), flow("cart", vec![shared, other])];
        let jobs = plan(&config(), &flows);
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(jobs[0].unit.specs, ["e2e/admin.spec.ts:9", "e2e/cart.spec.ts:3"]);
        assert_eq!(jobs[0].flow_ids(&flows), "home,cart");
    }

    #[test]
    fn cases_go_to_the_flows_whose_tests_they_are_and_unknown_cases_to_all() {
        let shared = linked("e2e/cart.spec.ts", 3, "adds to cart", "playwright.config.ts");
        let other = linked("e2e/admin.spec.ts", 9, "admin › sees stats", "playwright.config.ts");
        let flows = [flow("home", vec![shared.clone()]), flow("admin", vec![other])];
        let job = plan(&config(), &flows).remove(0);
        let cases = [
            case("adds to cart", "cart.spec.ts", None),
            // mocha-style title, same words
            case("admin sees stats", "sees stats", Some("boom")),
            case("a hook", "", Some("beforeAll failed")),
            // the same title in another file is not the linked test
            case("adds to cart", "other.spec.ts", None),
        ];
        let names = |m: usize| -> Vec<(String, String)> {
            job.cases_for(&job.members[m], &cases)
                .into_iter()
                .map(|c| (c.name.clone(), c.classname.clone()))
                .collect()
        };
        assert_eq!(
            names(0),
            [
                ("adds to cart".to_string(), "cart.spec.ts".to_string()),
                ("a hook".into(), "".into()),
                ("adds to cart".into(), "other.spec.ts".into())
            ]
        );
        assert_eq!(
            names(1),
            [
                ("admin sees stats".to_string(), "sees stats".to_string()),
                ("a hook".into(), "".into()),
                ("adds to cart".into(), "other.spec.ts".into())
            ]
        );
    }
}
