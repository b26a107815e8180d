//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
//! `${VAR+alt}`, nested expressions in the default/alternative/message, and
//! `$$` for a literal `$`. Only values are interpolated, never keys.
//!
//! The runner applies [`apply`] to the parsed tree before the rules run:
//! each changed scalar gets the interpolated `text` and keeps what was
//! written in `raw`, so every rule sees deployed values while spans still
//! point at the original text.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::compose::yaml::{Node, Value};
use crate::read::{MAX_FILE_SIZE, read_regular_file};
use crate::source::Span;

/// Where variables come from. As in Compose, the process environment wins
/// over env files.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub process: HashMap<String, String>,
    /// The variables of the `--env-file` files (a later file wins). `None`:
    /// read `.env` beside each compose file instead.
    pub env_files: Option<HashMap<String, String>>,
}

impl Environment {
    /// The process environment plus the given env files (none: `.env`
    /// beside each compose file). An unreadable env file is an error.
    pub fn load(env_files: &[PathBuf]) -> Result<Self, String> {
        let process: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect();
        let mut environment = Environment {
            process,
            env_files: None,
        };
        if !env_files.is_empty() {
            let mut vars = HashMap::new();
            for path in env_files {
                // Named by the user, so read from anywhere; still only a regular file within the cap.
                let bytes = read_regular_file(path, MAX_FILE_SIZE)
                    .map_err(|error| format!("cannot read env file {}: it {error}", path.display()))?;
                parse_env_file(&String::from_utf8_lossy(&bytes), &mut vars, &environment.process);
            }
            environment.env_files = Some(vars);
        }
        Ok(environment)
    }

    /// The variables for a compose file whose `.env` (if any, and if no
    /// `--env-file` was given) has the text `dot_env`.
    pub fn variables<'a>(&'a self, dot_env: Option<&str>) -> Variables<'a> {
        let files = match (&self.env_files, dot_env) {
            (Some(vars), _) => FileVars::Shared(vars),
            (None, Some(text)) => {
                let mut vars = HashMap::new();
                parse_env_file(text, &mut vars, &self.process);
                FileVars::Owned(vars)
            }
            (None, None) => FileVars::Owned(HashMap::new()),
        };
        Variables {
            process: &self.process,
            files,
        }
    }

    /// The `.env` file the variables of a compose file in `dir` come from,
    /// or `None` when `--env-file` replaces it.
    pub fn dot_env_path(&self, dir: &Path) -> Option<PathBuf> {
        self.env_files.is_none().then(|| dir.join(".env"))
    }
}

enum FileVars<'a> {
    Shared(&'a HashMap<String, String>),
    Owned(HashMap<String, String>),
}

/// The variables one compose file is interpolated with.
pub struct Variables<'a> {
    process: &'a HashMap<String, String>,
    files: FileVars<'a>,
}

impl Variables<'_> {
    pub fn get(&self, name: &str) -> Option<&str> {
        let files = match &self.files {
            FileVars::Shared(vars) => vars,
            FileVars::Owned(vars) => vars,
        };
        self.process.get(name).or_else(|| files.get(name)).map(String::as_str)
    }
}

/// Reads `NAME=value` lines (optionally `export NAME=value`) into `vars`.
/// Values may be single-quoted (literal), double-quoted (with `\n`-style
/// escapes) or bare (an unquoted ` #` starts a comment); bare and
/// double-quoted values are interpolated with the variables read so far,
/// the process environment winning, as Compose does. Lines that are no
/// assignment are skipped.
pub fn parse_env_file(text: &str, vars: &mut HashMap<String, String>, process: &HashMap<String, String>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if !is_name(name) {
            continue;
        }
        let value = value.trim_start();
        let (value, interpolate) = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                // A quoted value may span lines until its closing quote; each
                // line is scanned once (an escape never reaches past a line end).
                let mut body = String::new();
                let mut rest = &value[1..];
                loop {
                    if let Some(end) = closing_quote(rest, quote) {
                        body.push_str(&rest[..end]);
                        break;
                    }
                    body.push_str(rest);
                    match lines.next() {
                        Some(next) => {
                            body.push('\n');
                            rest = next;
                        }
                        None => break,
                    }
                }
                if quote == '"' {
                    (unescape_double(&body), true)
                } else {
                    (body, false)
                }
            }
            _ => {
                let bare = value.find(" #").map_or(value, |at| &value[..at]);
                (bare.trim_end().to_string(), true)
            }
        };
        let value = if interpolate && value.contains('$') {
            let lookup = |name: &str| process.get(name).or_else(|| vars.get(name)).map(String::as_str);
            match parse(&value) {
                (pieces, malformed) if malformed.is_empty() => {
                    let mut out = String::new();
                    evaluate(&pieces, &lookup, &mut out, &mut Vec::new());
                    out
                }
                _ => value,
            }
        } else {
            value
        };
        vars.insert(name.to_string(), value);
    }
}

fn closing_quote(body: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in body.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(at),
            _ => escaped = false,
        }
    }
    None
}

fn unescape_double(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A problem found while interpolating, at its place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub kind: ProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The expression cannot be parsed.
    Malformed { expression: String, reason: String },
    /// `${NAME:?message}` or `${NAME?message}` with the variable unset (or
    /// empty, for `:?`).
    Required { name: String, message: String, empty: bool },
    /// `$NAME` or `${NAME}` with the variable unset: it becomes empty.
    Unset { name: String },
    /// The `.env` the variables come from is there but was not read; the
    /// reason names no content of it.
    EnvFile { path: String, reason: String },
}

impl ProblemKind {
    /// What is wrong, in one sentence (S004 and `vwe-lint config` say it alike).
    pub fn message(&self) -> String {
        match self {
            ProblemKind::Malformed { expression, reason } => {
                format!("malformed interpolation `{expression}`: {reason}")
            }
            ProblemKind::Required { name, message, empty } => {
                let state = if *empty { "empty" } else { "not set" };
                let said = if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                };
                format!("required variable `{name}` is {state}{said}")
            }
            ProblemKind::Unset { name } => format!("variable `{name}` is not set: Compose substitutes an empty string"),
            ProblemKind::EnvFile { path, reason } => {
                format!("`{path}` {reason}: its variables are not used to interpolate this file")
            }
        }
    }
}

/// What interpolating a tree found.
#[derive(Clone, Debug, Default)]
pub struct Interpolation {
    /// In source order of the scalars.
    pub problems: Vec<Problem>,
    /// The spans of scalars whose value could not be known (an unset
    /// variable, a failed `?` or a malformed expression): their value is
    /// S004's business, and no other check judges it.
    pub unresolved: HashSet<Span>,
}

/// Interpolates every scalar value under `node` (not mapping keys) in place.
/// `source` is the text the spans point into. Copies made by aliases and
/// `<<` merges are interpolated too, but their problems are reported once,
/// at the original.
pub fn apply(source: &str, node: &mut Node, vars: &Variables, out: &mut Interpolation) {
    let lookup = |name: &str| vars.get(name);
    walk(source, node, &lookup, false, out);
}

/// Recursion is bounded by the tree's nesting limit ([`crate::compose::yaml::MAX_DEPTH`]).
fn walk<'v>(
    source: &str,
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<&'v str>,
    copy: bool,
    out: &mut Interpolation,
) {
    let copy = copy || node.alias.is_some();
    let span = node.span;
    match &mut node.value {
        Value::Null => {}
        Value::Scalar(scalar) => {
            if !scalar.text.contains('$') {
                return;
            }
            let (pieces, mut findings) = parse(&scalar.text);
            let interpolated = if findings.is_empty() {
                let mut text = String::new();
                evaluate(&pieces, lookup, &mut text, &mut findings);
                text
            } else {
                // Compose refuses the whole value; it is left as written.
                scalar.text.clone()
            };
            if !findings.is_empty() {
                out.unresolved.insert(span);
            }
            if !copy {
                let written = source.get(span.start..span.end).unwrap_or("");
                let mut cursor = 0;
                for finding in findings {
                    let expression = &scalar.text[finding.start..finding.end];
                    let place = match written[cursor..].find(expression) {
                        Some(at) => {
                            cursor += at + expression.len();
                            span.sub(span.start + cursor - expression.len(), span.start + cursor)
                        }
                        None => span,
                    };
                    out.problems.push(Problem {
                        span: place,
                        kind: finding.kind,
                    });
                }
            }
            if interpolated != scalar.text {
                scalar.raw = Some(std::mem::replace(&mut scalar.text, interpolated).into_boxed_str());
            }
        }
        Value::Sequence(items) => {
            for item in items {
                walk(source, item, lookup, copy, out);
            }
        }
        Value::Mapping(mapping) => {
            for entry in &mut mapping.entries {
                let merged = entry.merged_from.is_some();
                walk(source, &mut entry.value, lookup, copy || merged, out);
            }
        }
    }
}

/// The deepest nesting of `${...}` in a default, alternative or message:
/// far beyond what people write, and parsed without exhausting the stack.
const MAX_NESTING: usize = 32;

/// A problem at a byte range of the scalar's text.
struct Finding {
    start: usize,
    end: usize,
    kind: ProblemKind,
}

enum Piece {
    Text(String),
    Var(Substitution),
}

struct Substitution {
    name: String,
    op: Option<Op>,
    /// The default, alternative or error message, itself a template.
    arg: Vec<Piece>,
    /// Byte range of the whole expression in the scalar's text.
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `:-`: the argument when unset or empty.
    DefaultIfEmpty,
    /// `-`: the argument when unset.
    DefaultIfUnset,
    /// `:?`: an error when unset or empty.
    RequireNonEmpty,
    /// `?`: an error when unset.
    RequireSet,
    /// `:+`: the argument when set and not empty.
    AltIfNonEmpty,
    /// `+`: the argument when set.
    AltIfSet,
}

fn is_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

fn name_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(b) if *b == b'_' || b.is_ascii_alphabetic() => {
            1 + bytes[1..]
                .iter()
                .take_while(|b| **b == b'_' || b.is_ascii_alphanumeric())
                .count()
        }
        _ => 0,
    }
}

/// The template, and every malformed expression in it (each is skipped, so
/// that the ones after it are found too).
fn parse(text: &str) -> (Vec<Piece>, Vec<Finding>) {
    let mut pieces = Vec::new();
    let mut malformed = Vec::new();
    let mut at = 0;
    loop {
        match parse_from(text, at, None, 0) {
            Ok((more, _)) => {
                pieces.extend(more);
                return (pieces, malformed);
            }
            Err(finding) => {
                at = finding.end;
                malformed.push(finding);
            }
        }
    }
}

/// Parses from `at` to the end, or (inside `${` opened at `open`, `depth`
/// expressions deep) to the closing `}`, whose offset is returned.
fn parse_from(text: &str, mut at: usize, open: Option<usize>, depth: usize) -> Result<(Vec<Piece>, usize), Finding> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut literal_from = at;
    let flush = |literal: &mut String, pieces: &mut Vec<Piece>| {
        if !literal.is_empty() {
            pieces.push(Piece::Text(std::mem::take(literal)));
        }
    };
    while at < bytes.len() {
        match bytes[at] {
            b'}' if open.is_some() => {
                literal.push_str(&text[literal_from..at]);
                flush(&mut literal, &mut pieces);
                return Ok((pieces, at));
            }
            b'$' => {
                literal.push_str(&text[literal_from..at]);
                match bytes.get(at + 1) {
                    Some(b'$') => {
                        literal.push('$');
                        at += 2;
                    }
                    Some(b'{') => {
                        flush(&mut literal, &mut pieces);
                        let substitution = parse_braced(text, at, depth)?;
                        at = substitution.end;
                        pieces.push(Piece::Var(substitution));
                    }
                    _ => {
                        let len = name_len(&bytes[at + 1..]);
                        if len == 0 {
                            // Not an expression: Compose keeps a lone `$` as written.
                            literal.push('$');
                            at += 1;
                        } else {
                            flush(&mut literal, &mut pieces);
                            pieces.push(Piece::Var(Substitution {
                                name: text[at + 1..at + 1 + len].to_string(),
                                op: None,
                                arg: Vec::new(),
                                start: at,
                                end: at + 1 + len,
                            }));
                            at += 1 + len;
                        }
                    }
                }
                literal_from = at;
            }
            _ => at += 1,
        }
    }
    if let Some(open) = open {
        return Err(Finding {
            start: open,
            end: text.len(),
            kind: ProblemKind::Malformed {
                expression: text[open..].to_string(),
                reason: "it is never closed: `}` is missing".to_string(),
            },
        });
    }
    literal.push_str(&text[literal_from..]);
    flush(&mut literal, &mut pieces);
    Ok((pieces, text.len()))
}

/// Parses the `${...}` starting at `start`, inside `depth` others.
fn parse_braced(text: &str, start: usize, depth: usize) -> Result<Substitution, Finding> {
    if depth >= MAX_NESTING {
        // The rest of the value is not parsed: finding its end would take the recursion refused here.
        let shown = crate::source::floor_char_boundary(&text[start..], 40);
        return Err(Finding {
            start,
            end: text.len(),
            kind: ProblemKind::Malformed {
                expression: format!("{}…", &text[start..start + shown]),
                reason: format!("`${{…}}` is nested deeper than {MAX_NESTING} levels"),
            },
        });
    }
    let bytes = text.as_bytes();
    let name_at = start + 2;
    let len = name_len(&bytes[name_at..]);
    let malformed = |end: usize, reason: String| Finding {
        start,
        end,
        kind: ProblemKind::Malformed {
            expression: text[start..end].to_string(),
            reason,
        },
    };
    // The end of the bad expression: its `}` if it has one, else the text.
    let close = |from: usize| text[from..].find('}').map_or(text.len(), |at| from + at + 1);
    if len == 0 {
        let reason = match bytes.get(name_at) {
            Some(b'}') => "it names no variable".to_string(),
            None => "it is never closed: `}` is missing".to_string(),
            Some(_) => {
                let c = text[name_at..].chars().next().unwrap_or('?');
                format!("a variable name starts with a letter or `_`, not `{c}`")
            }
        };
        return Err(malformed(close(name_at), reason));
    }
    let name = text[name_at..name_at + len].to_string();
    let mut at = name_at + len;
    let colon = bytes.get(at) == Some(&b':');
    if colon {
        at += 1;
    }
    let op = match (bytes.get(at), colon) {
        (Some(b'}'), false) => {
            return Ok(Substitution {
                name,
                op: None,
                arg: Vec::new(),
                start,
                end: at + 1,
            });
        }
        (Some(b'-'), true) => Op::DefaultIfEmpty,
        (Some(b'-'), false) => Op::DefaultIfUnset,
        (Some(b'?'), true) => Op::RequireNonEmpty,
        (Some(b'?'), false) => Op::RequireSet,
        (Some(b'+'), true) => Op::AltIfNonEmpty,
        (Some(b'+'), false) => Op::AltIfSet,
        (None, _) => return Err(malformed(text.len(), "it is never closed: `}` is missing".to_string())),
        (Some(_), _) => {
            let c = text[at..].chars().next().unwrap_or('?');
            let reason = if colon {
                format!("`:` after `{name}` must be followed by `-`, `?` or `+`, not `{c}`")
            } else {
                format!(
                    "unexpected `{c}` after `{name}`: use `${{{name}}}`, `${{{name}:-default}}`, `${{{name}:?error}}` or `${{{name}:+alternative}}`"
                )
            };
            return Err(malformed(close(at), reason));
        }
    };
    let (arg, close_at) = parse_from(text, at + 1, Some(start), depth + 1)?;
    Ok(Substitution {
        name,
        op: Some(op),
        arg,
        start,
        end: close_at + 1,
    })
}

/// Appends the value of `pieces` to `out`; variables consulted and unset
/// (without a default) or failing a `?` become findings.
fn evaluate<'v>(
    pieces: &[Piece],
    lookup: &dyn Fn(&str) -> Option<&'v str>,
    out: &mut String,
    findings: &mut Vec<Finding>,
) {
    for piece in pieces {
        let substitution = match piece {
            Piece::Text(text) => {
                out.push_str(text);
                continue;
            }
            Piece::Var(substitution) => substitution,
        };
        let value = lookup(&substitution.name);
        let empty = value.is_none_or(str::is_empty);
        match substitution.op {
            None => match value {
                Some(value) => out.push_str(value),
                None => findings.push(Finding {
                    start: substitution.start,
                    end: substitution.end,
                    kind: ProblemKind::Unset {
                        name: substitution.name.clone(),
                    },
                }),
            },
            Some(Op::DefaultIfEmpty) if empty => evaluate(&substitution.arg, lookup, out, findings),
            Some(Op::DefaultIfUnset) if value.is_none() => evaluate(&substitution.arg, lookup, out, findings),
            Some(op @ (Op::RequireNonEmpty | Op::RequireSet))
                if value.is_none() || (op == Op::RequireNonEmpty && empty) =>
            {
                let mut message = String::new();
                evaluate(&substitution.arg, lookup, &mut message, findings);
                findings.push(Finding {
                    start: substitution.start,
                    end: substitution.end,
                    kind: ProblemKind::Required {
                        name: substitution.name.clone(),
                        message,
                        empty: value.is_some(),
                    },
                });
            }
            Some(Op::AltIfNonEmpty) => {
                if !empty {
                    evaluate(&substitution.arg, lookup, out, findings);
                }
            }
            Some(Op::AltIfSet) => {
                if value.is_some() {
                    evaluate(&substitution.arg, lookup, out, findings);
                }
            }
            Some(_) => out.push_str(value.unwrap_or("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> HashMap<String, String> {
        [("SET", "value"), ("EMPTY", ""), ("PORT", "8080"), ("NESTED", "inner")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The interpolated text and the findings as `kind name` strings.
    fn run(text: &str) -> (String, Vec<String>) {
        let vars = vars();
        let lookup = |name: &str| vars.get(name).map(String::as_str);
        let (pieces, malformed) = parse(text);
        let mut out = String::new();
        let mut findings = malformed;
        if findings.is_empty() {
            evaluate(&pieces, &lookup, &mut out, &mut findings);
        }
        let found = findings
            .iter()
            .map(|f| match &f.kind {
                ProblemKind::Unset { name } => format!("unset {name} {}..{}", f.start, f.end),
                ProblemKind::Required { name, message, .. } => format!("required {name}: {message}"),
                ProblemKind::Malformed { expression, reason } => format!("{expression} {reason}"),
                other => other.message(),
            })
            .collect();
        (out, found)
    }

    #[test]
    fn every_form() {
        let cases = [
            ("$SET", "value"),
            ("${SET}", "value"),
            ("a${SET}b", "avalueb"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:-d}", "value"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("${SET:?msg}", "value"),
            ("${EMPTY?msg}", ""),
            ("$$SET", "$SET"),
            ("$${SET}", "${SET}"),
            ("cost: 5$", "cost: 5$"),
            ("$1 $- $", "$1 $- $"),
            ("${UNSET:-${NESTED}}", "inner"),
            ("${UNSET:-${ALSO:-${PORT}}}/x", "8080/x"),
            ("${UNSET:-a}}", "a}"),
            ("${UNSET:-{}}", "{}"),
            ("${UNSET:-$$}", "$"),
            ("echo $$HOME ${PORT}", "echo $HOME 8080"),
        ];
        for (text, expected) in cases {
            assert_eq!(run(text), (expected.to_string(), Vec::new()), "{text}");
        }
    }

    #[test]
    fn unset_and_required() {
        assert_eq!(run("x$UNSET"), ("x".into(), vec!["unset UNSET 1..7".into()]));
        assert_eq!(run("${UNSET}:80"), (":80".into(), vec!["unset UNSET 0..8".into()]));
        assert_eq!(
            run("${UNSET:?set UNSET to $PORT}"),
            ("".into(), vec!["required UNSET: set UNSET to 8080".into()])
        );
        assert_eq!(run("${EMPTY:?}"), ("".into(), vec!["required EMPTY: ".into()]));
        // Defaults are evaluated only when used.
        assert_eq!(run("${SET:-$UNSET}"), ("value".into(), Vec::new()));
        assert_eq!(run("${UNSET:-$ALSO}"), ("".into(), vec!["unset ALSO 9..14".into()]));
    }

    #[test]
    fn malformed() {
        for (text, expected) in [
            ("${", "${ it is never closed: `}` is missing"),
            ("${}", "${} it names no variable"),
            ("${1A}", "${1A} a variable name starts with a letter or `_`, not `1`"),
            ("${A", "${A it is never closed: `}` is missing"),
            ("${A:-x", "${A:-x it is never closed: `}` is missing"),
            (
                "${A:x}",
                "${A:x} `:` after `A` must be followed by `-`, `?` or `+`, not `x`",
            ),
            (
                "x ${A B} y",
                "${A B} unexpected ` ` after `A`: use `${A}`, `${A:-default}`, `${A:?error}` or `${A:+alternative}`",
            ),
            ("${A:-${B}", "${A:-${B} it is never closed: `}` is missing"),
            ("${A:-${}}", "${} it names no variable"),
        ] {
            assert_eq!(run(text).1, vec![expected.to_string()], "{text}");
        }
        // Every malformed expression of a value is found.
        assert_eq!(
            run("${} ok ${A:x} $B").1,
            [
                "${} it names no variable",
                "${A:x} `:` after `A` must be followed by `-`, `?` or `+`, not `x`"
            ]
        );
    }

    #[test]
    fn env_files() {
        let process: HashMap<String, String> = [("FROM_PROCESS".to_string(), "p".to_string())].into();
        let mut vars = HashMap::new();
        let text = "# comment\nexport A=1\nB = two words # comment\nC=\"quoted # not a comment\\n\"\nD='$A literal'\nE=${A}-$FROM_PROCESS\nF=\"multi\nline\"\nnot an assignment\nG=\n";
        parse_env_file(text, &mut vars, &process);
        let get = |name: &str| vars.get(name).map(String::as_str);
        assert_eq!(get("A"), Some("1"));
        assert_eq!(get("B"), Some("two words"));
        assert_eq!(get("C"), Some("quoted # not a comment\n"));
        assert_eq!(get("D"), Some("$A literal"));
        assert_eq!(get("E"), Some("1-p"));
        assert_eq!(get("F"), Some("multi\nline"));
        assert_eq!(get("G"), Some(""));
        assert_eq!(vars.len(), 7);
    }

    #[test]
    fn the_process_environment_wins_over_env_files() {
        let environment = Environment {
            process: [("A".to_string(), "process".to_string())].into(),
            env_files: None,
        };
        let vars = environment.variables(Some("A=file\nB=file\n"));
        assert_eq!(vars.get("A"), Some("process"));
        assert_eq!(vars.get("B"), Some("file"));
        assert_eq!(vars.get("C"), None);
    }

    #[test]
    fn apply_keeps_the_raw_text_and_locates_problems() {
        let source = "services:\n  web:\n    image: \"app:${TAG:-1}\"\n    command: run ${MISSING} $$x\n    x-k: &a ${GONE}\n    x-copy: *a\n    ${KEY}: 1\n";
        let mut output = crate::compose::yaml::parse(source);
        let environment = Environment::default();
        let vars = environment.variables(None);
        let mut found = Interpolation::default();
        apply(source, &mut output.documents[0], &vars, &mut found);
        let web = output.documents[0].get("services").unwrap().get("web").unwrap();
        let image = web.get("image").unwrap().as_scalar().unwrap();
        assert_eq!(image.text, "app:1");
        assert_eq!(image.raw.as_deref(), Some("app:${TAG:-1}"));
        let command = web.get("command").unwrap().as_scalar().unwrap();
        assert_eq!(command.text, "run  $x");
        let at = |span: Span| &source[span.start..span.end];
        let places: Vec<&str> = found.problems.iter().map(|p| at(p.span)).collect();
        // Reported once, at the anchor, not again at the alias; keys are not interpolated.
        assert_eq!(places, ["${MISSING}", "${GONE}"]);
        assert_eq!(found.unresolved.len(), 2);
        assert!(web.get("${KEY}").is_some());
    }

    #[test]
    fn deep_nesting_is_malformed_not_a_stack_overflow() {
        // 150 KB of `${A:-` overflowed the stack when every level recursed.
        let deep = "${A:-".repeat(30_000) + &"}".repeat(30_000);
        let (out, found) = run(&deep);
        assert_eq!(out, "");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("is nested deeper than 32 levels"), "{found:?}");
        assert!(found[0].len() < 200, "{found:?}");
        let shallow = "${A:-".repeat(MAX_NESTING) + "x" + &"}".repeat(MAX_NESTING);
        assert_eq!(run(&shallow), ("x".to_string(), Vec::new()));
        let mut vars = HashMap::new();
        parse_env_file(&format!("A={deep}\nB=\"{deep}\"\n"), &mut vars, &HashMap::new());
        assert_eq!(vars.get("A"), Some(&deep));
    }

    #[test]
    fn an_unterminated_quote_is_read_in_linear_time() {
        // Rescanning the value at every line took minutes for this size.
        let lines = "x".repeat(9) + "\n";
        let text = format!("A=\"{}", lines.repeat(40_000));
        let mut vars = HashMap::new();
        parse_env_file(&text, &mut vars, &HashMap::new());
        assert_eq!(vars.get("A").map(String::len), Some(text.len() - 4));
        let mut vars = HashMap::new();
        parse_env_file("A=\"one \\\" two\nthree\" # c\nB='x\ny'\n", &mut vars, &HashMap::new());
        assert_eq!(vars.get("A").map(String::as_str), Some("one \" two\nthree"));
        assert_eq!(vars.get("B").map(String::as_str), Some("x\ny"));
    }
}
