//! S007: the top-level `version:` is obsolete; Compose ignores it.

use crate::compose::edit::remove_entry;
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::rules::{ComposeContext, FixKind, Rule, RuleMeta, Scope};

pub static META: RuleMeta = RuleMeta {
    code: "S007",
    name: "obsolete-version",
    severity: Severity::Warning,
    fix: FixKind::Safe,
    summary: "top-level `version:` is obsolete",
    doc: include_str!("../../../rules/S007.md"),
};

pub struct ObsoleteVersion;

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
            diagnostic = diagnostic.with_fix(Applicability::Safe, "remove `version:`", vec![edit]);
        }
        out.push(diagnostic);
    }
}
