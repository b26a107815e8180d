//! D411: RUN with a pipe and no `pipefail` (hadolint DL4006).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::{Arguments, Dockerfile, Instruction};
use crate::dockerfile::shell::ShellWord;
use crate::rules::dockerfile::{ShellRun, shell_runs};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// RUN with a pipe and no `pipefail`
    pub struct Pipefail {
        code: D411,
        name: "pipefail",
        severity: Warning,
        fix: None,
    }
}

/// Whether words hold `-o pipefail` (also in a bundle: `-euo pipefail`).
fn sets_pipefail<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    let words: Vec<&str> = words.collect();
    words.windows(2).any(|pair| {
        pair[1] == "pipefail" && pair[0].starts_with('-') && !pair[0].starts_with("--") && pair[0].contains('o')
    })
}

/// The SHELL in effect for a RUN: the last one before it in its stage or in
/// the stages it builds on.
fn shell_for<'a>(dockerfile: &'a Dockerfile, run: &ShellRun) -> Option<&'a Instruction> {
    let stage = run.stage;
    let before = stage
        .shells
        .partition_point(|&at| dockerfile.instructions[at].span.start < run.run.span.start);
    let inherited = stage.parent.and_then(|parent| dockerfile.stages[parent].shell_at_end);
    before
        .checked_sub(1)
        .map(|last| stage.shells[last])
        .or(inherited)
        .map(|at| &dockerfile.instructions[at])
}

impl Rule for Pipefail {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            let Some(pipe) = run.script.pipes.first() else {
                continue;
            };
            if let Some(shell) = shell_for(cx.dockerfile, &run)
                && let Arguments::Exec(words) = &shell.args
                && sets_pipefail(words.iter().map(|word| word.text.as_str()))
            {
                continue;
            }
            // `set -o pipefail` earlier in the same RUN covers the pipes after it.
            let set_before = run.script.named("set").any(|set| {
                set.span().start < pipe.start && sets_pipefail(set.args().iter().map(|w: &ShellWord| w.text.as_str()))
            });
            if set_before {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    *pipe,
                    "a pipe without `pipefail`: the RUN succeeds even when a command before the `|` fails",
                )
                .with_label("failures before this pipe are ignored")
                .with_help(
                    "set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN \
                     (`/bin/ash` on Alpine), or start the RUN with `set -o pipefail &&`",
                ),
            );
        }
    }
}
