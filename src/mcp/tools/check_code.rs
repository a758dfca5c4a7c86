//! `check_code`: async pitfalls in the user's own code, each tied to the entry that
//! fixes it, so the model can go from "this line" to "this pattern" in one more call.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::check::{self, CheckError, MAX_SOURCE_BYTES};
use crate::error::McpError;
use crate::mcp::context::RequestContext;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "check_code",
    title: "Check Python code for async pitfalls",
    description: "Find asyncio pitfalls in Python source: blocking calls inside async def \
        (time.sleep, requests, subprocess...), coroutines called without await, tasks \
        created and dropped, asyncio.run inside a running loop, swallowed CancelledError, \
        get_event_loop in coroutines, and (info) wait_for where asyncio.timeout fits. Each \
        finding has a 1-based line/column and `pattern`, the catalogue id whose fix applies \
        (read it with get_pattern or get_snippet). Pass `python` (e.g. \"3.10\") to target \
        an older version; default is the newest. Code must parse (a syntax error is \
        reported with its position) and be at most 1 MiB.",
    read_only: true,
    idempotent: true,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Python source of one module (at most 1 MiB).
    pub code: String,
    /// Target CPython version, e.g. "3.10"; omitted means the newest.
    #[serde(default)]
    pub python: Option<String>,
}

pub type Output = check::Report;

impl Args {
    /// Oversized code is a malformed request (the limit is in the tool's description),
    /// refused before any work like the other tools' bounds.
    pub fn validate(&self) -> Result<(), McpError> {
        if self.code.len() > MAX_SOURCE_BYTES {
            return Err(McpError::InvalidParams(
                CheckError::TooLarge {
                    bytes: self.code.len(),
                }
                .to_string(),
            ));
        }
        Ok(())
    }
}

pub fn run(args: Args) -> Result<Output, ToolFailure> {
    Ok(SkillService::check(&args.code, args.python.as_deref())?)
}

pub fn call(
    _service: Arc<SkillService>,
    arguments: Option<Value>,
    _ctx: RequestContext,
) -> ToolFuture {
    Box::pin(async move {
        let args: Args = parse_args(SPEC.name, arguments)?;
        args.validate()?;
        // Parsing a large module takes tens of milliseconds: off the (single-threaded
        // on stdio) runtime, so other requests and cancellations keep flowing.
        let result = tokio::task::spawn_blocking(move || run(args))
            .await
            .map_err(|e| McpError::Internal(format!("check_code stopped: {e}")))?;
        ToolResult::from_run(result)
    })
}
