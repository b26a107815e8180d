//! JSON arrays of strings, the exec form of RUN, CMD and ENTRYPOINT: each
//! string with its range, and why text that starts like one is none.

use std::ops::Range;

/// Parse a JSON array of strings, returning each string with its range
/// (quotes included). `None` if the text is anything else.
pub(super) fn json_string_array(text: &str) -> Option<Vec<(String, Range<usize>)>> {
    let bytes = text.as_bytes();
    let json_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let skip = |mut i: usize| {
        while i < bytes.len() && json_ws(bytes[i]) {
            i += 1;
        }
        i
    };
    let mut i = skip(0);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i = skip(i + 1);
    let mut items = Vec::new();
    if bytes.get(i) == Some(&b']') {
        return (skip(i + 1) == bytes.len()).then_some(items);
    }
    loop {
        let (value, end) = json_string(text, i)?;
        items.push((value, i..end));
        i = skip(end);
        match bytes.get(i) {
            Some(b',') => i = skip(i + 1),
            Some(b']') => break,
            _ => return None,
        }
    }
    (skip(i + 1) == bytes.len()).then_some(items)
}

/// A JSON string literal starting at `start`; returns its value and end offset.
fn json_string(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let run = text[i..].find(['"', '\\']).map(|k| i + k)?;
        let plain = &text[i..run];
        if plain.bytes().any(|b| b < 0x20) {
            return None;
        }
        out.push_str(plain);
        i = run;
        if bytes[i] == b'"' {
            return Some((out, i + 1));
        }
        let esc = *bytes.get(i + 1)?;
        i += 2;
        match esc {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let high = hex4(text, i)?;
                i += 4;
                let c = if (0xD800..0xDC00).contains(&high) && text[i..].starts_with("\\u") {
                    match hex4(text, i + 2) {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            i += 6;
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(high)
                };
                // Like Go's decoder, a lone surrogate becomes U+FFFD.
                out.push(c.unwrap_or('\u{fffd}'));
            }
            _ => return None,
        }
    }
}

fn hex4(text: &str, at: usize) -> Option<u32> {
    let digits = text.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// Why arguments that look like a JSON array are not one, if they clearly try
/// to be: `[`, a quoted first element followed by `,` (or a single-quoted only
/// element), and a closing `]` at the end or none at all.
pub(super) fn broken_json_reason(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let skip = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let mut i = skip(1);
    let quote = *bytes.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
    i += 1;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i = skip(i + 1);
    let closed = text.ends_with(']');
    let attempt = match bytes.get(i) {
        Some(b',') => closed || !text.contains(']'),
        Some(b']') => quote == b'\'' && i + 1 == bytes.len(),
        _ => false,
    };
    if !attempt {
        None
    } else if quote == b'\'' {
        Some("JSON strings need double quotes")
    } else if !closed {
        Some("the closing `]` is missing")
    } else {
        Some("check the quotes and commas")
    }
}
