//! Inline suppression comments:
//!
//! - `# vwe-lint: ignore[C503, C601] reason` on its own line silences those
//!   codes for the YAML entry or Dockerfile instruction on the next line; at
//!   the end of a line, for the entry or instruction on that line.
//! - `# vwe-lint: ignore-file[C601]` silences the codes in the whole file.
//!
//! Without `[...]` every code is silenced. Suppressions fail closed: a code
//! that names no rule silences nothing (the valid codes beside it still do),
//! and a comment whose list cannot be read (an unclosed or stray bracket, an
//! empty list, codes without brackets, an unknown directive) silences
//! nothing at all. Each such mistake, and each suppression that silenced
//! nothing, is reported as S008.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{self, RuleMeta, syntax::unused_suppression};
use crate::source::{FileKind, SourceFile, Span};

const MARKER: &str = "vwe-lint:";

#[derive(Debug)]
enum Scope {
    File,
    /// Findings whose primary span starts in this range.
    Range(Span),
}

/// The rules a suppression comment silences.
#[derive(Debug)]
enum Codes {
    /// `ignore` without a list: every rule.
    All,
    /// The rules the list names, with the span of each name; the names that
    /// are not rules are left out, so this may be empty and silence nothing.
    Listed(Vec<(&'static RuleMeta, Span)>),
}

#[derive(Debug)]
struct Suppression {
    scope: Scope,
    comment: Span,
    codes: Codes,
    used: Vec<bool>,
    used_any: bool,
}

/// Applies the file's suppression comments to `diagnostics`, and adds S008
/// findings (at `severity`) for comments that silenced nothing and for
/// mistakes in them.
///
/// `target_of_line` maps a 0-based line to the span of the entry or
/// instruction that starts on it, if any; `is_enabled` says which rules ran.
pub fn apply(
    source: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
    target_of_line: &dyn Fn(usize) -> Option<Span>,
    is_enabled: &dyn Fn(&str) -> bool,
    severity: Severity,
) {
    if !source.text.contains(MARKER) {
        return;
    }
    let mut found = Vec::new();
    let mut suppressions = parse_comments(source, target_of_line, &mut found);
    let silenced = silenced_findings(&mut suppressions, diagnostics);
    let mut index = 0;
    diagnostics.retain(|_| {
        index += 1;
        !silenced[index - 1]
    });
    if !is_enabled(unused_suppression::META.code) {
        return;
    }
    for suppression in &suppressions {
        match &suppression.codes {
            Codes::All if !suppression.used_any => found.push(unused(
                suppression.comment,
                "this suppression comment silences nothing".to_string(),
            )),
            Codes::All => {}
            Codes::Listed(codes) => {
                for ((meta, span), used) in codes.iter().zip(&suppression.used) {
                    if !used && is_enabled(meta.code) {
                        found.push(unused(
                            *span,
                            format!("`{}` is suppressed here, but no {} finding is", meta.code, meta.code),
                        ));
                    }
                }
            }
        }
    }
    for diagnostic in &mut found {
        diagnostic.severity = severity;
    }
    diagnostics.extend(found);
}

impl Suppression {
    fn range(&self) -> Option<Span> {
        match self.scope {
            Scope::File => None,
            Scope::Range(range) => Some(range),
        }
    }

    /// Whether this suppression silences a finding of `code`, marking the
    /// code used when it does.
    fn silences(&mut self, code: &str) -> bool {
        match &self.codes {
            Codes::All => {
                self.used_any = true;
                true
            }
            Codes::Listed(codes) => {
                let mut silenced = false;
                for (index, (meta, _)) in codes.iter().enumerate() {
                    if meta.code == code {
                        self.used[index] = true;
                        silenced = true;
                    }
                }
                silenced
            }
        }
    }
}

/// Which of `diagnostics` the suppressions silence, sweeping findings and
/// ranges in file order: a finding meets the file-wide suppressions and the
/// ranges that hold it (one per enclosing entry), not every comment of the
/// file, so thousands of comments and findings stay linear.
fn silenced_findings(suppressions: &mut [Suppression], diagnostics: &[Diagnostic]) -> Vec<bool> {
    let mut by_position: Vec<usize> = (0..diagnostics.len()).collect();
    by_position.sort_by_key(|&index| diagnostics[index].span.start);
    let mut ranges: Vec<(Span, usize)> = suppressions
        .iter()
        .enumerate()
        .filter_map(|(index, suppression)| Some((suppression.range()?, index)))
        .collect();
    ranges.sort_by_key(|(range, _)| range.start);
    let whole_file: Vec<usize> = (0..suppressions.len())
        .filter(|&index| suppressions[index].range().is_none())
        .collect();
    let mut next_range = ranges.iter().peekable();
    let mut open: Vec<(Span, usize)> = Vec::new();
    let mut silenced = vec![false; diagnostics.len()];
    for finding in by_position {
        let at = diagnostics[finding].span.start;
        while let Some(&&range) = next_range.peek().filter(|(range, _)| range.start <= at) {
            open.push(range);
            next_range.next();
        }
        // Findings come in file order: a range that ends before this one is done.
        open.retain(|(range, _)| at <= range.end);
        let code = diagnostics[finding].rule.code;
        for &index in whole_file.iter().chain(open.iter().map(|(_, index)| index)) {
            silenced[finding] |= suppressions[index].silences(code);
        }
    }
    silenced
}

fn unused(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&unused_suppression::META, span, message)
        .with_label("unused")
        .with_help("remove the stale code from the comment (or the whole comment)")
}

/// A mistake in a suppression comment: what it would have silenced stays reported.
fn mistake(span: Span, message: String, help: String) -> Diagnostic {
    Diagnostic::new(&unused_suppression::META, span, message)
        .with_label("silences nothing")
        .with_help(help)
}

fn parse_comments(
    source: &SourceFile,
    target_of_line: &dyn Fn(usize) -> Option<Span>,
    mistakes: &mut Vec<Diagnostic>,
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
        let Some((file_wide, codes)) = parse_directive(rest, directive_start + MARKER.len(), source.kind, mistakes)
        else {
            continue;
        };
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
        let used = match &codes {
            Codes::All => Vec::new(),
            Codes::Listed(codes) => vec![false; codes.len()],
        };
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

/// Parses what follows `vwe-lint:` (at byte `offset` of the file): whether
/// the suppression is file-wide, and its codes; `None` when the comment
/// silences nothing because it cannot be read (the mistake is recorded).
fn parse_directive(rest: &str, offset: usize, kind: FileKind, mistakes: &mut Vec<Diagnostic>) -> Option<(bool, Codes)> {
    let body = rest.trim_start();
    let body_start = offset + (rest.len() - body.len());
    let word_len = body.find(|c: char| c == '[' || c.is_whitespace()).unwrap_or(body.len());
    let file_wide = match &body[..word_len] {
        "ignore-file" => true,
        "ignore" => false,
        word => {
            let message = if word.is_empty() {
                "a `vwe-lint:` comment without `ignore` or `ignore-file`: it silences nothing".to_string()
            } else {
                format!("unknown directive `{word}` in a suppression comment: it silences nothing")
            };
            mistakes.push(mistake(
                Span::new(body_start, body_start + word_len),
                message,
                "write `ignore[CODE, ...]` (the next entry) or `ignore-file[CODE, ...]` (the whole file)".to_string(),
            ));
            return None;
        }
    };
    let after = &body[word_len..];
    let list = after.trim_start();
    let list_start = body_start + word_len + (after.len() - list.len());
    if list.starts_with('[') {
        return parse_list(list, list_start, kind, mistakes).map(|codes| (file_wide, codes));
    }
    // Without a list every rule is silenced, so a code left outside the
    // brackets would widen the suppression to all rules.
    let first_word = list
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or_default();
    if looks_like_rule(first_word) {
        mistakes.push(mistake(
            Span::new(list_start, list_start + first_word.len()),
            format!(
                "`{first_word}` is outside brackets, where it would silence every rule: this comment silences nothing"
            ),
            format!("put the codes in brackets: `{}[{first_word}]`", &body[..word_len]),
        ));
        return None;
    }
    Some((file_wide, Codes::All))
}

/// Whether a word is a rule's name, or has the shape of a rule code (a
/// letter and three characters, most of them digits: `C101`, `C4O3`).
fn looks_like_rule(word: &str) -> bool {
    let mut chars = word.chars();
    let shaped_like_code = word.len() == 4
        && chars.next().is_some_and(|c| "CDSX".contains(c.to_ascii_uppercase()))
        && chars.clone().all(|c| c.is_ascii_alphanumeric())
        && chars.filter(char::is_ascii_digit).count() >= 2;
    shaped_like_code || rules::find(word).is_some()
}

/// Parses `[C503, restart-policy]` (at byte `offset`). Names that are no
/// rule are reported and left out; a list with a stray or missing bracket
/// is reported and silences nothing (`None`).
fn parse_list(list: &str, offset: usize, kind: FileKind, mistakes: &mut Vec<Diagnostic>) -> Option<Codes> {
    let inner = &list[1..];
    let unbalanced = |at: usize, message: &str| {
        mistake(
            Span::new(at, at + 1),
            format!("{message} in a suppression comment: it silences nothing"),
            "write the codes as one list: `ignore[C101, C102]`".to_string(),
        )
    };
    let Some(close) = inner.find(']') else {
        mistakes.push(unbalanced(offset, "unclosed `[`"));
        return None;
    };
    if let Some(stray) = inner[..close].find('[') {
        mistakes.push(unbalanced(offset + 1 + stray, "a `[` inside the list"));
        return None;
    }
    let after = &inner[close + 1..];
    let tail = after.trim_start();
    if tail.starts_with(['[', ']']) {
        let at = offset + 1 + close + 1 + (after.len() - tail.len());
        mistakes.push(unbalanced(at, "a bracket after the list"));
        return None;
    }
    let mut codes = Vec::new();
    let mut named_any = false;
    let mut cursor = offset + 1;
    for part in inner[..close].split(',') {
        let name = part.trim();
        let start = cursor + (part.len() - part.trim_start().len());
        let span = Span::new(start, start + name.len());
        cursor += part.len() + 1;
        if name.is_empty() {
            continue;
        }
        named_any = true;
        match rule_for(name, kind) {
            Some(meta) => codes.push((meta, span)),
            None => mistakes.push(mistake(
                span,
                format!("unknown rule `{name}` in a suppression comment: it silences nothing"),
                unknown_rule_help(name),
            )),
        }
    }
    if !named_any {
        mistakes.push(mistake(
            Span::new(offset, offset + close + 2),
            "an empty list in a suppression comment: it silences nothing".to_string(),
            "name the codes to silence: `ignore[C101]`".to_string(),
        ));
    }
    Some(Codes::Listed(codes))
}

/// The rule a name means in a file of this kind: a name shared by a compose
/// rule and its Dockerfile twin means the one for this file.
fn rule_for(name: &str, kind: FileKind) -> Option<&'static RuleMeta> {
    let other_kind_prefix = match kind {
        FileKind::Compose => 'D',
        FileKind::Dockerfile => 'C',
    };
    let named = rules::find_all(name);
    named
        .iter()
        .find(|meta| !meta.code.starts_with(other_kind_prefix))
        .or(named.first())
        .copied()
}

/// How to fix an unknown name: the rule it was probably meant to be, or
/// commas between codes written with spaces.
fn unknown_rule_help(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(|word| rules::find(word).is_some()) {
        return format!("separate the codes with commas: `{}`", words.join(", "));
    }
    match closest_rule(name) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => "`vwe-lint rules` lists the codes and names".to_string(),
    }
}

/// The code or name nearest to `name` by edit distance, when it is near
/// enough to be a typo of it.
fn closest_rule(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let limit = if lower.len() <= 4 { 1 } else { 2 };
    rules::all_metas()
        .flat_map(|meta| [meta.code, meta.name])
        .map(|candidate| {
            (
                strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The next line after `line` that is neither blank nor a comment.
fn next_code_line(source: &SourceFile, line: usize) -> Option<usize> {
    (line + 1..source.lines.line_count()).find(|&candidate| {
        let span = source.lines.line_span(&source.text, candidate);
        let content = source.text[span.start..span.end].trim();
        !content.is_empty() && !content.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compose::privileged;

    /// Each of 50,000 entries has its own comment and finding: checking every
    /// finding against every comment would take 2.5 billion steps.
    #[test]
    fn thousands_of_comments_and_findings_stay_linear() {
        let entries = 50_000;
        let text = "# vwe-lint: ignore[C403]\nprivileged: true\n".repeat(entries);
        let source = SourceFile::new("compose.yaml", FileKind::Compose, text);
        let entry = |line: usize| source.lines.line_span(&source.text, line);
        let mut diagnostics: Vec<Diagnostic> = (0..entries)
            .map(|index| Diagnostic::new(&privileged::META, entry(2 * index + 1), "privileged"))
            .collect();
        let target_of_line = |line: usize| (line % 2 == 1).then(|| entry(line));
        apply(&source, &mut diagnostics, &target_of_line, &|_| true, Severity::Warning);
        assert!(diagnostics.is_empty(), "{} findings left", diagnostics.len());
    }
}
