//! D304: `apt` in RUN (hadolint DL3027).

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::dockerfile::shell_runs;
use crate::rules::{DockerfileContext, FixKind, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "D304",
    name: "apt-not-apt-get",
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "`apt` in RUN instead of `apt-get`",
    doc: include_str!("../../../rules/D304.md"),
};

pub struct AptNotAptGet;

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
