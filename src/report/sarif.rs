//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it: every
//! rule with its description, help address and default level; every result
//! with its region (1-based lines, columns in Unicode code points) and fixes.

use serde_json::{Value, json};

use crate::diagnostic::Severity;
use crate::lint::Checked;
use crate::rules;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a SARIF URI reference: forward slashes, relative stays relative.
fn uri(file: &Checked) -> String {
    file.source.path.to_string_lossy().replace('\\', "/")
}

fn region(file: &Checked, span: crate::source::Span) -> Value {
    let (start, end) = super::region(file, span);
    json!({ "startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column })
}

pub fn render(files: &[Checked]) -> String {
    let metas: Vec<_> = rules::all_metas().collect();
    let driver_rules: Vec<Value> = metas
        .iter()
        .map(|meta| {
            json!({
                "id": meta.code,
                "name": meta.name,
                "shortDescription": { "text": meta.summary },
                "fullDescription": { "text": meta.summary },
                "help": { "text": format!("vwe-lint rule {}", meta.code), "markdown": meta.doc },
                "helpUri": super::rule_url(meta.code),
                "defaultConfiguration": { "level": level(meta.severity) },
            })
        })
        .collect();
    let mut fingerprints = super::fingerprint::Fingerprints::default();
    let results: Vec<Value> = super::sorted(files)
        .into_iter()
        .map(|(file, diagnostic)| {
            let index = metas.iter().position(|meta| meta.code == diagnostic.rule.code).unwrap_or(0);
            let mut message = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let mut result = json!({
                "ruleId": diagnostic.rule.code,
                "ruleIndex": index,
                "level": level(diagnostic.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(file) },
                        "region": region(file, diagnostic.span),
                    }
                }],
                "partialFingerprints": { "vweLint/v1": fingerprints.next(file, diagnostic) },
            });
            if let Some(fix) = &diagnostic.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|edit| json!({ "deletedRegion": region(file, edit.span), "insertedContent": { "text": edit.content } }))
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": fix.message },
                    "artifactChanges": [{ "artifactLocation": { "uri": uri(file) }, "replacements": replacements }],
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "vwe-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": driver_rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    text.push('\n');
    super::json_safe(text)
}
