//! C205: a published port binds every interface (no host IP).

use crate::compose::ports::{self, HostIp, PortItem, PortMapping, Published};
use crate::compose::site::written;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a published port binds every interface
    pub struct PortAllInterfaces {
        code: C205,
        name: "port-all-interfaces",
        severity: Info,
        fix: None,
    }
}

/// The address suggested in help lines.
const LOOPBACK: &str = "127.0.0.1";

impl Rule for PortAllInterfaces {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            for item in ports::resolved_items(&service, "ports", &cx.interpolation.unresolved) {
                let Some(mapping) = &item.mapping else { continue };
                if mapping.host_ip.binds_all() != Some(true) {
                    continue;
                }
                let what = match mapping.published {
                    Published::Ports(range) if range.is_single() => format!("host port {range}"),
                    Published::Ports(range) => format!("host ports {range}"),
                    Published::Ephemeral => match mapping.target {
                        Some(target) => format!("container port {target} on a random host port"),
                        None => "a random host port".to_string(),
                    },
                    Published::Unknown => match written(item.node) {
                        Some(text) => format!("`{text}`"),
                        None => "a host port".to_string(),
                    },
                };
                let interfaces = match &mapping.host_ip {
                    HostIp::Ip(ip) => format!("every interface (`{ip}`)"),
                    _ => "every interface (no host IP)".to_string(),
                };
                let mut diagnostic = Diagnostic::new(
                    &META,
                    item.site,
                    format!(
                        "service `{}` publishes {what} on {interfaces}; bind it to the one interface that needs it, such as `{LOOPBACK}`",
                        service.name
                    ),
                )
                .with_label("all interfaces");
                if let Some(help) = help(&item, mapping) {
                    diagnostic = diagnostic.with_help(help);
                }
                out.push(diagnostic);
            }
        }
    }
}

/// The entry bound to the loopback address.
fn help(item: &PortItem, mapping: &PortMapping) -> Option<String> {
    let Some(text) = written(item.node) else {
        return Some(format!("host_ip: {LOOPBACK}"));
    };
    let text = text.trim();
    let rest = match &mapping.host_ip {
        // Drop the written wildcard address and its colon.
        HostIp::Ip(ip) => {
            let written = text
                .strip_prefix(&format!("[{ip}]"))
                .or_else(|| text.strip_prefix(ip.as_str()))?;
            written.strip_prefix(':')?.to_string()
        }
        _ => match mapping.published {
            Published::Ephemeral => format!(":{text}"),
            _ => text.to_string(),
        },
    };
    Some(format!("- \"{LOOPBACK}:{rest}\""))
}
