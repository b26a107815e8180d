//! A service's `volumes:` entries read the way Compose reads them: the short
//! syntax `[source:]target[:mode]` (a Windows drive letter's colon is part of
//! the path) and the long syntax (`type`, `source`, `target`).

use std::collections::HashSet;

use crate::source::Span;

use super::Service;
use super::site::{depends_on_unresolved, item_site};
use super::yaml::{Node, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// A host path.
    Bind,
    /// A named volume, or an anonymous one when there is no source.
    Volume,
    Tmpfs,
    /// Another long-syntax type (`npipe`, `cluster`, `image`).
    Other,
    /// A variable decides between a named volume and a host path.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    /// As written; `None` for an anonymous volume or a tmpfs.
    pub source: Option<String>,
    /// The path in the container, as written.
    pub target: String,
    /// The short syntax's options (`ro`, `rw,z`).
    pub mode: Option<String>,
}

impl Mount {
    /// The name of the named volume this mounts.
    pub fn volume_name(&self) -> Option<&str> {
        (self.kind == MountKind::Volume).then_some(self.source.as_deref()?)
    }

    /// Whether this mounts the Docker engine's socket.
    pub fn is_docker_socket(&self) -> bool {
        self.kind == MountKind::Bind && self.source.as_deref().is_some_and(is_docker_socket)
    }
}

/// `/var/run/docker.sock` or `/run/docker.sock` (Docker Desktop also
/// accepts a doubled leading slash).
pub fn is_docker_socket(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let path = path
        .strip_prefix('/')
        .filter(|rest| rest.starts_with('/'))
        .unwrap_or(path);
    matches!(path, "/var/run/docker.sock" | "/run/docker.sock")
}

/// How Compose tells a host path from a volume name: a path starts with
/// `.`, `/`, `~`, `\\` or a drive letter; anything else names a volume (Compose
/// rejects `dir/sub` as a volume name rather than read it as a path). A
/// source that starts with a variable may be either.
fn kind_of_source(source: &str) -> MountKind {
    if source.starts_with(['.', '~', '/', '\\']) || is_windows_drive(source) {
        MountKind::Bind
    } else if source.contains('$') {
        MountKind::Unknown
    } else {
        MountKind::Volume
    }
}

fn is_windows_drive(source: &str) -> bool {
    let bytes = source.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Splits at `:`, except inside `${…}` and after a lone drive letter.
fn split_fields(text: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut previous = '\0';
    for (index, c) in text.char_indices() {
        match c {
            '{' if previous == '$' || depth > 0 => depth += 1,
            '}' if depth > 0 => depth -= 1,
            ':' if depth == 0 => {
                let field = &text[start..index];
                let drive = field.len() == 1 && field.as_bytes()[0].is_ascii_alphabetic();
                if !drive {
                    fields.push(field);
                    start = index + 1;
                }
            }
            _ => {}
        }
        previous = c;
    }
    fields.push(&text[start..]);
    fields
}

pub fn parse_short(text: &str) -> Option<Mount> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let fields = split_fields(text);
    let (source, target, mode) = match fields.as_slice() {
        [target] => (None, *target, None),
        [source, target] => (Some(*source), *target, None),
        [source, target, mode] => (Some(*source), *target, Some(*mode)),
        _ => return None,
    };
    if target.is_empty() {
        return None;
    }
    let source = source.filter(|source| !source.is_empty());
    Some(Mount {
        kind: source.map_or(MountKind::Volume, kind_of_source),
        source: source.map(str::to_string),
        target: target.to_string(),
        mode: mode.map(str::to_string),
    })
}

/// Why Compose refuses a short-syntax entry (its interpolated text); `None`
/// when it accepts it. Compose takes a text of one or two characters as the
/// target whatever it holds, and otherwise wants every field filled.
pub fn short_syntax_error(text: &str) -> Option<&'static str> {
    match text.len() {
        0 => return Some("it is empty"),
        1 | 2 => return None,
        _ => {}
    }
    let fields = split_fields(text);
    if fields.iter().any(|field| field.is_empty()) {
        Some("a source, target or mode between its colons is empty")
    } else if fields.len() > 3 {
        Some("it has more colons than `source:target:mode`")
    } else {
        None
    }
}

pub fn parse_long(node: &Node) -> Option<Mount> {
    let mapping = node.as_mapping()?;
    let text = |key: &str| mapping.get(key).and_then(Node::as_str).filter(|text| !text.is_empty());
    let target = text("target")?;
    let source = text("source");
    let kind = match text("type") {
        Some("bind") => MountKind::Bind,
        Some("volume") => MountKind::Volume,
        Some("tmpfs") => MountKind::Tmpfs,
        Some(kind) if kind.contains('$') => MountKind::Unknown,
        Some(_) => MountKind::Other,
        None => source.map_or(MountKind::Volume, kind_of_source),
    };
    Some(Mount {
        kind,
        source: source.map(str::to_string),
        target: target.to_string(),
        mode: None,
    })
}

pub fn parse_item(node: &Node) -> Option<Mount> {
    match &node.value {
        Value::Scalar(scalar) => parse_short(&scalar.text),
        Value::Mapping(_) => parse_long(node),
        Value::Null | Value::Sequence(_) => None,
    }
}

/// One item of a service's `volumes:`.
#[derive(Clone, Debug)]
pub struct MountItem<'a> {
    pub node: &'a Node,
    /// Where the service gets it (see [`item_site`]).
    pub site: Span,
    pub mount: Option<Mount>,
}

/// The items of a service's `volumes:`; an item that depends on a variable
/// interpolation could not resolve (`unresolved`) has no mount.
pub fn items<'a>(service: &Service<'a>, unresolved: &HashSet<Span>) -> Vec<MountItem<'a>> {
    let Some(entry) = service.get_entry("volumes") else {
        return Vec::new();
    };
    let Some(items) = entry.value.as_sequence() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|node| MountItem {
            node,
            site: item_site(entry, node),
            mount: (!depends_on_unresolved(node, unresolved))
                .then(|| parse_item(node))
                .flatten(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(text: &str) -> Mount {
        parse_short(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn named_bind_and_anonymous() {
        let named = short("redis_data:/data");
        assert_eq!(named.kind, MountKind::Volume);
        assert_eq!(named.volume_name(), Some("redis_data"));
        assert_eq!(short("./src:/app/src:ro").mode.as_deref(), Some("ro"));
        assert_eq!(short("./src:/app/src").kind, MountKind::Bind);
        assert_eq!(short("/srv/data:/data").kind, MountKind::Bind);
        assert_eq!(short("~/data:/data").kind, MountKind::Bind);
        assert_eq!(short(".:/app").kind, MountKind::Bind);
        let anonymous = short("/app/node_modules");
        assert_eq!(anonymous.kind, MountKind::Volume);
        assert_eq!(anonymous.source, None);
        assert_eq!(anonymous.volume_name(), None);
    }

    #[test]
    fn windows_paths() {
        let mount = short("C:\\data:/data");
        assert_eq!(mount.kind, MountKind::Bind);
        assert_eq!(mount.source.as_deref(), Some("C:\\data"));
        assert_eq!(mount.target, "/data");
        assert_eq!(short("d:/data:/data:ro").mode.as_deref(), Some("ro"));
    }

    #[test]
    fn variables() {
        assert_eq!(short("${DATA_DIR}:/data").kind, MountKind::Unknown);
        assert_eq!(short("${DATA_DIR:-./data}:/data").kind, MountKind::Unknown);
        assert_eq!(short("${HOME}/data:/data").kind, MountKind::Unknown);
        assert_eq!(short("/srv/${APP}:/data").kind, MountKind::Bind);
        assert_eq!(short("backrest/data:/data").kind, MountKind::Volume);
        let mount = short("${VOL:-a:b}:/data");
        assert_eq!(mount.source.as_deref(), Some("${VOL:-a:b}"));
        assert_eq!(mount.target, "/data");
    }

    #[test]
    fn docker_socket() {
        assert!(short("/var/run/docker.sock:/var/run/docker.sock").is_docker_socket());
        assert!(short("/run/docker.sock:/var/run/docker.sock:ro").is_docker_socket());
        assert!(short("//var/run/docker.sock:/var/run/docker.sock").is_docker_socket());
        assert!(!short("docker_sock:/var/run/docker.sock").is_docker_socket());
    }

    #[test]
    fn long_syntax() {
        let parsed = crate::compose::yaml::parse(
            "- type: bind\n  source: ./conf\n  target: /config\n- type: tmpfs\n  target: /tmp\n- source: data\n  target: /data\n",
        );
        let items = parsed.documents[0].as_sequence().unwrap();
        let bind = parse_item(&items[0]).unwrap();
        assert_eq!(bind.kind, MountKind::Bind);
        assert_eq!(bind.target, "/config");
        assert_eq!(parse_item(&items[1]).unwrap().kind, MountKind::Tmpfs);
        assert_eq!(parse_item(&items[2]).unwrap().volume_name(), Some("data"));
    }
}
