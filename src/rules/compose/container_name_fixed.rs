//! C507: `container_name:` is set.

use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `container_name:` is set (name conflicts, no scaling)
    pub struct ContainerNameFixed {
        code: C507,
        name: "container-name-fixed",
        severity: Warning,
        fix: None,
    }
}

impl Rule for ContainerNameFixed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(entry) = service.get_entry("container_name") else {
                continue;
            };
            let Some(value) = entry.value.as_str() else { continue };
            let project = file
                .entry("name")
                .and_then(|entry| entry.value.as_str())
                .unwrap_or("vwe");
            out.push(
                Diagnostic::new(
                    &META,
                    entry.value.site(),
                    format!(
                        "service `{}` has the fixed name `container_name: {value}`: a second copy of the project or `--scale` conflicts with it; the standard lets Compose name containers (`<project>-{}-1`)",
                        service.name, service.name
                    ),
                )
                .with_label("fixed name")
                .with_help(format!(
                    "name: {project}  # at the top of the file, instead of `container_name:`; the container is `{project}-{}-1`",
                    service.name
                )),
            );
        }
    }
}
