//! C408: a volume with `shared` or `rshared` mount propagation.

use crate::compose::volumes;
use crate::compose::yaml::Node;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a volume with `shared` or `rshared` mount propagation
    pub struct SharedMountPropagation {
        code: C408,
        name: "shared-mount-propagation",
        severity: Warning,
        fix: None,
    }
}

/// The propagation mounts made in the container share with the host.
const SHARED: [&str; 2] = ["shared", "rshared"];

/// The shared propagation an item asks for: an option of the short syntax's
/// mode (`rw,rshared`), or the long syntax's `bind.propagation`.
fn shared_propagation(node: &Node) -> Option<&'static str> {
    let mode = match node.as_str() {
        Some(text) => volumes::parse_short(text)?.mode?,
        None => node.get("bind")?.get("propagation")?.as_str()?.to_string(),
    };
    mode.split(',')
        .find_map(|option| SHARED.into_iter().find(|shared| option.trim() == *shared))
}

impl Rule for SharedMountPropagation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            for item in volumes::items(&service, &cx.interpolation.unresolved) {
                if item.mount.is_none() {
                    continue;
                }
                let Some(propagation) = shared_propagation(item.node) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site,
                        format!(
                            "service `{}` mounts a volume with `{propagation}` propagation: mounts made in the container appear on the host",
                            service.name
                        ),
                    )
                    .with_label(format!("{propagation} propagation"))
                    .with_help(
                        "drop the option (the default is `rprivate`), or use `rslave` if the container \
                         must see mounts the host makes later",
                    ),
                );
            }
        }
    }
}
