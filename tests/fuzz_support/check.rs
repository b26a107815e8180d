//! The invariants one case must keep, run in-process through the library as
//! `vwe-lint` runs: reports free of raw control characters and of text from
//! outside the project; suppressions that silence only what they name;
//! `--fix` output that parses, keeps every comment and converges in one run.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use vwe_lint::discover;
use vwe_lint::fix::{self, FixMode, Fixed};
use vwe_lint::lint::{self, Checked};
use vwe_lint::report::{self, Format};
use vwe_lint::rules;
use vwe_lint::settings::{Overrides, Settings};
use vwe_lint::source::FileKind;

use super::generate::CANARY;
use super::{Case, SELECT_FILE};

/// Which promise a case broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Crash,
    Hang,
    BrokenFix,
    LostComment,
    NonConvergent,
    WidenedSuppression,
    ControlCharacter,
    Leak,
    /// The generator wrote a file that does not parse: a harness bug.
    Generator,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Crash,
        Kind::Hang,
        Kind::BrokenFix,
        Kind::LostComment,
        Kind::NonConvergent,
        Kind::WidenedSuppression,
        Kind::ControlCharacter,
        Kind::Leak,
        Kind::Generator,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Crash => "crash",
            Kind::Hang => "hang",
            Kind::BrokenFix => "broken-fix",
            Kind::LostComment => "lost-comment",
            Kind::NonConvergent => "non-convergent-fix",
            Kind::WidenedSuppression => "widened-suppression",
            Kind::ControlCharacter => "control-character",
            Kind::Leak => "leak",
            Kind::Generator => "generator",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

pub struct Failure {
    pub kind: Kind,
    pub detail: String,
}

fn fail(kind: Kind, detail: impl Into<String>) -> Result<(), Failure> {
    Err(Failure {
        kind,
        detail: detail.into(),
    })
}

const MARKER: &str = "vwe-lint:";
/// Same length as [`MARKER`], so every span of the twin is the same.
const INERT: &str = "vwe-note:";
const PARSE_ERRORS: [&str; 3] = ["S001", "S002", "S005"];

/// Runs every check on `case`, written under `root` (a scratch directory),
/// and returns each promise it broke.
pub fn case(case: &Case, root: &Path) -> Vec<Failure> {
    case.write(root).expect("the case is written");
    let all = settings(None);
    let project = root.join("project");
    if case.origin == "generated"
        && let Err(failure) = generated_files_parse(case, &all)
    {
        return vec![failure];
    }
    let Ok(checked) = lint::lint_paths(std::slice::from_ref(&project), &all) else {
        // An error for the whole run (exit 2) is an answer too.
        return Vec::new();
    };
    let select = case
        .files
        .iter()
        .find(|(path, _)| path == SELECT_FILE)
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned());
    [
        reports_are_clean(&checked, case),
        suppressions_do_not_widen(case, root, &checked, &all),
        fixes_keep_promises(&project, &settings(select.as_deref()), &all),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

/// Settings with no config file, all rules on, or those of `select`.
fn settings(select: Option<&str>) -> Settings {
    let empty = tempfile::tempdir().expect("a scratch directory");
    let overrides = Overrides {
        select: select.map(|list| list.split(',').map(str::to_string).collect()),
        ..Overrides::default()
    };
    Settings::load(empty.path(), &overrides).expect("the selection is valid")
}

fn lint_alone(path: &str, bytes: &[u8], settings: &Settings) -> Checked {
    let kind = discover::kind_of_named(Path::new(path), &String::from_utf8_lossy(bytes));
    let (source, encoding_error) = lint::source_from_bytes(PathBuf::from(path), kind, bytes.to_vec());
    lint::lint(source, settings, encoding_error)
}

fn parse_errors(checked: &Checked) -> HashMap<&'static str, usize> {
    let mut counts = HashMap::new();
    for diagnostic in &checked.diagnostics {
        if PARSE_ERRORS.contains(&diagnostic.rule.code) {
            *counts.entry(diagnostic.rule.code).or_insert(0) += 1;
        }
    }
    counts
}

fn generated_files_parse(case: &Case, settings: &Settings) -> Result<(), Failure> {
    for (path, bytes) in &case.files {
        let linted = path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with("Dockerfile");
        if !linted || path.starts_with("outside/") {
            continue;
        }
        let checked = lint_alone(path, bytes, settings);
        if let Some(error) = checked.diagnostics.iter().find(|d| PARSE_ERRORS.contains(&d.rule.code)) {
            let line = checked.source.line_col(error.span.start).line;
            let text = String::from_utf8_lossy(bytes);
            return fail(
                Kind::Generator,
                format!("{path}:{line}: {}: {}\n{text}", error.rule.code, error.message),
            );
        }
    }
    Ok(())
}

/// No format writes a raw control character (a terminal escape) or the
/// text of a file outside the project.
fn reports_are_clean(checked: &[Checked], case: &Case) -> Result<(), Failure> {
    let canary_inside = case
        .files
        .iter()
        .any(|(path, bytes)| path.starts_with("project/") && contains(bytes, CANARY.as_bytes()));
    for &format in <Format as clap::ValueEnum>::value_variants() {
        let text = report::render(format, checked, false);
        if let Some(at) = text
            .char_indices()
            .find_map(|(at, c)| raw_control(&text, at, c).then_some(at))
        {
            let line = text[..at].lines().last().unwrap_or_default();
            return fail(
                Kind::ControlCharacter,
                format!(
                    "{format:?} output has a raw {:?} after {line:?}",
                    text[at..].chars().next()
                ),
            );
        }
        if !canary_inside && text.contains(CANARY) {
            let line = text.lines().find(|line| line.contains(CANARY)).unwrap_or_default();
            return fail(
                Kind::Leak,
                format!("{format:?} output quotes a file outside the project: {line}"),
            );
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// A control character other than a line break or tab (C0, DEL or C1).
fn raw_control(text: &str, at: usize, c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\r' => !text[at + 1..].starts_with('\n'),
        _ => c.is_control(),
    }
}

/// Compares the findings with those of a twin of the case whose suppression
/// comments are made inert: what the comments silence must be findings of
/// the codes they name, in their own file.
fn suppressions_do_not_widen(
    case: &Case,
    root: &Path,
    checked: &[Checked],
    settings: &Settings,
) -> Result<(), Failure> {
    if !case.files.iter().any(|(_, bytes)| contains(bytes, MARKER.as_bytes())) {
        return Ok(());
    }
    let mut twin = case.clone();
    for (_, bytes) in &mut twin.files {
        *bytes = String::from_utf8_lossy(bytes).replace(MARKER, INERT).into_bytes();
    }
    // Lossy decoding changes byte lengths: such a twin is not comparable.
    if twin
        .files
        .iter()
        .zip(&case.files)
        .any(|((_, a), (_, b))| a.len() != b.len())
    {
        return Ok(());
    }
    let twin_root = root.with_extension("twin");
    twin.write(&twin_root).expect("the twin is written");
    let Ok(unsuppressed) = lint::lint_paths(&[twin_root.join("project")], settings) else {
        return Ok(());
    };
    // Messages may name other files of the case by absolute path: those are
    // compared relative to the case's root.
    let key = |root: &Path, checked: &Checked| -> Vec<(PathBuf, &'static str, usize, usize, String)> {
        let path = checked.source.path.strip_prefix(root).unwrap_or(&checked.source.path);
        let root_text = root.display().to_string();
        checked
            .diagnostics
            .iter()
            .map(|d| {
                (
                    path.to_path_buf(),
                    d.rule.code,
                    d.span.start,
                    d.span.end,
                    d.message.replace(&root_text, "<case>"),
                )
            })
            .collect()
    };
    let kept: HashSet<_> = checked.iter().flat_map(|checked| key(root, checked)).collect();
    for file in &unsuppressed {
        let relative = file.source.path.strip_prefix(&twin_root).unwrap_or(&file.source.path);
        let original = case
            .files
            .iter()
            .find(|(path, _)| Path::new(path) == relative)
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        let Some(named) = named_codes(&original) else {
            continue;
        };
        for finding in key(&twin_root, file) {
            let code = finding.1;
            if code == "S008" || named.contains(code) || kept.contains(&finding) {
                continue;
            }
            let comments: Vec<&str> = original.lines().filter(|line| line.contains(MARKER)).collect();
            return fail(
                Kind::WidenedSuppression,
                format!(
                    "{} {code} {:?} is silenced by {comments:?}",
                    relative.display(),
                    finding.4
                ),
            );
        }
    }
    Ok(())
}

/// The real rule codes the suppression comments of `text` name; `None` when
/// one of them names none (`# vwe-lint: ignore` silences every rule).
fn named_codes(text: &str) -> Option<HashSet<&'static str>> {
    let mut named = HashSet::new();
    for line in text.lines() {
        let Some(at) = line.find(MARKER) else { continue };
        let rest = line[at + MARKER.len()..].trim_start();
        let Some(rest) = rest.strip_prefix("ignore-file").or_else(|| rest.strip_prefix("ignore")) else {
            continue;
        };
        let list = rest.strip_prefix('[')?;
        // Unbalanced brackets name nothing.
        let Some(end) = list.find(']') else { continue };
        for code in list[..end].split([',', ' ']).map(str::trim) {
            if let Some(meta) = rules::all_metas().find(|meta| meta.code == code) {
                named.insert(meta.code);
            }
        }
    }
    Some(named)
}

/// `vwe-lint --fix --unsafe-fixes project`, in memory.
fn fix_project(project: &Path, settings: &Settings) -> Vec<Fixed> {
    let paths = [project.to_path_buf()];
    let Ok(mut targets) = discover::discover(&paths) else {
        return Vec::new();
    };
    discover::add_declared(&mut targets, &paths, settings);
    let mut fixed = Vec::new();
    for unit in discover::plan(&targets, settings) {
        if let Ok(input) = lint::read_unit(&unit, &mut HashMap::new()) {
            fixed.extend(fix::fix_unit(input, settings, FixMode::Unsafe));
        }
    }
    fix::merge_fixed(fixed)
}

/// Every file `--fix` writes parses as well as before (checked with all
/// rules, whatever the selection), keeps every comment, quotes nothing from
/// outside, and a second `--fix` changes nothing.
fn fixes_keep_promises(project: &Path, settings: &Settings, all: &Settings) -> Result<(), Failure> {
    let fixed = fix_project(project, settings);
    for file in fixed.iter().filter(|file| file.changed()) {
        let path = file.checked.source.path.display().to_string();
        let text = &file.checked.source.text;
        let before = parse_errors(&lint_alone(&path, file.original.as_bytes(), all));
        let after = parse_errors(&lint_alone(&path, text.as_bytes(), all));
        if after
            .iter()
            .any(|(code, count)| before.get(code).copied().unwrap_or(0) < *count)
        {
            return fail(
                Kind::BrokenFix,
                format!(
                    "{path}: {after:?} after the fix, {before:?} before\n{}",
                    fix::unified_diff(file)
                ),
            );
        }
        let kind = file.checked.source.kind;
        if let Some(comment) = lost_comment(&file.original, text, kind) {
            return fail(
                Kind::LostComment,
                format!("{path}: {comment:?}\n{}", fix::unified_diff(file)),
            );
        }
        if text.contains(CANARY) && !file.original.contains(CANARY) {
            return fail(
                Kind::Leak,
                format!("{path}: the fix copied text from outside the project"),
            );
        }
    }
    for file in fixed.iter().filter(|file| file.changed()) {
        std::fs::write(&file.checked.source.path, &file.checked.source.text).expect("the fixed file is written");
    }
    if let Some(again) = fix_project(project, settings).iter().find(|file| file.changed()) {
        return fail(
            Kind::NonConvergent,
            format!("a second --fix changed:\n{}", fix::unified_diff(again)),
        );
    }
    Ok(())
}

/// A comment of `original` that `fixed` has fewer copies of.
fn lost_comment(original: &str, fixed: &str, kind: FileKind) -> Option<String> {
    let mut kept: HashMap<String, isize> = HashMap::new();
    for comment in comments(fixed, kind) {
        *kept.entry(comment).or_default() += 1;
    }
    comments(original, kind).into_iter().find(|comment| {
        let count = kept.entry(comment.clone()).or_default();
        *count -= 1;
        *count < 0
    })
}

/// The comment texts of a file. A line that is a comment is one whole (a
/// fix may move a trailing comment onto a line of its own, `# a # b`).
fn comments(text: &str, kind: FileKind) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end_matches('\r');
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                return Some(trimmed.to_string());
            }
            match kind {
                FileKind::Compose => line.find(" #").map(|at| line[at + 1..].to_string()),
                FileKind::Dockerfile => None,
            }
        })
        .collect()
}
