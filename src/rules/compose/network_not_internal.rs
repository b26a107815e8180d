//! C211: an `infrastructure` service is on a network that is not
//! `internal: true`, or the standard internal network is declared without it.

use crate::compose::ComposeFile;
use crate::compose::site::item_site;
use crate::compose::yaml::{Entry, Node, Resolved, Value};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;
use crate::standards::Lifecycle;

declare_rule! {
    /// an `infrastructure` service is on a network that is not `internal: true`
    pub struct NetworkNotInternal {
        code: C211,
        name: "network-not-internal",
        severity: Warning,
        fix: None,
    }
}

/// The network a service without `networks:` joins.
const DEFAULT_NETWORK: &str = "default";

/// What the project says about a network's `internal:`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Internal {
    Yes,
    No,
    /// External (created elsewhere), or set by a variable.
    Unknown,
}

/// A top-level network's `internal:` in the merged project.
fn internal(file: ComposeFile, name: &str) -> Internal {
    let declared = file.root.get("networks").and_then(|networks| networks.get(name));
    if declared
        .and_then(|node| node.get("external"))
        .is_some_and(is_true_or_unknown)
    {
        return Internal::Unknown;
    }
    match declared.and_then(|node| node.get("internal")) {
        Some(value) => match value.resolve() {
            Some(Resolved::Bool(true)) => Internal::Yes,
            Some(Resolved::Str(text)) if text.contains('$') => Internal::Unknown,
            Some(Resolved::Str("true")) => Internal::Yes,
            _ => Internal::No,
        },
        None => Internal::No,
    }
}

fn is_true_or_unknown(node: &Node) -> bool {
    match node.resolve() {
        Some(Resolved::Bool(value)) => value,
        Some(Resolved::Str(text)) => text == "true" || text.contains('$'),
        Some(Resolved::Null) => false,
        // `external: {name: x}` (the old form) is external too.
        _ => true,
    }
}

/// The networks a service joins, each with where it says so.
fn service_networks(entry: &Entry) -> Vec<(&str, Span)> {
    match &entry.value.value {
        Value::Sequence(items) => items
            .iter()
            .filter_map(|item| Some((item.as_str()?, item_site(entry, item))))
            .collect(),
        Value::Mapping(mapping) => mapping
            .iter()
            .filter_map(|network| {
                let site = entry
                    .merged_from
                    .or(entry.value.alias)
                    .or(network.merged_from)
                    .unwrap_or(network.key.span);
                Some((network.key.as_str()?, site))
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Rule for NetworkNotInternal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let standard = cx.standards.networks.internal.as_str();
        for service in file.services() {
            if cx.lifecycle(&service) != Some(Lifecycle::Infrastructure) {
                continue;
            }
            // `network_mode` replaces networks (`host` is C212's concern).
            if service.get("network_mode").is_some() {
                continue;
            }
            let networks = match service.get_entry("networks") {
                Some(entry) => service_networks(entry),
                None => vec![(DEFAULT_NETWORK, service.name_span())],
            };
            for (network, site) in networks {
                // The standard network's own declaration is reported below.
                if network == standard || network.contains('$') {
                    continue;
                }
                if internal(file, network) != Internal::No {
                    continue;
                }
                let (message, label) = if network == DEFAULT_NETWORK && site == service.name_span() {
                    (
                        format!(
                            "infrastructure service `{}` sets no `networks:`, so it is on the `default` network, which is not `internal: true`; the standard keeps infrastructure on `{standard}`",
                            service.name
                        ),
                        "on the default network",
                    )
                } else {
                    (
                        format!(
                            "infrastructure service `{}` is on network `{network}`, which is not `internal: true`; the standard keeps infrastructure on `{standard}`",
                            service.name
                        ),
                        "not an internal network",
                    )
                };
                out.push(
                    Diagnostic::new(&META, site, message)
                        .with_label(label)
                        .with_help(format!("networks: [{standard}]")),
                );
            }
        }
        self.check_declaration(file, standard, out);
    }
}

impl NetworkNotInternal {
    /// The standard internal network declared in this file without `internal: true`.
    fn check_declaration(&self, file: ComposeFile, standard: &str, out: &mut Vec<Diagnostic>) {
        let Some(entry) = file
            .root
            .get("networks")
            .and_then(Node::as_mapping)
            .and_then(|networks| networks.get_entry(standard))
        else {
            return;
        };
        if internal(file, standard) != Internal::No {
            return;
        }
        let span = match entry.value.get("internal") {
            Some(value) => value.span,
            None => entry.key.span,
        };
        out.push(
            Diagnostic::new(
                &META,
                entry.merged_from.unwrap_or(span),
                format!("network `{standard}` is declared without `internal: true`; the standard makes it internal so that nothing on it is reachable from outside"),
            )
            .with_label("not internal")
            .with_help(format!("{standard}: {{driver: bridge, internal: true}}")),
        );
    }
}
