//! LLM-assisted classification (`observer.analysis.useLLM`): when the static confidence that a
//! change affects a flow is below `llmThreshold`, an OpenAI-compatible chat-completions
//! endpoint is asked, with a bounded prompt (the flow's steps and the diff hunks of the files
//! that reach it), whether the change affects the flow. The answer moves the confidence — up to
//! at most 0.95 when it says yes, down by at most half when it says no (a flow is never
//! dropped on an LLM's word) — and is recorded as a reason of kind `llm`. Every failure
//! (timeout, HTTP error, an answer that does not parse) keeps the static result and becomes a
//! warning: the LLM is never required.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::flows::Flow;
use crate::impact::risk::{level, rescore};
use crate::impact::{AffectedFlow, Reason, ReasonKind};

/// The most diff text sent per question, in characters.
pub const MAX_DIFF_CHARS: usize = 6000;
/// The most steps described per question.
pub const MAX_STEPS: usize = 20;
/// The highest confidence an LLM's "yes" can give.
pub const MAX_LLM_CONFIDENCE: f64 = 0.95;

/// What the LLM answered about one flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the change affects the flow.
    pub affects: bool,
    /// How sure it is (0..1).
    pub confidence: f64,
    /// Its one-sentence reason.
    #[serde(default)]
    pub reason: String,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `system` or `user`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// The system prompt: the task and the answer's exact shape.
const SYSTEM: &str = "You review code changes for a regression-testing tool. Given a user flow of a web \
application and a diff, decide whether the change can alter what users see or do in that flow. \
Answer with one JSON object and nothing else: {\"affects\": true|false, \"confidence\": 0.0-1.0, \
\"reason\": \"one short sentence\"}.";

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}\n… (truncated)", &text[..at]),
        None => text.to_string(),
    }
}

/// The messages asking about `flow` given the `diff` of the files that reach it and the static
/// analysis' reasons (all bounded in size).
pub fn prompt(flow: &Flow, affected: &AffectedFlow, diff: &str) -> Vec<Message> {
    let mut user = format!("Flow: {} ({})\n", flow.name, flow.id);
    if let Some(d) = &flow.description {
        user.push_str(&format!("What the user does: {}\n", truncate(d, 500)));
    }
    if !flow.pages.is_empty() {
        user.push_str(&format!("Pages: {}\n", flow.pages.join(", ")));
    }
    user.push_str("Steps:\n");
    for (i, step) in flow.steps.iter().take(MAX_STEPS).enumerate() {
        user.push_str(&format!(
            "{}. {}{}{}\n",
            i + 1,
            truncate(&step.name, 200),
            step.page.as_deref().map(|p| format!(" [page {p}]")).unwrap_or_default(),
            step.event
                .as_deref()
                .map(|e| format!(" [event {e}]"))
                .unwrap_or_default()
        ));
    }
    user.push_str(&format!("\nStatic analysis (confidence {:.2}):\n", affected.confidence));
    for r in affected.reasons.iter().take(5) {
        user.push_str(&format!("- {}\n", truncate(&r.detail, 300)));
    }
    user.push_str(&format!("\nDiff:\n{}\n", truncate(diff, MAX_DIFF_CHARS)));
    vec![
        Message {
            role: "system".into(),
            content: SYSTEM.into(),
        },
        Message {
            role: "user".into(),
            content: user,
        },
    ]
}

/// The verdict inside a chat answer's text (the first `{…}` object that decodes), if any.
pub fn parse_verdict(content: &str) -> Option<Verdict> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    let mut verdict: Verdict = serde_json::from_str(content.get(start..=end)?).ok()?;
    if !verdict.confidence.is_finite() {
        return None;
    }
    verdict.confidence = verdict.confidence.clamp(0.0, 1.0);
    verdict.reason = truncate(verdict.reason.trim(), 300);
    Some(verdict)
}

/// Moves `flow`'s confidence and risk by `verdict` and records it as its first reason.
pub fn apply(flow: &mut AffectedFlow, verdict: &Verdict, model: &str) {
    let before = flow.confidence;
    let after = if verdict.affects {
        before.max(verdict.confidence.min(MAX_LLM_CONFIDENCE))
    } else {
        before * (1.0 - 0.5 * verdict.confidence)
    };
    let after = (after * 1000.0).round() / 1000.0;
    let (risk, factors) = rescore(&flow.risk_factors, after);
    flow.confidence = after;
    flow.risk_score = risk;
    flow.risk_level = level(risk);
    flow.risk_factors = factors;
    flow.reasons.insert(
        0,
        Reason {
            kind: ReasonKind::Llm,
            changed_file: flow.matched_files.first().cloned().unwrap_or_default(),
            chain: Vec::new(),
            confidence: after,
            detail: format!(
                "LLM ({model}) says the change {} this flow ({:.0}% sure): {} — confidence {before:.2} → {after:.2}",
                if verdict.affects { "affects" } else { "does not affect" },
                verdict.confidence * 100.0,
                if verdict.reason.is_empty() {
                    "no reason given"
                } else {
                    &verdict.reason
                },
            ),
        },
    );
}

/// A chat-completions client.
#[derive(Debug, Clone)]
pub struct LlmClient {
    #[cfg(feature = "llm")]
    http: reqwest::Client,
    /// Without the `llm` feature no client can be made.
    #[cfg(not(feature = "llm"))]
    never: std::convert::Infallible,
    #[cfg(feature = "llm")]
    url: String,
    model: String,
    #[cfg(feature = "llm")]
    key: Option<String>,
}

#[cfg(feature = "llm")]
#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
}

#[cfg(feature = "llm")]
#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[cfg(feature = "llm")]
#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

impl LlmClient {
    /// A client of `{base_url}/chat/completions` asking `model`, each question under `timeout`.
    #[cfg(feature = "llm")]
    pub fn new(base_url: &str, model: &str, key: Option<String>, timeout: Duration) -> crate::Result<LlmClient> {
        let http = crate::http::http_client(crate::http::Timeouts {
            connect: timeout.min(Duration::from_secs(5)),
            request: timeout,
        })?;
        Ok(LlmClient {
            http,
            url: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            model: model.to_string(),
            key,
        })
    }

    /// Without the `llm` feature, always [`crate::Error::Unsupported`].
    #[cfg(not(feature = "llm"))]
    pub fn new(_base_url: &str, _model: &str, _key: Option<String>, _timeout: Duration) -> crate::Result<LlmClient> {
        Err(crate::Error::unsupported(
            "the LLM pass (`observer.analysis.useLLM`)",
            "llm",
        ))
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Asks once (no retry: a slow LLM must not slow CI down). The error text never holds the key.
    pub async fn classify(&self, messages: &[Message]) -> std::result::Result<Verdict, String> {
        let content = self.ask(messages).await?;
        parse_verdict(&content).ok_or_else(|| {
            "the answer is not the JSON verdict asked for ({\"affects\", \"confidence\", \"reason\"})".to_string()
        })
    }

    #[cfg(not(feature = "llm"))]
    async fn ask(&self, _messages: &[Message]) -> std::result::Result<String, String> {
        match self.never {}
    }

    /// The content of the model's answer to `messages`.
    #[cfg(feature = "llm")]
    async fn ask(&self, messages: &[Message]) -> std::result::Result<String, String> {
        let body = serde_json::json!({
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": 200,
        });
        let mut request = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                "no answer in time".to_string()
            } else {
                e.without_url().to_string()
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the endpoint answered {status}"));
        }
        let chat: ChatResponse = response
            .json()
            .await
            .map_err(|e| format!("the answer is not a chat completion: {}", e.without_url()))?;
        chat.choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(|| "the answer has no message".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impact::risk::{History, score};

    fn affected(confidence: f64) -> AffectedFlow {
        let (risk, factors) = score(confidence, crate::config::Severity::High, 10, History::default());
        AffectedFlow {
            id: "checkout".into(),
            name: "Checkout".into(),
            app: None,
            confidence,
            risk_score: risk,
            risk_level: level(risk),
            priority: crate::config::Severity::High,
            risk_factors: factors,
            reasons: Vec::new(),
            matched_files: vec!["src/lib/format.ts".into()],
            has_tests: true,
        }
    }

    #[test]
    fn verdicts_parse_from_fenced_or_chatty_answers_and_malformed_ones_do_not() {
        let v = parse_verdict(
            "Sure!\n```json\n{\"affects\": true, \"confidence\": 1.7, \"reason\": \"price format\"}\n```",
        )
        .unwrap();
        assert_eq!(
            (v.affects, v.confidence, v.reason.as_str()),
            (true, 1.0, "price format")
        );
        assert_eq!(parse_verdict("no idea"), None);
        assert_eq!(parse_verdict("{\"affects\": \"maybe\"}"), None);
        assert_eq!(parse_verdict("{\"confidence\": 0.5}"), None);
    }

    #[test]
    fn yes_raises_to_at_most_095_no_lowers_by_at_most_half_and_both_are_recorded() {
        let mut yes = affected(0.4);
        let risk_before = yes.risk_score;
        apply(
            &mut yes,
            &Verdict {
                affects: true,
                confidence: 1.0,
                reason: "formats the total".into(),
            },
            "m",
        );
        assert_eq!(yes.confidence, 0.95);
        assert!(yes.risk_score > risk_before);
        assert_eq!(yes.reasons[0].kind, ReasonKind::Llm);
        assert!(
            yes.reasons[0]
                .detail
                .contains("LLM (m) says the change affects this flow (100% sure): formats the total")
        );
        let mut no = affected(0.4);
        apply(
            &mut no,
            &Verdict {
                affects: false,
                confidence: 1.0,
                reason: String::new(),
            },
            "m",
        );
        assert_eq!(no.confidence, 0.2);
        assert!(no.reasons[0].detail.contains("does not affect"));
    }

    #[test]
    fn the_prompt_is_bounded() {
        let flow: Flow = serde_json::from_value(serde_json::json!({
            "id": "checkout", "name": "Checkout", "pages": ["/checkout"],
            "steps": (0..50).map(|i| serde_json::json!({"name": format!("step {i}")})).collect::<Vec<_>>()
        }))
        .unwrap();
        let diff = "+x\n".repeat(10_000);
        let messages = prompt(&flow, &affected(0.3), &diff);
        let user = &messages[1].content;
        assert!(user.contains("20. step 19") && !user.contains("21. step 20"));
        assert!(user.contains("… (truncated)"));
        assert!(user.len() < MAX_DIFF_CHARS + 3000, "{}", user.len());
    }
}
