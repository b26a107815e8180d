//! D407: `COPY --from=x` where x is no earlier stage (hadolint DL3022).

use crate::diagnostic::Diagnostic;
use crate::dockerfile::parse::{Keyword, substitute};
use crate::rules::{DockerfileContext, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// `COPY --from` names no earlier stage
    pub struct CopyFromUnknownStage {
        code: D407,
        name: "copy-from-unknown-stage",
        severity: Error,
        fix: None,
    }
}

impl Rule for CopyFromUnknownStage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        let dockerfile = cx.dockerfile;
        for instruction in &dockerfile.instructions {
            if instruction.keyword != Keyword::Copy {
                continue;
            }
            let (Some(flag), Some(index)) = (instruction.flag("from"), instruction.stage) else {
                continue;
            };
            let Some(written) = flag.value.as_deref() else { continue };
            let lookup = |name: &str| dockerfile.global_value(name).flatten().map(str::to_string);
            let resolved = substitute(written, lookup);
            // A value that does not resolve cannot be judged.
            if !resolved.missing.is_empty() || resolved.text.is_empty() {
                continue;
            }
            let from = resolved.text;
            let span = flag.value_span.unwrap_or(flag.span);
            let stages = &dockerfile.stages;
            let message = if let Ok(number) = from.parse::<usize>() {
                if number < index {
                    continue;
                }
                format!(
                    "`--from={from}` names stage {number}, but this is stage {index}: only earlier stages can be copied from"
                )
            } else {
                if dockerfile.names_stage_before(&from, index) {
                    continue;
                }
                // An image pinned by tag or digest is a deliberate image reference.
                if from.contains([':', '@']) {
                    continue;
                }
                if dockerfile.names_stage_from(&from, index) {
                    format!("`--from={from}` names this or a later stage: a stage can only copy from earlier ones")
                } else if from.contains('/') {
                    format!(
                        "`--from={from}` is no stage but an image without a tag: it copies from whatever `latest` is"
                    )
                } else {
                    format!("no earlier stage is named `{from}`: Docker would pull the image `{from}:latest` instead")
                }
            };
            let names: Vec<&str> = stages[..index]
                .iter()
                .filter_map(|stage| stage.name.as_ref().map(|name| name.text.as_str()))
                .collect();
            let help = if names.is_empty() {
                "name an earlier stage (`FROM image AS build`), or an image with its tag (`--from=image:tag`)"
                    .to_string()
            } else {
                format!(
                    "name an earlier stage (`{}`), or an image with its tag (`--from=image:tag`)",
                    names.join("`, `")
                )
            };
            out.push(
                Diagnostic::new(&META, span, message)
                    .with_label("unknown stage")
                    .with_help(help),
            );
        }
    }
}
