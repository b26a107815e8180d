//! D201: the final stage runs as root (hadolint DL3002, and no USER at all).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::{BaseImage, parse::Keyword};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// the final stage runs as root
    pub struct RootUser {
        code: D201,
        name: "root-user",
        severity: Warning,
        fix: None,
    }
}

impl Rule for RootUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let dockerfile = cx.dockerfile;
        let Some(last) = dockerfile.stages.last() else {
            return;
        };
        // Windows containers have no root; their users are another matter.
        if crate::dockerfile::is_windows_stage(dockerfile, last) {
            return;
        }
        // Follow `FROM <stage>` back to the image the final stage builds on;
        // a USER set in a parent stage is inherited.
        let mut stage = last;
        let mut last_user = None;
        for _ in 0..dockerfile.stages.len() {
            last_user = dockerfile.instructions[stage.instructions.clone()]
                .iter()
                .rev()
                .find(|instruction| instruction.keyword == Keyword::User);
            if last_user.is_some() {
                break;
            }
            match crate::dockerfile::parent_stage(dockerfile, stage) {
                Some(parent) => stage = parent,
                None => break,
            }
        }
        if let BaseImage::Image { image, .. } = crate::dockerfile::base_image(dockerfile, stage) {
            // PUID/PGID images start as root and drop privileges themselves.
            if last_user.is_none() && cx.standards.is_puid_pgid_image(&image) {
                return;
            }
        }
        match last_user {
            None => out.push(
                Diagnostic::new(
                    &META,
                    last.image.span,
                    "the final stage sets no `USER`, so the container runs as root",
                )
                .with_label("runs as root")
                .with_help(
                    "create a user and switch to it at the end: `RUN useradd --create-home app` then `USER app`",
                ),
            ),
            Some(instruction) => {
                let user = instruction.args_text();
                let name = user.trim().split(':').next().unwrap_or("");
                if name == "root" || name == "0" {
                    out.push(
                        Diagnostic::new(
                            &META,
                            instruction.span,
                            format!("the final stage's last `USER {}` is root", user.trim()),
                        )
                        .with_label("root")
                        .with_help("switch to a non-root user after the steps that need root: `USER app`"),
                    );
                }
            }
        }
    }
}
