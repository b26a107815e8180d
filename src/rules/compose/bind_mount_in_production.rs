//! C304: a bind mount in a production variant (the production file, and the
//! base services it amends).

use std::collections::HashSet;

use crate::compose::site::replaces_base;
use crate::compose::volumes::{self, Mount, MountKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "C304",
    name: "bind-mount-in-production",
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a bind mount in a production variant",
    doc: include_str!("../../../rules/C304.md"),
};

pub struct BindMountInProduction;

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
        let Some(name) = cx.source.path.file_name().and_then(|name| name.to_str()) else {
            return;
        };
        if !cx.standards.production.files.iter().any(|file| file == name) {
            return;
        }
        for service in file.services() {
            let own = volumes::items(&service, &cx.interpolation.unresolved);
            for item in &own {
                let Some(mount) = item.mount.as_ref().filter(|mount| is_reported(mount)) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site,
                        format!(
                            "service `{}` bind-mounts the host path `{}` at `{}` in the production file `{name}`; production uses named volumes only",
                            service.name,
                            mount.source.as_deref().unwrap_or(""),
                            mount.target
                        ),
                    )
                    .with_label("bind mount")
                    .with_help(help(service.name, mount)),
                );
            }
            let Some(base) = cx.base_service(service.name) else {
                continue;
            };
            if service.get("volumes").is_some_and(replaces_base) {
                continue;
            }
            // Compose merges mounts by container path: the overlay's entry replaces the base's.
            let replaced = |target: &str| {
                own.iter()
                    .filter_map(|item| item.mount.as_ref())
                    .any(|mount| mount.target.trim_end_matches('/') == target.trim_end_matches('/'))
            };
            for mount in volumes::items(&base, &HashSet::new())
                .into_iter()
                .filter_map(|item| item.mount)
            {
                if !is_reported(&mount) || replaced(&mount.target) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        service.name_span(),
                        format!(
                            "service `{}` keeps the base file's bind mount of the host path `{}` at `{}` in the production variant; production uses named volumes only",
                            service.name,
                            mount.source.as_deref().unwrap_or(""),
                            mount.target
                        ),
                    )
                    .with_label("inherits a bind mount")
                    .with_help(help(service.name, &mount)),
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
