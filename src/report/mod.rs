//! Output formats. Every format reads the same linted files; the summary
//! counts are shared.

pub mod checkstyle;
pub mod concise;
mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
mod print;
pub mod sarif;
pub mod statistics;
mod xml;

use crate::diagnostic::Severity;
use crate::lint::Checked;

pub(crate) use print::{is_unsafe_char, json_safe, region, sorted, visible};
pub use print::{printable, printable_lines, printable_path, rule_url};

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

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(
            printable("a\u{1b}]0;pwned\u{7}\u{1b}[2J\nb\u{9b}c\u{7f}\u{202e}"),
            "a\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\nb\\u{9b}c\\u{7f}\\u{202e}"
        );
        assert!(matches!(printable("plain: ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn printable_lines_keeps_line_breaks() {
        assert_eq!(printable_lines("a:\n  - \u{1b}[2J\r"), "a:\n  - \\u{1b}[2J\\r");
    }

    #[test]
    fn json_safe_keeps_the_data() {
        let value = "\u{1b}[2J \u{85} \u{9b} \u{7f} \u{2028} \u{202e}";
        let text = json_safe(serde_json::to_string_pretty(&[value]).unwrap());
        assert!(!text.chars().any(|c| is_unsafe_char(c) && c != '\n'), "{text}");
        assert_eq!(serde_json::from_str::<Vec<String>>(&text).unwrap(), [value]);
    }
}
