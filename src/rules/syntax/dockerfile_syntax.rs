//! S005: the Dockerfile does not parse.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "S005",
    name: "dockerfile-syntax",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "the Dockerfile does not parse",
    doc: include_str!("../../../rules/S005.md"),
};

pub struct DockerfileSyntax;

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
