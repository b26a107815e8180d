//! D101: a `FROM` image is neither approved nor a custom `vwe/` image.

use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::BaseImage;
use crate::image::{Approval, ImageRef};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `FROM` is not an approved image or tag
    pub struct BaseImageNotApproved {
        code: D101,
        name: "base-image-not-approved",
        severity: Error,
        fix: None,
    }
}

impl Rule for BaseImageNotApproved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.dockerfile.stages {
            let span = stage.image.span;
            let diagnostic = match crate::dockerfile::base_image(cx.dockerfile, stage) {
                BaseImage::Image { text, image } => match cx.standards.approval(&image) {
                    Approval::NotApproved => {
                        Diagnostic::new(&META, span, format!("base image `{text}` is not an approved image"))
                            .with_label("not approved")
                            .with_help(format!(
                                "build on an approved image: {}",
                                cx.standards.approved_summary()
                            ))
                    }
                    Approval::OtherTag { approved } => Diagnostic::new(
                        &META,
                        span,
                        format!(
                            "base image `{text}` uses an unapproved tag; the standard is `{}`",
                            approved.join("` or `")
                        ),
                    )
                    .with_label("unapproved tag")
                    .with_help(format!("FROM {}", approved[0])),
                    Approval::Approved | Approval::Custom | Approval::ApprovedRepositoryUnpinned => continue,
                },
                BaseImage::Unresolved { text, .. }
                    if certain_repository(&text)
                        .is_some_and(|image| cx.standards.approval(&image) == Approval::NotApproved) =>
                {
                    Diagnostic::new(
                        &META,
                        span,
                        format!("base image `{text}` is not an approved image, whatever its tag resolves to"),
                    )
                    .with_label("not approved")
                    .with_help(format!(
                        "build on an approved image: {}",
                        cx.standards.approved_summary()
                    ))
                }
                BaseImage::Unresolved { text, missing } => {
                    let (reason, help) = match missing.first() {
                        Some(first) => (
                            format!("ARG `{}` has no default", missing.join("`, `")),
                            format!(
                                "give `ARG {first}` a default before the first FROM so that `{text}` names an approved image: {}",
                                cx.standards.approved_summary()
                            ),
                        ),
                        None => (
                            "it is no image reference".to_string(),
                            "name an approved image, e.g. `FROM python:3.11-slim`".to_string(),
                        ),
                    };
                    let mut diagnostic = Diagnostic::new(
                        &META,
                        span,
                        format!("base image `{text}` cannot be resolved: {reason}, so its approval cannot be checked"),
                    )
                    .with_label("unresolved")
                    .with_help(help);
                    diagnostic.severity = Severity::Warning;
                    diagnostic
                }
                BaseImage::Stage | BaseImage::Scratch => continue,
            };
            out.push(diagnostic);
        }
    }
}

/// The repository of a reference whose variables are all in its tag
/// (`swift:${VARIANT}`), which is certain even though the tag is not.
fn certain_repository(text: &str) -> Option<ImageRef> {
    let head = &text[..text.find('$')?];
    let name_start = head.rfind('/').map_or(0, |slash| slash + 1);
    let colon = head[name_start..].find(':')?;
    let repository = ImageRef::parse(&head[..name_start + colon])?;
    Some(ImageRef {
        tag: Some("unresolved".to_string()),
        ..repository
    })
}
