//! The tree a parsed Dockerfile is: instructions with their flags and
//! arguments, stages and global ARGs, each with exact byte spans.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use super::expand::{Substituted, substitute_with_escape};
use super::script::Script;
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
    pub(crate) scripts: std::sync::OnceLock<Vec<Option<Script>>>,
    /// The first and last stage of each name, lowercase (names compare
    /// case-insensitively), so that name lookups do not scan the stages.
    pub(super) stage_names: HashMap<String, (usize, usize)>,
    /// The ARGs before the first FROM, resolved once: every stage's FROM
    /// may use them.
    pub(super) global_args: Vec<GlobalArg>,
    /// Their values by name (the last declaration wins).
    pub(super) global_values: HashMap<String, Option<String>>,
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
    pub(super) fn known_flags(self) -> Option<&'static [&'static str]> {
        match self {
            Keyword::Run | Keyword::Copy | Keyword::Add => None,
            Keyword::From => Some(&["platform"]),
            Keyword::Healthcheck => Some(&["interval", "timeout", "start-period", "start-interval", "retries"]),
            _ => Some(&[]),
        }
    }

    /// Instructions whose arguments may be a JSON array.
    pub(super) fn takes_json(self) -> bool {
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

    pub(super) fn takes_heredocs(self) -> bool {
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
pub(super) struct Segment {
    pub(super) logical: usize,
    pub(super) source: usize,
    pub(super) len: usize,
}

/// Logical text (continuations and comment lines removed) with a map back to
/// source offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellText {
    pub text: String,
    pub span: Span,
    pub(super) segments: Vec<Segment>,
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
    pub(super) fn slice(&self, range: Range<usize>) -> ShellText {
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

    pub(super) fn push(&mut self, source_text: &str, source: usize, len: usize) {
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
    pub(super) text: ShellText,
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
    pub(super) raw_value: Option<String>,
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
    pub fn resolve_from(&self, stage: &Stage) -> Substituted {
        let lookup = |name: &str| self.global_value(name).flatten().map(str::to_string);
        substitute_with_escape(&stage.image.text, self.escape, lookup)
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
    pub(super) fn default_value(&self, escape: char, known: &HashMap<String, Option<String>>) -> Option<String> {
        // Expand the raw form: quoting decides what is expanded.
        let raw = self.raw_value.as_deref()?;
        let lookup = |name: &str| known.get(name).cloned().flatten();
        let result = substitute_with_escape(raw, escape, lookup);
        result.missing.is_empty().then_some(result.text)
    }
}
