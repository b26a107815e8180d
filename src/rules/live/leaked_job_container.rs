//! E401: a job container exited and was not removed, or has run far longer
//! than a job should.

use crate::compose::ComposeFile;
use crate::diagnostic::Diagnostic;
use crate::engine::Container;
use crate::rules::live::{LiveContext, describe};
use crate::rules::{Rule, RuleMeta, declare_rule};
use crate::standards::Lifecycle;

declare_rule! {
    /// a job container exited and was not removed, or has run past the limit
    pub struct LeakedJobContainer {
        code: E401,
        name: "leaked-job-container",
        severity: Warning,
        fix: None,
    }
}

/// Containers the worker starts for world generation, outside Compose and
/// without its labels.
pub const WORLDGEN_PREFIX: &str = "vwe-worldgen-";

/// The job service that world-generation containers stand for in the file.
const WORLDGEN_SERVICE: &str = "worldgen-runner";

/// How long a job may run before it counts as stuck.
pub const JOB_RUNTIME_LIMIT_SECS: i64 = 12 * 3600;

/// How long an exited job container may stay (its logs read, its result
/// collected) before it counts as leaked.
pub const EXITED_GRACE_SECS: i64 = 3600;

/// The name prefixes of unlabelled containers that stand for one of the
/// file's jobs (the engine client inspects those too).
pub fn job_name_prefixes(file: &ComposeFile) -> Vec<&'static str> {
    let declares = file.services().any(|service| service.name == WORLDGEN_SERVICE);
    if declares { vec![WORLDGEN_PREFIX] } else { Vec::new() }
}

impl Rule for LeakedJobContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for container in &snapshot.containers {
            // Ours by label; an unlabelled one by the name of one of our jobs.
            // Another project's containers are never this project's leaks.
            let service = match container.project() {
                Some(project) if project == cx.project => container.service().and_then(|name| cx.service(name)),
                Some(_) => continue,
                None if job_name_prefixes(&cx.file)
                    .iter()
                    .any(|prefix| container.name.starts_with(prefix)) =>
                {
                    cx.service(WORLDGEN_SERVICE)
                }
                None => continue,
            };
            let ours = container.project().is_some();
            if ours && cx.lifecycle(container, service.as_ref()) != Some(Lifecycle::Job) {
                continue;
            }
            let Some(problem) = problem(container, snapshot.taken_at) else {
                continue;
            };
            let service_name = service.as_ref().map_or("", |service| service.name);
            out.push(
                Diagnostic::new(
                    &META,
                    cx.container_span(service.as_ref()),
                    format!("job container {} {}", describe(container), problem.message),
                )
                .with_label("a job: run once, then removed")
                .with_help(format!(
                    "remove it (`docker rm -f {}`), and run jobs with `docker compose run --rm` so they clean up after themselves",
                    container.name
                ))
                .with_identity(format!("job `{service_name}` {}", problem.kind)),
            );
        }
    }
}

struct Problem {
    message: String,
    /// The stable part, for the finding's identity.
    kind: &'static str,
}

/// What is wrong with a job container, by the engine's clock `now`.
fn problem(container: &Container, now: i64) -> Option<Problem> {
    if container.is_stopped() {
        // Without a finish time it has been there longer than we can tell.
        let stopped_for = container.finished_at.map_or(i64::MAX, |finished| now - finished);
        if stopped_for < EXITED_GRACE_SECS {
            return None;
        }
        let message = match container.exit_code {
            Some(code) => format!("exited (code {code}) and was not removed"),
            None => "exited and was not removed".to_string(),
        };
        return Some(Problem {
            message,
            kind: "exited and was not removed",
        });
    }
    if !container.is_running() {
        return None;
    }
    let ran = now - container.started_at?;
    (ran > JOB_RUNTIME_LIMIT_SECS).then(|| Problem {
        message: format!(
            "has run for {}h, past the {}h limit for jobs",
            ran / 3600,
            JOB_RUNTIME_LIMIT_SECS / 3600
        ),
        kind: "ran past the limit",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(container: &Container, now: i64) -> Option<String> {
        problem(container, now).map(|problem| problem.message)
    }

    #[test]
    fn running_past_the_limit_by_the_engines_clock() {
        let started = 1_000_000;
        let container = Container {
            state: "running".into(),
            started_at: Some(started),
            ..Container::default()
        };
        assert_eq!(message(&container, started + 3600), None);
        assert_eq!(
            message(&container, started + 13 * 3600).as_deref(),
            Some("has run for 13h, past the 12h limit for jobs")
        );
    }

    #[test]
    fn exited_only_after_the_grace_period() {
        let finished = 1_000_000;
        let exited = Container {
            state: "exited".into(),
            exit_code: Some(1),
            finished_at: Some(finished),
            ..Container::default()
        };
        assert_eq!(message(&exited, finished + 60), None);
        assert_eq!(
            message(&exited, finished + EXITED_GRACE_SECS).as_deref(),
            Some("exited (code 1) and was not removed")
        );
    }
}
