//! The Dockerfiles compose services build, read so that rules can check a
//! service and its image together (X rules, and the Dockerfile side of C401
//! and C501). Reading happens here, in the runner; rules only see the result.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::dockerfile::parse::{self, Dockerfile};
use crate::source::Span;

use super::referenced::{self, Reach};
use super::{ComposeFile, Service};

/// A service's `build:` as written: context and Dockerfile path, relative to
/// the compose file's directory, and the target stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSpec {
    pub context: String,
    pub dockerfile: String,
    pub target: Option<String>,
}

impl BuildSpec {
    /// `build: ./dir` or `build: {context, dockerfile, target}`; `None` for a
    /// `dockerfile_inline`, or a value that is no build spec.
    pub fn of(service: &Service) -> Option<BuildSpec> {
        let build = service.get("build")?;
        if let Some(context) = build.as_str() {
            return Some(BuildSpec {
                context: context.to_string(),
                dockerfile: "Dockerfile".to_string(),
                target: None,
            });
        }
        build.as_mapping()?;
        if build.get("dockerfile_inline").is_some() {
            return None;
        }
        let text = |key: &str| build.get(key).and_then(|node| node.as_str()).map(str::to_string);
        Some(BuildSpec {
            context: text("context").unwrap_or_else(|| ".".to_string()),
            dockerfile: text("dockerfile").unwrap_or_else(|| "Dockerfile".to_string()),
            target: text("target"),
        })
    }

    /// A git or http context, which lives elsewhere.
    pub fn is_remote(&self) -> bool {
        let context = self.context.as_str();
        context.contains("://") || context.starts_with("git@") || context.starts_with("github.com/")
    }

    /// The Dockerfile's path on disk, from the compose file's directory.
    pub fn dockerfile_path(&self, project_dir: &Path) -> PathBuf {
        let context = project_dir.join(&self.context);
        if Path::new(&self.dockerfile).is_absolute() {
            PathBuf::from(&self.dockerfile)
        } else {
            context.join(&self.dockerfile)
        }
    }
}

/// A Dockerfile a service builds, parsed.
#[derive(Debug)]
pub struct BuiltDockerfile {
    pub path: PathBuf,
    pub text: String,
    pub dockerfile: Dockerfile,
    pub spec: BuildSpec,
}

/// Reads and parses the Dockerfile of every local build in `file`, by service
/// name. Missing files are left out (C703 reports them), and so are those
/// `reach` does not admit or that are no regular file within the cap: the
/// cross rules do not judge them. Variables in the paths are not guessed at.
/// `dir_of` gives the directory a path written at a span is relative to (the
/// directory of the file that wrote it).
pub fn load_built<'a>(
    file: &ComposeFile,
    reach: &Reach,
    dir_of: impl Fn(Span) -> Option<&'a Path>,
) -> HashMap<String, BuiltDockerfile> {
    let mut built = HashMap::new();
    for service in file.services() {
        let Some(spec) = BuildSpec::of(&service) else { continue };
        if spec.is_remote() || spec.context.contains('$') || spec.dockerfile.contains('$') {
            continue;
        }
        let Some(dir) = service.get("build").and_then(|build| dir_of(build.span)) else {
            continue;
        };
        let path = spec.dockerfile_path(dir);
        let Ok(text) = referenced::read(reach, &path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()) else {
            continue;
        };
        let dockerfile = parse::parse(&text);
        built.insert(
            service.name.to_string(),
            BuiltDockerfile {
                path,
                text,
                dockerfile,
                spec,
            },
        );
    }
    built
}
