//! `--format human`: every finding rendered by miette with its source
//! snippet, labels and help line, then a summary line.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Checked;
use crate::source::SourceFile;

/// A source text under the path the user gave, for miette.
struct NamedText<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let contents = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// One finding as miette sees it.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedText<'a>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.diagnostic.rule.code, self.diagnostic.rule.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let clamp = |span: crate::source::Span| {
            let end = span.end.min(self.source.text.len());
            let start = span.start.min(end);
            SourceSpan::from(start..end)
        };
        let primary = LabeledSpan::new_primary_with_span(self.diagnostic.label.clone(), clamp(self.diagnostic.span));
        let secondary = self
            .diagnostic
            .labels
            .iter()
            .map(move |label| LabeledSpan::new_with_span(Some(label.message.clone()), clamp(label.span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

pub fn render_diagnostic(source: &SourceFile, diagnostic: &Diagnostic, color: bool, out: &mut String) {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_break_words(false);
    let rendered = Rendered {
        diagnostic,
        source: NamedText {
            name: source.path.display().to_string(),
            text: &source.text,
        },
    };
    if handler.render_report(out, &rendered).is_err() {
        out.push_str(&format!(
            "{}: {} {}\n",
            source.path.display(),
            diagnostic.rule.code,
            diagnostic.message
        ));
    }
    out.push('\n');
}

pub fn render(files: &[Checked], color: bool) -> String {
    let mut out = String::new();
    for file in files {
        let masked = masked_source(file);
        let source = masked.as_ref().unwrap_or(&file.source);
        for diagnostic in &file.diagnostics {
            render_diagnostic(source, diagnostic, color, &mut out);
        }
    }
    out
}

/// The file with every span a finding masks (secret values) overwritten by
/// `*`, byte for byte, so every other span still points at the same text;
/// snippets show context lines, so all findings of the file use it.
fn masked_source(file: &Checked) -> Option<SourceFile> {
    let spans: Vec<_> = file.diagnostics.iter().flat_map(|d| &d.masked).collect();
    if spans.is_empty() {
        return None;
    }
    let mut bytes = file.source.text.clone().into_bytes();
    for span in spans {
        let end = span.end.min(bytes.len());
        bytes[span.start.min(end)..end].fill(b'*');
    }
    // Spans lie on character boundaries, but a lossy read keeps this total.
    let text = String::from_utf8(bytes).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    Some(SourceFile::new(file.source.path.clone(), file.source.kind, text))
}
