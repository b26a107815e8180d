//! The rule catalog as `vwe-lint rules` prints it: a table for people,
//! JSON for tools, and the Markdown of `docs/rules.md`. All three are made
//! from the rules' declarations, so none can drift from the code.

use serde::Serialize;

use super::{RuleMeta, all_metas};

/// The table `vwe-lint rules` prints by default.
pub fn text() -> String {
    let mut out = format!(
        "{:<6} {:<32} {:<8} {:<7} {}\n",
        "code", "name", "severity", "fix", "summary"
    );
    for meta in all_metas() {
        out.push_str(&format!(
            "{:<6} {:<32} {:<8} {:<7} {}\n",
            meta.code,
            meta.name,
            meta.severity.as_str(),
            meta.fix.as_str(),
            summary(meta)
        ));
    }
    out
}

/// The summary, with a preview rule marked.
fn summary(meta: &RuleMeta) -> String {
    if meta.preview {
        format!("(preview) {}", meta.summary)
    } else {
        meta.summary.to_string()
    }
}

/// One object per rule, in catalog order.
pub fn json() -> String {
    let rules: Vec<_> = all_metas().map(describe).collect();
    let mut out = serde_json::to_string_pretty(&rules).expect("strings serialize");
    out.push('\n');
    out
}

/// A rule as `--format json` lists it, fields in this order.
#[derive(Serialize)]
struct Entry {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    fix: &'static str,
    summary: &'static str,
    preview: bool,
}

fn describe(meta: &'static RuleMeta) -> Entry {
    Entry {
        code: meta.code,
        name: meta.name,
        severity: meta.severity.as_str(),
        fix: meta.fix.as_str(),
        summary: meta.summary,
        preview: meta.preview,
    }
}

/// `docs/rules.md`: the catalog, each code linking to its doc.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         Generated from the rules' declarations by `vwe-lint rules --format markdown > docs/rules.md`;\n\
         a test fails when this file is stale. Each rule's page is `vwe-lint rule CODE`.\n\n\
         | code | name | severity | fix | checks |\n\
         |---|---|---|---|---|\n",
    );
    for meta in all_metas() {
        out.push_str(&format!(
            "| [{code}](../rules/{code}.md) | {} | {} | {} | {} |\n",
            meta.name,
            meta.severity.as_str(),
            meta.fix.as_str(),
            summary(meta).replace('|', "\\|"),
            code = meta.code,
        ));
    }
    out
}
