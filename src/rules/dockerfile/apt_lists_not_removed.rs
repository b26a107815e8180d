//! D302: `apt-get install` (or `apt-get update`) in a RUN that leaves
//! `/var/lib/apt/lists/*` in the layer (hadolint DL3009).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::shell::{Command, Script, ShellWord};
use crate::rules::dockerfile::{apt_get_install, cache_mount_targets, program_through, shell_runs, stage_chain};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `apt-get install` without removing `/var/lib/apt/lists/*`
    pub struct AptListsNotRemoved {
        code: D302,
        name: "apt-lists-not-removed",
        severity: Info,
        fix: None,
    }
}

const LISTS: &str = "/var/lib/apt/lists";

/// Whether a path removed by `rm` covers the package lists.
fn covers_lists(path: &str) -> bool {
    let path = path.trim_end_matches('*').trim_end_matches('/');
    path.starts_with(LISTS) || (!path.is_empty() && LISTS.starts_with(path) && LISTS[path.len()..].starts_with('/'))
}

/// The `update` word of `apt-get update`.
fn apt_get_update(command: &Command) -> Option<&ShellWord> {
    if command.program() != Some("apt-get") {
        return None;
    }
    command
        .args()
        .iter()
        .find(|arg| !arg.text.starts_with('-'))
        .filter(|arg| arg.text == "update")
}

/// `rm -rf /var/lib/apt/lists/*`, or `apt-get dist-clean` (apt 2.7+), which removes them too.
fn removes_lists(script: &Script) -> bool {
    script
        .named("rm")
        .any(|command| command.args().iter().any(|arg| covers_lists(&arg.text)))
        || script
            .named("apt-get")
            .any(|command| command.args().iter().any(|arg| arg.text == "dist-clean"))
}

impl Rule for AptListsNotRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let Some(last) = cx.dockerfile.stages.last() else {
            return;
        };
        // Only the final stage and the stages it builds on ship their layers.
        let mut shipped = vec![false; cx.dockerfile.stages.len()];
        for stage in stage_chain(cx.dockerfile, last) {
            shipped[stage.index] = true;
        }
        for run in shell_runs(cx.dockerfile) {
            if !shipped[run.stage.index] {
                continue;
            }
            // A cache mount keeps the lists out of the layer.
            if cache_mount_targets(run.run).iter().any(|target| covers_lists(target)) || removes_lists(run.script) {
                continue;
            }
            // `apt-get update` writes the lists; `apt-get install` is why they are there.
            let found = run.script.commands.iter().find_map(|command| {
                apt_get_install(command)
                    .map(|(install, _)| (command, install))
                    .or_else(|| apt_get_update(command).map(|update| (command, update)))
            });
            let Some((command, subcommand)) = found else {
                continue;
            };
            let message = if subcommand.text == "install" {
                "this RUN installs packages but leaves the apt package lists in the image"
            } else {
                "this RUN downloads the apt package lists and leaves them in the image"
            };
            out.push(
                Diagnostic::new(&META, program_through(command, subcommand), message)
                    .with_label("lists stay in the layer")
                    .with_help(
                        "update, install and clean up in one RUN: \
                         `apt-get update && apt-get install -y … && rm -rf /var/lib/apt/lists/*`",
                    ),
            );
        }
    }
}
