//! `vwe-lint env`: build the merged compose project, take one snapshot of
//! the engine, run the live rules, and report through the usual formats.

use std::path::{Path, PathBuf};

use crate::app::{Outcome, ToolError, load_settings, print_stdout, use_color};
use crate::cli::EnvArgs;
use std::collections::HashMap;

use crate::compose::ComposeFile;
use crate::compose::interpolate::Environment;
use crate::compose::model::Project;
use crate::diagnostic::Diagnostic;
use crate::discover;
use crate::lint::{self, Checked};
use crate::report::{self, Counts};
use crate::rules::RULES;
use crate::rules::live::LiveContext;
use crate::source::FileId;

use super::client::{self, EngineHost};
use super::project;

pub fn run(args: &EnvArgs) -> Result<Outcome, ToolError> {
    let cwd =
        std::env::current_dir().map_err(|error| ToolError(format!("cannot read the current directory: {error}")))?;
    let mut settings = load_settings(&cwd, &args.common)?;

    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let file_path = project::compose_file(&path).map_err(ToolError)?;
    // What the engine should be running is the merged project: the base with
    // its override, or the named overlay over its base, interpolated.
    let target = discover::Target {
        path: file_path.clone(),
        explicit: true,
    };
    let unit = discover::plan(&[target], &settings)
        .into_iter()
        .find(|unit| !unit.variants.is_empty())
        .ok_or_else(|| ToolError(format!("{}: not a compose file", file_path.display())))?;
    let input = lint::read_unit(&unit, &mut HashMap::new()).map_err(ToolError)?;
    settings.environment = Environment::load(&[]).map_err(ToolError)?;
    let files = input
        .files
        .into_iter()
        .map(|(input, primary)| (input.source, input.encoding_error, primary))
        .collect();
    let mut compose = Project::new(files, input.variants, &settings);
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
    let project_name_variable = std::env::var("COMPOSE_PROJECT_NAME").ok();
    let project = project::project_name(Some(&file), project_dir, project_name_variable.as_deref());

    let host = EngineHost::resolve(args.docker_host.as_deref());
    let engine = client::snapshot(&host, args.timeout);

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
    let header = header(&host, &engine, &project, &file_path, &services);
    // Each finding goes to the file that declares what it is about; severities,
    // per-file ignores and suppression comments apply as for linting.
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); compose.files.len()];
    for diagnostic in diagnostics {
        let at = (diagnostic.span.file as usize).min(found.len() - 1);
        found[at].push(diagnostic);
    }
    let checked: Vec<Checked> = compose
        .files
        .into_iter()
        .zip(found)
        .enumerate()
        .filter(|(id, (_, diagnostics))| *id == named as usize || !diagnostics.is_empty())
        .map(|(_, (file, diagnostics))| {
            let live = |code: &str| code.starts_with('E');
            let mut checked = lint::finish_compose(file.source, &file.yaml, diagnostics, &settings, &live);
            // Stale and unknown suppressions are linting's to report (S008).
            checked.diagnostics.retain(|diagnostic| live(diagnostic.rule.code));
            checked
        })
        .collect();
    let failed = checked
        .iter()
        .any(|file| file.diagnostics.iter().any(|diagnostic| diagnostic.rule.code == "E001"));

    let body = report::render(args.common.format, &checked, use_color(args.common.color));
    let output = if report::is_for_people(args.common.format) {
        format!(
            "{header}{body}{}\n",
            report::summary_line(Counts::of(&checked), checked.len())
        )
    } else {
        body
    };
    print_stdout(&output)?;
    if let Err(unreachable) = &engine {
        // E001 may be deselected; the run still failed, so say why on stderr.
        if !failed {
            return Err(ToolError(format!(
                "no Docker engine answers at `{}`: {}",
                unreachable.host,
                unreachable.reason.describe()
            )));
        }
        return Ok(Outcome::ToolError);
    }
    Ok(match Counts::of(&checked).highest() {
        Some(highest) if highest >= settings.fail_on => Outcome::Findings,
        _ => Outcome::Clean,
    })
}

/// The terminal's few lines before the findings: engine, project, services.
fn header(
    host: &EngineHost,
    engine: &Result<super::Snapshot, super::Unreachable>,
    project: &str,
    file: &Path,
    services: &[String],
) -> String {
    let engine_line = match engine {
        Ok(snapshot) => format!(
            "engine: Docker {} (API {}) at {}",
            snapshot.engine_version, snapshot.api_version, host.url
        ),
        Err(_) => format!("engine: none answered at {} (from {})", host.url, host.origin),
    };
    let checked = match (engine, services.is_empty()) {
        (Err(_), _) => "none (no engine)".to_string(),
        (Ok(_), true) => "none (the file has no services)".to_string(),
        (Ok(_), false) => services.join(", "),
    };
    format!(
        "{engine_line}\nproject: {project} ({})\nservices checked: {checked}\n\n",
        file.display()
    )
}
