//! Running a demo for either face, with the one progress relay both use: the runner's
//! own events arrive on a channel while the demo runs, and are turned into a progress
//! sequence that starts at 0 ("starting"), only grows, and ends one step past the last
//! event ("finished"), which is what MCP's `notifications/progress` requires and what the
//! CLI's spinner shows.

use super::{QueryError, SkillService};
use crate::demo::{DemoError, DemoReport, DemoRequest, ProgressEvent};
use std::future::Future;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// One step of a running demo, as the caller reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoProgress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

/// Keeps progress strictly increasing: the demo's own counter is shifted past the
/// "started" step, and never goes back.
struct Relay {
    last: f64,
}

impl Relay {
    fn step(&mut self, event: ProgressEvent) -> DemoProgress {
        // At least 1 above "started", and strictly above the previous value.
        let progress = (1.0 + event.progress).max(self.last + 0.001);
        self.last = progress;
        DemoProgress {
            progress,
            total: event.total.map(|t| t + 2.0),
            message: event.message,
        }
    }
}

impl SkillService {
    /// Runs a demo until it ends or `cancel` fires, reporting each step to
    /// `on_progress`. A demo that ran but failed (timed out, crashed) is `Ok`: its report
    /// says what happened (see [`failure_summary`]).
    pub async fn run_demo<F, Fut>(
        &self,
        request: DemoRequest,
        cancel: CancellationToken,
        mut on_progress: F,
    ) -> Result<DemoReport, QueryError>
    where
        F: FnMut(DemoProgress) -> Fut,
        Fut: Future<Output = ()>,
    {
        let id = request.id.clone();
        on_progress(DemoProgress {
            progress: 0.0,
            total: None,
            message: Some(format!("starting demo `{id}`")),
        })
        .await;
        let (tx, mut rx) = mpsc::channel::<ProgressEvent>(1);
        let run = self
            .demos
            .run(self.catalog.get(), request, Some(tx), cancel);
        tokio::pin!(run);
        let mut relay = Relay { last: 0.0 };
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                Some(event) = rx.recv() => on_progress(relay.step(event)).await,
            }
        };
        // Events that arrived as the demo finished still precede the result.
        while let Ok(event) = rx.try_recv() {
            on_progress(relay.step(event)).await;
        }
        if matches!(result, Err(DemoError::Cancelled)) {
            return Err(QueryError::Cancelled);
        }
        on_progress(DemoProgress {
            progress: relay.last.floor() + 2.0,
            total: None,
            message: Some(format!("demo `{id}` finished")),
        })
        .await;
        result.map_err(|e| match e {
            DemoError::NoDemo { id } if self.catalog.get().entry(&id).is_some() => {
                QueryError::NoDemo { id }
            }
            DemoError::NoDemo { id } => self.unknown_entry(&id),
            other => QueryError::Demo(other),
        })
    }
}

/// Why a demo that ran counts as failed, or `None` when it succeeded.
pub fn failure_summary(report: &DemoReport) -> Option<String> {
    if report.succeeded() {
        return None;
    }
    Some(if report.timed_out {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(progress: f64, total: Option<f64>) -> ProgressEvent {
        ProgressEvent {
            progress,
            total,
            message: None,
        }
    }

    #[test]
    fn relayed_progress_starts_past_started_and_only_grows() {
        let mut relay = Relay { last: 0.0 };
        let first = relay.step(event(0.0, Some(5.0)));
        assert_eq!(first.progress, 1.0);
        assert_eq!(first.total, Some(7.0));
        let second = relay.step(event(3.0, Some(5.0)));
        assert_eq!(second.progress, 4.0);
        // A demo whose counter goes back still yields a growing sequence.
        let third = relay.step(event(1.0, None));
        assert!(third.progress > second.progress);
    }
}
