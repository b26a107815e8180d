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
use std::ops::Range;

pub use super::ast::{
    Arguments, Comment, Directive, Dockerfile, Flag, GlobalArg, Heredoc, Instruction, KeyValue, Keyword, ParseError,
    ShellText, Stage, Word,
};
use super::expand::process_word;
pub use super::expand::{Substituted, substitute, substitute_with_escape};
use super::json::{broken_json_reason, json_string_array};
use crate::source::Span;

impl Instruction {
    /// For `HEALTHCHECK [flags] CMD …`: the command after `CMD`, in exec or shell form.
    pub fn healthcheck_command(&self) -> Option<Arguments> {
        match (&self.keyword, &self.args) {
            (Keyword::Healthcheck, Arguments::Shell(text)) => healthcheck_cmd_text(text).map(|cmd| classify(&cmd).0),
            _ => None,
        }
    }
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
mod tests;
