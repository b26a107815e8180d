//! E401: a job container exited and was not removed, or has run far longer
//! than a job should.

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

/// Containers the worker starts for world generation, outside Compose.
pub const WORLDGEN_PREFIX: &str = "vwe-worldgen-";

/// The service that world-generation containers stand for in the file.
const WORLDGEN_SERVICE: &str = "worldgen-runner";

/// How long a job may run before it counts as stuck.
pub const JOB_RUNTIME_LIMIT_SECS: i64 = 12 * 3600;

impl Rule for LeakedJobContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for container in &snapshot.containers {
            let ours = container.project() == Some(cx.project);
            let service = container
                .service()
                .filter(|_| ours)
                .and_then(|name| cx.service(name))
                .or_else(|| cx.service(WORLDGEN_SERVICE).filter(|_| !ours));
            let job = ours && cx.lifecycle(container, service.as_ref()) == Some(Lifecycle::Job);
            if !job && !container.name.starts_with(WORLDGEN_PREFIX) {
                continue;
            }
            let Some(problem) = problem(container, snapshot.taken_at) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.container_span(service.as_ref()),
                    format!("job container {} {problem}", describe(container)),
                )
                .with_label("a job: run once, then removed")
                .with_help(format!(
                    "remove it (`docker rm -f {}`), and run jobs with `docker compose run --rm` so they clean up after themselves",
                    container.name
                )),
            );
        }
    }
}

fn problem(container: &Container, now: i64) -> Option<String> {
    match container.state.as_str() {
        "exited" | "dead" => Some(match container.exit_code {
            Some(code) => format!("exited (code {code}) and was not removed"),
            None => "exited and was not removed".to_string(),
        }),
        "running" => {
            let ran = now - container.started_at?;
            (ran > JOB_RUNTIME_LIMIT_SECS).then(|| {
                format!(
                    "has run for {}h, past the {}h limit for jobs",
                    ran / 3600,
                    JOB_RUNTIME_LIMIT_SECS / 3600
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_past_the_limit() {
        let started = 1_000_000;
        let container = Container {
            state: "running".into(),
            started_at: Some(started),
            ..Container::default()
        };
        assert_eq!(problem(&container, started + 3600), None);
        assert_eq!(
            problem(&container, started + 13 * 3600).as_deref(),
            Some("has run for 13h, past the 12h limit for jobs")
        );
        let exited = Container {
            state: "exited".into(),
            exit_code: Some(1),
            ..Container::default()
        };
        assert_eq!(
            problem(&exited, 0).as_deref(),
            Some("exited (code 1) and was not removed")
        );
    }
}
