//! The commands a RUN runs, as the shell lexer (`shell.rs`) finds them:
//! words, programs behind wrappers, options and operands.

use crate::source::Span;

/// One word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellWord {
    /// Quotes removed and escapes resolved; expansions (`$X`, `$(…)`) as written.
    pub text: String,
    /// The word as written in the file, quotes included.
    pub span: Span,
}

/// A simple command: its words (assignments, wrappers, program, arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<ShellWord>,
    /// Commands joined by `|` share a pipeline number; each RUN numbers from 0.
    pub pipeline: usize,
    /// Place in the pipeline: 0 for the first command.
    pub position: usize,
    /// Inside `$(…)`, backticks or `<(…)`.
    pub nested: bool,
    /// From a JSON-array (exec form) RUN: the words are JSON strings.
    pub exec_form: bool,
}

/// The commands of one RUN, in the order they run (a substitution's
/// commands before the command that uses them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    /// Every pipe operator (`|`, `|&`), as written.
    pub pipes: Vec<Span>,
}

/// Programs that run the command named by their arguments.
const WRAPPERS: [&str; 8] = ["sudo", "exec", "env", "command", "nohup", "time", "nice", "doas"];

/// POSIX-like shells: a heredoc fed to one is a script, and `curl | sh` runs code.
pub const SHELLS: [&str; 7] = ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

impl Command {
    /// Index of the word naming the program run: after `NAME=value`
    /// assignments and wrappers (`sudo -u x`, `env -i A=1`, `exec`, …).
    pub fn program_index(&self) -> Option<usize> {
        let mut i = 0;
        let mut after_wrapper: Option<&str> = None;
        while i < self.words.len() {
            let text = self.words[i].text.as_str();
            if is_assignment(text) {
                i += 1;
                continue;
            }
            if let Some(wrapper) = after_wrapper
                && let Some(option) = text.strip_prefix('-').filter(|o| !o.is_empty())
            {
                // `command -v x` asks whether x exists; it does not run it.
                if wrapper == "command" && matches!(option, "v" | "V") {
                    return None;
                }
                // Wrapper options that take a value as the next word.
                let takes_value = match wrapper {
                    "sudo" | "doas" => {
                        !option.starts_with('-') && option.ends_with(['u', 'g', 'C', 'D', 'h', 'p', 'r', 't', 'U', 'T'])
                    }
                    "nice" => option == "n",
                    "env" => matches!(option, "u" | "C" | "S"),
                    _ => false,
                };
                i += if takes_value { 2 } else { 1 };
                continue;
            }
            let name = basename(text);
            if WRAPPERS.contains(&name) {
                after_wrapper = Some(name);
                i += 1;
                continue;
            }
            return Some(i);
        }
        None
    }

    /// The program's name without its directory (`/usr/bin/apt-get` is `apt-get`).
    pub fn program(&self) -> Option<&str> {
        self.program_index().map(|i| basename(&self.words[i].text))
    }

    pub fn program_word(&self) -> Option<&ShellWord> {
        self.program_index().map(|i| &self.words[i])
    }

    /// The words after the program.
    pub fn args(&self) -> &[ShellWord] {
        match self.program_index() {
            Some(i) => &self.words[i + 1..],
            None => &[],
        }
    }

    /// The wrapper words before the program (`sudo`, `exec`, …).
    pub fn wrappers(&self) -> impl Iterator<Item = &ShellWord> {
        let end = self.program_index().unwrap_or(self.words.len());
        self.words[..end]
            .iter()
            .filter(|word| WRAPPERS.contains(&basename(&word.text)))
    }

    /// `VAR=value` words before the program.
    pub fn assignments(&self) -> impl Iterator<Item = &ShellWord> {
        let end = self.program_index().unwrap_or(self.words.len());
        self.words[..end].iter().filter(|word| is_assignment(&word.text))
    }

    /// The source span from the first word to the last.
    pub fn span(&self) -> Span {
        match (self.words.first(), self.words.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => Span::default(),
        }
    }
}

/// Whether a word is a `NAME=value` assignment.
pub fn is_assignment(text: &str) -> bool {
    match text.find('=') {
        Some(eq) if eq > 0 => {
            let name = &text[..eq];
            !name.as_bytes()[0].is_ascii_digit() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    }
}

pub fn basename(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

/// One option of a command line: `-y` (a letter of a bundle), `--yes`, `--opt=value`, `-o value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliOption<'a> {
    /// Without dashes: `y`, `yes`, `o`.
    pub name: &'a str,
    pub value: Option<&'a str>,
    pub word: &'a ShellWord,
}

/// A command line split into options and operands, getopt-style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedArgs<'a> {
    pub options: Vec<CliOption<'a>>,
    pub operands: Vec<&'a ShellWord>,
}

impl<'a> ParsedArgs<'a> {
    /// Whether any option is called one of `names`.
    pub fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|option| names.contains(&option.name))
    }

    /// The values of the options called `name`.
    pub fn values<'b>(&'b self, name: &'b str) -> impl Iterator<Item = &'a str> + 'b {
        self.options
            .iter()
            .filter(move |option| option.name == name)
            .filter_map(|option| option.value)
    }
}

/// Split `args` into options and operands. `short_values` lists the short
/// options that take a value (`"otca"` for apt-get), `long_values` the long
/// ones; their value is the rest of the word or the next word. Options may
/// come after operands (GNU style); `--` ends them.
pub fn parse_args<'a>(args: &'a [ShellWord], short_values: &str, long_values: &[&str]) -> ParsedArgs<'a> {
    let mut parsed = ParsedArgs::default();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        let text = word.text.as_str();
        i += 1;
        if text == "--" {
            parsed.operands.extend(&args[i..]);
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, mut value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            if value.is_none() && long_values.contains(&name) && i < args.len() {
                value = Some(args[i].text.as_str());
                i += 1;
            }
            parsed.options.push(CliOption { name, value, word });
        } else if let Some(bundle) = text.strip_prefix('-').filter(|b| !b.is_empty()) {
            for (at, c) in bundle.char_indices() {
                let name = &bundle[at..at + c.len_utf8()];
                if c == '=' {
                    break;
                }
                if short_values.contains(c) {
                    let rest = bundle[at + c.len_utf8()..].trim_start_matches('=');
                    let value = if !rest.is_empty() {
                        Some(rest)
                    } else if i < args.len() {
                        i += 1;
                        Some(args[i - 1].text.as_str())
                    } else {
                        None
                    };
                    parsed.options.push(CliOption { name, value, word });
                    break;
                }
                // `-q=2`: a value attached with `=` to a flag letter.
                let value = bundle[at + c.len_utf8()..].strip_prefix('=');
                parsed.options.push(CliOption { name, value, word });
            }
        } else {
            parsed.operands.push(word);
        }
    }
    parsed
}

impl Script {
    pub(super) fn append(&mut self, other: Script) {
        let base = self.commands.iter().map(|c| c.pipeline + 1).max().unwrap_or(0);
        self.commands.extend(other.commands.into_iter().map(|mut command| {
            command.pipeline += base;
            command
        }));
        self.pipes.extend(other.pipes);
    }

    /// Commands whose program is `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> {
        self.commands
            .iter()
            .filter(move |command| command.program() == Some(name))
    }
}
