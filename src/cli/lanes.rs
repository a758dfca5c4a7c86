//! A demo's `timeline` as text lanes, for people who run `async-patterns run` at a
//! terminal: the picture the MCP App view and the catalogue pages draw, so "gather
//! overlaps, one after another does not" is seen without reading the JSON. Written to
//! stderr, beside the other human notes; stdout stays the demo's own output.

use serde_json::Value;

/// One span of the summary's `timeline` (docs/skill-format.md, "The timeline").
struct Span<'a> {
    label: &'a str,
    group: &'a str,
    start_ms: f64,
    end_ms: f64,
    outcome: &'a str,
}

fn spans(timeline: &Value) -> Vec<Span<'_>> {
    let Some(items) = timeline.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|span| {
            let start_ms = span.get("start_ms")?.as_f64()?;
            Some(Span {
                label: span.get("label")?.as_str()?,
                group: span.get("group").and_then(Value::as_str).unwrap_or(""),
                start_ms,
                // A span whose task never ended (a broken demo) runs to the end.
                end_ms: span
                    .get("end_ms")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN),
                outcome: span.get("outcome").and_then(Value::as_str).unwrap_or("?"),
            })
        })
        .collect()
}

/// The lanes, `width` columns for the time axis; `None` when there is no timeline to draw
/// (older demos, other skill folders).
pub fn render(timeline: &Value, width: usize) -> Option<String> {
    let spans = spans(timeline);
    if spans.is_empty() || width < 10 {
        return None;
    }
    let total = spans
        .iter()
        .flat_map(|s| [s.start_ms, s.end_ms])
        .filter(|t| t.is_finite())
        .fold(1.0_f64, f64::max);
    let column = |ms: f64| {
        ((ms / total) * width as f64)
            .round()
            .clamp(0.0, width as f64) as usize
    };
    let label_width = spans
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0);
    // Groups in the order of their first span, as the view draws them.
    let mut groups: Vec<&str> = Vec::new();
    for span in &spans {
        if !groups.contains(&span.group) {
            groups.push(span.group);
        }
    }
    let mut out = String::from("timeline (ms since the demo began):\n");
    for group in groups {
        if !group.is_empty() {
            out.push_str(&format!("{group}\n"));
        }
        for span in spans.iter().filter(|s| s.group == group) {
            let from = column(span.start_ms).min(width - 1);
            let end = if span.end_ms.is_finite() {
                span.end_ms
            } else {
                total
            };
            let to = column(end).max(from + 1).min(width);
            // Done is solid; anything else is shaded and named, so the outcome does not
            // rest on the shade alone.
            let fill = if span.outcome == "done" { '█' } else { '░' };
            let bar: String = (0..width)
                .map(|i| if (from..to).contains(&i) { fill } else { ' ' })
                .collect();
            let note = match span.outcome {
                "done" => String::new(),
                other => format!(" {}", other.replace('_', " ")),
            };
            out.push_str(&format!("  {:<label_width$} |{bar}|{note}\n", span.label));
        }
    }
    let end_label = format!("{} ms", total.round());
    out.push_str(&format!(
        "  {:<label_width$}  0{}{end_label}\n",
        "",
        " ".repeat(width.saturating_sub(1 + end_label.len()))
    ));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::render;
    use serde_json::json;

    fn bar_columns(line: &str) -> std::ops::Range<usize> {
        let bar: Vec<char> = line.split('|').nth(1).unwrap().chars().collect();
        let first = bar.iter().position(|c| *c != ' ').unwrap();
        let last = bar.iter().rposition(|c| *c != ' ').unwrap();
        first..last + 1
    }

    #[test]
    fn gather_overlaps_and_sequential_follows_on() {
        let timeline = json!([
            {"label": "task 0", "group": "gather", "start_ms": 0.0, "end_ms": 100.0, "outcome": "done"},
            {"label": "task 1", "group": "gather", "start_ms": 0.0, "end_ms": 97.0, "outcome": "done"},
            {"label": "task 0", "group": "sequential", "start_ms": 100.0, "end_ms": 200.0, "outcome": "done"},
            {"label": "task 1", "group": "sequential", "start_ms": 200.0, "end_ms": 297.0, "outcome": "done"},
        ]);
        let text = render(&timeline, 40).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "gather");
        assert_eq!(lines[4], "sequential");
        let (g0, g1) = (bar_columns(lines[2]), bar_columns(lines[3]));
        let (s0, s1) = (bar_columns(lines[5]), bar_columns(lines[6]));
        assert!(g0.start == g1.start && g0.end > g1.start, "{text}");
        assert!(s0.end <= s1.start, "{text}");
        assert_eq!(
            s1.end, 40,
            "the last span reaches the end of the axis: {text}"
        );
        assert!(lines[7].trim_end().ends_with("297 ms"), "{text}");
    }

    #[test]
    fn outcomes_other_than_done_are_shaded_and_named() {
        let timeline = json!([
            {"label": "work", "start_ms": 0.0, "end_ms": 100.0, "outcome": "timed_out"},
            {"label": "sibling", "start_ms": 0.0, "end_ms": 50.0, "outcome": "cancelled"},
            {"label": "hung", "start_ms": 10.0, "end_ms": null, "outcome": "done"},
        ]);
        let text = render(&timeline, 20).unwrap();
        assert!(text.contains("░| timed out"), "{text}");
        assert!(text.contains("| cancelled"), "{text}");
        // No group: no header line; the unfinished span runs to the end of the axis.
        assert!(
            text.lines().nth(1).unwrap().starts_with("  work "),
            "{text}"
        );
        assert!(text.lines().nth(3).unwrap().ends_with("█|"), "{text}");
    }

    #[test]
    fn nothing_to_draw_is_none() {
        assert!(render(&json!(null), 40).is_none());
        assert!(render(&json!([]), 40).is_none());
        assert!(render(&json!([{"label": 3}]), 40).is_none());
    }
}
