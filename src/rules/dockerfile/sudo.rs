//! D202: `sudo` in RUN (hadolint DL3004).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::shell::basename;
use crate::rules::dockerfile::shell_runs;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `sudo` in RUN
    pub struct Sudo {
        code: D202,
        name: "sudo",
        severity: Warning,
        fix: None,
    }
}

impl Rule for Sudo {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            for command in &run.script.commands {
                for word in command.wrappers().filter(|word| basename(&word.text) == "sudo") {
                    out.push(
                        Diagnostic::new(
                            &META,
                            word.span,
                            "`sudo` in RUN: build steps run as root unless a USER says otherwise",
                        )
                        .with_label("sudo")
                        .with_help(
                            "drop `sudo`; run the step before `USER`, or switch with `USER root` and back; \
                             at runtime use `gosu` or `su-exec`",
                        ),
                    );
                }
            }
        }
    }
}
