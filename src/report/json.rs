//! `--format json`: one array of findings, sorted by file, line, column, code.

use serde::Serialize;

use crate::diagnostic::{Applicability, Diagnostic};
use crate::lint::Checked;
use crate::source::SourceFile;

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

fn finding<'a>(source: &SourceFile, diagnostic: &'a Diagnostic) -> JsonFinding<'a> {
    let start = source.line_col(diagnostic.span.start);
    let end = source.line_col(diagnostic.span.end);
    JsonFinding {
        code: diagnostic.rule.code,
        name: diagnostic.rule.name,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        file: source.path.display().to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        help: diagnostic.help.as_deref(),
        fix: diagnostic.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability,
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|edit| {
                    let start = source.line_col(edit.span.start);
                    let end = source.line_col(edit.span.end);
                    JsonEdit {
                        line: start.line,
                        column: start.column,
                        end_line: end.line,
                        end_column: end.column,
                        content: &edit.content,
                    }
                })
                .collect(),
        }),
    }
}

fn findings(files: &[Checked]) -> Vec<JsonFinding<'_>> {
    super::sorted(files)
        .into_iter()
        .map(|(file, diagnostic)| finding(&file.source, diagnostic))
        .collect()
}

pub fn render(files: &[Checked]) -> String {
    let mut text = serde_json::to_string_pretty(&findings(files)).expect("findings serialise");
    text.push('\n');
    super::json_safe(text)
}

/// `--format json-lines`: the same objects, one per line.
pub fn render_lines(files: &[Checked]) -> String {
    findings(files)
        .iter()
        .map(|finding| super::json_safe(serde_json::to_string(finding).expect("findings serialise")) + "\n")
        .collect()
}
