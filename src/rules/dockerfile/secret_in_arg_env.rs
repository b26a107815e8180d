//! D410: ARG or ENV named like a secret (hadolint DL3064).

use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "D410",
    name: "secret-in-arg-env",
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "ARG or ENV named like a secret",
    doc: include_str!("../../../rules/D410.md"),
};

pub struct SecretInArgEnv;

/// Words after the secret word that make the name point at a secret (a file,
/// a path) or describe one, rather than hold it.
const DESCRIBING: [&str; 12] = [
    "FILE", "PATH", "DIR", "LOCATION", "URL", "URI", "NAME", "ID", "LENGTH", "TYPE", "ENABLED", "HEADER",
];

/// The words of a name, upper case: split at `_`, `-`, `.` and camelCase humps.
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

/// The standards' secret pattern `name` holds, matched as whole words.
fn secret_pattern<'p>(name: &str, patterns: &'p [String]) -> Option<&'p str> {
    let words = words(name);
    patterns.iter().map(String::as_str).find(|pattern| {
        let wanted = self::words(pattern);
        !wanted.is_empty()
            && wanted.len() <= words.len()
            && (0..=words.len() - wanted.len()).any(|start| {
                let end = start + wanted.len();
                words[start..end] == wanted[..] && !words[end..].iter().any(|w| DESCRIBING.contains(&w.as_str()))
            })
    })
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
