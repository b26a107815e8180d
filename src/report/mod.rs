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
pub mod sarif;
pub mod statistics;
mod xml;

use std::borrow::Cow;

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

/// Whether a character would act on a terminal (or reorder what it shows)
/// instead of being shown: C0 and C1 controls, DEL, the line and paragraph
/// separators and the bidirectional overrides ("Trojan Source").
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The visible form of an unsafe character: `\n`, `\t`, `\r`, or `\u{1b}`.
pub(crate) fn visible(c: char) -> String {
    match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

/// Text from the linted files (a value, a key, a file name) as one line a
/// terminal shows as written: every unsafe character in its visible form.
/// Every format uses it for paths, messages and labels.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape_unsafe(text, |_| true)
}

/// [`printable`] for text of several lines (a help that shows YAML): line
/// breaks stay.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escape_unsafe(text, |c| c != '\n')
}

fn escape_unsafe(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    let must = |c: char| is_unsafe_char(c) && escaped(c);
    if !text.chars().any(must) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if must(c) {
            out.push_str(&visible(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as [`printable`] text.
pub fn printable_path(path: &std::path::Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// Serialised JSON with every unsafe character that serde leaves as is
/// (DEL, C1, separators, bidi overrides) written as a `\uXXXX` escape:
/// such characters occur only inside strings, so the data read back is the
/// same. (serde escapes C0 in strings; outside them it is layout.)
pub(crate) fn json_safe(json: String) -> String {
    // Every such character is DEL or starts with the UTF-8 byte 0xC2 (C1
    // controls) or 0xE2 (separators, bidi controls), each a char boundary:
    // only those places are decoded.
    let raw_unsafe: Vec<(usize, char)> = memchr::memchr3_iter(0x7f, 0xc2, 0xe2, json.as_bytes())
        .filter_map(|at| {
            json[at..]
                .chars()
                .next()
                .filter(|&c| is_unsafe_char(c))
                .map(|c| (at, c))
        })
        .collect();
    if raw_unsafe.is_empty() {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 6 * raw_unsafe.len());
    let mut copied = 0;
    for (at, c) in raw_unsafe {
        out.push_str(&json[copied..at]);
        // Every such character is in the Basic Multilingual Plane.
        out.push_str(&format!("\\u{:04x}", c as u32));
        copied = at + c.len_utf8();
    }
    out.push_str(&json[copied..]);
    out
}

#[cfg(test)]
mod tests {
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
