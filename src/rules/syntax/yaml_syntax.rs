//! S001: the YAML does not parse.

use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, Scope, declare_rule};
use crate::source::Span;

declare_rule! {
    /// the YAML does not parse
    pub struct YamlSyntax {
        code: S001,
        name: "yaml-syntax",
        severity: Error,
        fix: None,
    }
}

/// Characters Compose's YAML parser (go-yaml, after YAML 1.1) reads as line
/// breaks and vwe-lint's (YAML 1.2) as ordinary text, with their names and
/// the double-quoted escape that writes them.
const COMPOSE_LINE_BREAKS: [(char, &str, &str); 3] = [
    ('\u{85}', "U+0085 (NEXT LINE)", "\\N"),
    ('\u{2028}', "U+2028 (LINE SEPARATOR)", "\\L"),
    ('\u{2029}', "U+2029 (PARAGRAPH SEPARATOR)", "\\P"),
];

/// Each character the two parsers disagree on: where it is (in a value, a
/// key or a comment), Compose starts a new line and reads what follows as
/// YAML of its own, so it would run another file than the one checked.
fn parser_disagreements(text: &str, out: &mut Vec<Diagnostic>) {
    // All three start with the UTF-8 byte 0xC2 or 0xE2, a char boundary:
    // only those places are decoded.
    for at in memchr::memchr2_iter(0xc2, 0xe2, text.as_bytes()) {
        let Some(c) = text[at..].chars().next() else {
            continue;
        };
        let Some((_, name, escape)) = COMPOSE_LINE_BREAKS.iter().find(|(known, _, _)| *known == c) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &META,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "{name} is a line break to Compose's YAML parser but text to vwe-lint's: Compose ends \
                     the line here (what follows a comment becomes YAML, a quoted string gets a space), \
                     so it reads another file than the one checked"
                ),
            )
            .with_label("Compose breaks the line here")
            .with_help(format!(
                "write an ordinary line break instead, or, where the character is meant, \
                 the escape `{escape}` in a double-quoted string"
            )),
        );
    }
}

impl Rule for YamlSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn scope(&self) -> Scope {
        Scope::File
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        parser_disagreements(&cx.source.text, out);
        for error in &cx.yaml.errors {
            out.push(
                Diagnostic::new(&META, error.span, format!("invalid YAML: {}", error.message))
                    .with_label(error.message.clone())
                    .with_help("fix the YAML syntax here; Compose cannot read the file until it parses"),
            );
        }
        // Compose reads one document per file; the rest would be ignored.
        for extra in cx.yaml.documents.iter().skip(1) {
            let start = Span::point(extra.span.start);
            out.push(
                Diagnostic::new(
                    &META,
                    start,
                    "a compose file holds one YAML document, but this file has several",
                )
                .with_label("a second document starts here")
                .with_help("split the documents into separate compose files, or remove the `---` separator"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disagreements(text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        parser_disagreements(text, &mut out);
        out.iter().map(|diagnostic| diagnostic.span).collect()
    }

    #[test]
    fn line_breaks_only_compose_sees_are_reported_where_they_are() {
        let text = "services:\n  web:\n    image: nginx:1.25 # note\u{85}    privileged: true\n    \
                    command: \"a\u{2028}b\u{2029}\"\n";
        let at = |needle: char| text.find(needle).unwrap();
        assert_eq!(
            disagreements(text),
            [
                Span::new(at('\u{85}'), at('\u{85}') + 2),
                Span::new(at('\u{2028}'), at('\u{2028}') + 3),
                Span::new(at('\u{2029}'), at('\u{2029}') + 3),
            ]
        );
    }

    #[test]
    fn other_characters_are_no_disagreement() {
        assert!(disagreements("services:\n  caf\u{e9}:\n    image: \"\\N \u{84} \u{86} \u{2027}\"\n").is_empty());
    }
}
