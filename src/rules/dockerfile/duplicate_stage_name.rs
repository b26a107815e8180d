//! D408: two stages share a name (hadolint DL3024).

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// two stages share a name
    pub struct DuplicateStageName {
        code: D408,
        name: "duplicate-stage-name",
        severity: Error,
        fix: None,
    }
}

impl Rule for DuplicateStageName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        // The first use of each name; stage names compare case-insensitively.
        let mut first_use: HashMap<String, Span> = HashMap::new();
        for stage in &cx.dockerfile.stages {
            let Some(name) = &stage.name else { continue };
            let first = *first_use.entry(name.text.to_ascii_lowercase()).or_insert(name.span);
            if first != name.span {
                out.push(
                    Diagnostic::new(
                        &META,
                        name.span,
                        format!("stage name `{}` is already used by an earlier stage", name.text),
                    )
                    .with_label("duplicate name")
                    .with_secondary(first, "first used here")
                    .with_help("give every stage its own name"),
                );
            }
        }
    }
}
