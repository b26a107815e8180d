//! E301: a host port the file publishes is already published by a running
//! container of another project (or of no project), so `up` would fail to
//! bind it.

use crate::compose::ports::{self, HostIp, Published};
use crate::diagnostic::Diagnostic;
use crate::engine::PublishedPort;
use crate::rules::live::{LiveContext, describe};
use crate::rules::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a published host port is already published by another project's container
    pub struct HostPortTaken {
        code: E301,
        name: "host-port-taken",
        severity: Error,
        fix: None,
    }
}

impl Rule for HostPortTaken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        let others: Vec<_> = snapshot
            .containers
            .iter()
            .filter(|container| container.is_running() && container.project() != Some(cx.project))
            .collect();
        for service in cx.file.services() {
            for item in ports::items(&service, "ports") {
                let Some(mapping) = &item.mapping else { continue };
                let (Published::Ports(range), Some(protocol)) = (mapping.published, &mapping.protocol) else {
                    continue;
                };
                for container in &others {
                    let taken = container.ports.iter().find(|port| {
                        port.protocol == *protocol
                            && range.ports().any(|host_port| host_port == port.host_port)
                            && mapping.host_ip.overlaps(&engine_ip(port)) == Some(true)
                    });
                    let Some(taken) = taken else { continue };
                    let owner = match container.project() {
                        Some(project) => format!("project `{project}`"),
                        None => "no compose project".to_string(),
                    };
                    out.push(
                        Diagnostic::new(
                            &META,
                            item.site,
                            format!(
                                "host port {}/{protocol} of service `{}` is already published by container {} of {owner}",
                                taken.host_port,
                                service.name,
                                describe(container)
                            ),
                        )
                        .with_label("already taken on the engine's host")
                        .with_help(format!(
                            "stop that container (`docker stop {}`), or publish another host port",
                            container.name
                        )),
                    );
                }
            }
        }
    }
}

/// The engine writes `0.0.0.0` and `::` for "every interface".
fn engine_ip(port: &PublishedPort) -> HostIp {
    if port.host_ip.is_empty() {
        HostIp::Unspecified
    } else {
        HostIp::Ip(port.host_ip.clone())
    }
}
