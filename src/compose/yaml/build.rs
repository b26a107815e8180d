//! Builds the tree from saphyr-parser's event stream: exact byte spans
//! recomputed from saphyr's character positions, anchors, aliases and `<<`
//! merges (bounded), and the under-indented flow lines Compose accepts.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScanError, Tag};

use super::tree::{DuplicateKey, Entry, MAX_DEPTH, Mapping, Node, Scalar, ScalarStyle, Value, YamlError, YamlOutput};
use crate::source::{FileId, Span};

/// Most nodes a file may copy for anchors and aliases (each anchored node is
/// stored once, each alias is a copy); bounds "billion laughs".
pub const MAX_ALIAS_NODES: usize = 200_000;

/// Mappings with at least this many keys look keys up in a hash map.
const KEY_INDEX_THRESHOLD: usize = 16;

const MERGE_KEY: &str = "<<";
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Parses all documents of `text`, a file of a compose project: every span
/// is marked as lying in `file`.
pub fn parse_in(text: &str, file: FileId) -> YamlOutput {
    let mut out = parse(text);
    if file != 0 {
        each_span(&mut out, &|span: &mut Span| *span = span.in_file(file));
    }
    out
}

/// Parses all documents of `text`.
pub fn parse(text: &str) -> YamlOutput {
    // saphyr copes with a BOM itself, but parsing without it keeps the
    // offset arithmetic independent of how it counts one.
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut body = Cow::Borrowed(&text[bom..]);
    let mut pads = Vec::new();
    loop {
        let (mut out, bad_indent) = parse_body(&body);
        let pad = bad_indent
            .filter(|_| pads.len() < MAX_FLOW_INDENT_FIXES)
            .and_then(|at| flow_indent_pad(&body, at));
        let Some(pad) = pad else {
            remap(&mut out, bom, &pads);
            return out;
        };
        body.to_mut().insert_str(pad.at, &" ".repeat(pad.len));
        pads.push(pad);
    }
}

/// Parses `body`; spans are offsets into it. Also returns where saphyr
/// rejected an under-indented line inside a flow collection, if it did.
fn parse_body(body: &str) -> (YamlOutput, Option<usize>) {
    let mut builder = Builder::new(body);
    let mut parser = Parser::new_from_str(body);
    let mut bad_indent = None;
    while let Some(next) = parser.next_event() {
        let step = match next {
            Ok((event, span)) => builder.event(event, span),
            Err(err) => {
                // saphyr's only error with exactly this text is its check that
                // flow content is indented past the enclosing block.
                if err.info() == "invalid indentation" {
                    bad_indent = Some(builder.offsets.byte(err.marker().index()));
                }
                Err(builder.scan_error(&err))
            }
        };
        if let Err(err) = step {
            builder.out.errors.push(err);
            break;
        }
    }
    (builder.out, bad_indent)
}

/// Spaces inserted before an under-indented line of flow content, which the
/// YAML spec rejects but compose's parser (go-yaml, like libyaml) accepts:
///
/// ```yaml
/// command: [
///   "run"
/// ]
/// ```
///
/// Indentation inside flow collections carries no meaning, so padding such a
/// line changes nothing but saphyr's verdict.
struct Pad {
    /// Byte offset in the padded text where the spaces start.
    at: usize,
    len: usize,
}

/// Retries are whole reparses, so only a few such lines are fixed per file.
const MAX_FLOW_INDENT_FIXES: usize = 16;

/// The pad that indents the line whose content starts at `at` as far as the
/// end of the previous content line. That is at least the required indent:
/// the previous content line holds the opening bracket or content saphyr
/// already accepted.
fn flow_indent_pad(body: &str, at: usize) -> Option<Pad> {
    let line_start = body[..at].rfind('\n').map_or(0, |n| n + 1);
    // Only indentation is padded, never the inside of a line's content.
    if !body[line_start..at].bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    let column = at - line_start;
    let previous = body[..line_start.checked_sub(1)?]
        .lines()
        .rev()
        .map(str::trim_end)
        .find(|line| !line.trim_start().is_empty() && !line.trim_start().starts_with('#'))?;
    let len = previous.chars().count().saturating_sub(column).max(1);
    Some(Pad { at, len })
}

/// Turns offsets into the parsed body into offsets into the original text.
fn remap(out: &mut YamlOutput, bom: usize, pads: &[Pad]) {
    if bom == 0 && pads.is_empty() {
        return;
    }
    let offset = |at: usize| {
        // Each pad lies after the ones before it, in padded coordinates.
        let inserted: usize = pads.iter().map(|pad| at.saturating_sub(pad.at).min(pad.len)).sum();
        bom + at - inserted
    };
    each_span(out, &|span: &mut Span| {
        *span = span.sub(offset(span.start), offset(span.end))
    });
}

/// Applies `change` to every span of the output.
fn each_span(out: &mut YamlOutput, change: &impl Fn(&mut Span)) {
    for error in &mut out.errors {
        change(&mut error.span);
    }
    for duplicate in &mut out.duplicate_keys {
        change(&mut duplicate.first);
        change(&mut duplicate.second);
    }
    for document in &mut out.documents {
        remap_node(document, change);
    }
}

/// Recursion is bounded by [`MAX_DEPTH`].
fn remap_node(node: &mut Node, span: &impl Fn(&mut Span)) {
    span(&mut node.span);
    if let Some(alias) = &mut node.alias {
        span(alias);
    }
    match &mut node.value {
        Value::Null | Value::Scalar(_) => {}
        Value::Sequence(items) => items.iter_mut().for_each(|item| remap_node(item, span)),
        Value::Mapping(mapping) => {
            for entry in &mut mapping.entries {
                remap_node(&mut entry.key, span);
                remap_node(&mut entry.value, span);
                if let Some(merged_from) = &mut entry.merged_from {
                    span(merged_from);
                }
            }
        }
    }
}

/// Character index → byte offset.
struct Offsets {
    len: usize,
    /// Byte offset of every character plus the end; `None` for ASCII text,
    /// where the two coincide.
    table: Option<Vec<usize>>,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            text.char_indices()
                .map(|(offset, _)| offset)
                .chain(std::iter::once(text.len()))
                .collect()
        });
        Self { len: text.len(), table }
    }

    /// Clamped to the text, so no marker can index out of it.
    fn byte(&self, chars: usize) -> usize {
        match &self.table {
            Some(table) => table[chars.min(table.len() - 1)],
            None => chars.min(self.len),
        }
    }
}

struct Anchored {
    node: Node,
    size: usize,
    height: usize,
}

/// A collection whose end event has not arrived yet.
struct Frame {
    start: usize,
    /// End of the furthest child written so far; a block collection ends there.
    end: usize,
    tag: Option<String>,
    anchor: Option<usize>,
    /// Nodes in this subtree, itself included.
    size: usize,
    /// Greatest collection height among the children.
    height: usize,
    kind: FrameKind,
}

enum FrameKind {
    Sequence(Vec<Node>),
    /// Boxed: a pending key makes it much larger than a sequence.
    Mapping(Box<MappingFrame>),
}

#[derive(Default)]
struct MappingFrame {
    entries: Vec<Entry>,
    /// A key waiting for its value.
    key: Option<Node>,
    merges: Vec<Merge>,
    /// First span of each scalar key, built once the mapping grows large.
    index: Option<HashMap<String, Span>>,
}

/// A `<<` entry, applied when its mapping ends.
struct Merge {
    /// Index into the explicit entries where the merged entries go.
    at: usize,
    key: Span,
    sources: Vec<Mapping>,
}

struct Builder<'t> {
    text: &'t str,
    offsets: Offsets,
    frames: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    copied: usize,
    /// End of the last event's text: where searches for indicators that
    /// saphyr's spans leave out (`|`, `>`, `-`) begin.
    last_end: usize,
    root: Option<Node>,
    out: YamlOutput,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            last_end: 0,
            offsets: Offsets::new(text),
            frames: Vec::new(),
            anchors: HashMap::new(),
            copied: 0,
            root: None,
            out: YamlOutput::default(),
        }
    }

    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    /// A saphyr span in bytes, never reversed.
    fn range(&self, span: saphyr_parser::Span) -> (usize, usize) {
        let start = self.offsets.byte(span.start.index());
        (start, self.offsets.byte(span.end.index()).max(start))
    }

    fn event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> Result<(), YamlError> {
        match event {
            Event::DocumentStart(explicit) => {
                // An implicit start's span is that of the document's first token.
                if explicit {
                    self.last_end = self.range(span).1;
                }
            }
            Event::DocumentEnd => {
                self.out.documents.extend(self.root.take());
                // Anchors are scoped to their document.
                self.anchors.clear();
                let (start, end) = self.range(span);
                if self.bytes().get(start..end) == Some(b"...") {
                    self.last_end = end;
                }
            }
            Event::Alias(id) => self.alias(id, span)?,
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style.into(), anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(FrameKind::Sequence(Vec::new()), anchor, tag.as_deref(), span)?;
            }
            Event::MappingStart(anchor, tag) => {
                self.open(FrameKind::Mapping(Box::default()), anchor, tag.as_deref(), span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        raw: saphyr_parser::Span,
    ) -> Result<(), YamlError> {
        let (raw_start, raw_end) = self.range(raw);
        let bytes = self.bytes();
        let props = usize::from(tag.is_some()) + usize::from(anchor > 0);
        let has_props = props > 0;
        let empty = value.is_empty() && style == ScalarStyle::Plain;
        let span = if empty && has_props {
            // Nothing but properties (`key: !reset`): their text is the node.
            Span::new(raw_start, raw_end)
        } else if empty {
            self.empty_span(raw_start, raw_end)
        } else {
            let start = if has_props {
                skip_props(bytes, raw_start, raw_end, props)
            } else {
                raw_start
            };
            match style {
                ScalarStyle::Plain => Span::new(start, trim_end(bytes, start, raw_end)),
                // saphyr's span runs on over blanks and a comment after the quote.
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                    Span::new(start, quoted_end(bytes, start, raw_end).unwrap_or(raw_end))
                }
                // saphyr's span starts at the content, after the header line.
                ScalarStyle::Literal | ScalarStyle::Folded => {
                    let from = if has_props {
                        raw_start
                    } else {
                        self.last_end.min(raw_start)
                    };
                    let start = find_indicator(bytes, from, raw_end, b"|>").unwrap_or(raw_start);
                    Span::new(start, trim_end(bytes, (start + 1).min(raw_end), raw_end).max(start))
                }
            }
        };
        let tagged_str = tag.is_some_and(is_str_tag);
        let value = if empty && !tagged_str {
            Value::Null
        } else {
            Value::Scalar(Scalar {
                text: value.into_owned(),
                style,
                tagged_str,
                raw: None,
            })
        };
        self.last_end = self.last_end.max(span.end);
        let node = Node {
            span,
            value,
            tag: tag.map(tag_text),
            anchor: (anchor > 0).then_some(anchor),
            alias: None,
        };
        self.complete(node, 1, 0)
    }

    /// The span of an empty node: right after the colon for a key without a
    /// value (or at the key's end if there is no colon), else where saphyr
    /// puts it when that is a point.
    fn empty_span(&self, raw_start: usize, raw_end: usize) -> Span {
        let pending_key = match self.frames.last().map(|frame| &frame.kind) {
            Some(FrameKind::Mapping(map)) => map.key.as_ref().map(|key| key.site().end),
            _ => None,
        };
        if let Some(key_end) = pending_key {
            let bytes = self.bytes();
            let mut at = key_end;
            while matches!(bytes.get(at), Some(b' ' | b'\t')) {
                at += 1;
            }
            return Span::point(if bytes.get(at) == Some(&b':') { at + 1 } else { key_end });
        }
        // A non-empty span here is the next token (e.g. the next `---`).
        Span::point(if raw_start == raw_end { raw_start } else { self.last_end })
    }

    fn alias(&mut self, id: usize, raw: saphyr_parser::Span) -> Result<(), YamlError> {
        let (start, end) = self.range(raw);
        let span = Span::new(start, end);
        self.last_end = self.last_end.max(end);
        let Some(anchored) = self.anchors.get(&id) else {
            // saphyr rejects unknown names itself, so this anchor is still open.
            let message = format!("alias {} refers to a node that contains it", &self.text[start..end]);
            return Err(YamlError { span, message });
        };
        if self.frames.len() + anchored.height > MAX_DEPTH {
            return Err(YamlError {
                span,
                message: format!("alias expansion nests deeper than {MAX_DEPTH} levels"),
            });
        }
        self.copied += anchored.size;
        if self.copied > MAX_ALIAS_NODES {
            return Err(YamlError {
                span,
                message: format!("alias expansion exceeds {MAX_ALIAS_NODES} nodes"),
            });
        }
        let (size, height) = (anchored.size, anchored.height);
        let mut node = anchored.node.clone();
        node.alias = Some(span);
        node.anchor = None;
        self.complete(node, size, height)
    }

    fn open(
        &mut self,
        kind: FrameKind,
        anchor: usize,
        tag: Option<&Tag>,
        raw: saphyr_parser::Span,
    ) -> Result<(), YamlError> {
        let (raw_start, raw_end) = self.range(raw);
        let bytes = self.bytes();
        let props = usize::from(tag.is_some()) + usize::from(anchor > 0);
        let has_props = props > 0;
        let base = if has_props {
            skip_props(bytes, raw_start, bytes.len(), props)
        } else {
            raw_start
        };
        // A block collection's start token is empty; a flow one's holds the bracket.
        let flow = raw_end > base && matches!(bytes.get(base), Some(b'[' | b'{'));
        let start = if flow {
            base
        } else {
            let is_sequence = matches!(kind, FrameKind::Sequence(_));
            if is_sequence && bytes.get(base) != Some(&b'-') {
                // An indentless sequence (`key:\n- a`) starts at its first item's content.
                let from = if has_props {
                    raw_start
                } else {
                    self.last_end.min(raw_start)
                };
                find_indicator(bytes, from, base, b"-").unwrap_or(base)
            } else {
                base
            }
        };
        if self.frames.len() >= MAX_DEPTH {
            let span = Span::new(start, char_end(self.text, start));
            return Err(YamlError {
                span,
                message: format!("nesting depth exceeds {MAX_DEPTH} levels"),
            });
        }
        self.last_end = self.last_end.max(if flow { start + 1 } else { start });
        self.frames.push(Frame {
            start,
            end: start,
            tag: tag.map(tag_text),
            anchor: (anchor > 0).then_some(anchor),
            size: 1,
            height: 0,
            kind,
        });
        Ok(())
    }

    fn close(&mut self, raw: saphyr_parser::Span) -> Result<(), YamlError> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        let (raw_start, raw_end) = self.range(raw);
        // saphyr's span of a closing bracket runs on over blanks and a comment.
        let flow = raw_end > raw_start && matches!(self.bytes()[raw_start], b']' | b'}');
        let end = if flow { raw_start + 1 } else { frame.end };
        let value = match frame.kind {
            FrameKind::Sequence(items) => Value::Sequence(items),
            FrameKind::Mapping(map) => Value::Mapping(Mapping { entries: map.finish() }),
        };
        self.last_end = self.last_end.max(end);
        let node = Node {
            span: Span::new(frame.start, end),
            value,
            tag: frame.tag,
            anchor: frame.anchor,
            alias: None,
        };
        self.complete(node, frame.size, frame.height + 1)
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn complete(&mut self, node: Node, size: usize, height: usize) -> Result<(), YamlError> {
        if let Some(id) = node.anchor {
            // The stored copy counts against the budget: nested anchors copy
            // their subtrees once per enclosing anchor.
            self.copied += size;
            if self.copied > MAX_ALIAS_NODES {
                let message = format!("alias expansion exceeds {MAX_ALIAS_NODES} nodes");
                return Err(YamlError {
                    span: node.span,
                    message,
                });
            }
            self.anchors.insert(
                id,
                Anchored {
                    node: node.clone(),
                    size,
                    height,
                },
            );
        }
        let Some(frame) = self.frames.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.size += size;
        frame.height = frame.height.max(height);
        frame.end = frame.end.max(node.site().end);
        match &mut frame.kind {
            FrameKind::Sequence(items) => items.push(node),
            FrameKind::Mapping(map) => match map.key.take() {
                None => map.key = Some(node),
                Some(key) => map.insert(key, node, &mut self.out.duplicate_keys),
            },
        }
        Ok(())
    }

    fn scan_error(&self, err: &ScanError) -> YamlError {
        let at = self.offsets.byte(err.marker().index());
        let info = err.info();
        // Locations are printed from the span, not from saphyr's text.
        let message = match info.find(" at byte ").map_or(info, |cut| &info[..cut]).trim() {
            // saphyr's own bound on flow nesting (a u8 counter).
            "recursion limit exceeded" => "nesting depth exceeds 255 flow levels".to_owned(),
            other => other.to_owned(),
        };
        YamlError {
            span: Span::new(at, char_end(self.text, at)),
            message,
        }
    }
}

impl MappingFrame {
    /// Adds an explicit entry. Of two entries with the same key the first is
    /// kept and the second dropped (and reported), matching what a reader of
    /// the file sees first.
    fn insert(&mut self, key: Node, value: Node, duplicates: &mut Vec<DuplicateKey>) {
        if let Some(text) = key.as_str() {
            if let Some(first) = self.first_key(text) {
                duplicates.push(DuplicateKey {
                    key: text.to_owned(),
                    first,
                    second: key.site(),
                });
                return;
            }
            self.remember(text, key.site());
        }
        let value = if is_merge_key(&key) {
            match merge_sources(value) {
                Ok(sources) => {
                    self.merges.push(Merge {
                        at: self.entries.len(),
                        key: key.site(),
                        sources,
                    });
                    return;
                }
                // Not mergeable: kept as an ordinary entry for the schema to flag.
                Err(value) => *value,
            }
        } else {
            value
        };
        self.entries.push(Entry {
            key,
            value,
            merged_from: None,
        });
    }

    fn first_key(&self, text: &str) -> Option<Span> {
        if let Some(index) = &self.index {
            return index.get(text).copied();
        }
        self.entries
            .iter()
            .find(|entry| entry.key.as_str() == Some(text))
            .map(|entry| entry.key.site())
            .or_else(|| self.merges.first().filter(|_| text == MERGE_KEY).map(|merge| merge.key))
    }

    fn remember(&mut self, text: &str, span: Span) {
        if let Some(index) = &mut self.index {
            index.insert(text.to_owned(), span);
        } else if self.entries.len() + self.merges.len() >= KEY_INDEX_THRESHOLD {
            let mut index: HashMap<String, Span> = self
                .entries
                .iter()
                .filter_map(|entry| Some((entry.key.as_str()?.to_owned(), entry.key.site())))
                .collect();
            if let Some(merge) = self.merges.first() {
                index.insert(MERGE_KEY.to_owned(), merge.key);
            }
            index.insert(text.to_owned(), span);
            self.index = Some(index);
        }
    }

    /// The entries with merges applied: merged entries go where their `<<`
    /// was, skipping keys written explicitly or merged by an earlier source.
    fn finish(self) -> Vec<Entry> {
        if self.merges.is_empty() {
            return self.entries;
        }
        let mut taken: HashSet<String> = self
            .entries
            .iter()
            .filter_map(|entry| entry.key.as_str())
            .map(str::to_owned)
            .collect();
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut merges = self.merges.into_iter().peekable();
        for (at, entry) in self.entries.into_iter().enumerate() {
            while let Some(merge) = merges.next_if(|merge| merge.at == at) {
                merge.apply(&mut entries, &mut taken);
            }
            entries.push(entry);
        }
        for merge in merges {
            merge.apply(&mut entries, &mut taken);
        }
        entries
    }
}

impl Merge {
    fn apply(self, entries: &mut Vec<Entry>, taken: &mut HashSet<String>) {
        for source in self.sources {
            for mut entry in source.entries {
                if entry.key.as_str().is_some_and(|text| !taken.insert(text.to_owned())) {
                    continue;
                }
                entry.merged_from = Some(self.key);
                entries.push(entry);
            }
        }
    }
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Scalar(Scalar { text, style: ScalarStyle::Plain, .. }) if text == MERGE_KEY)
        && key.tag.as_deref().is_none_or(|tag| tag == "!!merge")
}

/// The mappings a `<<` value merges: one mapping or a sequence of them.
fn merge_sources(value: Node) -> Result<Vec<Mapping>, Box<Node>> {
    let mergeable = match &value.value {
        Value::Mapping(_) => true,
        Value::Sequence(items) => items.iter().all(|item| item.as_mapping().is_some()),
        Value::Null | Value::Scalar(_) => false,
    };
    if !mergeable {
        return Err(Box::new(value));
    }
    Ok(match value.value {
        Value::Mapping(mapping) => vec![mapping],
        Value::Sequence(items) => items
            .into_iter()
            .filter_map(|item| match item.value {
                Value::Mapping(mapping) => Some(mapping),
                _ => None,
            })
            .collect(),
        Value::Null | Value::Scalar(_) => Vec::new(),
    })
}

impl From<saphyr_parser::ScalarStyle> for ScalarStyle {
    fn from(style: saphyr_parser::ScalarStyle) -> Self {
        match style {
            saphyr_parser::ScalarStyle::Plain => Self::Plain,
            saphyr_parser::ScalarStyle::SingleQuoted => Self::SingleQuoted,
            saphyr_parser::ScalarStyle::DoubleQuoted => Self::DoubleQuoted,
            saphyr_parser::ScalarStyle::Literal => Self::Literal,
            saphyr_parser::ScalarStyle::Folded => Self::Folded,
        }
    }
}

/// saphyr expands `!!` to the core prefix; this writes it back as `!!`.
fn tag_text(tag: &Tag) -> String {
    match (tag.handle.as_str(), tag.suffix.as_str()) {
        (CORE_TAG_PREFIX, suffix) => format!("!!{suffix}"),
        ("", "!") => "!".to_owned(),
        ("", verbatim) => format!("!<{verbatim}>"),
        (handle, suffix) => format!("{handle}{suffix}"),
    }
}

/// `!!str`, its verbatim form, or the non-specific `!` (which makes a plain
/// scalar a string).
fn is_str_tag(tag: &Tag) -> bool {
    match (tag.handle.as_str(), tag.suffix.as_str()) {
        (CORE_TAG_PREFIX, "str") | ("", "!") => true,
        ("", verbatim) => verbatim.strip_prefix(CORE_TAG_PREFIX) == Some("str"),
        _ => false,
    }
}

/// End of the character at `at`, or `at` itself at a line break or the end,
/// so an error span is one visible character or empty.
fn char_end(text: &str, at: usize) -> usize {
    match text.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) if c != '\n' && c != '\r' => at + c.len_utf8(),
        _ => at,
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim_end(bytes: &[u8], min: usize, mut end: usize) -> usize {
    while end > min && is_blank(bytes[end - 1]) {
        end -= 1;
    }
    end
}

fn line_end(bytes: &[u8], at: usize, limit: usize) -> usize {
    bytes[at..limit]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(limit, |n| at + n)
}

/// End of the tag or anchor starting at `at`.
fn property_end(bytes: &[u8], at: usize, limit: usize) -> usize {
    // A verbatim tag `!<...>` may contain flow indicators.
    if bytes[at] == b'!' && bytes.get(at + 1) == Some(&b'<') {
        return bytes[at..limit]
            .iter()
            .position(|&b| b == b'>')
            .map_or(limit, |n| at + n + 1);
    }
    let len = bytes[at..limit]
        .iter()
        .position(|&b| is_blank(b) || matches!(b, b',' | b'[' | b']' | b'{' | b'}'))
        .unwrap_or(limit - at);
    at + len
}

/// Skips `count` node properties (tag, anchor) and the blanks and comments
/// around them; returns where the node's content starts.
fn skip_props(bytes: &[u8], mut at: usize, limit: usize, mut count: usize) -> usize {
    while at < limit {
        match bytes[at] {
            b if is_blank(b) => at += 1,
            b'#' => at = line_end(bytes, at, limit),
            b'!' | b'&' if count > 0 => {
                at = property_end(bytes, at, limit);
                count -= 1;
            }
            _ => break,
        }
    }
    at.min(limit)
}

/// Finds the first of `targets` after `at`, skipping what may stand before a
/// node: blanks, comments, properties and the indicators `-`, `:`, `?`.
fn find_indicator(bytes: &[u8], mut at: usize, limit: usize, targets: &[u8]) -> Option<usize> {
    while at < limit {
        match bytes[at] {
            b if targets.contains(&b) => return Some(at),
            b if is_blank(b) || matches!(b, b'-' | b':' | b'?') => at += 1,
            b'#' => at = line_end(bytes, at, limit),
            b'!' | b'&' => at = property_end(bytes, at, limit),
            _ => return None,
        }
    }
    None
}

/// The end of the quoted scalar whose opening quote is at `start`.
fn quoted_end(bytes: &[u8], start: usize, limit: usize) -> Option<usize> {
    let quote = *bytes.get(start).filter(|&&b| b == b'\'' || b == b'"')?;
    let mut at = start + 1;
    while at < limit {
        match bytes[at] {
            // `''` is an escaped quote in single quotes.
            b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            b'\\' if quote == b'"' => at += 2,
            b if b == quote => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}
