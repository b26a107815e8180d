//! C406: a bind mount of a sensitive host path (the list is in the
//! standards), or of a path inside one.

use crate::compose::volumes::{self, Mount, MountKind};
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
fn read_only(mount: &Mount, node: &crate::compose::yaml::Node) -> bool {
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

/// The sensitive path a bind of `source` reaches, unless the mount is
/// read-only and the source is one the standards allow so.
fn reached<'a>(host: &'a HostAccess, source: &str, read_only: bool) -> Option<&'a str> {
    let source = normalize(source);
    if read_only
        && host
            .read_only_allowed
            .iter()
            .any(|allowed| within(&source, &normalize(allowed)))
    {
        return None;
    }
    // The most specific entry names the finding (`/var/run`, not `/`).
    host.sensitive_paths
        .iter()
        .filter(|path| within(&source, &normalize(path)))
        .max_by_key(|path| normalize(path).len())
        .map(String::as_str)
}

impl Rule for SensitiveHostMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let host = &cx.standards.host_access;
        for service in file.services() {
            for item in volumes::items(&service, &cx.interpolation.unresolved) {
                let Some(mount) = item.mount.as_ref() else { continue };
                // The Docker socket is C305's.
                if mount.kind != MountKind::Bind || mount.is_docker_socket() {
                    continue;
                }
                let Some(source) = mount.source.as_deref().filter(|source| source.starts_with('/')) else {
                    continue;
                };
                let read_only = read_only(mount, item.node);
                let Some(sensitive) = reached(host, source, read_only) else {
                    continue;
                };
                let (access, risk) = if read_only {
                    (
                        "reads",
                        "where a compromised container reads what the host keeps secret",
                    )
                } else {
                    ("reads and writes", "one step from root on the host")
                };
                let place = if normalize(source) == normalize(sensitive) {
                    format!("the host's `{sensitive}`")
                } else {
                    format!("`{}`, inside the host's `{sensitive}`", source.trim_end_matches('/'))
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        item.site,
                        format!(
                            "service `{}` {access} {place}: a sensitive host path, {risk}",
                            service.name
                        ),
                    )
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
        assert_eq!(reached(host, "/", false), Some("/"));
        assert_eq!(reached(host, "/var/run/", true), Some("/var/run"));
        assert_eq!(reached(host, "/var/lib/docker/volumes", true), Some("/var/lib/docker"));
        assert_eq!(reached(host, "/etc/localtime", false), Some("/etc"));
        assert_eq!(reached(host, "/etc/localtime", true), None);
        assert_eq!(reached(host, "/etc/ssl/certs/ca.pem", true), None);
        assert_eq!(reached(host, "/srv/app", false), None);
        assert_eq!(reached(host, "/var/lib/dockerd", false), None);
    }
}
