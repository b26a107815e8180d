//! S007: the top-level `version:` is obsolete; Compose ignores it.

use crate::compose::edit::remove_entry;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, Scope, declare_rule};

declare_rule! {
    /// top-level `version:` is obsolete
    pub struct ObsoleteVersion {
        code: S007,
        name: "obsolete-version",
        severity: Warning,
        fix: Safe,
    }
}

impl Rule for ObsoleteVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.file.and_then(|file| file.entry("version")) else {
            return;
        };
        let mut diagnostic = Diagnostic::new(&META, entry.key.span, "`version:` is obsolete: Compose ignores it")
            .with_label("obsolete")
            .with_help("remove the `version:` line; the Compose Specification needs no version");
        if let Some(edit) = remove_entry(cx, entry) {
            diagnostic = diagnostic.with_fix("remove `version:`", vec![edit]);
        }
        out.push(diagnostic);
    }
}
