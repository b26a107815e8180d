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

/// A file's text as a snippet shows it: every unsafe character (see
/// [`super::is_unsafe_char`]) in its visible form, line breaks and tabs
/// kept; with where each offset of the file went, for the spans.
struct ShownText {
    text: String,
    /// For each replaced character: the file offset just after it, and the
    /// bytes added up to there.
    shifts: Vec<(usize, usize)>,
}

impl ShownText {
    fn of(text: &str) -> Self {
        let kept = |at: usize, c: char| c == '\n' || c == '\t' || (c == '\r' && text[at + 1..].starts_with('\n'));
        let mut shown = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        let mut added = 0;
        for (at, c) in text.char_indices() {
            if super::is_unsafe_char(c) && !kept(at, c) {
                let visible = super::visible(c);
                added += visible.len() - c.len_utf8();
                shifts.push((at + c.len_utf8(), added));
                shown.push_str(&visible);
            } else {
                shown.push(c);
            }
        }
        Self { text: shown, shifts }
    }

    /// Where a file offset is in the shown text.
    fn offset(&self, offset: usize) -> usize {
        let replaced_before = self.shifts.partition_point(|&(end, _)| end <= offset);
        offset + replaced_before.checked_sub(1).map_or(0, |last| self.shifts[last].1)
    }
}

/// One finding as miette sees it.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedText<'a>,
    shown: &'a ShownText,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::printable(&self.diagnostic.message))
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::printable(&self.diagnostic.message))
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
            .map(|help| Box::new(super::printable_lines(help)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let clamp = |span: crate::source::Span| {
            let end = self.shown.offset(span.end).min(self.source.text.len());
            let start = self.shown.offset(span.start).min(end);
            SourceSpan::from(start..end)
        };
        let label = |text: &String| super::printable(text).into_owned();
        let primary =
            LabeledSpan::new_primary_with_span(self.diagnostic.label.as_ref().map(label), clamp(self.diagnostic.span));
        let secondary =
            self.diagnostic.labels.iter().map(move |secondary| {
                LabeledSpan::new_with_span(Some(label(&secondary.message)), clamp(secondary.span))
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

fn render_diagnostic(source: &SourceFile, shown: &ShownText, diagnostic: &Diagnostic, color: bool, out: &mut String) {
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
            name: super::printable_path(&source.path),
            text: &shown.text,
        },
        shown,
    };
    if handler.render_report(out, &rendered).is_err() {
        out.push_str(&format!(
            "{}: {} {}\n",
            super::printable_path(&source.path),
            diagnostic.rule.code,
            super::printable(&diagnostic.message)
        ));
    }
    out.push('\n');
}

pub fn render(files: &[Checked], color: bool) -> String {
    let mut out = String::new();
    for file in files {
        let masked = masked_source(file);
        let source = masked.as_ref().unwrap_or(&file.source);
        let shown = ShownText::of(&source.text);
        for diagnostic in &file.diagnostics {
            render_diagnostic(source, &shown, diagnostic, color, &mut out);
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
