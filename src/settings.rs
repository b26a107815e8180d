//! `.vwe-lint.toml` discovery and loading, merged with command-line overrides
//! into the [`Settings`] a run uses.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{self, RuleMeta, Severity};
use crate::source::{LineIndex, parent_dir};
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
    /// `--preview`: run the rules in preview too.
    pub preview: bool,
    /// `--exclude`: replaces the configs' `exclude`.
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`: adds to it.
    pub extend_exclude: Vec<String>,
}

/// A glob a config file (or the command line) writes: one without `/`
/// matches a file or directory name, as ruff's do; any other one the path
/// relative to the directory of the config that wrote it, or as given.
#[derive(Debug)]
pub struct PathGlob {
    matcher: GlobMatcher,
    name_only: bool,
    /// Canonical.
    root: PathBuf,
}

impl PathGlob {
    fn new(glob: &str, root: &Path) -> Result<PathGlob, String> {
        let matcher = Glob::new(glob)
            .map_err(|error| format!("invalid glob: {}", error.kind()))?
            .compile_matcher();
        Ok(PathGlob {
            matcher,
            name_only: !glob.contains('/'),
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        })
    }

    /// `canonical` is `path` resolved, when it could be.
    fn is_match(&self, path: &Path, canonical: Option<&Path>) -> bool {
        if self.name_only {
            return path
                .file_name()
                .is_some_and(|name| self.matcher.is_match(Path::new(name)));
        }
        self.matcher.is_match(path)
            || canonical
                .and_then(|canonical| canonical.strip_prefix(&self.root).ok())
                .is_some_and(|relative| self.matcher.is_match(relative))
    }
}

impl PathGlob {
    /// [`PathGlob::is_match`] for `path` or one of its parents below the root.
    fn is_match_with_parents(&self, path: &Path, canonical: Option<&Path>) -> bool {
        let relative = canonical.and_then(|canonical| canonical.strip_prefix(&self.root).ok());
        match relative {
            Some(relative) => relative
                .ancestors()
                .filter(|ancestor| !ancestor.as_os_str().is_empty())
                .any(|ancestor| self.is_match(ancestor, Some(&self.root.join(ancestor)))),
            None => self.is_match(path, canonical),
        }
    }
}

/// Codes silenced for the files a glob matches.
#[derive(Debug)]
pub struct PerFileIgnore {
    glob: PathGlob,
    codes: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Settings {
    pub standards: Standards,
    enabled: Vec<&'static str>,
    severities: HashMap<&'static str, Severity>,
    per_file_ignores: Vec<PerFileIgnore>,
    exclude: Exclusions,
    pub fail_on: Severity,
    /// The config file in use, if any.
    pub config_path: Option<PathBuf>,
    /// The config files that made these settings, the farthest `extend`ed first.
    pub config_chain: Vec<PathBuf>,
    pub compose: ComposeSettings,
    /// The variables compose files are interpolated with. Empty until the
    /// runner loads them (`crate::app`), so that tests see no process environment.
    pub environment: crate::compose::interpolate::Environment,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    /// A config this one inherits from: what this file sets wins.
    extend: Option<Spanned<String>>,
    #[serde(default)]
    rules: RulesTable,
    standards: Standards,
    per_file_ignores: Option<Vec<PerFileIgnoreTable>>,
    fail_on: Option<Spanned<String>>,
    preview: Option<bool>,
    exclude: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_exclude: Vec<Spanned<String>>,
    #[serde(default)]
    compose: ComposeTable,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "kebab-case")]
struct ComposeTable {
    projects: Option<Vec<ProjectTable>>,
    allow_outside: Option<Vec<Spanned<String>>>,
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
    ignore: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PerFileIgnoreTable {
    glob: Spanned<String>,
    codes: Vec<Spanned<String>>,
}

/// How many configs an `extend` chain may hold: a chain is written by hand,
/// and a longer one is a mistake, not a layout.
const MAX_EXTEND_DEPTH: usize = 16;

/// One config file of an `extend` chain, parsed and checked on its own so
/// that its errors point into it.
struct Layer {
    path: PathBuf,
    /// Where `path` leads, to find a chain that comes back to a config.
    canonical: PathBuf,
    /// Canonical; the file's relative paths and globs start here.
    dir: PathBuf,
    text: String,
    file: ConfigFile,
}

impl Layer {
    fn read(path: &Path) -> Result<Layer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: format!("cannot read the config file: {error}"),
        })?;
        let file = parse_config(&text).map_err(|(span, message)| locate(path, &text, span, message))?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Layer {
            path: path.to_path_buf(),
            dir: parent_dir(&canonical).to_path_buf(),
            canonical,
            text,
            file,
        })
    }

    fn error(&self, span: std::ops::Range<usize>, message: String) -> ConfigError {
        locate(&self.path, &self.text, Some(span), message)
    }
}

/// The config at `path` and every config it `extend`s, the farthest first.
fn read_chain(path: &Path) -> Result<Vec<Layer>, ConfigError> {
    let mut chain = vec![Layer::read(path)?];
    loop {
        let child = chain.last().expect("the chain starts with one layer");
        let Some(extend) = &child.file.extend else {
            break;
        };
        let parent_path = child.dir.join(extend.get_ref());
        let canonical = std::fs::canonicalize(&parent_path)
            .map_err(|error| child.error(extend.span(), format!("cannot read the extended config: {error}")))?;
        if chain.iter().any(|layer| layer.canonical == canonical) {
            return Err(child.error(
                extend.span(),
                "`extend` leads back to a config already in the chain".to_string(),
            ));
        }
        if chain.len() == MAX_EXTEND_DEPTH {
            return Err(child.error(
                extend.span(),
                format!("more than {MAX_EXTEND_DEPTH} configs extend one another"),
            ));
        }
        let parent = Layer::read(&canonical)?;
        chain.push(parent);
    }
    chain.reverse();
    Ok(chain)
}

/// What the layers of a chain set, applied farthest first: a setting a
/// nearer config writes replaces the farther one's; tables merge by key.
#[derive(Default)]
struct Layered {
    select: Option<Vec<&'static str>>,
    /// The rules `select` names by exact code or name: a preview rule runs
    /// when named so.
    named: Vec<&'static str>,
    preview: Option<bool>,
    ignore: Vec<&'static str>,
    severities: HashMap<&'static str, Severity>,
    per_file_ignores: Vec<PerFileIgnore>,
    fail_on: Option<Severity>,
    exclude: Vec<PathGlob>,
    projects: Vec<DeclaredProject>,
    allow_outside: Vec<PathBuf>,
}

impl Layered {
    fn apply(&mut self, layer: &Layer) -> Result<(), ConfigError> {
        let file = &layer.file;
        let error = |span: std::ops::Range<usize>, message: String| layer.error(span, message);
        let codes = |selectors: &[Spanned<String>], place: &str| -> Result<Vec<&'static str>, ConfigError> {
            let mut codes = Vec::new();
            for selector in selectors {
                let metas = resolve_spanned(selector, place).map_err(|(span, message)| error(span, message))?;
                codes.extend(metas.into_iter().map(|meta| meta.code));
            }
            Ok(codes)
        };
        if let Some(select) = &file.rules.select {
            self.select = Some(codes(select, "[rules] select")?);
            self.named = named_rules(select.iter().map(|selector| selector.get_ref().as_str()));
        }
        if file.preview.is_some() {
            self.preview = file.preview;
        }
        if let Some(ignore) = &file.rules.ignore {
            self.ignore = codes(ignore, "[rules] ignore")?;
        }
        for (selector, severity) in &file.rules.severity {
            let metas =
                resolve_spanned(selector, "[rules.severity]").map_err(|(span, message)| error(span, message))?;
            let severity: Severity = severity
                .get_ref()
                .parse()
                .map_err(|message| error(severity.span(), message))?;
            for meta in metas {
                self.severities.insert(meta.code, severity);
            }
        }
        if let Some(entries) = &file.per_file_ignores {
            self.per_file_ignores = Vec::new();
            for entry in entries {
                self.per_file_ignores.push(PerFileIgnore {
                    glob: PathGlob::new(entry.glob.get_ref(), &layer.dir)
                        .map_err(|message| error(entry.glob.span(), message))?,
                    codes: codes(&entry.codes, "[[per-file-ignores]] codes")?,
                });
            }
        }
        if let Some(text) = &file.fail_on {
            self.fail_on = Some(text.get_ref().parse().map_err(|message| error(text.span(), message))?);
        }
        let globs = |written: &[Spanned<String>]| -> Result<Vec<PathGlob>, ConfigError> {
            written
                .iter()
                .map(|glob| PathGlob::new(glob.get_ref(), &layer.dir).map_err(|message| error(glob.span(), message)))
                .collect()
        };
        if let Some(exclude) = &file.exclude {
            self.exclude = globs(exclude)?;
        }
        self.exclude.extend(globs(&file.extend_exclude)?);
        if let Some(projects) = &file.compose.projects {
            self.projects = declared_projects(projects, layer)?;
        }
        if let Some(allow_outside) = &file.compose.allow_outside {
            self.allow_outside = Vec::new();
            for written in allow_outside {
                match std::fs::canonicalize(layer.dir.join(written.get_ref())) {
                    Ok(dir) if dir.is_dir() => self.allow_outside.push(dir),
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
        }
        Ok(())
    }

    /// The codes of the rules that run: the selection (command line, else
    /// the configs, else all) less the ignored ones, sorted.
    fn enabled(&self, overrides: &Overrides) -> Result<Vec<&'static str>, ConfigError> {
        let (mut enabled, named): (Vec<&'static str>, Vec<&'static str>) = match (&overrides.select, &self.select) {
            (Some(selectors), _) => {
                let mut codes = Vec::new();
                for selector in selectors {
                    codes.extend(resolve_cli(selector)?.into_iter().map(|meta| meta.code));
                }
                let named = named_rules(selectors.iter().map(|selector| selector.trim()));
                (codes, named)
            }
            (None, Some(codes)) => (codes.clone(), self.named.clone()),
            (None, None) => (diagnostic::all_metas().map(|meta| meta.code).collect(), Vec::new()),
        };
        if !(overrides.preview || self.preview.unwrap_or(false)) {
            enabled.retain(|code| named.contains(code) || !diagnostic::find(code).is_some_and(|meta| meta.preview));
        }
        enabled.retain(|code| !self.ignore.contains(code));
        for selector in &overrides.ignore {
            let metas = resolve_cli(selector)?;
            enabled.retain(|code| metas.iter().all(|meta| meta.code != *code));
        }
        enabled.sort_unstable();
        enabled.dedup();
        Ok(enabled)
    }
}

fn declared_projects(projects: &[ProjectTable], layer: &Layer) -> Result<Vec<DeclaredProject>, ConfigError> {
    let mut declared = Vec::new();
    for project in projects {
        if project.files.get_ref().is_empty() {
            return Err(layer.error(project.files.span(), "a project needs at least one file".to_string()));
        }
        let mut files = Vec::new();
        for written in project.files.get_ref() {
            let path = layer.dir.join(written.get_ref());
            if !path.is_file() {
                return Err(layer.error(
                    written.span(),
                    format!(
                        "no compose file `{}` (paths are relative to the config file)",
                        written.get_ref()
                    ),
                ));
            }
            files.push(path);
        }
        declared.push(DeclaredProject {
            files,
            production: project.production,
        });
    }
    Ok(declared)
}

/// The `[standards]` of a chain: the built-in standards under each layer's,
/// the nearest winning key by key. Each layer was checked on its own; what is
/// left to find is a conflict between layers (a service in two lifecycles).
fn layered_standards(chain: &[Layer]) -> Result<Standards, ConfigError> {
    match chain {
        [] => return Ok(parse_config("").expect("an empty config is valid").standards),
        [only] => return Ok(only.file.standards.clone()),
        _ => {}
    }
    let defaults = DeTable::parse(DEFAULT_STANDARDS)
        .expect("rules/standards.toml is valid TOML")
        .into_inner();
    let mut merged = defaults.clone();
    for layer in chain {
        let mut document = DeTable::parse(&layer.text)
            .expect("the layer parsed once already")
            .into_inner();
        if let Some(standards) = document.remove("standards")
            && let DeValue::Table(mut standards) = standards.into_inner()
        {
            merge_defaults(&mut standards, merged);
            merged = standards;
        }
    }
    let conflict = |message: String| ConfigError {
        path: chain.last().map(|layer| layer.path.clone()).unwrap_or_default(),
        position: None,
        message: format!("{message} (with the configs it extends)"),
    };
    crate::standards::validate(&merged, &defaults).map_err(|(_, message)| conflict(message))?;
    Standards::deserialize(toml::de::Deserializer::from(Spanned::new(0..0, merged)))
        .map_err(|error| conflict(error.message().to_string()))
}

impl Settings {
    /// Loads the config (from `--config`, or the nearest `.vwe-lint.toml` from
    /// `cwd` upward, see [`find_config`]) and applies the command-line overrides.
    pub fn load(cwd: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let path = match &overrides.config {
            Some(path) => Some(path.clone()),
            None => find_config(cwd),
        };
        Settings::from_config(path.as_deref(), cwd, overrides)
    }

    /// The settings the config at `path` (and the configs it extends) make,
    /// with the command-line overrides; the defaults without a config.
    pub fn from_config(path: Option<&Path>, cwd: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let chain = match path {
            Some(path) => read_chain(path)?,
            None => Vec::new(),
        };
        let mut layered = Layered::default();
        for layer in &chain {
            layered.apply(layer)?;
        }
        let cli_error = |message: String| ConfigError {
            path: PathBuf::from("command line"),
            position: None,
            message,
        };
        let cli_globs = |written: &[String]| -> Result<Vec<PathGlob>, ConfigError> {
            written
                .iter()
                .map(|glob| {
                    PathGlob::new(glob, cwd).map_err(|message| cli_error(format!("--exclude {glob}: {message}")))
                })
                .collect()
        };
        if let Some(exclude) = &overrides.exclude {
            layered.exclude = cli_globs(exclude)?;
        }
        layered.exclude.extend(cli_globs(&overrides.extend_exclude)?);
        Ok(Settings {
            standards: layered_standards(&chain)?,
            enabled: layered.enabled(overrides)?,
            severities: layered.severities,
            per_file_ignores: layered.per_file_ignores,
            exclude: Exclusions(layered.exclude.into()),
            fail_on: overrides.fail_on.or(layered.fail_on).unwrap_or(Severity::Warning),
            config_path: path.map(Path::to_path_buf),
            config_chain: chain.into_iter().map(|layer| layer.path).collect(),
            compose: ComposeSettings {
                projects: layered.projects,
                allow_outside: layered.allow_outside,
            },
            environment: Default::default(),
        })
    }

    /// The codes of the rules that run, sorted.
    pub fn enabled_codes(&self) -> &[&'static str] {
        &self.enabled
    }

    /// The severities `[rules.severity]` changes, by code.
    pub fn severity_overrides(&self) -> Vec<(&'static str, Severity)> {
        let mut changed: Vec<(&'static str, Severity)> = self
            .severities
            .iter()
            .map(|(code, severity)| (*code, *severity))
            .collect();
        changed.sort_unstable();
        changed
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.binary_search(&code).is_ok()
    }

    pub fn severity(&self, meta: &RuleMeta, default: Severity) -> Severity {
        self.severities.get(meta.code).copied().unwrap_or(default)
    }

    /// The codes `[[per-file-ignores]]` silence for `path`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&'static str> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let canonical = std::fs::canonicalize(path).ok();
        self.per_file_ignores
            .iter()
            .filter(|ignore| ignore.glob.is_match(path, canonical.as_deref()))
            .flat_map(|ignore| ignore.codes.iter().copied())
            .collect()
    }

    /// What directory walks skip.
    pub fn exclusions(&self) -> &Exclusions {
        &self.exclude
    }
}

/// `exclude` and `extend-exclude` (config and command line): the files and
/// directories a directory walk skips. Shared with the walker's threads.
#[derive(Debug, Clone, Default)]
pub struct Exclusions(Arc<[PathGlob]>);

impl Exclusions {
    /// Whether a glob names `path`, a file or a directory.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let canonical = std::fs::canonicalize(path).ok();
        self.0.iter().any(|glob| glob.is_match(path, canonical.as_deref()))
    }

    /// Whether a glob names `path` or a directory it lies in, below the
    /// directory of the config that wrote the glob (`--force-exclude`).
    pub fn excludes_with_parents(&self, path: &Path) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let canonical = std::fs::canonicalize(path).ok();
        self.0
            .iter()
            .any(|glob| glob.is_match_with_parents(path, canonical.as_deref()))
    }
}

/// The nearest `.vwe-lint.toml` in `dir` or above it, up to the repository
/// root (the directory holding `.git`) or the filesystem root: a config in
/// a directory that holds the repository does not apply to it.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    for ancestor in dir.ancestors() {
        let candidate = ancestor.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if ancestor.join(".git").exists() {
            return None;
        }
    }
    None
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

/// The rules selectors name by exact code or name (not by prefix or `ALL`).
fn named_rules<'a>(selectors: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    selectors.flat_map(diagnostic::find_all).map(|meta| meta.code).collect()
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
