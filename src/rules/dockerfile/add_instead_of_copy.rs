//! D403: ADD of local files that are no archives (hadolint DL3020).

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Edit};
use crate::dockerfile::parse::{Arguments, Keyword, substitute};
use crate::rules::dockerfile::stage_env;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ADD of a local file that is no archive
    pub struct AddInsteadOfCopy {
        code: D403,
        name: "add-instead-of-copy",
        severity: Warning,
        fix: Safe,
    }
}

/// Extensions of the (compressed) tar archives ADD unpacks.
const ARCHIVES: [&str; 15] = [
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".gz", ".bz2",
    ".xz", ".zst", ".tar.lz4",
];

/// ADD flags COPY does not have: their ADD stays an ADD.
const ADD_ONLY_FLAGS: [&str; 3] = ["checksum", "keep-git-dir", "unpack"];

/// Whether ADD does something COPY cannot with this source: fetch a URL or a
/// git repository, unpack an archive; or it cannot tell (a variable with no value).
fn needs_add(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || source.contains('$')
        || ARCHIVES.iter().any(|extension| lower.ends_with(extension))
}

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if instruction.keyword != Keyword::Add
                || instruction
                    .flags
                    .iter()
                    .any(|f| ADD_ONLY_FLAGS.contains(&f.name.as_str()))
            {
                continue;
            }
            let sources: Vec<String> = match &instruction.args {
                Arguments::Exec(words) => words.iter().map(|word| word.text.clone()).collect(),
                Arguments::Shell(text) => text.text.split_whitespace().map(str::to_string).collect(),
            };
            let Some((_destination, sources)) = sources.split_last() else {
                continue;
            };
            let env = match instruction.stage {
                Some(stage) if sources.iter().any(|source| source.contains('$')) => {
                    stage_env(cx.dockerfile, &cx.dockerfile.stages[stage], instruction.span.start)
                }
                _ => HashMap::new(),
            };
            let resolved = |source: &String| substitute(source, |name| env.get(name).cloned()).text;
            if sources.is_empty() || sources.iter().any(|source| needs_add(&resolved(source))) {
                continue;
            }
            let keyword = &cx.source.text[instruction.keyword_span.start..instruction.keyword_span.end];
            let copy = if keyword.bytes().all(|b| b.is_ascii_lowercase()) {
                "copy"
            } else {
                "COPY"
            };
            out.push(
                Diagnostic::new(
                    &META,
                    instruction.keyword_span,
                    "ADD of local files: COPY does the same without ADD's URL fetching and archive unpacking",
                )
                .with_label("use COPY")
                .with_help("use COPY for local files and folders; keep ADD for URLs, git and archives to unpack")
                .with_fix(
                    "replace ADD with COPY",
                    vec![Edit::replace(instruction.keyword_span, copy)],
                ),
            );
        }
    }
}
