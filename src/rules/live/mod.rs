//! The E rules: the compose file against one snapshot of a live engine
//! (`vwe-lint env`). Pure like every rule: they read the context, never the
//! engine.

use crate::compose::{ComposeFile, Service};
use crate::engine::{Container, Snapshot, Unreachable};
use crate::source::{SourceFile, Span};
use crate::standards::{Lifecycle, Standards};

pub mod container_name_taken;
pub mod drift;
pub mod engine_too_old;
pub mod engine_unreachable;
pub mod external_network_missing;
pub mod external_volume_missing;
pub mod host_port_taken;
pub mod image_not_present;
pub mod leaked_job_container;
pub mod service_down;
pub mod unhealthy_container;

/// A compose file and what the engine answered, as the live rules see them.
pub struct LiveContext<'a> {
    pub source: &'a SourceFile,
    pub file: ComposeFile<'a>,
    /// The Compose project name the file's containers carry.
    pub project: &'a str,
    /// The snapshot, or why no engine answered.
    pub engine: Result<&'a Snapshot, &'a Unreachable>,
    pub standards: &'a Standards,
}

impl<'a> LiveContext<'a> {
    pub fn snapshot(&self) -> Option<&'a Snapshot> {
        self.engine.ok()
    }

    pub fn service(&self, name: &str) -> Option<Service<'a>> {
        self.file.services().find(|service| service.name == name)
    }

    /// The containers of this project, with the service each belongs to in
    /// the file, when it has one.
    pub fn project_containers(&self) -> impl Iterator<Item = (&'a Container, Option<Service<'a>>)> + '_ {
        let snapshot = self.snapshot();
        snapshot
            .into_iter()
            .flat_map(|snapshot| snapshot.project_containers(self.project))
            .map(|container| (container, container.service().and_then(|name| self.service(name))))
    }

    /// This project's containers that `docker compose up` manages: neither
    /// one-offs (`docker compose run`) nor orphans (service gone from the file).
    pub fn service_containers(&self) -> impl Iterator<Item = (&'a Container, Service<'a>)> + '_ {
        self.project_containers()
            .filter(|(container, _)| !container.is_oneoff())
            .filter_map(|(container, service)| Some((container, service?)))
    }

    /// Where a finding about the whole file points: `name:`, else `services:`,
    /// else the start of the file.
    pub fn file_span(&self) -> Span {
        ["name", "services"]
            .iter()
            .find_map(|key| self.file.entry(key))
            .map_or(Span::point(0), |entry| entry.key.span)
    }

    /// Where a finding about a container points: its service's name in the
    /// file, or the file itself for a container the file does not declare.
    pub fn container_span(&self, service: Option<&Service>) -> Span {
        service.map_or_else(|| self.file_span(), Service::name_span)
    }

    /// A container's lifecycle: the file's service decides (label or name),
    /// else the container's own `vwe.lifecycle` label, else its service name.
    pub fn lifecycle(&self, container: &Container, service: Option<&Service>) -> Option<Lifecycle> {
        if let Some(service) = service {
            return service.lifecycle(self.standards).lifecycle();
        }
        if let Some(label) = container.labels.get(crate::compose::LIFECYCLE_LABEL) {
            return Lifecycle::parse(label.trim());
        }
        Some(self.standards.lifecycle_by_name(container.service()?))
    }
}

/// `redis` or `redis (container vwe-redis-1)`: how findings name a container.
pub fn describe(container: &Container) -> String {
    match container.service() {
        Some(service) => format!("`{}` (service `{service}`)", container.name),
        None => format!("`{}`", container.name),
    }
}

/// The top-level entries of `section` (`volumes`, `networks`) declared
/// `external: true`, with the engine-side name (`name:` or the key).
pub fn external_resources<'a>(file: &ComposeFile<'a>, section: &str) -> Vec<(String, Span)> {
    let Some(entries) = file.root.get(section).and_then(|node| node.as_mapping()) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let key = entry.key.as_str()?;
            let external = entry.value.get("external")?;
            let declared = matches!(external.resolve(), Some(crate::compose::yaml::Resolved::Bool(true)))
                // The legacy form `external: {name: x}`.
                || external.as_mapping().is_some();
            if !declared {
                return None;
            }
            let name = external
                .get("name")
                .or_else(|| entry.value.get("name"))
                .and_then(|node| node.as_str())
                .unwrap_or(key);
            // A name given by a variable is decided at deploy time.
            (!name.contains('$')).then(|| (name.to_string(), entry.key.span))
        })
        .collect()
}
