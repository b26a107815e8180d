//! D401: `cd` in RUN instead of WORKDIR (hadolint DL3003).

use crate::diagnostic::Diagnostic;
use crate::rules::dockerfile::shell_runs;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `cd` in RUN instead of WORKDIR
    pub struct CdInRun {
        code: D401,
        name: "cd-in-run",
        severity: Warning,
        fix: None,
    }
}

impl Rule for CdInRun {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            for command in run.script.named("cd") {
                let directory = command.args().iter().find(|arg| !arg.text.starts_with('-'));
                let help = match directory {
                    Some(dir) if dir.text.starts_with('/') => {
                        format!("set the directory with `WORKDIR {}` before the RUN", dir.text)
                    }
                    _ => "set the directory with an absolute `WORKDIR` before the RUN".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        command.span(),
                        "`cd` in RUN: the directory change is lost after this RUN and hides where files go",
                    )
                    .with_label("use WORKDIR")
                    .with_help(help),
                );
            }
        }
    }
}
