//! D306: `apk add` without `--no-cache` (hadolint DL3019).

use crate::diagnostic::Diagnostic;
use crate::rules::dockerfile::{cache_mount_targets, insert_after, program_through, shell_runs, subcommand};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `apk add` without `--no-cache`
    pub struct ApkNoCache {
        code: D306,
        name: "apk-no-cache",
        severity: Info,
        fix: Safe,
    }
}

/// apk options that take the next word as value.
const LONG_VALUES: [&str; 8] = [
    "repository",
    "root",
    "virtual",
    "arch",
    "cache-dir",
    "keys-dir",
    "repositories-file",
    "cache-max-age",
];

impl Rule for ApkNoCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in shell_runs(cx.dockerfile) {
            let cached = cache_mount_targets(run.run)
                .iter()
                .any(|target| target.contains("/var/cache/apk") || target.contains("/etc/apk/cache"));
            if cached {
                continue;
            }
            for command in run.script.named("apk") {
                let Some((add, parsed)) = subcommand(command, "add", "Xpt", &LONG_VALUES) else {
                    continue;
                };
                // `--no-network` installs from what is there: it fetches no index either.
                if parsed.has(&["no-cache", "no-network"]) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        program_through(command, add),
                        "`apk add` without `--no-cache` keeps the package index in the image",
                    )
                    .with_label("index stays in the layer")
                    .with_help("add `--no-cache`: `apk add --no-cache <packages>`")
                    .with_fix("add `--no-cache`", vec![insert_after(command, add, "--no-cache")]),
                );
            }
        }
    }
}
