//! C404: a top-level secret's `file:` does not exist.

use crate::compose::service_facts::{has_variable, written_with_variable};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a top-level secret's `file:` does not exist
    pub struct SecretFileMissing {
        code: C404,
        name: "secret-file-missing",
        severity: Error,
        fix: None,
    }
}

impl Rule for SecretFileMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let Some(secrets) = file.entry("secrets").and_then(|entry| entry.value.as_mapping()) else {
            return;
        };
        for entry in secrets {
            let (Some(name), Some(path_node)) = (entry.key.as_str(), entry.value.get("file")) else {
                continue;
            };
            let Some(path) = path_node.as_str() else { continue };
            // Variables are decided at deploy time; `~` is the deploying user's home.
            if path.trim().is_empty() || written_with_variable(path_node) || has_variable(path) || path.starts_with('~')
            {
                continue;
            }
            if cx.path_exists(path_node.span, path) != Some(false) {
                continue;
            }
            let variable = name.to_ascii_uppercase().replace(['-', '.'], "_");
            out.push(
                Diagnostic::new(
                    &META,
                    path_node.site(),
                    format!(
                        "secret `{name}` reads `{path}`, which does not exist (relative to the compose file); `docker compose up` fails without it"
                    ),
                )
                .with_label("no such file")
                .with_help(format!(
                    "secrets:\n  {name}:\n    environment: {variable}  # or create `{path}` and keep it out of git"
                )),
            );
        }
    }
}
