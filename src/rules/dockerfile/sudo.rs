//! D202: `sudo` in RUN (hadolint DL3004).

use crate::diagnostic::{Diagnostic, Severity};
use crate::dockerfile::shell::basename;
use crate::rules::dockerfile::shell_runs;
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "D202",
    name: "sudo",
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "`sudo` in RUN",
    doc: include_str!("../../../rules/D202.md"),
};

pub struct Sudo;

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
