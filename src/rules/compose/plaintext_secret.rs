//! C402: an environment variable named like a secret holds a literal value.
//! The value itself never appears in a finding: reports mask it.

use std::collections::HashSet;

use crate::compose::service_facts::{self, EnvVar, has_variable};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ComposeContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "C402",
    name: "plaintext-secret",
    severity: Severity::Error,
    fix: FixKind::None,
    summary: "a secret-like environment variable holds a literal value",
    doc: include_str!("../../../rules/C402.md"),
};

pub struct PlaintextSecret;

/// Words after the secret word that make the variable describe a secret
/// (where it is, how long it lives, how it is checked) rather than hold one.
const DESCRIBING_AFTER: &[&str] = &[
    "FILE",
    "FILES",
    "PATH",
    "DIR",
    "LOCATION",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "LENGTH",
    "LEN",
    "MIN",
    "MAX",
    "EXPIRY",
    "EXPIRE",
    "EXPIRES",
    "EXPIRATION",
    "TTL",
    "LIFETIME",
    "TIMEOUT",
    "AGE",
    "ALGORITHM",
    "ALGO",
    "HASH",
    "HASHED",
    "TYPE",
    "MODE",
    "NAME",
    "HEADER",
    "ENABLED",
    "REQUIRED",
    "POLICY",
    "PROVIDER",
    "METHOD",
    "ROTATION",
    "INTERVAL",
    "COMPLEXITY",
    "STRENGTH",
    "FORMAT",
    "COUNT",
    "SIZE",
    "ID",
    "USER",
    "USERNAME",
    "USERS",
    "DISABLED",
    "SCOPE",
    "SCOPES",
];

/// Words before the secret word that make the variable a switch about secrets.
const DESCRIBING_BEFORE: &[&str] = &[
    "ALLOW", "EMPTY", "RANDOM", "REQUIRE", "DISABLE", "ENABLE", "NO", "SKIP", "USE", "GENERATE", "CHANGE", "RESET",
];

/// Values that switch something on or off rather than hold a secret.
const SWITCHES: &[&str] = &["true", "false", "yes", "no", "on", "off", "none", "null", "0", "1"];

/// The words of a variable name: split at `_`, `-`, `.` and camelCase humps.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The pattern a variable name holds a secret by, if it does.
pub fn secret_pattern<'p>(name: &str, patterns: &'p [String]) -> Option<&'p str> {
    let words = words(name);
    patterns.iter().map(String::as_str).find(|pattern| {
        let wanted = self::words(pattern);
        if wanted.is_empty() || wanted.len() > words.len() {
            return false;
        }
        (0..=words.len() - wanted.len()).any(|start| {
            let end = start + wanted.len();
            words[start..end] == wanted[..]
                && !words[end..]
                    .iter()
                    .any(|word| DESCRIBING_AFTER.contains(&word.as_str()))
                && !words[..start]
                    .iter()
                    .any(|word| DESCRIBING_BEFORE.contains(&word.as_str()))
        })
    })
}

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
            for var in service_facts::environment(&cx.source.text, environment) {
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
