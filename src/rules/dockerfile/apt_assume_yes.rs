//! D303: `apt-get install` without `-y` (hadolint DL3014).

use crate::diagnostic::Diagnostic;
use crate::rules::dockerfile::{apt_config_set, apt_get_install, insert_after, program_through, shell_runs};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `apt-get install` without `-y`
    pub struct AptAssumeYes {
        code: D303,
        name: "apt-assume-yes",
        severity: Warning,
        fix: Safe,
    }
}

impl Rule for AptAssumeYes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            for command in &run.script.commands {
                let Some((install, parsed)) = apt_get_install(command) else {
                    continue;
                };
                // Quiet level 2 (`-qq`, `-q=2`) implies `-y`.
                let quiet = parsed
                    .options
                    .iter()
                    .filter(|o| o.name == "q" || o.name == "quiet")
                    .count();
                let quiet_two = parsed.values("q").chain(parsed.values("quiet")).any(|v| v == "2");
                if parsed.has(&["y", "yes", "assume-yes"])
                    || quiet >= 2
                    || quiet_two
                    || apt_config_set(&parsed, "APT::Get::Assume-Yes", &["true", "1", "yes"])
                {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        program_through(command, install),
                        "`apt-get install` without `-y` waits for an answer no build can give",
                    )
                    .with_label("asks for confirmation")
                    .with_help("add `-y`: `apt-get install -y --no-install-recommends <packages>`")
                    .with_fix("add `-y`", vec![insert_after(command, install, "-y")]),
                );
            }
        }
    }
}
