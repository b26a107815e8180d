//! One file through the pipeline: parse, run the enabled rules, apply
//! severities, per-file ignores and suppression comments, sort.

use std::collections::HashMap;
use std::path::Path;

use crate::compose::interpolate::{self, Interpolation};
use crate::compose::yaml::{self, Node, Value, YamlOutput};
use crate::compose::{ComposeFile, build};
use crate::diagnostic::Diagnostic;
use crate::discover;
use crate::dockerfile::parse as dockerfile;
use crate::rules::{ComposeContext, DockerfileContext, RULES, RuleMeta, syntax};
use crate::settings::Settings;
use crate::source::{FileKind, SourceFile, Span};
use crate::suppress;

/// A linted file and what was found in it.
pub struct Checked {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// Builds the source from raw bytes: text that is not UTF-8 is read lossily
/// and reported at the first bad byte, so no input is ever refused silently.
pub fn source_from_bytes(path: std::path::PathBuf, kind: FileKind, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(path, kind, text), None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let meta: &'static RuleMeta = match kind {
                FileKind::Compose => &syntax::yaml_syntax::META,
                FileKind::Dockerfile => &syntax::dockerfile_syntax::META,
            };
            let diagnostic = Diagnostic::new(meta, Span::new(offset, offset + 1), "the file is not valid UTF-8")
                .with_label("invalid byte")
                .with_help("save the file as UTF-8");
            (SourceFile::new(path, kind, text), Some(diagnostic))
        }
    }
}

/// A file read from disk, ready to lint or fix.
pub struct Input {
    pub source: SourceFile,
    /// Set when the bytes were not UTF-8 (the text is then lossy).
    pub encoding_error: Option<Diagnostic>,
    /// The base compose file, when this one is an overlay.
    pub base_text: Option<String>,
}

/// Reads the file at `path`. Its kind comes from its name, or (for a file
/// named explicitly with another name) from its extension or content.
pub fn read_input(path: &Path) -> Result<Input, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    Ok(input_from_bytes(path.to_path_buf(), bytes))
}

/// An input from bytes already read (a file, or standard input under `path`).
pub fn input_from_bytes(path: std::path::PathBuf, bytes: Vec<u8>) -> Input {
    let kind = discover::kind_by_name(&path)
        .unwrap_or_else(|| discover::kind_of_named(&path, &String::from_utf8_lossy(&bytes)));
    let base_text = read_base(&path, kind);
    let (source, encoding_error) = source_from_bytes(path, kind, bytes);
    Input {
        source,
        encoding_error,
        base_text,
    }
}

/// Reads and lints the file at `path`.
pub fn lint_file(path: &Path, settings: &Settings) -> Result<Checked, String> {
    let input = read_input(path)?;
    Ok(lint(
        input.source,
        settings,
        input.encoding_error,
        input.base_text.as_deref(),
    ))
}

/// The text of the base compose file an overlay amends. An unreadable base
/// is reported when it is linted itself; the overlay then stands alone.
pub fn read_base(path: &Path, kind: FileKind) -> Option<String> {
    if kind != FileKind::Compose {
        return None;
    }
    std::fs::read_to_string(discover::base_of(path)?).ok()
}

/// Lints one file. `base_text` is the text of the base compose file when
/// `source` is an overlay (see [`crate::discover::base_of`]).
pub fn lint(
    source: SourceFile,
    settings: &Settings,
    encoding_error: Option<Diagnostic>,
    base_text: Option<&str>,
) -> Checked {
    let mut diagnostics: Vec<Diagnostic> = encoding_error.into_iter().collect();
    let enabled = || RULES.iter().filter(|rule| settings.is_enabled(rule.meta().code));
    let targets: Vec<Option<Span>> = match source.kind {
        FileKind::Compose => {
            let (parsed, interpolation) = parse_interpolated(&source.text, &source.path, settings);
            let file = parsed.documents.first().and_then(ComposeFile::new);
            // An overlay's base lies in the same directory: the same variables apply.
            let base_yaml = base_text.map(|text| parse_interpolated(text, &source.path, settings).0);
            let base = base_yaml
                .as_ref()
                .and_then(|base| base.documents.first())
                .and_then(ComposeFile::new);
            let project_dir = source.path.parent().map(|dir| {
                if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                }
            });
            let project_dir = project_dir.filter(|dir| dir.is_dir());
            let built = match (file, project_dir) {
                (Some(file), Some(dir)) => build::load_built(&file, dir),
                _ => HashMap::new(),
            };
            let cx = ComposeContext {
                source: &source,
                yaml: &parsed,
                file,
                base,
                project_dir,
                built: &built,
                standards: &settings.standards,
                interpolation: &interpolation,
            };
            for rule in enabled() {
                rule.check_compose(&cx, &mut diagnostics);
            }
            if has_suppressions(&source) {
                yaml_targets(&source, &parsed.documents)
            } else {
                Vec::new()
            }
        }
        FileKind::Dockerfile => {
            let parsed = dockerfile::parse(&source.text);
            let cx = DockerfileContext {
                source: &source,
                dockerfile: &parsed,
                standards: &settings.standards,
            };
            for rule in enabled() {
                rule.check_dockerfile(&cx, &mut diagnostics);
            }
            if has_suppressions(&source) {
                dockerfile_targets(&source, &parsed)
            } else {
                Vec::new()
            }
        }
    };
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
        &|code| settings.is_enabled(code) && !ignored.contains(&code),
    );
    sort(&source, &mut diagnostics);
    Checked { source, diagnostics }
}

/// Parses compose text and interpolates its values with the variables for a
/// file at `path`: the run's environment, over `.env` beside the file unless
/// `--env-file` replaced it. Rules then see the values Compose would deploy.
fn parse_interpolated(text: &str, path: &Path, settings: &Settings) -> (YamlOutput, Interpolation) {
    let mut parsed = yaml::parse(text);
    let mut found = Interpolation::default();
    // Without a `$` there is nothing to interpolate, and no `.env` to read.
    if text.contains('$') {
        let environment = &settings.environment;
        let dir = path.parent().map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        });
        let dot_env = dir
            .and_then(|dir| environment.dot_env_path(dir))
            .and_then(|path| std::fs::read_to_string(path).ok());
        let variables = environment.variables(dot_env.as_deref());
        for document in &mut parsed.documents {
            interpolate::apply(text, document, &variables, &mut found);
        }
    }
    (parsed, found)
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
