//! Command-line definitions (clap) only; `crate::app` acts on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::report::Format;

/// Lint Docker Compose files and Dockerfiles against the VWE container standards.
#[derive(Debug, Parser)]
#[command(name = "vwe-lint", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: code, name, default severity, fix, summary.
    Rules {
        /// `text` for people, `json` for tools, `markdown` for `docs/rules.md`.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation (by code or name, e.g. `C503` or `restart-policy`).
    Rule {
        /// The rule's code or kebab name.
        rule: String,
    },
    /// Check a live Docker engine against a compose project (read-only: never changes the engine).
    #[cfg(feature = "engine")]
    Env(EnvArgs),
    /// Print the merged, interpolated model of a compose project as YAML, as the rules see it
    /// (like `docker compose config`).
    Config(ConfigArgs),
    /// Print a shell completion script (e.g. `vwe-lint completions bash > /etc/bash_completion.d/vwe-lint`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from these definitions: `vwe-lint man | man -l -`.
    Man,
}

/// How `vwe-lint rules` prints the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

/// The options linting and `env` share: configuration, rule selection and
/// the report.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Output format (`--format` is the same option).
    #[arg(long = "output-format", short = 'f', visible_alias = "format", value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colors in human output (`NO_COLOR` turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Use this config file instead of the nearest `.vwe-lint.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Run only these rules (codes, names or code prefixes such as `C5`; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Do not run these rules (codes, names or prefixes; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Exit with 1 when a finding of this severity or higher remains [default: warning].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Run the rules in preview too (new rules, for their first release).
    #[arg(long)]
    pub preview: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint (default `.`); `-` reads standard input.
    /// Directories are searched for compose files and Dockerfiles; files named
    /// here are linted whatever their name.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,

    /// The file name to report (and to decide the file kind) for `-` (standard input).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Read interpolation variables from this file instead of `.env` beside
    /// each compose file (repeatable; a later file wins, the environment wins over all).
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,

    /// Apply the safe fixes to the files (with `-`: print the fixed text), then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Apply the safe fixes, and neither report nor fail on the findings that remain (implies `--fix`).
    #[arg(long, conflicts_with = "diff")]
    pub fix_only: bool,

    /// List the fixes: those applied (with `--fix`), or those available (on stderr).
    #[arg(long)]
    pub show_fixes: bool,

    /// With `--fix`, exit with 1 when a fix was applied, even if no finding remains.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,

    /// Print what would be linted (each Dockerfile, each compose variant with its files in `-f` order) and exit.
    #[arg(long)]
    pub show_files: bool,

    /// Skip these files and directories when walking (globs, comma-separated; replaces the config's `exclude`).
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    pub exclude: Option<Vec<String>>,

    /// Skip these too (globs, comma-separated; added to `exclude`).
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    pub extend_exclude: Vec<String>,

    /// Apply `exclude` to the paths named on the command line too (pre-commit names every file).
    #[arg(long)]
    pub force_exclude: bool,

    /// Also lint the repository's compose projects that build, extend,
    /// include or merge a named file, and report only the findings in the
    /// named files or about them (for hooks that name the changed files).
    #[arg(long, conflicts_with_all = ["fix", "fix_only", "diff", "add_ignore", "suppress_all", "suppress_rule", "prune_suppressions"])]
    pub with_projects: bool,

    /// Print the settings FILE is linted with and the config files they come from, and exit.
    #[arg(long, value_name = "FILE")]
    pub show_settings: Option<PathBuf>,

    /// Print the config files in use and timings on standard error.
    #[arg(short, long)]
    pub verbose: bool,

    /// Exit with 2 when the paths hold no compose file or Dockerfile (by default a warning).
    #[arg(long)]
    pub strict: bool,

    /// With `--fix` or `--diff`, apply the unsafe fixes too.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what `--fix` would change and change nothing; exit 1 if there is a diff.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Print how often each rule fired instead of the findings (text, or JSON with `--format json`).
    #[arg(long)]
    pub statistics: bool,

    /// Count today's findings in `vwe-lint-suppressions.json`: later runs
    /// report only findings beyond those counts.
    #[arg(long, conflicts_with_all = ["suppress_rule", "diff"])]
    pub suppress_all: bool,

    /// Like `--suppress-all`, for this rule only (repeatable; a code or a name).
    #[arg(long, value_name = "RULE", conflicts_with = "diff")]
    pub suppress_rule: Vec<String>,

    /// Write a `# vwe-lint: ignore[CODES] REASON` comment above every place
    /// with findings (`--add-ignore="reason"`); report nothing else.
    #[arg(long, value_name = "REASON", num_args = 0..=1, require_equals = true, default_missing_value = "",
          conflicts_with_all = ["fix", "fix_only", "diff", "suppress_all", "suppress_rule"])]
    pub add_ignore: Option<String>,

    /// Remove the suppressions of findings that no longer occur.
    #[arg(long, conflicts_with = "diff")]
    pub prune_suppressions: bool,

    /// The bulk suppressions file [default: `vwe-lint-suppressions.json`
    /// beside the config file, else at the repository root, else here].
    #[arg(long, value_name = "FILE")]
    pub suppressions_location: Option<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// Where the report goes and what decides the exit code: shared by linting
/// and `env`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print the findings only: no summary line, no notes about fixes.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Exit with 0 even when findings remain (tool errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
}

/// `vwe-lint config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// A compose file (its project's variants that use it), or a directory
    /// (the project of the compose files directly in it) [default: `.`].
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Read interpolation variables from this file instead of `.env` beside
    /// each compose file (repeatable; a later file wins, the environment wins over all).
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,

    /// Use this config file instead of the nearest `.vwe-lint.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print only the variant whose last file is FILE (a path, or a file name)
    /// [default: every variant, each after a `# variant:` line].
    #[arg(long, value_name = "FILE")]
    pub variant: Option<PathBuf>,

    /// End each line with `# file:line`: where its value was set.
    #[arg(long)]
    pub origins: bool,
}

/// `vwe-lint env`.
#[cfg(feature = "engine")]
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The compose file, or a directory holding one (default `.`).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// The engine to check: `unix:///path/docker.sock`, a socket path, or `tcp://host[:port]`
    /// [default: `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the docker CLI's current context,
    /// else unix:///var/run/docker.sock].
    #[arg(long, value_name = "HOST", conflicts_with = "context")]
    pub docker_host: Option<String>,

    /// The docker CLI context whose engine to check (as `docker --context`).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// How long the whole check may take (`10`, `10s`, `500ms`); one request gets at most half.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,

    /// Read interpolation variables (and `COMPOSE_PROJECT_NAME`) from this file instead of
    /// the project's `.env` (repeatable; a later file wins, the environment wins over all).
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// `5`, `2.5s` or `500ms`: positive, at most an hour.
#[cfg(feature = "engine")]
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, scale) = match text.strip_suffix("ms") {
        Some(number) => (number, 0.001),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    let seconds = number
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("`{text}` is not a duration such as `5s` or `500ms`"))?
        * scale;
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(format!("`{text}`: the timeout must be more than 0 and at most an hour"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(value: FailOn) -> Self {
        match value {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}
