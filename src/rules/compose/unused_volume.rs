//! C302: a top-level volume that no service mounts.

use std::collections::HashSet;

use crate::compose::ComposeFile;
use crate::compose::volumes::{self, MountKind};
use crate::compose::yaml::Node;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// a top-level volume no service uses
    pub struct UnusedVolume {
        code: C302,
        name: "unused-volume",
        severity: Info,
        fix: None,
    }
}

/// Adds the named volumes the services of `file` mount; `None` when that
/// cannot be known (a variable volume source, or mounts from another file).
fn used_volumes(file: ComposeFile, unresolved: &HashSet<Span>, used: &mut HashSet<String>) -> Option<()> {
    for service in file.services() {
        // A service whose `extends` could not be resolved brings unknown mounts.
        if service.get("extends").is_some() {
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
        // A file that could not be included or extended may mount any of them.
        if !cx.problems.is_empty() {
            return;
        }
        // A volume of the base file may be mounted by another variant only
        // (the production file): unused means unused by every variant.
        let mut used = HashSet::new();
        for root in cx.variant_roots.iter().copied().chain([file.root]) {
            let Some(variant) = ComposeFile::new(root) else {
                continue;
            };
            if used_volumes(variant, &cx.interpolation.unresolved, &mut used).is_none() {
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
