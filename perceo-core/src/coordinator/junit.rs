//! JUnit XML (as Playwright, Jest, Vitest, pytest and most runners write it) → test cases.

use quick_xml::Reader;
use quick_xml::events::Event;

/// One test case of a JUnit report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestCase {
    /// The test's name.
    pub name: String,
    /// Its class or file.
    pub classname: String,
    /// Seconds.
    pub time: f64,
    /// The failure or error message, if it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Whether it was skipped.
    pub skipped: bool,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == key).and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    })
}

/// Parses a JUnit XML document; `Err` with a message when it is not well-formed.
pub fn parse(xml: &str) -> Result<Vec<TestCase>, String> {
    let mut reader = Reader::from_str(xml);
    let mut cases = Vec::new();
    let mut current: Option<TestCase> = None;
    let mut in_failure = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?
        {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testcase" => {
                let case = TestCase {
                    name: attr(&e, "name").unwrap_or_default(),
                    classname: attr(&e, "classname").unwrap_or_default(),
                    time: attr(&e, "time").and_then(|t| t.parse().ok()).unwrap_or(0.0),
                    failure: None,
                    skipped: false,
                };
                if let Some(done) = current.replace(case) {
                    cases.push(done);
                }
            }
            Event::Start(e) | Event::Empty(e) if matches!(e.name().as_ref(), "failure" | "error") => {
                if let Some(c) = current.as_mut() {
                    c.failure = Some(attr(&e, "message").unwrap_or_else(|| "failed".into()));
                    in_failure = true;
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "skipped" => {
                if let Some(c) = current.as_mut() {
                    c.skipped = true;
                }
            }
            Event::Text(t) if in_failure => {
                if let Some(c) = current.as_mut() {
                    let text = t.xml10_content();
                    let text = text.trim();
                    if !text.is_empty() && c.failure.as_deref().is_none_or(|f| f == "failed") {
                        c.failure = Some(text.lines().next().unwrap_or(text).to_string());
                    }
                }
            }
            Event::End(e) if matches!(e.name().as_ref(), "failure" | "error") => in_failure = false,
            Event::End(e) if e.name().as_ref() == "testcase" => {
                if let Some(done) = current.take() {
                    cases.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(done) = current.take() {
        cases.push(done);
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playwright_style_reports_parse() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites id="" name="" tests="3" failures="1" skipped="1" errors="0" time="4.2">
  <testsuite name="cart.spec.ts" tests="3">
    <testcase name="adds an item @cart" classname="cart.spec.ts" time="1.5"></testcase>
    <testcase name="shows the total" classname="cart.spec.ts" time="2.0">
      <failure message="expected 2 to be 3" type="FAILURE">Error: expected 2 to be 3
    at cart.spec.ts:10</failure>
    </testcase>
    <testcase name="later" classname="cart.spec.ts" time="0"><skipped/></testcase>
  </testsuite>
</testsuites>"#;
        let cases = parse(xml).unwrap();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[1].failure.as_deref(), Some("expected 2 to be 3"));
        assert!(cases[2].skipped);
        assert!((cases[0].time - 1.5).abs() < 1e-9);
        assert!(parse("<testsuite><testcase name='x'></testsuite>").is_err());
    }
}
