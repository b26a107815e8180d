//! Dockerfile parser with exact byte spans.
//!
//! It follows BuildKit's line rules: parser directives at the very top, the
//! escape character (`\` or a backtick), line continuations that skip comment
//! and blank lines, heredocs for RUN/COPY/ADD, and JSON (exec) versus shell
//! form. Instructions are split into keyword, `--flags` and arguments; logical
//! text (continuations removed) keeps a map back to source offsets, so rules
//! can point at the exact bytes.
//!
//! Parsing never fails: problems are collected in [`Dockerfile::errors`] and
//! parsing goes on with the next line.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::source::Span;

/// A parsed Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dockerfile {
    /// `\` unless a `# escape=` directive chose the backtick.
    pub escape: char,
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) from the top of the file.
    pub directives: Vec<Directive>,
    /// Every known instruction, in order. Unknown keywords are errors and left out.
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// Every comment line, also those inside continuations; not directives and
    /// not heredoc body lines.
    pub comments: Vec<Comment>,
    /// Syntax problems (S005), sorted by position.
    pub errors: Vec<ParseError>,
    /// The commands of each RUN (and ONBUILD RUN), by instruction index, made
    /// on first use by [`super::shell::scripts`] so that rules share them.
    pub(crate) scripts: std::sync::OnceLock<Vec<Option<super::shell::Script>>>,
    /// The first and last stage of each name, lowercase (names compare
    /// case-insensitively), so that name lookups do not scan the stages.
    stage_names: HashMap<String, (usize, usize)>,
    /// The ARGs before the first FROM, resolved once: every stage's FROM
    /// may use them.
    global_args: Vec<GlobalArg>,
    /// Their values by name (the last declaration wins).
    global_values: HashMap<String, Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    /// The whole `# name=value` line, without trailing whitespace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`, trimmed.
    pub text: String,
    /// From `#` to the end of the line, without trailing whitespace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Keyword::From,
        Keyword::Run,
        Keyword::Cmd,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Expose,
        Keyword::Env,
        Keyword::Add,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Volume,
        Keyword::User,
        Keyword::Workdir,
        Keyword::Arg,
        Keyword::Onbuild,
        Keyword::Stopsignal,
        Keyword::Healthcheck,
        Keyword::Shell,
    ];

    /// The keyword in upper case, as documented.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::From => "FROM",
            Keyword::Run => "RUN",
            Keyword::Cmd => "CMD",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Expose => "EXPOSE",
            Keyword::Env => "ENV",
            Keyword::Add => "ADD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Volume => "VOLUME",
            Keyword::User => "USER",
            Keyword::Workdir => "WORKDIR",
            Keyword::Arg => "ARG",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Shell => "SHELL",
        }
    }

    /// Case-insensitive lookup.
    pub fn from_name(name: &str) -> Option<Keyword> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(name))
    }

    /// The flags BuildKit accepts; others fail the build ("unknown flag").
    /// `None` where the set keeps growing (RUN, COPY, ADD), so it is not checked.
    fn known_flags(self) -> Option<&'static [&'static str]> {
        match self {
            Keyword::Run | Keyword::Copy | Keyword::Add => None,
            Keyword::From => Some(&["platform"]),
            Keyword::Healthcheck => Some(&["interval", "timeout", "start-period", "start-interval", "retries"]),
            _ => Some(&[]),
        }
    }

    /// Instructions whose arguments may be a JSON array.
    fn takes_json(self) -> bool {
        matches!(
            self,
            Keyword::Run
                | Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Shell
                | Keyword::Copy
                | Keyword::Add
                | Keyword::Volume
        )
    }

    fn takes_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    pub keyword_span: Span,
    /// Keyword through the last continuation line and any heredoc bodies and
    /// terminators (no final line break).
    pub span: Span,
    pub flags: Vec<Flag>,
    /// The text after the flags.
    pub args: Arguments,
    /// Source span of the arguments (after the flags), for both forms.
    pub args_span: Span,
    pub heredocs: Vec<Heredoc>,
    /// Index into [`Dockerfile::stages`]; `None` before the first FROM (global ARGs).
    pub stage: Option<usize>,
    /// For ONBUILD: the trigger instruction (its heredocs live there).
    pub trigger: Option<Box<Instruction>>,
    /// ENV, LABEL and ARG: the `name=value` pairs (or the legacy `name value`).
    pub key_values: Vec<KeyValue>,
}

impl Instruction {
    /// The first flag called `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// For `HEALTHCHECK [flags] CMD …`: the command after `CMD`, in exec or shell form.
    pub fn healthcheck_command(&self) -> Option<Arguments> {
        match (&self.keyword, &self.args) {
            (Keyword::Healthcheck, Arguments::Shell(text)) => healthcheck_cmd_text(text).map(|cmd| classify(&cmd).0),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Without the leading `--`.
    pub name: String,
    /// Quotes and backslash escapes removed; `None` for a bare `--link`.
    pub value: Option<String>,
    /// The whole `--name=value`.
    pub span: Span,
    /// The raw value text after `=`.
    pub value_span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arguments {
    /// A valid JSON array of strings.
    Exec(Vec<Word>),
    Shell(ShellText),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Unescaped text.
    pub text: String,
    /// The literal as written, including quotes.
    pub span: Span,
}

/// One contiguous piece of logical text taken from the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    logical: usize,
    source: usize,
    len: usize,
}

/// Logical text (continuations and comment lines removed) with a map back to
/// source offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellText {
    pub text: String,
    pub span: Span,
    segments: Vec<Segment>,
}

impl ShellText {
    /// Shell text from outside a Dockerfile (a compose `CMD-SHELL` test),
    /// mapped onto source offsets from `start`.
    pub fn detached(text: &str, start: usize) -> ShellText {
        let mut shell = ShellText {
            text: String::new(),
            span: Span::new(start, start + text.len()),
            segments: Vec::new(),
        };
        shell.segments.push(Segment {
            logical: 0,
            source: start,
            len: text.len(),
        });
        shell.text.push_str(text);
        shell
    }

    /// Source offset of the logical byte offset `logical` (a start position:
    /// at a continuation it maps to the start of the next line's piece).
    pub fn source_offset(&self, logical: usize) -> usize {
        let i = self.segments.partition_point(|s| s.logical <= logical);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some(seg) => seg.source + (logical - seg.logical).min(seg.len),
            None => self.span.start,
        }
    }

    /// Source span of a logical range; the end stays on the line of the last byte.
    pub fn source_span(&self, logical: Range<usize>) -> Span {
        let start = self.source_offset(logical.start);
        if logical.end <= logical.start {
            return Span::point(start);
        }
        let i = self.segments.partition_point(|s| s.logical < logical.end);
        let end = match i.checked_sub(1).map(|i| self.segments[i]) {
            Some(seg) => seg.source + (logical.end - seg.logical).min(seg.len),
            None => start,
        };
        Span::new(start, end.max(start))
    }

    /// The sub-text `range` (byte offsets on char boundaries) with its own map.
    fn slice(&self, range: Range<usize>) -> ShellText {
        let segments = self
            .segments
            .iter()
            .filter_map(|seg| {
                let start = seg.logical.max(range.start);
                let end = (seg.logical + seg.len).min(range.end);
                (start < end).then(|| Segment {
                    logical: start - range.start,
                    source: seg.source + (start - seg.logical),
                    len: end - start,
                })
            })
            .collect();
        ShellText {
            text: self.text[range.clone()].to_string(),
            span: self.source_span(range),
            segments,
        }
    }

    fn push(&mut self, source_text: &str, source: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.segments.push(Segment {
            logical: self.text.len(),
            source,
            len,
        });
        self.text.push_str(&source_text[source..source + len]);
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub strip_tabs: bool,
    /// `<<"EOF"` or `<<'EOF'`: no expansion in the body.
    pub quoted: bool,
    /// The body lines (tabs stripped for `<<-`), each ending in `\n`; no `\r`.
    pub body: String,
    /// From the first body line to the end of the last one (no line break);
    /// an empty point at the terminator line when the body is empty.
    pub body_span: Span,
    /// The `<<EOF` word.
    pub marker_span: Span,
    text: ShellText,
}

impl Heredoc {
    /// The body with its map to source offsets.
    pub fn body_text(&self) -> &ShellText {
        &self.text
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM in [`Dockerfile::instructions`].
    pub from: usize,
    /// The image reference as written (e.g. `python:${PY}-slim`); empty text
    /// when the FROM has no arguments (an error is reported).
    pub image: Word,
    /// `AS name` as written; stage names compare case-insensitively.
    pub name: Option<Word>,
    /// The `--platform` flag value.
    pub platform: Option<String>,
    /// The FROM and every instruction up to the next FROM.
    pub instructions: Range<usize>,
    /// The earlier stage the `FROM` names (the last of that name before it).
    pub parent: Option<usize>,
    /// The first stage of the chain through `parent`: the one whose base is not a stage.
    pub root: usize,
    /// The stage's SHELL instructions, by index in [`Dockerfile::instructions`].
    pub shells: Vec<usize>,
    /// The SHELL in effect at the end of the stage: its last one, else its parent's.
    pub shell_at_end: Option<usize>,
}

/// One `name=value` (or legacy `name value`) of ENV, LABEL or ARG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    /// Quotes and escapes removed, variables not expanded. `None` for `ARG name`.
    pub value: Option<Word>,
    /// The legacy `ENV name value` form (D413).
    pub legacy: bool,
    /// The value as written (logical text, quotes kept).
    raw_value: Option<String>,
}

/// An ARG before the first FROM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalArg {
    pub name: String,
    /// The default after `=`: unquoted text, span as written.
    pub default: Option<Word>,
    /// The default with earlier global ARGs substituted; `None` without a
    /// default or when it uses a variable with no value.
    pub value: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRef {
    Resolved(String),
    /// `text` keeps the unresolved `$VAR` references as written.
    Unresolved {
        text: String,
        missing: Vec<String>,
    },
}

/// The result of variable substitution.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Substituted {
    pub text: String,
    /// Variables with no value (and no default in the expression), in order of use.
    pub missing: Vec<String>,
}

impl Dockerfile {
    /// ARGs before the first FROM, with defaults resolved in order.
    pub fn global_args(&self) -> &[GlobalArg] {
        &self.global_args
    }

    /// Whether a global ARG is called `name`, and its value if it has one.
    pub fn global_value(&self, name: &str) -> Option<Option<&str>> {
        self.global_values.get(name).map(Option::as_deref)
    }

    /// The stage's image with global ARG defaults substituted.
    pub fn resolve_from(&self, stage: &Stage) -> ImageRef {
        let lookup = |name: &str| self.global_value(name).flatten().map(str::to_string);
        let result = substitute_with_escape(&stage.image.text, self.escape, lookup);
        if result.missing.is_empty() {
            ImageRef::Resolved(result.text)
        } else {
            ImageRef::Unresolved {
                text: result.text,
                missing: result.missing,
            }
        }
    }

    /// The stage called `name` (case-insensitive), the last one if repeated.
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        let &(_, last) = self.stage_names.get(&name.to_ascii_lowercase())?;
        Some(&self.stages[last])
    }

    /// Whether a stage before the one at `index` is called `name` (case-insensitive).
    pub fn names_stage_before(&self, name: &str, index: usize) -> bool {
        self.stage_names
            .get(&name.to_ascii_lowercase())
            .is_some_and(|&(first, _)| first < index)
    }

    /// Whether the stage at `index` or a later one is called `name` (case-insensitive).
    pub fn names_stage_from(&self, name: &str, index: usize) -> bool {
        self.stage_names
            .get(&name.to_ascii_lowercase())
            .is_some_and(|&(_, last)| last >= index)
    }
}

impl KeyValue {
    /// The default with `known` substituted, if it resolves.
    fn default_value(&self, escape: char, known: &HashMap<String, Option<String>>) -> Option<String> {
        // Expand the raw form: quoting decides what is expanded.
        let raw = self.raw_value.as_deref()?;
        let lookup = |name: &str| known.get(name).cloned().flatten();
        let result = substitute_with_escape(raw, escape, lookup);
        result.missing.is_empty().then_some(result.text)
    }
}

/// Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}` and `${VAR?msg}` the way
/// BuildKit's word processing does, with `\` as escape: quotes are removed,
/// nothing is expanded inside single quotes. Other operators (`#`, `%`, `/`)
/// count as unresolved and stay as written.
pub fn substitute(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Substituted {
    substitute_with_escape(text, '\\', lookup)
}

/// [`substitute`] with the Dockerfile's escape character.
pub fn substitute_with_escape(text: &str, escape: char, lookup: impl Fn(&str) -> Option<String>) -> Substituted {
    let mut missing = Vec::new();
    let text = process_word(text, escape, Some(&lookup), &mut missing);
    Substituted { text, missing }
}

/// Parse a Dockerfile. Never fails; see [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    let mut parser = Parser::new(text);
    parser.run();
    parser.finish()
}

#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    /// End of the content, before `\r`* and `\n`.
    end: usize,
    /// Whether a `\n` ends the line (after any `\r`).
    has_newline: bool,
}

struct Marker {
    delimiter: String,
    strip_tabs: bool,
    quoted: bool,
    span: Span,
}

struct Parser<'a> {
    text: &'a str,
    lines: Vec<Line>,
    escape: char,
    seen_directives: Vec<String>,
    directives: Vec<Directive>,
    instructions: Vec<Instruction>,
    comments: Vec<Comment>,
    errors: Vec<ParseError>,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn skip_ws(text: &str, from: usize) -> usize {
    text[from..].find(|c| !is_ws(c)).map_or(text.len(), |i| from + i)
}

fn word_end(text: &str, from: usize) -> usize {
    text[from..].find(is_ws).map_or(text.len(), |i| from + i)
}

/// Whitespace-separated words (not quote-aware), as BuildKit splits FROM,
/// COPY/ADD and HEALTHCHECK arguments.
fn plain_words(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut pos = skip_ws(text, 0);
    while pos < text.len() {
        let end = word_end(text, pos);
        words.push(pos..end);
        pos = skip_ws(text, end);
    }
    words
}

/// Shell-like words: whitespace outside quotes separates them; the escape
/// character protects the next character (not inside single quotes).
fn shell_words(text: &str, escape: char) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let escape = escape as u8;
    let mut words = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        if is_ws(bytes[pos] as char) {
            pos += 1;
            continue;
        }
        let start = pos;
        let mut quote = None;
        while pos < bytes.len() {
            let b = bytes[pos];
            match quote {
                Some(q) if b == q => quote = None,
                Some(b'\'') => {}
                Some(_) if b == escape => pos += 1,
                Some(_) => {}
                None if is_ws(b as char) => break,
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == escape => pos += 1,
                None => {}
            }
            pos += 1;
        }
        pos = pos.min(bytes.len());
        words.push(start..pos);
    }
    words
}

/// A variable lookup: `None` for a variable with no value.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// BuildKit's word processing: quotes removed, the escape character protects
/// the next character, and with `env` variables are expanded.
fn process_word(text: &str, escape: char, env: Option<Lookup>, missing: &mut Vec<String>) -> String {
    process_nested(text, escape, env, missing, 0)
}

/// Nesting depth of `${VAR:-${…}}` beyond which the text stays unexpanded, so
/// hostile input can neither recurse deeply nor rescan the text many times.
const MAX_NESTING: usize = 16;

/// Expanded text beyond this size is left unexpanded (`ARG B=$A$A` chains
/// grow exponentially).
const MAX_EXPANSION: usize = 1 << 20;

fn process_nested(text: &str, escape: char, env: Option<Lookup>, missing: &mut Vec<String>, depth: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == escape {
            if let Some((_, next)) = chars.next() {
                out.push(next);
            }
        } else if c == '\'' {
            for (_, ch) in chars.by_ref() {
                if ch == '\'' {
                    break;
                }
                out.push(ch);
            }
        } else if c == '"' {
            while let Some((j, ch)) = chars.next() {
                if ch == '"' {
                    break;
                }
                if ch == escape {
                    // Inside double quotes only `"`, `$` and the escape itself are escapable.
                    match chars.peek() {
                        Some(&(_, n)) if n == '"' || n == '$' || n == escape => {
                            out.push(n);
                            chars.next();
                        }
                        Some(_) => out.push(ch),
                        None => {}
                    }
                } else if ch == '$'
                    && let Some(env) = env
                {
                    let end = expand_dollar(text, j, escape, env, missing, &mut out, depth);
                    while chars.peek().is_some_and(|&(k, _)| k < end) {
                        chars.next();
                    }
                } else {
                    out.push(ch);
                }
            }
        } else if c == '$'
            && let Some(env) = env
        {
            let end = expand_dollar(text, i, escape, env, missing, &mut out, depth);
            while chars.peek().is_some_and(|&(k, _)| k < end) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn note_missing(name: &str, missing: &mut Vec<String>) {
    if !missing.iter().any(|m| m == name) {
        missing.push(name.to_string());
    }
}

fn name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
        return 0;
    }
    bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count()
}

/// Expand the `$…` at `at` into `out`; returns the offset after it.
fn expand_dollar(
    text: &str,
    at: usize,
    escape: char,
    env: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
    out: &mut String,
    depth: usize,
) -> usize {
    let room = MAX_EXPANSION.saturating_sub(out.len());
    let env = |name: &str| env(name).filter(|value| value.len() <= room);
    let rest = &text[at + 1..];
    if !rest.starts_with('{') {
        let len = name_len(rest);
        if len == 0 {
            out.push('$');
            return at + 1;
        }
        let name = &rest[..len];
        match env(name) {
            Some(value) => out.push_str(&value),
            None => {
                note_missing(name, missing);
                out.push_str(&text[at..at + 1 + len]);
            }
        }
        return at + 1 + len;
    }
    let Some(close) = matching_brace(text, at + 2, escape) else {
        out.push_str(&text[at..]);
        return text.len();
    };
    let inner = &text[at + 2..close];
    let verbatim = &text[at..=close];
    let len = name_len(inner);
    if len == 0 {
        out.push_str(verbatim);
        return close + 1;
    }
    let name = &inner[..len];
    let op = &inner[len..];
    if depth >= MAX_NESTING {
        note_missing(name, missing);
        out.push_str(verbatim);
        return close + 1;
    }
    let value = env(name);
    let set_non_empty = value.as_ref().is_some_and(|v| !v.is_empty());
    let word = |w: &str, missing: &mut Vec<String>| process_nested(w, escape, Some(&env), missing, depth + 1);
    if op.is_empty() {
        match value {
            Some(v) => out.push_str(&v),
            None => {
                note_missing(name, missing);
                out.push_str(verbatim);
            }
        }
    } else if let Some(w) = op.strip_prefix(":-") {
        match value.filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&word(w, missing)),
        }
    } else if let Some(w) = op.strip_prefix(":+") {
        if set_non_empty {
            out.push_str(&word(w, missing));
        }
    } else if op.starts_with(":?") || op.starts_with('?') {
        let ok = if op.starts_with(':') {
            set_non_empty
        } else {
            value.is_some()
        };
        match value.filter(|_| ok) {
            Some(v) => out.push_str(&v),
            None => {
                note_missing(name, missing);
                out.push_str(verbatim);
            }
        }
    } else if let Some(w) = op.strip_prefix('-') {
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&word(w, missing)),
        }
    } else if let Some(w) = op.strip_prefix('+') {
        if value.is_some() {
            out.push_str(&word(w, missing));
        }
    } else {
        note_missing(name, missing);
        out.push_str(verbatim);
    }
    close + 1
}

/// The `}` closing a `${` whose contents start at `from`, allowing nesting.
fn matching_brace(text: &str, from: usize, escape: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b if b == escape as u8 => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parse a JSON array of strings, returning each string with its range
/// (quotes included). `None` if the text is anything else.
fn json_string_array(text: &str) -> Option<Vec<(String, Range<usize>)>> {
    let bytes = text.as_bytes();
    let json_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let skip = |mut i: usize| {
        while i < bytes.len() && json_ws(bytes[i]) {
            i += 1;
        }
        i
    };
    let mut i = skip(0);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i = skip(i + 1);
    let mut items = Vec::new();
    if bytes.get(i) == Some(&b']') {
        return (skip(i + 1) == bytes.len()).then_some(items);
    }
    loop {
        let (value, end) = json_string(text, i)?;
        items.push((value, i..end));
        i = skip(end);
        match bytes.get(i) {
            Some(b',') => i = skip(i + 1),
            Some(b']') => break,
            _ => return None,
        }
    }
    (skip(i + 1) == bytes.len()).then_some(items)
}

/// A JSON string literal starting at `start`; returns its value and end offset.
fn json_string(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let run = text[i..].find(['"', '\\']).map(|k| i + k)?;
        let plain = &text[i..run];
        if plain.bytes().any(|b| b < 0x20) {
            return None;
        }
        out.push_str(plain);
        i = run;
        if bytes[i] == b'"' {
            return Some((out, i + 1));
        }
        let esc = *bytes.get(i + 1)?;
        i += 2;
        match esc {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let high = hex4(text, i)?;
                i += 4;
                let c = if (0xD800..0xDC00).contains(&high) && text[i..].starts_with("\\u") {
                    match hex4(text, i + 2) {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            i += 6;
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(high)
                };
                // Like Go's decoder, a lone surrogate becomes U+FFFD.
                out.push(c.unwrap_or('\u{fffd}'));
            }
            _ => return None,
        }
    }
}

fn hex4(text: &str, at: usize) -> Option<u32> {
    let digits = text.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// Why arguments that look like a JSON array are not one, if they clearly try
/// to be: `[`, a quoted first element followed by `,` (or a single-quoted only
/// element), and a closing `]` at the end or none at all.
fn broken_json_reason(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let skip = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let mut i = skip(1);
    let quote = *bytes.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
    i += 1;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i = skip(i + 1);
    let closed = text.ends_with(']');
    let attempt = match bytes.get(i) {
        Some(b',') => closed || !text.contains(']'),
        Some(b']') => quote == b'\'' && i + 1 == bytes.len(),
        _ => false,
    };
    if !attempt {
        None
    } else if quote == b'\'' {
        Some("JSON strings need double quotes")
    } else if !closed {
        Some("the closing `]` is missing")
    } else {
        Some("check the quotes and commas")
    }
}

/// Exec form if the text is a JSON array of strings, else shell form; the
/// second value is an error message for text that fails to be JSON.
fn classify(text: &ShellText) -> (Arguments, Option<String>) {
    let shell = Arguments::Shell(text.clone());
    if !text.text.starts_with('[') {
        return (shell, None);
    }
    if let Some(items) = json_string_array(&text.text) {
        let words = items
            .into_iter()
            .map(|(value, range)| Word {
                text: value,
                span: text.source_span(range),
            })
            .collect();
        return (Arguments::Exec(words), None);
    }
    if serde_json::from_str::<Vec<serde_json::Value>>(&text.text).is_ok() {
        let message = "a JSON array with values other than strings (only strings are allowed)".to_string();
        return (shell, Some(message));
    }
    if let Some(reason) = broken_json_reason(&text.text) {
        let message = format!("not a valid JSON array ({reason}): Docker runs them in shell form");
        return (shell, Some(message));
    }
    (shell, None)
}

/// The text after `CMD` in HEALTHCHECK arguments.
fn healthcheck_cmd_text(args: &ShellText) -> Option<ShellText> {
    let words = plain_words(&args.text);
    let first = words.first()?;
    if !args.text[first.clone()].eq_ignore_ascii_case("CMD") {
        return None;
    }
    let start = skip_ws(&args.text, first.end);
    Some(args.slice(start..args.text.len()))
}

fn unknown_instruction_message(word: &str) -> String {
    let shown: String = word.chars().take(40).collect();
    let ellipsis = if shown.len() < word.len() { "…" } else { "" };
    let lower = word.to_ascii_lowercase();
    let suggestion = (word.len() <= 20)
        .then(|| {
            Keyword::ALL
                .into_iter()
                .map(|k| (strsim::levenshtein(&lower, &k.as_str().to_ascii_lowercase()), k))
                // Short words are all close to some keyword: `apk` is not `ADD`.
                .filter(|(d, _)| *d <= if word.len() <= 4 { 1 } else { 2 })
                .min_by_key(|(d, _)| *d)
        })
        .flatten();
    match suggestion {
        Some((_, k)) => format!("unknown instruction: {shown}{ellipsis} (did you mean {k}?)"),
        None => format!("unknown instruction: {shown}{ellipsis}"),
    }
}

/// A parser directive in `content` (a line without leading whitespace).
fn parse_directive(content: &str) -> Option<(String, String)> {
    let rest = content.strip_prefix('#')?.trim_start();
    let len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
    if len == 0 || !rest.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let name = rest[..len].to_ascii_lowercase();
    let value = rest[len..].trim_start().strip_prefix('=')?.trim();
    if value.is_empty() || !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((name, value.to_string()))
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        while start < bytes.len() {
            let (next, has_newline) = match bytes[start..].iter().position(|&b| b == b'\n') {
                Some(i) => (start + i + 1, true),
                None => (bytes.len(), false),
            };
            let mut end = if has_newline { next - 1 } else { next };
            while end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            lines.push(Line {
                start,
                end,
                has_newline,
            });
            start = next;
        }
        Parser {
            text,
            lines,
            escape: '\\',
            seen_directives: Vec::new(),
            directives: Vec::new(),
            instructions: Vec::new(),
            comments: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(ParseError {
            span,
            message: message.into(),
        });
    }

    fn line_text(&self, i: usize) -> &'a str {
        &self.text[self.lines[i].start..self.lines[i].end]
    }

    fn comment(&mut self, start: usize, content: &str) {
        let trimmed = content.trim_end();
        self.comments.push(Comment {
            text: trimmed[1..].trim().to_string(),
            span: Span::new(start, start + trimmed.len()),
        });
    }

    /// Whether `line` ends in a line continuation; returns the length before it.
    fn continuation(&self, line: &str) -> (usize, bool) {
        let trimmed = line.trim_end_matches([' ', '\t']);
        let Some(before) = trimmed.strip_suffix(self.escape) else {
            return (line.len(), false);
        };
        // An escaped escape character (`\\`) at the end is not a continuation.
        if before.ends_with(self.escape) {
            (line.len(), false)
        } else {
            (before.len(), true)
        }
    }

    fn run(&mut self) {
        let mut directives_open = true;
        let mut i = 0;
        while i < self.lines.len() {
            let raw = self.line_text(i);
            let content = raw.trim_start();
            let start = self.lines[i].start + (raw.len() - content.len());
            if directives_open {
                if let Some((name, value)) = parse_directive(content) {
                    self.directive(name, value, Span::new(start, start + content.trim_end().len()));
                    i += 1;
                    continue;
                }
                directives_open = false;
            }
            if content.is_empty() {
                i += 1;
            } else if content.starts_with('#') {
                self.comment(start, content);
                i += 1;
            } else {
                i = self.instruction(i, start);
            }
        }
    }

    fn directive(&mut self, name: String, value: String, span: Span) {
        if self.seen_directives.contains(&name) {
            self.error(span, format!("only one {name} parser directive can be used"));
            return;
        }
        self.seen_directives.push(name.clone());
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => self.error(span, format!("invalid escape character {value:?}: use \\ or `")),
            }
        }
        self.directives.push(Directive { name, value, span });
    }

    /// Parse the instruction starting on line `first` at `start`; returns the
    /// index of the line after it.
    fn instruction(&mut self, first: usize, start: usize) -> usize {
        let mut logical = ShellText {
            text: String::new(),
            span: Span::point(start),
            segments: Vec::new(),
        };
        let first_text = &self.text[start..self.lines[first].end];
        let (len, mut open) = self.continuation(first_text);
        logical.push(self.text, start, len);
        let mut last_end = start + first_text.trim_end().len();
        let mut next = first + 1;
        while open && next < self.lines.len() {
            let raw = self.line_text(next);
            let content = raw.trim_start();
            let line_start = self.lines[next].start;
            next += 1;
            if content.starts_with('#') {
                self.comment(line_start + (raw.len() - content.len()), content);
                continue;
            }
            if content.is_empty() {
                continue;
            }
            let (len, more) = self.continuation(raw);
            logical.push(self.text, line_start, len);
            last_end = line_start + raw.trim_end().len();
            open = more;
        }
        logical.span = Span::new(start, last_end);
        if logical.text.trim_matches(is_ws).is_empty() {
            self.error(logical.span, "line continuation without an instruction");
            return next;
        }
        let Some((mut inst, markers)) = self.build(&logical, 0, false) else {
            return next;
        };
        let mut end = last_end;
        let mut heredocs = Vec::new();
        for marker in markers {
            let (heredoc, after, terminated) = self.heredoc(&marker, next);
            if !terminated {
                let message = format!(
                    "unterminated heredoc: no line `{}` ends it before the end of the file",
                    marker.delimiter
                );
                self.error(marker.span, message);
            }
            if after > next {
                end = end.max(self.lines[after - 1].end);
            }
            next = after;
            heredocs.push(heredoc);
        }
        inst.span = Span::new(inst.keyword_span.start, end);
        match inst.trigger.as_deref_mut() {
            Some(trigger) => {
                trigger.span = Span::new(trigger.keyword_span.start, end);
                trigger.heredocs = heredocs;
            }
            None => inst.heredocs = heredocs,
        }
        self.instructions.push(inst);
        next
    }

    /// Read a heredoc body from line `from`; returns it, the line after the
    /// terminator, and whether a terminator was found.
    fn heredoc(&self, marker: &Marker, from: usize) -> (Heredoc, usize, bool) {
        let mut text = ShellText {
            text: String::new(),
            span: Span::point(self.text.len()),
            segments: Vec::new(),
        };
        let mut i = from;
        let mut terminated = false;
        while i < self.lines.len() {
            let raw = self.line_text(i);
            let body = if marker.strip_tabs {
                raw.trim_start_matches('\t')
            } else {
                raw
            };
            if body == marker.delimiter {
                terminated = true;
                break;
            }
            let line = self.lines[i];
            text.push(self.text, line.start + (raw.len() - body.len()), body.len());
            if line.has_newline {
                // Map the logical `\n` to the source `\n` (after any `\r`).
                let newline = self.text[line.end..].find('\n').map_or(line.end, |k| line.end + k);
                text.push(self.text, newline, 1);
            }
            i += 1;
        }
        let body_span = if i > from {
            Span::new(self.lines[from].start, self.lines[i - 1].end)
        } else {
            Span::point(self.lines.get(i).map_or(self.text.len(), |l| l.start))
        };
        text.span = body_span;
        let heredoc = Heredoc {
            delimiter: marker.delimiter.clone(),
            strip_tabs: marker.strip_tabs,
            quoted: marker.quoted,
            body: text.text.clone(),
            body_span,
            marker_span: marker.span,
            text,
        };
        (heredoc, if terminated { i + 1 } else { i }, terminated)
    }

    /// Build the instruction whose keyword starts at logical offset `start` of
    /// `line`, with the heredoc markers it holds. `None` for an unknown keyword.
    /// `trigger` is set for the instruction after ONBUILD.
    fn build(&mut self, line: &ShellText, start: usize, trigger: bool) -> Option<(Instruction, Vec<Marker>)> {
        let text = line.text.as_str();
        let kw_start = skip_ws(text, start);
        let kw_end = word_end(text, kw_start);
        let word = &text[kw_start..kw_end];
        let keyword_span = line.source_span(kw_start..kw_end);
        let Some(keyword) = Keyword::from_name(word) else {
            self.error(keyword_span, unknown_instruction_message(word));
            return None;
        };
        let (flags, args_start) = parse_flags(line, kw_end);
        let args_end = text.trim_end_matches(is_ws).len().max(args_start);
        let args_text = line.slice(args_start..args_end);
        let args = if keyword.takes_json() {
            let (args, error) = classify(&args_text);
            if let Some(message) = error {
                self.error(args_text.span, format!("{keyword} arguments are {message}"));
            }
            args
        } else {
            Arguments::Shell(args_text.clone())
        };
        if let Some(known) = keyword.known_flags() {
            for flag in flags.iter().filter(|f| !known.contains(&f.name.as_str())) {
                let message = match known {
                    [] => format!("unknown flag --{}: {keyword} takes no flags", flag.name),
                    _ => format!(
                        "unknown flag --{} for {keyword} (it takes --{})",
                        flag.name,
                        known.join(", --")
                    ),
                };
                self.error(flag.span, message);
            }
        }
        let key_values = self.check(keyword, keyword_span, &args_text, &args);
        let mut markers = Vec::new();
        if keyword.takes_heredocs() && matches!(args, Arguments::Shell(_)) && args_text.text.contains("<<") {
            markers = heredoc_markers(&args_text);
        }
        let mut inner_instruction = None;
        // One level only: `ONBUILD ONBUILD …` is an error, not a recursion.
        if keyword == Keyword::Onbuild
            && !trigger
            && !args_text.text.is_empty()
            && let Some((inner, inner_markers)) = self.build(line, args_start, true)
        {
            if matches!(inner.keyword, Keyword::Onbuild | Keyword::From | Keyword::Maintainer) {
                let message = format!("{} is not allowed as an ONBUILD trigger", inner.keyword);
                self.error(inner.keyword_span, message);
            }
            markers = inner_markers;
            inner_instruction = Some(Box::new(inner));
        }
        let span = Span::new(keyword_span.start, line.span.end);
        let instruction = Instruction {
            keyword,
            keyword_span,
            span,
            flags,
            args,
            args_span: args_text.span,
            heredocs: Vec::new(),
            stage: None,
            trigger: inner_instruction,
            key_values,
        };
        Some((instruction, markers))
    }

    /// Argument checks BuildKit makes when it turns the parse into
    /// instructions; returns the key/value pairs of ENV, LABEL and ARG.
    fn check(&mut self, keyword: Keyword, keyword_span: Span, text: &ShellText, args: &Arguments) -> Vec<KeyValue> {
        let empty = text.text.is_empty();
        let needs_args = !matches!(keyword, Keyword::Cmd | Keyword::Entrypoint);
        if empty && needs_args {
            let what = match keyword {
                Keyword::From => "FROM requires the base image",
                Keyword::Run => "RUN requires a command",
                _ => "",
            };
            let message = if what.is_empty() {
                format!("{keyword} requires at least one argument")
            } else {
                what.to_string()
            };
            self.error(keyword_span, message);
            return Vec::new();
        }
        match keyword {
            Keyword::From => self.check_from(text),
            Keyword::Copy | Keyword::Add => {
                let count = match args {
                    Arguments::Exec(words) => words.len(),
                    Arguments::Shell(text) => plain_words(&text.text).len(),
                };
                if count < 2 {
                    let message = format!("{keyword} requires at least two arguments: the sources and a destination");
                    self.error(text.span, message);
                }
            }
            Keyword::Shell => match args {
                Arguments::Shell(_) => self.error(text.span, "SHELL requires the arguments in JSON form"),
                Arguments::Exec(words) if words.is_empty() => {
                    self.error(text.span, "SHELL requires at least one argument")
                }
                Arguments::Exec(_) => {}
            },
            Keyword::Healthcheck => self.check_healthcheck(text),
            Keyword::Env | Keyword::Label => return self.name_values(keyword, text),
            Keyword::Arg => return self.arg_values(text),
            _ => {}
        }
        Vec::new()
    }

    fn check_from(&mut self, text: &ShellText) {
        let words = plain_words(&text.text);
        let as_name = words.len() == 3 && text.text[words[1].clone()].eq_ignore_ascii_case("as");
        if words.len() != 1 && !as_name {
            self.error(
                text.span,
                "FROM requires either one or three arguments: FROM [--platform=…] image [AS name]",
            );
        }
        if as_name {
            let name = &text.text[words[2].clone()];
            let lower = name.to_ascii_lowercase();
            let valid = lower.as_bytes()[0].is_ascii_lowercase()
                && lower
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
            // Names built from variables are checked only after substitution.
            if !valid && !name.contains('$') {
                let message = format!(
                    "invalid stage name {name:?}: it must start with a letter and hold only letters, digits, '-', '_' and '.'"
                );
                self.error(text.source_span(words[2].clone()), message);
            }
        }
    }

    fn check_healthcheck(&mut self, text: &ShellText) {
        let words = plain_words(&text.text);
        let kind = &text.text[words[0].clone()];
        if kind.eq_ignore_ascii_case("NONE") {
            if words.len() > 1 {
                self.error(text.span, "HEALTHCHECK NONE takes no arguments");
            }
        } else if let Some(cmd) = healthcheck_cmd_text(text) {
            if cmd.text.is_empty() {
                self.error(text.span, "HEALTHCHECK CMD requires a command");
            } else if let (_, Some(message)) = classify(&cmd) {
                self.error(cmd.span, format!("HEALTHCHECK CMD arguments are {message}"));
            }
        } else {
            let message = format!("unknown HEALTHCHECK type {kind:?}: expected CMD or NONE");
            self.error(text.source_span(words[0].clone()), message);
        }
    }

    fn word(&self, text: &ShellText, range: Range<usize>) -> Word {
        let mut ignored = Vec::new();
        Word {
            text: process_word(&text.text[range.clone()], self.escape, None, &mut ignored),
            span: text.source_span(range),
        }
    }

    /// ENV and LABEL: `name=value …`, or the legacy `name value`.
    fn name_values(&mut self, keyword: Keyword, text: &ShellText) -> Vec<KeyValue> {
        let words = shell_words(&text.text, self.escape);
        let first = words[0].clone();
        if !text.text[first.clone()].contains('=') {
            let key_end = word_end(&text.text, 0);
            let value_start = skip_ws(&text.text, key_end);
            if value_start == text.text.len() {
                self.error(text.span, format!("{keyword} requires a value: {keyword} name=value"));
                return Vec::new();
            }
            return vec![KeyValue {
                key: self.word(text, 0..key_end),
                value: Some(self.word(text, value_start..text.text.len())),
                legacy: true,
                raw_value: Some(text.text[value_start..].to_string()),
            }];
        }
        let mut pairs = Vec::new();
        for range in words {
            let raw = &text.text[range.clone()];
            let Some(eq) = raw.find('=') else {
                let message = format!("{keyword} argument {raw:?} has no '=': use {keyword} name=value");
                self.error(text.source_span(range), message);
                continue;
            };
            if eq == 0 {
                self.error(text.source_span(range), format!("{keyword} names can not be blank"));
                continue;
            }
            let eq = range.start + eq;
            pairs.push(KeyValue {
                key: self.word(text, range.start..eq),
                value: Some(self.word(text, eq + 1..range.end)),
                legacy: false,
                raw_value: Some(text.text[eq + 1..range.end].to_string()),
            });
        }
        pairs
    }

    /// ARG: `name` or `name=default`, several per line.
    fn arg_values(&mut self, text: &ShellText) -> Vec<KeyValue> {
        shell_words(&text.text, self.escape)
            .into_iter()
            .map(|range| match text.text[range.clone()].find('=') {
                Some(eq) => {
                    let eq = range.start + eq;
                    KeyValue {
                        key: self.word(text, range.start..eq),
                        value: Some(self.word(text, eq + 1..range.end)),
                        legacy: false,
                        raw_value: Some(text.text[eq + 1..range.end].to_string()),
                    }
                }
                None => KeyValue {
                    key: self.word(text, range),
                    value: None,
                    legacy: false,
                    raw_value: None,
                },
            })
            .collect()
    }

    fn finish(mut self) -> Dockerfile {
        let mut stages: Vec<Stage> = Vec::new();
        for (index, inst) in self.instructions.iter_mut().enumerate() {
            if inst.keyword == Keyword::From {
                if let Some(last) = stages.last_mut() {
                    last.instructions.end = index;
                }
                stages.push(stage_of(inst, stages.len(), index));
            }
            inst.stage = stages.len().checked_sub(1);
            if let Some(trigger) = inst.trigger.as_deref_mut() {
                trigger.stage = inst.stage;
            }
        }
        if let Some(last) = stages.last_mut() {
            last.instructions.end = self.instructions.len();
        }
        let stage_names = link_stages(&mut stages, &self.instructions);
        match stages.first() {
            None if self.instructions.is_empty() && self.errors.is_empty() => {
                self.error(Span::point(0), "the Dockerfile has no instructions: it needs a FROM")
            }
            None => self.error(
                Span::point(0),
                "no FROM instruction: a Dockerfile needs at least one build stage",
            ),
            Some(first) => {
                let early: Vec<(Span, Keyword)> = self.instructions[..first.from]
                    .iter()
                    .filter(|i| i.keyword != Keyword::Arg)
                    .map(|i| (i.keyword_span, i.keyword))
                    .collect();
                for (span, keyword) in early {
                    self.error(
                        span,
                        format!("{keyword} before the first FROM: only ARG may come before FROM"),
                    );
                }
            }
        }
        self.errors.sort_by_key(|e| (e.span.start, e.span.end));
        let (global_args, global_values) = global_args(&self.instructions, self.escape);
        Dockerfile {
            escape: self.escape,
            directives: self.directives,
            instructions: self.instructions,
            stages,
            comments: self.comments,
            errors: self.errors,
            scripts: std::sync::OnceLock::new(),
            stage_names,
            global_args,
            global_values,
        }
    }
}

/// The ARGs before the first FROM, with defaults resolved in order, and
/// their values by name.
fn global_args(instructions: &[Instruction], escape: char) -> (Vec<GlobalArg>, HashMap<String, Option<String>>) {
    let mut values: HashMap<String, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    let globals = instructions.iter().take_while(|i| i.keyword != Keyword::From);
    for inst in globals.filter(|i| i.keyword == Keyword::Arg) {
        for kv in &inst.key_values {
            let value = kv.default_value(escape, &values);
            values.insert(kv.key.text.clone(), value.clone());
            let span = match &kv.value {
                Some(v) => kv.key.span.cover(v.span),
                None => kv.key.span,
            };
            out.push(GlobalArg {
                name: kv.key.text.clone(),
                default: kv.value.clone(),
                value,
                span,
            });
        }
    }
    (out, values)
}

fn stage_of(from: &Instruction, index: usize, at: usize) -> Stage {
    let mut image = Word {
        text: String::new(),
        span: Span::point(from.args_span.start),
    };
    let mut name = None;
    // FROM never takes JSON, so its arguments are always shell text.
    if let Arguments::Shell(text) = &from.args {
        let words = plain_words(&text.text);
        let word = |range: Range<usize>| Word {
            text: text.text[range.clone()].to_string(),
            span: text.source_span(range),
        };
        if let Some(first) = words.first() {
            image = word(first.clone());
        }
        if words.len() == 3 && text.text[words[1].clone()].eq_ignore_ascii_case("as") {
            name = Some(word(words[2].clone()));
        }
    }
    Stage {
        index,
        from: at,
        image,
        name,
        platform: from.flag("platform").and_then(|f| f.value.clone()),
        instructions: at..at + 1,
        parent: None,
        root: index,
        shells: Vec::new(),
        shell_at_end: None,
    }
}

/// Sets each stage's parent, root and SHELLs in one pass, so that rules
/// asking per stage or per RUN never walk back through earlier stages
/// (a file of thousands of stages, each `FROM` the one before). Returns
/// the first and last stage of each name.
fn link_stages(stages: &mut [Stage], instructions: &[Instruction]) -> HashMap<String, (usize, usize)> {
    let mut by_name: HashMap<String, (usize, usize)> = HashMap::new();
    for index in 0..stages.len() {
        let parent = by_name
            .get(&stages[index].image.text.to_ascii_lowercase())
            .map(|&(_, last)| last);
        let inherited = parent.and_then(|parent| stages[parent].shell_at_end);
        let root = parent.map_or(index, |parent| stages[parent].root);
        let stage = &mut stages[index];
        stage.parent = parent;
        stage.root = root;
        stage.shells = stage
            .instructions
            .clone()
            .filter(|&at| instructions[at].keyword == Keyword::Shell)
            .collect();
        stage.shell_at_end = stage.shells.last().copied().or(inherited);
        if let Some(name) = &stage.name {
            by_name
                .entry(name.text.to_ascii_lowercase())
                .and_modify(|(_, last)| *last = index)
                .or_insert((index, index));
        }
    }
    by_name
}

/// `--name[=value]` words at the start of the arguments, up to the first
/// other word or a bare `--`; returns them and where the arguments start.
fn parse_flags(line: &ShellText, from: usize) -> (Vec<Flag>, usize) {
    let text = line.text.as_str();
    let bytes = text.as_bytes();
    let mut flags = Vec::new();
    let mut pos = skip_ws(text, from);
    while text[pos..].starts_with("--") {
        let start = pos;
        let mut quote = None;
        while pos < bytes.len() {
            let b = bytes[pos];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) if b == b'\\' => pos += 1,
                Some(_) => {}
                None if is_ws(b as char) => break,
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'\\' => pos += 1,
                None => {}
            }
            pos += 1;
        }
        pos = pos.min(bytes.len());
        let end = pos;
        pos = skip_ws(text, pos);
        if end - start == 2 {
            break;
        }
        let body = &text[start + 2..end];
        let (name, value) = match body.find('=') {
            Some(eq) => {
                let range = start + 3 + eq..end;
                let mut ignored = Vec::new();
                let value = process_word(&text[range.clone()], '\\', None, &mut ignored);
                (&body[..eq], Some((value, line.source_span(range))))
            }
            None => (body, None),
        };
        flags.push(Flag {
            name: name.to_string(),
            value: value.as_ref().map(|(v, _)| v.clone()),
            span: line.source_span(start..end),
            value_span: value.map(|(_, s)| s),
        });
    }
    (flags, pos)
}

/// Heredoc markers among the shell words: `<<WORD`, `<<-WORD`, optionally
/// after a file descriptor (`3<<EOF`); not `<<<` and not inside quotes.
fn heredoc_markers(args: &ShellText) -> Vec<Marker> {
    let mut markers = Vec::new();
    for range in shell_words(&args.text, '\\') {
        let word = &args.text[range.clone()];
        let fd = word.bytes().take_while(u8::is_ascii_digit).count();
        let Some(rest) = word[fd..].strip_prefix("<<") else {
            continue;
        };
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let mut ignored = Vec::new();
        let delimiter = process_word(rest, '\\', None, &mut ignored);
        if delimiter.is_empty() {
            continue;
        }
        markers.push(Marker {
            delimiter,
            strip_tabs,
            quoted: rest.contains(['"', '\'']),
            span: args.source_span(range),
        });
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;

    include!("../../tests/common/corpus.rs");

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn shell(inst: &Instruction) -> &ShellText {
        match &inst.args {
            Arguments::Shell(text) => text,
            Arguments::Exec(words) => panic!("expected shell form, got {words:?}"),
        }
    }

    fn messages(df: &Dockerfile) -> Vec<&str> {
        df.errors.iter().map(|e| e.message.as_str()).collect()
    }

    /// Every logical byte of `text` maps to the same byte in the source.
    fn assert_maps_back(source: &str, text: &ShellText) {
        for (i, c) in text.text.char_indices() {
            let at = text.source_offset(i);
            assert_eq!(source[at..].chars().next(), Some(c), "logical {i} of {:?}", text.text);
        }
        assert!(text.span.end <= source.len() && text.span.start <= text.span.end);
    }

    #[test]
    fn keyword_flag_and_argument_spans() {
        let text = "FROM alpine\n  run --mount=type=cache,target=/root/.cache --link  pip install x  \n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let run = &df.instructions[1];
        assert_eq!(run.keyword, Keyword::Run);
        assert_eq!(slice(text, run.keyword_span), "run");
        assert_eq!(
            slice(text, run.span),
            "run --mount=type=cache,target=/root/.cache --link  pip install x"
        );
        let mount = run.flag("mount").unwrap();
        assert_eq!(mount.value.as_deref(), Some("type=cache,target=/root/.cache"));
        assert_eq!(slice(text, mount.span), "--mount=type=cache,target=/root/.cache");
        assert_eq!(slice(text, mount.value_span.unwrap()), "type=cache,target=/root/.cache");
        let link = run.flag("link").unwrap();
        assert_eq!((link.value.as_deref(), link.value_span), (None, None));
        assert_eq!(slice(text, link.span), "--link");
        let args = shell(run);
        assert_eq!(args.text, "pip install x");
        assert_eq!(slice(text, args.span), "pip install x");
        assert_eq!(args.span, run.args_span);
        assert_eq!(run.stage, Some(0));
    }

    #[test]
    fn quoted_flag_values_and_double_dash() {
        let text = "FROM a\nRUN --mount=type=secret,id=\"my id\" -- --not-a-flag\n";
        let df = parse(text);
        let run = &df.instructions[1];
        assert_eq!(run.flags.len(), 1);
        assert_eq!(run.flags[0].value.as_deref(), Some("type=secret,id=my id"));
        assert_eq!(
            slice(text, run.flags[0].value_span.unwrap()),
            "type=secret,id=\"my id\""
        );
        assert_eq!(shell(run).text, "--not-a-flag");
    }

    #[test]
    fn continuation_skips_comment_and_blank_lines() {
        let text = "FROM alpine\nRUN apk add \\\n    # the compiler\n    gcc \\  \n\n    musl-dev\nUSER app\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let run = &df.instructions[1];
        let args = shell(run);
        assert_eq!(args.text, "apk add     gcc     musl-dev");
        assert_maps_back(text, args);
        let at = args.text.find("musl").unwrap();
        assert_eq!(args.source_offset(at), text.find("musl").unwrap());
        assert_eq!(slice(text, args.source_span(at..at + 8)), "musl-dev");
        // A range ending at a continuation stops on that line.
        let gcc = args.text.find("gcc").unwrap();
        assert_eq!(slice(text, args.source_span(gcc..gcc + 4)), "gcc ");
        assert!(slice(text, run.span).ends_with("musl-dev"));
        assert_eq!(df.comments.len(), 1);
        assert_eq!(df.comments[0].text, "the compiler");
        assert_eq!(slice(text, df.comments[0].span), "# the compiler");
        assert_eq!(df.instructions[2].keyword, Keyword::User);
    }

    #[test]
    fn continuation_edge_cases() {
        // An escaped escape character at the end does not continue the line.
        let df = parse("FROM a\nENV C trailing\\\\\nENV D x\n");
        assert_eq!(df.instructions.len(), 3);
        // A continuation at the end of the file is accepted.
        let df = parse("FROM a\nRUN something \\");
        assert!(df.errors.is_empty());
        assert_eq!(shell(&df.instructions[1]).text, "something");
        // A lone escape character joins nothing and is reported.
        let df = parse("FROM a\n\\\n");
        assert_eq!(messages(&df), ["line continuation without an instruction"]);
        // The keyword may come on the line after a lone escape character.
        let df = parse("FROM a\n\\\nRUN x\n");
        assert!(df.errors.is_empty());
        assert_eq!(df.instructions[1].keyword, Keyword::Run);
    }

    #[test]
    fn backtick_escape_for_windows() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
            SHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\n\
            RUN Write-Host a; `\n    Write-Host b\nCOPY app C:\\app\\\nWORKDIR C:\\app\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        assert_eq!(df.escape, '`');
        assert_eq!(df.directives[0].name, "escape");
        assert_eq!(df.directives[0].value, "`");
        assert!(df.comments.is_empty());
        let Arguments::Exec(words) = &df.instructions[1].args else {
            panic!("SHELL is JSON")
        };
        assert_eq!(words[0].text, "powershell");
        assert_eq!(slice(text, words[0].span), "\"powershell\"");
        assert_eq!(shell(&df.instructions[2]).text, "Write-Host a;     Write-Host b");
        // A trailing backslash is a path here, not a continuation.
        assert_eq!(shell(&df.instructions[3]).text, "app C:\\app\\");
        assert_eq!(df.instructions[4].keyword, Keyword::Workdir);
    }

    #[test]
    fn directives_only_at_the_top() {
        let text = "#  Syntax = docker/dockerfile:1\n# CHECK=skip=all\n#escape=\\\n\n# escape=`\nFROM a\nRUN x `\n";
        let df = parse(text);
        let names: Vec<_> = df
            .directives
            .iter()
            .map(|d| (d.name.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("syntax", "docker/dockerfile:1"),
                ("check", "skip=all"),
                ("escape", "\\")
            ]
        );
        assert_eq!(slice(text, df.directives[0].span), "#  Syntax = docker/dockerfile:1");
        assert_eq!(df.escape, '\\');
        assert_eq!(df.comments.len(), 1, "the late escape line is a comment");
        assert_eq!(df.comments[0].text, "escape=`");
        // A comment first ends the directives.
        let df = parse("# hello\n# escape=`\nFROM a\n");
        assert!(df.directives.is_empty());
        assert_eq!(df.escape, '\\');
        // Repeating a directive is an error.
        let df = parse("# escape=`\n# escape=\\\nFROM a\n");
        assert_eq!(messages(&df), ["only one escape parser directive can be used"]);
        assert_eq!(df.escape, '`');
    }

    #[test]
    fn heredocs() {
        let text = "FROM a\nRUN <<EOF\napt-get update\n  # not a comment\nEOF\n# a comment after the heredoc\nRUN x\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let run = &df.instructions[1];
        let doc = &run.heredocs[0];
        assert_eq!(
            (doc.delimiter.as_str(), doc.strip_tabs, doc.quoted),
            ("EOF", false, false)
        );
        assert_eq!(doc.body, "apt-get update\n  # not a comment\n");
        assert_eq!(slice(text, doc.body_span), "apt-get update\n  # not a comment");
        assert_eq!(slice(text, doc.marker_span), "<<EOF");
        assert_eq!(
            slice(text, run.span),
            "RUN <<EOF\napt-get update\n  # not a comment\nEOF"
        );
        assert_maps_back(text, doc.body_text());
        assert_eq!(df.comments.len(), 1);
        assert_eq!(df.comments[0].text, "a comment after the heredoc");
        assert_eq!(df.instructions[2].keyword, Keyword::Run);
        assert_eq!(df.instructions.len(), 3);
    }

    #[test]
    fn several_heredocs_tabs_and_quotes() {
        let text = "FROM a\nRUN <<EOF1 <<-'EOF2' python3 - && 3<<\"EOF3\" cat\necho $HOME\nEOF1\n\t\tprint(1)\n\tEOF2\nx\nEOF3\nCOPY <<EOF /dst\nhello\nEOF\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let docs = &df.instructions[1].heredocs;
        let summary: Vec<_> = docs
            .iter()
            .map(|d| (d.delimiter.as_str(), d.strip_tabs, d.quoted, d.body.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("EOF1", false, false, "echo $HOME\n"),
                ("EOF2", true, true, "print(1)\n"),
                ("EOF3", false, true, "x\n")
            ]
        );
        assert_eq!(slice(text, docs[1].marker_span), "<<-'EOF2'");
        assert_eq!(slice(text, docs[2].marker_span), "3<<\"EOF3\"");
        assert_eq!(docs[1].body_text().source_offset(0), text.find("print").unwrap());
        let copy = &df.instructions[2];
        assert_eq!(copy.keyword, Keyword::Copy);
        assert_eq!(copy.heredocs[0].body, "hello\n");
        assert_eq!(shell(copy).text, "<<EOF /dst");
    }

    #[test]
    fn not_heredocs() {
        let text = "FROM a\nRUN cat <<< \"x\"\nRUN echo \"a << b\" '<<EOF' x<<EOF\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nENV A <<EOF\nUSER app\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
        assert_eq!(df.instructions.len(), 6);
    }

    #[test]
    fn unterminated_heredoc() {
        let text = "FROM a\nRUN <<EOF\necho hi\nEOF \n";
        let df = parse(text);
        assert_eq!(df.errors.len(), 1);
        assert!(df.errors[0].message.starts_with("unterminated heredoc"));
        assert_eq!(slice(text, df.errors[0].span), "<<EOF");
        assert_eq!(df.instructions[1].heredocs[0].body, "echo hi\nEOF \n");
    }

    #[test]
    fn heredoc_with_crlf() {
        let text = "FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nUSER x\r\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let doc = &df.instructions[1].heredocs[0];
        assert_eq!(doc.body, "echo hi\n");
        assert_eq!(slice(text, doc.body_span), "echo hi");
        assert_eq!(doc.body_text().source_offset(7), text.find("hi\r\n").unwrap() + 3);
        assert_eq!(slice(text, df.instructions[1].span), "RUN <<EOF\r\necho hi\r\nEOF");
        assert_eq!(df.instructions[2].keyword, Keyword::User);
    }

    #[test]
    fn json_and_shell_form() {
        let text = "FROM a\nCMD [ \"python\",\t\"app.py\", \"\\u00e9\\n\" ]\nRUN [ -f x ] && y\nENTRYPOINT []\nVOLUME [\"/data\"]\nCMD echo [\"a\"]\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let Arguments::Exec(words) = &df.instructions[1].args else {
            panic!("exec form expected")
        };
        let texts: Vec<_> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["python", "app.py", "é\n"]);
        assert_eq!(slice(text, words[1].span), "\"app.py\"");
        assert_eq!(
            slice(text, df.instructions[1].args_span),
            "[ \"python\",\t\"app.py\", \"\\u00e9\\n\" ]"
        );
        assert_eq!(shell(&df.instructions[2]).text, "[ -f x ] && y");
        assert_eq!(df.instructions[3].args, Arguments::Exec(Vec::new()));
        assert!(matches!(df.instructions[4].args, Arguments::Exec(_)));
        assert!(matches!(df.instructions[5].args, Arguments::Shell(_)));
    }

    #[test]
    fn json_across_continuation_lines() {
        let text = "FROM a\nCMD [\"a\", \\\n     \"b\"]\n";
        let df = parse(text);
        let Arguments::Exec(words) = &df.instructions[1].args else {
            panic!("exec form expected")
        };
        assert_eq!(slice(text, words[1].span), "\"b\"");
    }

    #[test]
    fn broken_json_is_shell_with_an_error() {
        for (args, reason) in [
            ("['python', 'app.py']", "double quotes"),
            ("[\"python\", \"app.py\",]", "quotes and commas"),
            ("[\"echo\", \"no closing bracket\"", "closing `]`"),
            ("[\"echo\", [\"nested\"]]", "other than strings"),
        ] {
            let text = format!("FROM a\nCMD {args}\n");
            let df = parse(&text);
            assert_eq!(df.errors.len(), 1, "{args}");
            assert!(
                df.errors[0].message.contains(reason),
                "{args}: {}",
                df.errors[0].message
            );
            assert_eq!(slice(&text, df.errors[0].span), args);
            assert_eq!(shell(&df.instructions[1]).text, args);
        }
        // Shell code that merely starts with `[` is fine.
        for args in [
            "[ \"$X\" = \"a,b\" ]",
            "[ -e /etc/x ] && grep 'a' /etc/x",
            "[ \"$A\" = 1 ] && echo a, b",
        ] {
            let df = parse(&format!("FROM a\nRUN {args}\n"));
            assert!(df.errors.is_empty(), "{args}: {:?}", df.errors);
        }
    }

    #[test]
    fn stages_and_copy_from() {
        let text = "ARG BASE=alpine\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN go build\n\
            FROM ${BASE}\nCOPY --from=build /out /bin/app\nCMD [\"app\"]\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        assert_eq!(df.instructions[0].stage, None);
        assert_eq!(df.stages.len(), 2);
        let build = &df.stages[0];
        assert_eq!((build.index, build.from, build.instructions.clone()), (0, 1, 1..3));
        assert_eq!(build.image.text, "golang:1.22");
        assert_eq!(slice(text, build.image.span), "golang:1.22");
        assert_eq!(build.name.as_ref().unwrap().text, "Build");
        assert_eq!(build.platform.as_deref(), Some("$BUILDPLATFORM"));
        let last = &df.stages[1];
        assert_eq!((last.from, last.instructions.clone()), (3, 3..6));
        let copy = &df.instructions[4];
        assert_eq!(copy.stage, Some(1));
        let from = copy.flag("from").unwrap().value.as_deref().unwrap();
        assert_eq!(df.stage_by_name(from).map(|s| s.index), Some(0));
        assert_eq!(df.resolve_from(last), ImageRef::Resolved("alpine".into()));
    }

    #[test]
    fn resolve_from_with_global_args() {
        let text = "ARG PY=3.11\nARG VARIANT\nARG REG=\"docker.io\" TAG=${PY}-slim\n\
            FROM python:${PY}-slim\nFROM node:$VARIANT\nFROM ${REG}/python:${TAG}\n\
            FROM img:${VARIANT:-18}${VARIANT:+-x}\nFROM img:${UNDECLARED-1}\nARG LATE=1\nFROM x:$LATE\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let resolved: Vec<_> = df.stages.iter().map(|s| df.resolve_from(s)).collect();
        assert_eq!(resolved[0], ImageRef::Resolved("python:3.11-slim".into()));
        assert_eq!(
            resolved[1],
            ImageRef::Unresolved {
                text: "node:$VARIANT".into(),
                missing: vec!["VARIANT".into()]
            }
        );
        assert_eq!(resolved[2], ImageRef::Resolved("docker.io/python:3.11-slim".into()));
        assert_eq!(resolved[3], ImageRef::Resolved("img:18".into()));
        assert_eq!(resolved[4], ImageRef::Resolved("img:1".into()));
        // ARGs inside a stage do not reach FROM.
        assert!(matches!(&resolved[5], ImageRef::Unresolved { missing, .. } if missing == &["LATE"]));
        let globals = df.global_args();
        let names: Vec<_> = globals.iter().map(|a| (a.name.as_str(), a.value.as_deref())).collect();
        assert_eq!(
            names,
            [
                ("PY", Some("3.11")),
                ("VARIANT", None),
                ("REG", Some("docker.io")),
                ("TAG", Some("3.11-slim"))
            ]
        );
        assert_eq!(slice(text, globals[2].span), "REG=\"docker.io\"");
        assert_eq!(slice(text, globals[2].default.as_ref().unwrap().span), "\"docker.io\"");
    }

    #[test]
    fn substitution() {
        let env = |name: &str| match name {
            "A" => Some("1".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let cases = [
            ("$A-${A}", "1-1", vec![]),
            ("${EMPTY:-d} ${EMPTY-d}|", "d |", vec![]),
            ("${A:+alt} ${NO:+alt} ${NO+alt}|", "alt  |", vec![]),
            ("${NO:-${A}x}", "1x", vec![]),
            ("'$A' \"$A\" \\$A $", "$A 1 $A $", vec![]),
            (
                "$NO ${NO} ${NO:?need} ${A%.*}",
                "$NO ${NO} ${NO:?need} ${A%.*}",
                vec!["NO", "A"],
            ),
            ("${", "${", vec![]),
        ];
        for (input, output, missing) in cases {
            let result = substitute(input, env);
            assert_eq!(result.text, output, "{input}");
            assert_eq!(result.missing, missing, "{input}");
        }
        assert_eq!(substitute_with_escape("`$A", '`', env).text, "$A");
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM alpine\r\nRUN echo a \\\r\n  b\r\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        assert_eq!(df.directives[0].value, "docker/dockerfile:1");
        assert_eq!(df.directives[0].span.start, 3);
        let run = &df.instructions[1];
        assert_eq!(slice(text, run.span), "RUN echo a \\\r\n  b");
        assert_eq!(shell(run).text, "echo a   b");
        assert_maps_back(text, shell(run));
        let df = parse("\u{feff}FROM a\n");
        assert_eq!(df.instructions[0].keyword_span, Span::new(3, 7));
    }

    #[test]
    fn unknown_instruction() {
        let text = "FROM a\nCOPPY x /y\nRUN ok\n";
        let df = parse(text);
        assert_eq!(messages(&df), ["unknown instruction: COPPY (did you mean COPY?)"]);
        assert_eq!(slice(text, df.errors[0].span), "COPPY");
        assert_eq!(df.instructions.len(), 2);
        assert_eq!(df.instructions[1].keyword, Keyword::Run);
    }

    #[test]
    fn from_is_required_first() {
        let df = parse("RUN x\nCMD y\n");
        assert_eq!(
            messages(&df),
            ["no FROM instruction: a Dockerfile needs at least one build stage"]
        );
        assert_eq!(df.errors[0].span, Span::point(0));
        assert_eq!(
            messages(&parse("# only a comment\n")),
            ["the Dockerfile has no instructions: it needs a FROM"]
        );
        let text = "ARG V=1\nENV X=1\nFROM a\n";
        let df = parse(text);
        assert_eq!(
            messages(&df),
            ["ENV before the first FROM: only ARG may come before FROM"]
        );
        assert_eq!(slice(text, df.errors[0].span), "ENV");
    }

    #[test]
    fn missing_and_extra_arguments() {
        let cases = [
            ("FROM\n", "FROM requires the base image"),
            ("FROM a\nRUN\n", "RUN requires a command"),
            ("FROM a b\n", "FROM requires either one or three arguments"),
            ("FROM a AS 1st\n", "invalid stage name"),
            ("FROM a\nCOPY x\n", "COPY requires at least two arguments"),
            ("FROM a\nENV PATH\n", "ENV requires a value"),
            ("FROM a\nLABEL a=b c\n", "has no '='"),
            (
                "FROM a\nSHELL powershell\n",
                "SHELL requires the arguments in JSON form",
            ),
            (
                "FROM a\nCMD --verbose run\n",
                "unknown flag --verbose: CMD takes no flags",
            ),
            (
                "FROM --platfrom=x a\n",
                "unknown flag --platfrom for FROM (it takes --platform)",
            ),
            (
                "FROM a\nHEALTHCHECK --intervall=1s CMD x\n",
                "unknown flag --intervall for HEALTHCHECK",
            ),
            ("FROM a\nHEALTHCHECK CMD\n", "HEALTHCHECK CMD requires a command"),
            ("FROM a\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments"),
            ("FROM a\nHEALTHCHECK CONNECT x\n", "unknown HEALTHCHECK type"),
            ("FROM a\nONBUILD FROM b\n", "FROM is not allowed as an ONBUILD trigger"),
            ("FROM a\nUSER\n", "USER requires at least one argument"),
        ];
        for (text, message) in cases {
            let df = parse(text);
            assert_eq!(df.errors.len(), 1, "{text:?}: {:?}", df.errors);
            assert!(
                df.errors[0].message.contains(message),
                "{text:?}: {}",
                df.errors[0].message
            );
        }
        let df = parse("FROM\nRUN x\n");
        assert_eq!(df.stages[0].image.text, "");
        assert_eq!(df.instructions[1].stage, Some(0));
        assert!(parse("FROM a\nCMD\nENTRYPOINT\n").errors.is_empty());
    }

    #[test]
    fn env_label_arg_pairs() {
        let text = "FROM a\nENV A=1 B=\"two words\" C=x\\ y\nENV LEGACY some value\nLABEL \"com.x\"=y\nARG N M=3\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let pairs = |i: usize| -> Vec<(String, Option<String>, bool)> {
            df.instructions[i]
                .key_values
                .iter()
                .map(|kv| {
                    (
                        kv.key.text.clone(),
                        kv.value.as_ref().map(|v| v.text.clone()),
                        kv.legacy,
                    )
                })
                .collect()
        };
        let owned = |k: &str, v: Option<&str>, legacy| (k.to_string(), v.map(str::to_string), legacy);
        assert_eq!(
            pairs(1),
            [
                owned("A", Some("1"), false),
                owned("B", Some("two words"), false),
                owned("C", Some("x y"), false)
            ]
        );
        assert_eq!(pairs(2), [owned("LEGACY", Some("some value"), true)]);
        assert_eq!(pairs(3), [owned("com.x", Some("y"), false)]);
        assert_eq!(pairs(4), [owned("N", None, false), owned("M", Some("3"), false)]);
        let b = &df.instructions[1].key_values[1];
        assert_eq!(slice(text, b.key.span), "B");
        assert_eq!(slice(text, b.value.as_ref().unwrap().span), "\"two words\"");
    }

    #[test]
    fn healthcheck() {
        let text = "FROM a\nHEALTHCHECK --interval=30s --timeout=10s CMD curl -f http://localhost/ || exit 1\n\
            HEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nHEALTHCHECK NONE\n\
            HEALTHCHECK CMD ['curl', 'x']\n";
        let df = parse(text);
        assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
        assert!(
            df.errors[0]
                .message
                .starts_with("HEALTHCHECK CMD arguments are not a valid JSON array")
        );
        let first = &df.instructions[1];
        assert_eq!(first.flag("interval").unwrap().value.as_deref(), Some("30s"));
        assert_eq!(shell(first).text, "CMD curl -f http://localhost/ || exit 1");
        let Some(Arguments::Shell(cmd)) = first.healthcheck_command() else {
            panic!("shell form expected")
        };
        assert_eq!(slice(text, cmd.span), "curl -f http://localhost/ || exit 1");
        let Some(Arguments::Exec(words)) = df.instructions[2].healthcheck_command() else {
            panic!("exec form expected")
        };
        assert_eq!(words.len(), 3);
        assert_eq!(df.instructions[3].healthcheck_command(), None);
    }

    #[test]
    fn onbuild_trigger() {
        let text = "FROM a\nONBUILD RUN --mount=type=cache,target=/c <<EOF\nmake\nEOF\nONBUILD COPY . /src\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let onbuild = &df.instructions[1];
        let trigger = onbuild.trigger.as_deref().unwrap();
        assert_eq!(trigger.keyword, Keyword::Run);
        assert_eq!(slice(text, trigger.keyword_span), "RUN");
        assert!(trigger.flag("mount").is_some());
        assert_eq!(trigger.heredocs[0].body, "make\n");
        assert_eq!(trigger.stage, Some(0));
        assert!(slice(text, onbuild.span).ends_with("make\nEOF"));
        assert_eq!(df.instructions[2].trigger.as_ref().unwrap().keyword, Keyword::Copy);
    }

    /// A small deterministic generator, to feed odd inputs without a dependency.
    fn pseudo_random(seed: &mut u64) -> usize {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        (*seed >> 16) as usize
    }

    #[test]
    fn never_panics_on_odd_input() {
        let pieces = [
            "FROM ",
            "RUN ",
            "run",
            "COPY ",
            "ONBUILD ",
            "HEALTHCHECK ",
            "CMD ",
            "ARG ",
            "ENV ",
            "<<",
            "<<-",
            "EOF",
            "'",
            "\"",
            "[",
            "]",
            ",",
            "\\",
            "`",
            "#",
            "# escape=`",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "--",
            "=",
            "$",
            "${",
            "}",
            ":-",
            "é",
            "\u{feff}",
            "\u{0}",
            "\\u12",
            "AS ",
            "x",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..3000 {
            let len = pseudo_random(&mut seed) % 40;
            let text: String = (0..len)
                .map(|_| pieces[pseudo_random(&mut seed) % pieces.len()])
                .collect();
            let df = parse(&text);
            for inst in &df.instructions {
                assert!(
                    inst.span.end <= text.len() && text.is_char_boundary(inst.span.start),
                    "{text:?}"
                );
                if let Arguments::Shell(args) = &inst.args {
                    assert_maps_back(&text, args);
                }
            }
            for stage in &df.stages {
                df.resolve_from(stage);
            }
            substitute(&text, |_| Some("v".into()));
        }
    }

    #[test]
    fn large_inputs_finish() {
        // Each input is about 1 MiB: a step quadratic in its size would take
        // hours, so finishing is the test.
        let mb = 1 << 20;
        let long_run = format!("FROM a\nRUN {}\n", "echo x && ".repeat(mb / 10));
        assert_eq!(parse(&long_run).instructions.len(), 2);
        let json = format!("FROM a\nCMD [{}\"x\"]\n", "\"a\", ".repeat(mb / 5));
        assert!(matches!(parse(&json).instructions[1].args, Arguments::Exec(_)));
        let quotes = format!("FROM a\nCMD [\"{}\n", "\"'".repeat(mb / 2));
        parse(&quotes);
        let lines = format!("FROM a\nRUN a \\\n{}b\n", "  # c\n  x \\\n".repeat(mb / 16));
        let df = parse(&lines);
        let args = shell(&df.instructions[1]);
        assert_eq!(args.source_offset(args.text.len() - 1), lines.len() - 2);
        let heredoc = format!("FROM a\nRUN <<EOF\n{}EOF\n", "line\n".repeat(mb / 5));
        assert_eq!(parse(&heredoc).instructions[1].heredocs[0].body.len(), mb / 5 * 5);
        let dollars = format!("FROM a:{}\n", "${A:-".repeat(mb / 10));
        let df = parse(&dollars);
        df.resolve_from(&df.stages[0]);
        let braces = format!("FROM a:{}\n", "${A:-${B}}".repeat(mb / 10));
        let df = parse(&braces);
        df.resolve_from(&df.stages[0]);
        let nested = format!("FROM a:{}x{}\n", "${A:-".repeat(mb / 10), "}".repeat(mb / 10));
        let df = parse(&nested);
        assert!(matches!(df.resolve_from(&df.stages[0]), ImageRef::Unresolved { .. }));
        let onbuilds = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(mb / 8));
        assert_eq!(parse(&onbuilds).errors.len(), 1);
        // Each ARG doubles the previous one; expansion stops at a size limit.
        let chain: String = (0..40).map(|i| format!("ARG A{}=$A{i}$A{i}\n", i + 1)).collect();
        let df = parse(&format!("ARG A0=0123456789\n{chain}FROM a:$A40\n"));
        assert!(matches!(df.resolve_from(&df.stages[0]), ImageRef::Unresolved { .. }));
    }

    /// Parse every Dockerfile of the shared corpus (`VWE_CORPUS`, else
    /// `../shared/corpus`); print the errors so they can be reviewed, and check
    /// span invariants on every instruction.
    #[test]
    fn parses_the_dockerfile_corpus() {
        let Some(corpus) = corpus() else { return };
        for folder in ["dockerfile", "dockerfile-templated"] {
            let root = corpus.join(folder);
            let mut files = Vec::new();
            let mut stack = vec![root.clone()];
            while let Some(path) = stack.pop() {
                for entry in std::fs::read_dir(&path).unwrap().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        files.push(path);
                    }
                }
            }
            files.sort();
            let mut with_errors = 0;
            for path in &files {
                let bytes = std::fs::read(path).unwrap();
                let text = String::from_utf8_lossy(&bytes);
                let df = parse(&text);
                for inst in df
                    .instructions
                    .iter()
                    .chain(df.instructions.iter().filter_map(|i| i.trigger.as_deref()))
                {
                    assert!(inst.span.contains(inst.keyword_span), "{}", path.display());
                    assert!(text.is_char_boundary(inst.span.start) && text.is_char_boundary(inst.span.end));
                    if let Arguments::Shell(args) = &inst.args {
                        assert_maps_back(&text, args);
                    }
                    for heredoc in &inst.heredocs {
                        assert_maps_back(&text, heredoc.body_text());
                    }
                }
                if !df.errors.is_empty() {
                    with_errors += 1;
                    let shown = path.strip_prefix(&root).unwrap().display();
                    for error in &df.errors {
                        let line = text[..error.span.start].matches('\n').count() + 1;
                        println!("{shown}:{line}: {}", error.message);
                    }
                }
            }
            println!("{folder}: {} files, {with_errors} with errors", files.len());
            // Real-world Dockerfiles parse; the templated ones need not.
            if folder == "dockerfile" {
                assert!(
                    with_errors * 50 < files.len(),
                    "{with_errors} of {} files have errors",
                    files.len()
                );
            }
        }
    }
}
