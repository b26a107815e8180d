//! What a command line does: resolve settings, find and lint the files in
//! parallel, report, and decide the exit code.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cli::{CheckArgs, Cli, ColorChoice, Command};
use crate::discover;
use crate::lint::{self, Checked};
use crate::report::{self, Counts, Format};
use crate::rules;
use crate::settings::{Overrides, Settings};
use crate::source::FileKind;

/// How a run ended, mapped to the process exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above `--fail-on`.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// The tool could not do its job (bad config, unreadable path, bad flag).
    ToolError = 2,
}

/// A tool error: one line on stderr, exit 2.
#[derive(Debug)]
pub struct ToolError(pub String);

pub fn run(cli: Cli) -> Result<Outcome, ToolError> {
    match cli.command {
        Some(Command::Rules) => {
            print_stdout(&rules_table());
            Ok(Outcome::Clean)
        }
        Some(Command::Rule { rule }) => match rules::find(&rule) {
            Some(meta) => {
                print_stdout(meta.doc);
                Ok(Outcome::Clean)
            }
            None => Err(ToolError(format!("unknown rule `{rule}`; `vwe-lint rules` lists them"))),
        },
        None => check(&cli.check),
    }
}

fn check(args: &CheckArgs) -> Result<Outcome, ToolError> {
    let cwd =
        std::env::current_dir().map_err(|error| ToolError(format!("cannot read the current directory: {error}")))?;
    let overrides = Overrides {
        config: args.config.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(Into::into),
    };
    let settings = Settings::load(&cwd, &overrides).map_err(|error| ToolError(error.to_string()))?;

    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (stdin_requested, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|path| path == Path::new("-"));
    let targets = discover::discover(&paths).map_err(ToolError)?;

    let mut checked: Vec<Checked> = targets
        .par_iter()
        .map(|target| lint::lint_file(&target.path, &settings).map_err(ToolError))
        .collect::<Result<_, _>>()?;
    if !stdin_requested.is_empty() {
        checked.push(lint_stdin(args.stdin_filename.as_deref(), &settings)?);
    }

    let counts = Counts::of(&checked);
    let output = match args.format {
        Format::Human => {
            let color = use_color(args.color);
            let mut text = report::human::render(&checked, color);
            text.push_str(&report::summary_line(counts, checked.len()));
            text.push('\n');
            text
        }
        Format::Json => report::json::render(&checked),
    };
    print_stdout(&output);
    Ok(match counts.highest() {
        Some(highest) if highest >= settings.fail_on => Outcome::Findings,
        _ => Outcome::Clean,
    })
}

fn lint_stdin(name: Option<&Path>, settings: &Settings) -> Result<Checked, ToolError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|error| ToolError(format!("cannot read standard input: {error}")))?;
    let path = name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
    let kind: FileKind = discover::kind_of_named(&path, &String::from_utf8_lossy(&bytes));
    let (source, encoding_error) = lint::source_from_bytes(path, kind, bytes);
    let base_text = lint::read_base(&source.path, kind);
    Ok(lint::lint(source, settings, encoding_error, base_text.as_deref()))
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) && std::io::stdout().is_terminal()
        }
    }
}

fn rules_table() -> String {
    let mut out = format!(
        "{:<6} {:<32} {:<8} {:<7} {}\n",
        "code", "name", "severity", "fix", "summary"
    );
    for meta in rules::all_metas() {
        out.push_str(&format!(
            "{:<6} {:<32} {:<8} {:<7} {}\n",
            meta.code,
            meta.name,
            meta.severity.as_str(),
            meta.fix.as_str(),
            meta.summary
        ));
    }
    out
}

/// Writes to stdout, ignoring a closed pipe (`vwe-lint | head`).
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
