//! `--show-settings FILE`: the settings a file is linted with and the
//! config files they come from, for people checking a layered config.

use std::fmt::Write;
use std::path::Path;

use crate::command::escape_controls;
use crate::diagnostic::{self, RuleMeta};
use crate::settings::Settings;

pub fn render(file: &Path, settings: &Settings) -> String {
    let shown = |path: &Path| escape_controls(&path.display().to_string());
    let mut out = String::new();
    let _ = writeln!(out, "Settings for {}", shown(file));
    if settings.config_chain.is_empty() {
        out.push_str("Config files: none (the built-in defaults)\n");
    } else {
        out.push_str("Config files (each extended by the next; the last wins):\n");
        for path in &settings.config_chain {
            let _ = writeln!(out, "  {}", shown(path));
        }
    }
    let _ = writeln!(out, "fail-on: {}", settings.fail_on.as_str());
    let enabled = settings.enabled_codes();
    let (preview, disabled): (Vec<&RuleMeta>, Vec<&RuleMeta>) = diagnostic::all_metas()
        .filter(|meta| !settings.is_enabled(meta.code))
        .partition(|meta| meta.preview);
    let codes = |metas: &[&RuleMeta]| metas.iter().map(|meta| meta.code).collect::<Vec<_>>();
    let _ = writeln!(
        out,
        "Rules enabled: {} of {}",
        enabled.len(),
        enabled.len() + disabled.len() + preview.len()
    );
    let _ = writeln!(out, "  enabled: {}", list(enabled));
    let _ = writeln!(out, "  disabled: {}", list(&codes(&disabled)));
    let _ = writeln!(
        out,
        "  in preview, not run (`--preview` runs them): {}",
        list(&codes(&preview))
    );
    let overrides: Vec<String> = settings
        .severity_overrides()
        .into_iter()
        .map(|(code, severity)| format!("{code} = {}", severity.as_str()))
        .collect();
    let _ = writeln!(out, "Severities changed: {}", list(&overrides));
    let _ = writeln!(
        out,
        "Per-file ignores for this file: {}",
        list(&settings.ignored_for(file))
    );
    let _ = writeln!(
        out,
        "Excluded from directory walks: {}",
        if settings.exclusions().excludes_with_parents(file) {
            "yes"
        } else {
            "no"
        }
    );
    let projects: Vec<String> = settings
        .compose
        .projects
        .iter()
        .map(|project| {
            let files: Vec<String> = project.files.iter().map(|path| shown(path)).collect();
            files.join(" + ")
        })
        .collect();
    let _ = writeln!(out, "Declared compose projects: {}", list(&projects));
    let _ = writeln!(out, "Standards: {:#?}", settings.standards);
    out
}

fn list(items: &[impl AsRef<str>]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
}
