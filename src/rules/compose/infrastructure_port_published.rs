//! C203: an `infrastructure` service publishes a host port.

use crate::compose::ports::{self, Published};
use crate::compose::site::written;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::Lifecycle;

declare_rule! {
    /// an `infrastructure` service publishes a host port
    pub struct InfrastructurePortPublished {
        code: C203,
        name: "infrastructure-port-published",
        severity: Warning,
        fix: None,
    }
}

impl Rule for InfrastructurePortPublished {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let internal = &cx.standards.networks.internal;
        for service in file.services() {
            if cx.lifecycle(&service) != Some(Lifecycle::Infrastructure) {
                continue;
            }
            for item in ports::resolved_items(&service, "ports", &cx.interpolation.unresolved) {
                // An entry that is no port specification is the schema's business.
                let Some(mapping) = &item.mapping else { continue };
                let what = match (mapping.published, mapping.target) {
                    (Published::Ports(range), _) if range.is_single() => format!("host port {range}"),
                    (Published::Ports(range), _) => format!("host ports {range}"),
                    (Published::Ephemeral, Some(target)) => format!("container port {target} on a random host port"),
                    (Published::Ephemeral, None) => "a container port on a random host port".to_string(),
                    (Published::Unknown, _) => match written(item.node) {
                        Some(text) => format!("`{text}`"),
                        None => "a host port".to_string(),
                    },
                };
                let mut diagnostic = Diagnostic::new(
                    &META,
                    item.site,
                    format!(
                        "infrastructure service `{}` publishes {what}; infrastructure is reached only over the internal network `{internal}`",
                        service.name
                    ),
                )
                .with_label("published on the host");
                if let Some(target) = mapping.target {
                    let protocol = mapping.protocol.as_deref().filter(|protocol| *protocol != "tcp");
                    let port = protocol.map_or_else(|| target.to_string(), |protocol| format!("{target}/{protocol}"));
                    diagnostic = diagnostic.with_help(format!("expose: [\"{port}\"]"));
                }
                out.push(diagnostic);
            }
        }
    }
}
