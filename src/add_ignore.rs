//! `--add-ignore`: a `# vwe-lint: ignore[CODES] reason` comment above every
//! place with findings, for teams that mark accepted findings inline rather
//! than in a suppressions file (like ruff's `--add-noqa`).
//!
//! The comment goes on its own line above the entry or instruction that
//! holds the finding (the innermost one that starts on a line), indented
//! like it, with every code found there; an own-line suppression already
//! there gets the new codes added to its list. Findings are then silenced,
//! so a second run adds nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::lint::{self, Checked};
use crate::rules::syntax::unused_suppression;
use crate::source::{FileKind, SourceFile, Span};

/// What adding comments to one file gives.
pub struct Added {
    pub text: String,
    /// Comments written or extended.
    pub places: usize,
    /// Findings no entry or instruction holds (a line that is no
    /// instruction, a finding about the whole file): no comment can name
    /// their place.
    pub unplaced: usize,
}

/// The text of `checked`'s file with a suppression comment above each place
/// with findings; `reason` follows the codes.
pub fn add_ignores(checked: &Checked, reason: &str) -> Added {
    let source = &checked.source;
    let targets = lint::suppression_targets(source);
    let mut codes_at: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    let mut unplaced = 0;
    // An unused or mistaken suppression (S008) is mended in its comment,
    // not silenced by another one.
    let findings = checked
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule.code != unused_suppression::META.code);
    for diagnostic in findings {
        match place(source.lines.line_of(diagnostic.span.start), diagnostic.span, &targets) {
            Some(line) => {
                codes_at.entry(line).or_default().insert(diagnostic.rule.code);
            }
            None => unplaced += 1,
        }
    }
    let text = &source.text;
    let mut out = String::with_capacity(text.len() + codes_at.len() * 48);
    let mut copied = 0;
    for (&line, codes) in &codes_at {
        let start = source.lines.line_start(line);
        match own_line_suppression(text, source, line) {
            Some((list_end, listed)) => {
                // `# vwe-lint: ignore[C101]` above: the codes join its list.
                let added: Vec<&str> = codes.iter().copied().filter(|code| !listed.contains(code)).collect();
                out.push_str(&text[copied..list_end]);
                for code in added {
                    out.push_str(", ");
                    out.push_str(code);
                }
                copied = list_end;
            }
            None => {
                out.push_str(&text[copied..start]);
                let indent: String = text[start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                let list: Vec<&str> = codes.iter().copied().collect();
                out.push_str(&format!("{indent}# vwe-lint: ignore[{}]", list.join(", ")));
                if !reason.is_empty() {
                    out.push(' ');
                    out.push_str(reason);
                }
                out.push_str(line_break(text));
                copied = start;
            }
        }
    }
    out.push_str(&text[copied..]);
    Added {
        text: out,
        places: codes_at.len(),
        unplaced,
    }
}

/// The line whose suppression comment would cover a finding at `span`
/// (starting on `line`): the nearest line at or above it where an entry or
/// instruction holding the finding starts.
fn place(line: usize, span: Span, targets: &[Option<Span>]) -> Option<usize> {
    // An empty span at the start of the file is about the whole file (a
    // Dockerfile without FROM), not about its first entry.
    if span.start == 0 && span.end == 0 {
        return None;
    }
    (0..=line.min(targets.len().checked_sub(1)?)).rev().find(|&at| {
        targets[at].is_some_and(|target| target.start <= span.start && span.start < target.end.max(target.start + 1))
    })
}

/// When the line above `line` is a whole-line `# vwe-lint: ignore[...]`
/// comment, the byte offset of its list's closing bracket, and the list.
fn own_line_suppression<'a>(text: &'a str, source: &SourceFile, line: usize) -> Option<(usize, Vec<&'a str>)> {
    let above = source.lines.line_span(text, line.checked_sub(1)?);
    let content = &text[above.start..above.end];
    let rest = content
        .trim_start()
        .strip_prefix('#')?
        .trim_start()
        .strip_prefix("vwe-lint:")?
        .trim_start();
    let list = rest.strip_prefix("ignore[")?;
    let close = list.find(']')?;
    let listed = list[..close].split(',').map(str::trim).collect();
    Some((above.start + content.len() - list.len() + close, listed))
}

/// The file's own line break, so a CRLF file stays CRLF.
fn line_break(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Whether the comments keep the file as readable as it was: a compose
/// file must parse with no more errors than before.
pub fn still_parses(kind: FileKind, before: &str, after: &str) -> bool {
    match kind {
        FileKind::Compose => {
            crate::compose::yaml::parse(after).errors.len() <= crate::compose::yaml::parse(before).errors.len()
        }
        FileKind::Dockerfile => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(name: &str, kind: FileKind, text: &str) -> Checked {
        let empty = tempfile::tempdir().unwrap();
        let settings = crate::settings::Settings::load(empty.path(), &Default::default()).unwrap();
        crate::lint::lint(SourceFile::new(name, kind, text.to_string()), &settings, None)
    }

    #[test]
    fn comments_go_above_the_entry_indented_like_it_and_silence_it() {
        let text = "services:\n  web:\n    image: nginx:latest\n    privileged: true\n";
        let checked = lint("compose.yaml", FileKind::Compose, text);
        assert!(!checked.diagnostics.is_empty());
        let added = add_ignores(&checked, "accepted in review");
        assert!(added.text.contains("    # vwe-lint: ignore["), "{}", added.text);
        assert!(added.text.contains("] accepted in review\n"), "{}", added.text);
        let again = lint("compose.yaml", FileKind::Compose, &added.text);
        let left: Vec<&str> = again.diagnostics.iter().map(|d| d.rule.code).collect();
        assert!(left.is_empty(), "{left:?}\n{}", added.text);
        assert_eq!(add_ignores(&again, "").text, added.text, "a second run adds nothing");
    }

    #[test]
    fn dockerfile_instructions_get_their_comment() {
        let text = "FROM ubuntu:latest\nRUN apt-get update && \\\n    apt-get install -y curl\n";
        let checked = lint("Dockerfile", FileKind::Dockerfile, text);
        let added = add_ignores(&checked, "");
        let again = lint("Dockerfile", FileKind::Dockerfile, &added.text);
        assert!(again.diagnostics.is_empty(), "{:?}\n{}", again.diagnostics, added.text);
    }

    #[test]
    fn an_existing_own_line_suppression_gets_the_new_codes() {
        let text = "services:\n  web:\n    # vwe-lint: ignore[C101] legacy\n    image: nginx:latest\n";
        let checked = lint("compose.yaml", FileKind::Compose, text);
        let added = add_ignores(&checked, "");
        // The service's own findings get a comment above `web:`; the image's join `C101`.
        assert_eq!(added.text.matches("vwe-lint: ignore[").count(), 2, "{}", added.text);
        assert!(
            added.text.contains("    # vwe-lint: ignore[C101, C102] legacy\n"),
            "{}",
            added.text
        );
    }
}
