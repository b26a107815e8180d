//! `--format concise`: `file:line:col: CODE [severity] message`, one per line.

use crate::lint::Checked;

pub fn render(files: &[Checked]) -> String {
    let mut out = String::new();
    for (file, diagnostic) in super::sorted(files) {
        let (start, _) = super::region(file, diagnostic.span);
        out.push_str(&format!(
            "{}:{}:{}: {} [{}] {}\n",
            file.source.path.display(),
            start.line,
            start.column,
            diagnostic.rule.code,
            diagnostic.severity.as_str(),
            diagnostic.message
        ));
    }
    out
}
