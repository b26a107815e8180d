//! C502: a healthcheck lacks `interval`/`timeout`/`retries`, or its
//! `timeout` is not shorter than its `interval`.

use crate::compose::edit::{Block, indent_step, insert_entries_shared};
use crate::compose::service_facts::{
    ComposeHealthcheck, Found, compose_healthcheck, find_path, has_variable, parse_duration, written_with_variable,
};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a healthcheck lacks `interval`/`timeout`/`retries`, or `timeout` ≥ `interval`
    pub struct HealthcheckTiming {
        code: C502,
        name: "healthcheck-timing",
        severity: Warning,
        fix: Safe,
    }
}

impl Rule for HealthcheckTiming {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let timing = &cx.standards.healthcheck;
        let retries = timing.retries.to_string();
        let standard = [
            ("interval", timing.interval.as_str()),
            ("timeout", timing.timeout.as_str()),
            ("retries", retries.as_str()),
        ];
        let standard_text = standard
            .iter()
            .map(|(key, value)| format!("`{key}: {value}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for service in file.services() {
            let name = service.name;
            let Some(entry) = service.get_entry("healthcheck") else {
                continue;
            };
            let healthcheck = &entry.value;
            if !matches!(
                compose_healthcheck(healthcheck),
                Some(ComposeHealthcheck::Test(_) | ComposeHealthcheck::TimingOnly(_))
            ) {
                continue;
            }
            // `healthcheck: {disable: false}` and the like keep the image's
            // check as it is: no timing is being written here.
            let configures = ["test", "interval", "timeout", "retries"]
                .iter()
                .any(|key| healthcheck.get(key).is_some());
            if !configures {
                continue;
            }
            let lookup = |key: &str| find_path(service, &["healthcheck", key]);
            if standard.iter().any(|(key, _)| matches!(lookup(key), Found::Unknown)) {
                continue;
            }
            let missing: Vec<(&str, &str)> = standard
                .iter()
                .copied()
                .filter(|(key, _)| matches!(lookup(key), Found::Absent))
                .collect();
            if !missing.is_empty() {
                let keys = missing
                    .iter()
                    .map(|(key, _)| format!("`{key}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let lines: Vec<(String, Block)> = missing
                    .iter()
                    .map(|(key, value)| (key.to_string(), Block::scalar(*value)))
                    .collect();
                let help = std::iter::once("healthcheck:".to_string())
                    .chain(missing.iter().map(|(key, value)| format!("  {key}: {value}")))
                    .collect::<Vec<_>>()
                    .join("\n");
                // Anchored healthchecks are reported where they are written, once.
                let span = if entry.merged_from.is_some() || healthcheck.alias.is_some() {
                    service.name_span()
                } else {
                    entry.key.span
                };
                let mut diagnostic = Diagnostic::new(
                    &META,
                    span,
                    format!("the healthcheck of service `{name}` sets no {keys}; the standard is {standard_text}"),
                )
                .with_label(format!("no {keys}"))
                .with_help(help);
                let step = indent_step(cx, file.root, healthcheck.span.file);
                // The standard timing suits every service: an anchored
                // healthcheck is completed where it is written, for all its users.
                if let Some(edit) = insert_entries_shared(cx, healthcheck, &lines, step) {
                    diagnostic = diagnostic.with_fix(format!("add the standard {keys}"), vec![edit]);
                }
                out.push(diagnostic);
            }
            let (Some(interval), Some(timeout)) = (
                healthcheck.get("interval").or_else(|| lookup("interval").node()),
                healthcheck.get("timeout").or_else(|| lookup("timeout").node()),
            ) else {
                continue;
            };
            let (Some(interval_text), Some(timeout_text)) = (interval.as_str(), timeout.as_str()) else {
                continue;
            };
            if written_with_variable(interval)
                || written_with_variable(timeout)
                || has_variable(interval_text)
                || has_variable(timeout_text)
            {
                continue;
            }
            let (Some(interval_value), Some(timeout_value)) =
                (parse_duration(interval_text), parse_duration(timeout_text))
            else {
                continue;
            };
            // Only a value written in this file is reported here.
            let here = |node: &crate::compose::yaml::Node| {
                healthcheck.get("interval").is_some_and(|n| std::ptr::eq(n, node))
                    || healthcheck.get("timeout").is_some_and(|n| std::ptr::eq(n, node))
            };
            if timeout_value >= interval_value && (here(interval) || here(timeout)) {
                let at = if here(timeout) { timeout } else { interval };
                out.push(
                    Diagnostic::new(
                        &META,
                        at.site(),
                        format!(
                            "the healthcheck of service `{name}` has `timeout: {timeout_text}`, not shorter than `interval: {interval_text}`, so a hung check holds up the next one; the standard is {standard_text}"
                        ),
                    )
                    .with_label("timeout ≥ interval")
                    .with_help(format!(
                        "healthcheck:\n  interval: {}\n  timeout: {}",
                        timing.interval, timing.timeout
                    )),
                );
            }
        }
    }
}
