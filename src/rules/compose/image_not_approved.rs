//! C101: a service's image is neither approved nor a custom `vwe/` image.

use crate::diagnostic::Diagnostic;
use crate::image::{Approval, ImageRef};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `image:` is not an approved image or tag
    pub struct ImageNotApproved {
        code: C101,
        name: "image-not-approved",
        severity: Error,
        fix: None,
    }
}

impl Rule for ImageNotApproved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            // With `build:`, `image:` names the local build (C103's concern).
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
            let diagnostic = match cx.standards.approval(&image) {
                Approval::NotApproved => Diagnostic::new(
                    &META,
                    node.span,
                    format!("image `{text}` of service `{}` is not an approved image", service.name),
                )
                .with_label("not approved")
                .with_help(format!(
                    "use an approved image ({}), or build your own on one and name it `{}/{}`",
                    cx.standards.approved_summary(),
                    cx.standards.images.namespace,
                    service.name
                )),
                Approval::OtherTag { approved } => Diagnostic::new(
                    &META,
                    node.span,
                    format!(
                        "image `{text}` of service `{}` uses an unapproved tag; the standard is `{}`",
                        service.name,
                        approved.join("` or `")
                    ),
                )
                .with_label("unapproved tag")
                .with_help(format!("image: {}", approved[0])),
                Approval::Approved | Approval::Custom | Approval::ApprovedRepositoryUnpinned => continue,
            };
            out.push(diagnostic);
        }
    }
}
