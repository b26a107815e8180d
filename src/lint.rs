//! Units of work through the pipeline: a Dockerfile, or a compose project
//! (its files parsed, each variant merged); run the enabled rules, route each
//! finding to the file it points into, apply severities, per-file ignores
//! and suppression comments, sort.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::compose::model::{Model, Project, Variant};
use crate::compose::yaml::{Node, Value};
use crate::compose::{ComposeFile, build};
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Unit};
use crate::dockerfile::parse as dockerfile;
use crate::rules::syntax::unused_suppression;
use crate::rules::{ComposeContext, DockerfileContext, RULES, Rule, Scope, syntax};
use crate::settings::Settings;
use crate::source::{FileId, FileKind, SourceFile, Span};
use crate::suppress;

pub use crate::read::source_from_bytes;

/// A linted file and what was found in it.
pub struct Checked {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file read from disk, ready to lint or fix.
pub struct Input {
    pub source: SourceFile,
    /// Set when the bytes were not UTF-8 (the text is then lossy).
    pub encoding_error: Option<Diagnostic>,
}

/// Reads the file at `path`, which the user named or a walk found: a pipe
/// is read too (once), a device or a file over the size cap is an error.
/// Its kind comes from its name, or (for a file named explicitly with
/// another name) from its extension or content.
pub fn read_input(path: &Path) -> Result<Input, String> {
    let bytes = crate::read::read_named_file(path, crate::read::MAX_FILE_SIZE)
        .map_err(|error| format!("{} {error}", path.display()))?;
    Ok(input_from_bytes(path.to_path_buf(), bytes))
}

/// Reads a file a project refers to by its name alone (a base or an
/// override beside a named file): a regular file only.
fn read_neighbour(path: &Path) -> Result<Input, String> {
    let bytes = crate::read::read_regular_file(path, crate::read::MAX_FILE_SIZE)
        .map_err(|error| format!("{} {error}", path.display()))?;
    Ok(input_from_bytes(path.to_path_buf(), bytes))
}

/// Reads every file the user named, once, before the files are planned
/// into units: its kind may depend on its content, and a pipe
/// (`<(cat Dockerfile)`) gives its bytes only once.
pub fn read_named(targets: &[discover::Target]) -> Result<HashMap<PathBuf, Input>, String> {
    let mut inputs = HashMap::new();
    for target in targets.iter().filter(|target| target.explicit) {
        if !inputs.contains_key(&target.path) {
            inputs.insert(target.path.clone(), read_input(&target.path)?);
        }
    }
    Ok(inputs)
}

/// The units of `targets`, with the kinds of the files already read.
pub fn plan(targets: &[discover::Target], read: &HashMap<PathBuf, Input>, settings: &Settings) -> Vec<Unit> {
    discover::plan_with_kinds(targets, settings, &|path| read.get(path).map(|input| input.source.kind))
}

/// An input from bytes already read (a file, or standard input under `path`).
pub fn input_from_bytes(path: std::path::PathBuf, bytes: Vec<u8>) -> Input {
    let kind = discover::kind_by_name(&path)
        .unwrap_or_else(|| discover::kind_of_named(&path, &String::from_utf8_lossy(&bytes)));
    let (source, encoding_error) = source_from_bytes(path, kind, bytes);
    Input { source, encoding_error }
}

/// What one unit of work reads: a Dockerfile, or the files of a compose
/// project with the variants it is deployed as.
pub struct UnitInput {
    /// With whether each is primary (see [`crate::compose::model::ProjectFile::primary`]).
    pub files: Vec<(Input, bool)>,
    /// Empty for a Dockerfile.
    pub variants: Vec<Variant>,
}

/// Reads the files of a planned unit; `provided` holds texts already read
/// (standard input), by path. A primary file that cannot be read is an
/// error; a file the project only refers to is left out.
pub fn read_unit(unit: &Unit, provided: &mut HashMap<PathBuf, Input>) -> Result<UnitInput, String> {
    let mut files = Vec::new();
    let mut index = Vec::new();
    for planned in &unit.files {
        let input = match provided.remove(&planned.path) {
            Some(input) => input,
            None => match if planned.primary {
                read_input(&planned.path)
            } else {
                read_neighbour(&planned.path)
            } {
                Ok(input) => input,
                Err(error) if planned.primary => return Err(error),
                Err(_) => {
                    index.push(None);
                    continue;
                }
            },
        };
        index.push(Some(files.len() as FileId));
        files.push((input, planned.primary));
    }
    let variants = unit
        .variants
        .iter()
        .filter_map(|variant| {
            let files: Option<Vec<FileId>> = variant.files.iter().map(|&at| index[at as usize]).collect();
            let files = files.or_else(|| {
                // An unreadable base: the overlay stands alone.
                let own: Vec<FileId> = variant.files.iter().filter_map(|&at| index[at as usize]).collect();
                (!own.is_empty()).then_some(own)
            })?;
            Some(Variant {
                files,
                production: variant.production,
            })
        })
        .collect();
    Ok(UnitInput { files, variants })
}

/// Lints a unit: every file of it, each with its findings.
pub fn lint_unit(unit: UnitInput, settings: &Settings) -> Vec<Checked> {
    let is_dockerfile = unit
        .files
        .first()
        .is_some_and(|(input, _)| input.source.kind == FileKind::Dockerfile);
    if is_dockerfile {
        return unit
            .files
            .into_iter()
            .map(|(input, _)| lint_dockerfile(input.source, settings, input.encoding_error))
            .collect();
    }
    let files = unit
        .files
        .into_iter()
        .map(|(input, primary)| (input.source, input.encoding_error, primary))
        .collect();
    lint_project(files, unit.variants, settings)
}

/// Finds, reads and lints everything under `paths`.
pub fn lint_paths(paths: &[PathBuf], settings: &Settings) -> Result<Vec<Checked>, String> {
    let mut targets = discover::discover(paths)?;
    discover::add_declared(&mut targets, paths, settings);
    let mut read = read_named(&targets)?;
    let units = plan(&targets, &read, settings);
    let mut checked = Vec::new();
    for unit in &units {
        checked.extend(lint_unit(read_unit(unit, &mut read)?, settings));
    }
    Ok(merge_checked(checked))
}

/// Reads and lints the file at `path` (with the project it belongs to),
/// returning its own findings.
pub fn lint_file(path: &Path, settings: &Settings) -> Result<Checked, String> {
    let checked = lint_paths(&[path.to_path_buf()], settings)?;
    let tidy = |path: &Path| path.components().collect::<PathBuf>();
    checked
        .into_iter()
        .find(|checked| tidy(&checked.source.path) == tidy(path))
        .ok_or_else(|| format!("{}: not linted", path.display()))
}

/// One report per file: a file reached from several units (an included
/// file that is also linted itself) has its findings joined, each once. A
/// suppression comment is unused (S008) only when it silenced nothing in
/// every unit: a service another project does not extend is silenced in
/// the file's own project.
pub fn merge_checked(all: Vec<Checked>) -> Vec<Checked> {
    let mut merged: Vec<(Checked, Option<Distinct>)> = Vec::with_capacity(all.len());
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let is_unused_suppression = |diagnostic: &Diagnostic| diagnostic.rule.code == unused_suppression::META.code;
    for checked in all {
        match by_path.get(&checked.source.path) {
            Some(&at) => {
                let (into, distinct) = &mut merged[at];
                let distinct = distinct.get_or_insert_with(|| Distinct::of(&into.diagnostics));
                let unused_here: HashSet<FindingKey> = checked
                    .diagnostics
                    .iter()
                    .filter(|diagnostic| is_unused_suppression(diagnostic))
                    .map(finding_key)
                    .collect();
                into.diagnostics.retain(|diagnostic| {
                    !is_unused_suppression(diagnostic) || unused_here.contains(&finding_key(diagnostic))
                });
                for diagnostic in checked.diagnostics {
                    if !is_unused_suppression(&diagnostic) {
                        distinct.push(&mut into.diagnostics, diagnostic);
                    }
                }
            }
            None => {
                by_path.insert(checked.source.path.clone(), merged.len());
                merged.push((checked, None));
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut checked, distinct)| {
            if distinct.is_some() {
                sort(&checked.source, &mut checked.diagnostics);
            }
            checked
        })
        .collect()
}

/// What makes two findings the same finding in the same file (its
/// [`FileId`] may differ between the projects that reach the file).
type FindingKey = (&'static str, usize, usize, String);

fn finding_key(diagnostic: &Diagnostic) -> FindingKey {
    (
        diagnostic.rule.code,
        diagnostic.span.start,
        diagnostic.span.end,
        diagnostic.message.clone(),
    )
}

/// The keys of a file's findings so far, so that adding one finding checks
/// for its twin in constant time (a project of thousands of services
/// reaches the same findings through every variant).
struct Distinct(HashSet<FindingKey>);

impl Distinct {
    fn of(diagnostics: &[Diagnostic]) -> Self {
        Self(diagnostics.iter().map(finding_key).collect())
    }

    /// Adds `diagnostic` to `into` unless the same finding is there.
    fn push(&mut self, into: &mut Vec<Diagnostic>, diagnostic: Diagnostic) {
        if self.0.insert(finding_key(&diagnostic)) {
            into.push(diagnostic);
        }
    }
}

/// Lints one file alone: a Dockerfile, or a compose file as a project of one.
pub fn lint(source: SourceFile, settings: &Settings, encoding_error: Option<Diagnostic>) -> Checked {
    match source.kind {
        FileKind::Dockerfile => lint_dockerfile(source, settings, encoding_error),
        FileKind::Compose => {
            let variants = vec![Variant {
                files: vec![0],
                production: discover::is_production(&source.path, settings),
            }];
            let mut checked = lint_project(vec![(source, encoding_error, true)], variants, settings);
            checked.swap_remove(0)
        }
    }
}

fn lint_dockerfile(source: SourceFile, settings: &Settings, encoding_error: Option<Diagnostic>) -> Checked {
    let mut diagnostics: Vec<Diagnostic> = encoding_error.into_iter().collect();
    let parsed = dockerfile::parse(&source.text);
    let cx = DockerfileContext {
        source: &source,
        dockerfile: &parsed,
        standards: &settings.standards,
    };
    for rule in RULES.iter().filter(|rule| settings.is_enabled(rule.meta().code)) {
        rule.check_dockerfile(&cx, &mut diagnostics);
    }
    let targets = if has_suppressions(&source) {
        dockerfile_targets(&source, &parsed)
    } else {
        Vec::new()
    };
    finish(source, diagnostics, &targets, settings, &|_| true)
}

/// Lints a compose project: each file alone with the file-scope rules, and
/// the merged model of each variant with the project-scope rules. A finding
/// goes to the file its span lies in; one reached through several variants
/// is reported once. Returns every file of the project (those it includes
/// or extends too), in [`FileId`] order.
pub fn lint_project(
    files: Vec<(SourceFile, Option<Diagnostic>, bool)>,
    variants: Vec<Variant>,
    settings: &Settings,
) -> Vec<Checked> {
    let mut project = Project::new(files, variants, settings);
    let variants = project.variants.clone();
    // A variant of one file with no `include` or `extends` is that file's
    // own document: no merged copy is made.
    let models: Vec<(Variant, Option<Model>)> = variants
        .into_iter()
        .map(|variant| {
            let model = project
                .needs_model(&variant.files)
                .then(|| project.model(&variant.files));
            (variant, model)
        })
        .collect();
    let enabled: Vec<&dyn Rule> = RULES
        .iter()
        .copied()
        .filter(|rule| settings.is_enabled(rule.meta().code))
        .collect();
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); project.files.len()];
    let no_built = HashMap::new();
    for (id, file) in project.files.iter().enumerate() {
        found[id].extend(file.encoding_error.iter().cloned());
        let cx = ComposeContext {
            source: &file.source,
            yaml: &file.yaml,
            file: file.yaml.documents.first().and_then(ComposeFile::new),
            files: &project.files,
            production: false,
            built: &no_built,
            standards: &settings.standards,
            interpolation: &file.interpolation,
            reach: None,
            problems: &[],
            variant_roots: &[],
        };
        for rule in enabled.iter().filter(|rule| rule.scope() == Scope::File) {
            rule.check_compose(&cx, &mut found[id]);
        }
    }
    // One file's own unresolved values, or every file's for a project of several.
    let union;
    let unresolved = match project.files.as_slice() {
        [only] => &only.interpolation,
        _ => {
            union = project.unresolved();
            &union
        }
    };
    let variant_roots: Vec<&Node> = models
        .iter()
        .filter_map(|(variant, model)| model_root(&project.files, variant, model))
        .collect();
    let mut distinct: Vec<Distinct> = found.iter().map(|diagnostics| Distinct::of(diagnostics)).collect();
    for (variant, model) in &models {
        let Some(last) = variant.files.last().map(|&id| &project.files[id as usize]) else {
            continue;
        };
        let file = model_root(&project.files, variant, model).and_then(ComposeFile::new);
        let built = match file {
            Some(file) => build::load_built(&file, project.reach(), |span| {
                project.files.get(span.file as usize)?.dir()
            }),
            None => HashMap::new(),
        };
        let cx = ComposeContext {
            source: &last.source,
            yaml: &last.yaml,
            file,
            files: &project.files,
            production: variant.production,
            built: &built,
            standards: &settings.standards,
            interpolation: unresolved,
            reach: Some(project.reach()),
            problems: model.as_ref().map_or(&[], |model| &model.problems),
            variant_roots: &variant_roots,
        };
        let mut diagnostics = Vec::new();
        for rule in &enabled {
            match rule.scope() {
                Scope::Project => rule.check_compose(&cx, &mut diagnostics),
                Scope::File => rule.check_merged(&cx, &mut diagnostics),
            }
        }
        for mut diagnostic in diagnostics {
            let id = (diagnostic.span.file as usize).min(found.len() - 1);
            // A report shows one file per finding: places in other files are
            // named in the message, not labelled.
            let file = diagnostic.span.file;
            diagnostic.labels.retain(|label| label.span.file == file);
            distinct[id].push(&mut found[id], diagnostic);
        }
    }
    project
        .files
        .into_iter()
        .zip(found)
        .map(|(file, diagnostics)| finish_compose(file.source, &file.yaml, diagnostics, settings, &|_| true))
        .collect()
}

/// The model rules see for a variant: the merged one, or the only file's own document.
fn model_root<'a>(
    files: &'a [crate::compose::model::ProjectFile],
    variant: &Variant,
    model: &'a Option<Model>,
) -> Option<&'a Node> {
    match model {
        Some(model) => model.root.as_ref(),
        None => files[variant.files[0] as usize].yaml.documents.first(),
    }
}

/// Applies severities, per-file ignores and the suppression comments of a
/// compose file (parsed as `yaml`), and sorts. `ran` says which rules ran:
/// a suppression of another rule is not judged unused (S008).
pub fn finish_compose(
    source: SourceFile,
    yaml: &crate::compose::yaml::YamlOutput,
    diagnostics: Vec<Diagnostic>,
    settings: &Settings,
    ran: &dyn Fn(&str) -> bool,
) -> Checked {
    let targets = if has_suppressions(&source) {
        yaml_targets(&source, &yaml.documents)
    } else {
        Vec::new()
    };
    finish(source, diagnostics, &targets, settings, ran)
}

/// Applies severities, per-file ignores and suppression comments, and sorts.
fn finish(
    source: SourceFile,
    mut diagnostics: Vec<Diagnostic>,
    targets: &[Option<Span>],
    settings: &Settings,
    ran: &dyn Fn(&str) -> bool,
) -> Checked {
    diagnostics.retain(|diagnostic| settings.is_enabled(diagnostic.rule.code));
    for diagnostic in &mut diagnostics {
        diagnostic.severity = settings.severity(diagnostic.rule, diagnostic.severity);
    }
    let ignored = settings.ignored_for(&source.path);
    diagnostics.retain(|diagnostic| !ignored.contains(&diagnostic.rule.code));
    suppress::apply(
        &source,
        &mut diagnostics,
        &|line| targets.get(line).copied().flatten(),
        &|code| ran(code) && settings.is_enabled(code) && !ignored.contains(&code),
        settings.severity(
            &syntax::unused_suppression::META,
            syntax::unused_suppression::META.severity,
        ),
    );
    sort(&source, &mut diagnostics);
    Checked { source, diagnostics }
}

fn has_suppressions(source: &SourceFile) -> bool {
    source.text.contains("vwe-lint:")
}

/// Sorted by line, column, then code: the order every report shows.
fn sort(source: &SourceFile, diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_cached_key(|diagnostic| {
        (
            source.line_col(diagnostic.span.start),
            diagnostic.rule.code,
            diagnostic.span.end,
        )
    });
}

/// For each line of `source`, the span of the entry or instruction a
/// suppression comment on the line before it covers (parsed anew).
pub fn suppression_targets(source: &SourceFile) -> Vec<Option<Span>> {
    match source.kind {
        FileKind::Compose => yaml_targets(source, &crate::compose::yaml::parse(&source.text).documents),
        FileKind::Dockerfile => dockerfile_targets(source, &dockerfile::parse(&source.text)),
    }
}

/// For each line, the span of the outermost YAML entry whose key starts on it.
fn yaml_targets(source: &SourceFile, documents: &[Node]) -> Vec<Option<Span>> {
    let mut targets = vec![None; source.lines.line_count()];
    let mut stack: Vec<&Node> = documents.iter().collect();
    while let Some(node) = stack.pop() {
        // Alias copies and merged entries point at text written elsewhere.
        if node.alias.is_some() {
            continue;
        }
        match &node.value {
            Value::Mapping(mapping) => {
                for entry in mapping.entries.iter().filter(|entry| entry.merged_from.is_none()) {
                    let line = source.lines.line_of(entry.key.span.start);
                    let span = entry.key.span.cover(entry.value.span);
                    // Parents are visited before their children, so the outer entry keeps the line.
                    if targets[line].is_none() {
                        targets[line] = Some(span);
                    }
                    stack.push(&entry.value);
                }
            }
            Value::Sequence(items) => stack.extend(items.iter()),
            Value::Null | Value::Scalar(_) => {}
        }
    }
    targets
}

/// For each line, the span of the Dockerfile instruction that starts on it.
fn dockerfile_targets(source: &SourceFile, parsed: &dockerfile::Dockerfile) -> Vec<Option<Span>> {
    let mut targets = vec![None; source.lines.line_count()];
    for instruction in &parsed.instructions {
        targets[source.lines.line_of(instruction.span.start)] = Some(instruction.span);
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(path: &str, findings: impl Iterator<Item = usize>) -> Checked {
        let source = SourceFile::new(PathBuf::from(path), FileKind::Compose, "services: {}\n".to_string());
        let diagnostics = findings
            .map(|at| Diagnostic::new(&syntax::yaml_syntax::META, Span::new(at, at + 1), "same text"))
            .collect();
        Checked { source, diagnostics }
    }

    #[test]
    fn merged_reports_hold_each_finding_once() {
        let merged = merge_checked(vec![
            checked("a.yaml", [1, 2].into_iter()),
            checked("b.yaml", [1].into_iter()),
            checked("a.yaml", [2, 3, 3].into_iter()),
        ]);
        let starts = |checked: &Checked| checked.diagnostics.iter().map(|d| d.span.start).collect::<Vec<_>>();
        assert_eq!(merged.len(), 2);
        assert_eq!(starts(&merged[0]), [1, 2, 3]);
        assert_eq!(starts(&merged[1]), [1]);
    }

    /// A library file linted in the project that extends it and in its own:
    /// a comment the own project used is not unused for the other's sake.
    #[test]
    fn a_suppression_is_unused_only_when_no_unit_used_it() {
        let unused = |at: usize| Diagnostic::new(&unused_suppression::META, Span::new(at, at + 1), "unused");
        let mut in_library = checked("a.yaml", [1].into_iter());
        in_library.diagnostics.extend([unused(5), unused(7)]);
        let mut own = checked("a.yaml", [2].into_iter());
        own.diagnostics.push(unused(7));
        let merged = merge_checked(vec![in_library, own]);
        let codes: Vec<(&str, usize)> = merged[0]
            .diagnostics
            .iter()
            .map(|d| (d.rule.code, d.span.start))
            .collect();
        assert_eq!(codes, [("S001", 1), ("S001", 2), ("S008", 7)]);
    }

    /// Comparing each finding with every earlier one would take minutes here.
    #[test]
    fn merging_many_findings_is_not_quadratic() {
        let count = 60_000;
        let merged = merge_checked(vec![
            checked("a.yaml", 0..count),
            checked("a.yaml", (0..count).map(|at| at + count / 2)),
        ]);
        assert_eq!(merged[0].diagnostics.len(), count + count / 2);
    }
}
