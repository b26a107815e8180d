//! C406: a bind mount of a sensitive host path (the list is in the
//! standards), or of a path inside one.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::compose::volumes::{self, Mount, MountKind};
use crate::compose::yaml::Node;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::HostAccess;

declare_rule! {
    /// a bind mount of a sensitive host path (`/`, `/etc`, `/proc`, `/var/lib/docker`, …)
    pub struct SensitiveHostMount {
        code: C406,
        name: "sensitive-host-mount",
        severity: Error,
        fix: None,
    }
}

/// The path as the kernel resolves it, without following links: `//etc/`,
/// `/etc/.` and `/srv/../etc` are `/etc`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `path` is `base` or lies inside it (both normalized). Nothing
/// lies inside `/` this way: a mount of `/srv` does not reach the host's `/`.
fn within(path: &str, base: &str) -> bool {
    path.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether the mount is read-only: `ro` among the short syntax's options,
/// or `read_only: true` in the long syntax.
fn read_only(mount: &Mount, node: &Node) -> bool {
    let short = mount
        .mode
        .as_deref()
        .is_some_and(|mode| mode.split(',').any(|option| option.trim() == "ro"));
    let long = node
        .get("read_only")
        .and_then(|flag| flag.as_str())
        .is_some_and(|flag| flag.eq_ignore_ascii_case("true"));
    short || long
}

/// The paths a service may mount read-only: each entry, and what lies
/// inside it; `*` and `**` are globs (`/etc/**/*.log`). The standards are
/// validated when they are loaded, so a pattern that does not compile is not there.
fn read_only_allowed(host: &HostAccess) -> GlobSet {
    let mut set = GlobSetBuilder::new();
    for entry in &host.read_only_allowed {
        let entry = if entry.contains('*') {
            entry.clone()
        } else {
            normalize(entry)
        };
        let inside = format!("{}/**", entry.trim_end_matches('/'));
        for pattern in [entry.as_str(), inside.as_str()] {
            if let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() {
                set.add(glob);
            }
        }
    }
    set.build().unwrap_or_else(|_| GlobSet::empty())
}

/// What a bind of `source` reaches: the sensitive path (the most specific
/// entry: `/var/run`, not `/`), and whether the source is one the standards
/// allow read-only. `None` when it reaches none, or is allowed and read-only.
fn reached<'a>(host: &'a HostAccess, allowed: &GlobSet, source: &str, read_only: bool) -> Option<(&'a str, bool)> {
    let source = normalize(source);
    let allowed = allowed.is_match(&source);
    if read_only && allowed {
        return None;
    }
    let sensitive = host
        .sensitive_paths
        .iter()
        .filter(|path| within(&source, &normalize(path)))
        .max_by_key(|path| normalize(path).len())?;
    Some((sensitive, allowed))
}

/// Whether the source, as written, is the home directory of whoever runs
/// Compose (`$HOME/…`): where the linter runs as root it reads `/root/…`,
/// which says nothing of the machine the project is deployed on.
fn from_home(node: &Node) -> bool {
    let written = match node.as_scalar() {
        Some(scalar) => scalar.raw.as_deref().unwrap_or(&scalar.text),
        None => match node.get("source").and_then(Node::as_scalar) {
            Some(scalar) => scalar.raw.as_deref().unwrap_or(&scalar.text),
            None => return false,
        },
    };
    let written = written.trim_start_matches(['"', '\'', ' ']);
    written.starts_with("$HOME") || written.starts_with("${HOME")
}

impl Rule for SensitiveHostMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let host = &cx.standards.host_access;
        let allowed = host.read_only_globs.get_or_init(|| read_only_allowed(host));
        for service in file.services() {
            for item in volumes::items(&service, &cx.interpolation.unresolved) {
                let Some(mount) = item.mount.as_ref() else { continue };
                // The Docker socket is C305's.
                if mount.kind != MountKind::Bind || mount.is_docker_socket() || from_home(item.node) {
                    continue;
                }
                let Some(source) = mount.source.as_deref().filter(|source| source.starts_with('/')) else {
                    continue;
                };
                let read_only = read_only(mount, item.node);
                let Some((sensitive, allowed_read_only)) = reached(host, allowed, source, read_only) else {
                    continue;
                };
                let place = if normalize(source) == normalize(sensitive) {
                    format!("the host's `{sensitive}`")
                } else {
                    format!("`{}`, inside the host's `{sensitive}`", source.trim_end_matches('/'))
                };
                let message = if allowed_read_only {
                    format!(
                        "service `{}` mounts the host's `{}` writable: the container can change what the host reads there; mount it read-only",
                        service.name,
                        source.trim_end_matches('/')
                    )
                } else if read_only {
                    format!(
                        "service `{}` reads {place}: a sensitive host path, where a compromised container reads what the host keeps secret",
                        service.name
                    )
                } else {
                    format!(
                        "service `{}` reads and writes {place}: a sensitive host path, one step from root on the host",
                        service.name
                    )
                };
                out.push(
                    Diagnostic::new(&META, item.site, message)
                        .with_label("sensitive host path")
                        .with_help(
                            "mount only the directory the service needs, outside the host's system paths \
                         (`/srv/<service>:/data`); a single well-known file such as `/etc/localtime` \
                         may be mounted `:ro`",
                        ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::Standards;

    #[test]
    fn paths_are_normalized_before_they_are_compared() {
        assert_eq!(normalize("//etc/"), "/etc");
        assert_eq!(normalize("/srv/../etc/."), "/etc");
        assert_eq!(normalize("/.."), "/");
        assert!(within("/etc/nginx", "/etc"));
        assert!(!within("/etcetera", "/etc"));
        assert!(within("/", "/"));
        assert!(!within("/srv", "/"));
    }

    #[test]
    fn the_most_specific_sensitive_path_names_the_finding() {
        let standards = Standards::builtin();
        let host = &standards.host_access;
        let allowed = read_only_allowed(host);
        let reached = |source, read_only| reached(host, &allowed, source, read_only);
        assert_eq!(reached("/", false), Some(("/", false)));
        assert_eq!(reached("/var/run/", true), Some(("/var/run", false)));
        assert_eq!(
            reached("/var/lib/docker/volumes", true),
            Some(("/var/lib/docker", false))
        );
        assert_eq!(reached("/etc/localtime", false), Some(("/etc", true)));
        assert_eq!(reached("/etc/localtime", true), None);
        assert_eq!(reached("/etc/ssl/certs/ca.pem", true), None);
        assert_eq!(reached("/etc/app/logs/access.log", true), None);
        assert_eq!(reached("/etc/app/access.log.key", true), Some(("/etc", false)));
        assert_eq!(reached("/srv/app", false), None);
        assert_eq!(reached("/var/lib/dockerd", false), None);
    }
}
