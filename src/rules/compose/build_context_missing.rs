//! C703: a `build:` context or `dockerfile` does not exist.

use std::path::Path;

use crate::compose::build::BuildSpec;
use crate::compose::service_facts::{has_variable, written_with_variable};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a `build:` context or `dockerfile` does not exist
    pub struct BuildContextMissing {
        code: C703,
        name: "build-context-missing",
        severity: Error,
        fix: None,
    }
}

/// A context that is no local directory: a git or http URL.
fn is_remote(context: &str) -> bool {
    let spec = BuildSpec {
        context: context.to_string(),
        dockerfile: String::new(),
        target: None,
    };
    spec.is_remote() || context.ends_with(".git") || context.contains(".git#")
}

/// A warning, not an error: Compose builds from there; vwe-lint only will
/// not look outside the project (a pull request could point it anywhere).
fn outside_the_project(span: crate::source::Span, what: &str, service: &str, root: &Path) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &META,
        span,
        format!(
            "{what} of service `{service}` is outside the project (root `{}`): vwe-lint does not look there, \
             so it neither checks that it exists nor reads the Dockerfile for the cross-file rules (X…)",
            root.display()
        ),
    )
    .with_label("outside the project")
    .with_help(
        "build from a directory inside the project, or allow the directory in `.vwe-lint.toml`: \
         `[compose] allow-outside = [\"…\"]`",
    );
    diagnostic.severity = Severity::Warning;
    diagnostic
}

impl Rule for BuildContextMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(build) = service.get("build") else { continue };
            let name = service.name;
            let (context, context_node) = match build.as_str() {
                Some(context) => (context, Some(build)),
                None if build.as_mapping().is_some() => {
                    let node = build.get("context");
                    match node {
                        Some(node) => match node.as_str() {
                            Some(context) => (context, Some(node)),
                            None => continue,
                        },
                        None => (".", None),
                    }
                }
                None => continue,
            };
            let variable = context_node.or(Some(build)).is_some_and(written_with_variable);
            if variable || has_variable(context) || is_remote(context) || context.starts_with('~') {
                continue;
            }
            let context_span = context_node.map_or(service.name_span(), |node| node.site());
            if let Some(root) = cx.outside_root(build.span, context) {
                out.push(outside_the_project(
                    context_span,
                    &format!("the build context `{context}`"),
                    name,
                    root,
                ));
                continue;
            }
            let context_exists = cx.path_exists(build.span, context);
            if context_exists == Some(false) {
                out.push(
                    Diagnostic::new(
                        &META,
                        context_span,
                        format!(
                            "the build context `{context}` of service `{name}` does not exist (relative to the compose file); `docker compose build` fails"
                        ),
                    )
                    .with_label("no such directory")
                    .with_help(format!("build:\n  context: ./{name}  # the directory with the service's Dockerfile")),
                );
                continue;
            }
            if context_exists != Some(true) || build.get("dockerfile_inline").is_some() {
                continue;
            }
            let dockerfile_node = build.get("dockerfile");
            let dockerfile = match dockerfile_node {
                Some(node) => match node.as_str() {
                    Some(text) if !written_with_variable(node) && !has_variable(text) && !text.trim().is_empty() => {
                        text
                    }
                    _ => continue,
                },
                None => "Dockerfile",
            };
            let joined = Path::new(context).join(dockerfile);
            let Some(joined) = joined.to_str() else { continue };
            let dockerfile_span = dockerfile_node
                .or(context_node)
                .map_or(service.name_span(), |node| node.site());
            if let Some(root) = cx.outside_root(build.span, joined) {
                out.push(outside_the_project(
                    dockerfile_span,
                    &format!("the Dockerfile `{dockerfile}`"),
                    name,
                    root,
                ));
                continue;
            }
            if cx.path_exists(build.span, joined) != Some(false) {
                continue;
            }
            // Without a `dockerfile:`, the builder also takes a lowercase `dockerfile`.
            if dockerfile_node.is_none()
                && Path::new(context)
                    .join("dockerfile")
                    .to_str()
                    .and_then(|lower| cx.path_exists(build.span, lower))
                    == Some(true)
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    dockerfile_span,
                    format!(
                        "the Dockerfile `{dockerfile}` of service `{name}` does not exist in its build context `{context}`; `docker compose build` fails"
                    ),
                )
                .with_label("no such Dockerfile")
                .with_help(format!("build:\n  context: {context}\n  dockerfile: Dockerfile  # a file in the context")),
            );
        }
    }
}
