//! Stable identities of findings for GitLab and SARIF: the file, the rule,
//! the stable part of the message (a live finding's identity leaves out
//! counts, durations and container names) and the text of the finding's
//! line (not its number), so moving code or a changing engine does not make
//! old findings look new.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::lint::Checked;

#[derive(Default)]
pub struct Fingerprints {
    seen: HashMap<String, usize>,
}

impl Fingerprints {
    /// The fingerprint of the next finding, in report order.
    pub fn next(&mut self, file: &Checked, diagnostic: &Diagnostic) -> String {
        let (start, _) = super::region(file, diagnostic.span);
        let path = file.source.path.to_string_lossy().replace('\\', "/");
        let line_text = file
            .source
            .slice(file.source.lines.line_span(&file.source.text, start.line - 1))
            .trim();
        let what = diagnostic.identity.as_deref().unwrap_or(&diagnostic.message);
        let key = format!("{path}\0{}\0{what}\0{line_text}", diagnostic.rule.code);
        // Identical findings on identical lines stay apart by their order.
        let occurrence = self
            .seen
            .entry(key.clone())
            .and_modify(|count| *count += 1)
            .or_insert(0);
        let digest = Sha256::digest(format!("{key}\0{occurrence}").as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}
