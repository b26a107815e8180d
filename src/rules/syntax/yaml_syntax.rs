//! S001: the YAML does not parse.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, FixKind, Rule, RuleMeta, Scope};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "S001",
    name: "yaml-syntax",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "the YAML does not parse",
    doc: include_str!("../../../rules/S001.md"),
};

pub struct YamlSyntax;

impl Rule for YamlSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        for error in &cx.yaml.errors {
            out.push(
                Diagnostic::new(&META, error.span, format!("invalid YAML: {}", error.message))
                    .with_label(error.message.clone())
                    .with_help("fix the YAML syntax here; Compose cannot read the file until it parses"),
            );
        }
        // Compose reads one document per file; the rest would be ignored.
        for extra in cx.yaml.documents.iter().skip(1) {
            let start = Span::point(extra.span.start);
            out.push(
                Diagnostic::new(
                    &META,
                    start,
                    "a compose file holds one YAML document, but this file has several",
                )
                .with_label("a second document starts here")
                .with_help("split the documents into separate compose files, or remove the `---` separator"),
            );
        }
    }
}
