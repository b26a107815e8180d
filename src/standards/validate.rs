//! Checks of the `[standards]` values a config file sets, before any rule
//! uses them: `--fix` writes some of them into compose files, so each must
//! be a value Compose accepts. An error carries the span of the value in
//! the config text, so that it can be reported as `file:line:col`.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::image_ref::ImageRef;
use crate::units::{parse_cpus, parse_duration, parse_size};

/// A value the standards cannot use: where it is, and why.
pub type Invalid = (Range<usize>, String);

type Check = fn(&str) -> Result<(), String>;

/// The checked values: `section.key`, where `*` is any key of the section
/// (a service name); an array is checked item by item.
const CHECKS: &[(&str, &str, Check)] = &[
    ("restart", "infrastructure", restart_policy),
    ("restart", "service", restart_policy),
    ("restart", "job", restart_policy),
    ("healthcheck", "interval", duration),
    ("healthcheck", "timeout", duration),
    ("logging", "driver", driver),
    ("logging", "max_size", size),
    ("logging", "max_file", count),
    ("ports", "*", port),
    ("images", "approved", image_reference),
    ("images", "puid_pgid", image_reference),
    ("images", "namespace", namespace),
    ("lifecycles", "infrastructure", name),
    ("lifecycles", "service", name),
    ("lifecycles", "job", name),
    ("docker_socket", "allowed", name),
    ("volumes", "data", container_path),
    ("volumes", "config", container_path),
    ("volumes", "plugins", container_path),
    ("volumes", "worlds", container_path),
    ("networks", "internal", name),
    ("networks", "external", name),
    ("host_access", "sensitive_paths", host_path),
    ("host_access", "read_only_allowed", host_path_glob),
    ("host_access", "capabilities_error", capability),
    ("host_access", "capabilities_warning", capability),
    ("sensitive_files", "names", file_glob),
    ("sensitive_files", "not_secret", file_glob),
];

/// The checked values of each `[standards.resources.SERVICE]` table.
const RESOURCE_CHECKS: &[(&str, Check)] = &[
    ("memory_limit", size),
    ("memory_reservation", size),
    ("cpus_limit", cpus),
    ("cpus_reservation", cpus),
];

const LIFECYCLES: [&str; 3] = ["infrastructure", "service", "job"];

/// Checks the user's `[standards]` table; `defaults` are the built-in
/// standards, which fill what the user leaves out (a service the user puts
/// in one lifecycle must not stay in another by default). Values of the
/// wrong type are left to the deserializer, which reports them.
pub fn validate(user: &DeTable, defaults: &DeTable) -> Result<(), Invalid> {
    for (section, key, check) in CHECKS {
        let Some(DeValue::Table(table)) = user.get(*section).map(|value| value.get_ref()) else {
            continue;
        };
        for (name, value) in table {
            if *key == "*" || name.get_ref() == key {
                check_value(value.get_ref(), value.span(), *check)?;
            }
        }
    }
    if let Some(DeValue::Table(resources)) = user.get("resources").map(|value| value.get_ref()) {
        for service in resources.values() {
            let DeValue::Table(service) = service.get_ref() else {
                continue;
            };
            for (key, check) in RESOURCE_CHECKS {
                if let Some(value) = service.get(*key) {
                    check_value(value.get_ref(), value.span(), *check)?;
                }
            }
        }
    }
    one_lifecycle_each(user, defaults)
}

fn check_value(value: &DeValue, span: Range<usize>, check: Check) -> Result<(), Invalid> {
    match value {
        DeValue::String(text) => check(text).map_err(|message| (span, message)),
        DeValue::Array(items) => items
            .iter()
            .try_for_each(|item| check_value(item.get_ref(), item.span(), check)),
        _ => Ok(()),
    }
}

/// A service listed in two lifecycles would get two restart policies, and
/// `--fix` would flip it between them.
fn one_lifecycle_each(user: &DeTable, defaults: &DeTable) -> Result<(), Invalid> {
    let (user_lists, default_lists) = (lifecycle_lists(user), lifecycle_lists(defaults));
    // Where each name was first seen: its lifecycle, and its span when the user wrote it.
    let mut seen: HashMap<String, (&str, Option<Range<usize>>)> = HashMap::new();
    for lifecycle in LIFECYCLES {
        let from_user = user_lists.and_then(|lists| lists.get(lifecycle));
        let (list, written) = match from_user {
            Some(list) => (list, true),
            None => match default_lists.and_then(|lists| lists.get(lifecycle)) {
                Some(list) => (list, false),
                None => continue,
            },
        };
        let DeValue::Array(names) = list.get_ref() else {
            continue;
        };
        for name in names {
            let DeValue::String(text) = name.get_ref() else {
                continue;
            };
            let here = written.then(|| name.span());
            match seen.get(text.as_ref()) {
                None => {
                    seen.insert(text.to_string(), (lifecycle, here));
                }
                Some((first, first_span)) => {
                    let span = here.or_else(|| first_span.clone()).unwrap_or_default();
                    let default_note = if written && first_span.is_none() {
                        format!(" (by default; set `[standards.lifecycles] {first}` too)")
                    } else {
                        String::new()
                    };
                    return Err((
                        span,
                        format!("service `{text}` is in two lifecycles: `{first}`{default_note} and `{lifecycle}`"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn lifecycle_lists<'a, 'i>(standards: &'a DeTable<'i>) -> Option<&'a DeTable<'i>> {
    match standards.get("lifecycles").map(|value| value.get_ref()) {
        Some(DeValue::Table(lifecycles)) => Some(lifecycles),
        _ => None,
    }
}

/// A restart policy Compose accepts.
fn restart_policy(text: &str) -> Result<(), String> {
    let valid = match text.strip_prefix("on-failure:") {
        Some(retries) => !retries.is_empty() && retries.chars().all(|c| c.is_ascii_digit()),
        None => matches!(text, "no" | "always" | "on-failure" | "unless-stopped"),
    };
    valid.then_some(()).ok_or_else(|| {
        format!("`{text}` is not a restart policy: expected `no`, `always`, `on-failure`, `on-failure:N` or `unless-stopped`")
    })
}

/// A positive duration in Compose's syntax.
fn duration(text: &str) -> Result<(), String> {
    match parse_duration(text) {
        Some(value) if !value.is_zero() => Ok(()),
        _ => Err(format!(
            "`{text}` is not a duration: expected a positive duration such as `30s`, `1m30s` or `500ms`"
        )),
    }
}

/// A positive size in Compose's syntax.
fn size(text: &str) -> Result<(), String> {
    match parse_size(text) {
        Some(bytes) if bytes > 0 => Ok(()),
        _ => Err(format!(
            "`{text}` is not a size: expected a positive size such as `512m`, `1g` or `10M`"
        )),
    }
}

/// A positive number of CPUs.
fn cpus(text: &str) -> Result<(), String> {
    match parse_cpus(text) {
        Some(count) if count > 0.0 => Ok(()),
        _ => Err(format!(
            "`{text}` is not a number of CPUs: expected a positive decimal such as `0.5` or `2`"
        )),
    }
}

/// A positive whole number (`max-file`).
fn count(text: &str) -> Result<(), String> {
    match text.parse::<u32>() {
        Ok(number) if number > 0 => Ok(()),
        _ => Err(format!(
            "`{text}` is not a count: expected a positive whole number such as `3`"
        )),
    }
}

/// A container port: `8000`, or `2456/udp` (or `/tcp`, `/sctp`).
fn port(text: &str) -> Result<(), String> {
    let (number, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let valid_number = number.parse::<u16>().is_ok_and(|port| port > 0);
    if valid_number && matches!(protocol, "tcp" | "udp" | "sctp") {
        Ok(())
    } else {
        Err(format!(
            "`{text}` is not a container port: expected a number from 1 to 65535, optionally with `/tcp`, `/udp` or `/sctp`"
        ))
    }
}

/// A service, network or driver name as Compose accepts it.
fn name(text: &str) -> Result<(), String> {
    let mut chars = text.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    valid.then_some(()).ok_or_else(|| {
        format!("`{text}` is not a valid name: letters, digits, `_`, `.` and `-`, starting with a letter or digit")
    })
}

/// A logging driver: a name, or a plugin's reference.
fn driver(text: &str) -> Result<(), String> {
    let valid = !text.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    valid
        .then_some(())
        .ok_or_else(|| format!("`{text}` is not a logging driver: expected a name such as `json-file`"))
}

/// An absolute path in the container.
fn container_path(text: &str) -> Result<(), String> {
    let valid = text.starts_with('/') && !text.chars().any(char::is_control);
    valid
        .then_some(())
        .ok_or_else(|| format!("`{text}` is not a container path: expected an absolute path such as `/app/data`"))
}

/// An absolute path on the host.
fn host_path(text: &str) -> Result<(), String> {
    let valid = text.starts_with('/') && !text.chars().any(char::is_control);
    valid
        .then_some(())
        .ok_or_else(|| format!("`{text}` is not a host path: expected an absolute path such as `/etc`"))
}

/// An absolute path on the host, or a glob of them (`/etc/**/*.log`).
fn host_path_glob(text: &str) -> Result<(), String> {
    host_path(text)?;
    globset::Glob::new(text)
        .map(drop)
        .map_err(|error| format!("`{text}` is not a host path pattern: {}", error.kind()))
}

/// A Linux capability's name (`NET_ADMIN`, `CAP_SYS_ADMIN`, `ALL`).
fn capability(text: &str) -> Result<(), String> {
    let valid = !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid
        .then_some(())
        .ok_or_else(|| format!("`{text}` is not a capability: expected a name such as `NET_ADMIN`"))
}

/// A glob on a file name (`*.pem`), as D415 matches them.
fn file_glob(text: &str) -> Result<(), String> {
    if text.is_empty() || text.contains('/') {
        return Err(format!(
            "`{text}` is not a file name pattern: expected a name or glob such as `*.pem`"
        ));
    }
    globset::Glob::new(text)
        .map(drop)
        .map_err(|error| format!("`{text}` is not a file name pattern: {}", error.kind()))
}

/// One path component of an image name (`vwe`).
fn namespace(text: &str) -> Result<(), String> {
    path_component(text).then_some(()).ok_or_else(|| {
        format!("`{text}` is not an image namespace: lowercase letters and digits, separated by `.`, `_`, `__` or `-`")
    })
}

/// An image reference by the Docker reference grammar:
/// `[domain[:port]/]path[:tag][@algorithm:hex]`.
fn image_reference(text: &str) -> Result<(), String> {
    let invalid =
        || format!("`{text}` is not a valid image reference such as `python:3.12-slim` or `ghcr.io/org/app:1.0`");
    let parsed = ImageRef::parse(text).ok_or_else(invalid)?;
    let (name, digest) = match text.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (text, None),
    };
    let name = match &parsed.tag {
        Some(tag) => name.strip_suffix(tag.as_str()).and_then(|name| name.strip_suffix(':')),
        None => Some(name),
    };
    let valid =
        name.is_some_and(valid_name) && parsed.tag.as_deref().is_none_or(valid_tag) && digest.is_none_or(valid_digest);
    valid.then_some(()).ok_or_else(invalid)
}

/// `[domain/]component(/component)*`; the first component is a domain when
/// it has a `.` or a `:`, or is `localhost`.
fn valid_name(name: &str) -> bool {
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        if first.contains(['.', ':']) || first == "localhost" {
            if !valid_domain(first) {
                return false;
            }
            components.remove(0);
        }
    }
    name.len() <= 255 && components.into_iter().all(path_component)
}

fn valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    let label = |label: &str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    host.split('.').all(label) && port.is_none_or(|port| port.parse::<u16>().is_ok())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn path_component(component: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut pieces = component.split(|c: char| !alphanumeric(c));
    let separators: Vec<&str> = component
        .split(alphanumeric)
        .filter(|separator| !separator.is_empty())
        .collect();
    pieces.all(|piece| !piece.is_empty())
        && separators
            .iter()
            .all(|separator| matches!(*separator, "." | "_" | "__") || separator.chars().all(|c| c == '-'))
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    tag.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `algorithm:hex`, e.g. `sha256:` and 64 hex digits.
fn valid_digest(digest: &str) -> bool {
    digest.split_once(':').is_some_and(|(algorithm, hex)| {
        !algorithm.is_empty()
            && algorithm
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
            && hex.len() >= 32
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}
