//! The options of the facade's calls, parsed and defaulted here once: the CLI, the C ABI
//! and the Node binding only convert their own types into these.

use std::path::PathBuf;

use crate::config::Env;
use crate::error::{Error, Result};
use crate::impact::OnEmpty;

/// Options for [`Perceo::open`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Environment for configuration (`PERCEO_*`, `NODE_ENV`, `${VAR}`). Default: empty;
    /// bindings pass [`Env::from_process`].
    pub env: Env,
    /// Run every engine in-process even where an `apiBaseUrl` is configured. Default: false
    /// (the CLI sets it with `--local` or `PERCEO_LOCAL=1`).
    pub local: bool,
    /// The config file to use instead of `.perceo/config.json`, as `PERCEO_CONFIG_PATH` does
    /// (and over it). Default: none (the C and Node `configPath` argument sets it).
    pub config_path: Option<PathBuf>,
}

/// What to compare in [`Perceo::analyze`].
#[derive(Debug, Clone)]
pub enum ChangeSource {
    /// `base...head`: from the merge base of the two refs to `head`.
    Refs {
        /// Base ref (branch, tag, SHA, `HEAD~n`).
        base: String,
        /// Head ref.
        head: String,
    },
    /// Uncommitted work (staged, unstaged, untracked) against HEAD.
    WorkingTree,
}

impl ChangeSource {
    /// The one rule every binding follows: a base gives `base...head` (head defaults to
    /// `HEAD`); no base gives the uncommitted work, and then a head is an error (it would be
    /// ignored).
    pub fn new(base: Option<String>, head: Option<String>) -> Result<ChangeSource> {
        match (base, head) {
            (Some(base), head) => Ok(ChangeSource::Refs {
                base,
                head: head.unwrap_or_else(|| "HEAD".into()),
            }),
            (None, None) => Ok(ChangeSource::WorkingTree),
            (None, Some(head)) => Err(Error::Argument(format!(
                "a head (`{head}`) without a base: give a base too, or neither for the uncommitted work"
            ))),
        }
    }
}

/// Which flows [`Perceo::run_tests`] runs, as a user names them: `analyze` (the default),
/// `all`, or the path of a saved `ci analyze --json` report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FlowsFrom {
    /// The flows a fresh analysis selects.
    #[default]
    Analyze,
    /// Every flow.
    All,
    /// The flows of a saved ImpactReport.
    Report(std::path::PathBuf),
}

impl std::str::FromStr for FlowsFrom {
    type Err = Error;

    fn from_str(text: &str) -> Result<FlowsFrom> {
        Ok(match text {
            "analyze" => FlowsFrom::Analyze,
            "all" => FlowsFrom::All,
            "" => {
                return Err(Error::Argument(
                    "flowsFrom is empty: give analyze, all or a report file".into(),
                ));
            }
            path => FlowsFrom::Report(path.into()),
        })
    }
}

/// How long each check of [`Perceo::doctor`] may take unless the caller says.
pub const DEFAULT_CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Options for [`Perceo::analyze`].
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// What changed.
    pub source: ChangeSource,
    /// What to select when code changed but no flow is affected. Default: all flows.
    pub on_empty: OnEmpty,
}

/// Which flows `run_tests` runs.
#[derive(Debug, Clone)]
pub enum TestSelection {
    /// The flows a fresh analysis selects.
    Analyze(AnalyzeOptions),
    /// The flows of a saved ImpactReport (`flows[].id`, and `changeId`).
    Report(serde_json::Value),
    /// Every flow.
    All,
}

/// Options for [`Perceo::run_tests`].
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Which flows.
    pub selection: TestSelection,
    /// How many flows' tests run at once. Default: `observer.ci.parallelism`.
    pub parallel: Option<usize>,
    /// Run only shard `i` of `n` (1-based).
    pub shard: Option<(usize, usize)>,
}

impl TestOptions {
    /// The options every binding builds: which flows (`Analyze` analyses `source`, with every
    /// flow selected when no flow is affected), how many at once, and which shard (see
    /// [`parse_shard`](crate::coordinator::shard::parse_shard)). A saved report is read here.
    pub fn new(
        flows_from: FlowsFrom,
        source: ChangeSource,
        parallel: Option<usize>,
        shard: Option<(usize, usize)>,
    ) -> Result<TestOptions> {
        let selection = match flows_from {
            FlowsFrom::Analyze => TestSelection::Analyze(AnalyzeOptions {
                source,
                on_empty: OnEmpty::All,
            }),
            FlowsFrom::All => TestSelection::All,
            FlowsFrom::Report(file) => {
                let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
                TestSelection::Report(
                    serde_json::from_str(&text)
                        .map_err(|e| Error::Argument(format!("flows from {}: not JSON ({e})", file.display())))?,
                )
            }
        };
        Ok(TestOptions {
            selection,
            parallel,
            shard,
        })
    }
}

#[cfg(test)]
mod option_tests {
    use super::*;

    #[test]
    fn one_base_and_head_rule_for_every_binding() {
        assert!(matches!(
            ChangeSource::new(Some("main".into()), None).unwrap(),
            ChangeSource::Refs { base, head } if base == "main" && head == "HEAD"
        ));
        assert!(matches!(
            ChangeSource::new(Some("main".into()), Some("feature".into())).unwrap(),
            ChangeSource::Refs { head, .. } if head == "feature"
        ));
        assert!(matches!(
            ChangeSource::new(None, None).unwrap(),
            ChangeSource::WorkingTree
        ));
        let e = ChangeSource::new(None, Some("feature".into())).unwrap_err();
        assert_eq!(e.code(), "argument");
        assert!(e.to_string().contains("without a base"), "{e}");
    }

    #[test]
    fn option_words_parse_in_the_core() {
        assert_eq!("analyze".parse::<FlowsFrom>().unwrap(), FlowsFrom::Analyze);
        assert_eq!("all".parse::<FlowsFrom>().unwrap(), FlowsFrom::All);
        assert_eq!(
            "out/report.json".parse::<FlowsFrom>().unwrap(),
            FlowsFrom::Report("out/report.json".into())
        );
        assert!("".parse::<FlowsFrom>().is_err());
        assert_eq!(FlowsFrom::default(), FlowsFrom::Analyze);
        for name in OnEmpty::NAMES {
            assert_eq!(name.parse::<OnEmpty>().unwrap().as_str(), name);
        }
        assert!(
            "sometimes"
                .parse::<OnEmpty>()
                .unwrap_err()
                .to_string()
                .contains("all, none or smoke")
        );
        let missing = TestOptions::new(
            FlowsFrom::Report("/no/such/report.json".into()),
            ChangeSource::WorkingTree,
            None,
            None,
        );
        assert_eq!(missing.unwrap_err().code(), "io");
    }
}
