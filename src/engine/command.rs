//! `vwe-lint env`: read the compose file, take one snapshot of the engine,
//! run the live rules, and report through the usual formats.

use std::path::{Path, PathBuf};

use crate::app::{Outcome, ToolError, load_settings, print_stdout, use_color};
use crate::cli::EnvArgs;
use crate::compose::{ComposeFile, yaml};
use crate::diagnostic::Diagnostic;
use crate::lint::{self, Checked};
use crate::report::{self, Counts};
use crate::rules::RULES;
use crate::rules::live::LiveContext;
use crate::source::FileKind;

use super::client::{self, EngineHost};
use super::project;

pub fn run(args: &EnvArgs) -> Result<Outcome, ToolError> {
    let cwd =
        std::env::current_dir().map_err(|error| ToolError(format!("cannot read the current directory: {error}")))?;
    let settings = load_settings(&cwd, &args.common)?;

    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let file_path = project::compose_file(&path).map_err(ToolError)?;
    let bytes = std::fs::read(&file_path).map_err(|error| ToolError(format!("{}: {error}", file_path.display())))?;
    let (source, encoding_error) = lint::source_from_bytes(file_path.clone(), FileKind::Compose, bytes);
    if encoding_error.is_some() {
        return Err(ToolError(format!(
            "{}: the file is not valid UTF-8",
            file_path.display()
        )));
    }
    let parsed = yaml::parse(&source.text);
    if let Some(error) = parsed.errors.first() {
        let at = source.line_col(error.span.start);
        return Err(ToolError(format!(
            "{}:{}:{}: {} (`vwe-lint {}` reports the file's problems)",
            file_path.display(),
            at.line,
            at.column,
            error.message,
            file_path.display()
        )));
    }
    let file = parsed.documents.first().and_then(ComposeFile::new).ok_or_else(|| {
        ToolError(format!(
            "{}: not a compose file (no mapping at the top)",
            file_path.display()
        ))
    })?;
    let project_dir = match file_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let environment = std::env::var("COMPOSE_PROJECT_NAME").ok();
    let project = project::project_name(Some(&file), project_dir, environment.as_deref());

    let host = EngineHost::resolve(args.docker_host.as_deref());
    let engine = client::snapshot(&host, args.timeout);

    let cx = LiveContext {
        source: &source,
        file,
        project: &project,
        engine: engine.as_ref(),
        standards: &settings.standards,
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for rule in RULES.iter().filter(|rule| settings.is_enabled(rule.meta().code)) {
        rule.check_live(&cx, &mut diagnostics);
    }
    let ignored = settings.ignored_for(&source.path);
    diagnostics.retain(|diagnostic| !ignored.contains(&diagnostic.rule.code));
    for diagnostic in &mut diagnostics {
        diagnostic.severity = settings.severity(diagnostic.rule, diagnostic.severity);
    }
    diagnostics.sort_by_cached_key(|diagnostic| {
        (
            source.line_col(diagnostic.span.start),
            diagnostic.rule.code,
            diagnostic.span.end,
        )
    });
    let services: Vec<String> = file.services().map(|service| service.name.to_string()).collect();
    let header = header(&host, &engine, &project, &file_path, &services);
    let checked = vec![Checked { source, diagnostics }];

    let body = report::render(args.common.format, &checked, use_color(args.common.color));
    let output = if report::is_for_people(args.common.format) {
        format!(
            "{header}{body}{}\n",
            report::summary_line(Counts::of(&checked), checked.len())
        )
    } else {
        body
    };
    print_stdout(&output);
    if let Err(unreachable) = &engine {
        // E001 may be deselected; the run still failed, so say why on stderr.
        if !checked[0]
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.rule.code == "E001")
        {
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
