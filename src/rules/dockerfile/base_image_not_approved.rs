//! D101: a `FROM` image is neither approved nor a custom `vwe/` image.

use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::BaseImage;
use crate::image::Approval;
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "D101",
    name: "base-image-not-approved",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "`FROM` is not an approved image or tag",
    doc: include_str!("../../../rules/D101.md"),
};

pub struct BaseImageNotApproved;

impl Rule for BaseImageNotApproved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.dockerfile.stages {
            let span = stage.image.span;
            let diagnostic = match crate::dockerfile::base_image(cx.dockerfile, stage) {
                BaseImage::Image { text, image } => match cx.standards.approval(&image) {
                    Approval::NotApproved => Diagnostic::new(
                        &META,
                        span,
                        format!("base image `{text}` is not an approved image"),
                    )
                    .with_label("not approved")
                    .with_help(format!(
                        "build on an approved image: {}",
                        cx.standards.approved_summary()
                    )),
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
                    Approval::Approved
                    | Approval::Custom
                    | Approval::ApprovedRepositoryUnpinned => continue,
                },
                BaseImage::Unresolved { text, missing } => {
                    let mut diagnostic = Diagnostic::new(
                        &META,
                        span,
                        format!(
                            "base image `{text}` cannot be resolved: ARG `{}` has no default, so its approval cannot be checked",
                            missing.join("`, `")
                        ),
                    )
                    .with_label("unresolved")
                    .with_help(format!("give the ARG an approved default before the first FROM, e.g. `ARG {}=python:3.11-slim`", missing[0]));
                    diagnostic.severity = Severity::Warning;
                    diagnostic
                }
                BaseImage::Stage | BaseImage::Scratch => continue,
            };
            out.push(diagnostic);
        }
    }
}
