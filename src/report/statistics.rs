//! `--statistics`: how often each rule fired, most frequent first (as ruff
//! shows it), in text or JSON.

use std::collections::BTreeMap;

use serde_json::json;

use crate::lint::Checked;
use crate::rules::{FixKind, RuleMeta};

fn counts(files: &[Checked]) -> Vec<(&'static RuleMeta, usize)> {
    let mut by_code: BTreeMap<&'static str, (&'static RuleMeta, usize)> = BTreeMap::new();
    for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
        by_code.entry(diagnostic.rule.code).or_insert((diagnostic.rule, 0)).1 += 1;
    }
    let mut counts: Vec<_> = by_code.into_values().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code.cmp(b.0.code)));
    counts
}

/// `  12  C503  [*] restart-policy`; `[*]` marks a rule `--fix` can fix.
pub fn render_text(files: &[Checked]) -> String {
    counts(files)
        .into_iter()
        .map(|(meta, count)| {
            let marker = if meta.fix == FixKind::None { "   " } else { "[*]" };
            format!("{count:>5}  {}  {marker} {}\n", meta.code, meta.name)
        })
        .collect()
}

pub fn render_json(files: &[Checked]) -> String {
    let rows: Vec<_> = counts(files)
        .into_iter()
        .map(|(meta, count)| json!({ "code": meta.code, "name": meta.name, "count": count, "fixable": meta.fix != FixKind::None }))
        .collect();
    serde_json::to_string_pretty(&rows).expect("statistics serialise") + "\n"
}
