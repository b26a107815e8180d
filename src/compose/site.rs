//! Where a service gets a value that may be written elsewhere (an anchor
//! merged with `<<` or copied with `*alias`), so a finding about that service
//! points at the service's own lines.

use std::collections::HashSet;

use crate::source::Span;

use super::yaml::{Entry, Node, Value};

/// The place a service gets one item of a list entry (`ports:`, `volumes:`):
/// the `<<` key that merged the list in, the alias that copied the list or
/// the item, or else the item's own text (also for an item an overlay added).
pub fn item_site(list: &Entry, item: &Node) -> Span {
    // An item an overlay appended to a merged or aliased list is written in
    // the overlay, outside the list it joined.
    if item.alias.is_none() && !list.value.span.contains(item.span) {
        return item.span;
    }
    list.merged_from
        .or(list.value.alias)
        .or(item.alias)
        .unwrap_or(item.span)
}

/// Whether an overlay's list replaces the base's (`!override`, `!reset`)
/// instead of being added to it.
pub fn replaces_base(node: &Node) -> bool {
    matches!(node.tag.as_deref(), Some("!override" | "!reset"))
}

/// The place a service gets an entry's value: the `<<` key that merged it
/// in, the alias that copied it, or else the value's own text.
pub fn value_site(entry: &Entry) -> Span {
    entry.merged_from.or(entry.value.alias).unwrap_or(entry.value.span)
}

/// A scalar's text as written, before interpolation.
pub fn written(node: &Node) -> Option<&str> {
    let scalar = node.as_scalar()?;
    Some(scalar.raw.as_deref().unwrap_or(&scalar.text))
}

/// Whether a scalar in `node` has a value that interpolation could not know
/// (an unset variable): such values are S004's, and no other rule judges them.
pub fn depends_on_unresolved(node: &Node, unresolved: &HashSet<Span>) -> bool {
    if unresolved.is_empty() {
        return false;
    }
    match &node.value {
        Value::Scalar(_) => unresolved.contains(&node.span),
        Value::Sequence(items) => items.iter().any(|item| depends_on_unresolved(item, unresolved)),
        Value::Mapping(mapping) => mapping
            .iter()
            .any(|entry| depends_on_unresolved(&entry.value, unresolved)),
        Value::Null => false,
    }
}
