//! Byte-range edits of compose YAML that keep the file's own layout:
//! indentation, block or flow style, line endings, and every comment.

//!
//! In a merged project a mapping may hold entries from several files: edits
//! only ever look at the entries written in the mapping's own file, and are
//! made in that file (the caller passes that file's text).

use crate::diagnostic::Edit;
use crate::source::{FileId, Span};

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

fn entry_end(entry: &Entry) -> usize {
    entry.value.span.end.max(entry.key.span.end)
}

/// Whether an entry is written in `file` itself: not merged in with `<<`,
/// not brought in from another file of the project.
fn written_in(entry: &Entry, file: FileId) -> bool {
    entry.merged_from.is_none() && entry.key.span.file == file
}

/// Where the mapping's own text ends: its last own entry, or, when all its
/// entries are merged, the last `<<` key whose aliases fit on its line.
fn own_end(text: &str, entries: &[Entry], file: FileId) -> Option<usize> {
    let own = entries.iter().filter(|entry| written_in(entry, file)).map(entry_end);
    own.max().or_else(|| {
        let merge_keys = entries
            .iter()
            .filter_map(|entry| entry.merged_from)
            .filter(|key| key.file == file);
        merge_keys
            .filter(|key| merge_on_one_line(text, *key))
            .map(|key| key.end)
            .max()
    })
}

/// Whether a `<<` key's value (`*a` or `[*a, *b]`) ends on the key's line.
fn merge_on_one_line(text: &str, key: Span) -> bool {
    let line_end = text[key.end..].find('\n').map_or(text.len(), |index| key.end + index);
    let value = text[key.end..line_end]
        .trim_start()
        .strip_prefix(':')
        .unwrap_or("")
        .trim();
    value.starts_with('*') || (value.starts_with('[') && value.contains(']'))
}

/// An edit that adds `key: value` to `mapping`, after `after` (or after its
/// last entry), in the mapping's own style. `None` when the mapping is an
/// alias copy (the edit would change every user of the anchor) or its layout
/// is not one a person would recognise.
pub fn insert_entry(text: &str, mapping: &Node, after: Option<&Entry>, key: &str, value: &str) -> Option<Edit> {
    let file = mapping.span.file;
    insert_entry_in(text, mapping, after.filter(|after| written_in(after, file)), key, value)
        .map(|edit| edit.in_file(file))
}

fn insert_entry_in(text: &str, mapping: &Node, after: Option<&Entry>, key: &str, value: &str) -> Option<Edit> {
    if mapping.alias.is_some() {
        return None;
    }
    let file = mapping.span.file;
    let entries = &mapping.as_mapping()?.entries;
    if is_flow(text, mapping) {
        if let Some(after) = after {
            return Some(Edit::insert(entry_end(after), format!(", {key}: {value}")));
        }
        let close = mapping.span.end.checked_sub(1)?;
        let separator = if first_own_key(entries, file).is_none() {
            ""
        } else {
            ", "
        };
        return Some(Edit::insert(close, format!("{separator}{key}: {value}")));
    }
    let first_key = first_own_key(entries, file)?;
    let indent = indentation_before(text, first_key.start)?;
    let end = match after {
        Some(after) => entry_end(after),
        None => own_end(text, entries, file)?,
    };
    let newline = line_ending(text);
    Some(match after_line(text, Span::new(end, end)) {
        Some(offset) => Edit::insert(offset, format!("{indent}{key}: {value}{newline}")),
        None => Edit::insert(text.len(), format!("{newline}{indent}{key}: {value}")),
    })
}

/// The key of the first entry written in the mapping's own text, or else the
/// first `<<` key there.
fn first_own_key(entries: &[Entry], file: FileId) -> Option<Span> {
    entries
        .iter()
        .find(|entry| written_in(entry, file))
        .map(|entry| entry.key.span)
        .or_else(|| {
            entries
                .iter()
                .filter_map(|entry| entry.merged_from)
                .find(|key| key.file == file)
        })
}

/// An edit that removes a one-line `key: value` entry, keeping a trailing
/// comment on its line.
pub fn remove_entry(text: &str, entry: &Entry) -> Option<Edit> {
    remove_entry_in(text, entry).map(|edit| edit.in_file(entry.key.span.file))
}

fn remove_entry_in(text: &str, entry: &Entry) -> Option<Edit> {
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

/// A value to insert: a scalar written as YAML text, or a nested mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Scalar(String),
    Mapping(Vec<(String, Block)>),
}

impl Block {
    /// A mapping from `(key, value)` pairs.
    pub fn mapping<K: Into<String>>(entries: impl IntoIterator<Item = (K, Block)>) -> Block {
        Block::Mapping(entries.into_iter().map(|(key, value)| (key.into(), value)).collect())
    }

    pub fn scalar(text: impl Into<String>) -> Block {
        Block::Scalar(text.into())
    }

    /// In flow style: `{a: b, c: {d: e}}`, or the scalar's text.
    fn flow(&self) -> String {
        match self {
            Block::Scalar(text) => text.clone(),
            Block::Mapping(entries) => format!("{{{}}}", flow_entries(entries)),
        }
    }
}

fn flow_entries(entries: &[(String, Block)]) -> String {
    entries
        .iter()
        .map(|(key, value)| format!("{key}: {}", value.flow()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Block-style lines for `entries`, each starting with `indent` plus `step`
/// spaces per nesting level and ending in `newline`.
fn block_lines(entries: &[(String, Block)], indent: &str, step: usize, newline: &str, out: &mut String) {
    for (key, value) in entries {
        match value {
            Block::Scalar(text) => out.push_str(&format!("{indent}{key}: {text}{newline}")),
            Block::Mapping(inner) => {
                out.push_str(&format!("{indent}{key}:{newline}"));
                let deeper = format!("{indent}{}", " ".repeat(step));
                block_lines(inner, &deeper, step, newline, out);
            }
        }
    }
}

/// `entries` as block YAML text with `\n` line ends and no final one, for
/// help lines.
pub fn block_text(entries: &[(String, Block)], step: usize) -> String {
    let mut out = String::new();
    block_lines(entries, "", step, "\n", &mut out);
    out.trim_end_matches('\n').to_string()
}

/// How many spaces the file indents a nested block mapping by: the first
/// parent/child pair of block mappings found under `root`; 2 if there is none.
pub fn indent_step(text: &str, root: &Node, file: FileId) -> usize {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let Some(mapping) = node.as_mapping() else {
            if let Some(items) = node.as_sequence() {
                stack.extend(items.iter().rev());
            }
            continue;
        };
        if node.alias.is_some() || (node.span.file == file && is_flow(text, node)) {
            continue;
        }
        for entry in mapping.iter().filter(|entry| written_in(entry, file)) {
            let child = entry
                .value
                .as_mapping()
                .and_then(|child| child.entries.iter().find(|child| written_in(child, file)));
            if let Some(child) = child
                && entry.value.span.file == file
                && !is_flow(text, &entry.value)
                && let (Some(outer), Some(inner)) = (
                    indentation_before(text, entry.key.span.start),
                    indentation_before(text, child.key.span.start),
                )
                && inner.len() > outer.len()
            {
                return inner.len() - outer.len();
            }
        }
        stack.extend(mapping.iter().rev().map(|entry| &entry.value));
    }
    2
}

/// An edit that adds `entries` (possibly nested) to `mapping` after its last
/// own entry, in one piece and in the mapping's style: block lines at the
/// mapping's indentation (nested levels `step` spaces deeper), or
/// `, key: {…}` inside a flow mapping. `None` for an alias copy or a layout
/// a person would not recognise.
pub fn insert_entries(text: &str, mapping: &Node, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    if mapping.alias.is_some() {
        return None;
    }
    insert_entries_in(text, mapping, entries, step).map(|edit| edit.in_file(mapping.span.file))
}

/// Like [`insert_entries`], but a mapping copied by an alias (`*a`) or
/// merged with `<<` gets the entries in the anchored original, for every
/// service that uses it: for values every user wants alike (the standard
/// healthcheck timing, the standard log limits).
pub fn insert_entries_shared(text: &str, mapping: &Node, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    insert_entries_in(text, mapping, entries, step).map(|edit| edit.in_file(mapping.span.file))
}

fn insert_entries_in(text: &str, mapping: &Node, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    if entries.is_empty() {
        return None;
    }
    let existing = &mapping.as_mapping()?.entries;
    let file = mapping.span.file;
    if is_flow(text, mapping) {
        let close = mapping.span.end.checked_sub(1)?;
        let separator = if first_own_key(existing, file).is_none() {
            ""
        } else {
            ", "
        };
        return Some(Edit::insert(close, format!("{separator}{}", flow_entries(entries))));
    }
    let first_key = first_own_key(existing, file)?;
    let indent = indentation_before(text, first_key.start)?;
    let end = own_end(text, existing, file)?;
    let newline = line_ending(text);
    let mut lines = String::new();
    block_lines(entries, indent, step, newline, &mut lines);
    Some(match after_line(text, Span::new(end, end)) {
        Some(offset) => Edit::insert(offset, lines),
        None => Edit::insert(text.len(), format!("{newline}{}", lines.trim_end_matches(newline))),
    })
}

/// An edit that gives a block entry with an empty value (`redis:`) the
/// nested `entries`, on the lines after it, `step` spaces deeper than its
/// key. A comment after the key stays where it is.
pub fn fill_empty_entry(text: &str, entry: &Entry, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    fill_empty_entry_in(text, entry, entries, step).map(|edit| edit.in_file(entry.key.span.file))
}

fn fill_empty_entry_in(text: &str, entry: &Entry, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    let empty = matches!(entry.value.value, super::yaml::Value::Null) && entry.value.span.is_empty();
    if entry.merged_from.is_some() || entry.key.alias.is_some() || !empty || entries.is_empty() {
        return None;
    }
    let key_indent = indentation_before(text, entry.key.span.start)?;
    let indent = format!("{key_indent}{}", " ".repeat(step));
    let newline = line_ending(text);
    let mut lines = String::new();
    block_lines(entries, &indent, step, newline, &mut lines);
    Some(match after_line(text, entry.key.span) {
        Some(offset) => Edit::insert(offset, lines),
        None => Edit::insert(text.len(), format!("{newline}{}", lines.trim_end_matches(newline))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml;

    fn apply(text: &str, edit: Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(edit.span.start..edit.span.end, &edit.content);
        out
    }

    fn logging() -> Vec<(String, Block)> {
        vec![(
            "logging".to_string(),
            Block::mapping([
                ("driver", Block::scalar("json-file")),
                ("options", Block::mapping([("max-size", Block::scalar("\"10m\""))])),
            ]),
        )]
    }

    #[test]
    fn inserts_nested_block_with_the_files_indentation() {
        let text = "services:\n    api:\n        image: x # keep\n    db:\n        image: y\n";
        let parsed = yaml::parse(text);
        let root = &parsed.documents[0];
        assert_eq!(indent_step(text, root, 0), 4);
        let api = root.get("services").unwrap().get("api").unwrap();
        let edit = insert_entries(text, api, &logging(), 4).unwrap();
        assert_eq!(
            apply(text, edit),
            "services:\n    api:\n        image: x # keep\n        logging:\n            driver: json-file\n            options:\n                max-size: \"10m\"\n    db:\n        image: y\n"
        );
    }

    #[test]
    fn inserts_in_flow_style_and_keeps_crlf() {
        let text = "services:\r\n  api: {image: x}\r\n  db:\r\n    image: y";
        let parsed = yaml::parse(text);
        let services = parsed.documents[0].get("services").unwrap();
        let edit = insert_entries(text, services.get("api").unwrap(), &logging(), 2).unwrap();
        assert_eq!(
            apply(text, edit),
            "services:\r\n  api: {image: x, logging: {driver: json-file, options: {max-size: \"10m\"}}}\r\n  db:\r\n    image: y"
        );
        let edit = insert_entries(text, services.get("db").unwrap(), &logging(), 2).unwrap();
        assert!(apply(text, edit).ends_with(
            "    image: y\r\n    logging:\r\n      driver: json-file\r\n      options:\r\n        max-size: \"10m\""
        ));
    }

    #[test]
    fn fills_an_empty_entry_below_its_comment() {
        let text = "depends_on:\n  redis: # cache\n  db:\n";
        let parsed = yaml::parse(text);
        let entry = parsed.documents[0]
            .get("depends_on")
            .unwrap()
            .as_mapping()
            .unwrap()
            .get_entry("redis")
            .unwrap();
        let condition = vec![("condition".to_string(), Block::scalar("service_healthy"))];
        let edit = fill_empty_entry(text, entry, &condition, 2).unwrap();
        assert_eq!(
            apply(text, edit),
            "depends_on:\n  redis: # cache\n    condition: service_healthy\n  db:\n"
        );
    }

    #[test]
    fn no_edit_inside_an_alias_copy() {
        let text = "a: &x {k: v}\nb: *x\n";
        let parsed = yaml::parse(text);
        let copy = parsed.documents[0].get("b").unwrap();
        assert!(insert_entries(text, copy, &logging(), 2).is_none());
    }
}
