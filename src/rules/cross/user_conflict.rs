//! X105: compose `user:` is root while the Dockerfile sets a non-root USER.

use crate::compose::service_facts::{Found, find_key, has_variable, written_with_variable};
use crate::diagnostic::Diagnostic;
use crate::dockerfile::is_windows_stage;
use crate::dockerfile::parse::Keyword;
use crate::rules::cross::{chain, is_root_user, last_in_chain, location};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// compose `user:` is root while the Dockerfile sets a non-root USER
    pub struct UserConflict {
        code: X105,
        name: "user-conflict",
        severity: Info,
        fix: None,
    }
}

impl Rule for UserConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(built) = cx.built.get(service.name) else {
                continue;
            };
            let Found::Here(node) = find_key(service, "user") else {
                continue;
            };
            let Some(user) = node.as_str() else { continue };
            if !is_root_user(user) || written_with_variable(node) || has_variable(user) {
                continue;
            }
            let Some(stages) = chain(built) else { continue };
            if is_windows_stage(&built.dockerfile, stages.last().expect("a chain has a stage")) {
                continue;
            }
            let Some(instruction) = last_in_chain(built, &stages, Keyword::User) else {
                continue;
            };
            let image_user = instruction.args_text();
            let image_user = image_user.trim();
            if image_user.is_empty() || is_root_user(image_user) || has_variable(image_user) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    node.span,
                    format!(
                        "service `{}` runs as root (`user: {user}`), overriding `USER {image_user}` that its Dockerfile sets ({}); the standard is a non-root user",
                        service.name,
                        location(built, instruction.span)
                    ),
                )
                .with_label("overrides the image's non-root USER")
                .concerning(&built.path)
                .with_help(format!(
                    "remove `user:` so that the image's `USER {image_user}` applies, or set a non-root `user: \"1000:1000\"`"
                )),
            );
        }
    }
}
