//! Running a demo for either face, with the one progress relay both use: the runner's
//! own events arrive on a channel while the demo runs, and are turned into a progress
//! sequence that starts at 0 ("starting"), only grows, never passes its total, keeps a
//! total once sent, and ends on that total ("finished"): what MCP's
//! `notifications/progress` requires and what the CLI's spinner shows.

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

/// Turns the demo's own events into a sequence MCP clients accept: progress strictly
/// increases, never passes the total, and a total once sent never changes (clients size
/// their progress bars from it). The demo's counter is shifted one past "started"; its
/// total gains two steps ("started" and "finished"), so "finished" lands exactly on it.
struct Relay {
    last: f64,
    total: Option<f64>,
}

impl Relay {
    fn new() -> Self {
        Self {
            last: 0.0,
            total: None,
        }
    }

    /// The step to send for `event`, or `None` when it would not advance.
    fn step(&mut self, event: ProgressEvent) -> Option<DemoProgress> {
        if self.total.is_none() {
            // The first total fixes it for good; room is kept above what was already sent.
            self.total = event.total.map(|t| (t + 2.0).max(self.last.floor() + 3.0));
        }
        let mut progress = 1.0 + event.progress;
        if let Some(total) = self.total {
            // "finished" is the total itself; the demo's steps stay below it.
            progress = progress.min(total - 1.0);
        }
        if progress <= self.last {
            return None;
        }
        self.last = progress;
        Some(DemoProgress {
            progress,
            total: self.total,
            message: event.message,
        })
    }

    /// The closing step: at the total when one was sent, else past everything sent.
    fn finished(&self, message: String) -> DemoProgress {
        DemoProgress {
            progress: self.total.unwrap_or(self.last.floor() + 2.0),
            total: self.total,
            message: Some(message),
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
        let mut relay = Relay::new();
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                Some(event) = rx.recv() => {
                    if let Some(step) = relay.step(event) {
                        on_progress(step).await;
                    }
                }
            }
        };
        // Events that arrived as the demo finished still precede the result.
        while let Ok(event) = rx.try_recv() {
            if let Some(step) = relay.step(event) {
                on_progress(step).await;
            }
        }
        if matches!(result, Err(DemoError::Cancelled)) {
            return Err(QueryError::Cancelled);
        }
        on_progress(relay.finished(format!("demo `{id}` finished"))).await;
        result.map_err(|e| match e {
            DemoError::NoDemo { id } if self.catalog.get().entry(&id).is_some() => {
                QueryError::NoDemo { id }
            }
            DemoError::NoDemo { id } => self.unknown_entry(&id),
            other => QueryError::Demo(other),
        })
    }
}

/// Who reads a failure: the words for the deadline and the output differ.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Audience {
    /// A model calling `run_demo`: the report is attached as structured content.
    Tool,
    /// A person running `async-patterns run`: the output is printed before the message.
    Cli,
}

/// Why a demo that ran counts as failed, or `None` when it succeeded. `deadline` is the
/// request's: it counts from the request, so it is what the demo was killed at, while
/// `duration_ms` counts only the demo process's own run (start-up comes before it).
pub fn failure_summary(
    report: &DemoReport,
    deadline: std::time::Duration,
    audience: Audience,
) -> Option<String> {
    if report.succeeded() {
        return None;
    }
    let (option, output) = match audience {
        Audience::Tool => ("timeout_ms", "Its output so far is attached"),
        Audience::Cli => ("--timeout-ms", "Its output so far is printed above"),
    };
    Some(if report.timed_out {
        format!(
            "The demo `{}` was killed at its {} ms deadline (timed_out; the demo itself ran {:.0} ms, \
             start-up took the rest). {output}; retry with a larger {option} or smaller params.",
            report.id,
            deadline.as_millis(),
            report.duration_ms
        )
    } else if report.summary.is_none() && report.exit_code == Some(0) {
        format!(
            "The demo `{}` exited without its JSON summary line.",
            report.id
        )
    } else {
        let stderr = match audience {
            Audience::Tool => "stderr is attached",
            Audience::Cli => "its stderr is printed above",
        };
        format!(
            "The demo `{}` failed (exit code {:?}, signal {:?}); {stderr}.",
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

    /// Runs `events` through a relay and checks MCP's rules on the whole sequence,
    /// "started" and "finished" included; returns the steps sent.
    fn relayed(events: &[(f64, Option<f64>)]) -> Vec<DemoProgress> {
        let mut relay = Relay::new();
        let mut sent = vec![DemoProgress {
            progress: 0.0,
            total: None,
            message: None,
        }];
        sent.extend(events.iter().filter_map(|&(p, t)| relay.step(event(p, t))));
        sent.push(relay.finished("done".into()));
        for pair in sent.windows(2) {
            assert!(pair[1].progress > pair[0].progress, "{sent:?}");
            if pair[0].total.is_some() {
                assert_eq!(pair[1].total, pair[0].total, "total changed: {sent:?}");
            }
        }
        for step in &sent {
            if let Some(total) = step.total {
                assert!(step.progress <= total, "past its total: {sent:?}");
            }
        }
        sent
    }

    #[test]
    fn demo_steps_land_between_started_and_a_finished_at_the_total() {
        let sent = relayed(&[(0.0, Some(3.0)), (1.0, Some(3.0)), (3.0, Some(3.0))]);
        let values: Vec<f64> = sent.iter().map(|s| s.progress).collect();
        assert_eq!(values, [0.0, 1.0, 2.0, 4.0, 5.0]);
        assert_eq!(sent.last().unwrap().total, Some(5.0));
    }

    #[test]
    fn a_total_once_sent_stays_even_when_the_demo_changes_or_drops_it() {
        let sent = relayed(&[(1.0, None), (2.0, Some(4.0)), (3.0, None), (9.0, Some(2.0))]);
        assert_eq!(sent[1].total, None);
        assert!(sent[2..].iter().all(|s| s.total == Some(6.0)), "{sent:?}");
        assert_eq!(sent.last().unwrap().progress, 6.0);
    }

    #[test]
    fn steps_that_would_not_advance_are_dropped() {
        let sent = relayed(&[(3.0, None), (1.0, None), (3.0, None)]);
        assert_eq!(sent.len(), 3, "{sent:?}");
        // Without a total, "finished" still lands past the last step.
        assert_eq!(sent.last().unwrap().progress, 6.0);
    }

    #[test]
    fn a_late_total_below_what_was_sent_is_raised_above_it() {
        let sent = relayed(&[(7.0, None), (1.0, Some(2.0))]);
        assert_eq!(sent.last().unwrap().total, Some(11.0));
    }
}
