//! D212: more than one HEALTHCHECK in a stage (hadolint DL3012).

use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "D212",
    name: "multiple-healthchecks",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "more than one HEALTHCHECK in a stage",
    doc: include_str!("../../../rules/D212.md"),
};

pub struct MultipleHealthchecks;

impl Rule for MultipleHealthchecks {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.dockerfile.stages {
            let mut healthchecks = cx.dockerfile.instructions[stage.instructions.clone()]
                .iter()
                .filter(|instruction| instruction.keyword == Keyword::Healthcheck);
            let Some(mut previous) = healthchecks.next() else {
                continue;
            };
            for healthcheck in healthchecks {
                out.push(
                    Diagnostic::new(
                        &META,
                        healthcheck.keyword_span,
                        "a second HEALTHCHECK in this stage: only the last one takes effect",
                    )
                    .with_label("overrides the earlier one")
                    .with_secondary(previous.keyword_span, "ignored")
                    .with_help("keep one HEALTHCHECK per stage"),
                );
                previous = healthcheck;
            }
        }
    }
}
