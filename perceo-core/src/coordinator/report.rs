//! `perceo ci report`: the latest analysis and test run as JSON, JUnit XML, Markdown (for a
//! PR comment or `$GITHUB_STEP_SUMMARY`) or a self-contained HTML page; and GitHub Actions
//! annotations.

use std::fmt::Write;

use super::{FlowStatus, TestRunReport};
use crate::impact::ImpactReport;

/// Output formats of `ci report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Both documents as one JSON object.
    Json,
    /// JUnit XML: one test case per flow.
    Junit,
    /// Markdown.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn status_word(s: FlowStatus) -> &'static str {
    match s {
        FlowStatus::Passed => "passed",
        FlowStatus::Failed => "FAILED",
        FlowStatus::Uncovered => "no tests",
    }
}

fn markdown(analysis: Option<&ImpactReport>, run: Option<&TestRunReport>) -> String {
    let mut out = String::from("## Perceo: flows at risk\n\n");
    match analysis {
        Some(a) => {
            let _ = writeln!(
                out,
                "{} file(s) changed (`{}`…`{}`); **{} of {} flow(s) affected**.\n",
                a.totals.changed_files,
                &a.merge_base[..a.merge_base.len().min(8)],
                &a.head_sha[..a.head_sha.len().min(8)],
                a.totals.affected_flows,
                a.totals.flows
            );
            if !a.flows.is_empty() {
                out.push_str("| risk | flow | priority | why |\n|---:|---|---|---|\n");
                for f in &a.flows {
                    let why = f.reasons.first().map_or(String::new(), |r| {
                        let chain = if r.chain.len() > 1 {
                            r.chain.join(" → ")
                        } else {
                            r.changed_file.clone()
                        };
                        format!("{} (`{}`)", r.detail, chain)
                    });
                    let _ = writeln!(
                        out,
                        "| {:.2} {} | **{}** ({}) | {} | {} |",
                        f.risk_score,
                        f.risk_level.as_str(),
                        f.name,
                        f.id,
                        f.priority.as_str(),
                        why.replace('|', "\\\\|")
                    );
                }
            }
            for w in &a.warnings {
                let _ = writeln!(out, "\n> ⚠️ {w}");
            }
        }
        None => out.push_str("No analysis yet: run `perceo ci analyze`.\n"),
    }
    out.push_str("\n### Tests of the affected flows\n\n");
    match run {
        Some(r) => {
            let _ = writeln!(
                out,
                "{} passed, {} failed, {} without tests ({} ms{}).\n",
                r.passed,
                r.failed,
                r.uncovered,
                r.duration_ms,
                r.shard.map_or(String::new(), |[i, n]| format!(", shard {i}/{n}"))
            );
            for f in &r.flows {
                let _ = writeln!(
                    out,
                    "- {} **{}** ({} ms)",
                    status_word(f.status),
                    f.flow_id,
                    f.duration_ms
                );
                for failure in &f.failures {
                    let _ = writeln!(out, "  - `{}`", failure.replace('`', "'"));
                }
            }
        }
        None => out.push_str("No test run yet: run `perceo ci test`.\n"),
    }
    out
}

fn junit(run: Option<&TestRunReport>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let Some(r) = run else {
        out.push_str("<testsuites name=\"perceo\" tests=\"0\" failures=\"0\"/>\n");
        return out;
    };
    let _ = writeln!(
        out,
        "<testsuites name=\"perceo\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        r.flows.len(),
        r.failed,
        r.uncovered,
        r.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"flows\" tests=\"{}\" failures=\"{}\">",
        r.flows.len(),
        r.failed
    );
    for f in &r.flows {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"perceo.flows\" time=\"{:.3}\"",
            escape_xml(&f.flow_id),
            f.duration_ms as f64 / 1000.0
        );
        match f.status {
            FlowStatus::Passed => out.push_str("/>\n"),
            FlowStatus::Failed => {
                let _ = writeln!(
                    out,
                    "><failure message=\"{}\">{}</failure></testcase>",
                    escape_xml(f.failures.first().map_or("failed", String::as_str)),
                    escape_xml(&f.failures.join("\n"))
                );
            }
            FlowStatus::Uncovered => out.push_str("><skipped message=\"the flow has no tests\"/></testcase>\n"),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn html(analysis: Option<&ImpactReport>, run: Option<&TestRunReport>) -> String {
    // The Markdown, escaped, inside a styled page: self-contained, no scripts, no assets.
    let body = escape_xml(&markdown(analysis, run));
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Perceo report</title>\n<style>body{{font:14px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2328}}pre{{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}}</style></head>\n<body><h1>Perceo report</h1><pre>{body}</pre></body></html>\n"
    )
}

/// Renders the latest analysis and test run.
pub fn render(format: ReportFormat, analysis: Option<&ImpactReport>, run: Option<&TestRunReport>) -> String {
    match format {
        ReportFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({"analysis": analysis, "testRun": run})).unwrap_or_default()
                + "\n"
        }
        ReportFormat::Junit => junit(run),
        ReportFormat::Markdown => markdown(analysis, run),
        ReportFormat::Html => html(analysis, run),
    }
}

/// GitHub Actions annotations: an `::error` on each changed file that puts a high or
/// critical risk flow at risk (a `::warning` for medium), once per file and flow. GitHub wants
/// paths from the repository root: `prefix` is the project's folder in the repository (`""`
/// at the root, else e.g. `apps/web`).
pub fn annotations(analysis: &ImpactReport, prefix: &str) -> Vec<String> {
    use crate::config::Severity;
    let mut out = Vec::new();
    for f in analysis.flows.iter().filter(|f| f.risk_level >= Severity::Medium) {
        let level = if f.risk_level >= Severity::High {
            "error"
        } else {
            "warning"
        };
        for file in &f.matched_files {
            let file = crate::git::repo_path(prefix, file);
            out.push(format!(
                "::{level} file={file},title=Perceo: flow at risk::{} ({}) risk {:.2} {}",
                f.name,
                f.id,
                f.risk_score,
                f.risk_level.as_str()
            ));
        }
    }
    out.dedup();
    out
}
