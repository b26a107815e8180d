//! Source text, byte spans, and the byte → line/column mapping.

use std::path::{Path, PathBuf};

/// Which file of a compose project a span lies in: the index of the file in
/// the project (0 for a file linted alone, and for every Dockerfile).
pub type FileId = u32;

/// A half-open byte range `start..end` into a source text, and the file of
/// the project that text belongs to: a merged compose model holds values
/// from several files, and each keeps where it was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub file: FileId,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end, file: 0 }
    }

    /// Another range of the same file.
    pub const fn sub(self, start: usize, end: usize) -> Self {
        Self {
            start,
            end,
            file: self.file,
        }
    }

    /// The same range, in `file`.
    pub const fn in_file(self, file: FileId) -> Self {
        Self { file, ..self }
    }

    /// An empty span at `offset`, for insertions and end-of-file errors.
    pub const fn point(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        self.sub(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(self, other: Span) -> bool {
        self.file == other.file && self.start <= other.start && other.end <= self.end
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts, for turning spans into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// The characters before every [`CHUNK`]-th byte, kept only for a text
    /// with a line longer than [`LONG_LINE`]: a column far into a line of
    /// megabytes is then counted over at most two chunks.
    chars_before_chunk: Vec<usize>,
}

const CHUNK: usize = 256;

/// Columns on shorter lines are counted from the line start: cheaper than
/// indexing every file for the few with very long lines.
const LONG_LINE: usize = 4096;

/// Characters that start in `bytes`: every byte but UTF-8 continuation bytes.
fn chars_starting_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| (byte as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        let last_line = text.len() - line_starts[line_starts.len() - 1];
        let has_long_line = last_line > LONG_LINE || line_starts.windows(2).any(|pair| pair[1] - pair[0] > LONG_LINE);
        let mut chars_before_chunk = Vec::new();
        if has_long_line {
            chars_before_chunk.push(0);
            for chunk in text.as_bytes().chunks(CHUNK) {
                chars_before_chunk.push(chars_before_chunk[chars_before_chunk.len() - 1] + chars_starting_in(chunk));
            }
        }
        Self {
            line_starts,
            chars_before_chunk,
        }
    }

    /// The characters before byte `offset`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let chunk = offset / CHUNK;
        self.chars_before_chunk[chunk] + chars_starting_in(&text.as_bytes()[chunk * CHUNK..offset])
    }

    /// 0-based line number of the line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte range of 0-based `line`, without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_starts[line];
        let mut end = self.line_starts.get(line + 1).map_or(text.len(), |&next| next - 1);
        if end > start && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// 1-based line and character column of `offset` (clamped to the text).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let mut column = if offset - start > LONG_LINE {
            self.chars_before(text, offset) - self.chars_before(text, start) + 1
        } else {
            chars_starting_in(&text.as_bytes()[start..offset]) + 1
        };
        // A byte-order mark is not a column a user can see.
        if line == 0 && text.starts_with('\u{feff}') && offset > 0 {
            column -= 1;
        }
        LineCol { line: line + 1, column }
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// The directory a file lies in: `.` for a bare file name.
pub fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The largest char boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// What kind of file a source is, which decides how it is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Compose,
    Dockerfile,
}

/// One file's text as read, with the path as the user gave it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user wrote it (relative stays relative); used in output.
    pub path: PathBuf,
    pub kind: FileKind,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, kind: FileKind, text: String) -> Self {
        let lines = LineIndex::new(&text);
        Self {
            path: path.into(),
            kind,
            text,
            lines,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// The source text of `span` (clamped to char boundaries).
    pub fn slice(&self, span: Span) -> &str {
        let end = floor_char_boundary(&self.text, span.end.min(self.text.len()));
        let start = floor_char_boundary(&self.text, span.start.min(end));
        &self.text[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_skip_the_bom() {
        let text = "\u{feff}a: é\r\nbé: x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 3), LineCol { line: 1, column: 1 });
        let x = text.rfind('x').unwrap();
        assert_eq!(index.line_col(text, x), LineCol { line: 2, column: 5 });
        assert_eq!(index.line_span(text, 0), Span::new(0, text.find('\r').unwrap()));
    }

    #[test]
    fn columns_across_chunks_count_characters() {
        let text = format!("x\n{}", "aé€😀".repeat(600));
        let index = LineIndex::new(&text);
        for (at, _) in text.char_indices().skip(2) {
            let column = text[2..at].chars().count() + 1;
            assert_eq!(index.line_col(&text, at), LineCol { line: 2, column });
        }
    }

    /// Columns far into a line of megabytes (a file in flow style) cost no
    /// more than near its start: counting from the line start each time
    /// would take hours here.
    #[test]
    fn columns_on_a_huge_line_do_not_count_from_its_start() {
        let text = "a".repeat(16 << 20);
        let index = LineIndex::new(&text);
        for at in (text.len() - 100_000)..text.len() {
            assert_eq!(index.line_col(&text, at).column, at + 1);
        }
    }
}
