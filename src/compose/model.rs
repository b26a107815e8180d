//! A compose project: its files, the variants it is deployed as, and the
//! merged, interpolated model of each variant, as `docker compose config`
//! would build it (includes, `extends`, overlays in `-f` order).
//!
//! Each file of a project has a [`FileId`], its index in [`Project::files`];
//! every span of every node says which file it lies in, so a value of the
//! merged model still points at the file and line that set it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::compose::interpolate::{self, Environment, Interpolation, Problem, ProblemKind};
use crate::compose::merge;
use crate::compose::referenced::{self, Reach, Refusal};
use crate::compose::yaml::{self, Entry, Node, Value, YamlOutput};
use crate::diagnostic::Diagnostic;
use crate::settings::Settings;
use crate::source::{FileId, FileKind, SourceFile, Span, parent_dir};

/// Deepest chain of `include`s and `extends` followed; a longer one is a cycle
/// that was not caught by name, or a project nobody writes.
const MAX_CHAIN: usize = 32;

/// One file of a project, parsed and interpolated.
pub struct ProjectFile {
    pub source: SourceFile,
    /// Spans lie in this file's [`FileId`].
    pub yaml: YamlOutput,
    pub interpolation: Interpolation,
    /// Set when the bytes were not UTF-8 (the text is then lossy).
    pub encoding_error: Option<Diagnostic>,
    /// The user asked for this file (named it, or it was found in a named
    /// directory): `--fix` may write it. Files a project only refers to
    /// (`include`, `extends.file`, an overlay's base) are never written.
    pub primary: bool,
    /// See [`ProjectFile::dir`]; looked up once.
    dir: Option<PathBuf>,
}

impl ProjectFile {
    /// The directory relative paths in the file are resolved from; `None`
    /// for standard input without a name on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}

/// Compose resolves the relative paths of every `-f` file, and reads
/// `.env`, from the project directory: the first file's. A file of another
/// directory (a `[compose] projects` entry) gets its variant's; `None`
/// keeps the file's own.
fn project_dirs(files: &[(SourceFile, Option<Diagnostic>, bool)], variants: &[Variant]) -> Vec<Option<PathBuf>> {
    let mut dirs = vec![None; files.len()];
    for variant in variants {
        let Some(first) = variant.files.first().and_then(|&id| files.get(id as usize)) else {
            continue;
        };
        let project_dir = parent_dir(&first.0.path);
        for &id in &variant.files[1..] {
            let Some((source, _, _)) = files.get(id as usize) else {
                continue;
            };
            if dirs[id as usize].is_none() && parent_dir(&source.path) != project_dir {
                dirs[id as usize] = existing_dir(&first.0.path);
            }
        }
    }
    dirs
}

fn existing_dir(path: &Path) -> Option<PathBuf> {
    path.parent()?;
    let dir = parent_dir(path);
    dir.is_dir().then(|| dir.to_path_buf())
}

/// One way a project is deployed: its files in `-f` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub files: Vec<FileId>,
    /// A production deployment (C304 holds it to named volumes).
    pub production: bool,
}

/// A reference the model could not resolve: a missing included or extended
/// file, an extended service that does not exist, a cycle of `extends`.
/// S006 reports these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelProblem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// The merged model of one variant.
pub struct Model {
    /// The merged document; `None` when no file of the variant is a mapping.
    pub root: Option<Node>,
    pub problems: Vec<ModelProblem>,
}

/// The files of a compose project and the variants it is deployed as.
pub struct Project {
    pub files: Vec<ProjectFile>,
    pub variants: Vec<Variant>,
    environment: Environment,
    /// Where referenced files may be read from.
    reach: Reach,
    /// Files already read, by canonical path.
    loaded: HashMap<PathBuf, FileId>,
    /// Each file's resolved document and the problems met resolving it:
    /// a file included from many places is resolved once.
    resolved: HashMap<FileId, (Option<Node>, Vec<ModelProblem>)>,
    /// The variables of included files, which are not the project's.
    environments: HashMap<FileId, Environment>,
    /// The directory relative paths of an included file are resolved from,
    /// when it is not the file's own: the include's `project_directory`, or
    /// the directory of the first file of a `path:` list.
    base_dirs: HashMap<FileId, PathBuf>,
}

impl Project {
    /// A project from its files (as read by the runner) and its variants,
    /// which index into `files`, with the settings' variables and
    /// `allow-outside` directories.
    pub fn new(
        files: Vec<(SourceFile, Option<Diagnostic>, bool)>,
        variants: Vec<Variant>,
        settings: &Settings,
    ) -> Self {
        let primary = files
            .iter()
            .find(|(_, _, primary)| *primary)
            .or(files.first())
            .map(|(source, _, _)| source.path.as_path());
        let reach = Reach::of_project(
            primary,
            settings.config_path.as_deref(),
            &settings.compose.allow_outside,
        );
        let mut project = Project {
            files: Vec::with_capacity(files.len()),
            variants,
            environment: settings.environment.clone(),
            reach,
            loaded: HashMap::new(),
            resolved: HashMap::new(),
            environments: HashMap::new(),
            base_dirs: HashMap::new(),
        };
        let project_dirs = project_dirs(&files, &project.variants);
        for ((source, encoding_error, primary), dir) in files.into_iter().zip(project_dirs) {
            project.push(source, encoding_error, primary, dir);
        }
        project
    }

    fn push(
        &mut self,
        source: SourceFile,
        encoding_error: Option<Diagnostic>,
        primary: bool,
        project_dir: Option<PathBuf>,
    ) -> FileId {
        // Taken out for the call, not copied: every file is parsed with it.
        let environment = std::mem::take(&mut self.environment);
        let id = self.push_with(source, encoding_error, primary, &environment, project_dir);
        self.environment = environment;
        id
    }

    /// `project_dir`: where the file's relative paths and `.env` are
    /// resolved from when that is not the file's own directory.
    fn push_with(
        &mut self,
        source: SourceFile,
        encoding_error: Option<Diagnostic>,
        primary: bool,
        environment: &Environment,
        project_dir: Option<PathBuf>,
    ) -> FileId {
        let id = self.files.len() as FileId;
        let dir = project_dir.or_else(|| existing_dir(&source.path));
        let (yaml, interpolation) = parse_interpolated(&source, dir.as_deref(), id, environment, &self.reach);
        self.files.push(ProjectFile {
            source,
            yaml,
            interpolation,
            encoding_error,
            primary,
            dir,
        });
        id
    }

    /// The file at `path`, read and parsed the first time it is asked for,
    /// interpolated with `environment` (an include's `env_file`) when given.
    fn load(&mut self, path: &Path, environment: Option<&Environment>) -> Result<FileId, Refusal> {
        // The files the project started with are known by canonical path
        // only from the first reference on: most projects make none.
        if self.loaded.is_empty() {
            for (id, file) in self.files.iter().enumerate() {
                if let Ok(canonical) = file.source.path.canonicalize() {
                    self.loaded.insert(canonical, id as FileId);
                }
            }
        }
        if let Some(id) = path
            .canonicalize()
            .ok()
            .and_then(|canonical| self.loaded.get(&canonical))
        {
            return Ok(*id);
        }
        let bytes = referenced::read(&self.reach, path)?;
        let canonical = path
            .canonicalize()
            .map_err(|_| Refusal::Read(crate::read::ReadError::NotFound))?;
        let (source, encoding_error) = crate::read::source_from_bytes(tidy(path), FileKind::Compose, bytes.to_vec());
        let id = match environment {
            Some(environment) => {
                let id = self.push_with(source, encoding_error, false, environment, None);
                self.environments.insert(id, environment.clone());
                id
            }
            None => self.push(source, encoding_error, false, None),
        };
        self.loaded.insert(canonical, id);
        Ok(id)
    }

    /// The first document of a file, when it is a mapping.
    fn document(&self, file: FileId) -> Option<&Node> {
        self.files[file as usize]
            .yaml
            .documents
            .first()
            .filter(|root| root.as_mapping().is_some())
    }

    /// Whether `files` need a merged model: more than one file, or one that
    /// includes others or has a service that `extends` another. Otherwise
    /// the file's own document is the model.
    pub fn needs_model(&self, files: &[FileId]) -> bool {
        let [file] = files else {
            return true;
        };
        let Some(document) = self.document(*file) else {
            return false;
        };
        document.get("include").is_some() || services(document).any(|entry| entry.value.get("extends").is_some())
    }

    /// Builds the merged model of `files` (in `-f` order), reading included
    /// and extended files as needed.
    pub fn model(&mut self, files: &[FileId]) -> Model {
        let mut problems = Vec::new();
        let mut root: Option<Node> = None;
        for &file in files {
            let Some(document) = self.resolved(file, &mut Vec::new(), &mut problems) else {
                continue;
            };
            match &mut root {
                Some(root) => merge::merge_documents(root, &document),
                None => root = Some(document),
            }
        }
        problems.sort_by_key(|problem| problem.span);
        problems.dedup();
        Model { root, problems }
    }

    /// A file's document with its includes merged in and its services'
    /// `extends` resolved. `chain` holds the files being included, to stop cycles.
    fn resolved(&mut self, file: FileId, chain: &mut Vec<FileId>, problems: &mut Vec<ModelProblem>) -> Option<Node> {
        if chain.contains(&file) || chain.len() > MAX_CHAIN {
            return None;
        }
        if let Some((document, found)) = self.resolved.get(&file) {
            problems.extend(found.iter().cloned());
            return document.clone();
        }
        let mut found = Vec::new();
        let document = self.resolve(file, chain, &mut found);
        found.sort_by_key(|problem| problem.span);
        found.dedup();
        problems.extend(found.iter().cloned());
        self.resolved.insert(file, (document.clone(), found));
        document
    }

    /// [`Project::resolved`], the first time a file is asked for.
    fn resolve(&mut self, file: FileId, chain: &mut Vec<FileId>, problems: &mut Vec<ModelProblem>) -> Option<Node> {
        let mut document = self.document(file)?.clone();
        chain.push(file);
        let included = self.included(file, &document, chain, problems);
        chain.pop();
        self.resolve_extends(file, &mut document, problems);
        if let Value::Mapping(mapping) = &mut document.value {
            mapping.entries.retain(|entry| entry.key.as_str() != Some("include"));
        }
        Some(match included {
            Some(mut included) => {
                merge::merge_documents(&mut included, &document);
                included.span = document.span;
                included
            }
            None => document,
        })
    }

    /// The projects a document includes, merged in order.
    fn included(
        &mut self,
        file: FileId,
        document: &Node,
        chain: &mut Vec<FileId>,
        problems: &mut Vec<ModelProblem>,
    ) -> Option<Node> {
        let items = document.get("include")?.as_sequence()?;
        let dir = self.files[file as usize].dir().map(Path::to_path_buf);
        let mut merged: Option<Node> = None;
        for item in items {
            // `- path` or `- path: a.yml` / `- path: [a.yml, override.yml]`.
            let paths: Vec<&Node> = match &item.value {
                Value::Scalar(_) => vec![item],
                Value::Mapping(_) => match item.get("path") {
                    Some(path) => match &path.value {
                        Value::Sequence(paths) => paths.iter().collect(),
                        _ => vec![path],
                    },
                    None => continue,
                },
                _ => continue,
            };
            // Compose resolves the included project's relative paths, and
            // finds its `.env`, in its `project_directory`: by default the
            // directory of its first file.
            let project_dir = item
                .get("project_directory")
                .and_then(Node::as_str)
                .filter(|written| !written.is_empty())
                .zip(dir.as_deref())
                .map(|(written, dir)| dir.join(written));
            let first_dir = paths
                .first()
                .and_then(|path| path.as_str())
                .zip(dir.as_deref())
                .map(|(written, dir)| parent_dir(&dir.join(written)).to_path_buf());
            let base_dir = project_dir.clone().or(first_dir);
            let environment = self.include_environment(file, dir.as_deref(), project_dir.as_deref(), item, problems);
            let mut project: Option<Node> = None;
            for path_node in paths {
                let Some(id) =
                    self.referenced_file(dir.as_deref(), path_node, "included", Some(&environment), problems)
                else {
                    continue;
                };
                if let Some(base_dir) = &base_dir {
                    self.base_dirs.entry(id).or_insert_with(|| base_dir.clone());
                }
                if chain.contains(&id) {
                    problems.push(ModelProblem {
                        span: path_node.span,
                        message: format!(
                            "`{}` includes itself (through this `include`)",
                            path_node.as_str().unwrap_or_default()
                        ),
                        help: "remove the include that closes the cycle".to_string(),
                    });
                    continue;
                }
                let Some(document) = self.resolved(id, chain, problems) else {
                    continue;
                };
                match &mut project {
                    Some(project) => merge::merge_documents(project, &document),
                    None => project = Some(document),
                }
            }
            let Some(project) = project else { continue };
            match &mut merged {
                Some(merged) => merge::merge_documents(merged, &project),
                None => merged = Some(project),
            }
        }
        merged
    }

    /// The variables of the project an `include` entry of `file` brings in,
    /// as Compose gives them: those of the including file (the environment,
    /// then its `.env` or `--env-file`) win over the include's own, which
    /// come from its `env_file:` (one path or a list, relative to `dir`), else
    /// from the `.env` of its `project_directory`, else from the `.env` beside
    /// the included file. An env file that is not read is a problem at its path.
    fn include_environment(
        &self,
        file: FileId,
        dir: Option<&Path>,
        project_dir: Option<&Path>,
        item: &Node,
        problems: &mut Vec<ModelProblem>,
    ) -> Environment {
        let inherited = self.variables_of(file);
        let env_files = match item.get("env_file") {
            Some(written) => dir.map(|dir| self.include_env_files(dir, written, &inherited, problems)),
            None => project_dir.map(|project_dir| {
                let mut variables = HashMap::new();
                if let Some(text) = self.dot_env(project_dir) {
                    interpolate::parse_env_file(&text, &mut variables, &inherited);
                }
                variables
            }),
        };
        Environment {
            process: inherited,
            env_files,
        }
    }

    /// The variables `file` is interpolated with, the environment's first.
    fn variables_of(&self, file: FileId) -> HashMap<String, String> {
        let environment = self.environments.get(&file).unwrap_or(&self.environment);
        let mut variables = environment.process.clone();
        let own = match &environment.env_files {
            Some(own) => own.clone(),
            None => {
                let mut own = HashMap::new();
                if let Some(text) = self.files[file as usize].dir().and_then(|dir| self.dot_env(dir)) {
                    interpolate::parse_env_file(&text, &mut own, &environment.process);
                }
                own
            }
        };
        for (name, value) in own {
            variables.entry(name).or_insert(value);
        }
        variables
    }

    /// The text of the `.env` in `dir`, when there is one that may be read
    /// (one that is refused is reported where the file it serves is parsed).
    fn dot_env(&self, dir: &Path) -> Option<String> {
        let bytes = referenced::read(&self.reach, &dir.join(".env")).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The variables of an include's `env_file:` files, read in order.
    fn include_env_files(
        &self,
        dir: &Path,
        written: &Node,
        inherited: &HashMap<String, String>,
        problems: &mut Vec<ModelProblem>,
    ) -> HashMap<String, String> {
        let paths: Vec<&Node> = match &written.value {
            Value::Sequence(paths) => paths.iter().collect(),
            _ => vec![written],
        };
        let mut variables = HashMap::new();
        for path_node in paths {
            let Some(name) = path_node.as_str().filter(|name| !name.is_empty()) else {
                continue;
            };
            let path = dir.join(name);
            match referenced::read(&self.reach, &path) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    interpolate::parse_env_file(&text, &mut variables, inherited);
                }
                Err(refusal) => problems.push(refused(
                    path_node.span,
                    &format!("the env file `{name}` of this include"),
                    &path,
                    &refusal,
                )),
            }
        }
        variables
    }

    /// The file a path in the project names (relative to `dir`), or a problem
    /// at the path when it is not read.
    fn referenced_file(
        &mut self,
        dir: Option<&Path>,
        path_node: &Node,
        what: &str,
        environment: Option<&Environment>,
        problems: &mut Vec<ModelProblem>,
    ) -> Option<FileId> {
        let written = path_node.as_str()?;
        // A variable that is unset is S004's; the path is not guessed at.
        if written.is_empty() || written.contains("://") {
            return None;
        }
        let dir = dir?;
        let path = dir.join(written);
        match self.load(&path, environment) {
            Ok(id) => Some(id),
            Err(refusal) => {
                problems.push(refused(
                    path_node.span,
                    &format!("the {what} file `{written}`"),
                    &path,
                    &refusal,
                ));
                None
            }
        }
    }

    /// Replaces every service that `extends` another by the merge of the two.
    fn resolve_extends(&mut self, file: FileId, document: &mut Node, problems: &mut Vec<ModelProblem>) {
        let names: Vec<String> = services(document)
            .filter(|entry| entry.value.get("extends").is_some())
            .filter_map(|entry| entry.key.as_str().map(str::to_string))
            .collect();
        if names.is_empty() {
            return;
        }
        let snapshot = document.clone();
        for name in names {
            let mut chain = Vec::new();
            let Some(resolved) = self.extended(file, &snapshot, &name, &mut chain, problems) else {
                continue;
            };
            if let Some(entry) = services_mut(document).find(|entry| entry.key.as_str() == Some(&name)) {
                entry.value = resolved;
            }
        }
    }

    /// Service `name` of `document` (file `file`) with its `extends` chain
    /// merged in. A reference that cannot be followed is reported and the
    /// service keeps its `extends:` (rules then know it inherits something unknown).
    fn extended(
        &mut self,
        file: FileId,
        document: &Node,
        name: &str,
        chain: &mut Vec<(FileId, String)>,
        problems: &mut Vec<ModelProblem>,
    ) -> Option<Node> {
        let service = document.get("services")?.get(name)?.clone();
        let Some(extends) = service.get("extends") else {
            return Some(service);
        };
        let (parent_name, parent_file_node) = match &extends.value {
            Value::Scalar(scalar) => (scalar.text.clone(), None),
            Value::Mapping(_) => (
                extends.get("service").and_then(Node::as_str)?.to_string(),
                extends.get("file"),
            ),
            _ => return Some(service),
        };
        let service_node = extends.get("service").unwrap_or(extends);
        chain.push((file, name.to_string()));
        let parent_file = match parent_file_node {
            Some(path_node) => {
                let dir = self.files[file as usize].dir().map(Path::to_path_buf);
                match self.referenced_file(dir.as_deref(), path_node, "extended", None, problems) {
                    Some(id) => id,
                    None => return Some(service),
                }
            }
            None => file,
        };
        let cycle = chain.contains(&(parent_file, parent_name.clone()));
        if cycle || chain.len() > MAX_CHAIN {
            let mut names: Vec<&str> = chain.iter().map(|(_, name)| name.as_str()).collect();
            names.push(&parent_name);
            let (message, help) = if cycle {
                (
                    format!("`extends` forms a cycle: {}", names.join(" → ")),
                    "break the cycle: a service cannot extend itself, directly or through others",
                )
            } else {
                (
                    format!(
                        "`extends` goes more than {MAX_CHAIN} services deep (from `{}`)",
                        names[0]
                    ),
                    "extend a service that is closer to the base",
                )
            };
            problems.push(ModelProblem {
                span: service_node.span,
                message,
                help: help.to_string(),
            });
            return Some(service);
        }
        let other;
        let parent_document: &Node = if parent_file == file {
            document
        } else {
            other = self.document(parent_file)?.clone();
            &other
        };
        if parent_document
            .get("services")
            .and_then(|services| services.get(&parent_name))
            .is_none()
        {
            let place = match parent_file_node.and_then(Node::as_str) {
                Some(path) => format!("in `{path}`"),
                None => "in this file".to_string(),
            };
            problems.push(ModelProblem {
                span: service_node.span,
                message: format!("service `{name}` extends `{parent_name}`, which is not defined {place}"),
                help: "name a service that exists, or define it".to_string(),
            });
            return Some(service);
        }
        let mut merged = self.extended(parent_file, parent_document, &parent_name, chain, problems)?;
        let mut own = service.clone();
        if let Value::Mapping(mapping) = &mut own.value {
            mapping.entries.retain(|entry| entry.key.as_str() != Some("extends"));
        }
        // A parent that could not be resolved itself keeps its `extends`;
        // the child then does too, through the merge.
        merge::merge_service(&mut merged, &own);
        merged.span = service.span;
        merged.alias = service.alias;
        merged.anchor = service.anchor;
        merged.tag = service.tag.clone();
        Some(merged)
    }

    /// Rewrites the relative paths of a model that files of other
    /// directories set (an included project, a service extended from
    /// another file) relative to `project_dir`, the directory Compose
    /// resolves the model's paths from: each stays the path its file meant.
    /// Paths set in files of `project_dir` stay as written.
    pub fn rebase_paths(&self, root: &mut Node, project_dir: &Path) {
        let project_dir = absolute(project_dir);
        let rebase = |node: &mut Node, short_volume: bool| self.rebase(node, &project_dir, short_volume);
        for entry in services_mut(root) {
            let service = &mut entry.value;
            if let Some(build) = child(service, "build") {
                match &build.value {
                    Value::Scalar(_) => rebase(build, false),
                    _ => {
                        if let Some(context) = child(build, "context") {
                            rebase(context, false);
                        }
                        if let Some(Value::Mapping(contexts)) =
                            child(build, "additional_contexts").map(|node| &mut node.value)
                        {
                            contexts
                                .entries
                                .iter_mut()
                                .for_each(|entry| rebase(&mut entry.value, false));
                        }
                    }
                }
            }
            for key in ["env_file", "label_file"] {
                let Some(files) = child(service, key) else { continue };
                match &mut files.value {
                    Value::Sequence(items) => {
                        for item in items {
                            match child(item, "path") {
                                Some(path) => rebase(path, false),
                                None => rebase(item, false),
                            }
                        }
                    }
                    _ => rebase(files, false),
                }
            }
            if let Some(Value::Sequence(volumes)) = child(service, "volumes").map(|node| &mut node.value) {
                for volume in volumes {
                    if volume.as_mapping().is_none() {
                        rebase(volume, true);
                    } else if volume.get("type").and_then(Node::as_str) == Some("bind")
                        && let Some(source) = child(volume, "source")
                    {
                        rebase(source, false);
                    }
                }
            }
            let watch = child(service, "develop").and_then(|develop| child(develop, "watch"));
            if let Some(Value::Sequence(rules)) = watch.map(|node| &mut node.value) {
                for rule in rules {
                    if let Some(path) = child(rule, "path") {
                        rebase(path, false);
                    }
                }
            }
        }
        for section in ["secrets", "configs"] {
            if let Some(Value::Mapping(items)) = child(root, section).map(|node| &mut node.value) {
                for item in &mut items.entries {
                    if let Some(file) = child(&mut item.value, "file") {
                        rebase(file, false);
                    }
                }
            }
        }
    }

    /// [`Project::rebase_paths`] for one path (or the source of a short
    /// volume, `./data:/data:ro`).
    fn rebase(&self, node: &mut Node, project_dir: &Path, short_volume: bool) {
        let Some(written_in) = self
            .base_dirs
            .get(&node.span.file)
            .map(PathBuf::as_path)
            .or_else(|| self.files.get(node.span.file as usize)?.dir())
            .map(absolute)
        else {
            return;
        };
        let Value::Scalar(scalar) = &mut node.value else { return };
        if written_in == project_dir {
            return;
        }
        let (path, rest) = match scalar.text.split_once(':') {
            Some((source, rest)) if short_volume => (source, Some(rest)),
            _ if short_volume => return,
            _ => (scalar.text.as_str(), None),
        };
        // Short volume sources that are paths start with `.`; others name volumes.
        let is_relative_path = if short_volume {
            path.starts_with('.')
        } else {
            !path.is_empty() && !path.starts_with(['/', '~']) && !path.contains(':')
        };
        if !is_relative_path {
            return;
        }
        let mut rebased = relative_to(&absolute(&written_in.join(path)), project_dir);
        if let Some(rest) = rest {
            rebased = format!("{rebased}:{rest}");
        }
        scalar.text = rebased;
    }

    /// Where the project may read referenced files from.
    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    /// Every unresolved span of every file: values no rule should judge.
    pub fn unresolved(&self) -> Interpolation {
        let mut all = Interpolation::default();
        for file in &self.files {
            all.unresolved.extend(file.interpolation.unresolved.iter().copied());
        }
        all
    }
}

/// The problem of a referenced file that was not read: it names the path,
/// and quotes nothing of the file.
fn refused(span: Span, subject: &str, path: &Path, refusal: &Refusal) -> ModelProblem {
    ModelProblem {
        span,
        message: format!("{subject} {refusal}"),
        help: refusal.help(path),
    }
}

fn services(document: &Node) -> impl Iterator<Item = &Entry> {
    document
        .get("services")
        .and_then(Node::as_mapping)
        .into_iter()
        .flat_map(|mapping| mapping.iter())
}

fn services_mut(document: &mut Node) -> impl Iterator<Item = &mut Entry> {
    let services = match &mut document.value {
        Value::Mapping(mapping) => mapping
            .entries
            .iter_mut()
            .find(|entry| entry.key.as_str() == Some("services")),
        _ => None,
    };
    services
        .into_iter()
        .filter_map(|entry| match &mut entry.value.value {
            Value::Mapping(mapping) => Some(mapping.entries.iter_mut()),
            _ => None,
        })
        .flatten()
}

/// The value of `key` in a mapping node.
fn child<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Mapping(mapping) => mapping
            .entries
            .iter_mut()
            .find(|entry| entry.key.as_str() == Some(key))
            .map(|entry| &mut entry.value),
        _ => None,
    }
}

/// `path` made absolute and without `.` or `..`, by its text alone, as
/// Compose resolves a relative path.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// `path` relative to `dir` (both absolute and clean), as `./x` or `../x`.
fn relative_to(path: &Path, dir: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let dir: Vec<_> = dir.components().collect();
    let common = path.iter().zip(&dir).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); dir.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    match parts.first().map(String::as_str) {
        None => ".".to_string(),
        Some("..") => parts.join("/"),
        Some(_) => format!("./{}", parts.join("/")),
    }
}

/// `./x` as `x`, and `dir/./x` as `dir/x`, as people write paths.
fn tidy(path: &Path) -> PathBuf {
    path.components()
        .filter(|component| !matches!(component, std::path::Component::CurDir))
        .collect()
}

/// Parses compose text as file `file` of a project and interpolates its
/// values with the variables for it: the run's environment, over `.env`
/// beside the file unless `--env-file` replaced it. Rules then see the
/// values Compose would deploy. A `.env` that is there but not read (outside
/// `reach`, no regular file, too large, unreadable) is a problem at the
/// file's start, since no line of the file names it.
/// `dir` is where the file's `.env` is looked for (`None`: beside it).
pub fn parse_interpolated(
    source: &SourceFile,
    dir: Option<&Path>,
    file: FileId,
    environment: &Environment,
    reach: &Reach,
) -> (YamlOutput, Interpolation) {
    let text = &source.text;
    let mut parsed = yaml::parse_in(text, file);
    let mut found = Interpolation::default();
    // Without a `$` there is nothing to interpolate, and no `.env` to read.
    if text.contains('$') {
        let dir = dir.or_else(|| source.path.parent().map(|_| parent_dir(&source.path)));
        // A `.env` lies beside a file the project already read, so a missing
        // one reveals nothing outside it: looked for without finding the root.
        let dot_env = dir
            .and_then(|dir| environment.dot_env_path(dir))
            .filter(|path| std::fs::symlink_metadata(path).is_ok())
            .and_then(|path| match referenced::read(reach, &path) {
                Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                Err(refusal) if refusal.is_not_found() => None,
                Err(refusal) => {
                    found.problems.push(Problem {
                        span: Span::point(0).in_file(file),
                        kind: ProblemKind::EnvFile {
                            path: path.display().to_string(),
                            reason: refusal.to_string(),
                        },
                    });
                    None
                }
            });
        let variables = environment.variables(dot_env.as_deref());
        for document in &mut parsed.documents {
            interpolate::apply(text, document, &variables, &mut found);
        }
    }
    (parsed, found)
}

/// The names a section of the merged model defines (`networks`, `volumes`, ...).
pub fn defined(root: &Node, section: &str) -> HashSet<String> {
    root.get(section)
        .and_then(Node::as_mapping)
        .into_iter()
        .flat_map(|mapping| mapping.iter())
        .filter_map(|entry| entry.key.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project of files written to a temporary directory, as (name, text).
    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Vec::new();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            sources.push((SourceFile::new(path, FileKind::Compose, text.to_string()), None, true));
        }
        let variants = vec![Variant {
            files: (0..files.len() as FileId).collect(),
            production: false,
        }];
        let settings = Settings::load(dir.path(), &crate::settings::Overrides::default()).unwrap();
        let project = Project::new(sources, variants, &settings);
        (dir, project)
    }

    fn messages(model: &Model) -> Vec<&str> {
        model.problems.iter().map(|problem| problem.message.as_str()).collect()
    }

    #[test]
    fn odd_shapes_give_a_model_and_no_panic() {
        let odd = [
            "services: {a: {extends: 5}, b: {extends: {service: [x]}}, c: {extends: {file: 3, service: a}}}\n",
            "include: x.yaml\nservices: {}\n",
            "include: [{path: 5}, [a], {path: []}, {}]\nservices: {a: {image: x}}\n",
            "services: [a, b]\n",
            "services:\n",
            "- a\n- b\n",
            "services: {a: !reset {image: x}, b: !override 3}\n",
        ];
        for text in odd {
            for overlay in [
                "services: !reset\n",
                "services: {a: {image: !reset x}}\n",
                "services: [x]\n",
            ] {
                let (_dir, mut project) = project(&[("compose.yaml", text), ("compose.override.yaml", overlay)]);
                let files = project.variants[0].files.clone();
                let _ = project.model(&files);
            }
        }
    }

    #[test]
    fn a_long_extends_chain_is_too_deep_not_a_cycle() {
        let mut text = String::from("services:\n  s0: {image: x}\n");
        for at in 1..40 {
            text.push_str(&format!("  s{at}: {{extends: s{}}}\n", at - 1));
        }
        let (_dir, mut project) = project(&[("compose.yaml", &text)]);
        let model = project.model(&[0]);
        assert!(
            messages(&model)
                .iter()
                .any(|message| message.contains("more than 32 services deep")),
            "{:?}",
            messages(&model)
        );
        assert!(messages(&model).iter().all(|message| !message.contains("cycle")));
    }

    #[test]
    fn extends_from_another_file_resolves_its_paths_there() {
        let (_dir, mut project) = project(&[(
            "compose.yaml",
            "services:\n  api:\n    extends: {file: common/base.yaml, service: base}\n    image: vwe/api:1\n",
        )]);
        std::fs::create_dir_all(project.files[0].dir().unwrap().join("common")).unwrap();
        std::fs::write(
            project.files[0].dir().unwrap().join("common/base.yaml"),
            "services:\n  base:\n    env_file: ./base.env\n    restart: always\n",
        )
        .unwrap();
        let model = project.model(&[0]);
        assert!(model.problems.is_empty(), "{:?}", messages(&model));
        let api = model
            .root
            .as_ref()
            .unwrap()
            .get("services")
            .unwrap()
            .get("api")
            .unwrap();
        assert!(api.get("extends").is_none());
        assert_eq!(api.get("image").unwrap().span.file, 0);
        let env_file = api.get("env_file").unwrap();
        assert_eq!(env_file.span.file, 1);
        assert!(project.files[1].dir().unwrap().ends_with("common"));
    }

    #[test]
    fn an_include_env_file_interpolates_the_included_project() {
        let (dir, mut project) = project(&[(
            "compose.yaml",
            "include:\n  - path: db/compose.yaml\n    env_file: [db.env, missing.env]\nservices: {}\n",
        )]);
        std::fs::create_dir_all(dir.path().join("db")).unwrap();
        std::fs::write(dir.path().join("db.env"), "DB_TAG=16-alpine\n").unwrap();
        std::fs::write(dir.path().join("db/.env"), "DB_TAG=ignored\n").unwrap();
        std::fs::write(
            dir.path().join("db/compose.yaml"),
            "services:\n  db:\n    image: postgres:${DB_TAG}\n",
        )
        .unwrap();
        let model = project.model(&[0]);
        let found = messages(&model);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`missing.env`"), "{found:?}");
        let image = model
            .root
            .as_ref()
            .unwrap()
            .get("services")
            .unwrap()
            .get("db")
            .unwrap()
            .get("image");
        assert_eq!(image.and_then(Node::as_str), Some("postgres:16-alpine"));
    }

    #[test]
    fn a_missing_include_and_an_include_cycle_are_problems() {
        let (_dir, mut project) = project(&[
            ("compose.yaml", "include: [missing.yaml, other.yaml]\nservices: {}\n"),
            ("other.yaml", "include: [compose.yaml]\nservices: {db: {image: d}}\n"),
        ]);
        let model = project.model(&[0]);
        let found = messages(&model);
        assert!(
            found
                .iter()
                .any(|message| message.contains("`missing.yaml` does not exist")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|message| message.contains("includes itself")),
            "{found:?}"
        );
        let services = model.root.as_ref().unwrap().get("services").unwrap();
        assert!(services.get("db").is_some());
    }

    #[test]
    fn an_include_diamond_resolves_each_file_once() {
        // Each level includes the next twice: 2^25 resolutions without memoizing.
        const LEVELS: usize = 25;
        let mut files: Vec<(String, String)> = (0..LEVELS)
            .map(|level| {
                let next = format!("level{}.yaml", level + 1);
                let text = format!("include: [{next}, {{path: {next}}}]\nservices: {{s{level}: {{image: x}}}}\n");
                (format!("level{level}.yaml"), text)
            })
            .collect();
        files.push((
            format!("level{LEVELS}.yaml"),
            "services: {last: {image: x}}\n".to_string(),
        ));
        let (dir, mut project) = project(&[(files[0].0.as_str(), files[0].1.as_str())]);
        for (name, text) in &files[1..] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let model = project.model(&[0]);
        assert!(model.problems.is_empty(), "{:?}", messages(&model));
        let services = model.root.as_ref().unwrap().get("services").unwrap();
        assert!(services.get("s0").is_some() && services.get("last").is_some());
        assert_eq!(project.files.len(), LEVELS + 1);
    }

    #[test]
    fn a_file_included_by_every_variant_is_read_once() {
        let (dir, mut project) = project(&[
            ("compose.yaml", "include: [shared/common.yaml]\nservices: {}\n"),
            ("compose.prod.yaml", "include: [shared/common.yaml]\nservices: {}\n"),
        ]);
        std::fs::create_dir_all(dir.path().join("shared")).unwrap();
        let common = dir.path().join("shared/common.yaml");
        std::fs::write(&common, "services: {db: {image: d}}\n").unwrap();
        for _ in 0..3 {
            for file in [0, 1] {
                let model = project.model(&[file]);
                assert!(model.problems.is_empty(), "{:?}", messages(&model));
            }
            project = Project::new(
                project
                    .files
                    .into_iter()
                    .filter(|file| file.primary)
                    .map(|file| (file.source, file.encoding_error, true))
                    .collect(),
                project.variants,
                &Settings::load(dir.path(), &crate::settings::Overrides::default()).unwrap(),
            );
        }
        assert_eq!(referenced::disk_reads(&common), 1);
    }

    #[test]
    fn an_unreadable_env_file_is_a_problem_that_names_it() {
        let (dir, mut project) = project(&[(
            "compose.yaml",
            "include:\n  - path: db.yaml\n    env_file: env.d\nservices: {}\n",
        )]);
        std::fs::create_dir(dir.path().join("env.d")).unwrap();
        std::fs::write(dir.path().join("db.yaml"), "services: {db: {image: d}}\n").unwrap();
        let model = project.model(&[0]);
        assert_eq!(
            messages(&model),
            ["the env file `env.d` of this include is a directory, not a regular file"]
        );
    }

    #[test]
    fn a_dot_env_that_is_no_regular_file_is_an_interpolation_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".env")).unwrap();
        let path = dir.path().join("compose.yaml");
        let source = SourceFile::new(
            &path,
            FileKind::Compose,
            "services: {a: {image: \"x:${TAG:-1}\"}}\n".to_string(),
        );
        let reach = Reach::of_project(Some(&path), None, &[]);
        let (_, interpolation) = parse_interpolated(&source, None, 0, &Environment::default(), &reach);
        let messages: Vec<String> = interpolation
            .problems
            .iter()
            .map(|problem| problem.kind.message())
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains(".env` is a directory, not a regular file"),
            "{messages:?}"
        );
        assert_eq!(interpolation.problems[0].span, Span::point(0));
    }
}
