//! `run_demo`: runs an entry's demo in the sandbox (or on the native engine) and reports
//! what happened, with progress notifications and cancellation.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::catalog::PyVersion;
use crate::demo::{DemoReport, DemoRequest, Engine, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS};
use crate::error::McpError;
use crate::mcp::context::RequestContext;
use crate::service::{failure_summary, Audience, DemoProgress, QueryError, SkillService};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

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
fn outcome(report: DemoReport, deadline: Duration) -> Result<DemoReport, ToolFailure> {
    let Some(what) = failure_summary(&report, deadline, Audience::Tool) else {
        return Ok(report);
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

pub fn call(
    service: Arc<SkillService>,
    arguments: Option<Value>,
    ctx: RequestContext,
) -> ToolFuture {
    Box::pin(async move {
        let args: Args = parse_args(SPEC.name, arguments)?;
        args.validate()?;
        execute(&service, args, &ctx).await
    })
}

async fn execute(
    service: &Arc<SkillService>,
    args: Args,
    ctx: &RequestContext,
) -> Result<ToolResult, McpError> {
    let request = match request(args) {
        Ok(request) => request,
        Err(failure) => return Ok(ToolResult::failed(failure)),
    };
    let id = request.id.clone();
    let deadline = request.timeout;
    let started =
        serde_json::json!({ "event": "demo started", "id": id, "engine": request.engine });
    ctx.log("info", started).await;
    let progress = |step: DemoProgress| async move {
        ctx.progress(step.progress, step.total, step.message.as_deref())
            .await;
    };
    let result = service
        .run_demo(request, ctx.cancel.clone(), progress)
        .await;
    if matches!(result, Err(QueryError::Cancelled)) {
        return Err(McpError::Internal("cancelled".into()));
    }
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
    ToolResult::from_run(
        result
            .map_err(ToolFailure::from)
            .and_then(|report| outcome(report, deadline)),
    )
}
