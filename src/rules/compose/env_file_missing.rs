//! C702: an `env_file:` path does not exist (unless `required: false`).

use crate::compose::service_facts::written_with_variable;
use crate::compose::yaml::{Node, Resolved, Value};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// an `env_file:` path does not exist
    pub struct EnvFileMissing {
        code: C702,
        name: "env-file-missing",
        severity: Error,
        fix: None,
    }
}

/// The path nodes of an `env_file:` that must exist: a string, a list of
/// strings, or `{path, required}` items without `required: false`.
fn required_paths(env_file: &Node) -> Vec<&Node> {
    match &env_file.value {
        Value::Scalar(_) => vec![env_file],
        Value::Sequence(items) => items
            .iter()
            .filter_map(|item| match &item.value {
                Value::Scalar(_) => Some(item),
                Value::Mapping(_) => {
                    let optional = item.get("required").is_some_and(|required| {
                        matches!(required.resolve(), Some(Resolved::Bool(false)))
                            || required.as_str().is_some_and(|text| text.trim() == "false")
                    });
                    (!optional).then(|| item.get("path")).flatten()
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Rule for EnvFileMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let mut seen = std::collections::HashSet::new();
        for service in file.services() {
            let Some(env_file) = service.get("env_file") else {
                continue;
            };
            for node in required_paths(env_file) {
                let Some(path) = node.as_str() else { continue };
                // A path an unset variable leaves unknown is S004's; one its
                // variables resolve is judged as Compose reads it. `~` is the
                // deploying user's home.
                if path.trim().is_empty() || cx.is_unresolved(node) || path.starts_with('~') {
                    continue;
                }
                if cx.path_exists(node.span, path) != Some(false) || !seen.insert(node.site()) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        node.site(),
                        format!(
                            "{} of service `{}` does not exist (relative to the compose file); `docker compose up` fails without it",
                            as_written(node, path),
                            service.name
                        ),
                    )
                    .with_label("no such file")
                    .with_help(format!("env_file:\n  - path: {path}\n    required: false  # if the file is optional")),
                );
            }
        }
    }
}

/// The entry as written, and the path its variables resolve to when it has some.
fn as_written(node: &Node, path: &str) -> String {
    match node.as_scalar().and_then(|scalar| scalar.raw.as_deref()) {
        Some(raw) if written_with_variable(node) => format!("`env_file: {raw}` (`{path}`)"),
        _ => format!("`env_file: {path}`"),
    }
}
