//! D304: `apt` in RUN (hadolint DL3027).

use crate::diagnostic::Diagnostic;
use crate::rules::dockerfile::shell_runs;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `apt` in RUN instead of `apt-get`
    pub struct AptNotAptGet {
        code: D304,
        name: "apt-not-apt-get",
        severity: Warning,
        fix: None,
    }
}

impl Rule for AptNotAptGet {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            for command in run.script.named("apt") {
                let Some(program) = command.program_word() else {
                    continue;
                };
                let subcommand = command.args().first().map_or("", |word| word.text.as_str());
                out.push(
                    Diagnostic::new(
                        &META,
                        program.span,
                        "`apt` is made for people at a terminal: its output and options are not stable for scripts",
                    )
                    .with_label("use apt-get")
                    .with_help(format!(
                        "use `apt-get` (or `apt-cache` for searches): `apt-get {}`",
                        if subcommand.is_empty() {
                            "install -y"
                        } else {
                            subcommand
                        }
                    )),
                );
            }
        }
    }
}
