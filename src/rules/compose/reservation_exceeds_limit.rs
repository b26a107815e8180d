//! C505: a reservation exceeds its limit, or a size or CPU value is malformed.

use std::collections::HashSet;

use crate::compose::Service;
use crate::compose::service_facts::{
    Found, find_key, find_path, has_variable, parse_cpus, parse_size, written_with_variable,
};
use crate::compose::yaml::{Node, Resolved};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// a reservation exceeds its limit, or a size/cpus value is malformed
    pub struct ReservationExceedsLimit {
        code: C505,
        name: "reservation-exceeds-limit",
        severity: Error,
        fix: None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Memory,
    Cpus,
}

impl Kind {
    fn parse(self, text: &str) -> Option<f64> {
        match self {
            Kind::Memory => parse_size(text).map(|bytes| bytes as f64),
            Kind::Cpus => parse_cpus(text),
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Memory => "memory: 512M  # bytes, or a number with b, k, m or g",
            Kind::Cpus => "cpus: '0.5'  # a number of CPUs",
        }
    }
}

/// The resource values a service can set, as (path or legacy key, kind).
const VALUES: &[(&[&str], Kind)] = &[
    (&["deploy", "resources", "limits", "memory"], Kind::Memory),
    (&["deploy", "resources", "reservations", "memory"], Kind::Memory),
    (&["deploy", "resources", "limits", "cpus"], Kind::Cpus),
    (&["deploy", "resources", "reservations", "cpus"], Kind::Cpus),
    (&["mem_limit"], Kind::Memory),
    (&["mem_reservation"], Kind::Memory),
    (&["memswap_limit"], Kind::Memory),
    (&["cpus"], Kind::Cpus),
];

/// A value written as text we can judge: not a variable, not empty.
fn judged(node: &Node) -> Option<&str> {
    let text = node.as_str()?;
    (!written_with_variable(node) && !has_variable(text) && !text.trim().is_empty()).then_some(text)
}

impl Rule for ReservationExceedsLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        // Values shared through `extends` or anchors are reported once.
        let mut seen = HashSet::new();
        for service in file.services() {
            check_malformed(service, &mut seen, out);
            for (kind, limit_paths, reservation_paths) in [
                (
                    Kind::Memory,
                    [&["deploy", "resources", "limits", "memory"][..], &["mem_limit"]],
                    [
                        &["deploy", "resources", "reservations", "memory"][..],
                        &["mem_reservation"],
                    ],
                ),
                (
                    Kind::Cpus,
                    [&["deploy", "resources", "limits", "cpus"][..], &["cpus"]],
                    [&["deploy", "resources", "reservations", "cpus"][..], &[]],
                ),
            ] {
                let pick = |paths: [&[&str]; 2]| {
                    paths
                        .into_iter()
                        .filter(|path| !path.is_empty())
                        .map(|path| find_path(service, path))
                        .find(|found| !matches!(found, Found::Absent))
                        .unwrap_or(Found::Absent)
                };
                let (limit_found, reservation_found) = (pick(limit_paths), pick(reservation_paths));
                let (Some(limit), Some(reservation)) = (limit_found.node(), reservation_found.node()) else {
                    continue;
                };
                let (Some(limit_text), Some(reservation_text)) = (judged(limit), judged(reservation)) else {
                    continue;
                };
                let (Some(limit_value), Some(reservation_value)) =
                    (kind.parse(limit_text), kind.parse(reservation_text))
                else {
                    continue;
                };
                // A zero limit means none (Docker reads 0 as unlimited).
                if limit_value == 0.0 || reservation_value <= limit_value {
                    continue;
                }
                let what = match kind {
                    Kind::Memory => "memory",
                    Kind::Cpus => "cpus",
                };
                let at = match reservation_found {
                    Found::Here(_) => reservation.site(),
                    _ => limit.site(),
                };
                if !seen.insert(at) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        at,
                        format!(
                            "service `{}` reserves {what} `{reservation_text}`, more than its limit `{limit_text}`; a reservation must be at most its limit",
                            service.name
                        ),
                    )
                    .with_label("reservation above the limit")
                    .with_help(format!(
                        "deploy:\n  resources:\n    limits:\n      {what}: {limit_text}\n    reservations:\n      {what}: {limit_text}  # at most the limit"
                    )),
                );
            }
        }
    }
}

fn check_malformed(service: Service, seen: &mut HashSet<Span>, out: &mut Vec<Diagnostic>) {
    for (path, kind) in VALUES {
        let found = match path {
            [key] => find_key(service, key),
            _ => find_path(service, path),
        };
        let Found::Here(node) = found else { continue };
        // `memswap_limit: -1` is Docker's "unlimited swap".
        if path == &["memswap_limit"] && matches!(node.resolve(), Some(Resolved::Int(-1))) {
            continue;
        }
        let Some(text) = judged(node) else { continue };
        if kind.parse(text).is_some() || !seen.insert(node.site()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &META,
                node.site(),
                format!(
                    "`{}: {text}` on service `{}` is not a valid {}",
                    path.join("."),
                    service.name,
                    match kind {
                        Kind::Memory => "size (a number of bytes, or a number with b, k, m or g)",
                        Kind::Cpus => "CPU count (a number such as `0.5`)",
                    }
                ),
            )
            .with_label("malformed")
            .with_help(kind.example()),
        );
    }
}
