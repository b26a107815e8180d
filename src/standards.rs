//! The VWE standards as typed data: defaults from `rules/standards.toml`,
//! overridden by the `[standards]` table of `.vwe-lint.toml`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::image_ref::ImageRef;

mod validate;
pub use validate::{Invalid, validate};

/// The text of the default standards, embedded in the binary.
pub const DEFAULT_STANDARDS: &str = include_str!("../rules/standards.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standards {
    pub images: Images,
    pub lifecycles: Lifecycles,
    pub restart: RestartPolicies,
    pub ports: BTreeMap<String, Vec<String>>,
    pub volumes: Volumes,
    pub healthcheck: Healthcheck,
    pub resources: BTreeMap<String, Resources>,
    pub logging: Logging,
    pub networks: Networks,
    pub secrets: Secrets,
    pub production: Production,
    pub docker_socket: DockerSocket,
    /// X101: which of `curl` and `wget` well-known base images ship, by
    /// `repository:tag` pattern (`*` is any text).
    pub tools: BTreeMap<String, Vec<Tool>>,
    pub host_access: HostAccess,
    pub sensitive_files: SensitiveFiles,
}

/// A tool a healthcheck may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    Curl,
    Wget,
}

impl Tool {
    pub const ALL: [Tool; 2] = [Tool::Curl, Tool::Wget];

    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    pub approved: Vec<String>,
    pub namespace: String,
    pub puid_pgid: Vec<String>,
    /// Base images (`repository:tag` patterns) that EXPOSE no port of their own (X102).
    pub expose_none: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycles {
    pub default: Lifecycle,
    pub infrastructure: Vec<String>,
    pub service: Vec<String>,
    pub job: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartPolicies {
    pub infrastructure: String,
    pub service: String,
    pub job: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volumes {
    pub data: String,
    pub config: String,
    pub plugins: String,
    pub worlds: String,
    /// Directory names that make a container path a data or config path (C301).
    pub data_config_dirs: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    pub interval: String,
    pub timeout: String,
    pub retries: u32,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub memory_limit: Option<String>,
    pub memory_reservation: Option<String>,
    pub cpus_limit: Option<String>,
    pub cpus_reservation: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    pub driver: String,
    pub max_size: String,
    pub max_file: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Networks {
    pub internal: String,
    pub external: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    pub patterns: Vec<String>,
    pub password_flags: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Production {
    pub files: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerSocket {
    pub allowed: Vec<String>,
}

/// What a service may reach of its host (C406, C403).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostAccess {
    /// Host paths a bind mount must not reach, nor anything inside them.
    pub sensitive_paths: Vec<String>,
    /// Paths inside those a service may mount read-only.
    pub read_only_allowed: Vec<String>,
    /// Capabilities reported as errors, without the `CAP_` prefix.
    pub capabilities_error: Vec<String>,
    /// Capabilities reported as warnings.
    pub capabilities_warning: Vec<String>,
    /// `read_only_allowed` compiled, once per run by the rule that asks.
    #[serde(skip)]
    pub read_only_globs: OnceLock<globset::GlobSet>,
}

/// How dangerous adding a capability is (C403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapabilityRisk {
    /// As good as root on the host.
    NearRoot,
    /// Widens what a compromised service reaches.
    Widening,
}

impl HostAccess {
    /// The risk of `cap_add`ing `capability` (`CAP_` prefix and case ignored);
    /// `None` for a capability neither list names.
    pub fn capability_risk(&self, capability: &str) -> Option<CapabilityRisk> {
        let bare = |text: &str| {
            let upper = text.trim().to_ascii_uppercase();
            upper.strip_prefix("CAP_").map(str::to_string).unwrap_or(upper)
        };
        let wanted = bare(capability);
        let listed = |list: &[String]| list.iter().any(|item| bare(item) == wanted);
        if listed(&self.capabilities_error) {
            Some(CapabilityRisk::NearRoot)
        } else if listed(&self.capabilities_warning) {
            Some(CapabilityRisk::Widening)
        } else {
            None
        }
    }
}

/// Files that hold secrets and must not be copied into an image (D415).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveFiles {
    /// Globs on a source's file name.
    pub names: Vec<String>,
    /// Globs on names the list above matches that hold nothing secret.
    pub not_secret: Vec<String>,
    /// Both lists compiled, once per run by the rule that asks.
    #[serde(skip)]
    pub globs: OnceLock<(globset::GlobSet, globset::GlobSet)>,
}

/// The seed's three container patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    Infrastructure,
    Service,
    Job,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 3] = [Lifecycle::Infrastructure, Lifecycle::Service, Lifecycle::Job];

    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Infrastructure => "infrastructure",
            Lifecycle::Service => "service",
            Lifecycle::Job => "job",
        }
    }

    pub fn parse(text: &str) -> Option<Lifecycle> {
        Lifecycle::ALL.into_iter().find(|lifecycle| lifecycle.as_str() == text)
    }
}

impl Standards {
    /// The built-in defaults. The embedded file is checked by a test, so a
    /// failure here is a build defect, not a user error.
    pub fn builtin() -> Standards {
        toml::from_str(DEFAULT_STANDARDS).expect("rules/standards.toml matches the Standards type")
    }

    /// The lifecycle a service has by its name alone.
    pub fn lifecycle_by_name(&self, service: &str) -> Lifecycle {
        let listed = |names: &[String]| names.iter().any(|name| name == service);
        if listed(&self.lifecycles.infrastructure) {
            Lifecycle::Infrastructure
        } else if listed(&self.lifecycles.job) {
            Lifecycle::Job
        } else if listed(&self.lifecycles.service) {
            Lifecycle::Service
        } else {
            self.lifecycles.default
        }
    }

    /// The tools an image ships, from the most specific `[tools]` pattern
    /// that matches it (the one with the most literal characters); `None`
    /// when no pattern matches: the image is unknown.
    pub fn tools_of(&self, image: &ImageRef) -> Option<&[Tool]> {
        let name = pattern_subject(image);
        self.tools
            .iter()
            .filter(|(pattern, _)| pattern_matches(pattern, &name))
            .max_by_key(|(pattern, _)| {
                (
                    pattern.chars().filter(|c| *c != '*').count(),
                    std::cmp::Reverse(*pattern),
                )
            })
            .map(|(_, tools)| tools.as_slice())
    }

    /// Whether the image is known to EXPOSE no port of its own.
    pub fn exposes_nothing(&self, image: &ImageRef) -> bool {
        let name = pattern_subject(image);
        self.images
            .expose_none
            .iter()
            .any(|pattern| pattern_matches(pattern, &name))
    }

    pub fn restart_policy(&self, lifecycle: Lifecycle) -> &str {
        match lifecycle {
            Lifecycle::Infrastructure => &self.restart.infrastructure,
            Lifecycle::Service => &self.restart.service,
            Lifecycle::Job => &self.restart.job,
        }
    }
}

/// `repository:tag` (`latest` when untagged), lowercase, as patterns see an image.
fn pattern_subject(image: &ImageRef) -> String {
    format!(
        "{}:{}",
        image.repository,
        image.tag.as_deref().unwrap_or("latest").to_ascii_lowercase()
    )
}

/// A `*`-wildcard pattern against the whole text, case-insensitively.
fn pattern_matches(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_standards_load() {
        let standards = Standards::builtin();
        assert_eq!(standards.lifecycle_by_name("redis"), Lifecycle::Infrastructure);
        assert_eq!(standards.lifecycle_by_name("worldgen-runner"), Lifecycle::Job);
        assert_eq!(standards.lifecycle_by_name("postgres"), Lifecycle::Service);
        assert_eq!(standards.restart_policy(Lifecycle::Job), "no");
    }

    #[test]
    fn builtin_standards_are_valid() {
        let defaults = toml::de::DeTable::parse(DEFAULT_STANDARDS).unwrap();
        assert_eq!(validate(defaults.get_ref(), defaults.get_ref()), Ok(()));
    }

    #[test]
    fn host_access_and_sensitive_file_values_are_validated() {
        let defaults = toml::de::DeTable::parse(DEFAULT_STANDARDS).unwrap();
        let invalid = |text: &str| {
            let user = toml::de::DeTable::parse(text).unwrap();
            validate(user.get_ref(), defaults.get_ref()).unwrap_err().1
        };
        assert!(invalid("[host_access]\nsensitive_paths = [\"etc\"]").contains("not a host path"));
        assert!(invalid("[host_access]\nread_only_allowed = [\"/etc/{a\"]").contains("not a host path pattern"));
        assert!(invalid("[host_access]\ncapabilities_warning = [\"NET ADMIN\"]").contains("not a capability"));
        assert!(invalid("[sensitive_files]\nnames = [\"*.{pem\"]").contains("not a file name pattern"));
        assert!(invalid("[sensitive_files]\nnot_secret = [\"certs/*.pem\"]").contains("not a file name pattern"));
    }

    #[test]
    fn capabilities_are_graded_by_the_standards() {
        let host = Standards::builtin().host_access;
        assert_eq!(host.capability_risk("cap_sys_admin"), Some(CapabilityRisk::NearRoot));
        assert_eq!(host.capability_risk(" ALL "), Some(CapabilityRisk::NearRoot));
        assert_eq!(host.capability_risk("NET_ADMIN"), Some(CapabilityRisk::Widening));
        assert_eq!(host.capability_risk("NET_BIND_SERVICE"), None);
    }

    #[test]
    fn tool_patterns() {
        let standards = Standards::builtin();
        let tools = |text: &str| {
            standards
                .tools_of(&ImageRef::parse(text).unwrap())
                .map(<[Tool]>::to_vec)
        };
        assert_eq!(tools("python:3.11-slim"), Some(vec![]));
        assert_eq!(tools("docker.io/library/python:3.12-slim-bookworm"), Some(vec![]));
        assert_eq!(tools("node:18-alpine"), Some(vec![Tool::Wget]));
        assert_eq!(tools("alpine"), Some(vec![Tool::Wget]));
        assert_eq!(tools("redis:7-alpine"), Some(vec![Tool::Wget]));
        assert_eq!(tools("nginx:alpine"), None);
        assert_eq!(tools("grafana/grafana:10.0.0"), None);
        assert!(pattern_matches("a*b*c", "axxbyyc"));
        assert!(!pattern_matches("a*bc", "abcx"));
        assert!(!pattern_matches("ab*ba", "aba"));
        assert!(standards.exposes_nothing(&ImageRef::parse("python:3.12").unwrap()));
        assert!(!standards.exposes_nothing(&ImageRef::parse("nginx:1.27").unwrap()));
    }
}
