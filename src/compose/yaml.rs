//! A spanned YAML tree built from saphyr-parser's event stream.
//!
//! saphyr reports positions in characters, and several of its event spans are
//! loose (a quoted scalar runs on over trailing blanks and comments, a block
//! scalar starts at its first content line, node properties are included, an
//! indentless sequence starts at its first item). Every node span here is
//! recomputed as an exact byte range into the original text.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScanError, Tag};

use crate::source::{FileId, Span};

/// Deepest allowed nesting of collections, so that building, cloning and
/// dropping a tree never recurses deeper than this.
pub const MAX_DEPTH: usize = 256;

/// Most nodes a file may copy for anchors and aliases (each anchored node is
/// stored once, each alias is a copy); bounds "billion laughs".
pub const MAX_ALIAS_NODES: usize = 200_000;

/// Mappings with at least this many keys look keys up in a hash map.
const KEY_INDEX_THRESHOLD: usize = 16;

const MERGE_KEY: &str = "<<";
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Everything parsed from one file.
#[derive(Clone, Debug, Default)]
pub struct YamlOutput {
    /// One per YAML document; an empty file gives none.
    pub documents: Vec<Node>,
    /// Syntax and limit errors. Parsing stops at the first one, so
    /// `documents` holds only the documents completed before it.
    pub errors: Vec<YamlError>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

/// A key written twice in one mapping; `first` and `second` are the key spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// Byte span of the node's text, without its tag and anchor. Quoted
    /// scalars include their quotes, block scalars start at `|`/`>`, flow
    /// collections span bracket to bracket, block collections span their
    /// first to last character. An empty node is an empty span (right after
    /// the colon for `key:`), unless it has a tag or anchor, which it spans.
    pub span: Span,
    pub value: Value,
    /// The tag as written where possible, e.g. `!!str`, `!reset`.
    pub tag: Option<String>,
    /// The anchor id when this node defines an anchor (`&a`). The root of an
    /// alias copy has none; nodes inside the copy keep the original's.
    pub anchor: Option<usize>,
    /// For a copy made by expanding an alias: the span of the `*a` text.
    /// `span` and all inner spans then point at the anchored original.
    pub alias: Option<Span>,
}

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Mapping),
}

#[derive(Clone, Debug)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
    /// Tagged `!!str` (or the non-specific `!`): never resolves to a non-string.
    pub tagged_str: bool,
    /// The text as written, when interpolation changed it: `text` then holds
    /// the interpolated value (see [`crate::compose::interpolate`]).
    pub raw: Option<Box<str>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar's value under the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

/// A mapping's entries in source order. Of duplicate keys only the first
/// entry is kept; `<<` entries are replaced by the entries they merge.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
    /// The span of the `<<` key when the entry was brought in by a merge.
    pub merged_from: Option<Span>,
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    pub fn scalar_style(&self) -> Option<ScalarStyle> {
        self.as_scalar().map(|scalar| scalar.style)
    }

    /// The text of any scalar; `None` for null (empty) nodes and collections.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|scalar| scalar.text.as_str())
    }

    pub fn as_mapping(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Mapping(mapping) => Some(mapping),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// Looks `key` up when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_mapping()?.get(key)
    }

    /// An empty node, or a scalar that resolves to null (`null`, `~`, ...).
    pub fn is_null(&self) -> bool {
        matches!(self.resolve(), Some(Resolved::Null))
    }

    /// The core-schema value of a scalar or null node; `None` for collections.
    pub fn resolve(&self) -> Option<Resolved<'_>> {
        match &self.value {
            Value::Null => Some(Resolved::Null),
            Value::Scalar(scalar) => Some(scalar.resolve()),
            Value::Sequence(_) | Value::Mapping(_) => None,
        }
    }

    /// Whether two trees hold the same values, whatever their spans, styles
    /// and tags (a number written `8080` and a string `"8080"` differ).
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Sequence(a), Value::Sequence(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.same_value(b))
            }
            (Value::Mapping(a), Value::Mapping(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(a, b)| a.key.same_value(&b.key) && a.value.same_value(&b.value))
            }
            _ => match (self.resolve(), other.resolve()) {
                (Some(Resolved::Float(a)), Some(Resolved::Float(b))) => a == b || a.is_nan() && b.is_nan(),
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// Where this node is written: the alias for a copy, else its own span.
    pub fn site(&self) -> Span {
        self.alias.unwrap_or(self.span)
    }
}

impl Mapping {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|entry| &entry.value)
    }

    /// The entry whose key is a scalar with text `key`.
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.key.as_str() == Some(key))
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a Mapping {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Scalar {
    /// Resolves per the YAML 1.2 core schema: only untagged plain scalars can
    /// be non-strings, and `yes`/`no`/`on`/`off` stay strings.
    pub fn resolve(&self) -> Resolved<'_> {
        if self.style != ScalarStyle::Plain || self.tagged_str {
            return Resolved::Str(&self.text);
        }
        resolve_plain(&self.text)
    }
}

fn resolve_plain(text: &str) -> Resolved<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    for (prefix, radix) in [("0o", 8), ("0x", 16)] {
        if let Some(digits) = text.strip_prefix(prefix)
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_digit(radix))
        {
            // Too large for i64: left as text rather than losing digits.
            return i64::from_str_radix(digits, radix).map_or(Resolved::Str(text), Resolved::Int);
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        // An integer too large for i64 still matches the float pattern.
        return match text.parse::<i64>() {
            Ok(int) => Resolved::Int(int),
            Err(_) => text.parse().map_or(Resolved::Str(text), Resolved::Float),
        };
    }
    if is_core_float(unsigned) {
        return text.parse().map_or(Resolved::Str(text), Resolved::Float);
    }
    Resolved::Str(text)
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema float
/// without its sign (Rust's float parser alone also accepts `inf`, `NaN`).
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits_from = |at: usize| {
        bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let int_digits = digits_from(0);
    let mut at = int_digits;
    let mut frac_digits = 0;
    if bytes.get(at) == Some(&b'.') {
        frac_digits = digits_from(at + 1);
        at += 1 + frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exp_digits = digits_from(at);
        if exp_digits == 0 {
            return false;
        }
        at += exp_digits;
    }
    at == bytes.len()
}

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

#[cfg(test)]
mod tests {
    use super::*;
    include!("../../tests/common/corpus.rs");

    fn doc(text: &str) -> Node {
        let out = parse(text);
        assert!(out.errors.is_empty(), "unexpected errors: {:?}", out.errors);
        assert_eq!(out.documents.len(), 1);
        out.documents.into_iter().next().unwrap()
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// The span of the value under `path` (mapping keys or sequence indices).
    fn span_of(root: &Node, path: &[&str]) -> Span {
        let mut node = root;
        for step in path {
            node = match step.parse::<usize>() {
                Ok(index) => &node.as_sequence().unwrap()[index],
                Err(_) => node.get(step).unwrap_or_else(|| panic!("no key {step}")),
            };
        }
        node.span
    }

    #[test]
    fn key_and_value_spans_are_exact() {
        let text = "a: b\nkey:   \"quoted\"   # comment\ns: 'it''s'  \nplain: some text  # c\nq: \"a \\\" b\"\n";
        let root = doc(text);
        let map = root.as_mapping().unwrap();
        let keys: Vec<&str> = map.iter().map(|e| at(text, e.key.span)).collect();
        assert_eq!(keys, ["a", "key", "s", "plain", "q"]);
        assert_eq!(at(text, span_of(&root, &["a"])), "b");
        assert_eq!(at(text, span_of(&root, &["key"])), "\"quoted\"");
        assert_eq!(at(text, span_of(&root, &["s"])), "'it''s'");
        assert_eq!(root.get("s").unwrap().as_str(), Some("it's"));
        assert_eq!(at(text, span_of(&root, &["plain"])), "some text");
        assert_eq!(at(text, span_of(&root, &["q"])), "\"a \\\" b\"");
        assert_eq!(root.span, Span::new(0, text.len() - 1));
    }

    #[test]
    fn multi_line_scalars_span_all_their_lines() {
        let text = "a: \"multi\n  line\"  # c\nb: plain\n  continued\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["a"])), "\"multi\n  line\"");
        assert_eq!(root.get("a").unwrap().as_str(), Some("multi line"));
        assert_eq!(at(text, span_of(&root, &["b"])), "plain\n  continued");
    }

    #[test]
    fn block_scalars_start_at_the_indicator() {
        let text = "lit: |\n  one\n  two\n\nfold: >- # a | comment\n  x\n  y\ntagged: &t !!str |+\n  keep\n\nseq:\n  - |\n    item\n  - !x >\n    f\nlast: |\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["lit"])), "|\n  one\n  two");
        assert_eq!(at(text, span_of(&root, &["fold"])), ">- # a | comment\n  x\n  y");
        assert_eq!(at(text, span_of(&root, &["tagged"])), "|+\n  keep");
        assert_eq!(root.get("tagged").unwrap().tag.as_deref(), Some("!!str"));
        assert_eq!(at(text, span_of(&root, &["seq", "0"])), "|\n    item");
        assert_eq!(at(text, span_of(&root, &["seq", "1"])), ">\n    f");
        assert_eq!(at(text, span_of(&root, &["last"])), "|");
        assert_eq!(root.get("lit").unwrap().as_str(), Some("one\ntwo\n"));

        let root_text = "# c\n|\n  root\n";
        let root = doc(root_text);
        assert_eq!(at(root_text, root.span), "|\n  root");
        let explicit = "--- >\n  folded\n";
        assert_eq!(at(explicit, doc(explicit).span), ">\n  folded");
    }

    #[test]
    fn collection_spans() {
        let text = "flow: [1, {x: y}, \"z\"]  # c\nfm: &m !!map {a: 1, b}\nblock:\n  k: v\n  l:\n    - a\n    - b\nindentless:\n- p\n-   q\nprops: &s\n  # comment\n  - r\npairs: [a: b]\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["flow"])), "[1, {x: y}, \"z\"]");
        assert_eq!(at(text, span_of(&root, &["flow", "1"])), "{x: y}");
        assert_eq!(at(text, span_of(&root, &["fm"])), "{a: 1, b}");
        assert_eq!(root.get("fm").unwrap().tag.as_deref(), Some("!!map"));
        assert_eq!(at(text, span_of(&root, &["block"])), "k: v\n  l:\n    - a\n    - b");
        assert_eq!(at(text, span_of(&root, &["block", "l"])), "- a\n    - b");
        assert_eq!(at(text, span_of(&root, &["indentless"])), "- p\n-   q");
        assert_eq!(at(text, span_of(&root, &["props"])), "- r");
        assert_eq!(at(text, span_of(&root, &["pairs", "0"])), "a: b");
    }

    #[test]
    fn key_without_value_is_null_after_the_colon() {
        let text = "a:\nb:   # c\nflow: {k, l: }\n? q\nr: !reset\n";
        let root = doc(text);
        let a = root.get("a").unwrap();
        assert!(matches!(a.value, Value::Null));
        assert!(a.is_null());
        assert_eq!(a.span, Span::point(2));
        assert_eq!(root.get("b").unwrap().span, Span::point(text.find("b:").unwrap() + 2));
        let flow = root.get("flow").unwrap();
        assert_eq!(flow.get("k").unwrap().span, Span::point(text.find("k,").unwrap() + 1));
        assert_eq!(flow.get("l").unwrap().span, Span::point(text.find("l:").unwrap() + 2));
        assert_eq!(root.get("q").unwrap().span, Span::point(text.find("q\n").unwrap() + 1));
        let reset = root.get("r").unwrap();
        assert!(reset.is_null());
        assert_eq!(reset.tag.as_deref(), Some("!reset"));
        assert_eq!(at(text, reset.span), "!reset");
    }

    #[test]
    fn crlf_spans_exclude_carriage_returns() {
        let text = "a: b\r\nc: \"q\"  \r\nd:\r\n  - x\r\n  - |\r\n    lit\r\n    more\r\ne: plain  \r\nf:\r\n";
        let root = doc(text);
        assert_eq!(at(text, span_of(&root, &["a"])), "b");
        assert_eq!(at(text, span_of(&root, &["c"])), "\"q\"");
        assert_eq!(at(text, span_of(&root, &["d"])), "- x\r\n  - |\r\n    lit\r\n    more");
        assert_eq!(at(text, span_of(&root, &["d", "1"])), "|\r\n    lit\r\n    more");
        assert_eq!(
            root.get("d").unwrap().as_sequence().unwrap()[1].as_str(),
            Some("lit\nmore\n")
        );
        assert_eq!(at(text, span_of(&root, &["e"])), "plain");
        assert_eq!(root.get("f").unwrap().span, Span::point(text.len() - 2));
    }

    #[test]
    fn bom_offsets_point_into_the_original_text() {
        let text = "\u{feff}a: b\nc: [d]\n";
        let root = doc(text);
        let first = &root.as_mapping().unwrap().entries[0];
        assert_eq!(first.key.span, Span::new(3, 4));
        assert_eq!(at(text, first.value.span), "b");
        assert_eq!(at(text, span_of(&root, &["c"])), "[d]");

        let error = parse("\u{feff}a: 'x\n");
        assert_eq!(error.errors[0].span, Span::new(6, 7));
    }

    #[test]
    fn non_ascii_text_before_nodes() {
        let text = "# héllo wörld ✓\nnäme: \"ünï\" # ✓✓\nemoji: 🐳 whale\nlist: [é, \"ß\"]\nlit: |\n  ≈≈\n";
        let root = doc(text);
        let key = &root.as_mapping().unwrap().entries[0].key;
        assert_eq!(at(text, key.span), "näme");
        assert_eq!(at(text, span_of(&root, &["näme"])), "\"ünï\"");
        assert_eq!(at(text, span_of(&root, &["emoji"])), "🐳 whale");
        assert_eq!(at(text, span_of(&root, &["list"])), "[é, \"ß\"]");
        assert_eq!(at(text, span_of(&root, &["list", "1"])), "\"ß\"");
        assert_eq!(at(text, span_of(&root, &["lit"])), "|\n  ≈≈");
    }

    #[test]
    fn under_indented_flow_content_is_accepted() {
        // The spec wants flow lines indented past the enclosing block; compose does not.
        let text = "\u{feff}x: é\nservices:\n  web:\n    command: [\n      \"run\",\n    ]\n    entrypoint: [\n\"ä\",\n  # c\n]\n    image: nginx\n";
        let root = doc(text);
        let web = root.get("services").unwrap().get("web").unwrap();
        let command = web.get("command").unwrap();
        assert_eq!(at(text, command.span), "[\n      \"run\",\n    ]");
        let entrypoint = web.get("entrypoint").unwrap();
        assert_eq!(at(text, entrypoint.span), "[\n\"ä\",\n  # c\n]");
        assert_eq!(at(text, entrypoint.as_sequence().unwrap()[0].span), "\"ä\"");
        assert_eq!(at(text, web.get("image").unwrap().span), "nginx");

        let broken = "a: [\n]\nb: [\n'x\n";
        let out = parse(broken);
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].span.start, broken.find('\'').unwrap());
    }

    #[test]
    fn merge_key_with_one_source() {
        let text = "base: &b\n  image: x\n  restart: always\nsvc:\n  image: y\n  <<: *b\n  ports: []\n";
        let root = doc(text);
        let svc = root.get("svc").unwrap().as_mapping().unwrap();
        let keys: Vec<&str> = svc.iter().map(|e| e.key.as_str().unwrap()).collect();
        // Explicit keys stay in order, merged ones go where the `<<` was.
        assert_eq!(keys, ["image", "restart", "ports"]);
        assert_eq!(svc.get("image").unwrap().as_str(), Some("y"));
        assert_eq!(svc.get_entry("image").unwrap().merged_from, None);
        let restart = svc.get_entry("restart").unwrap();
        let merge_key = text.find("<<").unwrap();
        assert_eq!(restart.merged_from, Some(Span::new(merge_key, merge_key + 2)));
        // A merged entry keeps the spans where it was written.
        assert_eq!(at(text, restart.value.span), "always");
        assert_eq!(restart.value.span.start, text.find("always").unwrap());
        assert!(svc.get("<<").is_none());
        assert!(parse(text).duplicate_keys.is_empty());
    }

    #[test]
    fn merge_key_with_a_list_prefers_earlier_sources() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 0\n";
        let root = doc(text);
        let c = root.get("c").unwrap().as_mapping().unwrap();
        let pairs: Vec<(&str, &str)> = c
            .iter()
            .map(|e| (e.key.as_str().unwrap(), e.value.as_str().unwrap()))
            .collect();
        assert_eq!(pairs, [("y", "1"), ("z", "2"), ("x", "0")]);
        assert!(c.iter().take(2).all(|e| e.merged_from.is_some()));
        assert_eq!(c.get_entry("x").unwrap().merged_from, None);
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let text = "x-env: &env\n  A: 1\nsvc:\n  environment: *env\n  other: &o plain\n  again: *o\n";
        let root = doc(text);
        let original = root.get("x-env").unwrap();
        assert!(original.anchor.is_some());
        assert_eq!(original.alias, None);
        let env = root.get("svc").unwrap().get("environment").unwrap();
        let star = text.find("*env").unwrap();
        assert_eq!(env.alias, Some(Span::new(star, star + 4)));
        assert_eq!(env.span, original.span);
        assert_eq!(env.anchor, None);
        assert_eq!(env.get("A").unwrap().span, original.get("A").unwrap().span);
        let again = root.get("svc").unwrap().get("again").unwrap();
        assert_eq!(again.as_str(), Some("plain"));
        assert_eq!(at(text, again.span), "plain");
        assert_eq!(at(text, again.site()), "*o");
    }

    #[test]
    fn duplicate_keys_report_both_spans_and_keep_the_first() {
        let text = "a: 1\nb: 2\na: 3\n\"a\": 4\n";
        let out = parse(text);
        assert_eq!(out.duplicate_keys.len(), 2);
        let dup = &out.duplicate_keys[0];
        assert_eq!(dup.key, "a");
        assert_eq!(dup.first, Span::new(0, 1));
        assert_eq!(dup.second, Span::new(10, 11));
        assert_eq!(out.duplicate_keys[1].first, Span::new(0, 1));
        assert_eq!(at(text, out.duplicate_keys[1].second), "\"a\"");
        let root = &out.documents[0];
        assert_eq!(root.as_mapping().unwrap().len(), 2);
        assert_eq!(root.get("a").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn duplicate_keys_in_large_mappings() {
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k42: again\n<<: {k1: m, new: m}\n<<: {other: m}\n");
        let out = parse(&text);
        let dups: Vec<&str> = out.duplicate_keys.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(dups, ["k42", "<<"]);
        let root = &out.documents[0];
        assert_eq!(root.get("k42").unwrap().as_str(), Some("42"));
        assert_eq!(root.get("k1").unwrap().as_str(), Some("1"));
        assert_eq!(root.get("new").unwrap().as_str(), Some("m"));
        assert!(root.get("other").is_none());
    }

    #[test]
    fn yaml_1_2_core_schema_resolution() {
        let text = "yes: yes\nno: no\non: off\nt: true\nT: True\nf: FALSE\nn: ~\nnull: null\nempty:\nint: 42\nneg: -7\noct: 0o17\nhex: 0x1F\nfloat: 1.5\nexp: 6.02e23\ninf: -.inf\nnan: .NaN\nquoted: \"42\"\nstr: !!str 42\nbang: ! true\nbig: 99999999999999999999\nunderscore: 1_000\nversion: 3.8.1\n";
        let root = doc(text);
        let resolve = |key: &str| root.get(key).unwrap().resolve().unwrap();
        assert_eq!(resolve("yes"), Resolved::Str("yes"));
        assert_eq!(resolve("no"), Resolved::Str("no"));
        assert_eq!(resolve("on"), Resolved::Str("off"));
        assert_eq!(resolve("t"), Resolved::Bool(true));
        assert_eq!(resolve("T"), Resolved::Bool(true));
        assert_eq!(resolve("f"), Resolved::Bool(false));
        assert_eq!(resolve("n"), Resolved::Null);
        assert_eq!(resolve("null"), Resolved::Null);
        assert_eq!(resolve("empty"), Resolved::Null);
        assert_eq!(resolve("int"), Resolved::Int(42));
        assert_eq!(resolve("neg"), Resolved::Int(-7));
        assert_eq!(resolve("oct"), Resolved::Int(15));
        assert_eq!(resolve("hex"), Resolved::Int(31));
        assert_eq!(resolve("float"), Resolved::Float(1.5));
        assert_eq!(resolve("exp"), Resolved::Float(6.02e23));
        assert_eq!(resolve("inf"), Resolved::Float(f64::NEG_INFINITY));
        assert!(matches!(resolve("nan"), Resolved::Float(x) if x.is_nan()));
        assert_eq!(resolve("quoted"), Resolved::Str("42"));
        assert_eq!(resolve("str"), Resolved::Str("42"));
        assert_eq!(resolve("bang"), Resolved::Str("true"));
        assert_eq!(resolve("big"), Resolved::Float(1e20));
        assert_eq!(resolve("underscore"), Resolved::Str("1_000"));
        assert_eq!(resolve("version"), Resolved::Str("3.8.1"));
        assert!(root.get("n").unwrap().is_null());
        assert!(!root.get("quoted").unwrap().is_null());
        for text in [".", "1e", "+", "0x", "0o8", "e5", ".e5", "inf", "NaN", "1.2.3"] {
            assert_eq!(resolve_plain(text), Resolved::Str(text), "{text}");
        }
        for (text, value) in [("1.", 1.0), (".5", 0.5), ("-1.e2", -100.0), ("+.5E-1", 0.05)] {
            assert_eq!(resolve_plain(text), Resolved::Float(value), "{text}");
        }
    }

    #[test]
    fn tags_are_written_back_as_in_the_source() {
        let text = "a: !!str x\nb: !reset []\nc: !override {}\nd: !<tag:yaml.org,2002:str> 5\ne: !custom 5\n";
        let root = doc(text);
        let tag = |key: &str| root.get(key).unwrap().tag.clone().unwrap();
        assert_eq!(tag("a"), "!!str");
        assert_eq!(tag("b"), "!reset");
        assert_eq!(tag("c"), "!override");
        assert_eq!(tag("d"), "!<tag:yaml.org,2002:str>");
        assert_eq!(root.get("d").unwrap().resolve(), Some(Resolved::Str("5")));
        assert_eq!(root.get("e").unwrap().resolve(), Some(Resolved::Int(5)));
        assert_eq!(at(text, span_of(&root, &["a"])), "x");
        assert_eq!(at(text, span_of(&root, &["b"])), "[]");
        assert_eq!(at(text, span_of(&root, &["d"])), "5");
    }

    #[test]
    fn billion_laughs_is_stopped() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..9 {
            let prev = format!("*a{}", level - 1);
            let items = [prev.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        // Expanded, the aliases are 9^9 (387 million) items: without the
        // limit this test would run out of memory instead of finishing.
        let out = parse(&text);
        let error = &out.errors[0];
        assert!(error.message.contains("alias expansion exceeds"), "{}", error.message);
        assert_eq!(at(&text, error.span).chars().next(), Some('*'));
        assert!(out.documents.is_empty());
    }

    #[test]
    fn deep_flow_nesting_is_an_error_not_a_stack_overflow() {
        for open in ["[", "{"] {
            let text = open.repeat(100_000);
            let out = parse(&text);
            assert_eq!(out.errors.len(), 1);
            assert!(
                out.errors[0].message.contains("nesting depth exceeds"),
                "{:?}",
                out.errors
            );
            assert_eq!(out.errors[0].span, Span::new(255, 256));
        }
        let fine = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&fine).errors.is_empty());
        // Block levels count too, so flow nesting inside them hits our limit.
        let block: String = (0..100)
            .map(|depth| format!("{}k{depth}:\n", " ".repeat(depth)))
            .collect();
        let mixed = format!("{block}{}{}", " ".repeat(100), "[".repeat(200));
        let out = parse(&mixed);
        assert_eq!(
            out.errors[0].message,
            format!("nesting depth exceeds {MAX_DEPTH} levels")
        );
        assert_eq!(&mixed[out.errors[0].span.start..out.errors[0].span.end], "[");
    }

    #[test]
    fn deep_block_nesting_is_an_error() {
        let text: String = (0..1000)
            .map(|depth| format!("{}k{depth}:\n", " ".repeat(depth)))
            .collect();
        let out = parse(&text);
        assert!(
            out.errors[0].message.contains("nesting depth exceeds"),
            "{:?}",
            out.errors
        );
    }

    #[test]
    fn aliases_cannot_nest_past_the_depth_limit() {
        let deep = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        let text = format!("a: &a {deep}\nb: {}*a{}\n", "[".repeat(100), "]".repeat(100));
        let out = parse(&text);
        assert!(out.errors[0].message.contains("nests deeper"), "{:?}", out.errors);
    }

    #[test]
    fn recursive_alias_is_an_error() {
        let text = "a: &a [1, *a]\n";
        let out = parse(text);
        assert_eq!(out.errors[0].span, Span::new(10, 12));
    }

    #[test]
    fn unterminated_quote_reports_its_offset() {
        let text = "services:\n  web:\n    image: \"nginx\n";
        let out = parse(text);
        let error = &out.errors[0];
        let quote = text.find('"').unwrap();
        assert_eq!(error.span, Span::new(quote, quote + 1));
        assert!(!error.message.contains(" at byte "), "{}", error.message);
        assert!(error.message.contains("quoted scalar"), "{}", error.message);
    }

    #[test]
    fn documents_before_an_error_are_kept() {
        let out = parse("a: 1\n---\nb: [\n");
        assert_eq!(out.documents.len(), 1);
        assert_eq!(out.errors.len(), 1);
    }

    #[test]
    fn multiple_documents() {
        let text = "a: 1\n---\nb: 2\n...\n--- text\n---\n";
        let out = parse(text);
        assert!(out.errors.is_empty());
        assert_eq!(out.documents.len(), 4);
        assert_eq!(out.documents[1].get("b").unwrap().as_str(), Some("2"));
        assert_eq!(at(text, out.documents[2].span), "text");
        assert!(out.documents[3].is_null());
        assert!(parse("").documents.is_empty());
        assert!(parse("# only a comment\n").documents.is_empty());
    }

    #[test]
    fn no_input_prefix_panics() {
        let text = "\u{feff}a: &x {b: \"é\\u00e9\", c: [1, 'ü']}\n<<: *x\nd: |-\n  ∂\ne: !t ~\nf: *x\n? g\n";
        let mut ends: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        ends.push(text.len());
        for end in ends {
            let prefix = &text[..end];
            let out = parse(prefix);
            for error in &out.errors {
                assert!(prefix.get(error.span.start..error.span.end).is_some(), "{prefix:?}");
            }
        }
    }

    /// Collects spans that do not match their node's text.
    fn check_spans(text: &str, node: &Node, bad: &mut Vec<String>) {
        if node.alias.is_some() {
            return;
        }
        let Some(slice) = text.get(node.span.start..node.span.end) else {
            bad.push(format!("{:?} is not a char range", node.span));
            return;
        };
        let ok = match &node.value {
            Value::Null => true,
            Value::Scalar(scalar) => match scalar.style {
                ScalarStyle::Plain => slice == scalar.text || slice.contains('\n'),
                ScalarStyle::SingleQuoted => slice.starts_with('\'') && slice.ends_with('\''),
                ScalarStyle::DoubleQuoted => slice.starts_with('"') && slice.ends_with('"'),
                ScalarStyle::Literal => slice.starts_with('|'),
                ScalarStyle::Folded => slice.starts_with('>'),
            },
            Value::Sequence(items) => {
                items.iter().for_each(|item| check_spans(text, item, bad));
                items.iter().all(|item| node.span.contains(item.site()))
            }
            Value::Mapping(mapping) => {
                for entry in mapping {
                    check_spans(text, &entry.key, bad);
                    check_spans(text, &entry.value, bad);
                }
                mapping
                    .iter()
                    .filter(|e| e.merged_from.is_none())
                    .all(|e| node.span.contains(e.key.site()))
            }
        };
        if !ok {
            bad.push(format!("{:?} {slice:?}", node.span));
        }
    }

    #[test]
    fn parses_the_compose_corpus() {
        let Some(corpus) = corpus() else { return };
        let mut files = Vec::new();
        let mut dirs = vec![corpus.join("compose")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let texts: Vec<(std::path::PathBuf, String)> = files
            .into_iter()
            .filter_map(|path| Some((path.clone(), String::from_utf8(std::fs::read(&path).ok()?).ok()?)))
            .collect();
        let outputs: Vec<YamlOutput> = texts.iter().map(|(_, text)| parse(text)).collect();
        let mut with_errors = 0;
        let mut bad = Vec::new();
        for ((path, text), out) in texts.iter().zip(&outputs) {
            if let Some(error) = out.errors.first() {
                with_errors += 1;
                println!("{}: {} at {:?}", path.display(), error.message, error.span);
            }
            let before = bad.len();
            out.documents.iter().for_each(|doc| check_spans(text, doc, &mut bad));
            if bad.len() > before {
                println!("{}: bad spans {:?}", path.display(), &bad[before..]);
            }
        }
        let duplicates: usize = outputs.iter().map(|out| out.duplicate_keys.len()).sum();
        println!(
            "parsed {} files: {with_errors} with errors, {duplicates} duplicate keys",
            texts.len()
        );
        assert!(bad.is_empty(), "{} bad spans", bad.len());
    }
}
