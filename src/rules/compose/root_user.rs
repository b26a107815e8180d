//! C401: a service runs as root: no `user:`, no non-root `USER` in the
//! Dockerfile it builds, and (for PUID/PGID images) no `PUID` and `PGID`.

use crate::compose::Service;
use crate::compose::build::BuiltDockerfile;
use crate::compose::service_facts::{
    self, Found, built_instruction, built_stages, find_key, has_variable, written_with_variable,
};
use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::dockerfile::{BaseImage, base_image, is_windows_image, is_windows_stage};
use crate::image::ImageRef;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// a service runs as root
    pub struct RootUser {
        code: C401,
        name: "root-user",
        severity: Warning,
        fix: None,
    }
}

const USER_HELP: &str = "user: \"1000:1000\"";
const PUID_HELP: &str = "environment:\n  - PUID=1000\n  - PGID=1000";

/// `root`, `0`, `root:x`, `0:0`.
fn is_root(user: &str) -> bool {
    matches!(user.trim().split(':').next(), Some("root" | "0"))
}

/// The Dockerfile path as the compose file writes it, for messages.
fn written_dockerfile(built: &BuiltDockerfile) -> String {
    let context = built.spec.context.trim_end_matches('/');
    if std::path::Path::new(&built.spec.dockerfile).is_absolute() {
        built.spec.dockerfile.clone()
    } else {
        format!("{context}/{}", built.spec.dockerfile)
    }
}

impl Rule for RootUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            check_service(cx, service, out);
        }
    }
}

fn check_service(cx: &ComposeContext, service: Service, out: &mut Vec<Diagnostic>) {
    let name = service.name;
    match find_key(service, "user") {
        Found::Here(node) => {
            let Some(user) = node.as_str() else { return };
            if is_root(user) && !written_with_variable(node) && !has_variable(user) && node.alias.is_none() {
                out.push(
                    Diagnostic::new(
                        &META,
                        node.span,
                        format!("service `{name}` runs as root (`user: {user}`); the standard is a non-root user"),
                    )
                    .with_label("root")
                    .with_help(USER_HELP),
                );
            }
            return;
        }
        Found::Unknown => return,
        Found::Absent => {}
    }
    let image = find_key(service, "image")
        .node()
        .and_then(|node| node.as_str())
        .and_then(ImageRef::parse);
    if image.as_ref().is_some_and(is_windows_image) {
        return;
    }
    let puid_image = match cx.built.get(name) {
        Some(built) => {
            let Some(stages) = built_stages(built) else { return };
            let root_stage = stages.last().expect("a stage");
            if is_windows_stage(&built.dockerfile, root_stage) {
                return;
            }
            if let Some(user) = built_instruction(built, Keyword::User) {
                let text = user.args_text();
                if is_root(&text) {
                    out.push(
                        Diagnostic::new(
                            &META,
                            service.name_span(),
                            format!(
                                "service `{name}` runs as root: it sets no `user:` and its Dockerfile `{}` ends with `USER {}`; the standard is a non-root user",
                                written_dockerfile(built),
                                text.trim()
                            ),
                        )
                        .with_label("runs as root")
                        .with_help(USER_HELP),
                    );
                }
                return;
            }
            match base_image(&built.dockerfile, root_stage) {
                BaseImage::Image { image, .. } if cx.standards.is_puid_pgid_image(&image) => Some(image),
                _ => {
                    out.push(
                        Diagnostic::new(
                            &META,
                            service.name_span(),
                            format!(
                                "service `{name}` sets no `user:` and its Dockerfile `{}` sets no `USER`; the standard is a non-root user (`USER app` in the Dockerfile or `user:` in compose)",
                                written_dockerfile(built)
                            ),
                        )
                        .with_label("no non-root user")
                        .with_help(USER_HELP),
                    );
                    return;
                }
            }
        }
        // A build whose Dockerfile could not be read: its USER is unknown.
        None if service_facts::builds(service) => return,
        None => image.filter(|image| cx.standards.is_puid_pgid_image(image)),
    };
    match puid_image {
        Some(image) => check_puid_pgid(cx, service, &image.repository, out),
        None => out.push(
            Diagnostic::new(
                &META,
                service.name_span(),
                format!(
                    "service `{name}` sets no `user:` and builds no image with a non-root `USER`; the standard is a non-root user"
                ),
            )
            .with_label("no non-root user")
            .with_help(USER_HELP),
        ),
    }
}

/// A PUID/PGID image runs as the user those two variables name.
fn check_puid_pgid(cx: &ComposeContext, service: Service, repository: &str, out: &mut Vec<Diagnostic>) {
    // An env file may set them; rules do not read it.
    if service.get("env_file").is_some() {
        return;
    }
    // (name, value, span, written without a variable)
    let mut found: Vec<(&str, Option<&str>, Span, bool)> = Vec::new();
    if let Some(environment) = service.get("environment") {
        for var in service_facts::environment(|span| cx.text(span), environment) {
            found.push((var.name, var.value, var.name_span, !written_with_variable(var.node)));
        }
    }
    let value = |wanted: &str| found.iter().find(|(name, ..)| *name == wanted);
    let missing: Vec<&str> = ["PUID", "PGID"]
        .into_iter()
        .filter(|wanted| value(wanted).is_none())
        .collect();
    let name = service.name;
    if !missing.is_empty() {
        out.push(
            Diagnostic::new(
                &META,
                service.name_span(),
                format!(
                    "service `{name}` runs `{repository}`, which runs as root unless `PUID` and `PGID` are set, and it sets no {}; the standard sets both",
                    missing.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(" or ")
                ),
            )
            .with_label("no PUID/PGID")
            .with_help(PUID_HELP),
        );
        return;
    }
    if let Some((_, Some(uid), span, true)) = value("PUID")
        && uid.trim() == "0"
    {
        out.push(
            Diagnostic::new(
                &META,
                *span,
                format!(
                    "service `{name}` sets `PUID=0`, so `{repository}` runs as root; the standard is a non-root user"
                ),
            )
            .with_label("root")
            .with_help(PUID_HELP),
        );
    }
}
