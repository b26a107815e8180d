//! C602: `json-file` or `local` logging without `max-size` and `max-file`.

use crate::compose::edit::{Block, block_text, indent_step, insert_entries_shared};
use crate::compose::service_facts::{Found, find_path, has_variable, written_with_variable};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `json-file`/`local` logging without `max-size` and `max-file`
    pub struct LoggingUnbounded {
        code: C602,
        name: "logging-unbounded",
        severity: Warning,
        fix: Safe,
    }
}

/// The drivers that write log files on the host.
const FILE_DRIVERS: [&str; 2] = ["json-file", "local"];

impl Rule for LoggingUnbounded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let standard = &cx.standards.logging;
        for service in file.services() {
            let Some(entry) = service.get_entry("logging") else {
                continue;
            };
            let logging = &entry.value;
            if logging.as_mapping().is_none() {
                continue;
            }
            let lookup = |path: &[&str]| find_path(service, path);
            let driver = match lookup(&["logging", "driver"]) {
                Found::Unknown => continue,
                // No driver: the daemon's default, `json-file` unless configured.
                Found::Absent => "json-file".to_string(),
                found => match found
                    .node()
                    .filter(|node| !written_with_variable(node))
                    .and_then(|node| node.as_str())
                {
                    Some(driver) if !has_variable(driver) => driver.trim().to_string(),
                    _ => continue,
                },
            };
            if !FILE_DRIVERS.contains(&driver.as_str()) {
                continue;
            }
            let options = [("max-size", &standard.max_size), ("max-file", &standard.max_file)];
            let found: Vec<Found> = options
                .iter()
                .map(|(key, _)| lookup(&["logging", "options", key]))
                .collect();
            if found.iter().any(|found| matches!(found, Found::Unknown)) {
                continue;
            }
            let missing: Vec<(&str, &String)> = options
                .iter()
                .zip(&found)
                .filter(|(_, found)| matches!(found, Found::Absent))
                .map(|(option, _)| *option)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let names = missing
                .iter()
                .map(|(key, _)| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            let lines: Vec<(String, Block)> = missing
                .iter()
                .map(|(key, value)| (key.to_string(), Block::scalar(format!("\"{value}\""))))
                .collect();
            let help = block_text(
                &[(
                    "logging".to_string(),
                    Block::mapping([
                        ("driver", Block::scalar(driver.clone())),
                        ("options", Block::Mapping(lines.clone())),
                    ]),
                )],
                2,
            );
            let unbounded = if missing.iter().any(|(key, _)| *key == "max-size") && driver == "json-file" {
                ", so its log file grows without bound"
            } else {
                ""
            };
            let span = if entry.merged_from.is_some() {
                service.name_span()
            } else {
                entry.key.site()
            };
            let mut diagnostic = Diagnostic::new(
                &META,
                span,
                format!(
                    "service `{}` logs with `{driver}` without {names}{unbounded}; the standard is `max-size: {}`, `max-file: {}`",
                    service.name, standard.max_size, standard.max_file
                ),
            )
            .with_label(format!("no {names}"))
            .with_help(help);
            let step = indent_step(cx, file.root, logging.span.file);
            // The standard limits suit every service: an anchored `logging:`
            // is completed where it is written, for all its users.
            let edit = match logging.get("options") {
                Some(options) if options.as_mapping().is_some() => insert_entries_shared(cx, options, &lines, step),
                Some(_) => None,
                None => insert_entries_shared(cx, logging, &[("options".to_string(), Block::Mapping(lines))], step),
            };
            if let Some(edit) = edit {
                diagnostic = diagnostic.with_fix(format!("add {names}"), vec![edit]);
            }
            out.push(diagnostic);
        }
    }
}
