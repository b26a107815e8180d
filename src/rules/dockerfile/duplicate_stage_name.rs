//! D408: two stages share a name (hadolint DL3024).

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "D408",
    name: "duplicate-stage-name",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "two stages share a name",
    doc: include_str!("../../../rules/D408.md"),
};

pub struct DuplicateStageName;

impl Rule for DuplicateStageName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let stages = &cx.dockerfile.stages;
        for (index, stage) in stages.iter().enumerate() {
            let Some(name) = &stage.name else { continue };
            // Stage names compare case-insensitively.
            let first = stages[..index].iter().find_map(|earlier| {
                earlier
                    .name
                    .as_ref()
                    .filter(|other| other.text.eq_ignore_ascii_case(&name.text))
            });
            if let Some(first) = first {
                out.push(
                    Diagnostic::new(
                        &META,
                        name.span,
                        format!("stage name `{}` is already used by an earlier stage", name.text),
                    )
                    .with_label("duplicate name")
                    .with_secondary(first.span, "first used here")
                    .with_help("give every stage its own name"),
                );
            }
        }
    }
}
