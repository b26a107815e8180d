//! C202: two services publish the same host port and protocol.

use std::collections::HashSet;

use crate::compose::Service;
use crate::compose::ports::{self, HostIp, PortRange, Published};
use crate::compose::site::written;
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
    site: Span,
    /// The entry as written, for the help line.
    text: Option<&'a str>,
    target: Option<PortRange>,
}

/// The fixed host ports `service` publishes.
fn bindings<'a>(service: &Service<'a>, unresolved: &HashSet<Span>, out: &mut Vec<Binding<'a>>) {
    let profiles = service.profiles();
    for item in ports::resolved_items(service, "ports", unresolved) {
        let Some(mapping) = item.mapping else { continue };
        let (Published::Ports(published), Some(protocol)) = (mapping.published, mapping.protocol) else {
            continue;
        };
        out.push(Binding {
            service: service.name,
            profiles: profiles.clone(),
            host_ip: mapping.host_ip,
            published,
            protocol,
            site: item.site,
            text: written(item.node),
            target: mapping.target,
        });
    }
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
        let mut all = Vec::new();
        for service in file.services() {
            bindings(&service, &cx.interpolation.unresolved, &mut all);
        }
        for (index, binding) in all.iter().enumerate() {
            // A conflict within the same file is the more useful one to name.
            let earlier = all[..index].iter().filter(|other| conflicts(other, binding));
            let same_file = earlier.clone().find(|other| other.site.file == binding.site.file);
            let Some(earlier) = same_file.or_else(|| earlier.clone().next()) else {
                continue;
            };
            let shown = port_phrase(binding.published, &binding.protocol);
            let earlier_source = cx.source_of(earlier.site);
            let line = earlier_source.line_col(earlier.site.start).line;
            let place = if earlier.site.file == binding.site.file {
                format!("on line {line}")
            } else {
                format!("in {} on line {line}", earlier_source.path.display())
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
            if earlier.site.file == binding.site.file && earlier.site != binding.site {
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
