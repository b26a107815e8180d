//! S006: a service names a service, network, volume, secret or config that
//! the project does not define, or an `include`/`extends` cannot be followed.

use std::collections::HashSet;

use crate::compose::model::defined;
use crate::compose::site::{item_site, value_site};
use crate::compose::volumes;
use crate::compose::yaml::{Entry, Node, Value};
use crate::compose::{ComposeFile, Service};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// a reference to a service, network, volume, secret, config or file the merged project does not define
    pub struct UndefinedReference {
        code: S006,
        name: "undefined-reference",
        severity: Error,
        fix: None,
    }
}

/// The network every service without `networks:` joins; always defined.
const DEFAULT_NETWORK: &str = "default";

/// What a reference names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Service,
    Network,
    Volume,
    Secret,
    Config,
}

impl Kind {
    /// The top-level section that defines names of this kind.
    fn section(self) -> &'static str {
        match self {
            Kind::Service => "services",
            Kind::Network => "networks",
            Kind::Volume => "volumes",
            Kind::Secret => "secrets",
            Kind::Config => "configs",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Network => "network",
            Kind::Volume => "volume",
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }

    /// How to define a missing name of this kind.
    fn how_to_define(self, name: &str) -> String {
        match self {
            Kind::Service => format!("define a service `{name}` under `services:`, or remove the reference"),
            Kind::Network | Kind::Volume => format!(
                "declare it under the top-level `{}:` (`{name}: {{}}`, or `{name}: {{external: true}}` when it is created outside the project)",
                self.section()
            ),
            Kind::Secret | Kind::Config => format!(
                "declare it under the top-level `{}:`, with the `file:` (or `environment:`) it is read from",
                self.section()
            ),
        }
    }
}

/// One reference a service makes.
struct Reference {
    kind: Kind,
    name: String,
    span: Span,
    /// How the service refers to it, for the message: "depends on", ...
    how: &'static str,
}

/// The names a project defines, by kind; `None` for a section that is
/// written but is no mapping (the schema's finding, not ours).
struct Defined {
    services: Option<HashSet<String>>,
    networks: Option<HashSet<String>>,
    volumes: Option<HashSet<String>>,
    secrets: Option<HashSet<String>>,
    configs: Option<HashSet<String>>,
}

impl Defined {
    fn of(root: &Node) -> Self {
        let section = |name: &str| match root.get(name) {
            Some(node) if node.as_mapping().is_none() && !node.is_null() => None,
            _ => Some(defined(root, name)),
        };
        Defined {
            services: section("services"),
            networks: section("networks"),
            volumes: section("volumes"),
            secrets: section("secrets"),
            configs: section("configs"),
        }
    }

    fn names(&self, kind: Kind) -> Option<&HashSet<String>> {
        match kind {
            Kind::Service => self.services.as_ref(),
            Kind::Network => self.networks.as_ref(),
            Kind::Volume => self.volumes.as_ref(),
            Kind::Secret => self.secrets.as_ref(),
            Kind::Config => self.configs.as_ref(),
        }
    }
}

/// The part of `node`'s text that is `name` (after `prefix`), when the
/// service gets the node where it is written; else `site`.
fn name_span(cx: &ComposeContext, site: Span, node: &Node, prefix: &str, name: &str) -> Span {
    if site != node.span || node.as_scalar().is_none_or(|scalar| scalar.raw.is_some()) {
        return site;
    }
    let text = cx.text(node.span);
    let Some(written) = text.get(node.span.start..node.span.end) else {
        return site;
    };
    let unquoted = written.trim_start_matches(['"', '\'']);
    if !unquoted.starts_with(prefix) || !unquoted[prefix.len()..].starts_with(name) {
        return site;
    }
    let start = node.span.start + (written.len() - unquoted.len()) + prefix.len();
    node.span.sub(start, start + name.len())
}

/// Where a service gets one key of a mapping entry (`depends_on: {db: …}`,
/// `networks: {back: …}`).
fn key_site(list: &Entry, key: &Entry) -> Span {
    // A key an overlay added to a merged or aliased mapping is written in the overlay.
    if key.merged_from.is_none() && key.key.alias.is_none() && !list.value.span.contains(key.key.span) {
        return key.key.span;
    }
    list.merged_from
        .or(list.value.alias)
        .or(key.merged_from)
        .unwrap_or(key.key.span)
}

/// Service names in a list or the keys of a mapping (`depends_on`, `networks`).
fn list_or_keys(
    cx: &ComposeContext,
    service: &Service,
    key: &str,
    kind: Kind,
    how: &'static str,
    out: &mut Vec<Reference>,
) {
    let Some(entry) = service.get_entry(key) else {
        return;
    };
    match &entry.value.value {
        Value::Sequence(items) => {
            for item in items {
                if let Some(name) = item.as_str().filter(|_| !cx.is_unresolved(item)) {
                    let site = item_site(entry, item);
                    out.push(Reference {
                        kind,
                        name: name.to_string(),
                        span: name_span(cx, site, item, "", name),
                        how,
                    });
                }
            }
        }
        Value::Mapping(mapping) => {
            for item in mapping {
                if let Some(name) = item.key.as_str() {
                    out.push(Reference {
                        kind,
                        name: name.to_string(),
                        span: key_site(entry, item),
                        how,
                    });
                }
            }
        }
        _ => {}
    }
}

/// `links: [db, "db:database"]` and `volumes_from: [app, "app:ro", "container:x"]`.
fn prefixed_items(cx: &ComposeContext, service: &Service, key: &str, how: &'static str, out: &mut Vec<Reference>) {
    let Some(entry) = service.get_entry(key) else {
        return;
    };
    for item in entry.value.as_sequence().unwrap_or_default() {
        let Some(text) = item.as_str().filter(|_| !cx.is_unresolved(item)) else {
            continue;
        };
        // A container made outside the project, not a service.
        if key == "volumes_from" && text.starts_with("container:") {
            continue;
        }
        // `service:web` is the service `service` in mode `web` to Compose,
        // not the file format 2 spelling of `web`.
        let name = text.split(':').next().unwrap_or_default().trim();
        let site = item_site(entry, item);
        out.push(Reference {
            kind: Kind::Service,
            name: name.to_string(),
            span: name_span(cx, site, item, "", name),
            how,
        });
    }
}

/// `network_mode: service:x`, `pid: service:x`, `ipc: service:x`.
fn namespace_service(cx: &ComposeContext, service: &Service, key: &str, out: &mut Vec<Reference>) {
    let Some(entry) = service.get_entry(key) else {
        return;
    };
    let Some(name) = entry
        .value
        .as_str()
        .filter(|_| !cx.is_unresolved(&entry.value))
        .and_then(|text| text.strip_prefix("service:"))
    else {
        return;
    };
    let name = name.trim();
    let how = match key {
        "network_mode" => "shares the network namespace of",
        "pid" => "shares the PID namespace of",
        _ => "shares the IPC namespace of",
    };
    out.push(Reference {
        kind: Kind::Service,
        name: name.to_string(),
        span: name_span(cx, value_site(entry), &entry.value, "service:", name),
        how,
    });
}

/// The named volumes a service mounts.
fn named_volumes(cx: &ComposeContext, service: &Service, out: &mut Vec<Reference>) {
    for item in volumes::items(service, &cx.interpolation.unresolved) {
        let Some(name) = item.mount.as_ref().and_then(|mount| mount.volume_name()) else {
            continue;
        };
        let span = match item.node.get("source") {
            Some(source) if item.site == item.node.span => source.site(),
            Some(_) => item.site,
            None => name_span(cx, item.site, item.node, "", name),
        };
        out.push(Reference {
            kind: Kind::Volume,
            name: name.to_string(),
            span,
            how: "mounts",
        });
    }
}

/// `secrets: [token]` or `secrets: [{source: token, target: …}]`, and the
/// same for `configs:` and `build: {secrets: …}`. `outer` is where the
/// service gets the mapping holding the list, when that is merged in or
/// copied (`build: *common-build`).
fn sources(
    cx: &ComposeContext,
    entry: &Entry,
    outer: Option<Span>,
    kind: Kind,
    how: &'static str,
    out: &mut Vec<Reference>,
) {
    for item in entry.value.as_sequence().unwrap_or_default() {
        let site = outer.unwrap_or_else(|| item_site(entry, item));
        let (node, span) = match &item.value {
            Value::Scalar(_) => (item, None),
            Value::Mapping(_) => match item.get("source") {
                Some(source) => (source, Some(if site == item.span { source.site() } else { site })),
                None => continue,
            },
            _ => continue,
        };
        let Some(name) = node.as_str().filter(|_| !cx.is_unresolved(node)) else {
            continue;
        };
        out.push(Reference {
            kind,
            name: name.to_string(),
            span: span.unwrap_or_else(|| name_span(cx, site, node, "", name)),
            how,
        });
    }
}

/// The secrets and configs a service uses, and the secrets its build uses.
fn secrets_and_configs(cx: &ComposeContext, service: &Service, out: &mut Vec<Reference>) {
    for kind in [Kind::Secret, Kind::Config] {
        if let Some(entry) = service.get_entry(kind.section()) {
            sources(cx, entry, None, kind, "uses", out);
        }
    }
    let Some(build) = service.get_entry("build") else {
        return;
    };
    if let Some(entry) = build
        .value
        .as_mapping()
        .and_then(|mapping| mapping.get_entry("secrets"))
    {
        let outer = build.merged_from.or(build.value.alias);
        sources(cx, entry, outer, Kind::Secret, "builds with", out);
    }
}

/// Every reference a service makes to something the project defines.
fn references(cx: &ComposeContext, service: &Service) -> Vec<Reference> {
    let mut out = Vec::new();
    list_or_keys(cx, service, "depends_on", Kind::Service, "depends on", &mut out);
    prefixed_items(cx, service, "links", "links to", &mut out);
    prefixed_items(cx, service, "volumes_from", "mounts the volumes of", &mut out);
    for key in ["network_mode", "pid", "ipc"] {
        namespace_service(cx, service, key, &mut out);
    }
    // `network_mode` replaces the networks (and Compose rejects both).
    if service.get("network_mode").is_none() {
        list_or_keys(cx, service, "networks", Kind::Network, "is on", &mut out);
        out.retain(|reference| !(reference.kind == Kind::Network && reference.name == DEFAULT_NETWORK));
    }
    named_volumes(cx, service, &mut out);
    secrets_and_configs(cx, service, &mut out);
    out
}

/// The defined name closest to `name`, if it is close enough to be a typo.
fn closest<'c>(name: &str, candidates: &'c HashSet<String>, besides: &str) -> Option<&'c str> {
    let mut candidates: Vec<&str> = candidates
        .iter()
        .map(String::as_str)
        .filter(|candidate| *candidate != besides)
        .collect();
    // The same answer whatever order the set iterates in.
    candidates.sort_unstable();
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(name, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(name.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Whether an `include` could not be followed: the project then defines
/// things this model does not hold.
fn include_failed(cx: &ComposeContext) -> bool {
    cx.problems.iter().any(|problem| {
        cx.files
            .get(problem.span.file as usize)
            .and_then(|file| file.yaml.documents.first())
            .and_then(|root| root.get("include"))
            .is_some_and(|include| include.span.start <= problem.span.start && problem.span.end <= include.span.end)
    })
}

impl Rule for UndefinedReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        for problem in cx.problems {
            out.push(
                Diagnostic::new(&META, problem.span, problem.message.clone())
                    .with_label("cannot be resolved")
                    .with_help(problem.help.clone()),
            );
        }
        let Some(file) = cx.file else { return };
        if include_failed(cx) {
            return;
        }
        self.check_references(cx, file, out);
    }
}

impl UndefinedReference {
    fn check_references(&self, cx: &ComposeContext, file: ComposeFile, out: &mut Vec<Diagnostic>) {
        let defined = Defined::of(file.root);
        for service in file.services() {
            for reference in references(cx, &service) {
                let name = reference.name.as_str();
                if name.is_empty() || name.contains('$') {
                    continue;
                }
                let Some(names) = defined.names(reference.kind) else {
                    continue;
                };
                if names.contains(name) {
                    continue;
                }
                let noun = reference.kind.noun();
                let message = match reference.kind {
                    Kind::Service => format!(
                        "service `{}` {} `{name}`, which the project does not define",
                        service.name, reference.how
                    ),
                    _ => format!(
                        "service `{}` {} {noun} `{name}`, which the project does not declare",
                        service.name, reference.how
                    ),
                };
                // Never suggest that a service depend on itself.
                let besides = if reference.kind == Kind::Service {
                    service.name
                } else {
                    ""
                };
                let help = match closest(name, names, besides) {
                    Some(close) => format!("did you mean the {noun} `{close}`?"),
                    None => reference.kind.how_to_define(name),
                };
                out.push(
                    Diagnostic::new(&META, reference.span, message)
                        .with_label(format!("undefined {noun}"))
                        .with_help(help),
                );
            }
        }
    }
}
