//! `vwe-lint config`: print the merged, interpolated model of a compose
//! project, variant by variant, as YAML, like `docker compose config`: what
//! the project-scope rules see. What keeps the model from being complete
//! (a missing included file, an `extends` cycle, a syntax error, a required
//! variable that is unset) goes to stderr as `path:line:col: message` and
//! makes the exit code 1.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::ConfigArgs;
use crate::command::{Outcome, ToolError, print_stdout};
use crate::compose::emit;
use crate::compose::interpolate::{Environment, ProblemKind};
use crate::compose::model::{Project, Variant};
use crate::compose::yaml::Node;
use crate::discover::{self, Target};
use crate::lint;
use crate::settings::{Overrides, Settings};
use crate::source::{FileId, FileKind, Span};

pub fn run(args: &ConfigArgs) -> Result<Outcome, ToolError> {
    let cwd =
        std::env::current_dir().map_err(|error| ToolError(format!("cannot read the current directory: {error}")))?;
    let overrides = Overrides {
        config: args.config.clone(),
        ..Overrides::default()
    };
    let mut settings = Settings::load(&cwd, &overrides).map_err(|error| ToolError(error.to_string()))?;
    settings.environment = Environment::load(&args.env_file).map_err(ToolError)?;

    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut targets = targets(&path)?;
    discover::add_declared(&mut targets, std::slice::from_ref(&path), &settings);
    let units: Vec<_> = discover::plan(&targets, &settings)
        .into_iter()
        .filter(|unit| !unit.variants.is_empty())
        .collect();
    if units.is_empty() {
        return Err(ToolError(if path.is_dir() {
            format!(
                "no compose file in {} (looked for compose*.y(a)ml and docker-compose*.y(a)ml)",
                path.display()
            )
        } else {
            format!("{}: not a compose file", path.display())
        }));
    }

    let mut projects = Vec::with_capacity(units.len());
    for unit in &units {
        let input = lint::read_unit(unit, &mut HashMap::new()).map_err(ToolError)?;
        let files = input
            .files
            .into_iter()
            .map(|(input, primary)| (input.source, input.encoding_error, primary))
            .collect();
        projects.push(Project::new(files, input.variants, &settings));
    }

    // Every variant of every project, or the one `--variant` names.
    let mut chosen: Vec<(usize, Variant)> = projects
        .iter()
        .enumerate()
        .flat_map(|(at, project)| project.variants.iter().map(move |variant| (at, variant.clone())))
        .collect();
    if let Some(wanted) = &args.variant {
        let all: Vec<String> = chosen
            .iter()
            .map(|(at, variant)| variant_name(&projects[*at], variant))
            .collect();
        chosen.retain(|(at, variant)| {
            variant
                .files
                .last()
                .is_some_and(|&last| names_file(wanted, &projects[*at].files[last as usize].source.path))
        });
        if chosen.is_empty() {
            return Err(ToolError(format!(
                "no variant ends with `{}`; the variants: {}",
                wanted.display(),
                all.join(", ")
            )));
        }
    }

    let headers = chosen.len() > 1;
    let mut out = String::new();
    let mut report = Report::default();
    // Files a model reads, by project: those of the chosen variants, and
    // those the models load (includes, `extends.file`).
    let mut read: Vec<HashSet<FileId>> = projects.iter().map(|_| HashSet::new()).collect();
    let mut models = Vec::with_capacity(chosen.len());
    for (at, variant) in &chosen {
        let project = &mut projects[*at];
        let before = project.files.len() as FileId;
        let model = project.model(&variant.files);
        read[*at].extend(variant.files.iter().copied());
        read[*at].extend(before..project.files.len() as FileId);
        models.push(model);
    }
    for (at, project) in projects.iter().enumerate() {
        let mut ids: Vec<FileId> = read[at].iter().copied().collect();
        ids.sort_unstable();
        for id in ids {
            report.file(project, id);
        }
    }
    for (index, ((at, variant), model)) in chosen.iter().zip(&models).enumerate() {
        let project = &projects[*at];
        if headers {
            if index > 0 {
                out.push_str("---\n");
            }
            out.push_str(&format!("# variant: {}\n", variant_name(project, variant)));
        }
        for problem in &model.problems {
            report.error(project, problem.span, &problem.message);
        }
        let printed = model.root.as_ref().map(|root| printable(project, variant, root));
        match &printed {
            Some(root) if args.origins => {
                out.push_str(&emit::emit_with_origins(root, &emit::project_origin(&project.files)));
            }
            Some(root) => out.push_str(&emit::emit(root)),
            None => report.plain(format!(
                "{}: nothing to print: no file of the variant holds a compose mapping",
                variant_name(project, variant)
            )),
        }
    }

    print_stdout(&out)?;
    let mut stderr = std::io::stderr().lock();
    for line in &report.lines {
        let _ = writeln!(stderr, "{line}");
    }
    Ok(if report.errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// A variant's model as `config` prints it, as Compose does: relative paths
/// from the project directory (the first file's), values as Compose writes them.
pub fn printable(project: &Project, variant: &Variant, root: &Node) -> Node {
    let mut root = root.clone();
    let first = variant.files.first().map(|&id| &project.files[id as usize]);
    if let Some(dir) = first.and_then(|file| file.dir()) {
        project.rebase_paths(&mut root, dir);
    }
    emit::as_compose_prints(&mut root);
    root
}

/// The compose files `path` names: itself, or those directly in a directory.
fn targets(path: &Path) -> Result<Vec<Target>, ToolError> {
    let metadata = std::fs::metadata(path).map_err(|error| ToolError(format!("{}: {error}", path.display())))?;
    if !metadata.is_dir() {
        return Ok(vec![Target {
            path: path.to_path_buf(),
            explicit: true,
        }]);
    }
    let entries = std::fs::read_dir(path).map_err(|error| ToolError(format!("{}: {error}", path.display())))?;
    let mut targets = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| ToolError(format!("{}: {error}", path.display())))?;
        let joined = if path == Path::new(".") {
            PathBuf::from(entry.file_name())
        } else {
            path.join(entry.file_name())
        };
        let is_file = std::fs::metadata(&joined).is_ok_and(|metadata| metadata.is_file());
        if is_file && discover::kind_by_name(&joined) == Some(FileKind::Compose) {
            // `./x` as `x`, as people write paths.
            let joined = joined.strip_prefix(".").map(Path::to_path_buf).unwrap_or(joined);
            targets.push(Target {
                path: joined,
                explicit: false,
            });
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(targets)
}

/// `base.yml + prod.yml`: the files of a variant, in `-f` order.
fn variant_name(project: &Project, variant: &Variant) -> String {
    variant
        .files
        .iter()
        .map(|&id| project.files[id as usize].source.path.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Whether `wanted` (a path, or a bare file name) names `path`.
fn names_file(wanted: &Path, path: &Path) -> bool {
    if wanted == path {
        return true;
    }
    let bare = wanted.components().count() == 1;
    if bare && wanted.file_name() == path.file_name() {
        return true;
    }
    matches!((wanted.canonicalize(), path.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The lines for stderr, each once, and how many are errors.
#[derive(Default)]
struct Report {
    lines: Vec<String>,
    seen: HashSet<String>,
    errors: usize,
}

impl Report {
    /// A file's own problems: not UTF-8, not YAML, not a compose mapping,
    /// and its interpolation problems (an unset variable is a warning).
    fn file(&mut self, project: &Project, id: FileId) {
        let file = &project.files[id as usize];
        if let Some(error) = &file.encoding_error {
            self.error(project, error.span.in_file(id), &error.message);
        }
        for error in &file.yaml.errors {
            self.error(project, error.span, &error.message);
        }
        if file.yaml.errors.is_empty() {
            match file.yaml.documents.first() {
                None => self.plain(format!("{}: the file is empty", file.source.path.display())),
                Some(root) if root.as_mapping().is_none() => self.plain(format!(
                    "{}: not a compose file (no mapping at the top)",
                    file.source.path.display()
                )),
                Some(_) => {}
            }
        }
        for problem in &file.interpolation.problems {
            match &problem.kind {
                ProblemKind::Malformed { .. } | ProblemKind::Required { .. } | ProblemKind::EnvFile { .. } => {
                    self.error(project, problem.span, &problem.kind.message());
                }
                ProblemKind::Unset { .. } => {
                    let line = format!("{}: warning: {}", place(project, problem.span), problem.kind.message());
                    self.push(line);
                }
            }
        }
    }

    fn error(&mut self, project: &Project, span: Span, message: &str) {
        self.plain(format!("{}: {message}", place(project, span)));
    }

    /// An error line, as written.
    fn plain(&mut self, line: String) {
        if self.push(line) {
            self.errors += 1;
        }
    }

    fn push(&mut self, line: String) -> bool {
        let new = self.seen.insert(line.clone());
        if new {
            self.lines.push(line);
        }
        new
    }
}

/// `path:line:col` of a span of the project.
fn place(project: &Project, span: Span) -> String {
    match project.files.get(span.file as usize) {
        Some(file) => {
            let at = file.source.line_col(span.start);
            format!("{}:{}:{}", file.source.path.display(), at.line, at.column)
        }
        None => "<unknown>".to_string(),
    }
}
