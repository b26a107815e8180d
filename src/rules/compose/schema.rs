//! S003: the compose file breaks the Compose schema.

use crate::compose::{schema, validity};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, Scope, declare_rule};

declare_rule! {
    /// the compose file breaks the Compose schema
    pub struct Schema {
        code: S003,
        name: "schema",
        severity: Error,
        fix: None,
    }
}

impl Rule for Schema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(root) = cx.yaml.documents.first() else {
            return;
        };
        // An empty document is S001's business (or simply an empty file).
        if root.is_null() {
            return;
        }
        let v1 = schema::v1_services(root);
        if let Some(first) = v1.first() {
            let names: Vec<&str> = v1.iter().map(|span| cx.source.slice(*span)).collect();
            out.push(
                Diagnostic::new(
                    &META,
                    *first,
                    format!(
                        "this is a version 1 compose file: services ({}) are defined at the top level, without `services:`",
                        quoted_list(&names)
                    ),
                )
                .with_label("a service at the top level")
                .with_help(
                    "Compose no longer reads the version 1 format: move the service definitions under a top-level `services:` key",
                ),
            );
            return;
        }
        let unresolved = &cx.interpolation.unresolved;
        let beyond_schema = validity::file_invalid(root, unresolved)
            .into_iter()
            .filter(|invalid| !invalid.unset)
            .map(|invalid| invalid.violation);
        for violation in schema::validate(root, unresolved).into_iter().chain(beyond_schema) {
            out.push(diagnostic(violation));
        }
    }

    /// Compose validates each file, then the project the files make.
    fn check_merged(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else {
            return;
        };
        for mut violation in validity::project_invalid(file.root) {
            // A service the variant's own file does not complete is
            // invalid only in that variant: the message names it.
            if !std::ptr::eq(cx.source_of(violation.span), cx.source) {
                violation.message = format!("{} (deployed with `{}`)", violation.message, cx.source.path.display());
            }
            out.push(diagnostic(violation));
        }
    }
}

fn diagnostic(violation: schema::Violation) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(&META, violation.span, violation.message).with_label(violation.label);
    if let Some(help) = violation.help {
        diagnostic = diagnostic.with_help(help);
    }
    if let Some((span, message)) = violation.secondary {
        diagnostic = diagnostic.with_secondary(span, message);
    }
    diagnostic
}

/// `a`, `b` and 3 more.
fn quoted_list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(3).map(|name| format!("`{name}`")).collect();
    match names.len() {
        0..=3 => shown.join(", "),
        more => format!("{} and {} more", shown.join(", "), more - 3),
    }
}
