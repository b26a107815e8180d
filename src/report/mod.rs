//! Output formats. Every format reads the same linted files; the summary
//! counts are shared.

pub mod checkstyle;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;
mod xml;

use crate::diagnostic::Severity;
use crate::lint::Checked;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help, through miette.
    Human,
    /// One line per finding: `file:line:col: CODE [severity] message`.
    Concise,
    /// One JSON array of findings.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// Checkstyle XML.
    Checkstyle,
    /// JUnit XML: one test case per finding.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// Renders `files` in `format`; `color` applies to human output only.
pub fn render(format: Format, files: &[Checked], color: bool) -> String {
    match format {
        Format::Human => human::render(files, color),
        Format::Concise => concise::render(files),
        Format::Json => json::render(files),
        Format::JsonLines => json::render_lines(files),
        Format::Sarif => sarif::render(files),
        Format::Github => github::render(files),
        Format::Checkstyle => checkstyle::render(files),
        Format::Junit => junit::render(files),
        Format::Gitlab => gitlab::render(files),
    }
}

/// Whether a person reads the format (then a summary line follows).
pub fn is_for_people(format: Format) -> bool {
    matches!(format, Format::Human | Format::Concise)
}

/// Finding counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(files: &[Checked]) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// The highest severity found, if anything was.
    pub fn highest(&self) -> Option<Severity> {
        if self.errors > 0 {
            Some(Severity::Error)
        } else if self.warnings > 0 {
            Some(Severity::Warning)
        } else if self.infos > 0 {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// `2 errors, 1 warning in 3 files`, with infos added when there are any.
pub fn summary_line(counts: Counts, files: usize) -> String {
    let mut line = format!(
        "{}, {} in {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(files, "file")
    );
    if counts.infos > 0 {
        line.push_str(&format!(" ({})", plural(counts.infos, "info")));
    }
    line
}

/// Every finding with its file, sorted by file, line, column and code: the
/// order every machine format uses.
pub(crate) fn sorted(files: &[Checked]) -> Vec<(&Checked, &crate::diagnostic::Diagnostic)> {
    let mut all: Vec<(&Checked, &crate::diagnostic::Diagnostic)> = files
        .iter()
        .flat_map(|file| file.diagnostics.iter().map(move |diagnostic| (file, diagnostic)))
        .collect();
    all.sort_by_cached_key(|(file, diagnostic)| {
        (
            file.source.path.to_string_lossy().into_owned(),
            file.source.line_col(diagnostic.span.start),
            diagnostic.rule.code,
        )
    });
    all
}

/// The 1-based start and (exclusive) end positions of a finding.
pub(crate) fn region(file: &Checked, span: crate::source::Span) -> (crate::source::LineCol, crate::source::LineCol) {
    (file.source.line_col(span.start), file.source.line_col(span.end))
}

/// The documentation address of a rule (its doc in the repository).
pub fn rule_url(code: &str) -> String {
    format!("{}/blob/main/rules/{code}.md", env!("CARGO_PKG_REPOSITORY"))
}
