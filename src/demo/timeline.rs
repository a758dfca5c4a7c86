//! The native engine's side of a demo's `timeline` (docs/skill-format.md): each task's
//! start, end and outcome in ms since the demo began, as the Python demos record them,
//! so a viewer draws both engines' results the same way and the tests can compare them.

use serde::Serialize;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::time::Instant;

/// A timeline holds at most this many spans; the rest are counted in `timeline_dropped`.
pub const MAX_SPANS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Failed,
    Cancelled,
    TimedOut,
}

#[derive(Debug, Clone, Serialize)]
struct Span {
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    start_ms: f64,
    end_ms: f64,
    outcome: Outcome,
}

/// Shared by the demo's tasks (clones share the spans); spans are kept in the order they
/// were opened, which is the order the tasks started.
#[derive(Debug, Clone)]
pub struct Timeline {
    start: Instant,
    spans: Arc<Mutex<Vec<Span>>>,
}

/// A span that has started and not yet ended. Dropping it unclosed means its task was
/// aborted (a `JoinSet` abort drops the task's future), so it ends `cancelled` then.
#[derive(Debug)]
pub struct OpenSpan {
    timeline: Timeline,
    index: usize,
    closed: bool,
}

impl Timeline {
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            spans: Arc::default(),
        }
    }

    fn ms(&self) -> f64 {
        (self.start.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
    }

    fn spans(&self) -> std::sync::MutexGuard<'_, Vec<Span>> {
        // A panicking task cannot leave a half-written span: pushes and field writes are
        // single steps, so the data behind a poisoned lock is still whole.
        self.spans.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a span now.
    pub fn open(&self, label: impl Into<String>, group: Option<&str>) -> OpenSpan {
        let now = self.ms();
        let mut spans = self.spans();
        spans.push(Span {
            label: label.into(),
            group: group.map(str::to_string),
            start_ms: now,
            end_ms: now,
            outcome: Outcome::Done,
        });
        OpenSpan {
            timeline: self.clone(),
            index: spans.len() - 1,
            closed: false,
        }
    }

    /// The summary keys: `timeline`, and `timeline_dropped` past [`MAX_SPANS`].
    pub fn summary_keys(&self) -> Vec<(&'static str, Value)> {
        let spans = self.spans();
        let mut keys = vec![(
            "timeline",
            json!(spans.iter().take(MAX_SPANS).collect::<Vec<_>>()),
        )];
        if spans.len() > MAX_SPANS {
            keys.push(("timeline_dropped", json!(spans.len() - MAX_SPANS)));
        }
        keys
    }
}

impl OpenSpan {
    /// Ends the span now with `outcome`.
    pub fn close(mut self, outcome: Outcome) {
        self.end(outcome);
    }

    fn end(&mut self, outcome: Outcome) {
        self.closed = true;
        let now = self.timeline.ms();
        if let Some(span) = self.timeline.spans().get_mut(self.index) {
            span.end_ms = now;
            span.outcome = outcome;
        }
    }
}

impl Drop for OpenSpan {
    fn drop(&mut self) {
        if !self.closed {
            self.end(Outcome::Cancelled);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn spans_keep_their_times_outcomes_and_the_cap() {
        let timeline = Timeline::new(Instant::now());
        let first = timeline.open("a", Some("g"));
        tokio::time::sleep(Duration::from_millis(25)).await;
        first.close(Outcome::Failed);
        drop(timeline.open("b", None));
        for i in 0..MAX_SPANS {
            timeline.open(format!("x{i}"), None).close(Outcome::Done);
        }
        let keys: serde_json::Map<String, Value> = timeline
            .summary_keys()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(
            keys["timeline"][0],
            json!({"label": "a", "group": "g", "start_ms": 0.0, "end_ms": 25.0, "outcome": "failed"})
        );
        assert_eq!(keys["timeline"][1]["outcome"], "cancelled");
        assert!(keys["timeline"][1].get("group").is_none());
        assert_eq!(keys["timeline"].as_array().unwrap().len(), MAX_SPANS);
        assert_eq!(keys["timeline_dropped"], 2);
    }
}
