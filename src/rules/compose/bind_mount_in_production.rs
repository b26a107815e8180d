//! C304: a bind mount in the merged model of a production variant (the base
//! file plus the production file), at the line that declares it.

use crate::compose::volumes::{self, Mount, MountKind};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a bind mount in a production variant
    pub struct BindMountInProduction {
        code: C304,
        name: "bind-mount-in-production",
        severity: Warning,
        fix: None,
    }
}

/// A bind mount this rule reports: the Docker socket is C305's.
fn is_reported(mount: &Mount) -> bool {
    mount.kind == MountKind::Bind && !mount.is_docker_socket()
}

impl Rule for BindMountInProduction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        if !cx.production {
            return;
        }
        let variant = cx.source.path.file_name().and_then(|name| name.to_str()).unwrap_or("");
        for service in file.services() {
            for item in volumes::items(&service, &cx.interpolation.unresolved) {
                let Some(mount) = item.mount.as_ref().filter(|mount| is_reported(mount)) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site,
                        format!(
                            "service `{}` bind-mounts the host path `{}` at `{}` in the production variant `{variant}`; production uses named volumes only",
                            service.name,
                            mount.source.as_deref().unwrap_or(""),
                            mount.target
                        ),
                    )
                    .with_label("bind mount")
                    .with_help(help(service.name, mount)),
                );
            }
        }
    }
}

/// A named volume at the same container path (an overlay entry with that
/// path replaces the base's bind mount).
fn help(service: &str, mount: &Mount) -> String {
    let last = mount.target.trim_end_matches('/').rsplit('/').next().unwrap_or("data");
    let name: String = format!("{service}_{last}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    match &mount.mode {
        Some(mode) => format!("- {name}:{}:{mode}", mount.target),
        None => format!("- {name}:{}", mount.target),
    }
}
