//! S004: a `${...}` expression is malformed, or names a variable that is
//! required but unset (errors), or unset without a default (a warning).

use crate::compose::interpolate::ProblemKind;
use crate::compose::validity;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, Rule, RuleMeta, Scope, declare_rule};

declare_rule! {
    /// malformed `${…}`, or a required variable is unset
    pub struct Interpolation {
        code: S004,
        name: "interpolation",
        severity: Error,
        fix: None,
    }
}

impl Rule for Interpolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let invalid_when_unset = invalid_when_unset(cx);
        for problem in &cx.interpolation.problems {
            let diagnostic = match &problem.kind {
                ProblemKind::Malformed { .. } => Diagnostic::new(&META, problem.span, problem.kind.message())
                    .with_label("malformed")
                    .with_help("write `$$` for a literal `$`"),
                ProblemKind::Required { name, .. } => {
                    Diagnostic::new(&META, problem.span, problem.kind.message())
                    .with_label(format!("`{name}` is required"))
                    .with_help(format!(
                        "set `{name}` in the environment, in `.env` beside the compose file, or in a file given with `--env-file`"
                    ))
                }
                ProblemKind::Unset { name } => {
                    let invalid = invalid_when_unset
                        .iter()
                        .find(|invalid| invalid.node.contains(problem.span));
                    if let Some(invalid) = invalid {
                        out.push(
                            Diagnostic::new(
                                &META,
                                problem.span,
                                format!(
                                    "variable `{name}` is not set: with `{name}` unset, this {} is invalid ({})",
                                    invalid.what, invalid.violation.message
                                ),
                            )
                            .with_label(format!("`{name}` is unset"))
                            .with_help(format!(
                                "set `{name}` (environment, `.env` or `--env-file`), or give a valid default: `${{{name}:-default}}`"
                            )),
                        );
                        continue;
                    }
                    let mut diagnostic = Diagnostic::new(&META, problem.span, problem.kind.message())
                    .with_label(format!("`{name}` is unset"))
                    .with_help(format!(
                        "set `{name}` (environment, `.env` or `--env-file`), or give a default: `${{{name}:-default}}`"
                    ));
                    diagnostic.severity = Severity::Warning;
                    diagnostic
                }
                ProblemKind::EnvFile { .. } => Diagnostic::new(&META, problem.span, problem.kind.message())
                    .with_help("make `.env` a regular, readable file of the project, or name the variables' file with `--env-file`"),
            };
            out.push(diagnostic);
        }
    }
}

/// The values Compose refuses as an unset variable leaves them: an unset
/// variable there is an error, not a warning.
fn invalid_when_unset(cx: &ComposeContext) -> Vec<validity::Invalid> {
    let any_unset = cx
        .interpolation
        .problems
        .iter()
        .any(|problem| matches!(problem.kind, ProblemKind::Unset { .. }));
    match cx.yaml.documents.first() {
        Some(root) if any_unset => validity::file_invalid(root, &cx.interpolation.unresolved)
            .into_iter()
            .filter(|invalid| invalid.unset)
            .collect(),
        _ => Vec::new(),
    }
}
