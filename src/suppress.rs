//! Inline suppression comments:
//!
//! - `# vwe-lint: ignore[C503, C601] reason` on its own line silences those
//!   codes for the YAML entry or Dockerfile instruction on the next line; at
//!   the end of a line, for the entry or instruction on that line.
//! - `# vwe-lint: ignore-file[C601]` silences the codes in the whole file.
//!
//! Without `[...]` every code is silenced. A suppression that silences
//! nothing is reported as S008, so stale ones get cleaned up.

use crate::diagnostic::Diagnostic;
use crate::rules::{self, RuleMeta, syntax::unused_suppression};
use crate::source::{FileKind, SourceFile, Span};

const MARKER: &str = "vwe-lint:";

#[derive(Debug)]
enum Scope {
    File,
    /// Findings whose primary span starts in this range.
    Range(Span),
}

#[derive(Debug)]
struct Suppression {
    scope: Scope,
    comment: Span,
    /// The named rules with the span of each name; empty means all rules.
    codes: Vec<(&'static RuleMeta, Span)>,
    used: Vec<bool>,
    used_any: bool,
}

/// Applies the file's suppression comments to `diagnostics`, and adds S008
/// findings for comments that silenced nothing (or name unknown rules).
///
/// `target_of_line` maps a 0-based line to the span of the entry or
/// instruction that starts on it, if any; `is_enabled` says which rules ran.
pub fn apply(
    source: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
    target_of_line: &dyn Fn(usize) -> Option<Span>,
    is_enabled: &dyn Fn(&str) -> bool,
) {
    if !source.text.contains(MARKER) {
        return;
    }
    let mut invalid = Vec::new();
    let mut suppressions = parse_comments(source, target_of_line, &mut invalid);
    diagnostics.retain(|diagnostic| {
        let mut silenced = false;
        for suppression in &mut suppressions {
            let in_scope = match suppression.scope {
                Scope::File => true,
                Scope::Range(range) => range.start <= diagnostic.span.start && diagnostic.span.start <= range.end,
            };
            if !in_scope {
                continue;
            }
            if suppression.codes.is_empty() {
                suppression.used_any = true;
                silenced = true;
            }
            for (index, (meta, _)) in suppression.codes.iter().enumerate() {
                if meta.code == diagnostic.rule.code {
                    suppression.used[index] = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });
    if !is_enabled(unused_suppression::META.code) {
        return;
    }
    diagnostics.extend(invalid);
    for suppression in &suppressions {
        if suppression.codes.is_empty() {
            if !suppression.used_any {
                diagnostics.push(unused(
                    suppression.comment,
                    "this suppression comment silences nothing".to_string(),
                ));
            }
            continue;
        }
        for ((meta, span), used) in suppression.codes.iter().zip(&suppression.used) {
            if !used && is_enabled(meta.code) {
                diagnostics.push(unused(
                    *span,
                    format!("`{}` is suppressed here, but no {} finding is", meta.code, meta.code),
                ));
            }
        }
    }
}

fn unused(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&unused_suppression::META, span, message)
        .with_label("unused")
        .with_help("remove the stale code from the comment (or the whole comment)")
}

fn parse_comments(
    source: &SourceFile,
    target_of_line: &dyn Fn(usize) -> Option<Span>,
    invalid: &mut Vec<Diagnostic>,
) -> Vec<Suppression> {
    let text = &source.text;
    let mut suppressions = Vec::new();
    for line in 0..source.lines.line_count() {
        let line_span = source.lines.line_span(text, line);
        let content = &text[line_span.start..line_span.end];
        let Some(hash) = find_comment_marker(content) else {
            continue;
        };
        let comment_start = line_span.start + hash;
        let directive = content[hash + 1..].trim_start();
        let directive_start = comment_start + 1 + (content[hash + 1..].len() - directive.len());
        let Some(rest) = directive.strip_prefix(MARKER) else {
            continue;
        };
        let rest_start = directive_start + MARKER.len();
        let trimmed = rest.trim_start();
        let body_start = rest_start + (rest.len() - trimmed.len());
        let (file_wide, after_keyword, keyword_len) = if let Some(after) = trimmed.strip_prefix("ignore-file") {
            (true, after, "ignore-file".len())
        } else if let Some(after) = trimmed.strip_prefix("ignore") {
            (false, after, "ignore".len())
        } else {
            continue;
        };
        let codes = parse_codes(after_keyword, body_start + keyword_len, source.kind, invalid);
        let own_line = content[..hash].trim().is_empty();
        let scope = if file_wide {
            Scope::File
        } else {
            let target_line = if own_line {
                next_code_line(source, line)
            } else {
                Some(line)
            };
            let range = target_line
                .map(|target| target_of_line(target).unwrap_or_else(|| source.lines.line_span(text, target)));
            match range {
                Some(range) => Scope::Range(range),
                None => Scope::Range(Span::point(text.len())),
            }
        };
        let used = vec![false; codes.len()];
        suppressions.push(Suppression {
            scope,
            comment: Span::new(comment_start, line_span.end),
            codes,
            used,
            used_any: false,
        });
    }
    suppressions
}

/// The byte index of a `#` that starts a vwe-lint comment on this line.
fn find_comment_marker(line: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(found) = line[search..].find('#') {
        let index = search + found;
        // A byte-order mark before the first line's comment is not text.
        let starts_comment = index == 0 || line[..index].ends_with([' ', '\t', '\u{feff}']);
        if starts_comment && line[index + 1..].trim_start().starts_with(MARKER) {
            return Some(index);
        }
        search = index + 1;
    }
    None
}

/// Parses `[C503, restart-policy]`; names are resolved to rules, unknown ones
/// become S008 findings.
/// The code letter of the rules that never apply to a file of this kind.
fn other_kind_prefix(kind: FileKind) -> char {
    match kind {
        FileKind::Compose => 'D',
        FileKind::Dockerfile => 'C',
    }
}

fn parse_codes(
    after_keyword: &str,
    offset: usize,
    kind: FileKind,
    invalid: &mut Vec<Diagnostic>,
) -> Vec<(&'static RuleMeta, Span)> {
    let Some(inner) = after_keyword.strip_prefix('[') else {
        return Vec::new();
    };
    let Some(close) = inner.find(']') else {
        invalid.push(unused(
            Span::new(offset, offset + 1),
            "unclosed `[` in a suppression comment: it silences nothing".to_string(),
        ));
        return Vec::new();
    };
    let mut codes = Vec::new();
    let mut cursor = offset + 1;
    for part in inner[..close].split(',') {
        let name = part.trim();
        let start = cursor + (part.len() - part.trim_start().len());
        let span = Span::new(start, start + name.len());
        cursor += part.len() + 1;
        if name.is_empty() {
            continue;
        }
        // A name shared by a compose rule and its Dockerfile twin means the one for this file.
        let named = rules::find_all(name);
        let for_this_file = named
            .iter()
            .find(|meta| !meta.code.starts_with(other_kind_prefix(kind)))
            .or(named.first());
        match for_this_file {
            Some(meta) => codes.push((*meta, span)),
            None => invalid.push(unused(
                span,
                format!("unknown rule `{name}` in a suppression comment: it silences nothing"),
            )),
        }
    }
    codes
}

/// The next line after `line` that is neither blank nor a comment.
fn next_code_line(source: &SourceFile, line: usize) -> Option<usize> {
    (line + 1..source.lines.line_count()).find(|&candidate| {
        let span = source.lines.line_span(&source.text, candidate);
        let content = source.text[span.start..span.end].trim();
        !content.is_empty() && !content.starts_with('#')
    })
}
