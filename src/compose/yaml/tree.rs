//! The spanned YAML tree: documents of nodes (scalars, sequences, mappings)
//! whose spans are exact byte ranges, and the questions rules ask of it.

use crate::source::Span;

/// Deepest allowed nesting of collections, so that building, cloning and
/// dropping a tree never recurses deeper than this.
pub const MAX_DEPTH: usize = 256;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_floats_follow_the_core_schema() {
        for text in [".", "1e", "+", "0x", "0o8", "e5", ".e5", "inf", "NaN", "1.2.3"] {
            assert_eq!(resolve_plain(text), Resolved::Str(text), "{text}");
        }
        for (text, value) in [("1.", 1.0), (".5", 0.5), ("-1.e2", -100.0), ("+.5E-1", 0.05)] {
            assert_eq!(resolve_plain(text), Resolved::Float(value), "{text}");
        }
    }
}
