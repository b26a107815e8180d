//! D402: relative WORKDIR (hadolint DL3000).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::{Keyword, substitute};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// relative WORKDIR
    pub struct WorkdirRelative {
        code: D402,
        name: "workdir-relative",
        severity: Warning,
        fix: None,
    }
}

/// An absolute path: `/x`, a variable (`$HOME`: judged where it is set), or
/// a Windows path (`C:\app`, `\app`).
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with(['/', '\\', '$']) || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

impl Rule for WorkdirRelative {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if instruction.keyword != Keyword::Workdir {
                continue;
            }
            let written = instruction.args_text();
            // Quotes removed; variables stay as written.
            let path = substitute(written.trim(), |_| None).text;
            if path.is_empty() || is_absolute(&path) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    instruction.args_span,
                    format!("relative WORKDIR `{path}`: it depends on every WORKDIR before it"),
                )
                .with_label("relative path")
                .with_help(format!(
                    "use an absolute path: `WORKDIR /{}`",
                    path.trim_start_matches("./")
                        .trim_start_matches('~')
                        .trim_start_matches('/')
                )),
            );
        }
    }
}
