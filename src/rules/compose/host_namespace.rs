//! C212: a service shares a host namespace (`network_mode: host`,
//! `pid: host`, `ipc: host`).

use crate::compose::site::value_site;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `network_mode: host`, `pid: host` or `ipc: host`
    pub struct HostNamespace {
        code: C212,
        name: "host-namespace",
        severity: Warning,
        fix: None,
    }
}

impl Rule for HostNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let networks = &cx.standards.networks;
        for service in file.services() {
            for key in ["network_mode", "pid", "ipc"] {
                let Some(entry) = service.get_entry(key) else { continue };
                if entry.value.as_str().map(str::trim) != Some("host") {
                    continue;
                }
                let (shares, help) = match key {
                    "network_mode" => (
                        "the host's network stack: every port it listens on is open on the host, and the network isolation of the standard does not apply",
                        format!("networks: [{}, {}]", networks.internal, networks.external),
                    ),
                    "pid" => (
                        "the host's process table: it sees, and can signal, every process on the host",
                        // Compose has no value for a private PID namespace: leaving the key out is it.
                        "delete `pid: host`: without `pid:` the service gets its own PID namespace".to_string(),
                    ),
                    _ => (
                        "the host's IPC namespace: its shared memory and semaphores",
                        "ipc: private".to_string(),
                    ),
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        value_site(entry),
                        format!("service `{}` sets `{key}: host` and shares {shares}", service.name),
                    )
                    .with_label("host namespace")
                    .with_help(help),
                );
            }
        }
    }
}
