//! E402: a container of the project is unhealthy, or restarting in a loop.

use crate::diagnostic::Diagnostic;
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

/// Restarts by the restart policy that count as a loop.
pub const RESTART_LOOP: i64 = 3;

impl Rule for UnhealthyContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        for (container, service) in cx.project_containers() {
            let looping =
                container.state == "restarting" || (container.is_running() && container.restart_count >= RESTART_LOOP);
            let (problem, help) = if container.health.as_deref() == Some("unhealthy") {
                (
                    "is unhealthy: its healthcheck fails".to_string(),
                    format!(
                        "see why with `docker inspect --format '{{{{json .State.Health}}}}' {}`",
                        container.name
                    ),
                )
            } else if looping {
                (
                    format!("is restarting in a loop ({} restarts)", container.restart_count),
                    format!("see why it exits with `docker logs {}`", container.name),
                )
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.container_span(service.as_ref()),
                    format!("container {} {problem}", describe(container)),
                )
                .with_label("this service's container")
                .with_help(help),
            );
        }
    }
}
