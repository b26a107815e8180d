//! D410: ARG or ENV named like a secret (hadolint DL3064).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};
use crate::secret_names::secret_pattern;

declare_rule! {
    /// ARG or ENV named like a secret
    pub struct SecretInArgEnv {
        code: D410,
        name: "secret-in-arg-env",
        severity: Warning,
        fix: None,
    }
}

impl Rule for SecretInArgEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            let keyword = instruction.keyword;
            if !matches!(keyword, Keyword::Arg | Keyword::Env) {
                continue;
            }
            for kv in &instruction.key_values {
                let Some(pattern) = secret_pattern(&kv.key.text, &cx.standards.secrets.patterns) else {
                    continue;
                };
                let stays = match keyword {
                    Keyword::Arg => "build arguments are recorded in the image history",
                    _ => "ENV values are stored in the image for anyone who pulls it",
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        kv.key.span,
                        format!(
                            "{keyword} `{}` is named like a secret ({pattern}): {stays}",
                            kv.key.text
                        ),
                    )
                    .with_label("secret-like name")
                    .with_help(
                        "pass secrets to the build with `RUN --mount=type=secret,id=…`, and to the container \
                         at runtime (`NAME_FILE=/run/secrets/…`)",
                    ),
                );
            }
        }
    }
}
