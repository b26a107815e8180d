//! S004: a `${...}` expression is malformed, or names a variable that is
//! required but unset (errors), or unset without a default (a warning).

use crate::compose::interpolate::ProblemKind;
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
