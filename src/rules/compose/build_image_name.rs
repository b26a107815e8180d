//! C103: a service with `build:` does not name its image `vwe/<name>:<tag>`.

use crate::compose::site::value_site;
use crate::diagnostic::Diagnostic;
use crate::image::{Approval, ImageRef};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a built service has no `image: vwe/<name>:<tag>`
    pub struct BuildImageName {
        code: C103,
        name: "build-image-name",
        severity: Warning,
        fix: None,
    }
}

/// The tag suggested when the service names none.
const SUGGESTED_TAG: &str = "1.0.0";

impl Rule for BuildImageName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let namespace = cx.standards.images.namespace.trim_end_matches('/');
        for service in file.services() {
            let own_build = service.get_entry("build");
            let own_image = service.get_entry("image");
            if own_build.is_none() {
                continue;
            }
            let image = own_image;
            // Point at its `image:`, else its `build:`.
            let span = match (own_image, own_build) {
                (Some(entry), _) => value_site(entry),
                (None, Some(entry)) => entry.merged_from.unwrap_or(entry.key.span),
                (None, None) => continue,
            };
            let (message, label, parsed) = match image {
                Some(entry) => {
                    let Some(text) = entry.value.as_str() else { continue };
                    // A variable names the image at deploy time.
                    let Some(parsed) = ImageRef::parse(text) else { continue };
                    let custom = cx.standards.approval(&parsed) == Approval::Custom;
                    let pinned = parsed.tag.is_some() || parsed.digest.is_some();
                    if custom && pinned {
                        continue;
                    }
                    let problem = if custom { "without a tag" } else { "outside `vwe/`" };
                    (
                        format!(
                            "service `{}` builds an image named `{text}` ({problem}); the standard names built images `{namespace}/<name>:<tag>`",
                            service.name
                        ),
                        if custom { "no tag" } else { "not a `vwe/` image" },
                        Some(parsed),
                    )
                }
                None => (
                    format!(
                        "service `{}` builds an image without naming it; the standard names built images `{namespace}/<name>:<tag>`",
                        service.name
                    ),
                    "no `image:`",
                    None,
                ),
            };
            let name = parsed
                .as_ref()
                .and_then(|parsed| parsed.repository.rsplit('/').next())
                .filter(|name| !name.is_empty())
                .map_or_else(|| repository_name(service.name), str::to_string);
            let tag = parsed
                .as_ref()
                .and_then(|parsed| parsed.tag.clone())
                .unwrap_or_else(|| SUGGESTED_TAG.to_string());
            out.push(
                Diagnostic::new(&META, span, message)
                    .with_label(label)
                    .with_help(format!("image: {namespace}/{name}:{tag}")),
            );
        }
    }
}

/// A service name as an image repository name (lowercase; Compose allows
/// capitals in service names, registries do not in repositories).
fn repository_name(service: &str) -> String {
    service.to_ascii_lowercase()
}
