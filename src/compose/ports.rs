//! `ports:` and `expose:` entries read the way Compose reads them: the short
//! syntax `[[host_ip:][published]:]target[/protocol]` (ranges, bracketed
//! IPv6, bare integers) and the long syntax (`target`, `published`,
//! `host_ip`, `protocol`). A part holding a `${…}` variable is unknown: it is
//! decided at deploy time, so nothing is claimed about it.

use std::collections::HashSet;
use std::fmt;

use crate::source::Span;

use super::Service;
use super::site::{depends_on_unresolved, item_site};
use super::yaml::{Node, Value};

/// An inclusive range of port numbers; a single port is a range of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl PortRange {
    /// `8000` or `8000-8010`.
    pub fn parse(text: &str) -> Option<PortRange> {
        let number = |part: &str| {
            let part = part.trim();
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u16>().ok())
                .flatten()
        };
        let (start, end) = match text.split_once('-') {
            Some((start, end)) => (number(start)?, number(end)?),
            None => {
                let port = number(text)?;
                (port, port)
            }
        };
        (start <= end).then_some(PortRange { start, end })
    }

    pub fn overlaps(self, other: PortRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    pub fn is_single(self) -> bool {
        self.start == self.end
    }

    pub fn ports(self) -> impl Iterator<Item = u16> {
        self.start..=self.end
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// The host address a published port binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostIp {
    /// None given: every interface, IPv4 and IPv6.
    Unspecified,
    /// As written, without IPv6 brackets.
    Ip(String),
    Unknown,
}

impl HostIp {
    /// Whether the port is reachable on every interface; `None` when unknown.
    pub fn binds_all(&self) -> Option<bool> {
        match self {
            HostIp::Unspecified => Some(true),
            HostIp::Ip(ip) => Some(is_wildcard(ip)),
            HostIp::Unknown => None,
        }
    }

    /// Whether two bindings can claim the same socket. `0.0.0.0` covers all
    /// of IPv4 and `::` all of IPv6; no address covers both.
    pub fn overlaps(&self, other: &HostIp) -> Option<bool> {
        let families = |ip: &HostIp| -> Option<(bool, bool, Option<String>)> {
            Some(match ip {
                HostIp::Unspecified => (true, true, None),
                HostIp::Ip(ip) if ip == "0.0.0.0" => (true, false, None),
                HostIp::Ip(ip) if ip == "::" => (false, true, None),
                HostIp::Ip(ip) => {
                    let v6 = ip.contains(':');
                    (!v6, v6, Some(ip.to_ascii_lowercase()))
                }
                HostIp::Unknown => return None,
            })
        };
        let (a4, a6, a) = families(self)?;
        let (b4, b6, b) = families(other)?;
        if !(a4 && b4 || a6 && b6) {
            return Some(false);
        }
        Some(match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
    }
}

fn is_wildcard(ip: &str) -> bool {
    matches!(ip, "0.0.0.0" | "::")
}

/// The host side of a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Published {
    /// No host port: the engine picks a free one.
    Ephemeral,
    Ports(PortRange),
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub host_ip: HostIp,
    pub published: Published,
    /// `None` when a variable decides it.
    pub target: Option<PortRange>,
    /// Lowercase; `tcp` when not given; `None` when a variable decides it.
    pub protocol: Option<String>,
}

/// Splits `text` at `separator`, never inside a `${…}`.
pub fn split_unbraced(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut previous = '\0';
    for (index, c) in text.char_indices() {
        match c {
            '{' if previous == '$' || depth > 0 => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == separator && depth == 0 => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
        previous = c;
    }
    parts.push(&text[start..]);
    parts
}

fn has_variable(text: &str) -> bool {
    text.contains('$')
}

/// Whether a `${…}` in `text` has a default or alternative value holding a
/// `:`, so that it may expand to more than one field (`${BIND:-127.0.0.1:80}`).
fn variable_may_hold_colon(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        let inner = &rest[at + 2..];
        let name_len = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let after_name = &inner[name_len..];
        let value = after_name.strip_prefix(':').unwrap_or(after_name);
        let value = value.get(1..).unwrap_or("");
        let end = value.find('}').unwrap_or(value.len());
        if value[..end].contains(':') {
            return true;
        }
        rest = &inner[name_len..];
    }
    false
}

/// Parses a short-syntax entry (a string or integer's text). `None` when it
/// is no port specification.
pub fn parse_short(text: &str) -> Option<PortMapping> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (spec, protocol) = match text.rsplit_once('/') {
        // A `/` inside a variable's default is not the protocol separator.
        Some((spec, protocol)) if split_unbraced(text, '/').len() > 1 => (spec, Some(protocol)),
        _ => (text, None),
    };
    let protocol = match protocol {
        None => Some("tcp".to_string()),
        Some(protocol) if has_variable(protocol) => None,
        Some(protocol) => Some(protocol.to_ascii_lowercase()),
    };
    let parts = split_unbraced(spec, ':');
    let count = parts.len();
    let container = parts[count - 1];
    let (host_ip, published) = match count {
        1 => (None, None),
        2 => (None, Some(parts[0])),
        // Everything before the host port is the address: `::1:80:80`, `[::1]:80:80`.
        _ => (
            Some(spec[..spec.len() - container.len() - parts[count - 2].len() - 2].to_string()),
            Some(parts[count - 2]),
        ),
    };
    let target = if has_variable(container) {
        None
    } else {
        Some(PortRange::parse(container)?)
    };
    let mut host_ip = match host_ip {
        None => HostIp::Unspecified,
        Some(ip) if has_variable(&ip) => HostIp::Unknown,
        Some(ip) => {
            let ip = ip.strip_prefix('[').and_then(|ip| ip.strip_suffix(']')).unwrap_or(&ip);
            if ip.is_empty() {
                HostIp::Unspecified
            } else {
                HostIp::Ip(ip.to_string())
            }
        }
    };
    let published = match published {
        // A lone variable may hold a whole mapping (`$REDIS_PORT` = `6379:6379`).
        None if has_variable(container) => {
            host_ip = HostIp::Unknown;
            Published::Unknown
        }
        None => Published::Ephemeral,
        Some(host) if has_variable(host) => {
            if count == 2 && variable_may_hold_colon(host) {
                host_ip = HostIp::Unknown;
            }
            Published::Unknown
        }
        Some("") => Published::Ephemeral,
        Some(host) => Published::Ports(PortRange::parse(host)?),
    };
    Some(PortMapping {
        host_ip,
        published,
        target,
        protocol,
    })
}

/// Why Compose refuses a short-syntax entry (its interpolated text), in its
/// own order of checks; `None` when it accepts it. Stricter than
/// [`parse_short`], which reads what it can of a value holding a variable.
pub fn short_syntax_error(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(':').collect();
    let count = parts.len();
    let (ip, host, container) = match count {
        1 => ("", "", parts[0]),
        2 => ("", parts[0], parts[1]),
        _ => (
            &text[..text.len() - parts[count - 1].len() - parts[count - 2].len() - 2],
            parts[count - 2],
            parts[count - 1],
        ),
    };
    let (container, protocol) = match container.split_once('/') {
        _ if container.is_empty() || container.starts_with('/') => ("", ""),
        Some((port, rest)) => {
            let protocol = rest.split('/').next().unwrap_or("");
            (port, if protocol.is_empty() { "tcp" } else { protocol })
        }
        None => (container, "tcp"),
    };
    let bare_ip = ip.strip_prefix('[').and_then(|ip| ip.strip_suffix(']')).unwrap_or(ip);
    if !ip.is_empty() && bare_ip.parse::<std::net::IpAddr>().is_err() {
        return Some(format!("`{ip}` is not an IP address"));
    }
    if container.is_empty() {
        return Some("it has no container port".to_string());
    }
    let Some(target) = compose_range(container) else {
        return Some(format!("`{container}` is not a container port or range (0-65535)"));
    };
    if target.end == 0 {
        return Some("it has no container port (`0`)".to_string());
    }
    if !host.is_empty() {
        let Some(published) = compose_range(host) else {
            return Some(format!("`{host}` is not a host port or range (0-65535)"));
        };
        // A host range may give a single container port its choice of ports.
        let sizes_differ = target.end - target.start != published.end - published.start;
        if sizes_differ && !target.is_single() {
            return Some(format!(
                "the host range `{host}` and the container range `{container}` differ in size"
            ));
        }
    }
    if !matches!(protocol.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp") {
        return Some(format!("`{protocol}` is no protocol (`tcp`, `udp` or `sctp`)"));
    }
    None
}

/// A port or range as Compose reads one: decimal digits only, up to 65535,
/// the start not after the end.
fn compose_range(text: &str) -> Option<PortRange> {
    let number = |part: &str| {
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u16>().ok())
            .flatten()
    };
    let mut bounds = text.split('-');
    let start = number(bounds.next()?)?;
    let end = match bounds.next() {
        Some(end) => number(end)?,
        None => start,
    };
    (start <= end).then_some(PortRange { start, end })
}

/// Parses a long-syntax entry (a mapping with `target`, ...).
pub fn parse_long(node: &Node) -> Option<PortMapping> {
    let mapping = node.as_mapping()?;
    let text = |key: &str| mapping.get(key).and_then(Node::as_str);
    let target = match text("target") {
        Some(target) if has_variable(target) => None,
        Some(target) => Some(PortRange::parse(target)?),
        None => return None,
    };
    let published = match text("published") {
        None => Published::Ephemeral,
        Some(host) if has_variable(host) => Published::Unknown,
        Some(host) if host.trim().is_empty() => Published::Ephemeral,
        Some(host) => Published::Ports(PortRange::parse(host)?),
    };
    let host_ip = match text("host_ip") {
        None | Some("") => HostIp::Unspecified,
        Some(ip) if has_variable(ip) => HostIp::Unknown,
        Some(ip) => HostIp::Ip(ip.trim_start_matches('[').trim_end_matches(']').to_string()),
    };
    let protocol = match text("protocol") {
        None => Some("tcp".to_string()),
        Some(protocol) if has_variable(protocol) => None,
        Some(protocol) => Some(protocol.to_ascii_lowercase()),
    };
    Some(PortMapping {
        host_ip,
        published,
        target,
        protocol,
    })
}

/// Parses one item of a `ports:` or `expose:` list.
pub fn parse_item(node: &Node) -> Option<PortMapping> {
    match &node.value {
        Value::Scalar(scalar) => parse_short(&scalar.text),
        Value::Mapping(_) => parse_long(node),
        Value::Null | Value::Sequence(_) => None,
    }
}

/// One item of a service's `ports:` or `expose:`.
#[derive(Clone, Debug)]
pub struct PortItem<'a> {
    pub node: &'a Node,
    /// Where the service gets it (see [`item_site`]).
    pub site: Span,
    pub mapping: Option<PortMapping>,
}

/// The items of a service's list entry `key` (`ports` or `expose`), every
/// value taken as it stands.
pub fn items<'a>(service: &Service<'a>, key: &str) -> Vec<PortItem<'a>> {
    resolved_items(service, key, &HashSet::new())
}

/// The items of a service's list entry `key` (`ports` or `expose`). An item
/// that depends on a variable interpolation could not resolve (`unresolved`,
/// see [`crate::compose::interpolate::Interpolation`]) has no mapping.
pub fn resolved_items<'a>(service: &Service<'a>, key: &str, unresolved: &HashSet<Span>) -> Vec<PortItem<'a>> {
    let Some(entry) = service.get_entry(key) else {
        return Vec::new();
    };
    let Some(items) = entry.value.as_sequence() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|node| PortItem {
            node,
            site: item_site(entry, node),
            mapping: (!depends_on_unresolved(node, unresolved))
                .then(|| parse_item(node))
                .flatten(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(text: &str) -> PortMapping {
        parse_short(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    fn range(start: u16, end: u16) -> PortRange {
        PortRange { start, end }
    }

    #[test]
    fn container_port_only() {
        let port = short("8000");
        assert_eq!(port.target, Some(range(8000, 8000)));
        assert_eq!(port.published, Published::Ephemeral);
        assert_eq!(port.host_ip, HostIp::Unspecified);
        assert_eq!(port.protocol.as_deref(), Some("tcp"));
    }

    #[test]
    fn host_ip_host_port_protocol() {
        let port = short("127.0.0.1:8000:8001/UDP");
        assert_eq!(port.host_ip, HostIp::Ip("127.0.0.1".into()));
        assert_eq!(port.published, Published::Ports(range(8000, 8000)));
        assert_eq!(port.target, Some(range(8001, 8001)));
        assert_eq!(port.protocol.as_deref(), Some("udp"));
    }

    #[test]
    fn ranges_and_empty_host_port() {
        let port = short("3000-3005:4000-4005");
        assert_eq!(port.published, Published::Ports(range(3000, 3005)));
        assert_eq!(port.target, Some(range(4000, 4005)));
        assert_eq!(short("127.0.0.1::80").published, Published::Ephemeral);
        assert!(parse_short("3005-3000").is_none());
        assert!(parse_short("70000").is_none());
        assert!(parse_short("http").is_none());
    }

    #[test]
    fn ipv6() {
        let bracketed = short("[::1]:80:8080");
        assert_eq!(bracketed.host_ip, HostIp::Ip("::1".into()));
        assert_eq!(bracketed.published, Published::Ports(range(80, 80)));
        assert_eq!(bracketed.target, Some(range(8080, 8080)));
        assert_eq!(short("::1:80:8080").host_ip, HostIp::Ip("::1".into()));
        assert_eq!(short("[::]:80:80").host_ip.binds_all(), Some(true));
        assert_eq!(short("0.0.0.0:80:80").host_ip.binds_all(), Some(true));
        assert_eq!(short("127.0.0.1:80:80").host_ip.binds_all(), Some(false));
    }

    #[test]
    fn variables_are_unknown_parts() {
        let port = short("${WEB_PORT:-8080}:80");
        assert_eq!(port.published, Published::Unknown);
        assert_eq!(port.host_ip, HostIp::Unspecified);
        assert_eq!(port.target, Some(range(80, 80)));
        assert_eq!(short("${BIND:-127.0.0.1:8080}:80").host_ip, HostIp::Unknown);
        assert_eq!(short("${IP}:8080:80").host_ip, HostIp::Unknown);
        assert_eq!(short("8080:${PORT}").target, None);
        assert_eq!(short("8080:80/${PROTO}").protocol, None);
        let whole = short("$REDIS_PORT");
        assert_eq!(
            (whole.host_ip, whole.published, whole.target),
            (HostIp::Unknown, Published::Unknown, None)
        );
        assert_eq!(short("${PATHY:-a/b}:80").protocol.as_deref(), Some("tcp"));
    }

    #[test]
    fn host_ip_overlap() {
        let ip = |text: &str| HostIp::Ip(text.into());
        assert_eq!(HostIp::Unspecified.overlaps(&ip("127.0.0.1")), Some(true));
        assert_eq!(ip("0.0.0.0").overlaps(&ip("127.0.0.1")), Some(true));
        assert_eq!(ip("0.0.0.0").overlaps(&ip("::1")), Some(false));
        assert_eq!(ip("::").overlaps(&ip("0.0.0.0")), Some(false));
        assert_eq!(ip("127.0.0.1").overlaps(&ip("127.0.0.2")), Some(false));
        assert_eq!(ip("127.0.0.1").overlaps(&ip("127.0.0.1")), Some(true));
        assert_eq!(HostIp::Unknown.overlaps(&HostIp::Unspecified), None);
    }

    #[test]
    fn long_syntax() {
        let parsed = crate::compose::yaml::parse(
            "- target: 80\n  published: \"8080-8081\"\n  host_ip: 127.0.0.1\n  protocol: udp\n- target: 443\n",
        );
        let items = parsed.documents[0].as_sequence().unwrap();
        let first = parse_item(&items[0]).unwrap();
        assert_eq!(first.published, Published::Ports(range(8080, 8081)));
        assert_eq!(first.host_ip, HostIp::Ip("127.0.0.1".into()));
        assert_eq!(first.protocol.as_deref(), Some("udp"));
        let second = parse_item(&items[1]).unwrap();
        assert_eq!(second.published, Published::Ephemeral);
        assert_eq!(second.host_ip, HostIp::Unspecified);
    }
}
