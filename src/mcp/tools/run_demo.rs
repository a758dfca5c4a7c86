//! `run_demo`: runs an entry's demo in the sandbox (or on the native engine) and reports
//! what happened, with progress notifications and cancellation.

use super::{ToolFailure, ToolResult, ToolSpec};
use crate::catalog::PyVersion;
use crate::demo::{
    DemoError, DemoReport, DemoRequest, Engine, ProgressEvent, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS,
};
use crate::error::McpError;
use crate::mcp::context::RequestContext;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "run_demo",
    title: "Run a pattern's demo",
    description: "Run the runnable demo of a catalogue entry (has_demo in list_patterns) in a \
        sandbox with a deadline and report what happened: timings, peak concurrency, which \
        tasks were cancelled, the demo's JSON summary, stdout/stderr. Use it to show a \
        pattern or pitfall actually behaving; `params` take the values get_pattern lists \
        under demo.params. engine \"native\" runs a tokio mirror of the core patterns \
        without Python.",
    read_only: true,
    idempotent: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Entry id with a demo, e.g. "semaphore".
    pub id: String,
    /// Demo parameters by name (see get_pattern's demo.params); omitted ones take defaults.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
    /// Deadline in milliseconds (1-60000, default 5000); the demo is killed past it.
    #[serde(default)]
    #[schemars(range(min = 1, max = 60000))]
    pub timeout_ms: Option<u64>,
    /// "python" (default) runs scripts/<id>.py; "native" runs the tokio mirror.
    #[serde(default)]
    pub engine: Option<Engine>,
    /// CPython version to run on, e.g. "3.12" (must be installed).
    #[serde(default)]
    pub python: Option<String>,
}

impl Args {
    pub fn validate(&self) -> Result<(), McpError> {
        if let Some(ms) = self.timeout_ms {
            if !(1..=MAX_TIMEOUT_MS).contains(&ms) {
                return Err(McpError::InvalidParams(format!(
                    "timeout_ms must be between 1 and {MAX_TIMEOUT_MS}, not {ms}"
                )));
            }
        }
        Ok(())
    }
}

/// The tool's output is the demo report.
pub type Output = DemoReport;

pub fn request(args: Args) -> Result<DemoRequest, ToolFailure> {
    let python = match &args.python {
        Some(raw) => Some(
            raw.parse::<PyVersion>()
                .map_err(|e| ToolFailure::new(e.to_string()))?,
        ),
        None => None,
    };
    Ok(DemoRequest {
        id: args.id,
        params: args.params.unwrap_or_default(),
        timeout: Duration::from_millis(args.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)),
        engine: args.engine.unwrap_or(Engine::Python),
        python,
    })
}

/// Turns a finished run into the tool's answer: a demo that timed out, crashed or printed
/// no summary is a failure the model should see, with the report attached.
pub fn outcome(
    service: &SkillService,
    result: Result<DemoReport, DemoError>,
) -> Result<DemoReport, ToolFailure> {
    match result {
        Ok(report) if report.succeeded() => Ok(report),
        Ok(report) => {
            let what = if report.timed_out {
                format!(
                    "The demo `{}` was killed at its deadline after {} ms (timed_out). Its output so far is attached; retry with a larger timeout_ms or smaller params.",
                    report.id, report.duration_ms
                )
            } else if report.summary.is_none() && report.exit_code == Some(0) {
                format!(
                    "The demo `{}` exited without its JSON summary line.",
                    report.id
                )
            } else {
                format!(
                    "The demo `{}` failed (exit code {:?}, signal {:?}); stderr is attached.",
                    report.id, report.exit_code, report.signal
                )
            };
            let structured = serde_json::to_value(&report).ok();
            Err(ToolFailure {
                message: format!(
                    "{what}\n{}",
                    structured
                        .as_ref()
                        .map(Value::to_string)
                        .unwrap_or_default()
                ),
                structured,
            })
        }
        Err(DemoError::NoDemo { id }) => Err(match service.catalog.entry(&id) {
            Some(_) => ToolFailure::new(format!(
                "`{id}` has no demo. Entries with has_demo=true in list_patterns have one."
            )),
            None => super::get_pattern::unknown_entry(service, &id),
        }),
        Err(other) => Err(ToolFailure::new(other.to_string())),
    }
}

pub async fn call(
    service: &Arc<SkillService>,
    args: Args,
    ctx: &RequestContext,
) -> Result<ToolResult, McpError> {
    let request = match request(args) {
        Ok(request) => request,
        Err(failure) => return Ok(ToolResult::failed(failure)),
    };
    let id = request.id.clone();
    let started =
        serde_json::json!({ "event": "demo started", "id": id, "engine": request.engine });
    ctx.log("info", started).await;
    ctx.progress(0.0, None, Some(&format!("starting demo `{id}`")))
        .await;
    let (tx, mut rx) = mpsc::channel::<ProgressEvent>(1);
    let run = service
        .demos
        .run(&service.catalog, request, Some(tx), ctx.cancel.clone());
    tokio::pin!(run);
    // Progress must only grow: the demo's own counter is shifted past our "started" step.
    let mut last = 0.0f64;
    let mut relay = |event: ProgressEvent| {
        // At least 1 above "started", and strictly above the previous value.
        let progress = (1.0 + event.progress).max(last + 0.001);
        last = progress;
        (progress, event.total.map(|t| t + 2.0), event.message)
    };
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            Some(event) = rx.recv() => {
                let (progress, total, message) = relay(event);
                ctx.progress(progress, total, message.as_deref()).await;
            }
        }
    };
    // Events that arrived as the demo finished still precede the result.
    while let Ok(event) = rx.try_recv() {
        let (progress, total, message) = relay(event);
        ctx.progress(progress, total, message.as_deref()).await;
    }
    if matches!(result, Err(DemoError::Cancelled)) {
        return Err(McpError::Internal("cancelled".into()));
    }
    ctx.progress(
        last.floor() + 2.0,
        None,
        Some(&format!("demo `{id}` finished")),
    )
    .await;
    if let Ok(report) = &result {
        let level = if report.succeeded() {
            "info"
        } else {
            "warning"
        };
        let finished = serde_json::json!({
            "event": "demo finished", "id": id, "exit_code": report.exit_code,
            "timed_out": report.timed_out, "duration_ms": report.duration_ms,
        });
        ctx.log(level, finished).await;
    }
    ToolResult::from_run(outcome(service, result))
}
