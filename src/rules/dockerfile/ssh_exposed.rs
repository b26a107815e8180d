//! D417: `EXPOSE 22`: the image runs an SSH server.

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::{Arguments, Keyword};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `EXPOSE 22`: the image runs an SSH server
    pub struct SshExposed {
        code: D417,
        name: "ssh-exposed",
        severity: Warning,
        fix: None,
    }
}

/// Whether an EXPOSE value is the SSH port over TCP (`22`, `22/tcp`).
fn is_ssh(value: &str) -> bool {
    let (port, protocol) = value.split_once('/').unwrap_or((value, "tcp"));
    port == "22" && protocol.eq_ignore_ascii_case("tcp")
}

impl Rule for SshExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if instruction.keyword != Keyword::Expose {
                continue;
            }
            let Arguments::Shell(text) = &instruction.args else {
                continue;
            };
            let mut offset = 0;
            for word in text.text.split_whitespace() {
                let start = offset + text.text[offset..].find(word).unwrap_or(0);
                offset = start + word.len();
                if !is_ssh(word) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        text.source_span(start..offset),
                        format!(
                            "`EXPOSE {word}`: the image runs an SSH server, a second way in with its own keys and passwords to keep"
                        ),
                    )
                    .with_label("SSH port")
                    .with_help(
                        "drop the SSH server: `docker exec` (or `docker compose exec`) opens a shell in a running container",
                    ),
                );
            }
        }
    }
}
