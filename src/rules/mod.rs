//! The rule trait, the registry of every implemented rule, and rule lookup
//! by code, kebab name or code prefix.

use crate::compose::ComposeFile;
use crate::compose::yaml::YamlOutput;
use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::parse::Dockerfile;
use crate::source::SourceFile;
use crate::standards::Standards;

pub mod compose;
pub mod dockerfile;
pub mod syntax;

/// What `--fix` can do for a rule's findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "—",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
        }
    }
}

/// The public identity of a rule: code and name never change once shipped.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixKind,
    pub summary: &'static str,
    /// The rule's `rules/<CODE>.md`, embedded.
    pub doc: &'static str,
}

/// A parsed compose file as the rules see it.
pub struct ComposeContext<'a> {
    pub source: &'a SourceFile,
    pub yaml: &'a YamlOutput,
    /// The first document, when it is a mapping (the compose file proper).
    pub file: Option<ComposeFile<'a>>,
    /// For an overlay, the base file it is applied over: a service the
    /// overlay only amends inherits what the base sets.
    pub base: Option<ComposeFile<'a>>,
    /// The directory relative paths in the file are resolved from; `None`
    /// for standard input without a name on disk.
    pub project_dir: Option<&'a std::path::Path>,
    /// The Dockerfiles the services build (by service name), read by the runner.
    pub built: &'a std::collections::HashMap<String, crate::compose::build::BuiltDockerfile>,
    pub standards: &'a Standards,
}

impl<'a> ComposeContext<'a> {
    /// Whether a path written in the file (relative to the compose file's
    /// directory) exists; `None` when the file has no directory on disk.
    pub fn path_exists(&self, written: &str) -> Option<bool> {
        Some(self.project_dir?.join(written).exists())
    }

    /// The same service in the base file, when this file is an overlay.
    pub fn base_service(&self, name: &str) -> Option<crate::compose::Service<'a>> {
        self.base?.services().find(|service| service.name == name)
    }
}

/// A parsed Dockerfile as the rules see it.
pub struct DockerfileContext<'a> {
    pub source: &'a SourceFile,
    pub dockerfile: &'a Dockerfile,
    pub standards: &'a Standards,
}

/// A check: pure, it reads a context and appends diagnostics.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check_compose(&self, _cx: &ComposeContext, _out: &mut Vec<Diagnostic>) {}

    fn check_dockerfile(&self, _cx: &DockerfileContext, _out: &mut Vec<Diagnostic>) {}
}

/// Every implemented rule, in catalog order.
pub static RULES: &[&dyn Rule] = &[
    &syntax::yaml_syntax::YamlSyntax,
    &syntax::duplicate_key::DuplicateKey,
    &syntax::dockerfile_syntax::DockerfileSyntax,
    &compose::obsolete_version::ObsoleteVersion,
    &syntax::unused_suppression::UnusedSuppression,
    &compose::image_not_approved::ImageNotApproved,
    &compose::image_tag::ImageTag,
    &compose::restart_policy::RestartPolicy,
    &dockerfile::base_image_not_approved::BaseImageNotApproved,
    &dockerfile::base_image_tag::BaseImageTag,
    &dockerfile::root_user::RootUser,
];

pub fn all_metas() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|rule| rule.meta())
}

/// The rule with this exact code or kebab name (case-insensitive code).
pub fn find(selector: &str) -> Option<&'static RuleMeta> {
    all_metas().find(|meta| meta.code.eq_ignore_ascii_case(selector) || meta.name == selector)
}

/// The rules a selector names: `ALL`, a code, a name, or a code prefix
/// (`C5`, `D`). `None` when it names no rule at all.
pub fn resolve_selector(selector: &str) -> Option<Vec<&'static RuleMeta>> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(all_metas().collect());
    }
    if let Some(meta) = find(selector) {
        return Some(vec![meta]);
    }
    let prefix = selector.to_ascii_uppercase();
    let matched: Vec<_> = all_metas().filter(|meta| meta.code.starts_with(&prefix)).collect();
    (!matched.is_empty() && prefix.len() < 4).then_some(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let metas: Vec<_> = all_metas().collect();
        for (index, meta) in metas.iter().enumerate() {
            assert!(
                metas[index + 1..]
                    .iter()
                    .all(|other| other.code != meta.code && other.name != meta.name)
            );
            assert!(
                meta.doc.starts_with(&format!("# {} {}", meta.code, meta.name)),
                "{} doc heading",
                meta.code
            );
        }
    }

    #[test]
    fn selectors() {
        assert_eq!(resolve_selector("restart-policy").unwrap()[0].code, "C503");
        assert_eq!(resolve_selector("c503").unwrap()[0].code, "C503");
        assert!(
            resolve_selector("D")
                .unwrap()
                .iter()
                .all(|meta| meta.code.starts_with('D'))
        );
        assert!(resolve_selector("Z9").is_none());
        assert!(resolve_selector("C999").is_none());
    }
}
