//! E301: a host port the file publishes is already published by a container
//! `up` will not replace (another project's, or this project's orphan or
//! one-off), so `up` would fail to bind it.

use crate::compose::ports::{self, HostIp, Published};
use crate::diagnostic::Diagnostic;
use crate::engine::{Container, PublishedPort};
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
        // `up` replaces this project's service containers, and no other holder.
        let holders: Vec<(&Container, Holder)> = snapshot
            .containers
            .iter()
            .filter(|container| matches!(container.state.as_str(), "running" | "paused" | "restarting"))
            .filter_map(|container| Some((container, holder(cx, container)?)))
            .collect();
        for service in cx.file.services() {
            for item in ports::items(&service, "ports") {
                let Some(mapping) = &item.mapping else { continue };
                let (Published::Ports(range), Some(protocol)) = (mapping.published, &mapping.protocol) else {
                    continue;
                };
                for (container, holder) in &holders {
                    let taken = container.ports.iter().find(|port| {
                        port.protocol == *protocol
                            && range.ports().any(|host_port| host_port == port.host_port)
                            && mapping.host_ip.overlaps(&engine_ip(port)) == Some(true)
                    });
                    let Some(taken) = taken else { continue };
                    let (whose, help) = holder.describe(&container.name);
                    out.push(
                        Diagnostic::new(
                            &META,
                            item.site,
                            format!(
                                "host port {}/{protocol} of service `{}` is already published by container {} of {whose}",
                                taken.host_port,
                                service.name,
                                describe(container)
                            ),
                        )
                        .with_label("already taken on the engine's host")
                        .with_help(help)
                        .with_identity(format!(
                            "service `{}` host port {}/{protocol} held by {whose}",
                            service.name, taken.host_port
                        )),
                    );
                }
            }
        }
    }
}

/// Who holds a port that `up` cannot take back.
enum Holder {
    /// A container of another project, or of none.
    Other(Option<String>),
    /// This project's container of a service no longer in the file.
    Orphan,
    /// This project's `docker compose run` container (`--service-ports`).
    OneOff,
}

fn holder(cx: &LiveContext, container: &Container) -> Option<Holder> {
    match container.project() {
        Some(project) if project == cx.project => {
            if container.is_oneoff() {
                Some(Holder::OneOff)
            } else if container.service().and_then(|name| cx.service(name)).is_none() {
                Some(Holder::Orphan)
            } else {
                None
            }
        }
        other => Some(Holder::Other(other.map(str::to_string))),
    }
}

impl Holder {
    /// Whose it is, and the help to free the port.
    fn describe(&self, name: &str) -> (String, String) {
        match self {
            Holder::Other(Some(project)) => (
                format!("project `{project}`"),
                format!("stop that container (`docker stop {name}`), or publish another host port"),
            ),
            Holder::Other(None) => (
                "no compose project".to_string(),
                format!("stop that container (`docker stop {name}`), or publish another host port"),
            ),
            Holder::Orphan => (
                "this project, an orphan (its service is no longer in the file)".to_string(),
                format!(
                    "`docker compose down --remove-orphans` (or `docker rm -f {name}`) removes it; `up` alone leaves it"
                ),
            ),
            Holder::OneOff => (
                "this project, a `docker compose run` one-off".to_string(),
                format!("`docker rm -f {name}` removes it; `up` never replaces one-offs"),
            ),
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
