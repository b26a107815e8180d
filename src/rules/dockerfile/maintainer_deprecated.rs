//! D405: MAINTAINER is deprecated (hadolint DL4000).

use crate::diagnostic::{Diagnostic, Edit};
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// MAINTAINER is deprecated
    pub struct MaintainerDeprecated {
        code: D405,
        name: "maintainer-deprecated",
        severity: Warning,
        fix: Safe,
    }
}

/// `text` as a double-quoted Dockerfile value: MAINTAINER never expands
/// variables, LABEL does, so `$` is escaped too.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl Rule for MaintainerDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if instruction.keyword != Keyword::Maintainer {
                continue;
            }
            let written = instruction.args_text();
            let written = written.trim();
            // `MAINTAINER "Jane <j@x>"` means the name, not the quotes.
            let name = written
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
                .filter(|inner| !inner.contains('"'))
                .unwrap_or(written);
            let mut diagnostic = Diagnostic::new(
                &META,
                instruction.span,
                "MAINTAINER is deprecated: the image's metadata belongs in a LABEL",
            )
            .with_label("deprecated")
            .with_help(format!("LABEL maintainer={}", quoted(name)));
            // A comment line between continuations has no place in the one-line LABEL.
            let commented = cx
                .source
                .slice(instruction.span)
                .lines()
                .skip(1)
                .any(|line| line.trim_start().starts_with('#'));
            if !name.is_empty() && !commented {
                let span = instruction.keyword_span.cover(instruction.args_span);
                // Keep the file's keyword case, as the other instruction rewrites do.
                let lowercase = cx
                    .source
                    .slice(instruction.keyword_span)
                    .starts_with(|c: char| c.is_ascii_lowercase());
                let label = if lowercase { "label" } else { "LABEL" };
                diagnostic = diagnostic.with_fix(
                    "replace MAINTAINER with LABEL maintainer=",
                    vec![Edit::replace(span, format!("{label} maintainer={}", quoted(name)))],
                );
            }
            out.push(diagnostic);
        }
    }
}
