//! X rules: a compose service read together with the Dockerfile it builds
//! (`cx.built`). What they share: the stage chain the service's image is made
//! of, its base image with compose `build.args` applied, and how to name a
//! Dockerfile line in a message (a label cannot point into another file).

pub mod build_arg_undeclared;
pub mod build_target_missing;
pub mod healthcheck_tool_missing;
pub mod port_not_exposed;
pub mod user_conflict;

use crate::compose::Service;
use crate::compose::build::BuiltDockerfile;
use crate::compose::service_facts::{self, EnvVar};
use crate::dockerfile::parse::{self, Keyword, Stage};
use crate::dockerfile::{BaseImage, base_image};
use crate::image::ImageRef;
use crate::rules::ComposeContext;
use crate::source::Span;

/// The Dockerfile path as the compose file writes it (`./backend/Dockerfile`).
pub fn written_path(built: &BuiltDockerfile) -> String {
    if std::path::Path::new(&built.spec.dockerfile).is_absolute() {
        return built.spec.dockerfile.clone();
    }
    let context = built.spec.context.trim_end_matches('/');
    let context = if context.is_empty() { "." } else { context };
    format!("{context}/{}", built.spec.dockerfile)
}

/// `path:line` of a span in the built Dockerfile.
pub fn location(built: &BuiltDockerfile, span: Span) -> String {
    let line = built.text[..span.start.min(built.text.len())].matches('\n').count() + 1;
    format!("{}:{line}", written_path(built))
}

/// The stages of the built image, from the root (the stage whose FROM is an
/// image) to the built stage; `None` when the target names no stage.
pub fn chain(built: &BuiltDockerfile) -> Option<Vec<&Stage>> {
    let mut stages = service_facts::built_stages(built)?;
    stages.reverse();
    Some(stages)
}

/// The service's `build.args`, both forms; empty for `build: ./dir`.
pub fn build_args<'a>(cx: &ComposeContext, service: &Service<'a>) -> Vec<EnvVar<'a>> {
    service
        .get("build")
        .and_then(|build| build.get("args"))
        .map(|args| service_facts::environment(|span| cx.text(span), args))
        .unwrap_or_default()
}

/// What the built image starts from.
pub enum Root {
    Image(ImageRef),
    Scratch,
    /// A variable without a value, a build arg taken from the shell, or a
    /// FROM that picks a stage per platform.
    Unknown,
}

/// The base image of the chain's first stage, with compose `build.args`
/// overriding the global ARG defaults the FROM uses (as `docker compose
/// build` does).
pub fn root_image(cx: &ComposeContext, service: &Service, built: &BuiltDockerfile, root: &Stage) -> Root {
    let dockerfile = &built.dockerfile;
    let args = build_args(cx, service);
    let overridden = args.iter().any(|arg| dockerfile.global_value(arg.name).is_some());
    if !overridden || !root.image.text.contains('$') {
        return match base_image(dockerfile, root) {
            BaseImage::Image { image, .. } => Root::Image(image),
            BaseImage::Scratch => Root::Scratch,
            BaseImage::Stage | BaseImage::Unresolved { .. } => Root::Unknown,
        };
    }
    // `- NAME` without a value passes the deploying shell's variable: unknown.
    let lookup = |name: &str| match args.iter().find(|arg| arg.name == name) {
        Some(arg) => arg.value.map(str::to_string),
        None => dockerfile.global_value(name).flatten().map(str::to_string),
    };
    let resolved = parse::substitute_with_escape(&root.image.text, dockerfile.escape, lookup);
    if !resolved.missing.is_empty() {
        return Root::Unknown;
    }
    if resolved.text.eq_ignore_ascii_case("scratch") {
        return Root::Scratch;
    }
    let names_stage = dockerfile.names_stage_before(&resolved.text, root.index);
    match ImageRef::parse(&resolved.text) {
        Some(image) if !names_stage => Root::Image(image),
        _ => Root::Unknown,
    }
}

/// The last instruction of `keyword` in the chain (image config such as
/// USER is inherited from the parent stage), with its stage.
pub fn last_in_chain<'a>(
    built: &'a BuiltDockerfile,
    stages: &[&'a Stage],
    keyword: Keyword,
) -> Option<&'a parse::Instruction> {
    stages.iter().rev().find_map(|stage| {
        built.dockerfile.instructions[stage.instructions.clone()]
            .iter()
            .rev()
            .find(|instruction| instruction.keyword == keyword)
    })
}

/// `root`, `0`, `root:group`, `0:0`.
pub fn is_root_user(user: &str) -> bool {
    matches!(user.trim().split(':').next(), Some("root" | "0"))
}
