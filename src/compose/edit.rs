//! Byte-range edits of compose YAML that keep the file's own layout:
//! indentation, block or flow style, line endings, and every comment.
//!
//! In a merged project a mapping may hold entries from several files. The
//! helpers take the project's texts ([`Texts`]), pick the text of the file
//! the edited node was written in themselves, and use only spans of that
//! file: an edit computed on one file's offsets and applied to another's
//! text cannot be written.

use crate::diagnostic::Edit;
use crate::source::{FileId, Span};

use super::yaml::{Entry, Node};

/// The texts of a project's files, by [`FileId`].
pub trait Texts {
    fn file_text(&self, file: FileId) -> Option<FileText<'_>>;
}

/// The text of one file with its id: the only way the helpers here read
/// text, and the only way they make an edit.
#[derive(Clone, Copy, Debug)]
pub struct FileText<'a> {
    id: FileId,
    text: &'a str,
}

impl<'a> FileText<'a> {
    pub fn new(id: FileId, text: &'a str) -> Self {
        Self { id, text }
    }

    pub fn id(self) -> FileId {
        self.id
    }

    pub fn text(self) -> &'a str {
        self.text
    }

    /// Whether `span` is a range of this text (its file, in bounds, on
    /// character boundaries).
    pub fn holds(self, span: Span) -> bool {
        span.file == self.id
            && span.start <= span.end
            && span.end <= self.text.len()
            && self.text.is_char_boundary(span.start)
            && self.text.is_char_boundary(span.end)
    }

    fn insert(self, offset: usize, content: impl Into<String>) -> Edit {
        Edit::insert(offset, content).in_file(self.id)
    }

    fn replace(self, span: Span, content: impl Into<String>) -> Edit {
        Edit::replace(span.in_file(self.id), content)
    }

    fn delete(self, span: Span) -> Edit {
        Edit::delete(span.in_file(self.id))
    }
}

impl Texts for FileText<'_> {
    fn file_text(&self, file: FileId) -> Option<FileText<'_>> {
        (file == self.id).then_some(*self)
    }
}

/// The text `node` was written in, when `node` lies in it.
fn text_of<'t>(texts: &'t impl Texts, node: &Node) -> Option<FileText<'t>> {
    texts.file_text(node.span.file).filter(|file| file.holds(node.span))
}

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
fn indentation_before<'a>(file: FileText<'a>, offset: usize) -> Option<&'a str> {
    if offset > file.text.len() || !file.text.is_char_boundary(offset) {
        return None;
    }
    let start = line_start(file.text, offset);
    let prefix = &file.text[start..offset];
    prefix.chars().all(|c| c == ' ' || c == '\t').then_some(prefix)
}

/// Whether a mapping is written in flow style (`{a: b}`).
fn is_flow(file: FileText, node: &Node) -> bool {
    file.holds(node.span) && file.text.as_bytes().get(node.span.start) == Some(&b'{')
}

/// The offset just past the end of the line on which `end` lies.
fn after_line(text: &str, end: usize) -> Option<usize> {
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        return Some(end);
    }
    text[end..].find('\n').map(|index| end + index + 1)
}

/// Where an entry's text ends, when key and value are both written in `file`.
fn entry_end(file: FileText, entry: &Entry) -> Option<usize> {
    (file.holds(entry.key.span) && file.holds(entry.value.span)).then(|| entry.value.span.end.max(entry.key.span.end))
}

/// Whether an entry is written in `file` itself: not merged in with `<<`,
/// not brought in from another file of the project.
fn written_in(entry: &Entry, file: FileId) -> bool {
    entry.merged_from.is_none() && entry.key.span.file == file
}

/// Where the mapping's own text ends: its last own entry, or, when all its
/// entries are merged, the last `<<` key whose aliases fit on its line.
/// `None` when an own entry's value was written in another file.
fn own_end(file: FileText, entries: &[Entry]) -> Option<usize> {
    let mut own = None;
    for entry in entries.iter().filter(|entry| written_in(entry, file.id)) {
        own = own.max(Some(entry_end(file, entry)?));
    }
    own.or_else(|| {
        let merge_keys = entries
            .iter()
            .filter_map(|entry| entry.merged_from)
            .filter(|key| file.holds(*key));
        merge_keys
            .filter(|key| merge_on_one_line(file.text, *key))
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

/// Where a flow mapping's entries end (its closing `}`), and the separator a
/// new entry needs: `, ` unless the braces hold nothing, or end in a comma.
fn flow_insertion(file: FileText, mapping: &Node) -> Option<(usize, &'static str)> {
    let close = mapping.span.end.checked_sub(1)?;
    if file.text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let inside = file.text[mapping.span.start + 1..close].trim_end();
    if inside.contains('#') {
        // A comment inside the braces: text after it would be commented out.
        return None;
    }
    let separator = if inside.trim().is_empty() || inside.ends_with(',') {
        ""
    } else {
        ", "
    };
    Some((close, separator))
}

/// Whether the file's own text of `mapping` already writes `key`, even where
/// the merged model lost it (`key: !reset null`): adding it again would
/// repeat the key. Textual, so a nested key of the same name also counts (no
/// edit is the safe side).
fn writes_key(file: FileText, mapping: &Node, key: &str) -> bool {
    file.text[mapping.span.start..mapping.span.end]
        .split(['\n', '{', ','])
        .any(|part| {
            let part = part.trim_start().trim_start_matches(['"', '\'']);
            part.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).trim_start().starts_with(':'))
        })
}

/// An edit that adds `key: value` to `mapping`, after `after` (or after its
/// last entry), in the mapping's own style. `None` when the mapping is an
/// alias copy (the edit would change every user of the anchor), already
/// writes `key`, or its layout is not one a person would recognise.
pub fn insert_entry(texts: &impl Texts, mapping: &Node, after: Option<&Entry>, key: &str, value: &str) -> Option<Edit> {
    let file = text_of(texts, mapping)?;
    if mapping.alias.is_some() || writes_key(file, mapping, key) {
        return None;
    }
    let after = after.filter(|after| written_in(after, file.id));
    let entries = &mapping.as_mapping()?.entries;
    if is_flow(file, mapping) {
        if let Some(after) = after {
            return Some(file.insert(entry_end(file, after)?, format!(", {key}: {value}")));
        }
        let (close, separator) = flow_insertion(file, mapping)?;
        return Some(file.insert(close, format!("{separator}{key}: {value}")));
    }
    let first_key = first_own_key(file, entries)?;
    let indent = indentation_before(file, first_key.start)?;
    let end = match after {
        Some(after) => entry_end(file, after)?,
        None => own_end(file, entries)?,
    };
    let newline = line_ending(file.text);
    Some(match after_line(file.text, end) {
        Some(offset) => file.insert(offset, format!("{indent}{key}: {value}{newline}")),
        None => file.insert(file.text.len(), format!("{newline}{indent}{key}: {value}")),
    })
}

/// The key of the first entry written in the mapping's own text, or else the
/// first `<<` key there.
fn first_own_key(file: FileText, entries: &[Entry]) -> Option<Span> {
    entries
        .iter()
        .find(|entry| written_in(entry, file.id))
        .map(|entry| entry.key.span)
        .or_else(|| {
            entries
                .iter()
                .filter_map(|entry| entry.merged_from)
                .find(|key| key.file == file.id)
        })
        .filter(|key| file.holds(*key))
}

/// An edit that removes a one-line `key: value` entry, keeping a trailing
/// comment on its line.
pub fn remove_entry(texts: &impl Texts, entry: &Entry) -> Option<Edit> {
    let file = text_of(texts, &entry.key)?;
    let value_end = entry_end(file, entry)?;
    let text = file.text;
    indentation_before(file, entry.key.span.start)?;
    let start = line_start(text, entry.key.span.start);
    if text[entry.key.span.start..value_end].contains('\n') {
        return None;
    }
    let rest_end = text[value_end..]
        .find('\n')
        .map_or(text.len(), |index| value_end + index + 1);
    let rest = &text[value_end..rest_end];
    if rest.trim().is_empty() {
        Some(file.delete(Span::new(start, rest_end)))
    } else {
        let comment_start = value_end + (rest.len() - rest.trim_start().len());
        Some(file.delete(Span::new(start, comment_start)))
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

/// How many spaces the file `file` indents a nested block mapping by: the
/// first parent/child pair of block mappings written in it found under
/// `root`; 2 if there is none.
pub fn indent_step(texts: &impl Texts, root: &Node, file: FileId) -> usize {
    let Some(file) = texts.file_text(file) else { return 2 };
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let Some(mapping) = node.as_mapping() else {
            if let Some(items) = node.as_sequence() {
                stack.extend(items.iter().rev());
            }
            continue;
        };
        if node.alias.is_some() || is_flow(file, node) {
            continue;
        }
        for entry in mapping.iter().filter(|entry| written_in(entry, file.id)) {
            let child = entry
                .value
                .as_mapping()
                .and_then(|child| child.entries.iter().find(|child| written_in(child, file.id)));
            if let Some(child) = child
                && file.holds(entry.value.span)
                && !is_flow(file, &entry.value)
                && file.holds(entry.key.span)
                && file.holds(child.key.span)
                && let (Some(outer), Some(inner)) = (
                    indentation_before(file, entry.key.span.start),
                    indentation_before(file, child.key.span.start),
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
/// `, key: {…}` inside a flow mapping. `None` for an alias copy, a mapping
/// that already writes one of the keys, or a layout a person would not
/// recognise.
pub fn insert_entries(texts: &impl Texts, mapping: &Node, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    if mapping.alias.is_some() {
        return None;
    }
    insert_entries_shared(texts, mapping, entries, step)
}

/// Like [`insert_entries`], but a mapping copied by an alias (`*a`) or
/// merged with `<<` gets the entries in the anchored original, for every
/// service that uses it: for values every user wants alike (the standard
/// healthcheck timing, the standard log limits).
pub fn insert_entries_shared(
    texts: &impl Texts,
    mapping: &Node,
    entries: &[(String, Block)],
    step: usize,
) -> Option<Edit> {
    let file = text_of(texts, mapping)?;
    if entries.is_empty() || entries.iter().any(|(key, _)| writes_key(file, mapping, key)) {
        return None;
    }
    let existing = &mapping.as_mapping()?.entries;
    if is_flow(file, mapping) {
        let (close, separator) = flow_insertion(file, mapping)?;
        return Some(file.insert(close, format!("{separator}{}", flow_entries(entries))));
    }
    let first_key = first_own_key(file, existing)?;
    let indent = indentation_before(file, first_key.start)?;
    let end = own_end(file, existing)?;
    let newline = line_ending(file.text);
    let mut lines = String::new();
    block_lines(entries, indent, step, newline, &mut lines);
    Some(match after_line(file.text, end) {
        Some(offset) => file.insert(offset, lines),
        None => file.insert(file.text.len(), format!("{newline}{}", lines.trim_end_matches(newline))),
    })
}

/// An edit that gives a block entry with an empty value (`redis:`) the
/// nested `entries`, on the lines after it, `step` spaces deeper than its
/// key. A comment after the key stays where it is.
pub fn fill_empty_entry(texts: &impl Texts, entry: &Entry, entries: &[(String, Block)], step: usize) -> Option<Edit> {
    let file = text_of(texts, &entry.key)?;
    let empty = matches!(entry.value.value, super::yaml::Value::Null) && entry.value.span.is_empty();
    if entry.merged_from.is_some() || entry.key.alias.is_some() || !empty || entries.is_empty() {
        return None;
    }
    // A tagged empty value (`redis: !reset`) is not a place for entries.
    if entry.value.tag.is_some() || !file.holds(entry.value.span) {
        return None;
    }
    let key_indent = indentation_before(file, entry.key.span.start)?;
    let indent = format!("{key_indent}{}", " ".repeat(step));
    let newline = line_ending(file.text);
    let mut lines = String::new();
    block_lines(entries, &indent, step, newline, &mut lines);
    Some(match after_line(file.text, entry.key.span.end) {
        Some(offset) => file.insert(offset, lines),
        None => file.insert(file.text.len(), format!("{newline}{}", lines.trim_end_matches(newline))),
    })
}

/// Edits that turn `entry`'s list of names (`[a, b]`, or `- a` lines) into
/// a mapping from each name to the nested entries `value` gives it, in the
/// list's style: `{a: {k: v}, b: {k: w}}`, or block lines `a:` with theirs
/// nested `step` spaces deeper. Every item, comment and line break stays.
/// `None` for an alias copy, a tagged, anchored or repeated item, an item
/// written with a variable, items from another file, or a layout a person
/// would not recognise.
pub fn list_to_mapping(
    texts: &impl Texts,
    entry: &Entry,
    step: usize,
    value: impl Fn(&Node) -> Vec<(String, Block)>,
) -> Option<Vec<Edit>> {
    let list = &entry.value;
    let file = text_of(texts, list)?;
    let items = list.as_sequence()?;
    if entry.merged_from.is_some() || list.alias.is_some() || list.tag.is_some() || items.is_empty() {
        return None;
    }
    let mut names = std::collections::HashSet::new();
    for item in items {
        let plain = item.alias.is_none() && item.tag.is_none() && item.anchor.is_none();
        let name = item.as_str().filter(|_| plain && file.holds(item.span))?;
        // Compose interpolates list items but not mapping keys: a name
        // written with a variable cannot become a key.
        let written = &file.text[item.span.start..item.span.end];
        if !names.insert(name) || written.contains('\n') || written.contains('$') {
            return None;
        }
    }
    let key = |item: &Node| &file.text[item.span.start..item.span.end];
    let bytes = file.text.as_bytes();
    if bytes.get(list.span.start) == Some(&b'[') {
        let close = list
            .span
            .end
            .checked_sub(1)
            .filter(|close| bytes.get(*close) == Some(&b']'))?;
        let mut edits = vec![file.replace(Span::new(list.span.start, list.span.start + 1), "{")];
        edits.extend(
            items
                .iter()
                .map(|item| file.replace(item.span, format!("{}: {{{}}}", key(item), flow_entries(&value(item))))),
        );
        edits.push(file.replace(Span::new(close, close + 1), "}"));
        return Some(edits);
    }
    let parent = indentation_before(file, entry.key.span.start).filter(|_| file.holds(entry.key.span))?;
    let newline = line_ending(file.text);
    let mut edits = Vec::new();
    for item in items {
        let start = line_start(file.text, item.span.start);
        let dash = file.text[start..item.span.start].trim_end().strip_suffix('-')?;
        if !dash.chars().all(|c| c == ' ' || c == '\t') {
            return None;
        }
        let indent = if dash.len() > parent.len() {
            dash.to_string()
        } else {
            format!("{parent}{}", " ".repeat(step))
        };
        edits.push(file.replace(Span::new(start, item.span.end), format!("{indent}{}:", key(item))));
        let mut lines = String::new();
        block_lines(
            &value(item),
            &format!("{indent}{}", " ".repeat(step)),
            step,
            newline,
            &mut lines,
        );
        edits.push(match after_line(file.text, item.span.end) {
            Some(offset) => file.insert(offset, lines),
            None => file.insert(file.text.len(), format!("{newline}{}", lines.trim_end_matches(newline))),
        });
    }
    Some(edits)
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
        assert_eq!(indent_step(&FileText::new(0, text), root, 0), 4);
        let api = root.get("services").unwrap().get("api").unwrap();
        let edit = insert_entries(&FileText::new(0, text), api, &logging(), 4).unwrap();
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
        let edit = insert_entries(&FileText::new(0, text), services.get("api").unwrap(), &logging(), 2).unwrap();
        assert_eq!(
            apply(text, edit),
            "services:\r\n  api: {image: x, logging: {driver: json-file, options: {max-size: \"10m\"}}}\r\n  db:\r\n    image: y"
        );
        let edit = insert_entries(&FileText::new(0, text), services.get("db").unwrap(), &logging(), 2).unwrap();
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
        let edit = fill_empty_entry(&FileText::new(0, text), entry, &condition, 2).unwrap();
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
        assert!(insert_entries(&FileText::new(0, text), copy, &logging(), 2).is_none());
    }

    fn list_edits(text: &str) -> Option<Vec<Edit>> {
        let parsed = yaml::parse(text);
        let entry = parsed.documents[0]
            .as_mapping()
            .unwrap()
            .get_entry("depends_on")
            .unwrap();
        list_to_mapping(&FileText::new(0, text), entry, 2, |_| {
            vec![("condition".to_string(), Block::scalar("service_started"))]
        })
    }

    fn apply_all(text: &str, edits: Vec<Edit>) -> String {
        let edits: Vec<&Edit> = edits.iter().collect();
        crate::fix::apply_edits(FileText::new(0, text), &edits)
    }

    #[test]
    fn a_list_becomes_a_mapping_in_its_style() {
        let flow = "depends_on: [a, 'b'] # both\n";
        assert_eq!(
            apply_all(flow, list_edits(flow).unwrap()),
            "depends_on: {a: {condition: service_started}, 'b': {condition: service_started}} # both\n"
        );
        let block = "depends_on:\n- a # first\n- b";
        assert_eq!(
            apply_all(block, list_edits(block).unwrap()),
            "depends_on:\n  a: # first\n    condition: service_started\n  b:\n    condition: service_started"
        );
    }

    #[test]
    fn no_mapping_from_a_list_that_repeats_a_name_or_holds_an_alias() {
        assert!(list_edits("depends_on: [a, a]\n").is_none());
        assert!(list_edits("depends_on: [a, \"${DB:-db}\"]\n").is_none());
        assert!(list_edits("x: &n a\ndepends_on: [*n]\n").is_none());
        assert!(list_edits("x: &l [a]\ndepends_on: *l\n").is_none());
    }
}
