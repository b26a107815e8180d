//! E202: an `external: true` network does not exist on the engine, so
//! `docker compose up` would stop before starting anything.

use crate::diagnostic::Diagnostic;
use crate::rules::live::{LiveContext, external_resources};
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// an `external: true` network does not exist
    pub struct ExternalNetworkMissing {
        code: E202,
        name: "external-network-missing",
        severity: Error,
        fix: None,
    }
}

impl Rule for ExternalNetworkMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        for (name, span) in external_resources(&cx.file, "networks") {
            if snapshot.networks.contains(&name) {
                continue;
            }
            out.push(
                Diagnostic::new(&META, span, format!("external network `{name}` does not exist on the engine"))
                    .with_label("declared external here")
                    .with_help(format!("create it first (`docker network create {name}`), or let Compose manage it by removing `external: true`")),
            );
        }
    }
}
