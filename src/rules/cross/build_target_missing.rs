//! X103: `build.target` names no stage of the Dockerfile.

use crate::compose::service_facts::written_with_variable;
use crate::diagnostic::Diagnostic;
use crate::rules::cross::written_path;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `build.target` names no stage of the Dockerfile
    pub struct BuildTargetMissing {
        code: X103,
        name: "build-target-missing",
        severity: Error,
        fix: None,
    }
}

impl Rule for BuildTargetMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(built) = cx.built.get(service.name) else {
                continue;
            };
            let Some(node) = service.get("build").and_then(|build| build.get("target")) else {
                continue;
            };
            let Some(target) = node.as_str() else { continue };
            if written_with_variable(node) || cx.is_unresolved(node) {
                continue;
            }
            if built.dockerfile.stage_by_name(target).is_some() {
                continue;
            }
            let stages: Vec<&str> = built
                .dockerfile
                .stages
                .iter()
                .filter_map(|stage| stage.name.as_ref().map(|name| name.text.as_str()))
                .collect();
            let path = written_path(built);
            let (has, help) = match stages.last() {
                Some(last) => (
                    format!(
                        "its stages are {}",
                        stages
                            .iter()
                            .map(|name| format!("`{name}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!("name one of its stages, e.g. `target: {last}`, or add `FROM … AS {target}` to `{path}`"),
                ),
                None => (
                    "it names no stage (`FROM … AS name`)".to_string(),
                    format!(
                        "remove `target:` to build the last stage, or name a stage `FROM … AS {target}` in `{path}`"
                    ),
                ),
            };
            out.push(
                Diagnostic::new(
                    &META,
                    node.span,
                    format!(
                        "service `{}` builds target `{target}`, but `{path}` has no stage of that name ({has}); the standard is a `build.target` that names a stage of the Dockerfile (the build fails otherwise)",
                        service.name
                    ),
                )
                .with_label("no such stage")
                .concerning(&built.path)
                .with_help(help),
            );
        }
    }
}
