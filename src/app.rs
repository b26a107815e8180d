//! What a command line does: resolve settings, find and lint the files in
//! parallel, report, and decide the exit code.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::CommandFactory;
use rayon::prelude::*;

use crate::add_ignore;
use crate::bulk_suppressions::{self, Suppressions};
use crate::cli::{CheckArgs, Cli, Command, ReportArgs, RulesFormat};
use crate::command::{self, Outcome, ToolError, emit, escape_controls, outcome, print_stdout, render_report};
use crate::compose::interpolate::Environment;
use crate::config_tree::ConfigTree;
use crate::discover;
use crate::fix::{self, FixMode, Fixed};
use crate::lint::{self, Checked};
use crate::report::{self, Format};
use crate::rules;
use crate::settings::{Overrides, Settings};
use crate::show_settings;

pub fn run(cli: Cli) -> Result<Outcome, ToolError> {
    match cli.command {
        Some(Command::Rules { format }) => {
            print_stdout(&match format {
                RulesFormat::Text => rules::catalog::text(),
                RulesFormat::Json => rules::catalog::json(),
                RulesFormat::Markdown => rules::catalog::markdown(),
            })?;
            Ok(Outcome::Clean)
        }
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vwe-lint", &mut out);
            print_stdout(&String::from_utf8_lossy(&out))?;
            Ok(Outcome::Clean)
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|error| ToolError(format!("cannot render the man page: {error}")))?;
            print_stdout(&String::from_utf8_lossy(&out))?;
            Ok(Outcome::Clean)
        }
        Some(Command::Rule { rule }) => {
            let metas = rules::find_all(&rule);
            if metas.is_empty() {
                return Err(ToolError(format!("unknown rule `{rule}`; `vwe-lint rules` lists them")));
            }
            // A shared name (`root-user`) prints the compose rule and its Dockerfile twin.
            print_stdout(&metas.iter().map(|meta| meta.doc).collect::<Vec<_>>().join("\n"))?;
            Ok(Outcome::Clean)
        }
        Some(Command::Config(args)) => crate::config_command::run(&args),
        #[cfg(feature = "engine")]
        Some(Command::Env(args)) => crate::engine::command::run(&args),
        None => check(&cli.check),
    }
}

fn check(args: &CheckArgs) -> Result<Outcome, ToolError> {
    let started = Instant::now();
    let cwd =
        std::env::current_dir().map_err(|error| ToolError(format!("cannot read the current directory: {error}")))?;
    let overrides = Overrides {
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        ..command::overrides(&args.common)
    };
    let mut run = Settings::load(&cwd, &overrides).map_err(config_error)?;
    run.environment = Environment::load(&args.env_file).map_err(ToolError)?;
    let mut configs = ConfigTree::new(run);
    if let Some(file) = &args.show_settings {
        let config = configs.config_for(file, &cwd, &overrides).map_err(config_error)?;
        print_stdout(&show_settings::render(file, configs.settings(config.as_ref())))?;
        return Ok(Outcome::Clean);
    }
    let Plan {
        targets,
        units,
        mut provided,
        from_stdin,
        named,
    } = plan(args, configs.run(), &cwd)?;
    configs.assign(&units, &cwd, &overrides).map_err(config_error)?;
    if args.verbose {
        say_configs(&configs, &units);
        eprintln!("vwe-lint: planned {} units in {:.1?}", units.len(), started.elapsed());
    }
    if args.show_files {
        print_stdout(&planned_files(&units))?;
        return Ok(Outcome::Clean);
    }
    if let Some(output) = &args.report.output_file {
        refuse_overwriting_an_input(output, &units)?;
    }
    let mut inputs = Vec::with_capacity(units.len());
    for unit in &units {
        inputs.push(lint::read_unit(unit, &mut provided).map_err(ToolError)?);
    }
    let run = Run {
        configs: &configs,
        targets: &targets,
        cwd: &cwd,
        from_stdin,
        named: named.as_ref(),
    };
    let outcome = lint_and_report(args, inputs, &run);
    if args.verbose {
        eprintln!("vwe-lint: done in {:.1?}", started.elapsed());
    }
    outcome
}

/// What a run lints.
struct Plan {
    /// The files the paths name or hold, less the excluded ones.
    targets: Vec<discover::Target>,
    units: Vec<discover::Unit>,
    /// The files read to plan the units.
    provided: HashMap<PathBuf, lint::Input>,
    from_stdin: bool,
    /// With `--with-projects`: the named files (canonical), the only ones reported on.
    named: Option<HashSet<PathBuf>>,
}

/// What the lint and report steps need of the run.
struct Run<'a> {
    configs: &'a ConfigTree,
    targets: &'a [discover::Target],
    cwd: &'a Path,
    from_stdin: bool,
    named: Option<&'a HashSet<PathBuf>>,
}

fn plan(args: &CheckArgs, settings: &Settings, cwd: &Path) -> Result<Plan, ToolError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (stdin_requested, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|path| path == Path::new("-"));
    let exclusions = settings.exclusions();
    let mut targets = discover::discover_excluding(&paths, exclusions, args.force_exclude).map_err(ToolError)?;
    discover::add_declared(&mut targets, &paths, settings);
    let named = if args.with_projects {
        Some(add_repository_projects(&mut targets, settings, cwd)?)
    } else {
        None
    };
    let from_stdin = !stdin_requested.is_empty();
    let mut provided = lint::read_named(&targets).map_err(ToolError)?;
    if from_stdin {
        let input = read_stdin(args.stdin_filename.as_deref())?;
        targets.push(discover::Target {
            path: input.source.path.clone(),
            explicit: true,
        });
        provided.insert(input.source.path.clone(), input);
    }
    let units = lint::plan(&targets, &provided, settings);
    if units.is_empty() && !(args.force_exclude && paths.iter().all(|path| exclusions.excludes_with_parents(path))) {
        say_nothing_was_found(&paths, args.strict)?;
    }
    Ok(Plan {
        targets,
        units,
        provided,
        from_stdin,
        named,
    })
}

/// `--with-projects`: adds every compose file of the repository (the
/// nearest directory above `cwd` holding `.git`, else `cwd`), so that the
/// projects that build, extend, include or merge a named file are linted
/// with it. A named `.env` is no target itself: the compose files beside
/// it, whose variables it sets, count as named instead. Returns the named
/// files, canonical.
fn add_repository_projects(
    targets: &mut Vec<discover::Target>,
    settings: &Settings,
    cwd: &Path,
) -> Result<HashSet<PathBuf>, ToolError> {
    let (env_files, named_targets): (Vec<discover::Target>, Vec<discover::Target>) = std::mem::take(targets)
        .into_iter()
        .partition(|target| is_env_file(&target.path));
    *targets = named_targets;
    let mut named: HashSet<PathBuf> = targets
        .iter()
        .filter_map(|target| std::fs::canonicalize(&target.path).ok())
        .collect();
    let env_dirs: HashSet<PathBuf> = env_files
        .iter()
        .filter_map(|env| std::fs::canonicalize(crate::source::parent_dir(&env.path)).ok())
        .collect();
    // Walked as a relative path, so that findings name files as the user does.
    let depth = cwd
        .ancestors()
        .position(|ancestor| ancestor.join(".git").exists())
        .unwrap_or(0);
    let root: PathBuf = if depth == 0 {
        PathBuf::from(".")
    } else {
        std::iter::repeat_n("..", depth).collect()
    };
    let found = discover::discover_excluding(&[root], settings.exclusions(), false).map_err(ToolError)?;
    for mut target in found {
        if discover::kind_by_name(&target.path) != Some(crate::source::FileKind::Compose) {
            continue;
        }
        let Ok(canonical) = std::fs::canonicalize(&target.path) else {
            continue;
        };
        if named.contains(&canonical) {
            continue;
        }
        if canonical.parent().is_some_and(|dir| env_dirs.contains(dir)) {
            named.insert(canonical);
        }
        // `../../app/compose.yaml` from `app/deep` is `../compose.yaml`.
        let lexical = crate::compose::referenced::lexical(&cwd.join(&target.path));
        if let Ok(relative) = lexical.strip_prefix(cwd) {
            target.path = relative.to_path_buf();
        }
        targets.push(target);
    }
    Ok(named)
}

/// `.env`, or `name.env`: a file of variables, not a compose file.
fn is_env_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name == ".env" || name.ends_with(".env"))
}

/// `--with-projects`: keeps the findings in the named files, and those
/// about a named file (a cross rule's Dockerfile).
fn keep_named(checked: Vec<Checked>, named: &HashSet<PathBuf>) -> Vec<Checked> {
    let is_named = |path: &Path| std::fs::canonicalize(path).is_ok_and(|path| named.contains(&path));
    checked
        .into_iter()
        .filter_map(|mut file| {
            if !is_named(&file.source.path) {
                file.diagnostics
                    .retain(|diagnostic| diagnostic.concerns.as_deref().is_some_and(is_named));
                if file.diagnostics.is_empty() {
                    return None;
                }
            }
            Some(file)
        })
        .collect()
}

fn config_error(error: crate::settings::ConfigError) -> ToolError {
    ToolError(error.to_string())
}

/// `-v`: the config files in use and how many units each covers.
fn say_configs(configs: &ConfigTree, units: &[discover::Unit]) {
    for settings in configs.configs() {
        let covered = (0..units.len())
            .filter(|&index| std::ptr::eq(configs.for_unit(index), settings))
            .count();
        let chain: Vec<String> = settings
            .config_chain
            .iter()
            .map(|path| escape_controls(&path.display().to_string()))
            .collect();
        let name = if chain.is_empty() {
            "no config file (the defaults)".to_string()
        } else {
            chain.join(" <- ")
        };
        eprintln!("vwe-lint: config {name}: {}", plural(covered, "unit", "units"));
    }
}

fn lint_and_report(args: &CheckArgs, inputs: Vec<lint::UnitInput>, run: &Run) -> Result<Outcome, ToolError> {
    let Run {
        configs,
        targets,
        cwd,
        from_stdin,
        named,
    } = *run;
    let settings = configs.run();
    let Some(mode) = fix_mode(args) else {
        let checked: Vec<Checked> = inputs
            .into_par_iter()
            .enumerate()
            .flat_map_iter(|(index, unit)| lint::lint_unit(unit, configs.for_unit(index)))
            .collect();
        let mut checked = lint::merge_checked(checked);
        if let Some(named) = named {
            checked = keep_named(checked, named);
        }
        if let Some(reason) = &args.add_ignore {
            return add_ignores(&checked, targets, reason, &args.report);
        }
        let stale = bulk_suppress(&mut checked, args, settings, cwd)?;
        emit(&render(&checked, args, ""), &args.report)?;
        if args.show_fixes {
            eprint!("{}", available_fixes(&checked));
        }
        return Ok(outcome_with_stale(
            outcome(&checked, settings, &args.report),
            stale,
            &args.report,
        ));
    };

    let fixed: Vec<Fixed> = inputs
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(index, unit)| fix::fix_unit(unit, configs.for_unit(index), mode))
        .collect();
    let fixed = fix::merge_fixed(fixed);
    if args.diff {
        let diffs: String = fixed
            .iter()
            .filter(|fixed| fixed.changed())
            .map(fix::unified_diff)
            .collect();
        emit(&diffs, &args.report)?;
        return Ok(if diffs.is_empty() || args.report.exit_zero {
            Outcome::Clean
        } else {
            Outcome::Findings
        });
    }
    if from_stdin
        && let Some(buffer) = fixed
            .iter()
            .find(|file| Some(file.checked.source.path.as_path()) == stdin_path(args).as_deref())
    {
        // An editor pipes a buffer through: the fixed text is the output.
        print_stdout(&buffer.checked.source.text)?;
        let report = render(std::slice::from_ref(&buffer.checked), args, "");
        eprint!("{report}");
        return Ok(outcome(std::slice::from_ref(&buffer.checked), settings, &args.report));
    }
    let (notes, write_failed) = write_fixed(&fixed, args.show_fixes);
    let applied = fixed.iter().any(|file| !file.applied.is_empty());
    let mut checked: Vec<Checked> = fixed.into_iter().map(|file| file.checked).collect();
    if args.fix_only {
        if !args.report.quiet {
            eprint!("{notes}");
        }
        return Ok(if write_failed {
            Outcome::ToolError
        } else if applied && args.exit_non_zero_on_fix {
            Outcome::Findings
        } else {
            Outcome::Clean
        });
    }
    let stale = bulk_suppress(&mut checked, args, settings, cwd)?;
    if report::is_for_people(args.common.format) && !args.statistics {
        emit(&render(&checked, args, &notes), &args.report)?;
    } else {
        if !args.report.quiet {
            eprint!("{notes}");
        }
        emit(&render(&checked, args, ""), &args.report)?;
    }
    if write_failed {
        return Ok(Outcome::ToolError);
    }
    if applied && args.exit_non_zero_on_fix {
        return Ok(Outcome::Findings);
    }
    Ok(outcome_with_stale(
        outcome(&checked, settings, &args.report),
        stale,
        &args.report,
    ))
}

/// Which fixes the run applies: none without `--fix`, `--fix-only` or `--diff`.
fn fix_mode(args: &CheckArgs) -> Option<FixMode> {
    let mode = if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    };
    (args.fix || args.fix_only || args.diff).then_some(mode)
}

/// `--show-files`: one line per Dockerfile and per compose variant (its
/// files in `-f` order); a file linted only with the others' project (one
/// they `extends`) is named on a line of its own.
fn planned_files(units: &[discover::Unit]) -> String {
    let shown = |file: &discover::PlannedFile| escape_controls(&file.path.display().to_string());
    let mut out = String::new();
    for unit in units {
        if unit.variants.is_empty() {
            out.extend(unit.files.iter().map(|file| format!("dockerfile  {}\n", shown(file))));
            continue;
        }
        for variant in &unit.variants {
            let files: Vec<String> = variant
                .files
                .iter()
                .map(|&id| shown(&unit.files[id as usize]))
                .collect();
            let production = if variant.production { "  (production)" } else { "" };
            out.push_str(&format!("compose     {}{production}\n", files.join(" + ")));
        }
        for (id, file) in unit.files.iter().enumerate() {
            if !unit
                .variants
                .iter()
                .any(|variant| variant.files.contains(&(id as crate::source::FileId)))
            {
                out.push_str(&format!("compose     {}  (linted with its project)\n", shown(file)));
            }
        }
    }
    out
}

/// No compose file or Dockerfile in `paths`: a warning, or with `--strict`
/// a tool error, never a silent success.
fn say_nothing_was_found(paths: &[PathBuf], strict: bool) -> Result<(), ToolError> {
    let named: Vec<String> = paths
        .iter()
        .map(|path| escape_controls(&path.display().to_string()))
        .collect();
    let message = format!("no compose files or Dockerfiles found in {}", named.join(", "));
    if strict {
        return Err(ToolError(message));
    }
    eprintln!("vwe-lint: warning: {message}");
    Ok(())
}

/// `--show-fixes` without `--fix`: each finding's fix, as `--fix` (safe)
/// or `--unsafe-fixes` would apply it.
fn available_fixes(checked: &[Checked]) -> String {
    let mut out = String::new();
    for file in checked {
        let path = escape_controls(&file.source.path.display().to_string());
        for diagnostic in &file.diagnostics {
            let Some(fix) = &diagnostic.fix else { continue };
            let at = file.source.line_col(diagnostic.span.start);
            let kind = match fix.applicability {
                crate::diagnostic::Applicability::Safe => "safe",
                crate::diagnostic::Applicability::Unsafe => "unsafe",
            };
            out.push_str(&format!(
                "{path}:{}:{}: {} {} ({kind} fix)\n",
                at.line,
                at.column,
                diagnostic.rule.code,
                escape_controls(&fix.message)
            ));
        }
    }
    if out.is_empty() {
        return "No fixes available.\n".to_string();
    }
    format!("Fixes available (`--fix` applies the safe ones):\n{out}")
}

/// Writes the files `--fix` changed. Returns the notes for the report (what
/// was applied, what was dropped) and whether a write failed.
fn write_fixed(fixed: &[Fixed], show_fixes: bool) -> (String, bool) {
    let mut notes = String::new();
    let mut write_failed = false;
    for file in fixed {
        let path = escape_controls(&file.checked.source.path.display().to_string());
        for dropped in &file.dropped {
            notes.push_str(&format!("{path}: fix not applied: {dropped}\n"));
        }
        if !file.changed() {
            continue;
        }
        match fix::write_atomic(&file.checked.source.path, &file.original, &file.checked.source.text) {
            Ok(()) => {
                notes.push_str(&format!(
                    "{path}: {} applied\n",
                    plural(file.applied.len(), "fix", "fixes")
                ));
                if show_fixes {
                    notes.extend(file.applied.iter().map(|fix| format!("  {}\n", escape_controls(fix))));
                }
            }
            Err(error) => {
                eprintln!("vwe-lint: error: {}", escape_controls(&error));
                write_failed = true;
            }
        }
    }
    (notes, write_failed)
}

/// `--add-ignore`: writes the suppression comments into the files linted
/// (named or found, never the files they only refer to), each checked to
/// parse as before.
fn add_ignores(
    checked: &[Checked],
    targets: &[discover::Target],
    reason: &str,
    output: &ReportArgs,
) -> Result<Outcome, ToolError> {
    let writable: std::collections::HashSet<&Path> = targets.iter().map(|target| target.path.as_path()).collect();
    let mut failed = false;
    for file in checked {
        let path = escape_controls(&file.source.path.display().to_string());
        if file.diagnostics.is_empty() || !writable.contains(file.source.path.as_path()) {
            continue;
        }
        let added = add_ignore::add_ignores(file, reason);
        if added.unplaced > 0 && !output.quiet {
            eprintln!(
                "{path}: {} outside any entry or instruction: no comment added for {}",
                plural(added.unplaced, "finding lies", "findings lie"),
                if added.unplaced == 1 { "it" } else { "them" }
            );
        }
        if added.places == 0 {
            continue;
        }
        if !add_ignore::still_parses(file.source.kind, &file.source.text, &added.text) {
            eprintln!("vwe-lint: error: {path}: the comments would break the file; not written");
            failed = true;
            continue;
        }
        match fix::write_atomic(&file.source.path, &file.source.text, &added.text) {
            Ok(()) if !output.quiet => eprintln!(
                "{path}: {} added",
                plural(added.places, "suppression comment", "suppression comments")
            ),
            Ok(()) => {}
            Err(error) => {
                eprintln!("vwe-lint: error: {}", escape_controls(&error));
                failed = true;
            }
        }
    }
    Ok(if failed { Outcome::ToolError } else { Outcome::Clean })
}

/// Bulk suppressions: counts today's findings (`--suppress-all`,
/// `--suppress-rule`), prunes what no longer occurs, then hides the counted
/// findings from `checked`. Returns how many entries are stale (each named
/// on stderr).
fn bulk_suppress(
    checked: &mut [Checked],
    args: &CheckArgs,
    settings: &Settings,
    cwd: &Path,
) -> Result<usize, ToolError> {
    let path = bulk_suppressions::location(
        args.suppressions_location.as_deref(),
        settings.config_path.as_deref(),
        cwd,
    );
    let mut suppressions = Suppressions::load(path).map_err(ToolError)?;
    let mut codes = Vec::new();
    for rule in &args.suppress_rule {
        let metas = rules::find_all(rule);
        if metas.is_empty() {
            return Err(ToolError(format!(
                "unknown rule `{rule}` in `--suppress-rule`; `vwe-lint rules` lists them"
            )));
        }
        codes.extend(metas.iter().map(|meta| meta.code.to_string()));
    }
    if args.suppress_all {
        suppressions.suppress(checked, None, cwd);
    } else if !codes.is_empty() {
        suppressions.suppress(checked, Some(&codes), cwd);
    }
    if args.prune_suppressions {
        suppressions.prune(checked, cwd);
    }
    let shown = escape_controls(&suppressions.path.display().to_string());
    if args.suppress_all || !codes.is_empty() || args.prune_suppressions {
        suppressions.write().map_err(ToolError)?;
        if !args.report.quiet {
            eprintln!("vwe-lint: wrote {shown}");
        }
    }
    if suppressions.is_empty() {
        return Ok(0);
    }
    let stale = suppressions.apply(checked, cwd);
    for entry in &stale {
        eprintln!(
            "vwe-lint: warning: {shown}: {} {} `{}`: {} no longer occurring; `--prune-suppressions` removes it",
            escape_controls(&entry.file),
            entry.code,
            escape_controls(&entry.message),
            plural(entry.unused, "suppressed finding", "suppressed findings"),
        );
    }
    Ok(stale.len())
}

/// A stale suppression fails the run like a finding: left in place, it
/// would hide the finding when it comes back.
fn outcome_with_stale(outcome: Outcome, stale: usize, output: &ReportArgs) -> Outcome {
    if stale > 0 && !output.exit_zero {
        Outcome::Findings
    } else {
        outcome
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The report in the chosen format; for people, `notes` (what `--fix` did)
/// come first and a summary line last, unless `--quiet`.
fn render(checked: &[Checked], args: &CheckArgs, notes: &str) -> String {
    if args.statistics {
        return match args.common.format {
            Format::Json | Format::JsonLines => report::statistics::render_json(checked),
            _ => report::statistics::render_text(checked),
        };
    }
    render_report(checked, &args.common, &args.report, notes)
}

/// `-o` naming a file that is linted (or read with one) would replace it
/// by the report: refused before anything is written.
fn refuse_overwriting_an_input(output: &Path, units: &[discover::Unit]) -> Result<(), ToolError> {
    let Ok(output) = std::fs::canonicalize(output) else {
        // It does not exist yet, so it is no input.
        return Ok(());
    };
    let input = units
        .iter()
        .flat_map(|unit| &unit.files)
        .find(|file| std::fs::canonicalize(&file.path).is_ok_and(|path| path == output));
    match input {
        Some(file) => Err(ToolError(format!(
            "the output file {} is also an input: the report would overwrite it",
            file.path.display()
        ))),
        None => Ok(()),
    }
}

/// The path standard input is linted under.
fn stdin_path(args: &CheckArgs) -> Option<PathBuf> {
    Some(args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("<stdin>")))
}

fn read_stdin(name: Option<&Path>) -> Result<lint::Input, ToolError> {
    let limit = crate::read::MAX_FILE_SIZE;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ToolError(format!("cannot read standard input: {error}")))?;
    if bytes.len() as u64 > limit {
        return Err(ToolError(format!(
            "standard input is larger than {} MiB",
            limit / (1024 * 1024)
        )));
    }
    let path = name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
    Ok(lint::input_from_bytes(path, bytes))
}
