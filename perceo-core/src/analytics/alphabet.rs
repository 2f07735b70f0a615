//! The step alphabet: every flow step becomes a symbol (its analytics `event`, else its
//! `page` pattern), and every production event is mapped onto a symbol — page views by the
//! most specific flow page pattern their path matches, other events by name. Events no flow
//! mentions get symbols of their own (so coverage gaps can be found), beyond the step range.

use std::collections::HashMap;

use crate::analytics::align::{NOISE, Symbol};
use crate::analytics::event::AnalyticsEvent;
use crate::flows::Flow;

/// What a symbol stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// An analytics event by name (`add_to_cart`).
    Event(String),
    /// A page by pattern (`/product/[id]`) or, for pages no flow names, by its path with
    /// id-like segments replaced by `[id]`.
    Page(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Event(name) => write!(f, "event {name}"),
            Key::Page(path) => write!(f, "page {path}"),
        }
    }
}

/// The symbols of one project's flows, growing as production events name new things.
#[derive(Debug, Clone)]
pub struct Alphabet {
    keys: Vec<Key>,
    ids: HashMap<Key, Symbol>,
    step_symbols: usize,
    covered_symbols: usize,
    patterns: Vec<String>,
    pages: HashMap<String, Symbol>,
}

/// A session's events as symbols, one per event (repeated steps are steps), with the time
/// of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// The symbols.
    pub symbols: Vec<Symbol>,
    /// Time (Unix ms) of each symbol's event.
    pub times: Vec<i64>,
}

/// The key a flow step is marked by in production: its event, else its page (a step whose
/// event is a page view, such as `page_view` on `/blog/[...slug]`, is marked by its page).
pub fn step_key(step: &crate::flows::Step) -> Option<Key> {
    match (&step.event, &step.page) {
        (Some(event), Some(page)) if crate::analytics::event::PAGE_VIEW_EVENTS.contains(&event.as_str()) => {
            Some(Key::Page(page.clone()))
        }
        (Some(event), _) => Some(Key::Event(event.clone())),
        (None, Some(page)) => Some(Key::Page(page.clone())),
        (None, None) => None,
    }
}

/// A path segment that looks like an id: digits, a UUID, or a long token with digits.
fn is_id_like(segment: &str) -> bool {
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    (!segment.is_empty() && digits == segment.len())
        || (segment.len() == 36 && segment.bytes().filter(|b| *b == b'-').count() == 4)
        || (segment.len() >= 16 && digits > 0 && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// `/order/8412/receipt` → `/order/[id]/receipt`.
pub fn normalise_path(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| if is_id_like(s) { "[id]" } else { s })
        .collect();
    format!("/{}", segments.join("/"))
}

impl Alphabet {
    /// The alphabet of `flows`, and each flow's steps as symbols (steps with neither an event
    /// nor a page are left out: production cannot see them).
    pub fn from_flows(flows: &[Flow]) -> (Alphabet, Vec<Vec<Symbol>>) {
        let mut alphabet = Alphabet {
            keys: Vec::new(),
            ids: HashMap::new(),
            step_symbols: 0,
            covered_symbols: 0,
            patterns: Vec::new(),
            pages: HashMap::new(),
        };
        let encoded = flows
            .iter()
            .map(|flow| {
                flow.steps
                    .iter()
                    .filter_map(step_key)
                    .map(|key| alphabet.intern(key))
                    .collect()
            })
            .collect();
        alphabet.step_symbols = alphabet.keys.len();
        for flow in flows {
            for page in &flow.pages {
                alphabet.intern(Key::Page(page.clone()));
            }
        }
        alphabet.covered_symbols = alphabet.keys.len();
        alphabet.patterns = alphabet
            .keys
            .iter()
            .filter_map(|k| match k {
                Key::Page(p) => Some(p.clone()),
                Key::Event(_) => None,
            })
            .collect();
        (alphabet, encoded)
    }

    fn intern(&mut self, key: Key) -> Symbol {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        if self.keys.len() >= usize::from(Symbol::MAX) - 1 {
            return NOISE;
        }
        self.keys.push(key.clone());
        let id = self.keys.len() as Symbol;
        self.ids.insert(key, id);
        id
    }

    /// The symbol of one production event (interning keys no flow mentions).
    pub fn symbol(&mut self, event: &AnalyticsEvent) -> Symbol {
        match (&event.page, event.is_page_view()) {
            (Some(path), true) => {
                if let Some(&id) = self.pages.get(path) {
                    return id;
                }
                let key = match crate::routes::best_pattern(self.patterns.iter().map(String::as_str), path) {
                    Some(pattern) => Key::Page(pattern.to_string()),
                    None => Key::Page(normalise_path(path)),
                };
                let id = self.intern(key);
                self.pages.insert(path.clone(), id);
                id
            }
            _ => {
                if let Some(&id) = self.ids.get(&Key::Event(event.name.clone())) {
                    return id;
                }
                self.intern(Key::Event(event.name.clone()))
            }
        }
    }

    /// A session's events as symbols, one per event: two item pages in a row are two steps
    /// of a flow that visits two items.
    pub fn encode(&mut self, events: &[AnalyticsEvent]) -> Encoded {
        let mut out = Encoded {
            symbols: Vec::with_capacity(events.len()),
            times: Vec::with_capacity(events.len()),
        };
        for event in events {
            out.symbols.push(self.symbol(event));
            out.times.push(event.time_ms);
        }
        out
    }

    /// What `symbol` stands for.
    pub fn key(&self, symbol: Symbol) -> Option<&Key> {
        usize::from(symbol).checked_sub(1).and_then(|i| self.keys.get(i))
    }

    /// Whether `symbol` is some flow's step.
    pub fn is_step(&self, symbol: Symbol) -> bool {
        symbol != NOISE && usize::from(symbol) <= self.step_symbols
    }

    /// Whether some flow mentions `symbol` (as a step or one of its pages).
    pub fn is_covered(&self, symbol: Symbol) -> bool {
        symbol != NOISE && usize::from(symbol) <= self.covered_symbols
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::Step;

    fn step(name: &str, page: Option<&str>, event: Option<&str>) -> Step {
        Step {
            name: name.into(),
            page: page.map(String::from),
            event: event.map(String::from),
            actions: Vec::new(),
            expected: None,
        }
    }

    fn flow(id: &str, pages: &[&str], steps: Vec<Step>) -> Flow {
        serde_json::from_value(serde_json::json!({"id": id, "name": id, "pages": pages}))
            .map(|mut f: Flow| {
                f.steps = steps;
                f
            })
            .unwrap()
    }

    fn ev(name: &str, page: Option<&str>) -> AnalyticsEvent {
        AnalyticsEvent {
            name: name.into(),
            time_ms: 0,
            user: "u".into(),
            session: None,
            page: page.map(String::from),
            device: None,
            new_user: None,
            revenue: None,
            insert_id: None,
        }
    }

    #[test]
    fn steps_pages_and_unknown_events_get_their_symbols() {
        let flows = vec![
            flow(
                "cart",
                &["/product/[id]", "/cart"],
                vec![
                    step("Open", Some("/product/[id]"), Some("view_item")),
                    step("Add", None, Some("add_to_cart")),
                    step("See cart", Some("/cart"), None),
                    step("Invisible", None, None),
                ],
            ),
            flow(
                "special",
                &["/product/special"],
                vec![step("Special", Some("/product/special"), None)],
            ),
            flow(
                "blog",
                &[],
                vec![step("Read", Some("/blog/[...slug]"), Some("page_view"))],
            ),
        ];
        let (mut a, encoded) = Alphabet::from_flows(&flows);
        assert_eq!(encoded, vec![vec![1, 2, 3], vec![4], vec![5]]);
        assert_eq!(
            a.symbol(&ev("page_view", Some("/blog/2026/hello"))),
            5,
            "page-view steps match by page"
        );
        // The most specific pattern wins; a page view of a flow page that is no step is covered.
        assert_eq!(a.symbol(&ev("page_view", Some("/product/special"))), 4);
        let product = a.symbol(&ev("page_view", Some("/product/42")));
        assert_eq!(a.key(product), Some(&Key::Page("/product/[id]".into())));
        assert!(a.is_covered(product) && !a.is_step(product));
        assert_eq!(a.symbol(&ev("page_view", Some("/cart"))), 3);
        assert_eq!(a.symbol(&ev("add_to_cart", Some("/product/42"))), 2);
        let unknown = a.symbol(&ev("page_view", Some("/orders/8412/receipt")));
        assert_eq!(a.key(unknown), Some(&Key::Page("/orders/[id]/receipt".into())));
        assert!(!a.is_covered(unknown));
        assert_eq!(a.symbol(&ev("page_view", Some("/orders/77/receipt"))), unknown);
        let share = a.symbol(&ev("share", None));
        assert!(share > unknown && !a.is_covered(share));
        let enc = a.encode(&[ev("view_item", None), ev("view_item", None), ev("add_to_cart", None)]);
        assert_eq!(enc.symbols, vec![1, 1, 2], "repeated steps are steps");
    }

    #[test]
    fn id_like_segments_normalise() {
        assert_eq!(normalise_path("/u/123e4567-e89b-12d3-a456-426614174000/x"), "/u/[id]/x");
        assert_eq!(normalise_path("/t/ab12cd34ef56gh78"), "/t/[id]");
        assert_eq!(normalise_path("/about"), "/about");
        assert_eq!(normalise_path("/"), "/");
    }
}
