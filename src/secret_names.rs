//! Names that hold a secret, per the standards' `[secrets] patterns`: shared
//! by C402 (compose `environment:`) and D410 (Dockerfile ARG/ENV). A pattern
//! matches whole words of the name (`DB_PASSWORD`, `dbPassword`), unless the
//! words around it make the name describe a secret rather than hold one
//! (`PASSWORD_FILE`, `PASSWORD_MIN_LENGTH`, `ALLOW_EMPTY_PASSWORD`).

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
    "PREFIX",
    "SUFFIX",
    "NAMESPACE",
    "RATE",
    "LIMIT",
];

/// Words before a key that make it a public one: a GPG key's fingerprint
/// (`GPG_KEY` in the official images) verifies downloads and hides nothing.
const PUBLIC_KEY_BEFORE: &[&str] = &["GPG", "PGP", "PUBLIC", "PUB"];

/// Words before the secret word that make the variable a switch about secrets.
const DESCRIBING_BEFORE: &[&str] = &[
    "ALLOW", "EMPTY", "RANDOM", "REQUIRE", "DISABLE", "ENABLE", "NO", "SKIP", "USE", "GENERATE", "CHANGE", "RESET",
];

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

/// Whether a pattern ending in `KEY` follows a word that makes the key public.
fn is_public_key(wanted: &[String], before: &[String]) -> bool {
    wanted.last().is_some_and(|word| word == "KEY")
        && before
            .last()
            .is_some_and(|word| PUBLIC_KEY_BEFORE.contains(&word.as_str()))
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
                && !is_public_key(&wanted, &words[..start])
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default `[secrets] patterns` of rules/standards.toml.
    fn default_patterns() -> Vec<String> {
        let standards: toml::Table = toml::from_str(include_str!("../rules/standards.toml")).unwrap();
        standards["secrets"]["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pattern| pattern.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn secrets_by_their_names() {
        let patterns = default_patterns();
        for name in [
            "SERVER_PASS",
            "DB_PASS",
            "PGPASSWORD",
            "APP_KEY",
            "MEILI_MASTER_KEY",
            "WORDPRESS_AUTH_SALT",
            "AES_ENCRYPTION_KEY",
            "LICENSE_KEY",
            "dbPassword",
        ] {
            assert!(secret_pattern(name, &patterns).is_some(), "{name} holds a secret");
        }
    }

    #[test]
    fn names_that_describe_a_secret_or_hold_a_public_one() {
        let patterns = default_patterns();
        for name in [
            "API_KEY_RATE_LIMIT",
            "SECRET_KEY_PATH",
            "PASSWORD_FILE",
            "REDIS_KEY_PREFIX",
            "GPG_KEY",
            "PUBLIC_KEY",
            "ALLOW_EMPTY_PASSWORD",
            "PASSWORD_MIN_LENGTH",
            "KEYCLOAK_URL",
            "PASSENGER_APP_ENV",
        ] {
            assert_eq!(secret_pattern(name, &patterns), None, "{name} holds no secret");
        }
    }
}
