//! D211: the final stage has no HEALTHCHECK.

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::rules::dockerfile::stage_chain;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// the final stage has no HEALTHCHECK
    pub struct HealthcheckMissing {
        code: D211,
        name: "healthcheck-missing",
        severity: Info,
        fix: None,
    }
}

impl Rule for HealthcheckMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let dockerfile = cx.dockerfile;
        let Some(last) = dockerfile.stages.last() else {
            return;
        };
        // A HEALTHCHECK in a stage the final one builds on is inherited.
        let has_healthcheck = stage_chain(dockerfile, last).into_iter().any(|stage| {
            dockerfile.instructions[stage.instructions.clone()]
                .iter()
                .any(|instruction| instruction.keyword == Keyword::Healthcheck)
        });
        if has_healthcheck {
            return;
        }
        let timing = &cx.standards.healthcheck;
        out.push(
            Diagnostic::new(
                &META,
                last.image.span,
                "the final stage has no HEALTHCHECK, so nothing tells whether the container works",
            )
            .with_label("no HEALTHCHECK")
            .with_help(format!(
                "add one to the final stage: `HEALTHCHECK --interval={} --timeout={} --retries={} CMD <check>` \
                 (or `HEALTHCHECK NONE` to say there is none on purpose)",
                timing.interval, timing.timeout, timing.retries
            )),
        );
    }
}
