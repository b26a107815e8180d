//! E201: an `external: true` volume does not exist on the engine, so
//! `docker compose up` would stop before starting anything.

use crate::diagnostic::Diagnostic;
use crate::rules::live::{LiveContext, external_resources};
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// an `external: true` volume does not exist
    pub struct ExternalVolumeMissing {
        code: E201,
        name: "external-volume-missing",
        severity: Error,
        fix: None,
    }
}

impl Rule for ExternalVolumeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for (name, span) in external_resources(&cx.file, "volumes") {
            if snapshot.volumes.contains(&name) {
                continue;
            }
            out.push(
                Diagnostic::new(&META, span, format!("external volume `{name}` does not exist on the engine"))
                    .with_label("declared external here")
                    .with_help(format!("create it first (`docker volume create {name}`), or let Compose manage it by removing `external: true`")),
            );
        }
    }
}
