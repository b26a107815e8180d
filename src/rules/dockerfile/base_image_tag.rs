//! D102: `FROM` without a tag or with `:latest` (hadolint DL3006, DL3007).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::BaseImage;
use crate::image::{Approval, ImageRef};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `FROM` without a tag or with `:latest`
    pub struct BaseImageTag {
        code: D102,
        name: "base-image-tag",
        severity: Warning,
        fix: None,
    }
}

impl Rule for BaseImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.dockerfile.stages {
            let BaseImage::Image { text, image } = crate::dockerfile::base_image(cx.dockerfile, stage) else {
                continue;
            };
            if !image.is_floating() || cx.standards.approval(&image) == Approval::Approved {
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
                    || format!("FROM {}:<version>", image.repository),
                    |approved| format!("FROM {approved}"),
                );
            out.push(
                Diagnostic::new(
                    &META,
                    stage.image.span,
                    format!("base image `{text}` {problem}, so the build changes whenever the image is pushed"),
                )
                .with_label(problem)
                .with_help(format!("pin a version tag (or a digest): `{suggestion}`")),
            );
        }
    }
}
