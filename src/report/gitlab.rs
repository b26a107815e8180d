//! `--format gitlab`: GitLab Code Quality JSON, with stable fingerprints
//! (`super::fingerprint`).

use serde_json::json;

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
    let mut fingerprints = super::fingerprint::Fingerprints::default();
    let issues: Vec<_> = super::sorted(files)
        .into_iter()
        .map(|(file, diagnostic)| {
            let (start, end) = super::region(file, diagnostic.span);
            let path = file.source.path.to_string_lossy().replace('\\', "/");
            json!({
                "description": format!("{}: {}", diagnostic.rule.code, diagnostic.message),
                "check_name": diagnostic.rule.code,
                "fingerprint": fingerprints.next(file, diagnostic),
                "severity": severity(diagnostic.severity),
                "location": { "path": path, "lines": { "begin": start.line, "end": end.line } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("issues serialise");
    text.push('\n');
    super::json_safe(text)
}
