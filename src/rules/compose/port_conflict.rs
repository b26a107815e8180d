//! C202: two services publish the same host port and protocol.

use std::collections::HashSet;

use crate::compose::ports::{self, HostIp, PortRange, Published};
use crate::compose::site::{replaces_base, written};
use crate::compose::{ComposeFile, Service};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, FixKind, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "C202",
    name: "port-conflict",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "two services publish the same host port and protocol",
    doc: include_str!("../../../rules/C202.md"),
};

pub struct PortConflict;

/// One published host port range of a service in the merged project.
struct Binding<'a> {
    service: &'a str,
    profiles: Vec<&'a str>,
    host_ip: HostIp,
    published: PortRange,
    protocol: String,
    /// Written in the base file (of an overlay), which reports its own conflicts.
    in_base: bool,
    site: Span,
    /// The entry as written, for the help line.
    text: Option<&'a str>,
    target: Option<PortRange>,
}

fn profiles<'a>(service: &Service<'a>) -> Vec<&'a str> {
    service
        .get("profiles")
        .and_then(|node| node.as_sequence())
        .map(|items| items.iter().filter_map(|item| item.as_str()).collect())
        .unwrap_or_default()
}

/// The fixed host ports `service` publishes.
fn bindings<'a>(
    service: &Service<'a>,
    profiles: &[&'a str],
    in_base: bool,
    unresolved: &HashSet<Span>,
    out: &mut Vec<Binding<'a>>,
) {
    for item in ports::resolved_items(service, "ports", unresolved) {
        let Some(mapping) = item.mapping else { continue };
        let (Published::Ports(published), Some(protocol)) = (mapping.published, mapping.protocol) else {
            continue;
        };
        out.push(Binding {
            service: service.name,
            profiles: profiles.to_vec(),
            host_ip: mapping.host_ip,
            published,
            protocol,
            in_base,
            site: item.site,
            text: written(item.node),
            target: mapping.target,
        });
    }
}

/// Every binding of the merged project: an overlay service's `ports` are
/// added to its base service's (unless tagged `!override`/`!reset`).
fn merged<'a>(file: ComposeFile<'a>, base: Option<ComposeFile<'a>>, unresolved: &HashSet<Span>) -> Vec<Binding<'a>> {
    let mut all = Vec::new();
    let own = |name: &str| file.services().find(|service| service.name == name);
    for base_service in base.iter().flat_map(|base| base.services()) {
        let overlay = own(base_service.name);
        let replaced = overlay
            .and_then(|service| service.get("ports"))
            .is_some_and(replaces_base);
        if replaced {
            continue;
        }
        let profiles = match overlay.map(|service| profiles(&service)) {
            Some(list) if !list.is_empty() => list,
            _ => profiles(&base_service),
        };
        bindings(&base_service, &profiles, true, &HashSet::new(), &mut all);
    }
    for service in file.services() {
        let mut list = profiles(&service);
        if list.is_empty()
            && let Some(base_service) = base.and_then(|base| base.services().find(|s| s.name == service.name))
        {
            list = profiles(&base_service);
        }
        bindings(&service, &list, false, unresolved, &mut all);
    }
    all
}

/// Services whose profiles share none never start together by intent
/// (alternatives such as `dev` and `prod` variants of one service).
fn can_run_together(a: &Binding, b: &Binding) -> bool {
    a.profiles.is_empty() || b.profiles.is_empty() || a.profiles.iter().any(|profile| b.profiles.contains(profile))
}

fn conflicts(a: &Binding, b: &Binding) -> bool {
    a.service != b.service
        && a.protocol == b.protocol
        && a.published.overlaps(b.published)
        && a.host_ip.overlaps(&b.host_ip) == Some(true)
        && can_run_together(a, b)
}

impl Rule for PortConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let all = merged(file, cx.base, &cx.interpolation.unresolved);
        for (index, binding) in all.iter().enumerate() {
            if binding.in_base {
                continue;
            }
            // A conflict within the file is the more useful one to name.
            let earlier = all[..index].iter().filter(|other| conflicts(other, binding));
            let Some(earlier) = earlier
                .clone()
                .find(|other| !other.in_base)
                .or_else(|| earlier.clone().next())
            else {
                continue;
            };
            let shown = port_phrase(binding.published, &binding.protocol);
            let place = if earlier.in_base {
                "in the base file".to_string()
            } else {
                format!("on line {}", cx.source.line_col(earlier.site.start).line)
            };
            let mut diagnostic = Diagnostic::new(
                &META,
                binding.site,
                format!(
                    "service `{}` publishes {shown}, which service `{}` already publishes {place}; a host port can be published by one service only",
                    binding.service, earlier.service
                ),
            )
            .with_label(format!("also published by `{}`", earlier.service));
            if !earlier.in_base && earlier.site != binding.site {
                diagnostic =
                    diagnostic.with_secondary(earlier.site, format!("published by `{}` here", earlier.service));
            }
            if let Some(help) = help(binding, free_range(&all, binding)) {
                diagnostic = diagnostic.with_help(help);
            }
            out.push(diagnostic);
        }
    }
}

fn port_phrase(range: PortRange, protocol: &str) -> String {
    let noun = if range.is_single() { "host port" } else { "host ports" };
    if protocol == "tcp" {
        format!("{noun} {range}")
    } else {
        format!("{noun} {range}/{protocol}")
    }
}

/// The first host range above the conflict, of the same size, that no
/// binding of the project uses.
fn free_range(all: &[Binding], binding: &Binding) -> Option<PortRange> {
    let size = binding.published.end - binding.published.start;
    let mut start = binding.published.end.checked_add(1)?;
    loop {
        let candidate = PortRange {
            start,
            end: start.checked_add(size)?,
        };
        match all
            .iter()
            .filter(|other| other.protocol == binding.protocol && other.published.overlaps(candidate))
            .map(|other| other.published.end)
            .max()
        {
            Some(end) => start = end.checked_add(1)?,
            None => return Some(candidate),
        }
    }
}

/// The entry with its host port moved to a free one.
fn help(binding: &Binding, free: Option<PortRange>) -> Option<String> {
    let free = free?;
    let Some(text) = binding.text else {
        return Some(format!("published: \"{free}\""));
    };
    let target = binding.target?;
    let host_ip = match &binding.host_ip {
        HostIp::Ip(ip) if ip.contains(':') => format!("[{ip}]:"),
        HostIp::Ip(ip) => format!("{ip}:"),
        HostIp::Unspecified => String::new(),
        HostIp::Unknown => return None,
    };
    let protocol = text
        .rsplit_once('/')
        .map(|(_, protocol)| format!("/{protocol}"))
        .unwrap_or_default();
    Some(format!("- \"{host_ip}{free}:{target}{protocol}\""))
}
