//! S005: the Dockerfile does not parse.

use crate::diagnostic::Diagnostic;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// the Dockerfile does not parse
    pub struct DockerfileSyntax {
        code: S005,
        name: "dockerfile-syntax",
        severity: Error,
        fix: None,
    }
}

impl Rule for DockerfileSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for error in &cx.dockerfile.errors {
            out.push(
                Diagnostic::new(&META, error.span, error.message.clone())
                    .with_label("here")
                    .with_help("correct the instruction; the syntax is in the Dockerfile reference, https://docs.docker.com/reference/dockerfile/"),
            );
        }
    }
}
