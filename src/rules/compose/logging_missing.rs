//! C601: a service has no `logging:`.

use crate::compose::edit::{Block, block_text, indent_step, insert_entries};
use crate::compose::service_facts::{Found, find_key};
use crate::diagnostic::Diagnostic;
use crate::rules::{ComposeContext, Rule, RuleMeta, declare_rule};
use crate::standards::Standards;

declare_rule! {
    /// no `logging:`
    pub struct LoggingMissing {
        code: C601,
        name: "logging-missing",
        severity: Warning,
        fix: Safe,
    }
}

/// The standard `logging:` entry; option values are quoted, since Docker
/// takes logging options as strings.
pub fn standard_logging(standards: &Standards) -> Vec<(String, Block)> {
    let logging = &standards.logging;
    vec![(
        "logging".to_string(),
        Block::mapping([
            ("driver", Block::scalar(logging.driver.clone())),
            (
                "options",
                Block::mapping([
                    ("max-size", Block::scalar(format!("\"{}\"", logging.max_size))),
                    ("max-file", Block::scalar(format!("\"{}\"", logging.max_file))),
                ]),
            ),
        ]),
    )]
}

impl Rule for LoggingMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        let block = standard_logging(cx.standards);
        let logging = &cx.standards.logging;
        for service in file.services() {
            if !matches!(find_key(service, "logging"), Found::Absent) {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                &META,
                service.name_span(),
                format!(
                    "service `{}` sets no `logging:` (Docker's default, `json-file` without limits, keeps every line); the standard is driver `{}` with `max-size: {}`, `max-file: {}`",
                    service.name, logging.driver, logging.max_size, logging.max_file
                ),
            )
            .with_label("no logging")
            .with_help(block_text(&block, 2));
            let span = service.node().span;
            if let Some(edit) = insert_entries(cx, service.node(), &block, indent_step(cx, file.root, span.file)) {
                diagnostic = diagnostic.with_fix("add the standard `logging:` block", vec![edit]);
            }
            out.push(diagnostic);
        }
    }
}
