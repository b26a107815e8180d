//! E402: a container of the project is unhealthy, or restarting in a loop.

use crate::diagnostic::Diagnostic;
use crate::engine::Container;
use crate::rules::live::{LiveContext, describe};
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a container of the project is unhealthy or restarting in a loop
    pub struct UnhealthyContainer {
        code: E402,
        name: "unhealthy-container",
        severity: Error,
        fix: None,
    }
}

/// Restarts by the restart policy that count as a loop...
pub const RESTART_LOOP: i64 = 3;
/// ...when the last of them was this recent (by the engine's clock).
pub const RESTART_WINDOW_SECS: i64 = 600;

impl Rule for UnhealthyContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for (container, service) in cx.project_containers() {
            let Some(problem) = problem(container, snapshot.taken_at) else {
                continue;
            };
            let help = match problem {
                Problem::Unhealthy => format!(
                    "see why with `docker inspect --format '{{{{json .State.Health}}}}' {}`",
                    container.name
                ),
                Problem::Looping => format!("see why it exits with `docker logs {}`", container.name),
            };
            let what = match problem {
                Problem::Unhealthy => "is unhealthy: its healthcheck fails".to_string(),
                Problem::Looping => format!("is restarting in a loop ({} restarts)", container.restart_count),
            };
            let service_name = container.service().unwrap_or_default();
            out.push(
                Diagnostic::new(
                    &META,
                    cx.container_span(service.as_ref()),
                    format!("container {} {what}", describe(container)),
                )
                .with_label("this service's container")
                .with_help(help)
                .with_identity(format!("service `{service_name}` {problem:?}")),
            );
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Problem {
    Unhealthy,
    Looping,
}

/// Unhealthy only while running (a stopped container keeps its last health);
/// looping while restarting, or restarted often and last started recently.
fn problem(container: &Container, now: i64) -> Option<Problem> {
    if container.is_running() && container.health.as_deref() == Some("unhealthy") {
        return Some(Problem::Unhealthy);
    }
    let restarted_recently = container.restart_count >= RESTART_LOOP
        && container.is_running()
        && container
            .started_at
            .is_some_and(|started| now - started < RESTART_WINDOW_SECS);
    (container.state == "restarting" || restarted_recently).then_some(Problem::Looping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_as_the_engine_tells_them() {
        let now = 1_000_000;
        let container = |state: &str, health: Option<&str>, restarts: i64, started: i64| Container {
            state: state.into(),
            health: health.map(str::to_string),
            restart_count: restarts,
            started_at: Some(started),
            ..Container::default()
        };
        assert_eq!(
            problem(&container("running", Some("unhealthy"), 0, 0), now),
            Some(Problem::Unhealthy)
        );
        assert_eq!(problem(&container("exited", Some("unhealthy"), 0, 0), now), None);
        assert_eq!(
            problem(&container("restarting", None, 1, now), now),
            Some(Problem::Looping)
        );
        assert_eq!(
            problem(&container("running", None, 5, now - 60), now),
            Some(Problem::Looping)
        );
        // Stable for days since its last restart: no loop any more.
        assert_eq!(problem(&container("running", None, 5, now - 3 * 86_400), now), None);
    }
}
