//! Byte-range edits of compose YAML that keep the file's own layout:
//! indentation, block or flow style, line endings, and every comment.

use crate::diagnostic::Edit;
use crate::source::Span;

use super::yaml::{Entry, Node};

/// The line break the file uses (`\r\n` when its first line ends so).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(index) if index > 0 && text.as_bytes()[index - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |index| index + 1)
}

/// The text between the start of the line and `offset`, when it is blank.
fn indentation_before(text: &str, offset: usize) -> Option<&str> {
    let start = line_start(text, offset);
    let prefix = &text[start..offset];
    prefix.chars().all(|c| c == ' ' || c == '\t').then_some(prefix)
}

/// Whether a mapping is written in flow style (`{a: b}`).
pub fn is_flow(text: &str, node: &Node) -> bool {
    text.as_bytes().get(node.span.start) == Some(&b'{')
}

/// The offset just past the end of the line on which `span` ends.
fn after_line(text: &str, span: Span) -> Option<usize> {
    let end = span.end.min(text.len());
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        return Some(end);
    }
    text[end..].find('\n').map(|index| end + index + 1)
}

/// An edit that adds `key: value` to `mapping`, after `after` (or after its
/// last entry), in the mapping's own style. `None` when the mapping is an
/// alias copy (the edit would change every user of the anchor) or its layout
/// is not one a person would recognise.
pub fn insert_entry(text: &str, mapping: &Node, after: Option<&Entry>, key: &str, value: &str) -> Option<Edit> {
    if mapping.alias.is_some() {
        return None;
    }
    let entries = &mapping.as_mapping()?.entries;
    if is_flow(text, mapping) {
        let close = mapping.span.end.checked_sub(1)?;
        let separator = if entries.is_empty() { "" } else { ", " };
        return Some(Edit::insert(close, format!("{separator}{key}: {value}")));
    }
    let own: Vec<&Entry> = entries.iter().filter(|entry| entry.merged_from.is_none()).collect();
    let first_key = own
        .first()
        .map(|entry| entry.key.span)
        .or_else(|| entries.first()?.merged_from)?;
    let indent = indentation_before(text, first_key.start)?;
    let anchor_entry = after.or_else(|| own.last().copied())?;
    let end = anchor_entry.value.span.end.max(anchor_entry.key.span.end);
    let newline = line_ending(text);
    Some(match after_line(text, Span::new(end, end)) {
        Some(offset) => Edit::insert(offset, format!("{indent}{key}: {value}{newline}")),
        None => Edit::insert(text.len(), format!("{newline}{indent}{key}: {value}")),
    })
}

/// An edit that removes a one-line `key: value` entry, keeping a trailing
/// comment on its line.
pub fn remove_entry(text: &str, entry: &Entry) -> Option<Edit> {
    indentation_before(text, entry.key.span.start)?;
    let start = line_start(text, entry.key.span.start);
    let value_end = entry.value.span.end.max(entry.key.span.end);
    if text[entry.key.span.start..value_end].contains('\n') {
        return None;
    }
    let rest_end = text[value_end..]
        .find('\n')
        .map_or(text.len(), |index| value_end + index + 1);
    let rest = &text[value_end..rest_end];
    if rest.trim().is_empty() {
        Some(Edit::delete(Span::new(start, rest_end)))
    } else {
        let comment_start = value_end + (rest.len() - rest.trim_start().len());
        Some(Edit::delete(Span::new(start, comment_start)))
    }
}
