//! The demo's output: stdout and stderr read to the end with a cap on what is kept, and
//! `@progress {...}` lines on stderr turned into progress updates that can neither flood
//! the server nor break the protocol's rules.
//!
//! Progress goes through a `watch` channel: one slot, the latest update replacing any
//! that was not taken yet, so a demo printing progress faster than the client reads
//! costs no memory. Each update is checked: finite numbers in a sane range only, the
//! message cut to [`MESSAGE_CAP`] bytes, never above the total, and strictly increasing
//! (an update that does not advance is dropped).

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::watch;

/// Longest progress message passed on, in bytes.
pub const MESSAGE_CAP: usize = 1024;
/// Largest progress or total accepted: far beyond any real count, and small enough that
/// the protocol layer's own small steps above it still increase the value.
pub const LARGEST: f64 = 1e12;
/// Longest stderr line examined at once.
const MAX_LINE: usize = 64 * 1024;

/// A `@progress {...}` line from the demo's stderr, after [`ProgressGate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

/// Admits only well-formed, advancing progress.
#[derive(Default)]
pub struct ProgressGate {
    last: Option<f64>,
}

fn sane(value: f64) -> bool {
    value.is_finite() && (0.0..=LARGEST).contains(&value)
}

impl ProgressGate {
    pub fn admit(&mut self, line: &[u8]) -> Option<Progress> {
        let value: serde_json::Value = serde_json::from_slice(line).ok()?;
        let progress = value.get("progress")?.as_f64().filter(|p| sane(*p))?;
        let total = value
            .get("total")
            .and_then(serde_json::Value::as_f64)
            .filter(|t| sane(*t) && *t > 0.0);
        let progress = total.map_or(progress, |t| progress.min(t));
        if self.last.is_some_and(|last| progress <= last) {
            return None;
        }
        self.last = Some(progress);
        let message = value.get("message").and_then(|m| m.as_str()).map(|m| {
            let mut end = m.len().min(MESSAGE_CAP);
            while !m.is_char_boundary(end) {
                end -= 1;
            }
            m[..end].to_string()
        });
        Some(Progress {
            progress,
            total,
            message,
        })
    }
}

/// Reads a stream to the end, keeping at most `cap` bytes.
pub async fn drain_capped(mut reader: impl AsyncRead + Unpin, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut truncated = false;
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

/// Reads stderr line by line: `@progress` lines go through the gate to `progress`, the
/// rest is kept up to `cap` bytes.
pub async fn drain_stderr(
    reader: impl AsyncRead + Unpin,
    cap: usize,
    progress: Option<watch::Sender<Option<Progress>>>,
) -> (Vec<u8>, bool) {
    let mut reader = BufReader::new(reader);
    let mut gate = ProgressGate::default();
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        // Bounded line reads: a newline-free flood cannot grow `line` without limit.
        let n = match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(n) => n,
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        if let Some(json) = line.strip_prefix(b"@progress ") {
            // A progress line is never kept as output, admitted or not.
            if let (Some(tx), Some(update)) = (&progress, gate.admit(json)) {
                tx.send_replace(Some(update));
            }
            continue;
        }
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&line[..line.len().min(room)]);
        truncated |= line.len() > room;
    }
    (kept, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admit(gate: &mut ProgressGate, line: &str) -> Option<Progress> {
        gate.admit(line.as_bytes())
    }

    #[test]
    fn progress_must_be_finite_in_range_and_increasing() {
        let mut gate = ProgressGate::default();
        assert!(admit(&mut gate, r#"{"progress": 1e308}"#).is_none());
        assert!(admit(&mut gate, r#"{"progress": -1}"#).is_none());
        assert!(admit(&mut gate, r#"{"progress": "NaN"}"#).is_none());
        assert!(admit(&mut gate, r#"{"progress": NaN}"#).is_none());
        assert_eq!(
            admit(&mut gate, r#"{"progress": 2}"#).unwrap().progress,
            2.0
        );
        assert!(admit(&mut gate, r#"{"progress": 2}"#).is_none());
        assert!(admit(&mut gate, r#"{"progress": 1.5}"#).is_none());
        assert_eq!(
            admit(&mut gate, r#"{"progress": 3}"#).unwrap().progress,
            3.0
        );
    }

    #[test]
    fn progress_never_exceeds_its_total_and_bad_totals_are_dropped() {
        let mut gate = ProgressGate::default();
        let p = admit(&mut gate, r#"{"progress": 50, "total": 10}"#).unwrap();
        assert_eq!((p.progress, p.total), (10.0, Some(10.0)));
        assert!(admit(&mut gate, r#"{"progress": 60, "total": 10}"#).is_none());
        let p = admit(&mut gate, r#"{"progress": 11, "total": 1e300}"#).unwrap();
        assert_eq!((p.progress, p.total), (11.0, None));
    }

    #[test]
    fn messages_are_cut_at_a_character_boundary() {
        let mut gate = ProgressGate::default();
        let long = "é".repeat(MESSAGE_CAP);
        let line = serde_json::json!({"progress": 1, "message": long}).to_string();
        let message = gate.admit(line.as_bytes()).unwrap().message.unwrap();
        assert!(message.len() <= MESSAGE_CAP && message.len() >= MESSAGE_CAP - 1);
        assert!(message.chars().all(|c| c == 'é'));
    }

    #[tokio::test]
    async fn a_progress_flood_keeps_only_the_latest_update() {
        let mut text = String::new();
        for i in 1..=10_000 {
            text.push_str(&format!(
                "@progress {{\"progress\": {i}, \"message\": \"{}\"}}\n",
                "x".repeat(2000)
            ));
        }
        text.push_str("plain line\n");
        let (tx, rx) = watch::channel(None);
        let (kept, truncated) = drain_stderr(text.as_bytes(), 1024, Some(tx)).await;
        assert_eq!(kept, b"plain line\n");
        assert!(!truncated);
        let last = rx.borrow().clone().unwrap();
        assert_eq!(last.progress, 10_000.0);
        assert_eq!(last.message.unwrap().len(), MESSAGE_CAP);
    }
}
