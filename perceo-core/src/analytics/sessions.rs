//! Events grouped per user into sessions: the provider's session id when it has one, else a
//! new session after `analytics.correlation.sessionTimeoutMinutes` of inactivity.

use std::collections::HashSet;

use crate::analytics::event::AnalyticsEvent;

/// One visit of one user: their events in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Who (user id or device id).
    pub user: String,
    /// Device class of the session (the first event's that has one).
    pub device: Option<String>,
    /// Whether it was the user's first session, when the provider says.
    pub new_user: Option<bool>,
    /// The events, oldest first (at least one).
    pub events: Vec<AnalyticsEvent>,
}

impl Session {
    /// Time of the first event (Unix ms).
    pub fn start_ms(&self) -> i64 {
        self.events.first().map_or(0, |e| e.time_ms)
    }

    /// Time of the last event (Unix ms).
    pub fn end_ms(&self) -> i64 {
        self.events.last().map_or(0, |e| e.time_ms)
    }
}

/// Cuts `events` (any order) into sessions, ordered by user then start time. Duplicate events
/// (same user, name and time, and the same insert id — or page when there is no id) are
/// dropped. A user's first session counts as new
/// when no event says otherwise and the user has no earlier event in `events` — callers pass
/// the whole correlation window, so "new" means new within it.
pub fn sessionize(mut events: Vec<AnalyticsEvent>, timeout_ms: i64) -> Vec<Session> {
    events.sort_by(|a, b| (&a.user, a.time_ms, &a.name).cmp(&(&b.user, b.time_ms, &b.name)));
    let mut seen: HashSet<(String, i64, String)> = HashSet::new();
    let mut sessions: Vec<Session> = Vec::new();
    for event in events {
        // Fetched twice (overlapping syncs, or a provider that repeats itself): the provider's
        // id when there is one, else the event's identity.
        let identity = event.insert_id.as_deref().or(event.page.as_deref()).unwrap_or("");
        if !seen.insert((
            event.user.clone(),
            event.time_ms,
            format!("{}\u{0}{identity}", event.name),
        )) {
            continue;
        }
        let continues = sessions.last().is_some_and(|s| {
            let last = s.events.last().expect("sessions are never empty");
            s.user == event.user
                && match (&last.session, &event.session) {
                    (Some(a), Some(b)) => a == b,
                    // As GA4: a session has timed out once the inactivity reaches the
                    // timeout, so an event exactly `timeout_ms` later starts a new one.
                    _ => event.time_ms - last.time_ms < timeout_ms,
                }
        });
        if continues {
            let session = sessions.last_mut().expect("checked above");
            if session.device.is_none() {
                session.device.clone_from(&event.device);
            }
            if session.new_user.is_none() {
                session.new_user = event.new_user;
            }
            session.events.push(event);
        } else {
            sessions.push(Session {
                user: event.user.clone(),
                device: event.device.clone(),
                new_user: event.new_user,
                events: vec![event],
            });
        }
    }
    // Without the provider's word, a user's first session in the window is their new one.
    let mut previous_user: Option<String> = None;
    for s in &mut sessions {
        let first = previous_user.as_deref() != Some(s.user.as_str());
        if s.new_user.is_none() {
            s.new_user = Some(first);
        }
        if first {
            previous_user = Some(s.user.clone());
        }
    }
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(user: &str, time_ms: i64, name: &str, session: Option<&str>) -> AnalyticsEvent {
        AnalyticsEvent {
            name: name.into(),
            time_ms,
            user: user.into(),
            session: session.map(String::from),
            page: None,
            device: Some("mobile".into()),
            new_user: None,
            revenue: None,
            insert_id: Some(format!("{user}-{time_ms}-{name}")),
        }
    }

    const MIN: i64 = 60_000;

    #[test]
    fn inactivity_splits_sessions_per_user() {
        let events = vec![
            ev("b", 0, "x", None),
            ev("a", 41 * MIN, "late", None),
            ev("a", 0, "first", None),
            ev("a", 10 * MIN, "second", None),
        ];
        let sessions = sessionize(events, 30 * MIN);
        let shape: Vec<(String, Vec<String>, Option<bool>)> = sessions
            .iter()
            .map(|s| {
                (
                    s.user.clone(),
                    s.events.iter().map(|e| e.name.clone()).collect(),
                    s.new_user,
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("a".into(), vec!["first".into(), "second".into()], Some(true)),
                ("a".into(), vec!["late".into()], Some(false)),
                ("b".into(), vec!["x".into()], Some(true)),
            ]
        );
        assert_eq!(sessions[0].device.as_deref(), Some("mobile"));
        assert_eq!((sessions[0].start_ms(), sessions[0].end_ms()), (0, 10 * MIN));
    }

    #[test]
    fn provider_session_ids_win_over_the_timeout_and_duplicates_drop() {
        let events = vec![
            ev("a", 0, "x", Some("s1")),
            ev("a", 5 * MIN, "y", Some("s2")),
            ev("a", 90 * MIN, "z", Some("s2")),
            ev("a", 90 * MIN, "z", Some("s2")),
        ];
        let sessions = sessionize(events, 30 * MIN);
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[1].events.len(), 2);
    }

    #[test]
    fn inactivity_of_exactly_the_timeout_starts_a_new_session() {
        let events = vec![
            ev("a", 0, "x", None),
            ev("a", 30 * MIN - 1, "y", None),
            ev("a", 60 * MIN - 1, "z", None),
        ];
        let sessions = sessionize(events, 30 * MIN);
        let sizes: Vec<usize> = sessions.iter().map(|s| s.events.len()).collect();
        assert_eq!(sizes, [2, 1], "29:59.999 keeps the session, 30:00 ends it");
    }
}
