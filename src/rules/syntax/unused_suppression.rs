//! S008: a suppression comment that silences nothing. The suppression pass
//! (`crate::suppress`) decides which comments were used; this rule is their
//! identity in reports and configuration.

use crate::diagnostic::Severity;
use crate::rules::{FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "S008",
    name: "unused-suppression",
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a `# vwe-lint: ignore[...]` comment silences nothing",
    doc: include_str!("../../../rules/S008.md"),
};

pub struct UnusedSuppression;

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
