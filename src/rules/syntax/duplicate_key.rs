//! S002: a mapping repeats a key.

use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, Scope, declare_rule};

declare_rule! {
    /// a mapping repeats a key
    pub struct DuplicateKey {
        code: S002,
        name: "duplicate-key",
        severity: Error,
        fix: None,
    }
}

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        for duplicate in &cx.yaml.duplicate_keys {
            out.push(
                Diagnostic::new(
                    &META,
                    duplicate.second,
                    format!("duplicate key `{}` in the same mapping", duplicate.key),
                )
                .with_label("repeated here")
                .with_secondary(duplicate.first, "first defined here")
                .with_help(format!(
                    "keep one `{}:` and merge the two values into it",
                    duplicate.key
                )),
            );
        }
    }
}
