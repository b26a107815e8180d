//! C303: an `infrastructure` service has no named volume for its data.

use crate::compose::volumes::{self, MountKind};
use crate::diagnostic::Diagnostic;
use crate::image::ImageRef;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::Lifecycle;

declare_rule! {
    /// an `infrastructure` service has no named volume for its data
    pub struct InfrastructureWithoutVolume {
        code: C303,
        name: "infrastructure-without-volume",
        severity: Warning,
        fix: None,
    }
}

/// Where the redis image keeps its data (the seed's `redis_data:/data`).
const REDIS_DATA: &str = "/data";

impl Rule for InfrastructureWithoutVolume {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            if cx.lifecycle(&service) != Some(Lifecycle::Infrastructure) {
                continue;
            }
            // Mounts taken from another container cannot be seen here.
            if service.get("volumes_from").is_some() {
                continue;
            }
            let items = volumes::items(&service, &cx.interpolation.unresolved);
            // An entry that depends on an unset variable, or is no mount, may be the volume.
            if items.iter().any(|item| item.mount.is_none()) {
                continue;
            }
            let mounts: Vec<_> = items.into_iter().filter_map(|item| item.mount).collect();
            if mounts
                .iter()
                .any(|mount| mount.volume_name().is_some() || mount.kind == MountKind::Unknown)
            {
                continue;
            }
            // Suggest keeping the path the service already mounts, if any.
            let target = mounts
                .iter()
                .find(|mount| !mount.is_docker_socket() && mount.kind != MountKind::Tmpfs)
                .map(|mount| mount.target.clone())
                .unwrap_or_else(|| {
                    let image = service
                        .get("image")
                        .and_then(|node| node.as_str())
                        .and_then(ImageRef::parse);
                    match image {
                        Some(image) if image.repository == "redis" => REDIS_DATA.to_string(),
                        _ => cx.standards.volumes.data.clone(),
                    }
                });
            let volume = format!("{}_data", service.name.replace(['-', '.'], "_"));
            out.push(
                Diagnostic::new(
                    &META,
                    service.name_span(),
                    format!(
                        "infrastructure service `{}` has no named volume for its data; the standard persists infrastructure data in a named volume",
                        service.name
                    ),
                )
                .with_label("no named volume")
                .with_help(format!("volumes: [\"{volume}:{target}\"]")),
            );
        }
    }
}
