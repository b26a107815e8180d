//! `--format github`: GitHub Actions workflow commands, which GitHub shows as
//! annotations on the lines of a pull request.

use crate::diagnostic::Severity;
use crate::lint::Checked;

/// Escapes a command's message (data): control characters are made
/// visible first, so none reaches the log (a line break would end the
/// command and let the rest forge another one).
fn escape_data(text: &str) -> String {
    super::printable(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value, where `:` and `,` are separators too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(files: &[Checked]) -> String {
    let mut out = String::new();
    for (file, diagnostic) in super::sorted(files) {
        let (start, end) = super::region(file, diagnostic.span);
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&file.source.path.display().to_string()),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", diagnostic.rule.code, diagnostic.rule.name)),
            escape_data(&diagnostic.message)
        ));
    }
    out
}
