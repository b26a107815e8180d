//! D412: a download piped into a shell (`curl … | sh`, `wget … | bash`).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::shell::{Command, SHELLS};
use crate::rules::dockerfile::shell_runs;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// a download piped into a shell
    pub struct CurlPipeShell {
        code: D412,
        name: "curl-pipe-shell",
        severity: Warning,
        fix: None,
    }
}

fn downloads(command: &Command) -> bool {
    matches!(command.program(), Some("curl" | "wget"))
}

fn is_shell(command: &Command) -> bool {
    command.program().is_some_and(|program| SHELLS.contains(&program))
}

impl Rule for CurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            let commands = &run.script.commands;
            for shell in commands.iter().filter(|command| is_shell(command)) {
                let Some(program) = shell.program_word() else {
                    continue;
                };
                // `curl … | sh`, or `sh -c "$(curl …)"` / `bash <(curl …)`.
                let piped = commands.iter().find(|download| {
                    downloads(download)
                        && download.pipeline == shell.pipeline
                        && download.position < shell.position
                        && download.nested == shell.nested
                });
                let substituted = commands.iter().find(|download| {
                    downloads(download)
                        && download.nested
                        && shell.args().iter().any(|arg| arg.span.contains(download.span()))
                });
                let Some(download) = piped.or(substituted) else {
                    continue;
                };
                let tool = download.program().unwrap_or("curl");
                out.push(
                    Diagnostic::new(
                        &META,
                        program.span,
                        format!(
                            "`{tool}` output run by `{}`: whatever the server sends is executed, unchecked",
                            program.text
                        ),
                    )
                    .with_label("runs the download")
                    .with_secondary(download.span(), "downloads the script")
                    .with_help(
                        "download to a file, check its checksum (`sha256sum -c`), then run it; \
                         or install a package",
                    ),
                );
            }
        }
    }
}
