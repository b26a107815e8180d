//! RUN bodies as shell commands and words, with spans in the original file.
//!
//! A small POSIX-shell tokenizer, enough for linting: quotes, escapes, line
//! continuations, comments, `$(…)`, backticks, `${…}`, arithmetic, process
//! substitution, the operators `&&` `||` `;` `|` `|&` `&` and newlines,
//! subshells and `{ }` groups, redirections and heredocs, and the compound
//! keywords (`if`, `for`, `while`, `case`, …), whose words are not commands.
//! Commands inside substitutions are commands too. Structure beyond "which
//! commands run, in which pipeline" is not kept. `sh -c "…"` strings are
//! not looked into. One pass over the text: nested substitutions are lexed
//! where they stand, not rescanned.

use std::ops::Range;

use super::ast::{Arguments, Dockerfile, Instruction, Keyword, ShellText, Word};
pub use super::script::{
    CliOption, Command, ParsedArgs, SHELLS, Script, ShellWord, basename, is_assignment, parse_args,
};

/// The commands a RUN instruction runs: its shell-form text, the heredoc
/// bodies a shell runs as scripts (`RUN <<EOF`, `RUN bash <<EOF`), or its
/// exec-form words as one command.
pub fn run_script(instruction: &Instruction) -> Script {
    match &instruction.args {
        Arguments::Exec(words) => Script {
            commands: vec![exec_command(words)],
            pipes: Vec::new(),
        },
        Arguments::Shell(text) => {
            let (mut script, uses) = lex(text, false);
            let mut used = vec![false; uses.len()];
            for heredoc in &instruction.heredocs {
                let Some(k) = (0..uses.len()).find(|&k| !used[k] && uses[k].delimiter == heredoc.delimiter) else {
                    continue;
                };
                used[k] = true;
                let runs_script = match uses[k].command {
                    None => true,
                    Some(c) => {
                        let command = &script.commands[c];
                        command.program().is_some_and(|p| SHELLS.contains(&p))
                            && !command.args().iter().any(|a| a.text == "-c")
                    }
                };
                if runs_script && shebang_is_shell(&heredoc.body) {
                    let (body, _) = lex(heredoc.body_text(), true);
                    script.append(body);
                }
            }
            script
        }
    }
}

/// The script of every RUN (and ONBUILD RUN), by instruction index; made
/// once per file and shared by every rule.
pub fn scripts(dockerfile: &Dockerfile) -> &[Option<Script>] {
    dockerfile.scripts.get_or_init(|| {
        dockerfile
            .instructions
            .iter()
            .map(|instruction| {
                let run = instruction.trigger.as_deref().unwrap_or(instruction);
                (run.keyword == Keyword::Run).then(|| run_script(run))
            })
            .collect()
    })
}

/// The commands of a shell text (a RUN's shell form, or a script body when
/// `script` is set: then heredoc bodies inside it are skipped as data).
pub fn commands(shell: &ShellText, script: bool) -> Script {
    lex(shell, script).0
}

fn exec_command(words: &[Word]) -> Command {
    Command {
        words: words
            .iter()
            .map(|word| ShellWord {
                text: word.text.clone(),
                span: word.span,
            })
            .collect(),
        pipeline: 0,
        position: 0,
        nested: false,
        exec_form: true,
    }
}

/// A body without `#!`, or whose `#!` names a shell, is a shell script.
fn shebang_is_shell(body: &str) -> bool {
    let Some(line) = body.lines().next().and_then(|line| line.strip_prefix("#!")) else {
        return true;
    };
    let mut words = line.split_whitespace();
    let mut program = words.next().map(basename);
    if program == Some("env") {
        program = words.find(|word| !word.starts_with('-'));
    }
    program.is_some_and(|program| SHELLS.contains(&program))
}

/// A `<<DELIM` redirection seen in the text and the command it belongs to
/// (`None` when it stands alone, as in `RUN <<EOF`).
struct HeredocUse {
    delimiter: String,
    command: Option<usize>,
}

/// Nesting beyond this depth is skipped over, not lexed (hostile input).
const MAX_DEPTH: usize = 32;

fn lex(shell: &ShellText, script: bool) -> (Script, Vec<HeredocUse>) {
    let mut out = Output::default();
    let mut lexer = Lexer {
        text: &shell.text,
        bytes: shell.text.as_bytes(),
        pos: 0,
        end: shell.text.len(),
        script,
        depth: 0,
        stop_at_paren: false,
    };
    lexer.run(&mut out);
    let map = |range: Range<usize>| shell.source_span(range);
    let commands = out
        .commands
        .into_iter()
        .map(|raw| Command {
            words: raw
                .words
                .into_iter()
                .map(|(text, range)| ShellWord { text, span: map(range) })
                .collect(),
            pipeline: raw.pipeline,
            position: raw.position,
            nested: raw.nested,
            exec_form: false,
        })
        .collect();
    let pipes = out.pipes.into_iter().map(map).collect();
    (Script { commands, pipes }, out.heredocs)
}

#[derive(Default)]
struct RawCommand {
    words: Vec<(String, Range<usize>)>,
    pipeline: usize,
    position: usize,
    nested: bool,
    /// `for`/`case`/`function` headers: their words are not a command.
    ignored: bool,
    heredocs: Vec<String>,
}

#[derive(Default)]
struct Output {
    commands: Vec<RawCommand>,
    pipes: Vec<Range<usize>>,
    heredocs: Vec<HeredocUse>,
    next_pipeline: usize,
    /// `case … in`: nesting depth, and whether a pattern comes next.
    case_depth: usize,
    expect_pattern: bool,
}

impl Output {
    fn new_command(&mut self, nested: bool) -> RawCommand {
        let pipeline = self.next_pipeline;
        self.next_pipeline += 1;
        RawCommand {
            pipeline,
            nested,
            ..RawCommand::default()
        }
    }

    /// Ends `current`; `piped` continues its pipeline in the returned command.
    fn finish(&mut self, current: &mut RawCommand, piped: bool) {
        let next = if piped {
            RawCommand {
                pipeline: current.pipeline,
                position: current.position + 1,
                nested: current.nested,
                ..RawCommand::default()
            }
        } else {
            self.new_command(current.nested)
        };
        let done = std::mem::replace(current, next);
        let keep = !done.ignored && !done.words.is_empty();
        let index = keep.then_some(self.commands.len());
        for delimiter in done.heredocs.iter() {
            self.heredocs.push(HeredocUse {
                delimiter: delimiter.clone(),
                command: index,
            });
        }
        if keep {
            self.commands.push(done);
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    /// A script body: heredoc bodies follow their command line in the text.
    script: bool,
    depth: usize,
    /// Inside `$(…)` / `<(…)`: an unmatched `)` ends the lexing.
    stop_at_paren: bool,
}

fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        let at = self.pos + ahead;
        (at < self.end).then(|| self.bytes[at])
    }

    fn sub(&self, from: usize, end: usize, stop_at_paren: bool) -> Lexer<'_> {
        Lexer {
            text: self.text,
            bytes: self.bytes,
            pos: from,
            end,
            script: self.script,
            depth: self.depth + 1,
            stop_at_paren,
        }
    }

    /// Lex until the end (or the unmatched `)` when `stop_at_paren`); returns
    /// where it stopped (at the `)`).
    fn run(&mut self, out: &mut Output) -> usize {
        let nested = self.depth > 0;
        let mut current = out.new_command(nested);
        let mut parens = 0usize;
        let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
        loop {
            self.skip_blanks();
            let Some(b) = self.peek(0) else { break };
            if out.expect_pattern && current.words.is_empty() && b != b'\n' && b != b';' && b != b'#' {
                self.case_pattern(out);
                continue;
            }
            match b {
                b'\n' => {
                    self.pos += 1;
                    out.finish(&mut current, false);
                    if self.script {
                        for (delimiter, strip_tabs) in pending_heredocs.drain(..) {
                            self.skip_heredoc_body(&delimiter, strip_tabs);
                        }
                    }
                }
                b'#' => {
                    while self.peek(0).is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b';' => {
                    self.pos += 1;
                    if self.peek(0) == Some(b';') || self.peek(0) == Some(b'&') {
                        // `;;`, `;&`, `;;&`: the end of a case arm.
                        self.pos += 1;
                        if self.peek(0) == Some(b'&') {
                            self.pos += 1;
                        }
                        out.expect_pattern = out.case_depth > 0;
                    }
                    out.finish(&mut current, false);
                }
                b'&' if self.peek(1) == Some(b'>') => self.redirection(&mut current, &mut pending_heredocs, out),
                b'&' => {
                    self.pos += if self.peek(1) == Some(b'&') { 2 } else { 1 };
                    out.finish(&mut current, false);
                }
                b'|' if self.peek(1) == Some(b'|') => {
                    self.pos += 2;
                    out.finish(&mut current, false);
                }
                b'|' => {
                    let start = self.pos;
                    self.pos += if self.peek(1) == Some(b'&') { 2 } else { 1 };
                    out.pipes.push(start..self.pos);
                    out.finish(&mut current, true);
                }
                b'(' if current.words.is_empty() && self.peek(1) == Some(b'(') => {
                    // `(( arithmetic ))`
                    self.pos = self.matching_paren(self.pos + 1).min(self.end);
                    self.pos = (self.pos + 2).min(self.end);
                }
                b'(' if !current.words.is_empty() && self.after_blanks_is(self.pos + 1, b')') => {
                    // `name() { … }`: a function definition, not a command.
                    current.ignored = true;
                    self.pos = self.text[self.pos..self.end]
                        .find(')')
                        .map_or(self.end, |k| self.pos + k + 1);
                    out.finish(&mut current, false);
                }
                b'(' => {
                    self.pos += 1;
                    parens += 1;
                    out.finish(&mut current, false);
                }
                b')' => {
                    if parens == 0 && self.stop_at_paren {
                        out.finish(&mut current, false);
                        return self.pos;
                    }
                    self.pos += 1;
                    parens = parens.saturating_sub(1);
                    out.finish(&mut current, false);
                }
                b'<' | b'>' => self.redirection(&mut current, &mut pending_heredocs, out),
                b'0'..=b'9' if self.is_fd_redirection() => {
                    while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    self.redirection(&mut current, &mut pending_heredocs, out);
                }
                _ => {
                    let start = self.pos;
                    let (text, quoted) = self.word(out);
                    self.push_word(&mut current, text, start..self.pos, quoted, out);
                }
            }
        }
        out.finish(&mut current, false);
        self.pos
    }

    fn push_word(&self, current: &mut RawCommand, text: String, range: Range<usize>, quoted: bool, out: &mut Output) {
        if current.ignored {
            if out.case_depth > 0 && !quoted && text == "in" && current.words.first().is_some_and(|w| w.0 == "case") {
                out.expect_pattern = true;
                out.finish(current, false);
            }
            return;
        }
        if current.words.is_empty() && !quoted {
            match text.as_str() {
                // Keywords that precede a command.
                "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{" => return,
                // Keywords that end a compound command.
                "fi" | "done" | "}" => return,
                "esac" => {
                    out.case_depth = out.case_depth.saturating_sub(1);
                    out.expect_pattern = false;
                    return;
                }
                "case" => {
                    out.case_depth += 1;
                    current.ignored = true;
                }
                "for" | "select" | "function" => current.ignored = true,
                _ => {}
            }
        }
        current.words.push((text, range));
    }

    /// A case pattern up to its `)`; or `esac`.
    fn case_pattern(&mut self, out: &mut Output) {
        let start = self.pos;
        if self.peek(0) == Some(b'(') {
            self.pos += 1;
        }
        loop {
            self.skip_blanks();
            match self.peek(0) {
                None => break,
                Some(b')') => {
                    self.pos += 1;
                    out.expect_pattern = false;
                    break;
                }
                Some(b'|') => self.pos += 1,
                Some(b'\n') => self.pos += 1,
                Some(_) => {
                    let word_start = self.pos;
                    let (text, _) = self.word(out);
                    if self.pos == word_start {
                        // A metacharacter a pattern cannot hold: stop here.
                        self.pos += 1;
                        out.expect_pattern = false;
                        break;
                    }
                    if word_start == start && text == "esac" {
                        out.case_depth = out.case_depth.saturating_sub(1);
                        out.expect_pattern = false;
                        break;
                    }
                }
            }
        }
    }

    fn after_blanks_is(&self, from: usize, want: u8) -> bool {
        let mut i = from;
        while i < self.end && matches!(self.bytes[i], b' ' | b'\t') {
            i += 1;
        }
        i < self.end && self.bytes[i] == want
    }

    fn is_fd_redirection(&self) -> bool {
        let mut i = self.pos;
        while i < self.end && self.bytes[i].is_ascii_digit() {
            i += 1;
        }
        i < self.end && matches!(self.bytes[i], b'<' | b'>')
    }

    fn skip_blanks(&mut self) {
        while let Some(b) = self.peek(0) {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.peek(1) == Some(b'\n') => self.pos += 2,
                b'\\' if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') => self.pos += 3,
                _ => break,
            }
        }
    }

    /// A redirection operator and its target word; `<<` records a heredoc.
    fn redirection(&mut self, current: &mut RawCommand, pending: &mut Vec<(String, bool)>, out: &mut Output) {
        let op_start = self.pos;
        if self.peek(0) == Some(b'&') {
            self.pos += 1;
        }
        let first = self.peek(0);
        self.pos += 1;
        if (first == Some(b'<') || first == Some(b'>')) && self.peek(0) == Some(b'(') {
            // `<(…)` / `>(…)`: process substitution, a word of the command.
            self.pos = op_start;
            let (text, quoted) = self.word(out);
            self.push_word(current, text, op_start..self.pos, quoted, out);
            return;
        }
        let mut heredoc = None;
        match (first, self.peek(0)) {
            (Some(b'<'), Some(b'<')) => {
                self.pos += 1;
                match self.peek(0) {
                    Some(b'<') => self.pos += 1,
                    Some(b'-') => {
                        self.pos += 1;
                        heredoc = Some(true);
                    }
                    _ => heredoc = Some(false),
                }
            }
            (_, Some(b'>' | b'&' | b'|')) => self.pos += 1,
            _ => {}
        }
        self.skip_blanks();
        if self.peek(0).is_none_or(is_meta) {
            return;
        }
        let (target, _) = self.word(out);
        if let Some(strip_tabs) = heredoc {
            current.heredocs.push(target.clone());
            pending.push((target, strip_tabs));
        }
    }

    /// Skip lines up to and including the one that is `delimiter`.
    fn skip_heredoc_body(&mut self, delimiter: &str, strip_tabs: bool) {
        while self.pos < self.end {
            let line_end = self.text[self.pos..self.end]
                .find('\n')
                .map_or(self.end, |k| self.pos + k);
            let mut line = self.text[self.pos..line_end].trim_end_matches('\r');
            if strip_tabs {
                line = line.trim_start_matches('\t');
            }
            self.pos = (line_end + 1).min(self.end);
            if line == delimiter {
                break;
            }
        }
    }

    /// One word from `pos`: returns its text (quotes removed) and whether any
    /// part was quoted or escaped. Substitutions inside are lexed as commands.
    fn word(&mut self, out: &mut Output) -> (String, bool) {
        let mut text = String::new();
        let mut quoted = false;
        let start = self.pos;
        while let Some(b) = self.peek(0) {
            match b {
                b'\\' => {
                    quoted = true;
                    self.pos += 1;
                    match self.peek(0) {
                        Some(b'\n') => self.pos += 1,
                        Some(_) => self.push_char(&mut text),
                        None => {}
                    }
                }
                b'\'' => {
                    quoted = true;
                    self.pos += 1;
                    let close = self.text[self.pos..self.end]
                        .find('\'')
                        .map_or(self.end, |k| self.pos + k);
                    text.push_str(&self.text[self.pos..close]);
                    self.pos = (close + 1).min(self.end);
                }
                b'"' => {
                    quoted = true;
                    self.pos += 1;
                    self.double_quoted(&mut text, out);
                }
                b'$' => self.dollar(&mut text, out),
                b'`' => self.backticks(&mut text, out),
                b'<' | b'>' if self.pos == start && self.peek(1) == Some(b'(') => {
                    let from = self.pos;
                    self.pos += 2;
                    self.substitution(from, &mut text, out);
                }
                b if is_meta(b) => break,
                _ => self.push_char(&mut text),
            }
        }
        (text, quoted)
    }

    fn push_char(&mut self, text: &mut String) {
        let c = self.text[self.pos..].chars().next().unwrap_or(' ');
        text.push(c);
        self.pos += c.len_utf8();
    }

    fn double_quoted(&mut self, text: &mut String, out: &mut Output) {
        while let Some(b) = self.peek(0) {
            match b {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    self.pos += 1;
                    match self.peek(0) {
                        Some(b'\n') => self.pos += 1,
                        Some(b'$' | b'`' | b'"' | b'\\') => self.push_char(text),
                        Some(_) => text.push('\\'),
                        None => {}
                    }
                }
                b'$' => self.dollar(text, out),
                b'`' => self.backticks(text, out),
                _ => self.push_char(text),
            }
        }
    }

    /// `$…` at `pos`: kept as written; `$(…)` also lexed for its commands.
    fn dollar(&mut self, text: &mut String, out: &mut Output) {
        let from = self.pos;
        match self.peek(1) {
            Some(b'(') if self.peek(2) == Some(b'(') => {
                self.pos = (self.matching_paren(self.pos + 2) + 2).min(self.end);
                text.push_str(&self.text[from..self.pos]);
            }
            Some(b'(') => {
                self.pos += 2;
                self.substitution(from, text, out);
            }
            Some(b'{') => {
                let mut depth = 0usize;
                let mut i = self.pos + 2;
                while i < self.end {
                    match self.bytes[i] {
                        b'\\' => i += 1,
                        b'{' => depth += 1,
                        b'}' if depth == 0 => break,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                self.pos = (i + 1).min(self.end);
                text.push_str(&self.text[from..self.pos]);
            }
            Some(b'\'') => {
                // `$'…'`: ANSI-C quoting.
                self.pos += 2;
                while let Some(b) = self.peek(0) {
                    self.pos += 1;
                    match b {
                        b'\'' => break,
                        b'\\' if self.peek(0).is_some() => self.push_char(text),
                        _ => {
                            self.pos -= 1;
                            self.push_char(text);
                        }
                    }
                }
            }
            _ => {
                self.pos += 1;
                text.push('$');
            }
        }
    }

    /// The body of `$(`, `<(` or `>(` (opened at `from`, `pos` after the
    /// parenthesis), lexed as commands; the text keeps it as written.
    fn substitution(&mut self, from: usize, text: &mut String, out: &mut Output) {
        if self.depth >= MAX_DEPTH {
            self.pos = self.matching_paren(self.pos - 1);
        } else {
            let saved = (out.case_depth, out.expect_pattern);
            out.case_depth = 0;
            out.expect_pattern = false;
            let mut inner = self.sub(self.pos, self.end, true);
            self.pos = inner.run(out);
            (out.case_depth, out.expect_pattern) = saved;
        }
        self.pos = (self.pos + 1).min(self.end);
        text.push_str(&self.text[from..self.pos]);
    }

    fn backticks(&mut self, text: &mut String, out: &mut Output) {
        let from = self.pos;
        let mut close = self.pos + 1;
        while close < self.end && self.bytes[close] != b'`' {
            close += if self.bytes[close] == b'\\' { 2 } else { 1 };
        }
        let close = close.min(self.end);
        if self.depth < MAX_DEPTH {
            let saved = (out.case_depth, out.expect_pattern);
            out.case_depth = 0;
            out.expect_pattern = false;
            self.sub(from + 1, close, false).run(out);
            (out.case_depth, out.expect_pattern) = saved;
        }
        self.pos = (close + 1).min(self.end);
        text.push_str(&self.text[from..self.pos]);
    }

    /// The offset of the `)` matching the `(` at `open`, by counting (quotes
    /// respected); `end` when there is none.
    fn matching_paren(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut i = open;
        let mut quote = None;
        while i < self.end {
            let b = self.bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(b'"') if b == b'\\' => i += 1,
                Some(_) => {}
                None => match b {
                    b'\\' => i += 1,
                    b'\'' | b'"' => quote = Some(b),
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i;
                        }
                    }
                    _ => {}
                },
            }
            i += 1;
        }
        self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse::parse;
    use crate::source::Span;

    fn script_of(dockerfile: &str) -> (String, Script) {
        let df = parse(dockerfile);
        let run = df
            .instructions
            .iter()
            .find(|i| i.keyword == super::super::parse::Keyword::Run)
            .expect("a RUN");
        (dockerfile.to_string(), run_script(run))
    }

    /// Each command's words, as text.
    fn words(script: &Script) -> Vec<Vec<&str>> {
        script
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
            .collect()
    }

    fn programs(script: &Script) -> Vec<&str> {
        script.commands.iter().filter_map(|c| c.program()).collect()
    }

    #[test]
    fn operators_split_commands() {
        let (_, script) = script_of("FROM a\nRUN a 1 && b 2 || c; d & e | f |& g\n");
        assert_eq!(
            words(&script),
            [
                vec!["a", "1"],
                vec!["b", "2"],
                vec!["c"],
                vec!["d"],
                vec!["e"],
                vec!["f"],
                vec!["g"]
            ]
        );
        let pipelines: Vec<_> = script.commands.iter().map(|c| (c.pipeline, c.position)).collect();
        assert_eq!(
            pipelines[4..],
            [(pipelines[4].0, 0), (pipelines[4].0, 1), (pipelines[4].0, 2)]
        );
        assert_ne!(pipelines[0].0, pipelines[1].0);
        assert_eq!(script.pipes.len(), 2);
    }

    #[test]
    fn quotes_and_escapes() {
        let (text, script) = script_of("FROM a\nRUN echo \"apt-get install x\" 'b c' d\\ e \"$(id -u)\" \\\"q\n");
        // A substitution's commands come before the command that uses them.
        assert_eq!(
            words(&script)[1],
            ["echo", "apt-get install x", "b c", "d e", "$(id -u)", "\"q"]
        );
        assert_eq!(programs(&script), ["id", "echo"]);
        let word = &script.commands[1].words[1];
        assert_eq!(&text[word.span.start..word.span.end], "\"apt-get install x\"");
        assert!(script.commands[0].nested);
    }

    #[test]
    fn spans_map_through_continuations_and_comments() {
        let text = "FROM a\nRUN apt-get update \\\n    # a comment\n    && apt-get install \\\n      -y curl\n";
        let (_, script) = script_of(text);
        assert_eq!(
            words(&script),
            [vec!["apt-get", "update"], vec!["apt-get", "install", "-y", "curl"]]
        );
        let install = &script.commands[1].words[1];
        assert_eq!(&text[install.span.start..install.span.end], "install");
        let y = &script.commands[1].words[2];
        assert_eq!(&text[y.span.start..y.span.end], "-y");
    }

    #[test]
    fn substitutions_and_subshells() {
        let (_, script) =
            script_of("FROM a\nRUN (cd /x && make) && { b; } && X=$(c `d` $(e)) f <(g) && echo $((1 + 2)) ${H:-i}\n");
        assert_eq!(programs(&script), ["cd", "make", "b", "d", "e", "c", "g", "f", "echo"]);
        let f = script.commands.iter().find(|c| c.program() == Some("f")).unwrap();
        assert_eq!(f.assignments().count(), 1);
        let echo = script.commands.last().unwrap();
        assert_eq!(echo.args()[0].text, "$((1 + 2))");
        assert_eq!(echo.args()[1].text, "${H:-i}");
    }

    #[test]
    fn compound_keywords_are_not_commands() {
        let (_, script) = script_of(
            "FROM a\nRUN if [ -f x ]; then apt-get install -y a; else b; fi && for p in a b; do pip install $p; done \
             && while true; do c; done && case \"$X\" in a|b) d ;; *) e ;; esac && f\n",
        );
        assert_eq!(
            programs(&script),
            ["[", "apt-get", "b", "pip", "true", "c", "d", "e", "f"]
        );
    }

    #[test]
    fn redirections_and_comments() {
        let (_, script) = script_of("FROM a\nRUN a > /dev/null 2>&1 && b &>/x < in && c >>out # d && e\n");
        assert_eq!(words(&script), [vec!["a"], vec!["b"], vec!["c"]]);
    }

    #[test]
    fn wrappers_are_skipped() {
        let (_, script) = script_of(
            "FROM a\nRUN DEBIAN_FRONTEND=noninteractive sudo -E -u root env A=1 /usr/bin/apt-get install x\n",
        );
        let command = &script.commands[0];
        assert_eq!(command.program(), Some("apt-get"));
        assert_eq!(command.args()[0].text, "install");
        assert_eq!(
            command.wrappers().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["sudo", "env"]
        );
    }

    #[test]
    fn heredoc_scripts() {
        let text = "FROM a\nRUN <<EOF\napt-get update\ncat > /etc/x <<CONF\napt-get install data\nCONF\necho done\nEOF\n\
                    RUN python3 <<EOF\nimport os\nEOF\n";
        let df = parse(text);
        let script = run_script(&df.instructions[1]);
        assert_eq!(programs(&script), ["apt-get", "cat", "echo"]);
        let update = &script.commands[0].words[1];
        assert_eq!(&text[update.span.start..update.span.end], "update");
        assert!(
            run_script(&df.instructions[2])
                .commands
                .iter()
                .all(|c| c.program() == Some("python3"))
        );
        let df = parse(
            "FROM a\nRUN bash -e <<'EOF'\nset -o pipefail\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
        );
        assert_eq!(programs(&run_script(&df.instructions[1])), ["bash", "set"]);
        assert!(run_script(&df.instructions[2]).commands.is_empty());
    }

    #[test]
    fn exec_form_is_one_command() {
        let (_, script) = script_of("FROM a\nRUN [\"apt-get\", \"install\", \"-y\", \"x\"]\n");
        assert_eq!(words(&script), [vec!["apt-get", "install", "-y", "x"]]);
        assert!(script.commands[0].exec_form);
    }

    #[test]
    fn options() {
        let (_, script) = script_of(
            "FROM a\nRUN apt-get -o Dpkg::Options::=--force-confold -qqy install --no-install-recommends -t=bookworm x -- -y\n",
        );
        let parsed = parse_args(script.commands[0].args(), "otca", &["option", "target-release"]);
        let names: Vec<_> = parsed.options.iter().map(|o| (o.name, o.value)).collect();
        assert_eq!(
            names,
            [
                ("o", Some("Dpkg::Options::=--force-confold")),
                ("q", None),
                ("q", None),
                ("y", None),
                ("no-install-recommends", None),
                ("t", Some("bookworm"))
            ]
        );
        let operands: Vec<_> = parsed.operands.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(operands, ["install", "x", "-y"]);
        let words = [ShellWord {
            text: "-q=2".into(),
            span: Span::default(),
        }];
        assert_eq!(parse_args(&words, "", &[]).values("q").collect::<Vec<_>>(), ["2"]);
    }

    #[test]
    fn never_panics_and_stays_linear() {
        let pieces = [
            "a", " ", "'", "\"", "\\", "$(", "$((", "`", ")", "(", "${", "}", "|", "&", ";", ";;", "<<", "<<-", "EOF",
            "\n", "#", "case", "in", "esac", "for", "é", "<(", ">", "2>&1", "=", "$'",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 30) as usize;
            let mut text = String::from("FROM a\nRUN ");
            let mut s = seed;
            for _ in 0..len {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(pieces[(s >> 33) as usize % pieces.len()]);
            }
            let df = parse(&text);
            for instruction in &df.instructions {
                if instruction.keyword == super::super::parse::Keyword::Run {
                    for command in run_script(instruction).commands {
                        for word in command.words {
                            assert!(word.span.end <= text.len() && word.span.start <= word.span.end);
                        }
                    }
                }
            }
        }
        // A step quadratic in these sizes (100,000 levels, 1 MiB of script)
        // would take hours, so finishing is the test.
        let deep = format!("FROM a\nRUN {}x{}\n", "$(".repeat(100_000), ")".repeat(100_000));
        let df = parse(&deep);
        run_script(&df.instructions[1]);
        let long = format!("FROM a\nRUN {}\n", "a 'b' \"$(c)\" | d && ".repeat(50_000));
        let df = parse(&long);
        assert_eq!(run_script(&df.instructions[1]).commands.len(), 150_000);
    }
}
