//! C402: an environment variable named like a secret holds a literal value.
//! The value itself never appears in a finding: reports mask it.

use std::collections::HashSet;

use crate::compose::service_facts::{self, EnvVar, has_variable};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::secret_names::secret_pattern;

declare_rule! {
    /// a secret-like environment variable holds a literal value
    pub struct PlaintextSecret {
        code: C402,
        name: "plaintext-secret",
        severity: Error,
        fix: None,
    }
}

/// Values that switch something on or off rather than hold a secret.
const SWITCHES: &[&str] = &["true", "false", "yes", "no", "on", "off", "none", "null", "0", "1"];

/// Whether a value is a secret written out: not empty (`""` in the list
/// form is an empty placeholder), no variable, no switch, not the path of a
/// mounted secret.
fn is_literal_secret(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && value != "\"\""
        && value != "''"
        && !has_variable(value)
        && !value.starts_with("/run/secrets/")
        && !SWITCHES.contains(&value.to_ascii_lowercase().as_str())
}

/// Whether the value was written with a variable (`${DB_PASSWORD}`): the
/// secret then comes from the environment, though the rules see it
/// interpolated.
fn written_as_variable(node: &crate::compose::yaml::Node, listed: bool) -> bool {
    let Some(raw) = node.as_scalar().and_then(|scalar| scalar.raw.as_deref()) else {
        return false;
    };
    let written = if listed {
        raw.split_once('=').map_or("", |(_, value)| value)
    } else {
        raw
    };
    has_variable(written)
}

impl Rule for PlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        // An anchored `environment:` shared by several services is one finding.
        let mut seen = HashSet::new();
        for service in file.services() {
            let Some(environment) = service.get("environment") else {
                continue;
            };
            for var in service_facts::environment(|span| cx.text(span), environment) {
                let EnvVar {
                    name,
                    name_span,
                    value: Some(value),
                    value_span: Some(value_span),
                    listed,
                    node,
                    ..
                } = var
                else {
                    continue;
                };
                let Some(pattern) = secret_pattern(name, &cx.standards.secrets.patterns) else {
                    continue;
                };
                if !is_literal_secret(value) || written_as_variable(node, listed) || !seen.insert(value_span) {
                    continue;
                }
                let secret = name.to_ascii_lowercase();
                let help = if listed {
                    format!("environment:\n  - {name}_FILE=/run/secrets/{secret}\nsecrets:\n  - {secret}")
                } else {
                    format!("environment:\n  {name}_FILE: /run/secrets/{secret}\nsecrets:\n  - {secret}")
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        name_span,
                        format!(
                            "`{name}` on service `{}` holds a literal value (named like a secret: `{pattern}`); the standard keeps secrets out of `environment:`: `{name}_FILE=/run/secrets/{secret}` with a `secrets:` entry",
                            service.name
                        ),
                    )
                    .with_label("secret written in the file")
                    .with_masked(value_span)
                    .with_help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(name: &str) -> bool {
        let patterns = crate::standards::Standards::builtin().secrets.patterns;
        secret_pattern(name, &patterns).is_some()
    }

    #[test]
    fn names_like_secrets() {
        assert!(matches("DB_PASSWORD"));
        assert!(matches("POSTGRES_PASSWORD"));
        assert!(matches("SECRET_KEY"));
        assert!(matches("JWT_SECRET_KEY"));
        assert!(matches("GITHUB_TOKEN"));
        assert!(matches("OPENAI_API_KEY"));
        assert!(matches("apiKey"));
        assert!(matches("dbPassword"));
        assert!(matches("AWS_SECRET_ACCESS_KEY"));
        assert!(!matches("PASSWORD_FILE"));
        assert!(!matches("REDIS_PASSWORD_FILE"));
        assert!(!matches("PASSWORD_MIN_LENGTH"));
        assert!(!matches("TOKEN_EXPIRY"));
        assert!(!matches("ALLOW_EMPTY_PASSWORD"));
        assert!(!matches("MYSQL_RANDOM_ROOT_PASSWORD"));
        assert!(!matches("SECRETARY"));
        assert!(!matches("KEYCLOAK_URL"));
        assert!(!matches("PASSWORDLESS"));
        assert!(!matches("API_KEY_HEADER"));
        assert!(!matches("OAUTHLIB_RELAX_TOKEN_SCOPE"));
        assert!(!matches("PASSWORD_RESET_DISABLED"));
        assert!(!matches("AUTHENTICATION_APIKEY_USERS"));
        assert!(matches("AUTHENTICATION_APIKEY_ALLOWED_KEYS"));
    }

    #[test]
    fn literal_values() {
        assert!(is_literal_secret("hunter2"));
        assert!(is_literal_secret("pa$$word"));
        assert!(!is_literal_secret("${DB_PASSWORD}"));
        assert!(!is_literal_secret("$DB_PASSWORD"));
        assert!(!is_literal_secret(""));
        assert!(!is_literal_secret("true"));
        assert!(!is_literal_secret("\"\""));
        assert!(!is_literal_secret("/run/secrets/db-password"));
        assert!(!is_literal_secret("1"));
        assert!(is_literal_secret("1234"));
    }
}
