//! D406: more than one CMD or ENTRYPOINT in a stage (hadolint DL4003, DL4004).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// more than one CMD or ENTRYPOINT in a stage
    pub struct MultipleCmd {
        code: D406,
        name: "multiple-cmd",
        severity: Warning,
        fix: None,
    }
}

impl Rule for MultipleCmd {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.dockerfile.stages {
            for keyword in [Keyword::Cmd, Keyword::Entrypoint] {
                let mut found = cx.dockerfile.instructions[stage.instructions.clone()]
                    .iter()
                    .filter(|instruction| instruction.keyword == keyword);
                let Some(mut previous) = found.next() else {
                    continue;
                };
                for instruction in found {
                    out.push(
                        Diagnostic::new(
                            &META,
                            instruction.keyword_span,
                            format!("a second {keyword} in this stage: only the last {keyword} takes effect"),
                        )
                        .with_label("overrides the earlier one")
                        .with_secondary(previous.keyword_span, "ignored")
                        .with_help(format!(
                            "keep one {keyword} per stage: remove the ones that have no effect"
                        )),
                    );
                    previous = instruction;
                }
            }
        }
    }
}
