//! C407: a service maps a host device (`devices:`).

use crate::compose::site::item_site;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a service maps a host device (`devices:`)
    pub struct DeviceMount {
        code: C407,
        name: "device-mount",
        severity: Warning,
        fix: None,
    }
}

impl Rule for DeviceMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(entry) = service.get_entry("devices") else {
                continue;
            };
            for item in entry.value.as_sequence().unwrap_or_default() {
                // Short `host[:container[:permissions]]`, long `source:`, or a CDI name.
                let device = match item.get("source") {
                    Some(source) => source.as_str(),
                    None => item.as_str().map(|text| text.split(':').next().unwrap_or(text)),
                };
                let Some(device) = device.map(str::trim).filter(|device| !device.is_empty()) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        item_site(entry, item),
                        format!(
                            "service `{}` gets the host device `{device}`: the container talks to the host's driver directly",
                            service.name
                        ),
                    )
                    .with_label("host device")
                    .with_help(
                        "map only a device the service must drive (never a disk or `/dev/mem`); \
                         if it stays, say why: `# vwe-lint: ignore[C407] the Zigbee stick`",
                    ),
                );
            }
        }
    }
}
