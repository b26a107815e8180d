//! D413: `ENV key value` instead of `ENV key=value`.

use crate::diagnostic::{Diagnostic, Edit};
use crate::dockerfile::parse::Keyword;
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `ENV key value` instead of `ENV key=value`
    pub struct LegacyEnvFormat {
        code: D413,
        name: "legacy-env-format",
        severity: Warning,
        fix: Safe,
    }
}

/// The value for `key=…` that means what `raw` means in `ENV key raw`: one
/// quoted string stays as written, plain text gets double quotes (which keep
/// `$VAR` expanding). `None` for mixed quoting and escapes, or several lines.
fn new_form_value(raw: &str) -> Option<String> {
    if raw.contains(['\n', '\r']) {
        return None;
    }
    for quote in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote))
            && !inner.contains(quote)
            && !inner.contains('\\')
        {
            return Some(raw.to_string());
        }
    }
    (!raw.contains(['"', '\'', '\\'])).then(|| format!("\"{raw}\""))
}

impl Rule for LegacyEnvFormat {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for instruction in &cx.dockerfile.instructions {
            if instruction.keyword != Keyword::Env {
                continue;
            }
            let Some(kv) = instruction.key_values.first().filter(|kv| kv.legacy) else {
                continue;
            };
            let Some(value) = &kv.value else { continue };
            let span = kv.key.span.cover(value.span);
            let raw = &cx.source.text[value.span.start..value.span.end];
            let key = &cx.source.text[kv.key.span.start..kv.key.span.end];
            let mut diagnostic = Diagnostic::new(
                &META,
                span,
                format!("`ENV {} …` without `=` is the legacy form", kv.key.text),
            )
            .with_label("legacy ENV format")
            .with_help(format!("write `ENV {}=\"…\"`: one form for every ENV", kv.key.text));
            if let Some(new_value) = new_form_value(raw) {
                let replacement = format!("{key}={new_value}");
                diagnostic = diagnostic
                    .with_help(format!("write `ENV {replacement}`"))
                    .with_fix("rewrite as `key=value`", vec![Edit::replace(span, replacement)]);
            }
            out.push(diagnostic);
        }
    }
}
