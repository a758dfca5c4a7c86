//! The native engine: tokio mirrors of the core patterns, producing the same summary
//! keys as the Python demos (docs/skill-format.md). Run on tokio's paused clock they are
//! exact and instant, which makes them a reference the Python demos are compared to, and
//! a way to show a pattern where no Python is installed.

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

fn summary(id: &str, ok: bool, started: Instant, mut extra: Value) -> Value {
    let map = extra.as_object_mut().expect("summaries are objects");
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
    match id {
        "gather" => {
            let tasks = int(params, "tasks", 3)?;
            let delay = num(params, "delay", 0.1)?;
            let mut set = JoinSet::new();
            for i in 0..tasks {
                set.spawn(async move {
                    sleep(secs(delay)).await;
                    (i, i * i)
                });
            }
            let mut results = vec![0u64; tasks as usize];
            while let Some(Ok((i, value))) = set.join_next().await {
                results[i as usize] = value;
            }
            let concurrent = started.elapsed().as_secs_f64() < delay + 0.1;
            Ok(summary(
                id,
                concurrent,
                started,
                json!({
                    "tasks": tasks, "delay": delay, "results": results,
                    "sequential_s": round4(tasks as f64 * delay),
                }),
            ))
        }
        "timeouts" => {
            let timeout = num(params, "timeout", 0.1)?;
            let work = num(params, "work", 1.0)?;
            let outcome = tokio::time::timeout(secs(timeout), sleep(secs(work))).await;
            let timed_out = outcome.is_err();
            Ok(summary(
                id,
                timed_out == (work > timeout),
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
            for _ in 0..tasks {
                let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
                set.spawn(async move {
                    let _permit = sem.acquire_owned().await.expect("never closed");
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    sleep(secs(delay)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                });
            }
            while set.join_next().await.is_some() {}
            let peak = peak.load(Ordering::SeqCst) as u64;
            Ok(summary(
                id,
                peak == limit.min(tasks),
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
                let handle = set.spawn({
                    let name = name.clone();
                    async move {
                        sleep(secs(sibling_delay)).await;
                        Ok(name)
                    }
                });
                names.insert(handle.id(), name);
            }
            set.spawn(async move {
                sleep(secs(fail_after)).await;
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
            for c in 0..consumers {
                let rx = rx.clone();
                set.spawn(async move {
                    let mut count = 0u64;
                    loop {
                        let item = rx.lock().await.recv().await;
                        if item.is_none() {
                            return (format!("consumer-{c}"), count);
                        }
                        sleep(secs(delay)).await;
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
            let mut per_consumer = BTreeMap::new();
            while let Some(Ok((name, count))) = set.join_next().await {
                per_consumer.insert(name, count);
            }
            let consumed: u64 = per_consumer.values().sum();
            Ok(summary(
                id,
                produced == consumed && consumed == items,
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
                set.spawn(async move {
                    sleep(secs((tasks - i) as f64 * delay)).await;
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
                if attempts > failures {
                    succeeded = true;
                    break;
                }
                if n + 1 < max_attempts {
                    let pause = base_delay * 2f64.powi(n as i32);
                    delays.push((pause * 1e6).round() / 1e6);
                    sleep(secs(pause)).await;
                }
            }
            Ok(summary(
                id,
                succeeded == (failures < max_attempts),
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
            for _ in 0..requests {
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
            }
            let expected = ((requests as f64 - burst as f64) / rate).max(0.0);
            let elapsed = started.elapsed().as_secs_f64();
            Ok(summary(
                id,
                elapsed >= expected * 0.99,
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

    #[test]
    fn gather_takes_one_delay_and_keeps_order() {
        let s = paused("gather", json!({}));
        assert_eq!(s["elapsed_s"], 0.1);
        assert_eq!(s["results"], json!([0, 1, 4]));
        assert_eq!(s["ok"], true);
    }

    #[test]
    fn timeout_fires_exactly_at_the_deadline() {
        let s = paused("timeouts", json!({}));
        assert_eq!(
            (s["timed_out"].clone(), s["elapsed_s"].clone()),
            (json!(true), json!(0.1))
        );
        let s = paused("timeouts", json!({"timeout": 1.0, "work": 0.2}));
        assert_eq!(s["timed_out"], false);
        assert_eq!(s["exception"], Value::Null);
    }

    #[test]
    fn semaphore_peaks_at_its_limit() {
        let s = paused("semaphore", json!({}));
        assert_eq!(s["peak_concurrency"], 5);
        assert_eq!(s["elapsed_s"], 0.4);
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
    }

    #[test]
    fn as_completed_reverses_submission_order() {
        let s = paused("as-completed", json!({}));
        assert_eq!(s["completion_order"], json!([4, 3, 2, 1, 0]));
        assert_eq!(s["elapsed_s"], 0.25);
    }

    #[test]
    fn retry_doubles_pauses_and_gives_up() {
        let s = paused("retry-backoff", json!({}));
        assert_eq!(
            (s["attempts"].clone(), s["delays"].clone()),
            (json!(3), json!([0.01, 0.02]))
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
