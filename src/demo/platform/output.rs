//! Reading a demo's output streams: bounded, with `@progress` lines from stderr relayed as
//! they arrive. Shared by the engines in this folder.

use crate::demo::sandbox::Progress;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

/// Longest stderr line looked at: a newline-free flood cannot grow a line without limit.
const MAX_LINE: usize = 64 * 1024;

/// Reads a stream to the end, keeping at most `cap` bytes (the rest is read and dropped,
/// so the demo never blocks on a full pipe).
pub async fn drain_capped(mut reader: impl AsyncRead + Unpin, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut truncated = false;
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => keep(&mut kept, &buf[..n], cap, &mut truncated),
        }
    }
    (kept, truncated)
}

/// Reads stderr line by line: `@progress {json}` lines go to the channel, the rest is kept
/// up to `cap` bytes.
pub async fn drain_stderr(
    reader: impl AsyncRead + Unpin,
    cap: usize,
    progress: Option<mpsc::UnboundedSender<Progress>>,
) -> (Vec<u8>, bool) {
    let mut reader = BufReader::new(reader);
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if let (Some(tx), Some(p)) = (&progress, parse_progress(&line)) {
            let _ = tx.send(p);
            continue;
        }
        keep(&mut kept, &line, cap, &mut truncated);
    }
    (kept, truncated)
}

fn keep(kept: &mut Vec<u8>, data: &[u8], cap: usize, truncated: &mut bool) {
    let room = cap.saturating_sub(kept.len());
    kept.extend_from_slice(&data[..data.len().min(room)]);
    *truncated |= data.len() > room;
}

fn parse_progress(line: &[u8]) -> Option<Progress> {
    let value: serde_json::Value =
        serde_json::from_slice(line.strip_prefix(b"@progress ")?).ok()?;
    Some(Progress {
        progress: value.get("progress")?.as_f64()?,
        total: value.get("total").and_then(serde_json::Value::as_f64),
        message: value
            .get("message")
            .and_then(|m| m.as_str())
            .map(String::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_past_the_cap_is_dropped_and_flagged() {
        let (kept, truncated) = drain_capped(&b"0123456789"[..], 4).await;
        assert_eq!(kept, b"0123");
        assert!(truncated);
        let (kept, truncated) = drain_capped(&b"0123"[..], 4).await;
        assert_eq!(kept, b"0123");
        assert!(!truncated);
    }

    #[tokio::test]
    async fn progress_lines_are_relayed_not_kept() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let input = b"a\n@progress {\"progress\": 2, \"total\": 4, \"message\": \"half\"}\n@progress nope\nb\n";
        let (kept, _) = drain_stderr(&input[..], 1024, Some(tx)).await;
        assert_eq!(kept, b"a\n@progress nope\nb\n");
        let p = rx.recv().await.expect("one progress event");
        assert_eq!((p.progress, p.total), (2.0, Some(4.0)));
        assert_eq!(p.message.as_deref(), Some("half"));
        assert!(rx.recv().await.is_none());
    }
}
