//! D212: more than one HEALTHCHECK in a stage (hadolint DL3012).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// more than one HEALTHCHECK in a stage
    pub struct MultipleHealthchecks {
        code: D212,
        name: "multiple-healthchecks",
        severity: Error,
        fix: None,
    }
}

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
