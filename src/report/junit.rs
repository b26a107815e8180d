//! `--format junit`: JUnit XML. Each linted file is a test suite; each
//! finding a failed test case; a file without findings one passing case.

use super::xml::escape;
use crate::lint::Checked;

pub fn render(files: &[Checked]) -> String {
    let total: usize = files.iter().map(|file| file.diagnostics.len().max(1)).sum();
    let failures: usize = files.iter().map(|file| file.diagnostics.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"vwe-lint\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    let mut sorted: Vec<&Checked> = files.iter().collect();
    sorted.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    for file in sorted {
        let shown_path = super::printable_path(&file.source.path);
        let path = escape(&shown_path);
        let findings = super::sorted(std::slice::from_ref(file));
        out.push_str(&format!(
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
            findings.len().max(1),
            findings.len()
        ));
        if findings.is_empty() {
            out.push_str(&format!("    <testcase name=\"vwe-lint\" classname=\"{path}\"/>\n"));
        }
        for (_, diagnostic) in findings {
            let (start, _) = super::region(file, diagnostic.span);
            let name = format!(
                "{} {} at {}:{}",
                diagnostic.rule.code, diagnostic.rule.name, start.line, start.column
            );
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{path}\">\n",
                escape(&name)
            ));
            let message = super::printable(&diagnostic.message);
            let mut body = format!("{shown_path}:{}:{}: {message}", start.line, start.column);
            if let Some(help) = &diagnostic.help {
                body.push_str(&format!("\nhelp: {}", super::printable_lines(help)));
            }
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                escape(&message),
                diagnostic.severity.as_str(),
                escape(&body)
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
