//! E404: a service the project always runs is down: its containers all
//! crashed (exited non-zero, or killed for memory) or are paused, or it has
//! no container while the project's other services run.

use crate::compose::Service;
use crate::diagnostic::Diagnostic;
use crate::engine::Container;
use crate::rules::live::{LiveContext, describe};
use crate::rules::{Rule, RuleMeta, declare_rule};
use crate::standards::Lifecycle;

declare_rule! {
    /// a default service has crashed, is paused, or has no container while the project runs
    pub struct ServiceDown {
        code: E404,
        name: "service-down",
        severity: Error,
        fix: None,
    }
}

impl Rule for ServiceDown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        if cx.snapshot().is_none() {
            return;
        }
        let project_runs = cx.service_containers().any(|(container, _)| container.is_running());
        for service in cx.file.services() {
            if !always_up(cx, &service) {
                continue;
            }
            let containers: Vec<&Container> = cx
                .service_containers()
                .filter(|(_, owner)| owner.name == service.name)
                .map(|(container, _)| container)
                .collect();
            let (what, kind, help) = if containers.is_empty() {
                if !project_runs {
                    continue;
                }
                (
                    "has no container, while the project's other services run".to_string(),
                    "has no container",
                    format!("`docker compose up -d {}` creates and starts it", service.name),
                )
            } else {
                let downs: Option<Vec<String>> = containers.iter().map(|container| down(container)).collect();
                let Some(downs) = downs else { continue };
                let paused = containers.iter().all(|container| container.state == "paused");
                let help = if paused {
                    format!("`docker compose unpause {}` resumes it", service.name)
                } else {
                    let first = &containers[0].name;
                    format!(
                        "see why with `docker logs {first}`, then `docker compose up -d {}` starts it again",
                        service.name
                    )
                };
                (downs.join("; "), if paused { "is paused" } else { "has crashed" }, help)
            };
            out.push(
                Diagnostic::new(
                    &META,
                    service.name_span(),
                    format!("service `{}` is down: {what}", service.name),
                )
                .with_label("not running")
                .with_help(help)
                .with_identity(format!("service `{}` {kind}", service.name)),
            );
        }
    }
}

/// A service `docker compose up` starts and that should keep running: in
/// the default profile, and a `service` or `infrastructure`, not a job.
fn always_up(cx: &LiveContext, service: &Service) -> bool {
    service.get("profiles").is_none()
        && matches!(
            service.lifecycle(cx.standards).lifecycle(),
            Some(Lifecycle::Service | Lifecycle::Infrastructure)
        )
}

/// How a container is down, or `None` when it is up (or stopped cleanly).
fn down(container: &Container) -> Option<String> {
    let name = describe(container);
    if container.state == "paused" {
        return Some(format!("container {name} is paused"));
    }
    if !container.is_stopped() {
        return None;
    }
    if container.oom_killed {
        return Some(format!("container {name} was killed for lack of memory"));
    }
    match container.exit_code {
        Some(code) if code != 0 => Some(format!("container {name} exited with code {code}")),
        _ => None,
    }
}
