//! `--format concise`: `file:line:col: CODE [severity] message`, one per line.

use crate::lint::Checked;

pub fn render(files: &[Checked]) -> String {
    let mut out = String::new();
    for (file, diagnostic) in super::sorted(files) {
        let (start, _) = super::region(file, diagnostic.span);
        out.push_str(&format!(
            "{}:{}:{}: {} [{}] {}\n",
            super::printable_path(&file.source.path),
            start.line,
            start.column,
            diagnostic.rule.code,
            diagnostic.severity.as_str(),
            super::printable(&diagnostic.message)
        ));
    }
    out
}
