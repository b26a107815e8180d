//! S008: a suppression comment that silences nothing. The suppression pass
//! (`crate::suppress`) decides which comments were used; this rule is their
//! identity in reports and configuration.

use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a `# vwe-lint: ignore[...]` comment silences nothing
    pub struct UnusedSuppression {
        code: S008,
        name: "unused-suppression",
        severity: Warning,
        fix: None,
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
