//! E403: a running container no longer matches the file: its image, restart
//! policy, memory limit or user differ, so the file does not describe what
//! runs (until `docker compose up` recreates it).

use crate::compose::Service;
use crate::compose::yaml::Node;
use crate::diagnostic::Diagnostic;
use crate::engine::{Container, Snapshot};
use crate::image::ImageRef;
use crate::rules::live::{LiveContext, describe};
use crate::rules::{Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// a running container's image, restart policy, memory limit or user differs from the files
    pub struct Drift {
        code: E403,
        name: "drift",
        severity: Warning,
        fix: None,
    }
}

impl Rule for Drift {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_live(&self, cx: &LiveContext, out: &mut Vec<Diagnostic>) {
        let Some(snapshot) = cx.snapshot() else { return };
        // One-offs (`docker compose run`) are not `up`'s to recreate: Compose
        // gives them no restart policy and `-u` may set their user.
        for (container, service) in cx.service_containers() {
            if !container.is_running() {
                continue;
            }
            let mut report = |span: Span, what: String, kind: &str| {
                out.push(
                    Diagnostic::new(&META, span, format!("running container {} {what}", describe(container)))
                        .with_label("the file says otherwise")
                        .with_help(format!(
                            "`docker compose up -d {}` recreates it from the file",
                            service.name
                        ))
                        .with_identity(format!("service `{}` {kind} differs", service.name)),
                );
            };
            if let Some((span, what)) = image(&service, container, snapshot) {
                report(span, what, "image");
            }
            if let Some((span, what)) = restart(&service, container) {
                report(span, what, "restart policy");
            }
            if let Some((span, what)) = memory(&service, container) {
                report(span, what, "memory limit");
            }
            if let Some((span, what)) = user(&service, container) {
                report(span, what, "user");
            }
        }
    }
}

/// A literal (no `${…}`) string value of the service.
fn literal(node: Option<&Node>) -> Option<(&str, Span)> {
    let node = node?;
    let text = node.as_str()?;
    (!text.contains('$')).then_some((text, node.site()))
}

fn image(service: &Service, container: &Container, snapshot: &Snapshot) -> Option<(Span, String)> {
    let (written, span) = literal(service.get("image"))?;
    let wanted = ImageRef::parse(written)?;
    let running = ImageRef::parse(&container.image);
    let same_name = running.as_ref().is_some_and(|running| {
        running.repository == wanted.repository
            && running.tag.as_deref().unwrap_or("latest") == wanted.tag.as_deref().unwrap_or("latest")
    });
    if !same_name && !container.image.starts_with("sha256:") {
        return Some((span, format!("runs image `{}`, not `{written}`", container.image)));
    }
    // Same name: the local image may have been rebuilt or pulled since.
    let local = snapshot.image(&wanted)?;
    (local.id != container.image_id).then(|| {
        (
            span,
            format!("runs an older `{written}`: the local image changed after it was created"),
        )
    })
}

fn restart(service: &Service, container: &Container) -> Option<(Span, String)> {
    let (written, span) = match literal(service.get("restart")) {
        Some(found) => found,
        None if service.get("restart").is_some() => return None,
        // Compose's default.
        None => ("no", service.name_span()),
    };
    let (name, retries) = match written.split_once(':') {
        Some((name, retries)) => (name, retries.trim().parse::<i64>().ok()?),
        None => (written, 0),
    };
    if name == container.restart_policy && retries == container.restart_retries {
        return None;
    }
    let running = match container.restart_retries {
        0 => container.restart_policy.clone(),
        retries => format!("{}:{retries}", container.restart_policy),
    };
    Some((span, format!("has restart policy `{running}`, not `{written}`")))
}

fn memory(service: &Service, container: &Container) -> Option<(Span, String)> {
    let limit = service
        .get("deploy")
        .and_then(|deploy| deploy.get("resources"))
        .and_then(|resources| resources.get("limits"))
        .and_then(|limits| limits.get("memory"))
        .or_else(|| service.get("mem_limit"));
    let (wanted, span, written) = match limit {
        Some(node) => {
            let (text, span) = literal(Some(node))?;
            (parse_bytes(text)?, span, format!("`{text}`"))
        }
        None => (0, service.name_span(), "none".to_string()),
    };
    (wanted != container.memory_limit).then(|| {
        let running = match container.memory_limit {
            0 => "no memory limit".to_string(),
            bytes => format!("a memory limit of {}", format_bytes(bytes)),
        };
        (span, format!("has {running}, but the file sets {written}"))
    })
}

fn user(service: &Service, container: &Container) -> Option<(Span, String)> {
    let (written, span) = literal(service.get("user"))?;
    (written.trim() != container.user.trim()).then(|| {
        let running = if container.user.is_empty() {
            "the image's default user".to_string()
        } else {
            format!("user `{}`", container.user)
        };
        (span, format!("runs as {running}, not `{written}`"))
    })
}

/// A Compose byte size (`512M`, `1.5g`, `268435456`, `64mb`), in bytes.
pub fn parse_bytes(text: &str) -> Option<i64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: f64 = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1024.0,
        "m" | "mb" => 1024.0 * 1024.0,
        "g" | "gb" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((number * scale) as i64)
}

/// Bytes in the largest whole unit (`512M`), or plain bytes.
fn format_bytes(bytes: i64) -> String {
    for (unit, size) in [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] {
        if bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("512M"), Some(512 << 20));
        assert_eq!(parse_bytes("1.5g"), Some(3 << 29));
        assert_eq!(parse_bytes("64mb"), Some(64 << 20));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(format_bytes(256 << 20), "256M");
        assert_eq!(format_bytes(1 << 30), "1G");
        assert_eq!(format_bytes(1000), "1000 bytes");
    }
}
