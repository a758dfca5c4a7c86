//! The native engine: tokio mirrors of the core patterns, producing the same summary
//! keys as the Python demos (docs/skill-format.md). Run on tokio's paused clock they are
//! exact and instant, which makes them a reference the Python demos are compared to, and
//! a way to show a pattern where no Python is installed. Each mirror records the same
//! `timeline` spans as its Python demo (labels, groups, outcomes), with exact times.

use super::timeline::{Outcome, Timeline};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};

/// Entries with a native mirror.
pub const NATIVE_IDS: &[&str] = &[
    "as-completed",
    "gather",
    "producer-consumer",
    "rate-limiting",
    "retry-backoff",
    "semaphore",
    "taskgroup",
    "timeouts",
];

#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("the native engine has no mirror of `{0}`")]
    Unknown(String),
    #[error("parameter `{0}` has the wrong type")]
    BadParam(String),
    #[error("the native engine could not start: {0}")]
    Runtime(String),
}

pub fn supports(id: &str) -> bool {
    NATIVE_IDS.contains(&id)
}

fn int(params: &Map<String, Value>, name: &str, default: u64) -> Result<u64, NativeError> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => v.as_u64().ok_or_else(|| NativeError::BadParam(name.into())),
    }
}

fn num(params: &Map<String, Value>, name: &str, default: f64) -> Result<f64, NativeError> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => v.as_f64().ok_or_else(|| NativeError::BadParam(name.into())),
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn summary(id: &str, ok: bool, timeline: &Timeline, started: Instant, mut extra: Value) -> Value {
    let map = extra.as_object_mut().expect("summaries are objects");
    for (key, value) in timeline.summary_keys() {
        map.insert(key.into(), value);
    }
    map.insert("demo".into(), json!(id));
    map.insert("ok".into(), json!(ok));
    map.insert(
        "elapsed_s".into(),
        json!(round4(started.elapsed().as_secs_f64())),
    );
    map.insert("engine".into(), json!("native"));
    extra
}

/// Runs the mirror of `id` on the current runtime (real or paused clock).
pub async fn run(id: &str, params: &Map<String, Value>) -> Result<Value, NativeError> {
    let started = Instant::now();
    let timeline = Timeline::new(started);
    match id {
        "gather" => {
            let tasks = int(params, "tasks", 3)?;
            let delay = num(params, "delay", 0.1)?;
            // As in gather.py, later tasks sleep a little less, so they finish first.
            let nap = move |i: u64| secs(delay * (1.0 - i as f64 / (10.0 * tasks as f64)));
            let mut set = JoinSet::new();
            for i in 0..tasks {
                let span = timeline.open(format!("task {i}"), Some("gather"));
                set.spawn(async move {
                    sleep(nap(i)).await;
                    span.close(Outcome::Done);
                    (i, i * i)
                });
            }
            let mut results = vec![0u64; tasks as usize];
            while let Some(Ok((i, value))) = set.join_next().await {
                results[i as usize] = value;
            }
            let gather_s = started.elapsed().as_secs_f64();
            // The contrast gather.py also runs: the same work, one await after another.
            let sequential_start = Instant::now();
            for i in 0..tasks {
                let span = timeline.open(format!("task {i}"), Some("sequential"));
                sleep(nap(i)).await;
                span.close(Outcome::Done);
            }
            let sequential_s = sequential_start.elapsed().as_secs_f64();
            Ok(summary(
                id,
                gather_s < delay + 0.1,
                &timeline,
                started,
                json!({
                    "tasks": tasks, "delay": delay, "results": results,
                    "gather_s": round4(gather_s), "sequential_s": round4(sequential_s),
                }),
            ))
        }
        "timeouts" => {
            let timeout = num(params, "timeout", 0.1)?;
            let work = num(params, "work", 1.0)?;
            let span = timeline.open("work under a deadline", None);
            let outcome = tokio::time::timeout(secs(timeout), sleep(secs(work))).await;
            let timed_out = outcome.is_err();
            span.close(if timed_out {
                Outcome::TimedOut
            } else {
                Outcome::Done
            });
            Ok(summary(
                id,
                timed_out == (work > timeout),
                &timeline,
                started,
                json!({
                    "timeout": timeout, "work": work, "timed_out": timed_out,
                    "exception": if timed_out { json!("TimeoutError") } else { Value::Null },
                }),
            ))
        }
        "semaphore" => {
            let tasks = int(params, "tasks", 20)?;
            let limit = int(params, "limit", 5)?;
            let delay = num(params, "delay", 0.1)?;
            let sem = Arc::new(Semaphore::new(limit as usize));
            let inside = Arc::new(AtomicUsize::new(0));
            let peak = Arc::new(AtomicUsize::new(0));
            let mut set = JoinSet::new();
            for i in 0..tasks {
                let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
                let timeline = timeline.clone();
                set.spawn(async move {
                    let _permit = sem.acquire_owned().await.expect("never closed");
                    // The span is the time the task holds a slot, as in semaphore.py.
                    let span = timeline.open(format!("task {i}"), None);
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    sleep(secs(delay)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    span.close(Outcome::Done);
                });
            }
            while set.join_next().await.is_some() {}
            let peak = peak.load(Ordering::SeqCst) as u64;
            Ok(summary(
                id,
                peak == limit.min(tasks),
                &timeline,
                started,
                json!({
                    "tasks": tasks, "limit": limit, "peak_concurrency": peak,
                }),
            ))
        }
        "taskgroup" => {
            let siblings = int(params, "siblings", 3)?;
            let fail_after = num(params, "fail_after", 0.05)?;
            let sibling_delay = num(params, "sibling_delay", 1.0)?;
            // Structured concurrency: the first failure aborts every sibling still running.
            let mut set: JoinSet<Result<String, String>> = JoinSet::new();
            let mut names = BTreeMap::new();
            for i in 0..siblings {
                let name = format!("sibling-{i}");
                let span = timeline.open(name.clone(), None);
                let handle = set.spawn({
                    let name = name.clone();
                    async move {
                        sleep(secs(sibling_delay)).await;
                        span.close(Outcome::Done);
                        Ok(name)
                    }
                });
                names.insert(handle.id(), name);
            }
            let span = timeline.open("failing", None);
            set.spawn(async move {
                sleep(secs(fail_after)).await;
                span.close(Outcome::Failed);
                Err("ValueError".to_string())
            });
            let mut exception_types = Vec::new();
            let mut cancelled = Vec::new();
            while let Some(joined) = set.join_next_with_id().await {
                match joined {
                    Ok((_, Err(kind))) => {
                        exception_types.push(kind);
                        set.abort_all();
                    }
                    Ok((_, Ok(_))) => {}
                    Err(e) if e.is_cancelled() => {
                        if let Some(name) = names.get(&e.id()) {
                            cancelled.push(name.clone());
                        }
                    }
                    Err(e) => return Err(NativeError::Runtime(e.to_string())),
                }
            }
            cancelled.sort();
            let expected = if sibling_delay > fail_after {
                siblings as usize
            } else {
                0
            };
            Ok(summary(
                id,
                cancelled.len() == expected && exception_types == ["ValueError"],
                &timeline,
                started,
                json!({
                    "failed": "failing", "cancelled": cancelled, "exception_types": exception_types,
                }),
            ))
        }
        "producer-consumer" => {
            let items = int(params, "items", 10)?;
            let consumers = int(params, "consumers", 3)?.max(1);
            let delay = num(params, "delay", 0.01)?;
            let (tx, rx) = mpsc::channel::<u64>(consumers as usize);
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            let mut set = JoinSet::new();
            let producer = timeline.open("producer", None);
            for c in 0..consumers {
                let rx = rx.clone();
                let timeline = timeline.clone();
                set.spawn(async move {
                    let mut count = 0u64;
                    loop {
                        let Some(item) = rx.lock().await.recv().await else {
                            return (format!("consumer-{c}"), count);
                        };
                        let span = timeline.open(format!("item {item}"), None);
                        sleep(secs(delay)).await;
                        span.close(Outcome::Done);
                        count += 1;
                    }
                });
            }
            let mut produced = 0u64;
            for i in 0..items {
                if tx.send(i).await.is_ok() {
                    produced += 1;
                }
            }
            drop(tx); // closing the channel is the shutdown signal
            producer.close(Outcome::Done);
            let mut per_consumer = BTreeMap::new();
            while let Some(Ok((name, count))) = set.join_next().await {
                per_consumer.insert(name, count);
            }
            let consumed: u64 = per_consumer.values().sum();
            Ok(summary(
                id,
                produced == consumed && consumed == items,
                &timeline,
                started,
                json!({
                    "produced": produced, "consumed": consumed, "per_consumer": per_consumer,
                    "shutdown_method": "channel-close",
                }),
            ))
        }
        "as-completed" => {
            let tasks = int(params, "tasks", 5)?;
            let delay = num(params, "delay", 0.05)?;
            let mut set = JoinSet::new();
            for i in 0..tasks {
                let span = timeline.open(format!("task {i}"), None);
                set.spawn(async move {
                    sleep(secs((tasks - i) as f64 * delay)).await;
                    span.close(Outcome::Done);
                    i
                });
            }
            let mut order = Vec::new();
            while let Some(Ok(i)) = set.join_next().await {
                order.push(i);
            }
            let submission: Vec<u64> = (0..tasks).collect();
            let reversed: Vec<u64> = submission.iter().rev().copied().collect();
            Ok(summary(
                id,
                order == reversed || delay == 0.0,
                &timeline,
                started,
                json!({
                    "submission_order": submission, "completion_order": order,
                }),
            ))
        }
        "retry-backoff" => {
            let failures = int(params, "failures", 2)?;
            let max_attempts = int(params, "max_attempts", 5)?.max(1);
            let base_delay = num(params, "base_delay", 0.01)?;
            let mut attempts = 0u64;
            let mut delays = Vec::new();
            let mut succeeded = false;
            for n in 0..max_attempts {
                attempts += 1;
                let attempt = timeline.open(format!("attempt {}", n + 1), None);
                if attempts > failures {
                    attempt.close(Outcome::Done);
                    succeeded = true;
                    break;
                }
                attempt.close(Outcome::Failed);
                if n + 1 < max_attempts {
                    let pause = base_delay * 2f64.powi(n as i32);
                    delays.push((pause * 1e6).round() / 1e6);
                    let span = timeline.open(format!("pause {}", n + 1), None);
                    sleep(secs(pause)).await;
                    span.close(Outcome::Done);
                }
            }
            Ok(summary(
                id,
                succeeded == (failures < max_attempts),
                &timeline,
                started,
                json!({
                    "attempts": attempts, "succeeded": succeeded, "delays": delays,
                }),
            ))
        }
        "rate-limiting" => {
            let requests = int(params, "requests", 20)?;
            let rate = num(params, "rate", 50.0)?;
            let burst = int(params, "burst", 5)?.max(1);
            // Token bucket: `burst` tokens up front, one more every 1/rate seconds.
            let mut tokens = burst as f64;
            let mut updated = Instant::now();
            // rate-limiting.py starts every request at once, each waiting for its token.
            let waiting: Vec<_> = (0..requests)
                .map(|i| timeline.open(format!("request {i}"), None))
                .collect();
            for span in waiting {
                loop {
                    let now = Instant::now();
                    tokens = (tokens + (now - updated).as_secs_f64() * rate).min(burst as f64);
                    updated = now;
                    if tokens >= 1.0 {
                        tokens -= 1.0;
                        break;
                    }
                    sleep(secs((1.0 - tokens) / rate)).await;
                }
                span.close(Outcome::Done);
            }
            let expected = ((requests as f64 - burst as f64) / rate).max(0.0);
            let elapsed = started.elapsed().as_secs_f64();
            Ok(summary(
                id,
                elapsed >= expected * 0.99,
                &timeline,
                started,
                json!({
                    "requests": requests, "rate": rate, "burst": burst, "expected_min_s": round4(expected),
                }),
            ))
        }
        other => Err(NativeError::Unknown(other.to_string())),
    }
}

/// Runs the mirror on a fresh single-threaded runtime with a paused clock: sleeps
/// complete instantly in virtual time, so timings are exact. Blocking: call it from a
/// blocking thread.
pub fn run_paused(id: &str, params: &Map<String, Value>) -> Result<Value, NativeError> {
    if !supports(id) {
        return Err(NativeError::Unknown(id.to_string()));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| NativeError::Runtime(e.to_string()))?;
    runtime.block_on(run(id, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paused(id: &str, params: Value) -> Value {
        run_paused(id, params.as_object().unwrap()).unwrap()
    }

    /// `(group/label, start_ms, end_ms, outcome)` per span, in timeline order.
    fn spans(summary: &Value) -> Vec<(String, f64, f64, String)> {
        let spans = summary["timeline"].as_array().expect("a timeline");
        spans
            .iter()
            .map(|s| {
                let group = s["group"]
                    .as_str()
                    .map(|g| format!("{g}/"))
                    .unwrap_or_default();
                (
                    format!("{group}{}", s["label"].as_str().unwrap()),
                    s["start_ms"].as_f64().unwrap(),
                    s["end_ms"].as_f64().unwrap(),
                    s["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn span(name: &str, start: f64, end: f64, outcome: &str) -> (String, f64, f64, String) {
        (name.to_string(), start, end, outcome.to_string())
    }

    #[test]
    fn gather_takes_one_delay_and_keeps_order() {
        let s = paused("gather", json!({}));
        assert_eq!(s["gather_s"], 0.1);
        assert_eq!(s["results"], json!([0, 1, 4]));
        assert_eq!(s["ok"], true);
        // Side by side: gather's three overlap, the sequential three follow one another.
        assert_eq!(
            spans(&s),
            [
                span("gather/task 0", 0.0, 100.0, "done"),
                span("gather/task 1", 0.0, 97.0, "done"),
                span("gather/task 2", 0.0, 94.0, "done"),
                span("sequential/task 0", 100.0, 200.0, "done"),
                span("sequential/task 1", 200.0, 297.0, "done"),
                span("sequential/task 2", 297.0, 391.0, "done"),
            ]
        );
        assert_eq!(
            (s["sequential_s"].clone(), s["elapsed_s"].clone()),
            (json!(0.291), json!(0.391))
        );
    }

    #[test]
    fn timeout_fires_exactly_at_the_deadline() {
        let s = paused("timeouts", json!({}));
        assert_eq!(
            (s["timed_out"].clone(), s["elapsed_s"].clone()),
            (json!(true), json!(0.1))
        );
        assert_eq!(
            spans(&s),
            [span("work under a deadline", 0.0, 100.0, "timed_out")]
        );
        let s = paused("timeouts", json!({"timeout": 1.0, "work": 0.2}));
        assert_eq!(s["timed_out"], false);
        assert_eq!(
            spans(&s),
            [span("work under a deadline", 0.0, 200.0, "done")]
        );
        assert_eq!(s["exception"], Value::Null);
    }

    #[test]
    fn semaphore_peaks_at_its_limit() {
        let s = paused("semaphore", json!({}));
        assert_eq!(s["peak_concurrency"], 5);
        assert_eq!(s["elapsed_s"], 0.4);
        let spans = spans(&s);
        assert_eq!(spans.len(), 20);
        assert_eq!(spans[4], span("task 4", 0.0, 100.0, "done"));
        assert_eq!(spans[19], span("task 19", 300.0, 400.0, "done"));
        assert_eq!(
            paused("semaphore", json!({"tasks": 6, "limit": 2}))["peak_concurrency"],
            2
        );
    }

    #[test]
    fn taskgroup_failure_cancels_every_sibling() {
        let s = paused("taskgroup", json!({}));
        assert_eq!(
            s["cancelled"],
            json!(["sibling-0", "sibling-1", "sibling-2"])
        );
        assert_eq!(s["elapsed_s"], 0.05);
        assert_eq!(
            spans(&s),
            [
                span("sibling-0", 0.0, 50.0, "cancelled"),
                span("sibling-1", 0.0, 50.0, "cancelled"),
                span("sibling-2", 0.0, 50.0, "cancelled"),
                span("failing", 0.0, 50.0, "failed"),
            ]
        );
        assert_eq!(s["ok"], true);
    }

    #[test]
    fn queue_pipeline_consumes_everything() {
        let s = paused("producer-consumer", json!({"items": 30, "consumers": 3}));
        assert_eq!(
            (s["produced"].clone(), s["consumed"].clone()),
            (json!(30), json!(30))
        );
        assert_eq!(s["per_consumer"].as_object().unwrap().len(), 3);
        let spans = spans(&s);
        assert_eq!(spans.len(), 31, "the producer and one span per item");
        assert_eq!(spans[0].0, "producer");
        assert_eq!(spans[30], span("item 29", 90.0, 100.0, "done"));
    }

    #[test]
    fn as_completed_reverses_submission_order() {
        let s = paused("as-completed", json!({}));
        assert_eq!(s["completion_order"], json!([4, 3, 2, 1, 0]));
        assert_eq!(s["elapsed_s"], 0.25);
        assert_eq!(spans(&s)[0], span("task 0", 0.0, 250.0, "done"));
    }

    #[test]
    fn retry_doubles_pauses_and_gives_up() {
        let s = paused("retry-backoff", json!({}));
        assert_eq!(
            (s["attempts"].clone(), s["delays"].clone()),
            (json!(3), json!([0.01, 0.02]))
        );
        assert_eq!(
            spans(&s),
            [
                span("attempt 1", 0.0, 0.0, "failed"),
                span("pause 1", 0.0, 10.0, "done"),
                span("attempt 2", 10.0, 10.0, "failed"),
                span("pause 2", 10.0, 30.0, "done"),
                span("attempt 3", 30.0, 30.0, "done"),
            ]
        );
        let s = paused("retry-backoff", json!({"failures": 9, "max_attempts": 3}));
        assert_eq!(
            (s["succeeded"].clone(), s["attempts"].clone()),
            (json!(false), json!(3))
        );
    }

    #[test]
    fn rate_limiter_admits_burst_then_rate() {
        let s = paused("rate-limiting", json!({}));
        assert_eq!(s["elapsed_s"], 0.3);
        let spans = spans(&s);
        assert_eq!(spans[4], span("request 4", 0.0, 0.0, "done"));
        assert_eq!(spans[19], span("request 19", 0.0, 300.0, "done"));
        assert_eq!(s["expected_min_s"], 0.3);
    }

    #[test]
    fn unknown_id_and_bad_type_are_errors() {
        assert!(run_paused("nope", &Map::new()).is_err());
        assert!(run_paused("gather", json!({"tasks": "x"}).as_object().unwrap()).is_err());
    }

    #[tokio::test]
    async fn real_clock_gather_is_about_one_delay() {
        let s = run("gather", json!({"delay": 0.05}).as_object().unwrap())
            .await
            .unwrap();
        let elapsed = s["elapsed_s"].as_f64().unwrap();
        assert!((0.04..0.5).contains(&elapsed), "{elapsed}");
    }
}
