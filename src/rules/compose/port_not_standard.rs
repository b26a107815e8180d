//! C201: a standard service publishes or exposes a container port other than
//! its standard one.

use crate::compose::ports::{self, HostIp, PortItem, PortMapping, Published};
use crate::compose::site::written;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a standard service uses a container port other than its standard one
    pub struct PortNotStandard {
        code: C201,
        name: "port-not-standard",
        severity: Error,
        fix: None,
    }
}

/// A standard port: number and lowercase protocol.
#[derive(Clone, PartialEq, Eq)]
struct StandardPort {
    port: u16,
    protocol: String,
}

impl StandardPort {
    fn parse(text: &str) -> Option<StandardPort> {
        let (port, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
        Some(StandardPort {
            port: port.trim().parse().ok()?,
            protocol: protocol.trim().to_ascii_lowercase(),
        })
    }
}

/// `8000`, or `2456/udp` for another protocol than TCP.
fn port_text(port: u16, protocol: &str) -> String {
    if protocol == "tcp" {
        port.to_string()
    } else {
        format!("{port}/{protocol}")
    }
}

impl Rule for PortNotStandard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(standard) = cx.standards.ports.get(service.name) else {
                continue;
            };
            let standard: Vec<StandardPort> = standard.iter().filter_map(|text| StandardPort::parse(text)).collect();
            if standard.is_empty() {
                continue;
            }
            let standard_text: Vec<String> = standard
                .iter()
                .map(|port| format!("`{}`", port_text(port.port, &port.protocol)))
                .collect();
            let standard_phrase = if standard_text.len() == 1 {
                format!(
                    "the standard container port for {} is {}",
                    service.name, standard_text[0]
                )
            } else {
                format!(
                    "the standard container ports for {} are {}",
                    service.name,
                    standard_text.join(" and ")
                )
            };
            for (key, verb) in [("ports", "publishes"), ("expose", "exposes")] {
                for item in ports::resolved_items(&service, key, &cx.interpolation.unresolved) {
                    let Some(mapping) = &item.mapping else { continue };
                    let (Some(target), Some(protocol)) = (mapping.target, mapping.protocol.as_deref()) else {
                        continue;
                    };
                    let wrong: Vec<u16> = target
                        .ports()
                        .filter(|&port| {
                            !standard
                                .iter()
                                .any(|known| known.port == port && known.protocol == protocol)
                        })
                        .collect();
                    if wrong.is_empty() {
                        continue;
                    }
                    let shown = if wrong.len() == 1 {
                        format!("container port `{}`", port_text(wrong[0], protocol))
                    } else {
                        format!(
                            "container ports `{}`",
                            port_text_range(target.start, target.end, protocol)
                        )
                    };
                    let replacement = standard
                        .iter()
                        .find(|known| known.protocol == protocol)
                        .unwrap_or(&standard[0]);
                    out.push(
                        Diagnostic::new(
                            &META,
                            item.site,
                            format!("service `{}` {verb} {shown}; {standard_phrase}", service.name),
                        )
                        .with_label("not a standard port")
                        .with_help(help(key, &item, mapping, replacement)),
                    );
                }
            }
        }
    }
}

fn port_text_range(start: u16, end: u16, protocol: &str) -> String {
    let range = if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    };
    if protocol == "tcp" {
        range
    } else {
        format!("{range}/{protocol}")
    }
}

/// The entry rewritten with the standard container port, keeping the host
/// side as written.
fn help(key: &str, item: &PortItem, mapping: &PortMapping, standard: &StandardPort) -> String {
    let container = port_text(standard.port, &standard.protocol);
    if key == "expose" {
        return format!("- \"{container}\"");
    }
    if let Some(text) = written(item.node) {
        let fields = ports::split_unbraced(text, ':');
        let spec_fields = &fields[..fields.len() - 1];
        // A range maps onto a range: keep the host side only for one port.
        let host = match spec_fields {
            [] => String::new(),
            _ if mapping.target.is_some_and(|target| target.is_single()) => format!("{}:", spec_fields.join(":")),
            _ => format!("{}:", standard.port),
        };
        return format!("- \"{host}{container}\"");
    }
    let mut fields = vec![format!("target: {}", standard.port)];
    if let Published::Ports(published) = mapping.published {
        fields.push(format!("published: \"{published}\""));
    }
    if let HostIp::Ip(ip) = &mapping.host_ip {
        fields.push(format!("host_ip: {ip}"));
    }
    if standard.protocol != "tcp" {
        fields.push(format!("protocol: {}", standard.protocol));
    }
    format!("- {{{}}}", fields.join(", "))
}
