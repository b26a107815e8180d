//! Writes a [`Node`] tree back out as YAML, as `docker compose config` prints
//! a project: block style, two-space indentation, `- key: value` for
//! mappings in sequences, `{}` and `[]` for empty collections and `null` for
//! empty values.
//!
//! Every value keeps the type it has in the tree under the YAML 1.2 core
//! schema (what [`Node::resolve`] says): a plain `8080` stays a number and a
//! quoted `"8080"` a string. Strings are written plain when that reads back
//! as the same string (under YAML 1.1 readers too: `yes`, `on`, `010`,
//! `8080:80` are quoted), else double-quoted with escapes, so the output
//! parses back to an equal tree. Tags are not written: `!reset` and
//! `!override` have done their work in the merge, and `!!str` shows as quotes.
//!
//! With an origin function, each line that holds a value (or a key whose
//! value is a collection) ends with a comment saying where it was set.

use std::fmt::Write as _;

use crate::compose::model::ProjectFile;
use crate::compose::yaml::{Entry, Node, Resolved, Scalar, ScalarStyle, Value};
use crate::source::Span;

/// Makes a compose model print as Compose prints it: every interpolated
/// value is a string (a variable that gives `2024.10`, `0100` or nothing is
/// the text `"2024.10"`, `"0100"` or `""`, not a number or null), and every
/// `$` in a value is written `$$`, so that Compose reading the output does
/// not interpolate it a second time. Keys are left alone: Compose never
/// interpolates them.
pub fn as_compose_prints(node: &mut Node) {
    match &mut node.value {
        Value::Null => {}
        Value::Scalar(scalar) => {
            if scalar.raw.is_some() {
                scalar.tagged_str = true;
            }
            if scalar.text.contains('$') {
                scalar.text = scalar.text.replace('$', "$$");
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(as_compose_prints),
        Value::Mapping(mapping) => mapping
            .entries
            .iter_mut()
            .for_each(|entry| as_compose_prints(&mut entry.value)),
    }
}

/// The tree as YAML text, ending with a newline.
pub fn emit(node: &Node) -> String {
    Emitter { origin: None }.document(node)
}

/// The tree as YAML text with `  # <origin>` at the end of each line that
/// sets a value; `origin` names the place a span points at (`None`: no comment).
pub fn emit_with_origins(node: &Node, origin: &dyn Fn(Span) -> Option<String>) -> String {
    Emitter { origin: Some(origin) }.document(node)
}

/// `path:line` of a span of a project's model, for [`emit_with_origins`].
pub fn project_origin(files: &[ProjectFile]) -> impl Fn(Span) -> Option<String> + '_ {
    |span: Span| {
        let file = files.get(span.file as usize)?;
        let line = file.source.line_col(span.start).line;
        // A comment ends at a line break, whatever the path holds.
        let path: String = file
            .source
            .path
            .display()
            .to_string()
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        Some(format!("{path}:{line}"))
    }
}

struct Emitter<'a> {
    origin: Option<&'a dyn Fn(Span) -> Option<String>>,
}

impl Emitter<'_> {
    fn document(&self, node: &Node) -> String {
        let mut out = String::new();
        if is_inline(node) {
            out.push_str(&inline(node));
            self.end_line(&mut out, node.span);
        } else {
            self.block(node, 0, "", &mut out);
        }
        out
    }

    /// A non-empty collection whose first line starts with `lead` (the
    /// indentation, or `- ` or `? ` before it); its other lines are indented
    /// by `indent`. Recursion is bounded by the tree's nesting limit.
    fn block(&self, node: &Node, indent: usize, lead: &str, out: &mut String) {
        let pad = " ".repeat(indent);
        match &node.value {
            Value::Mapping(mapping) => {
                for (at, entry) in mapping.iter().enumerate() {
                    let prefix = if at == 0 { lead } else { &pad };
                    self.entry(entry, indent, prefix, out);
                }
            }
            Value::Sequence(items) => {
                for (at, item) in items.iter().enumerate() {
                    let prefix = format!("{}- ", if at == 0 { lead } else { &pad });
                    self.item(item, indent + 2, &prefix, out);
                }
            }
            Value::Null | Value::Scalar(_) => {
                out.push_str(lead);
                out.push_str(&inline(node));
                self.end_line(out, node.span);
            }
        }
    }

    /// A node after `- ` or `? ` (in `prefix`), its content at column `indent`.
    fn item(&self, node: &Node, indent: usize, prefix: &str, out: &mut String) {
        if is_inline(node) {
            out.push_str(prefix);
            out.push_str(&inline(node));
            self.end_line(out, node.span);
        } else {
            self.block(node, indent, prefix, out);
        }
    }

    /// `key: value`, or `key:` and the collection below it.
    fn entry(&self, entry: &Entry, indent: usize, prefix: &str, out: &mut String) {
        let Entry { key, value, .. } = entry;
        if !is_inline(key) || inline(key).len() > MAX_IMPLICIT_KEY {
            // A collection or a very long key: the explicit `? key` form.
            self.item(key, indent + 2, &format!("{prefix}? "), out);
            let colon = format!("{}: ", " ".repeat(indent));
            self.item(value, indent + 2, &colon, out);
            return;
        }
        out.push_str(prefix);
        out.push_str(&inline(key));
        out.push(':');
        if is_inline(value) {
            out.push(' ');
            out.push_str(&inline(value));
            self.end_line(out, value.span);
        } else {
            self.end_line(out, key.span);
            let inner = indent + 2;
            self.block(value, inner, &" ".repeat(inner), out);
        }
    }

    fn end_line(&self, out: &mut String, span: Span) {
        if let Some(comment) = self.origin.and_then(|origin| origin(span)) {
            let _ = write!(out, "  # {comment}");
        }
        out.push('\n');
    }
}

/// Longest key written as `key: value`; YAML allows 1024 characters.
const MAX_IMPLICIT_KEY: usize = 1000;

/// A scalar, null or empty collection: written on the line of its key or `-`.
fn is_inline(node: &Node) -> bool {
    match &node.value {
        Value::Null | Value::Scalar(_) => true,
        Value::Sequence(items) => items.is_empty(),
        Value::Mapping(mapping) => mapping.is_empty(),
    }
}

/// The one-line text of an inline node.
fn inline(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Sequence(_) => "[]".to_string(),
        Value::Mapping(_) => "{}".to_string(),
        Value::Scalar(scalar) => match scalar.resolve() {
            Resolved::Str(text) if is_plain_safe(text) => text.to_string(),
            Resolved::Str(text) => double_quoted(text),
            // An empty plain scalar (a variable that became empty) reads as null.
            Resolved::Null if scalar.text.is_empty() => "null".to_string(),
            // Plain text that reads as null, a bool or a number: as written,
            // which reads back the same.
            Resolved::Null | Resolved::Bool(_) | Resolved::Int(_) | Resolved::Float(_) => scalar.text.clone(),
        },
    }
}

/// Whether `text` written plain (in block context) reads back as this
/// string, under the YAML 1.2 core schema and under YAML 1.1 readers.
fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let plain = Scalar {
        text: text.to_string(),
        style: ScalarStyle::Plain,
        tagged_str: false,
        raw: None,
    };
    if !matches!(plain.resolve(), Resolved::Str(_)) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    // YAML 1.1 booleans and null, the merge key and the value key.
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~" | "<<" | "="
    ) {
        return false;
    }
    if looks_numeric(text) {
        return false;
    }
    let second = text.chars().nth(1);
    let indicator_ok = match first {
        // `-x` is plain; `-`, `- x` and `---` are not.
        '-' => second.is_some_and(|c| !c.is_whitespace()) && !text.starts_with("---"),
        '?' | ':' | ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
            false
        }
        _ => true,
    };
    if !indicator_ok || text.starts_with("...") {
        return false;
    }
    let last = text.chars().next_back().unwrap_or(first);
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    if text.contains(": ") || text.contains(" #") {
        return false;
    }
    text.chars().all(|c| c != '\t' && is_printable(c) && !is_break(c))
}

/// Numbers, times and dates under YAML 1.1 (`010`, `0b1`, `1_000`,
/// `8080:80`, `2024-01-01 10:00:00`), loosely: a digit (or `.` and a digit)
/// after an optional sign, then nothing but digits, hex digits, spaces and
/// `_.:+-xotz`.
fn looks_numeric(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let mut chars = unsigned.chars();
    let starts = match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    starts
        && unsigned.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    '_' | '.' | ':' | '+' | '-' | ' ' | 'x' | 'X' | 'o' | 'O' | 't' | 'T' | 'z' | 'Z'
                )
        })
}

/// YAML's `c-printable`.
fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

/// Line breaks, including those of YAML 1.1.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `text` as a double-quoted scalar: one line, with escapes for `"`, `\`,
/// line breaks and characters that are not printable.
fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml::parse;

    fn doc(text: &str) -> Node {
        let out = parse(text);
        assert!(out.errors.is_empty(), "{text}\n{:?}", out.errors);
        assert_eq!(out.documents.len(), 1, "{text}");
        out.documents.into_iter().next().unwrap()
    }

    /// Emits `text`'s tree and checks that the output parses back to it.
    fn round_trip(text: &str) -> String {
        let original = doc(text);
        let emitted = emit(&original);
        let back = doc(&emitted);
        assert!(original.same_value(&back), "{text}\n--- emitted:\n{emitted}");
        emitted
    }

    fn string(text: &str) -> Node {
        Node {
            span: Span::default(),
            value: Value::Scalar(Scalar {
                text: text.to_string(),
                style: ScalarStyle::DoubleQuoted,
                tagged_str: false,
                raw: None,
            }),
            tag: None,
            anchor: None,
            alias: None,
        }
    }

    #[test]
    fn block_layout_like_compose_config() {
        let text = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\", {target: 80, published: 8080}]\n    command: [sh, -c, 'echo hi']\n    environment: {A: '1', B: }\n    labels: {}\n    volumes: []\n    healthcheck:\n      test: [CMD, true]\n      interval: 30s\nvolumes:\n  data:\n";
        let emitted = round_trip(text);
        assert_eq!(
            emitted,
            "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n      - target: 80\n        published: 8080\n    command:\n      - sh\n      - -c\n      - echo hi\n    environment:\n      A: \"1\"\n      B: null\n    labels: {}\n    volumes: []\n    healthcheck:\n      test:\n        - CMD\n        - true\n      interval: 30s\nvolumes:\n  data: null\n"
        );
    }

    #[test]
    fn types_are_kept() {
        let emitted = round_trip(
            "a: 8080\nb: \"8080\"\nc: true\nd: 'true'\ne: ~\nf: 'null'\ng: 1.5\nh: '1.5'\ni: 0x1F\nj: .inf\nk: !!str 12\nl: -3\n",
        );
        assert_eq!(
            emitted,
            "a: 8080\nb: \"8080\"\nc: true\nd: \"true\"\ne: ~\nf: \"null\"\ng: 1.5\nh: \"1.5\"\ni: 0x1F\nj: .inf\nk: \"12\"\nl: -3\n"
        );
    }

    #[test]
    fn tricky_strings_round_trip() {
        let text = concat!(
            "\"yes\": \"yes\"\n",
            "octal: '010'\n",
            "colon: \"a: b\"\n",
            "hash: \"#x\"\n",
            "inner_hash: \"a #b\"\n",
            "empty: \"\"\n",
            "multi: \"one\\ntwo\\n\"\n",
            "literal: |\n  line one\n    indented\n  last\n",
            "folded: >-\n  folded\n  text\n",
            "null_string: 'null'\n",
            "tilde: '~'\n",
            "null_value: null\n",
            "unicode: \"héllo wörld ✓ 🐳\"\n",
            "spaces: '  padded  '\n",
            "tab: \"a\\tb\"\n",
            "dash: '-'\n",
            "dash_space: '- x'\n",
            "flag: --config\n",
            "doc: '---'\n",
            "dots: '...'\n",
            "quote: \"it's \\\"quoted\\\"\"\n",
            "backslash: 'C:\\path'\n",
            "trailing_colon: 'key:'\n",
            "url: http://example.com:8080/x\n",
            "star: '*x'\n",
            "amp: '&x'\n",
            "bang: '!x'\n",
            "percent: '%x'\n",
            "at: '@x'\n",
            "pipe: '|'\n",
            "brace: '{a}'\n",
            "bracket: '[a]'\n",
            "comma: a, b\n",
            "merge: '<<'\n",
            "on: 'on'\n",
            "Off: 'Off'\n",
            "port: '80:80'\n",
            "date: '2024-01-01'\n",
            "under: '1_000'\n",
            "bin: '0b11'\n",
            "duration: 1h30m\n",
            "hex: '0x1F'\n",
            "control: \"\\0\\x07\\e\\x7f\\u0085\\u2028\\u2029\\ufeff\"\n",
            "cr: \"a\\rb\"\n",
            "'8080': quoted key\n",
            "\"a: b\": key with colon\n",
            "'': empty key\n",
            "list:\n- 'yes'\n- ''\n- - nested\n  - 'no'\n- {}\n- []\n- a: 1\n  b: [x]\n",
        );
        let emitted = round_trip(text);
        for line in [
            "\"yes\": \"yes\"\n",
            "octal: \"010\"\n",
            "colon: \"a: b\"\n",
            "hash: \"#x\"\n",
            "empty: \"\"\n",
            "multi: \"one\\ntwo\\n\"\n",
            "null_string: \"null\"\n",
            "null_value: null\n",
            "unicode: héllo wörld ✓ 🐳\n",
            "flag: --config\n",
            "port: \"80:80\"\n",
            "duration: 1h30m\n",
            "control: \"\\0\\a\\e\\x7F\\N\\L\\P\\uFEFF\"\n",
            "\"8080\": quoted key\n",
            "\"\": empty key\n",
            "  - - nested\n    - \"no\"\n",
            "  - a: 1\n    b:\n      - x\n",
        ] {
            assert!(emitted.contains(line), "{line:?} in\n{emitted}");
        }
    }

    #[test]
    fn any_string_round_trips() {
        let samples = [
            "",
            " ",
            "a",
            "-",
            "--",
            "- ",
            "?",
            "? a",
            ":",
            ":a",
            "a:",
            "a:b",
            "a :b",
            "#",
            "a#b",
            "a #",
            "'",
            "\"",
            "\\",
            "\n",
            "a\n",
            "\na",
            "a\n\nb",
            " a",
            "a ",
            "\t",
            "0",
            "-0",
            "+1",
            ".5",
            "1e3",
            "1.",
            "0o7",
            "0x",
            "0xG",
            "true",
            "True",
            "TRUE",
            "yes",
            "Yes",
            "y",
            "N",
            "null",
            "Null",
            "~",
            ".nan",
            ".NaN",
            "-.inf",
            "inf",
            "NaN",
            "<<",
            "=",
            "---",
            "...",
            "--- a",
            "... a",
            "a\u{85}b",
            "\u{feff}",
            "é",
            "🐳",
            "\u{a0}",
            "a\u{0}b",
            "%YAML",
            "@",
            "`",
            "a, b",
            "[",
            "]",
            "{",
            "}",
            "a]",
            "a}",
            "!",
            "!!str",
            "&a",
            "*a",
            "|",
            ">",
            "a|b",
            "12:30",
            "1:2:3",
            "2001-12-14t21:59:43.10-05:00",
            "0b",
            "1__0",
            "-x",
            "-1x",
            "+x",
            ".x",
            "x.",
        ];
        for sample in samples {
            let node = string(sample);
            let emitted = emit(&node);
            let back = doc(&emitted);
            assert!(node.same_value(&back), "{sample:?}\n--- emitted:\n{emitted}");
            // As a key and as an item too.
            let mapping = doc(&format!("{}: {}\n", inline(&node), inline(&node)));
            let pair = &mapping.as_mapping().unwrap().entries[0];
            assert!(pair.key.same_value(&node) && pair.value.same_value(&node), "{sample:?}");
            let sequence = doc(&format!("- {}\n", inline(&node)));
            assert!(sequence.as_sequence().unwrap()[0].same_value(&node), "{sample:?}");
        }
    }

    #[test]
    fn nested_collections_and_complex_keys() {
        let emitted = round_trip("- - - a\n    - b\n  - c\n- x: [1]\n  y: {z: {w: [[], {}]}}\n  n: N\n");
        assert_eq!(
            emitted,
            "- - - a\n    - b\n  - c\n- x:\n    - 1\n  \"y\":\n    z:\n      w:\n        - []\n        - {}\n  \"n\": \"N\"\n"
        );
        let emitted = round_trip("? [a, b]\n: value\n? {k: v}\n: - 1\n  - 2\nplain: 1\n");
        assert_eq!(emitted, "? - a\n  - b\n: value\n? k: v\n: - 1\n  - 2\nplain: 1\n");
        round_trip("[]\n");
        round_trip("{}\n");
        round_trip("just text\n");
        round_trip("\"yes\"\n");
        round_trip("~\n");
    }

    #[test]
    fn interpolated_values_print_as_strings_and_dollars_doubled() {
        let mut root = doc("a: x\nb: x\nc: x\nd: 10\ne:\nf: [x]\n\"$k\": x\n");
        let interpolate = |node: &mut Node, text: &str| {
            let Value::Scalar(scalar) = &mut node.value else {
                panic!()
            };
            scalar.raw = Some(scalar.text.clone().into_boxed_str());
            scalar.text = text.to_string();
        };
        let Value::Mapping(mapping) = &mut root.value else {
            panic!()
        };
        interpolate(&mut mapping.entries[0].value, "2024.10");
        interpolate(&mut mapping.entries[1].value, "0100");
        interpolate(&mut mapping.entries[2].value, "");
        let Value::Sequence(items) = &mut mapping.entries[5].value.value else {
            panic!()
        };
        interpolate(&mut items[0], "a$b");
        as_compose_prints(&mut root);
        assert_eq!(
            emit(&root),
            "a: \"2024.10\"\nb: \"0100\"\nc: \"\"\nd: 10\ne: null\nf:\n  - a$$b\n$k: x\n"
        );
    }

    #[test]
    fn origins_end_the_lines_that_set_values() {
        let text = "a: 1\nb:\n  c: x\n  d:\n    - p\n    - k: v\n      l: w\ne: {}\n";
        let root = doc(text);
        let lines = crate::source::LineIndex::new(text);
        let origin = |span: Span| Some(format!("f:{}", lines.line_col(text, span.start).line));
        assert_eq!(
            emit_with_origins(&root, &origin),
            "a: 1  # f:1\nb:  # f:2\n  c: x  # f:3\n  d:  # f:4\n    - p  # f:5\n    - k: v  # f:6\n      l: w  # f:7\ne: {}  # f:8\n"
        );
        let back = doc(&emit_with_origins(&root, &origin));
        assert!(root.same_value(&back));
    }
}
