//! C302: a top-level volume that no service mounts.

use std::collections::HashSet;

use crate::compose::ComposeFile;
use crate::compose::volumes::{self, MountKind};
use crate::compose::yaml::Node;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::BASE_NAMES;
use crate::rules::{ComposeContext, FixKind, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "C302",
    name: "unused-volume",
    severity: Severity::Info,
    fix: FixKind::None,
    summary: "a top-level volume no service uses",
    doc: include_str!("../../../rules/C302.md"),
};

/// Overlays Compose applies to a base file by default, beside the base.
const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

pub struct UnusedVolume;

/// Adds the named volumes the services of `file` mount; `None` when that
/// cannot be known (a variable volume source, or mounts from another file).
fn used_volumes(file: ComposeFile, unresolved: &HashSet<Span>, used: &mut HashSet<String>) -> Option<()> {
    for service in file.services() {
        // A service extended from another file brings that file's mounts.
        if service.get("extends").and_then(|extends| extends.get("file")).is_some() {
            return None;
        }
        for item in volumes::items(&service, unresolved) {
            // An unset variable may name any volume.
            let mount = item.mount?;
            // `${HOME}/data` is a path whatever HOME is; a lone `${VOL}` may name any volume.
            if mount.kind == MountKind::Unknown && !mount.source.as_deref().is_some_and(|source| source.contains('/')) {
                return None;
            }
            if let Some(name) = mount.volume_name() {
                used.insert(name.to_string());
            }
        }
    }
    Some(())
}

impl Rule for UnusedVolume {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let Some(declared) = file.root.get("volumes").and_then(Node::as_mapping) else {
            return;
        };
        // Included files share the project: their services may mount these.
        if file.entry("include").is_some() {
            return;
        }
        if cx.base.is_none() && self.has_overlays(cx) {
            return;
        }
        let mut used = HashSet::new();
        // The base file's unset variables are not known here: its values stand as interpolated.
        let none = HashSet::new();
        for (source, unresolved) in [(Some(file), &cx.interpolation.unresolved), (cx.base, &none)] {
            let Some(source) = source else { continue };
            if used_volumes(source, unresolved, &mut used).is_none() {
                return;
            }
        }
        for entry in declared.iter() {
            let Some(name) = entry.key.as_str() else { continue };
            if used.contains(name) || name.contains('$') {
                continue;
            }
            let span = entry.merged_from.unwrap_or(entry.key.span);
            out.push(
                Diagnostic::new(
                    &META,
                    span,
                    format!("volume `{name}` is declared but no service mounts it; declare only the volumes the services use"),
                )
                .with_label("unused")
                .with_help(format!("volumes: [\"{name}:{}\"]", cx.standards.volumes.data)),
            );
        }
    }
}

impl UnusedVolume {
    /// Whether this base file has overlays beside it (an override file or a
    /// production variant) whose services may mount its volumes.
    fn has_overlays(&self, cx: &ComposeContext) -> bool {
        let is_base = cx
            .source
            .path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| BASE_NAMES.contains(&name));
        if !is_base {
            return false;
        }
        OVERRIDE_NAMES
            .iter()
            .map(|name| name.to_string())
            .chain(cx.standards.production.files.iter().cloned())
            .any(|name| cx.path_exists(&name) == Some(true))
    }
}
