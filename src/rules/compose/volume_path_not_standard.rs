//! C301: a VWE service mounts data or config at a path outside the standard
//! volume paths.

use crate::compose::Service;
use crate::compose::build::BuildSpec;
use crate::compose::volumes::{self, MountItem, MountKind};
use crate::diagnostic::Diagnostic;
use crate::image::{Approval, ImageRef};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::Volumes;

declare_rule! {
    /// a VWE service mounts data or config outside the standard volume paths
    pub struct VolumePathNotStandard {
        code: C301,
        name: "volume-path-not-standard",
        severity: Warning,
        fix: None,
    }
}

impl Rule for VolumePathNotStandard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let paths = &cx.standards.volumes;
        let standard = [&paths.data, &paths.config, &paths.plugins, &paths.worlds];
        for service in file.services() {
            if !is_vwe_service(cx, &service) {
                continue;
            }
            for item in volumes::items(&service, &cx.interpolation.unresolved) {
                let Some(mount) = &item.mount else { continue };
                // Anonymous volumes and tmpfs hold nothing that outlives the container.
                if matches!(mount.kind, MountKind::Tmpfs | MountKind::Other) || mount.source.is_none() {
                    continue;
                }
                if mount.is_docker_socket() || mount.target.contains('$') {
                    continue;
                }
                let target = mount.target.trim_end_matches('/');
                if standard.iter().any(|path| is_under(target, path)) {
                    continue;
                }
                let Some(dir) = target
                    .split('/')
                    .rev()
                    .find(|segment| paths.data_config_dirs.iter().any(|name| name == segment))
                else {
                    continue;
                };
                let (kind, path) = standard_for(dir, paths);
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site,
                        format!(
                            "service `{}` mounts {kind} at `{}`; the standard {kind} path is `{path}`",
                            service.name, mount.target
                        ),
                    )
                    .with_label(format!("not a standard {kind} path"))
                    .with_help(help(&item, path)),
                );
            }
        }
    }
}

/// A service VWE builds or ships: its image is in the custom namespace, or
/// it is built from a local Dockerfile (not a git or http context). Services running a third-party image
/// (`redis:7-alpine` keeps its data in `/data`) keep that image's paths.
fn is_vwe_service(cx: &ComposeContext, service: &Service) -> bool {
    if service.get("build").is_some() {
        // A git or http context builds someone else's Dockerfile.
        return !BuildSpec::of(service).is_some_and(|spec| spec.is_remote());
    }
    service
        .get("image")
        .and_then(|node| node.as_str())
        .and_then(ImageRef::parse)
        .is_some_and(|image| cx.standards.approval(&image) == Approval::Custom)
}

fn is_under(target: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    target == path || target.strip_prefix(path).is_some_and(|rest| rest.starts_with('/'))
}

/// What a directory name says the mount holds, and its standard path.
fn standard_for<'a>(dir: &str, paths: &'a Volumes) -> (&'static str, &'a str) {
    let last = |path: &str| path.rsplit('/').next().unwrap_or("").to_string();
    if dir == "plugins" || dir == last(&paths.plugins) {
        ("plugins", &paths.plugins)
    } else if dir.starts_with("world") || dir == last(&paths.worlds) {
        ("worlds", &paths.worlds)
    } else if dir == "data" || dir == last(&paths.data) {
        ("data", &paths.data)
    } else {
        ("config", &paths.config)
    }
}

/// The entry mounted at the standard path, its source and options kept.
fn help(item: &MountItem, path: &str) -> String {
    let Some(mount) = &item.mount else {
        return format!("target: {path}");
    };
    match (item.node.as_str(), &mount.source) {
        (Some(_), Some(source)) => match &mount.mode {
            Some(mode) => format!("- {source}:{path}:{mode}"),
            None => format!("- {source}:{path}"),
        },
        _ => format!("target: {path}"),
    }
}
