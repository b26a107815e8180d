//! What every command shares: the settings from its command line, the
//! report rendered and written, and the exit code.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{ColorChoice, CommonArgs, ReportArgs};
use crate::lint::Checked;
use crate::report::{self, Counts};
use crate::settings::{Overrides, Settings};

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

/// The message with control characters escaped: it names paths, and a file
/// name must not move the cursor or forge a line on the user's terminal.
impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape_controls(&self.0))
    }
}

/// `text` with every control character written as an escape (`\n`, `\u{1b}`).
pub fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// What the command line sets over the config files.
pub(crate) fn overrides(common: &CommonArgs) -> Overrides {
    Overrides {
        config: common.config.clone(),
        select: common.select.clone(),
        ignore: common.ignore.clone(),
        fail_on: common.fail_on.map(Into::into),
        preview: common.preview,
        exclude: None,
        extend_exclude: Vec::new(),
    }
}

/// The settings of a run: the config file and the command line's overrides.
pub(crate) fn load_settings(cwd: &Path, common: &CommonArgs) -> Result<Settings, ToolError> {
    Settings::load(cwd, &overrides(common)).map_err(|error| ToolError(error.to_string()))
}

/// The findings in the chosen format, with `notes` before them and the
/// summary line after them in the formats for people (not with `--quiet`).
pub(crate) fn render_report(checked: &[Checked], common: &CommonArgs, output: &ReportArgs, notes: &str) -> String {
    let color = output.output_file.is_none() && use_color(common.color);
    let body = report::render(common.format, checked, color);
    if !report::is_for_people(common.format) || output.quiet {
        return body;
    }
    format!(
        "{notes}{body}{}\n",
        report::summary_line(Counts::of(checked), checked.len())
    )
}

/// Writes the report to `--output-file`, or to standard output.
pub(crate) fn emit(text: &str, output: &ReportArgs) -> Result<(), ToolError> {
    match &output.output_file {
        Some(path) => std::fs::write(path, text).map_err(|error| ToolError(format!("{}: {error}", path.display()))),
        None => print_stdout(text),
    }
}

pub(crate) fn outcome(checked: &[Checked], settings: &Settings, output: &ReportArgs) -> Outcome {
    match Counts::of(checked).highest() {
        Some(highest) if highest >= settings.fail_on && !output.exit_zero => Outcome::Findings,
        _ => Outcome::Clean,
    }
}

pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) && std::io::stdout().is_terminal()
        }
    }
}

/// Writes to stdout. A failed write (a full disk, a closed pipe) is a tool
/// error: a report that was not delivered must not pass for a clean run.
pub(crate) fn print_stdout(text: &str) -> Result<(), ToolError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| ToolError(format!("cannot write to standard output: {error}")))
}
