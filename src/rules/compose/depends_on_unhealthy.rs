//! C506: `depends_on` names a service that has a healthcheck, without
//! `condition: service_healthy`.

use crate::compose::edit::{Block, fill_empty_entry, indent_step, insert_entries, list_to_mapping};
use crate::compose::service_facts::has_healthcheck;
use crate::compose::yaml::{Node, ScalarStyle, Value};
use crate::diagnostic::{Diagnostic, Edit};
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// `depends_on` a service with a healthcheck, without `condition: service_healthy`
    pub struct DependsOnUnhealthy {
        code: C506,
        name: "depends-on-unhealthy",
        severity: Warning,
        fix: Safe,
    }
}

const HEALTHY: &str = "service_healthy";
const STARTED: &str = "service_started";

/// Whether the service called `name` has a healthcheck.
fn dependency_is_checked(cx: &ComposeContext, name: &str) -> bool {
    cx.file
        .and_then(|file| file.services().find(|service| service.name == name))
        .is_some_and(|dependency| has_healthcheck(dependency, cx.built.get(name)) == Some(true))
}

impl Rule for DependsOnUnhealthy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services() {
            let Some(depends_on) = service.get("depends_on") else {
                continue;
            };
            let finding = |dependency: &str, span: Span| {
                Diagnostic::new(
                    &META,
                    span,
                    format!(
                        "service `{}` depends on `{dependency}`, which has a healthcheck, without `condition: {HEALTHY}`, so it may start before `{dependency}` is ready; the standard waits until it is healthy",
                        service.name
                    ),
                )
                .with_label(format!("not `condition: {HEALTHY}`"))
                .with_help(format!("depends_on:\n  {dependency}:\n    condition: {HEALTHY}"))
            };
            match &depends_on.value {
                Value::Sequence(items) => {
                    // The list form has no room for a condition: the fix
                    // writes the mapping form, each entry waiting as long as
                    // its dependency allows.
                    let fix = service
                        .entry
                        .value
                        .as_mapping()
                        .and_then(|mapping| mapping.get_entry("depends_on"))
                        .and_then(|entry| {
                            let step = indent_step(cx, file.root, entry.key.span.file);
                            list_to_mapping(cx, entry, step, |item| {
                                let checked = item.as_str().is_some_and(|name| dependency_is_checked(cx, name));
                                let condition = if checked { HEALTHY } else { STARTED };
                                vec![("condition".to_string(), Block::scalar(condition))]
                            })
                        });
                    for item in items {
                        if let Some(name) = item.as_str()
                            && dependency_is_checked(cx, name)
                        {
                            let mut diagnostic = finding(name, item.site());
                            if let Some(edits) = &fix {
                                diagnostic = diagnostic.with_fix(
"write `depends_on` in the mapping form, waiting for healthchecked services to be healthy",
                                    edits.clone(),
                                );
                            }
                            out.push(diagnostic);
                        }
                    }
                }
                Value::Mapping(mapping) => {
                    for entry in mapping {
                        let Some(name) = entry.key.as_str() else { continue };
                        let condition = entry.value.get("condition");
                        if let Some(condition) = condition {
                            if condition.as_str() != Some(STARTED) {
                                continue;
                            }
                        } else if !(entry.value.is_null() || entry.value.as_mapping().is_some()) {
                            continue;
                        }
                        if !dependency_is_checked(cx, name) {
                            continue;
                        }
                        let editable = entry.merged_from.is_none() && depends_on.alias.is_none();
                        let step = indent_step(cx, file.root, entry.key.span.file);
                        let (span, edit) = match condition {
                            Some(condition) => (
                                condition.site(),
                                (editable && condition.alias.is_none())
                                    .then(|| Edit::replace(condition.span, quoted(condition, HEALTHY))),
                            ),
                            None => {
                                let lines = [("condition".to_string(), Block::scalar(HEALTHY))];
                                let edit = editable
                                    .then(|| match entry.value.as_mapping() {
                                        Some(_) => insert_entries(cx, &entry.value, &lines, step),
                                        None => fill_empty_entry(cx, entry, &lines, step),
                                    })
                                    .flatten();
                                (entry.key.site(), edit)
                            }
                        };
                        let mut diagnostic = finding(name, span);
                        if let Some(edit) = edit {
                            diagnostic = diagnostic.with_fix(format!("wait for `{name}` to be healthy"), vec![edit]);
                        }
                        out.push(diagnostic);
                    }
                }
                _ => {}
            }
        }
    }
}

/// `value` in the quotes `node` is written with.
fn quoted(node: &Node, value: &str) -> String {
    match node.scalar_style() {
        Some(ScalarStyle::SingleQuoted) => format!("'{value}'"),
        Some(ScalarStyle::DoubleQuoted) => format!("\"{value}\""),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_the_original() {
        let parsed = crate::compose::yaml::parse("a: 'x'\nb: \"x\"\nc: x\n");
        let root = &parsed.documents[0];
        assert_eq!(quoted(root.get("a").unwrap(), HEALTHY), "'service_healthy'");
        assert_eq!(quoted(root.get("b").unwrap(), HEALTHY), "\"service_healthy\"");
        assert_eq!(quoted(root.get("c").unwrap(), HEALTHY), HEALTHY);
    }
}
