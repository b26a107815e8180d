//! C102: an image without a tag, or with `:latest`.

use crate::diagnostic::Diagnostic;
use crate::image::{Approval, ImageRef};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// image has no tag or `:latest`
    pub struct ImageTag {
        code: C102,
        name: "image-tag",
        severity: Warning,
        fix: None,
    }
}

impl Rule for ImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            // With `build:`, `image:` names what the build produces.
            if service.get("build").is_some() {
                continue;
            }
            let Some(node) = service.get("image") else {
                continue;
            };
            // An image named by an unset variable is unknown (S004 reports the variable).
            if cx.is_unresolved(node) {
                continue;
            }
            let Some(text) = node.as_str() else { continue };
            let Some(image) = ImageRef::parse(text) else {
                continue;
            };
            if !image.is_floating() {
                continue;
            }
            let approval = cx.standards.approval(&image);
            if approval == Approval::Approved {
                continue;
            }
            let problem = if image.tag.is_some() {
                "uses `:latest`"
            } else {
                "has no tag"
            };
            let suggestion = cx
                .standards
                .images
                .approved
                .iter()
                .find(|approved| {
                    ImageRef::parse(approved).is_some_and(|candidate| candidate.repository == image.repository)
                })
                .map_or_else(
                    || format!("image: {}:<version>", image.repository),
                    |approved| format!("image: {approved}"),
                );
            out.push(
                Diagnostic::new(
                    &META,
                    node.span,
                    format!(
                        "image `{text}` of service `{}` {problem}, so what runs changes whenever the image is pushed",
                        service.name
                    ),
                )
                .with_label(problem)
                .with_help(format!("pin a version tag (or a digest): `{suggestion}`")),
            );
        }
    }
}
