//! Which flows a test run runs: the ids of a fresh analysis, of a saved ImpactReport, or
//! every flow, resolved against the flow files.

use crate::error::{Error, Result};
use crate::flows::{Flow, FlowSet};

/// The flow ids and the change id of a saved `ci analyze --json` report (`flows[].id`, or
/// `name` for the seed's shape, and `changeId`).
pub fn flows_of_report(json: &serde_json::Value) -> Result<(Vec<String>, Option<String>)> {
    let flows = json.get("flows").and_then(|f| f.as_array()).ok_or_else(|| {
        Error::Argument("the saved report has no `flows` list (save `perceo ci analyze --json`)".into())
    })?;
    let ids = flows
        .iter()
        .map(|f| {
            f.get("id")
                .or_else(|| f.get("name"))
                .and_then(|v| v.as_str())
                .map(String::from)
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error::Argument("a flow in the saved report has no `id`".into()))?;
    Ok((ids, json.get("changeId").and_then(|v| v.as_str()).map(String::from)))
}

/// The flows of `ids`, in that order; an id with no flow file is an error (the analysis is
/// older than the flow files).
pub fn resolve(set: &FlowSet, ids: &[String]) -> Result<Vec<Flow>> {
    ids.iter()
        .map(|id| {
            set.get(id).cloned().ok_or_else(|| {
                Error::Argument(format!(
                    "flow `{id}` of the analysis is not in .perceo/flows (re-run the analysis)"
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_report_gives_its_ids_and_change_id() {
        let json = serde_json::json!({"changeId": "c1", "flows": [{"id": "a"}, {"name": "b"}]});
        assert_eq!(
            flows_of_report(&json).unwrap(),
            (vec!["a".into(), "b".into()], Some("c1".into()))
        );
        assert!(
            flows_of_report(&serde_json::json!({}))
                .unwrap_err()
                .to_string()
                .contains("no `flows` list")
        );
        assert!(flows_of_report(&serde_json::json!({"flows": [{}]})).is_err());
    }
}
