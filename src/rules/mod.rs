//! The rule trait, the registry of every implemented rule, and rule lookup
//! by code, kebab name or code prefix.

use crate::compose::ComposeFile;
use crate::compose::model::ProjectFile;
use crate::compose::yaml::YamlOutput;
use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::parse::Dockerfile;
use crate::source::{SourceFile, Span};
use crate::standards::Standards;

pub mod compose;
pub mod cross;
pub mod dockerfile;
pub mod live;
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

/// What a compose rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Each file as written, alone (syntax, schema, interpolation).
    File,
    /// The merged model of each variant of the project.
    Project,
}

/// A compose file, or the merged model of a project's variant, as the rules see it.
pub struct ComposeContext<'a> {
    /// The file a file-scope rule checks; for the project scope, the
    /// variant's last file (the one it is named after).
    pub source: &'a SourceFile,
    pub yaml: &'a YamlOutput,
    /// File scope: the file's first document, when it is a mapping. Project
    /// scope: the merged model, whose spans point into `files`.
    pub file: Option<ComposeFile<'a>>,
    /// The project's files, by [`crate::source::FileId`].
    pub files: &'a [ProjectFile],
    /// The variant is a production deployment.
    pub production: bool,
    /// The Dockerfiles the services build (by service name), read by the runner.
    pub built: &'a std::collections::HashMap<String, crate::compose::build::BuiltDockerfile>,
    pub standards: &'a Standards,
    /// What interpolating found; the trees already hold the interpolated
    /// values (each scalar's `raw` keeps what was written).
    pub interpolation: &'a crate::compose::interpolate::Interpolation,
    /// References the model could not resolve (project scope).
    pub problems: &'a [crate::compose::model::ModelProblem],
    /// The merged models of the project's other variants (project scope):
    /// whether something is used at all is a question about every variant.
    pub variant_roots: &'a [&'a crate::compose::yaml::Node],
}

impl<'a> ComposeContext<'a> {
    fn project_file(&self, span: Span) -> Option<&'a ProjectFile> {
        self.files.get(span.file as usize)
    }

    /// The whole text of the file `span` lies in.
    pub fn text(&self, span: Span) -> &'a str {
        self.project_file(span)
            .map_or(&self.source.text, |file| &file.source.text)
    }

    /// The file `span` lies in.
    pub fn source_of(&self, span: Span) -> &'a SourceFile {
        self.project_file(span).map_or(self.source, |file| &file.source)
    }

    /// The directory relative paths written at `span` are resolved from;
    /// `None` for standard input without a name on disk.
    pub fn dir_of(&self, span: Span) -> Option<&'a std::path::Path> {
        self.project_file(span)?.dir()
    }

    /// Whether a path written at `span` exists; `None` when its file has no
    /// directory on disk.
    pub fn path_exists(&self, span: Span, written: &str) -> Option<bool> {
        Some(self.dir_of(span)?.join(written).exists())
    }

    /// Whether a value depends on a variable that is unset (or is a malformed
    /// expression): its interpolated text is not what will be deployed, and
    /// S004 reports it, so other rules should not judge it.
    pub fn is_unresolved(&self, node: &crate::compose::yaml::Node) -> bool {
        self.interpolation.unresolved.contains(&node.span)
    }

    /// A service's lifecycle. `None` for a label value that is no lifecycle
    /// (C503 reports it).
    pub fn lifecycle(&self, service: &crate::compose::Service<'a>) -> Option<crate::standards::Lifecycle> {
        service.lifecycle(self.standards).lifecycle()
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

    /// Whether the compose check reads each file alone or the merged project.
    fn scope(&self) -> Scope {
        Scope::Project
    }

    fn check_compose(&self, _cx: &ComposeContext, _out: &mut Vec<Diagnostic>) {}

    /// A file-scope rule's check of each variant's merged model, for what
    /// Compose validates on the project rather than on each file.
    fn check_merged(&self, _cx: &ComposeContext, _out: &mut Vec<Diagnostic>) {}

    fn check_dockerfile(&self, _cx: &DockerfileContext, _out: &mut Vec<Diagnostic>) {}

    /// The E rules: the compose file against a snapshot of the engine (`vwe-lint env`).
    fn check_live(&self, _cx: &live::LiveContext, _out: &mut Vec<Diagnostic>) {}
}

/// Every implemented rule, in catalog order.
pub static RULES: &[&dyn Rule] = &[
    &syntax::yaml_syntax::YamlSyntax,
    &syntax::duplicate_key::DuplicateKey,
    &compose::schema::Schema,
    &compose::interpolation::Interpolation,
    &syntax::dockerfile_syntax::DockerfileSyntax,
    &compose::undefined_reference::UndefinedReference,
    &compose::obsolete_version::ObsoleteVersion,
    &syntax::unused_suppression::UnusedSuppression,
    &compose::image_not_approved::ImageNotApproved,
    &compose::image_tag::ImageTag,
    &compose::build_image_name::BuildImageName,
    &compose::port_not_standard::PortNotStandard,
    &compose::port_conflict::PortConflict,
    &compose::infrastructure_port_published::InfrastructurePortPublished,
    &compose::port_unquoted::PortUnquoted,
    &compose::port_all_interfaces::PortAllInterfaces,
    &compose::network_not_internal::NetworkNotInternal,
    &compose::host_namespace::HostNamespace,
    &compose::volume_path_not_standard::VolumePathNotStandard,
    &compose::unused_volume::UnusedVolume,
    &compose::infrastructure_without_volume::InfrastructureWithoutVolume,
    &compose::bind_mount_in_production::BindMountInProduction,
    &compose::docker_socket_mount::DockerSocketMount,
    &compose::root_user::RootUser,
    &compose::plaintext_secret::PlaintextSecret,
    &compose::privileged::Privileged,
    &compose::secret_file_missing::SecretFileMissing,
    &compose::healthcheck_missing::HealthcheckMissing,
    &compose::healthcheck_timing::HealthcheckTiming,
    &compose::restart_policy::RestartPolicy,
    &compose::resource_limits_missing::ResourceLimitsMissing,
    &compose::reservation_exceeds_limit::ReservationExceedsLimit,
    &compose::depends_on_unhealthy::DependsOnUnhealthy,
    &compose::container_name_fixed::ContainerNameFixed,
    &compose::logging_missing::LoggingMissing,
    &compose::logging_unbounded::LoggingUnbounded,
    &compose::job_without_profile::JobWithoutProfile,
    &compose::env_file_missing::EnvFileMissing,
    &compose::build_context_missing::BuildContextMissing,
    &dockerfile::base_image_not_approved::BaseImageNotApproved,
    &dockerfile::base_image_tag::BaseImageTag,
    &dockerfile::root_user::RootUser,
    &dockerfile::sudo::Sudo,
    &dockerfile::healthcheck_missing::HealthcheckMissing,
    &dockerfile::multiple_healthchecks::MultipleHealthchecks,
    &dockerfile::apt_no_install_recommends::AptNoInstallRecommends,
    &dockerfile::apt_lists_not_removed::AptListsNotRemoved,
    &dockerfile::apt_assume_yes::AptAssumeYes,
    &dockerfile::apt_not_apt_get::AptNotAptGet,
    &dockerfile::pip_no_cache_dir::PipNoCacheDir,
    &dockerfile::apk_no_cache::ApkNoCache,
    &dockerfile::cd_in_run::CdInRun,
    &dockerfile::workdir_relative::WorkdirRelative,
    &dockerfile::add_instead_of_copy::AddInsteadOfCopy,
    &dockerfile::shell_form_cmd::ShellFormCmd,
    &dockerfile::maintainer_deprecated::MaintainerDeprecated,
    &dockerfile::multiple_cmd::MultipleCmd,
    &dockerfile::copy_from_unknown_stage::CopyFromUnknownStage,
    &dockerfile::duplicate_stage_name::DuplicateStageName,
    &dockerfile::expose_invalid::ExposeInvalid,
    &dockerfile::secret_in_arg_env::SecretInArgEnv,
    &dockerfile::pipefail::Pipefail,
    &dockerfile::curl_pipe_shell::CurlPipeShell,
    &dockerfile::legacy_env_format::LegacyEnvFormat,
    &cross::healthcheck_tool_missing::HealthcheckToolMissing,
    &cross::port_not_exposed::PortNotExposed,
    &cross::build_target_missing::BuildTargetMissing,
    &cross::build_arg_undeclared::BuildArgUndeclared,
    &cross::user_conflict::UserConflict,
    &live::engine_unreachable::EngineUnreachable,
    &live::engine_too_old::EngineTooOld,
    &live::image_not_present::ImageNotPresent,
    &live::external_volume_missing::ExternalVolumeMissing,
    &live::external_network_missing::ExternalNetworkMissing,
    &live::host_port_taken::HostPortTaken,
    &live::container_name_taken::ContainerNameTaken,
    &live::leaked_job_container::LeakedJobContainer,
    &live::unhealthy_container::UnhealthyContainer,
    &live::drift::Drift,
];

pub fn all_metas() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|rule| rule.meta())
}

/// The rule with this exact code or kebab name (case-insensitive code).
pub fn find(selector: &str) -> Option<&'static RuleMeta> {
    all_metas().find(|meta| meta.code.eq_ignore_ascii_case(selector) || meta.name == selector)
}

/// Every rule with this code or kebab name. The catalog gives a compose rule
/// and its Dockerfile twin the same name (`root-user` is C401 and D201), so a
/// name can stand for both.
pub fn find_all(selector: &str) -> Vec<&'static RuleMeta> {
    all_metas()
        .filter(|meta| meta.code.eq_ignore_ascii_case(selector) || meta.name == selector)
        .collect()
}

/// The rules a selector names: `ALL`, a code, a name, or a code prefix
/// (`C5`, `D`). `None` when it names no rule at all.
pub fn resolve_selector(selector: &str) -> Option<Vec<&'static RuleMeta>> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(all_metas().collect());
    }
    let named = find_all(selector);
    if !named.is_empty() {
        return Some(named);
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
            for other in &metas[index + 1..] {
                assert_ne!(other.code, meta.code);
                // A name is shared only by a compose rule and its Dockerfile twin.
                if other.name == meta.name {
                    let kinds = (meta.code.as_bytes()[0], other.code.as_bytes()[0]);
                    assert!(
                        matches!(kinds, (b'C', b'D') | (b'D', b'C')),
                        "{} and {} share a name",
                        meta.code,
                        other.code
                    );
                }
            }
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
        assert!(resolve_selector("Z999").is_none());
    }
}
