//! `--format gitlab`: GitLab Code Quality JSON. Fingerprints are stable: they
//! hash the file, the rule, the message and the text of the finding's line
//! (not its number), so moving code does not make old findings look new.

use std::collections::HashMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::diagnostic::Severity;
use crate::lint::Checked;

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(files: &[Checked]) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<_> = super::sorted(files)
        .into_iter()
        .map(|(file, diagnostic)| {
            let (start, end) = super::region(file, diagnostic.span);
            let path = file.source.path.to_string_lossy().replace('\\', "/");
            let line_text = file
                .source
                .slice(file.source.lines.line_span(&file.source.text, start.line - 1))
                .trim();
            let key = format!("{path}\0{}\0{}\0{line_text}", diagnostic.rule.code, diagnostic.message);
            // Identical findings on identical lines stay apart by their order.
            let occurrence = seen.entry(key.clone()).and_modify(|count| *count += 1).or_insert(0);
            let fingerprint = Sha256::digest(format!("{key}\0{occurrence}").as_bytes());
            json!({
                "description": format!("{}: {}", diagnostic.rule.code, diagnostic.message),
                "check_name": diagnostic.rule.code,
                "fingerprint": fingerprint.iter().map(|byte| format!("{byte:02x}")).collect::<String>(),
                "severity": severity(diagnostic.severity),
                "location": { "path": path, "lines": { "begin": start.line, "end": end.line } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("issues serialise");
    text.push('\n');
    super::json_safe(text)
}
