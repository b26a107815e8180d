//! C405: a credential written inside a value: the password of a URL
//! (`redis://:hunter2@redis`), or the word after a password flag
//! (`--requirepass hunter2`), in `environment`, `command`, `entrypoint` or
//! `healthcheck.test`. The credential never appears in a finding: reports
//! mask it.

use std::collections::HashSet;

use crate::compose::Service;
use crate::compose::service_facts::{self, EnvVar};
use crate::compose::yaml::Node;
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::secret_names::secret_pattern;
use crate::source::Span;

declare_rule! {
    /// a password in a URL, or after a password flag, written in `environment`, `command`, `entrypoint` or `healthcheck.test`
    pub struct CredentialInValue {
        code: C405,
        name: "credential-in-value",
        severity: Error,
        fix: None,
        preview: true,
    }
}

/// Clients whose `-pSECRET` (attached) is a password, and those whose `-a SECRET` is.
const ATTACHED_P_CLIENTS: &[&str] = &["mysql", "mysqladmin", "mysqldump", "mariadb", "mariadb-admin"];
const DASH_A_CLIENTS: &[&str] = &["redis-cli", "valkey-cli", "keydb-cli"];

/// A word of a command, and where it is written (the whole value when the
/// word cannot be found as written, as with escapes).
struct Word {
    text: String,
    span: Span,
}

/// A credential found: where it is (to mask and point at), and what says so.
struct Credential {
    span: Span,
    how: String,
}

impl Rule for CredentialInValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        // An anchored value shared by several services is one finding.
        let mut seen = HashSet::new();
        for service in file.services() {
            let mut found = environment_credentials(cx, &service);
            for key in ["command", "entrypoint"] {
                if let Some(node) = service.get(key) {
                    found.extend(command_credentials(cx, node, &format!("`{key}:`")));
                }
            }
            if let Some(test) = service
                .get("healthcheck")
                .and_then(|healthcheck| healthcheck.get("test"))
            {
                found.extend(command_credentials(cx, test, "`healthcheck.test`"));
            }
            for credential in found {
                if !seen.insert(credential.span) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        credential.span,
                        format!(
                            "service `{}`: {} written in the file; the standard keeps credentials out of compose files",
                            service.name, credential.how
                        ),
                    )
                    .with_label("credential written here")
                    .with_masked(credential.span)
                    .with_help(
                        "keep the password in a `secrets:` file and have the service read it from `/run/secrets/<name>` \
                         (many images take `*_FILE` variables), or pass it as `${VARIABLE}` from an untracked `.env`",
                    ),
                );
            }
        }
    }
}

/// URLs with a password in `environment:` values. A variable named like a
/// secret with a literal value is C402's.
fn environment_credentials(cx: &ComposeContext, service: &Service) -> Vec<Credential> {
    let Some(environment) = service.get("environment") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for var in service_facts::environment(|span| cx.text(span), environment) {
        let EnvVar {
            name,
            value_span: Some(value_span),
            ..
        } = var
        else {
            continue;
        };
        if secret_pattern(name, &cx.standards.secrets.patterns).is_some() {
            continue;
        }
        let word = Word {
            text: written(cx, value_span).to_string(),
            span: value_span,
        };
        if let Some((scheme, span)) = url_password(cx, &word) {
            found.push(Credential {
                span,
                how: format!("`{name}` holds a `{scheme}://` URL with its password"),
            });
        }
    }
    found
}

/// Passwords after a flag of `[secrets] password_flags`, after a client's
/// own short flag, or in a URL, among the words of a command.
fn command_credentials(cx: &ComposeContext, node: &Node, place: &str) -> Vec<Credential> {
    let words = words(cx, node);
    let flags = &cx.standards.secrets.password_flags;
    let client = |names: &[&str]| {
        words.iter().any(|word| {
            let program = word.text.rsplit('/').next().unwrap_or("");
            names.contains(&program)
        })
    };
    let (attached_p, dash_a) = (client(ATTACHED_P_CLIENTS), client(DASH_A_CLIENTS));
    let mut found = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let next = words.get(at + 1);
        let credential = if flags.contains(&word.text) || (dash_a && word.text == "-a") {
            next.and_then(|next| literal(cx, next, &next.text))
                .map(|span| (span, format!("{place} passes a password after `{}`", word.text)))
        } else if let Some((flag, value)) = word.text.split_once('=')
            && flags.iter().any(|known| known == flag)
        {
            literal(cx, word, value).map(|span| (span, format!("{place} passes a password in `{flag}=`")))
        } else if attached_p && word.text.len() > 2 && word.text.starts_with("-p") {
            literal(cx, word, &word.text[2..]).map(|span| (span, format!("{place} passes a password in `-p…`")))
        } else {
            url_password(cx, word)
                .map(|(scheme, span)| (span, format!("{place} holds a `{scheme}://` URL with its password")))
        };
        if let Some((span, how)) = credential {
            found.push(Credential { span, how });
        }
    }
    found
}

/// The span of `value`, a part of `word`, when it is a literal: not empty,
/// not a flag, and with no `$` (a compose variable, or `$$VAR`, a shell
/// variable the container expands).
fn literal(cx: &ComposeContext, word: &Word, value: &str) -> Option<Span> {
    let value = value.trim_matches(['"', '\'']);
    if value.is_empty() || value.starts_with('-') || value.contains('$') || value.starts_with('<') {
        return None;
    }
    Some(locate(cx, word.span, value))
}

/// The password of a `scheme://user:password@host` URL in `word`, literal.
fn url_password(cx: &ComposeContext, word: &Word) -> Option<(String, Span)> {
    let text = word.text.as_str();
    let (before, rest) = text.split_once("://")?;
    let scheme = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
        .next()?;
    // A scheme starts with a letter (`${URL:-http://…}` is `http`).
    let scheme = scheme.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    if scheme.is_empty() {
        return None;
    }
    let authority = rest.split(['/', '?', '#', ' ', '"', '\'']).next()?;
    let (userinfo, _host) = authority.rsplit_once('@')?;
    let (_user, password) = userinfo.split_once(':')?;
    let span = literal(cx, word, password)?;
    Some((scheme.to_string(), span))
}

/// The text of `span` as written: variables not yet interpolated, quotes kept.
fn written<'t>(cx: &ComposeContext<'t>, span: Span) -> &'t str {
    cx.text(span).get(span.start..span.end).unwrap_or("")
}

/// Where `part` is written inside `within`; all of `within` when it is not
/// found as written.
fn locate(cx: &ComposeContext, within: Span, part: &str) -> Span {
    match written(cx, within).find(part) {
        Some(offset) => within.sub(within.start + offset, within.start + offset + part.len()),
        None => within,
    }
}

/// The words of a command as written: a list's items (a `CMD-SHELL` string
/// split in words), or a string split at whitespace, each with its place.
fn words(cx: &ComposeContext, node: &Node) -> Vec<Word> {
    let scalars: Vec<&Node> = match node.as_sequence() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    let mut words = Vec::new();
    for scalar in scalars {
        if scalar.as_scalar().is_none() {
            continue;
        }
        let source = written(cx, scalar.span);
        let mut cursor = 0;
        for part in source.split_whitespace() {
            let part = part.trim_matches(['"', '\'']);
            let span = match source[cursor..].find(part) {
                Some(offset) => {
                    let start = scalar.span.start + cursor + offset;
                    cursor += offset + part.len();
                    scalar.span.sub(start, start + part.len())
                }
                None => scalar.span,
            };
            words.push(Word {
                text: part.to_string(),
                span,
            });
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use crate::source::FileKind;

    fn codes_and_messages(text: &str) -> Vec<String> {
        let mut settings = crate::settings::Settings::load(
            std::path::Path::new("/nonexistent"),
            &crate::settings::Overrides {
                select: Some(vec!["C405".to_string()]),
                ..Default::default()
            },
        )
        .unwrap();
        settings.environment = Default::default();
        let source = crate::source::SourceFile::new("compose.yaml", FileKind::Compose, text.to_string());
        crate::lint::lint(source, &settings, None)
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.message.clone())
            .collect()
    }

    #[test]
    fn credentials_in_urls_and_after_flags() {
        let found = codes_and_messages(
            "services:\n  app:\n    image: x\n    environment:\n      DATABASE_URL: postgres://app:s3cr3t@db:5432/app\n      CACHE: redis://:hunter2@redis:6379/0\n    command: [\"redis-server\", \"--requirepass\", \"hunter2\"]\n    healthcheck:\n      test: [\"CMD-SHELL\", \"mysqladmin ping -uroot -prootpass\"]\n",
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(
            found
                .iter()
                .all(|message| !message.contains("s3cr3t") && !message.contains("hunter2"))
        );
    }

    #[test]
    fn variables_and_urls_without_passwords_are_fine() {
        let found = codes_and_messages(
            "services:\n  app:\n    image: x\n    environment:\n      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app\n      PLAIN: http://user@example.com/\n      WEB: https://example.com:8443/path\n    command: redis-server --requirepass $$REDIS_PASSWORD\n    healthcheck:\n      test: [\"CMD\", \"mysqladmin\", \"ping\", \"-p$$MYSQL_ROOT_PASSWORD\"]\n",
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
