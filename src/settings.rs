//! `.vwe-lint.toml` discovery and loading, merged with command-line overrides
//! into the [`Settings`] a run uses.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{self, RuleMeta, Severity};
use crate::source::LineIndex;
use crate::standards::{DEFAULT_STANDARDS, Standards};

pub const CONFIG_FILE_NAME: &str = ".vwe-lint.toml";

/// A problem with the configuration: a tool error, reported with its place.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column in the config file, when known.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Rule selection and other choices made on the command line; they win over
/// the config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
}

/// Codes silenced for the files a glob matches.
#[derive(Debug)]
pub struct PerFileIgnore {
    matcher: GlobMatcher,
    /// Match the file name only (a glob without `/`), as ruff does.
    name_only: bool,
    codes: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Settings {
    pub standards: Standards,
    enabled: Vec<&'static str>,
    severities: HashMap<&'static str, Severity>,
    per_file_ignores: Vec<PerFileIgnore>,
    /// The directory `per-file-ignores` globs are relative to.
    root: PathBuf,
    pub fail_on: Severity,
    /// The config file in use, if any.
    pub config_path: Option<PathBuf>,
    pub compose: ComposeSettings,
    /// The variables compose files are interpolated with. Empty until the
    /// runner loads them (`crate::app`), so that tests see no process environment.
    pub environment: crate::compose::interpolate::Environment,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    #[serde(default)]
    rules: RulesTable,
    standards: Standards,
    #[serde(default)]
    per_file_ignores: Vec<PerFileIgnoreTable>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    compose: ComposeTable,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "kebab-case")]
struct ComposeTable {
    #[serde(default)]
    projects: Vec<ProjectTable>,
    #[serde(default)]
    allow_outside: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectTable {
    files: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    production: bool,
}

/// The `[compose]` section: how compose files form projects.
#[derive(Debug, Clone, Default)]
pub struct ComposeSettings {
    /// Projects declared explicitly, instead of by file names.
    pub projects: Vec<DeclaredProject>,
    /// Directories outside a project's root whose files the project may
    /// read (`include`, `extends.file`, env files), canonical.
    pub allow_outside: Vec<PathBuf>,
}

/// A `[[compose.projects]]` entry: files merged in this order (as with
/// `docker compose -f a -f b`), as one variant.
#[derive(Debug, Clone)]
pub struct DeclaredProject {
    /// Relative to the config file's directory.
    pub files: Vec<PathBuf>,
    pub production: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesTable {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PerFileIgnoreTable {
    glob: Spanned<String>,
    codes: Vec<Spanned<String>>,
}

impl Settings {
    /// Loads the config (from `--config`, or the nearest `.vwe-lint.toml` from
    /// `cwd` upward) and applies the command-line overrides.
    pub fn load(cwd: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let path = match &overrides.config {
            Some(path) => Some(path.clone()),
            None => find_config(cwd),
        };
        let (file, text) = match &path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
                    path: path.clone(),
                    position: None,
                    message: format!("cannot read the config file: {error}"),
                })?;
                (
                    parse_config(&text).map_err(|(span, message)| locate(path, &text, span, message))?,
                    text,
                )
            }
            None => (parse_config("").expect("an empty config is valid"), String::new()),
        };
        let config_path = path.clone().unwrap_or_else(|| cwd.join(CONFIG_FILE_NAME));
        let error = |span: std::ops::Range<usize>, message: String| locate(&config_path, &text, Some(span), message);

        let enabled = enabled_rules(&file, overrides, &error)?;

        let mut severities = HashMap::new();
        for (selector, severity) in &file.rules.severity {
            let metas =
                resolve_spanned(selector, "[rules.severity]").map_err(|(span, message)| error(span, message))?;
            let severity: Severity = severity
                .get_ref()
                .parse()
                .map_err(|message| error(severity.span(), message))?;
            for meta in metas {
                severities.insert(meta.code, severity);
            }
        }

        let mut per_file_ignores = Vec::new();
        for entry in &file.per_file_ignores {
            let glob = Glob::new(entry.glob.get_ref())
                .map_err(|glob_error| error(entry.glob.span(), format!("invalid glob: {}", glob_error.kind())))?;
            let mut codes = Vec::new();
            for selector in &entry.codes {
                let metas = resolve_spanned(selector, "[[per-file-ignores]] codes")
                    .map_err(|(span, message)| error(span, message))?;
                codes.extend(metas.into_iter().map(|meta| meta.code));
            }
            per_file_ignores.push(PerFileIgnore {
                matcher: glob.compile_matcher(),
                name_only: !entry.glob.get_ref().contains('/'),
                codes,
            });
        }

        let fail_on = match (&overrides.fail_on, &file.fail_on) {
            (Some(severity), _) => *severity,
            (None, Some(text)) => text.get_ref().parse().map_err(|message| error(text.span(), message))?,
            (None, None) => Severity::Warning,
        };

        let root = config_path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.to_path_buf());
        let root = std::fs::canonicalize(&root).unwrap_or(root);

        let mut projects = Vec::new();
        for project in &file.compose.projects {
            if project.files.get_ref().is_empty() {
                return Err(error(
                    project.files.span(),
                    "a project needs at least one file".to_string(),
                ));
            }
            let mut files = Vec::new();
            for written in project.files.get_ref() {
                let path = root.join(written.get_ref());
                if !path.is_file() {
                    return Err(error(
                        written.span(),
                        format!(
                            "no compose file `{}` (paths are relative to the config file)",
                            written.get_ref()
                        ),
                    ));
                }
                files.push(path);
            }
            projects.push(DeclaredProject {
                files,
                production: project.production,
            });
        }
        let mut allow_outside = Vec::new();
        for written in &file.compose.allow_outside {
            match std::fs::canonicalize(root.join(written.get_ref())) {
                Ok(dir) if dir.is_dir() => allow_outside.push(dir),
                _ => {
                    return Err(error(
                        written.span(),
                        format!(
                            "no directory `{}` (paths are relative to the config file)",
                            written.get_ref()
                        ),
                    ));
                }
            }
        }
        Ok(Settings {
            standards: file.standards,
            enabled,
            severities,
            per_file_ignores,
            root,
            fail_on,
            config_path: path,
            compose: ComposeSettings {
                projects,
                allow_outside,
            },
            environment: Default::default(),
        })
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.binary_search(&code).is_ok()
    }

    pub fn severity(&self, meta: &RuleMeta, default: Severity) -> Severity {
        self.severities.get(meta.code).copied().unwrap_or(default)
    }

    /// The codes `[[per-file-ignores]]` silence for `path`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&'static str> {
        let relative = std::fs::canonicalize(path)
            .ok()
            .and_then(|full| full.strip_prefix(&self.root).ok().map(Path::to_path_buf));
        let name = path.file_name().map(Path::new);
        self.per_file_ignores
            .iter()
            .filter(|ignore| {
                if ignore.name_only {
                    name.is_some_and(|name| ignore.matcher.is_match(name))
                } else {
                    ignore.matcher.is_match(path)
                        || relative
                            .as_deref()
                            .is_some_and(|relative| ignore.matcher.is_match(relative))
                }
            })
            .flat_map(|ignore| ignore.codes.iter().copied())
            .collect()
    }
}

fn find_config(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(CONFIG_FILE_NAME))
        .find(|candidate| candidate.is_file())
}

fn locate(path: &Path, text: &str, span: Option<std::ops::Range<usize>>, message: String) -> ConfigError {
    let position = span.map(|span| {
        let at = LineIndex::new(text).line_col(text, span.start);
        (at.line, at.column)
    });
    ConfigError {
        path: path.to_path_buf(),
        position,
        message,
    }
}

/// Parses the config text with the built-in standards merged under the
/// user's `[standards]`, so that errors still point into the user's text.
fn parse_config(text: &str) -> Result<ConfigFile, (Option<std::ops::Range<usize>>, String)> {
    let mut document = DeTable::parse(text).map_err(|error| (error.span(), error.message().to_string()))?;
    let defaults = DeTable::parse(DEFAULT_STANDARDS)
        .expect("rules/standards.toml is valid TOML")
        .into_inner();
    let table = document.get_mut();
    match table.get_mut("standards") {
        Some(user) => match user.get_mut() {
            DeValue::Table(user) => {
                crate::standards::validate(user, &defaults).map_err(|(span, message)| (Some(span), message))?;
                merge_defaults(user, defaults)
            }
            _ => return Err((Some(user.span()), "`standards` must be a table".to_string())),
        },
        None => {
            table.insert(
                Spanned::new(0..0, "standards".into()),
                Spanned::new(0..0, DeValue::Table(defaults)),
            );
        }
    }
    ConfigFile::deserialize(toml::de::Deserializer::from(document))
        .map_err(|error| (error.span(), error.message().to_string()))
}

/// The codes of the rules that run: the selection (command line, else the
/// config, else all) less the ignored ones, sorted.
fn enabled_rules(
    file: &ConfigFile,
    overrides: &Overrides,
    error: &impl Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<Vec<&'static str>, ConfigError> {
    let mut enabled: Vec<&'static str> = Vec::new();
    match &overrides.select {
        Some(selectors) => {
            for selector in selectors {
                enabled.extend(resolve_cli(selector)?.into_iter().map(|meta| meta.code));
            }
        }
        None => match &file.rules.select {
            Some(selectors) => {
                for selector in selectors {
                    let metas =
                        resolve_spanned(selector, "[rules] select").map_err(|(span, message)| error(span, message))?;
                    enabled.extend(metas.into_iter().map(|meta| meta.code));
                }
            }
            None => enabled.extend(diagnostic::all_metas().map(|meta| meta.code)),
        },
    }
    for selector in &file.rules.ignore {
        let metas = resolve_spanned(selector, "[rules] ignore").map_err(|(span, message)| error(span, message))?;
        enabled.retain(|code| metas.iter().all(|meta| meta.code != *code));
    }
    for selector in &overrides.ignore {
        let metas = resolve_cli(selector)?;
        enabled.retain(|code| metas.iter().all(|meta| meta.code != *code));
    }
    enabled.sort_unstable();
    enabled.dedup();
    Ok(enabled)
}

/// Fills every key the user left out with the default; tables merge deeply,
/// any other value the user gave replaces the default.
fn merge_defaults<'i>(user: &mut DeTable<'i>, defaults: DeTable<'i>) {
    for (key, default) in defaults {
        match user.get_mut(key.get_ref().as_ref()) {
            None => {
                user.insert(key, default);
            }
            Some(existing) => {
                if let (DeValue::Table(user_table), DeValue::Table(default_table)) =
                    (existing.get_mut(), default.into_inner())
                {
                    merge_defaults(user_table, default_table);
                }
            }
        }
    }
}

fn resolve_spanned(
    selector: &Spanned<String>,
    place: &str,
) -> Result<Vec<&'static RuleMeta>, (std::ops::Range<usize>, String)> {
    diagnostic::resolve_selector(selector.get_ref()).ok_or_else(|| {
        (
            selector.span(),
            format!(
                "unknown rule `{}` in {place}; `vwe-lint rules` lists them",
                selector.get_ref()
            ),
        )
    })
}

fn resolve_cli(selector: &str) -> Result<Vec<&'static RuleMeta>, ConfigError> {
    diagnostic::resolve_selector(selector.trim()).ok_or_else(|| ConfigError {
        path: PathBuf::from("command line"),
        position: None,
        message: format!("unknown rule `{selector}`; `vwe-lint rules` lists them"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `config` as `.vwe-lint.toml`; the error's line, column and message.
    fn load_error(config: &str) -> ((usize, usize), String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE_NAME), config).unwrap();
        let error = Settings::load(dir.path(), &Overrides::default()).unwrap_err();
        (error.position.expect("the error points into the config"), error.message)
    }

    #[test]
    fn every_kind_of_standards_value_is_validated_where_it_is_written() {
        let cases = [
            (
                "[standards.restart]\nservice = \"sometimes\"\n",
                (2, 11),
                "restart policy",
            ),
            (
                "[standards.restart]\njob = \"on-failure:x\"\n",
                (2, 7),
                "restart policy",
            ),
            (
                "[standards.healthcheck]\ninterval = \"30 seconds\"\n",
                (2, 12),
                "duration",
            ),
            ("[standards.healthcheck]\ntimeout = \"0s\"\n", (2, 11), "duration"),
            ("[standards.resources.api]\nmemory_limit = \"lots\"\n", (2, 16), "size"),
            ("[standards.resources.api]\ncpus_limit = \"-1\"\n", (2, 14), "CPUs"),
            ("[standards.logging]\nmax_size = \"10q\"\n", (2, 12), "size"),
            ("[standards.logging]\nmax_file = \"0\"\n", (2, 12), "count"),
            (
                "[standards.ports]\nbackend = [\"8000\", \"70000\"]\n",
                (2, 20),
                "container port",
            ),
            (
                "[standards.ports]\nbackend = [\"8000/ipx\"]\n",
                (2, 12),
                "container port",
            ),
            (
                "[standards.images]\napproved = [\"Python:3.12\"]\n",
                (2, 13),
                "image reference",
            ),
            (
                "[standards.images]\napproved = [\"python:3.12 slim\"]\n",
                (2, 13),
                "image reference",
            ),
            ("[standards.images]\nnamespace = \"VWE/\"\n", (2, 13), "namespace"),
            ("[standards.lifecycles]\njob = [\"a b\"]\n", (2, 8), "name"),
            ("[standards.volumes]\ndata = \"app/data\"\n", (2, 8), "container path"),
            ("[standards.networks]\ninternal = \"\"\n", (2, 12), "name"),
        ];
        for (config, position, expected) in cases {
            let (at, message) = load_error(config);
            assert_eq!(at, position, "{config}: {message}");
            assert!(message.contains(expected), "{config}: {message}");
        }
    }

    #[test]
    fn a_service_in_two_lifecycles_is_an_error() {
        let (at, message) = load_error("[standards.lifecycles]\nservice = [\"api\"]\njob = [\"api\"]\n");
        assert_eq!(at, (3, 8), "{message}");
        assert!(message.contains("`api` is in two lifecycles"), "{message}");
        // `redis` stays infrastructure by default unless that list is set too.
        let (at, message) = load_error("[standards.lifecycles]\njob = [\"redis\"]\n");
        assert_eq!(at, (2, 8), "{message}");
        assert!(
            message.contains("set `[standards.lifecycles] infrastructure` too"),
            "{message}"
        );
    }

    #[test]
    fn valid_standards_values_load() {
        let dir = tempfile::tempdir().unwrap();
        let config = "[standards.restart]\njob = \"on-failure:3\"\n\
                      [standards.healthcheck]\ninterval = \"1m30s\"\ntimeout = \"500ms\"\n\
                      [standards.resources.api]\nmemory_limit = \"1g\"\ncpus_limit = \"0.5\"\n\
                      [standards.ports]\napi = [\"8080\", \"53/udp\"]\n\
                      [standards.images]\napproved = [\"localhost:5000/team/app:1.0\", \"redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]\n\
                      [standards.lifecycles]\ninfrastructure = []\njob = [\"redis\"]\n";
        std::fs::write(dir.path().join(CONFIG_FILE_NAME), config).unwrap();
        let settings = Settings::load(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(settings.standards.restart.job, "on-failure:3");
    }
}
