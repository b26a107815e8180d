//! C202: two services publish the same host port and protocol.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::compose::Service;
use crate::compose::ports::{self, HostIp, PortRange, Published};
use crate::compose::site::written;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::{FileId, Span};

declare_rule! {
    /// two services publish the same host port and protocol
    pub struct PortConflict {
        code: C202,
        name: "port-conflict",
        severity: Error,
        fix: None,
    }
}

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

/// The bindings seen so far, indexed so that finding the earlier binding a
/// new one conflicts with does not scan every earlier binding (a project of
/// thousands of services sharing ports).
#[derive(Default)]
struct Earlier {
    /// Single-port bindings by protocol and port, in order.
    single: BTreeMap<(String, u16), Vec<usize>>,
    /// The same, by file first: the conflict within the same file is preferred.
    single_in_file: BTreeMap<(FileId, String, u16), Vec<usize>>,
    /// Bindings of a range of ports (few in practice), in order.
    ranges: Vec<usize>,
}

impl Earlier {
    fn add(&mut self, all: &[Binding], index: usize) {
        let binding = &all[index];
        let PortRange { start, end } = binding.published;
        if start == end {
            let protocol = binding.protocol.clone();
            self.single.entry((protocol.clone(), start)).or_default().push(index);
            self.single_in_file
                .entry((binding.site.file, protocol, start))
                .or_default()
                .push(index);
        } else {
            self.ranges.push(index);
        }
    }

    /// The earliest binding before `binding` it conflicts with, one in the
    /// same file first.
    fn conflict<'b, 'a>(&self, all: &'b [Binding<'a>], binding: &Binding) -> Option<&'b Binding<'a>> {
        let PortRange { start, end } = binding.published;
        let protocol = &binding.protocol;
        let first_conflict = |indices: &[usize], same_file: bool| {
            indices
                .iter()
                .copied()
                .find(|&at| (!same_file || all[at].site.file == binding.site.file) && conflicts(&all[at], binding))
        };
        let file = binding.site.file;
        let in_file = self
            .single_in_file
            .range((file, protocol.clone(), start)..=(file, protocol.clone(), end))
            .filter_map(|(_, indices)| first_conflict(indices, true))
            .chain(first_conflict(&self.ranges, true))
            .min();
        let earliest = in_file.or_else(|| {
            self.single
                .range((protocol.clone(), start)..=(protocol.clone(), end))
                .filter_map(|(_, indices)| first_conflict(indices, false))
                .chain(first_conflict(&self.ranges, false))
                .min()
        })?;
        Some(&all[earliest])
    }
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
        let occupied = Occupied::of(&all);
        let mut earlier_bindings = Earlier::default();
        for (index, binding) in all.iter().enumerate() {
            let conflict = earlier_bindings.conflict(&all, binding);
            earlier_bindings.add(&all, index);
            let Some(earlier) = conflict else {
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
            if let Some(help) = help(binding, occupied.free_range(binding)) {
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

/// The host ports the project's bindings use, per protocol, as sorted
/// disjoint ranges: a free range is then found by walking gaps, not by
/// rescanning every binding for every candidate.
struct Occupied<'a>(HashMap<&'a str, Vec<PortRange>>);

impl<'a> Occupied<'a> {
    fn of(all: &'a [Binding<'a>]) -> Self {
        let mut by_protocol: HashMap<&'a str, Vec<PortRange>> = HashMap::new();
        for binding in all {
            by_protocol
                .entry(binding.protocol.as_str())
                .or_default()
                .push(binding.published);
        }
        for ranges in by_protocol.values_mut() {
            ranges.sort_by_key(|range| range.start);
            let mut merged: Vec<PortRange> = Vec::with_capacity(ranges.len());
            for &range in ranges.iter() {
                match merged.last_mut() {
                    Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                    _ => merged.push(range),
                }
            }
            *ranges = merged;
        }
        Self(by_protocol)
    }

    /// The first host range above the conflict, of the same size, that no
    /// binding of the project uses.
    fn free_range(&self, binding: &Binding) -> Option<PortRange> {
        let size = binding.published.end - binding.published.start;
        let mut start = binding.published.end.checked_add(1)?;
        let used = self.0.get(binding.protocol.as_str()).map_or(&[][..], Vec::as_slice);
        // The used ranges that end at or after the first candidate, in order.
        let after = used.partition_point(|range| range.end < start);
        for range in &used[after..] {
            let candidate_end = start.checked_add(size)?;
            if range.start > candidate_end {
                break;
            }
            start = start.max(range.end.checked_add(1)?);
        }
        Some(PortRange {
            start,
            end: start.checked_add(size)?,
        })
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
