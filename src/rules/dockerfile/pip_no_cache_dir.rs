//! D305: `pip install` without `--no-cache-dir` (hadolint DL3042).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::shell::{Command, ShellWord, parse_args};
use crate::rules::dockerfile::{cache_mount_targets, insert_after, shell_runs, stages_setting};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `pip install` without `--no-cache-dir`
    pub struct PipNoCacheDir {
        code: D305,
        name: "pip-no-cache-dir",
        severity: Info,
        fix: Safe,
    }
}

/// pip options (before or after the subcommand) that take the next word as value.
const LONG_VALUES: [&str; 22] = [
    "proxy",
    "retries",
    "timeout",
    "exists-action",
    "trusted-host",
    "cert",
    "client-cert",
    "cache-dir",
    "log",
    "python",
    "root-user-action",
    "index-url",
    "extra-index-url",
    "find-links",
    "constraint",
    "requirement",
    "editable",
    "target",
    "prefix",
    "root",
    "src",
    "upgrade-strategy",
];

fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// The arguments pip gets: `pip …`, `pip3.11 …`, `python3 -m pip …`.
pub fn pip_args(command: &Command) -> Option<&[ShellWord]> {
    let program = command.program()?;
    let args = command.args();
    if is_versioned(program, "pip") {
        return Some(args);
    }
    if is_versioned(program, "python") {
        let at = args
            .iter()
            .position(|arg| !arg.text.starts_with('-') || arg.text.starts_with("-m"))?;
        return match args[at].text.as_str() {
            "-m" if args.get(at + 1).is_some_and(|module| module.text == "pip") => Some(&args[at + 2..]),
            "-mpip" => Some(&args[at + 1..]),
            _ => None,
        };
    }
    None
}

impl Rule for PipNoCacheDir {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let env_off_in_stage = stages_setting(cx.dockerfile, "PIP_NO_CACHE_DIR");
        for run in shell_runs(cx.dockerfile) {
            if cache_mount_targets(run.run).iter().any(|target| target.contains("pip")) {
                continue;
            }
            for command in &run.script.commands {
                let Some(args) = pip_args(command) else {
                    continue;
                };
                let parsed = parse_args(args, "rcefit", &LONG_VALUES);
                let Some(install) = parsed.operands.first().filter(|word| word.text == "install") else {
                    continue;
                };
                let env_off = command
                    .assignments()
                    .any(|word| word.text.starts_with("PIP_NO_CACHE_DIR="));
                if parsed.has(&["no-cache-dir"]) || env_off || env_off_in_stage[run.stage.index] {
                    continue;
                }
                let start = command.program_word().map_or(install.span, |program| program.span);
                out.push(
                    Diagnostic::new(
                        &META,
                        start.cover(install.span),
                        "`pip install` without `--no-cache-dir` keeps pip's download cache in the image",
                    )
                    .with_label("cache stays in the layer")
                    .with_help("add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`)")
                    .with_fix(
                        "add `--no-cache-dir`",
                        vec![insert_after(command, install, "--no-cache-dir")],
                    ),
                );
            }
        }
    }
}
