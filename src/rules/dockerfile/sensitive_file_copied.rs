//! D415: COPY or ADD of a secret file (`.git`, `.ssh`, `.env`, a private
//! key), named explicitly; the file names are in the standards.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::{Arguments, Keyword, substitute};
use crate::rules::dockerfile::stage_env;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// COPY or ADD of a secret file (`.git`, `.ssh`, `.env`, a private key)
    pub struct SensitiveFileCopied {
        code: D415,
        name: "sensitive-file-copied",
        severity: Error,
        fix: None,
    }
}

/// The file-name globs, case-insensitive. The standards are validated when
/// they are loaded, so a pattern that does not compile is not there.
fn glob_set(patterns: &[String]) -> GlobSet {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = GlobBuilder::new(pattern).case_insensitive(true).build() {
            set.add(glob);
        }
    }
    set.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The last part of a source path (`config/.env` is `.env`, `.git/` is `.git`).
fn file_name(source: &str) -> &str {
    let trimmed = source.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// A source from the build context: not a URL, a git remote or a heredoc.
fn from_context(source: &str) -> bool {
    !(source.contains("://") || source.starts_with("git@") || source.starts_with("<<"))
}

impl Rule for SensitiveFileCopied {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let files = &cx.standards.sensitive_files;
        let (secret, not_secret) = files
            .globs
            .get_or_init(|| (glob_set(&files.names), glob_set(&files.not_secret)));
        for instruction in &cx.dockerfile.instructions {
            // `--from` copies out of another stage or image, not the build context.
            if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add) || instruction.flag("from").is_some() {
                continue;
            }
            let words: Vec<(String, crate::source::Span)> = match &instruction.args {
                Arguments::Exec(words) => words.iter().map(|word| (word.text.clone(), word.span)).collect(),
                Arguments::Shell(text) => {
                    let mut offset = 0;
                    let mut words = Vec::new();
                    for word in text.text.split_whitespace() {
                        let start = offset + text.text[offset..].find(word).unwrap_or(0);
                        offset = start + word.len();
                        words.push((word.to_string(), text.source_span(start..offset)));
                    }
                    words
                }
            };
            let Some((_destination, sources)) = words.split_last() else {
                continue;
            };
            let env = match instruction.stage {
                Some(stage) if sources.iter().any(|(source, _)| source.contains('$')) => {
                    stage_env(cx.dockerfile, &cx.dockerfile.stages[stage], instruction.span.start)
                }
                _ => Default::default(),
            };
            for (written, span) in sources {
                let source = substitute(written, |name| env.get(name).cloned()).text;
                let name = file_name(&source);
                if !from_context(&source) || !secret.is_match(name) || not_secret.is_match(name) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        *span,
                        format!(
                            "`{}` copies `{source}` into the image: whoever pulls the image can read it, in this layer for good",
                            instruction.keyword
                        ),
                    )
                    .with_label("secret file")
                    .with_help(
                        "keep it out of the image and list it in `.dockerignore`; a build that needs a secret \
                         mounts it for one step (`RUN --mount=type=secret,id=…` or `--mount=type=ssh`)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::Standards;

    #[test]
    fn secret_names_and_what_is_no_secret() {
        let files = Standards::builtin().sensitive_files;
        let (secret, not_secret) = (glob_set(&files.names), glob_set(&files.not_secret));
        let flagged = |source: &str| {
            let name = file_name(source);
            secret.is_match(name) && !not_secret.is_match(name)
        };
        for source in [
            ".git",
            ".git/",
            "app/.env",
            ".env.production",
            "id_rsa",
            "keys/server.KEY",
            "tls.pem",
            ".ssh/",
        ] {
            assert!(flagged(source), "{source}");
        }
        for source in [
            ".env.example",
            "meta.env",
            "id_rsa.pub",
            "fullchain.pem",
            "ca.pem",
            "cert.pem",
            ".gitignore",
            "src",
        ] {
            assert!(!flagged(source), "{source}");
        }
    }
}
