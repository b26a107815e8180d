//! `--format checkstyle`: Checkstyle XML, read by many CI dashboards.

use super::xml::escape;
use crate::lint::Checked;

pub fn render(files: &[Checked]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    let mut sorted: Vec<&Checked> = files.iter().collect();
    sorted.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    for file in sorted {
        out.push_str(&format!(
            "  <file name=\"{}\">\n",
            escape(&super::printable_path(&file.source.path))
        ));
        for (_, diagnostic) in super::sorted(std::slice::from_ref(file)) {
            let (start, _) = super::region(file, diagnostic.span);
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"vwe-lint.{}\"/>\n",
                start.line,
                start.column,
                diagnostic.severity.as_str(),
                escape(&super::printable(&diagnostic.message)),
                diagnostic.rule.code
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
