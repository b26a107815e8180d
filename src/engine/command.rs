//! `vwe-lint env`: build the merged compose project, take one snapshot of
//! the engine, run the live rules, and report through the lint command's
//! report options and formats.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cli::EnvArgs;
use crate::command::{Outcome, ToolError, emit, load_settings, outcome, render_report};
use crate::compose::ComposeFile;
use crate::compose::interpolate::Environment;
use crate::compose::model::Project;
use crate::diagnostic::Diagnostic;
use crate::discover;
use crate::lint::{self, Checked};
use crate::rules::RULES;
use crate::rules::live::{LiveContext, leaked_job_container};
use crate::settings::Settings;
use crate::source::FileId;

use super::client::{self, Limits, Scope};
use super::host::{self, ProcessEnvironment};
use super::project;
use super::snapshot::{Reason, Snapshot, Unreachable};

pub fn run(args: &EnvArgs) -> Result<Outcome, ToolError> {
    let cwd =
        std::env::current_dir().map_err(|error| ToolError(format!("cannot read the current directory: {error}")))?;
    let mut settings = load_settings(&cwd, &args.common)?;
    settings.environment = Environment::load(&args.env_file).map_err(ToolError)?;
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let limits = Limits {
        total: args.timeout,
        pinned_api: std::env::var("DOCKER_API_VERSION")
            .ok()
            .filter(|version| !version.is_empty()),
    };
    let host = host::resolve(
        args.docker_host.as_deref(),
        args.context.as_deref(),
        &ProcessEnvironment,
    );
    let mut engine_line = String::new();
    let checked = check(&path, &settings, |scope| {
        let host = match host {
            Ok(host) => host,
            Err((origin, why)) => {
                engine_line = format!("engine: none to ask ({origin})");
                return Err(Unreachable {
                    host: String::new(),
                    origin,
                    reason: Reason::NoContext(why),
                });
            }
        };
        let taken = client::snapshot(&host, scope, &limits);
        engine_line = match &taken {
            Ok(taken) => format!(
                "engine: Docker {} (API {}) at {} (from {}), {} requests",
                taken.snapshot.engine_version, taken.snapshot.api_version, host.url, host.origin, taken.requests
            ),
            Err(_) => format!("engine: none answered at {} (from {})", host.url, host.origin),
        };
        taken.map(|taken| taken.snapshot)
    })?;

    let header = format!("{engine_line}\n{}\n", checked.header());
    let text = render_report(&checked.files, &args.common, &args.report, &header);
    emit(&text, &args.report)?;
    if let Err(unreachable) = &checked.engine {
        // E001 may be deselected; the run still failed, so say why on stderr.
        if !checked.reported_unreachable() {
            return Err(ToolError(unreachable.headline()));
        }
        return Ok(Outcome::ToolError);
    }
    Ok(outcome(&checked.files, &settings, &args.report))
}

/// One project checked against one engine answer.
pub struct EnvCheck {
    pub files: Vec<Checked>,
    pub engine: Result<Snapshot, Unreachable>,
    pub project: String,
    pub file_path: PathBuf,
    pub services: Vec<String>,
}

impl EnvCheck {
    fn reported_unreachable(&self) -> bool {
        self.files
            .iter()
            .any(|file| file.diagnostics.iter().any(|diagnostic| diagnostic.rule.code == "E001"))
    }

    /// The lines before the findings in the formats for people.
    fn header(&self) -> String {
        let checked = match (&self.engine, self.services.is_empty()) {
            (Err(_), _) => "none (no engine)".to_string(),
            (Ok(_), true) => "none (the file has no services)".to_string(),
            (Ok(_), false) => self.services.join(", "),
        };
        format!(
            "project: {} ({})\nservices checked: {checked}\n",
            self.project,
            self.file_path.display()
        )
    }
}

/// Checks the compose project at `path` (a file, or a directory holding
/// one) against what `engine` answers for the project's scope: the live
/// engine in `run`, a recorded snapshot in the tests.
pub fn check(
    path: &Path,
    settings: &Settings,
    engine: impl FnOnce(&Scope) -> Result<Snapshot, Unreachable>,
) -> Result<EnvCheck, ToolError> {
    let file_path = project::compose_file(path).map_err(ToolError)?;
    // What the engine should be running is the merged project: the base with
    // its override, or the named overlay over its base, interpolated.
    let target = discover::Target {
        path: file_path.clone(),
        explicit: true,
    };
    let unit = discover::plan(&[target], settings)
        .into_iter()
        .find(|unit| !unit.variants.is_empty())
        .ok_or_else(|| ToolError(format!("{}: not a compose file", file_path.display())))?;
    let input = lint::read_unit(&unit, &mut HashMap::new()).map_err(ToolError)?;
    let files = input
        .files
        .into_iter()
        .map(|(input, primary)| (input.source, input.encoding_error, primary))
        .collect();
    let mut compose = Project::new(files, input.variants, settings);
    for file in &compose.files {
        let source = &file.source;
        if file.encoding_error.is_some() {
            return Err(ToolError(format!(
                "{}: the file is not valid UTF-8",
                source.path.display()
            )));
        }
        if let Some(error) = file.yaml.errors.first() {
            let at = source.line_col(error.span.start);
            return Err(ToolError(format!(
                "{}:{}:{}: {} (`vwe-lint {}` reports the file's problems)",
                source.path.display(),
                at.line,
                at.column,
                error.message,
                source.path.display()
            )));
        }
    }
    let named = compose
        .files
        .iter()
        .position(|file| file.source.path == file_path)
        .unwrap_or(0) as FileId;
    let variant = compose
        .variants
        .iter()
        .find(|variant| variant.files.last() == Some(&named))
        .or_else(|| compose.variants.first())
        .map(|variant| variant.files.clone())
        .unwrap_or_default();
    let model = compose.model(&variant);
    let root = model.root.as_ref();
    let file = root.and_then(ComposeFile::new).ok_or_else(|| {
        ToolError(format!(
            "{}: not a compose file (no mapping at the top)",
            file_path.display()
        ))
    })?;
    let project_dir = crate::source::parent_dir(&file_path);
    let project = project::project_name(Some(&file), project_dir, &settings.environment);

    let job_prefixes = leaked_job_container::job_name_prefixes(&file);
    let engine = engine(&Scope {
        project: &project,
        job_prefixes: &job_prefixes,
    });

    let cx = LiveContext {
        source: &compose.files[named as usize].source,
        file,
        project: &project,
        engine: engine.as_ref(),
        standards: &settings.standards,
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for rule in RULES.iter().filter(|rule| settings.is_enabled(rule.meta().code)) {
        rule.check_live(&cx, &mut diagnostics);
    }
    let services: Vec<String> = file.services().map(|service| service.name.to_string()).collect();
    // Each finding goes to the file that declares what it is about; severities,
    // per-file ignores and suppression comments apply as for linting.
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); compose.files.len()];
    for diagnostic in diagnostics {
        let at = (diagnostic.span.file as usize).min(found.len() - 1);
        found[at].push(diagnostic);
    }
    let files: Vec<Checked> = compose
        .files
        .into_iter()
        .zip(found)
        .enumerate()
        .filter(|(id, (_, diagnostics))| *id == named as usize || !diagnostics.is_empty())
        .map(|(_, (file, diagnostics))| {
            let live = |code: &str| code.starts_with('E');
            let mut checked = lint::finish_compose(file.source, &file.yaml, diagnostics, settings, &live);
            // Stale and unknown suppressions are linting's to report (S008).
            checked.diagnostics.retain(|diagnostic| live(diagnostic.rule.code));
            checked
        })
        .collect();
    Ok(EnvCheck {
        files,
        engine,
        project,
        file_path,
        services,
    })
}
