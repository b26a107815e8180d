//! C305: the Docker socket is mounted into a service not allowed to have it.

use crate::compose::volumes;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// the Docker socket is mounted into a service not allowed to
    pub struct DockerSocketMount {
        code: C305,
        name: "docker-socket-mount",
        severity: Warning,
        fix: None,
    }
}

impl Rule for DockerSocketMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let allowed = &cx.standards.docker_socket.allowed;
        for service in file.services() {
            if allowed.iter().any(|name| name == service.name) {
                continue;
            }
            for item in volumes::items(&service, &cx.interpolation.unresolved) {
                let Some(mount) = item.mount.as_ref().filter(|mount| mount.is_docker_socket()) else {
                    continue;
                };
                let allowed_list = if allowed.is_empty() {
                    "no service may".to_string()
                } else {
                    format!(
                        "only {} may",
                        allowed
                            .iter()
                            .map(|name| format!("`{name}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let mut names: Vec<String> = allowed.iter().map(|name| format!("\"{name}\"")).collect();
                names.push(format!("\"{}\"", service.name));
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site,
                        format!(
                            "service `{}` mounts the Docker socket `{}`, which gives it root on the host; {allowed_list}",
                            service.name,
                            mount.source.as_deref().unwrap_or("")
                        ),
                    )
                    .with_label("Docker socket")
                    .with_help(format!(
                        "remove the mount; or, if `{}` must drive the engine, allow it in .vwe-lint.toml: [standards.docker_socket] allowed = [{}]",
                        service.name,
                        names.join(", ")
                    )),
                );
            }
        }
    }
}
