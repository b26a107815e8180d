//! What every format shares: the findings in report order, their line and
//! column regions, and text from the linted files made safe to print.

use std::borrow::Cow;

use crate::lint::Checked;

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
