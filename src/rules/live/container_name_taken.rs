//! E302: a `container_name:` is already used by a container that is not this
//! service's, so `up` would fail to create it.

use crate::diagnostic::Diagnostic;
use crate::rules::live::LiveContext;
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a `container_name` is used by a container of another project
    pub struct ContainerNameTaken {
        code: E302,
        name: "container-name-taken",
        severity: Error,
        fix: None,
    }
}

impl Rule for ContainerNameTaken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for service in cx.file.services() {
            let Some(node) = service.get("container_name") else {
                continue;
            };
            let Some(name) = node.as_str().filter(|name| !name.contains('$')) else {
                continue;
            };
            let Some(holder) = snapshot.containers.iter().find(|container| container.name == name) else {
                continue;
            };
            if holder.project() == Some(cx.project) && holder.service() == Some(service.name) {
                continue;
            }
            let owner = match (holder.project(), holder.service()) {
                (Some(project), Some(other)) if project == cx.project => {
                    format!("service `{other}` of this project")
                }
                (Some(project), _) => format!("project `{project}`"),
                (None, _) => "no compose project".to_string(),
            };
            out.push(
                Diagnostic::new(
                    &META,
                    node.site(),
                    format!(
                        "container name `{name}` of service `{}` is already used by a {} container of {owner}",
                        service.name, holder.state
                    ),
                )
                .with_label("name taken on the engine")
                .with_help(format!(
                    "remove that container (`docker rm {name}`) if it is stale, or drop `container_name:` and let Compose name the container"
                ))
                .with_identity(format!("container name `{name}` of service `{}` taken by {owner}", service.name)),
            );
        }
    }
}
