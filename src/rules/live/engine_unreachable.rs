//! E001: no engine answers; says which host was tried, why it failed, and
//! what to do. `vwe-lint env` exits 2 after reporting it.

use crate::diagnostic::Diagnostic;
use crate::rules::live::LiveContext;
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// no Docker engine answers
    pub struct EngineUnreachable {
        code: E001,
        name: "engine-unreachable",
        severity: Error,
        fix: None,
    }
}

impl Rule for EngineUnreachable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Err(unreachable) = cx.engine else { return };
        out.push(
            Diagnostic::new(&META, cx.file_span(), unreachable.headline())
                .with_label("this project's engine was not checked")
                .with_help(unreachable.reason.fix())
                .with_identity(format!("engine at `{}` unreachable", unreachable.host)),
        );
    }
}
