//! `run`: one demo from the command line, through the same service method `run_demo`
//! uses, with a spinner fed by the same progress relay.

use super::args::EngineArg;
use super::query::report;
use super::{runtime, usage, Threads};
use crate::demo::{DemoRequest, Engine, MAX_TIMEOUT_MS};
use crate::service::{failure_summary, Audience, DemoProgress, SkillService};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

pub(super) fn parse_param(raw: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = raw
        .split_once('=')
        .ok_or_else(|| format!("--param `{raw}` must look like name=value"))?;
    // Numbers and booleans as JSON; anything else is a string.
    let value = serde_json::from_str(value)
        .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
    Ok((name.to_string(), value))
}

pub(super) fn run_demo_command(
    service: Arc<SkillService>,
    id: String,
    params: Vec<String>,
    timeout_ms: u64,
    engine: EngineArg,
    on_python: Option<String>,
    json: bool,
) -> ExitCode {
    let mut map = serde_json::Map::new();
    for raw in &params {
        match parse_param(raw) {
            Ok((k, v)) => {
                map.insert(k, v);
            }
            Err(e) => return usage(&e),
        }
    }
    if !(1..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
        return usage(&format!(
            "--timeout-ms must be between 1 and {MAX_TIMEOUT_MS}, not {timeout_ms}"
        ));
    }
    let deadline = std::time::Duration::from_millis(timeout_ms);
    let request = DemoRequest {
        id,
        params: map,
        timeout: deadline,
        engine: match engine {
            EngineArg::Python => Engine::Python,
            EngineArg::Native => Engine::Native,
        },
        // A path was already handed to the runner as its interpreter.
        python: on_python.and_then(|raw| raw.parse::<crate::catalog::PyVersion>().ok()),
    };
    let runtime = match runtime(Threads::One) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let result = runtime.block_on(async {
        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(80));
            bar.set_message(format!("running demo `{}`", request.id));
            bar
        });
        let show = |step: DemoProgress| {
            if let (Some(bar), Some(message)) = (&spinner, step.message) {
                bar.set_message(message);
            }
            std::future::ready(())
        };
        let cancel = tokio_util::sync::CancellationToken::new();
        let result = service.run_demo(request, cancel, show).await;
        if let Some(bar) = &spinner {
            bar.finish_and_clear();
        }
        result
    });
    // A demo that ran but failed prints its report (with --json) or the output it made
    // (stdout to stdout, stderr to stderr), then why, and exits 1.
    if let Ok(failed) = &result {
        if let Some(what) = failure_summary(failed, deadline, Audience::Cli) {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(failed).unwrap_or_default()
                );
            } else {
                print!("{}", failed.stdout);
                eprint!("{}", failed.stderr);
                if failed.stdout.is_empty() && failed.stderr.trim().is_empty() {
                    eprintln!("(the demo wrote no output before it stopped)");
                }
            }
            eprintln!("async-patterns: {what}");
            return ExitCode::from(1);
        }
    }
    report(result, json, |report| {
        print!("{}", report.stdout);
        if !report.stderr.trim().is_empty() {
            eprint!("{}", report.stderr);
        }
        if let Some(lanes) = report
            .summary
            .as_ref()
            .and_then(|summary| super::lanes::render(&summary["timeline"], 50))
        {
            eprint!("{lanes}");
        }
        eprintln!(
            "demo `{}` ({}) finished in {} ms{}",
            report.id,
            match report.engine {
                crate::demo::Engine::Python => "python",
                crate::demo::Engine::Native => "native",
            },
            report.duration_ms,
            report
                .interpreter
                .as_ref()
                .map(|i| format!(" on Python {}", i.version))
                .unwrap_or_default()
        );
    })
}
