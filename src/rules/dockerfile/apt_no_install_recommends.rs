//! D301: `apt-get install` without `--no-install-recommends` (hadolint DL3015).

use crate::diagnostic::Diagnostic;
use crate::rules::dockerfile::{apt_config_set, apt_get_install, insert_after, program_through, shell_runs};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `apt-get install` without `--no-install-recommends`
    pub struct AptNoInstallRecommends {
        code: D301,
        name: "apt-no-install-recommends",
        severity: Warning,
        fix: Safe,
    }
}

impl Rule for AptNoInstallRecommends {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            for command in &run.script.commands {
                let Some((install, parsed)) = apt_get_install(command) else {
                    continue;
                };
                let off = ["false", "0", "no", "off"];
                if parsed.has(&["no-install-recommends"])
                    || apt_config_set(&parsed, "APT::Install-Recommends", &off)
                    || parsed
                        .options
                        .iter()
                        .any(|o| o.name == "install-recommends" && o.value.is_some_and(|v| off.contains(&v)))
                {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        program_through(command, install),
                        "`apt-get install` without `--no-install-recommends` also installs recommended packages",
                    )
                    .with_label("installs recommended packages too")
                    .with_help("add `--no-install-recommends`: `apt-get install -y --no-install-recommends <packages>`")
                    .with_fix(
                        "add `--no-install-recommends`",
                        vec![insert_after(command, install, "--no-install-recommends")],
                    ),
                );
            }
        }
    }
}
