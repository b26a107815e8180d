//! Variables in Dockerfile words, expanded as BuildKit's word processing
//! does: quotes and the escape character, `$VAR` and the `${VAR…}` forms,
//! with nesting and output bounded.

/// The result of variable substitution.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Substituted {
    pub text: String,
    /// Variables with no value (and no default in the expression), in order of use.
    pub missing: Vec<String>,
}

/// Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}` and `${VAR?msg}` the way
/// BuildKit's word processing does, with `\` as escape: quotes are removed,
/// nothing is expanded inside single quotes. Other operators (`#`, `%`, `/`)
/// count as unresolved and stay as written.
pub fn substitute(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Substituted {
    substitute_with_escape(text, '\\', lookup)
}

/// [`substitute`] with the Dockerfile's escape character.
pub fn substitute_with_escape(text: &str, escape: char, lookup: impl Fn(&str) -> Option<String>) -> Substituted {
    let mut missing = Vec::new();
    let text = process_word(text, escape, Some(&lookup), &mut missing);
    Substituted { text, missing }
}

/// A variable lookup: `None` for a variable with no value.
pub(super) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// BuildKit's word processing: quotes removed, the escape character protects
/// the next character, and with `env` variables are expanded.
pub(super) fn process_word(text: &str, escape: char, env: Option<Lookup>, missing: &mut Vec<String>) -> String {
    process_nested(text, escape, env, missing, 0)
}

/// Nesting depth of `${VAR:-${…}}` beyond which the text stays unexpanded, so
/// hostile input can neither recurse deeply nor rescan the text many times.
const MAX_NESTING: usize = 16;

/// Expanded text beyond this size is left unexpanded (`ARG B=$A$A` chains
/// grow exponentially).
const MAX_EXPANSION: usize = 1 << 20;

fn process_nested(text: &str, escape: char, env: Option<Lookup>, missing: &mut Vec<String>, depth: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == escape {
            if let Some((_, next)) = chars.next() {
                out.push(next);
            }
        } else if c == '\'' {
            for (_, ch) in chars.by_ref() {
                if ch == '\'' {
                    break;
                }
                out.push(ch);
            }
        } else if c == '"' {
            while let Some((j, ch)) = chars.next() {
                if ch == '"' {
                    break;
                }
                if ch == escape {
                    // Inside double quotes only `"`, `$` and the escape itself are escapable.
                    match chars.peek() {
                        Some(&(_, n)) if n == '"' || n == '$' || n == escape => {
                            out.push(n);
                            chars.next();
                        }
                        Some(_) => out.push(ch),
                        None => {}
                    }
                } else if ch == '$'
                    && let Some(env) = env
                {
                    let end = expand_dollar(text, j, escape, env, missing, &mut out, depth);
                    while chars.peek().is_some_and(|&(k, _)| k < end) {
                        chars.next();
                    }
                } else {
                    out.push(ch);
                }
            }
        } else if c == '$'
            && let Some(env) = env
        {
            let end = expand_dollar(text, i, escape, env, missing, &mut out, depth);
            while chars.peek().is_some_and(|&(k, _)| k < end) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn note_missing(name: &str, missing: &mut Vec<String>) {
    if !missing.iter().any(|m| m == name) {
        missing.push(name.to_string());
    }
}

fn name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
        return 0;
    }
    bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count()
}

/// Expand the `$…` at `at` into `out`; returns the offset after it.
fn expand_dollar(
    text: &str,
    at: usize,
    escape: char,
    env: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
    out: &mut String,
    depth: usize,
) -> usize {
    let room = MAX_EXPANSION.saturating_sub(out.len());
    let env = |name: &str| env(name).filter(|value| value.len() <= room);
    let rest = &text[at + 1..];
    if !rest.starts_with('{') {
        let len = name_len(rest);
        if len == 0 {
            out.push('$');
            return at + 1;
        }
        let name = &rest[..len];
        match env(name) {
            Some(value) => out.push_str(&value),
            None => {
                note_missing(name, missing);
                out.push_str(&text[at..at + 1 + len]);
            }
        }
        return at + 1 + len;
    }
    let Some(close) = matching_brace(text, at + 2, escape) else {
        out.push_str(&text[at..]);
        return text.len();
    };
    let inner = &text[at + 2..close];
    let verbatim = &text[at..=close];
    let len = name_len(inner);
    if len == 0 {
        out.push_str(verbatim);
        return close + 1;
    }
    let name = &inner[..len];
    let op = &inner[len..];
    if depth >= MAX_NESTING {
        note_missing(name, missing);
        out.push_str(verbatim);
        return close + 1;
    }
    let value = env(name);
    let set_non_empty = value.as_ref().is_some_and(|v| !v.is_empty());
    let word = |w: &str, missing: &mut Vec<String>| process_nested(w, escape, Some(&env), missing, depth + 1);
    if op.is_empty() {
        match value {
            Some(v) => out.push_str(&v),
            None => {
                note_missing(name, missing);
                out.push_str(verbatim);
            }
        }
    } else if let Some(w) = op.strip_prefix(":-") {
        match value.filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&word(w, missing)),
        }
    } else if let Some(w) = op.strip_prefix(":+") {
        if set_non_empty {
            out.push_str(&word(w, missing));
        }
    } else if op.starts_with(":?") || op.starts_with('?') {
        let ok = if op.starts_with(':') {
            set_non_empty
        } else {
            value.is_some()
        };
        match value.filter(|_| ok) {
            Some(v) => out.push_str(&v),
            None => {
                note_missing(name, missing);
                out.push_str(verbatim);
            }
        }
    } else if let Some(w) = op.strip_prefix('-') {
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&word(w, missing)),
        }
    } else if let Some(w) = op.strip_prefix('+') {
        if value.is_some() {
            out.push_str(&word(w, missing));
        }
    } else {
        note_missing(name, missing);
        out.push_str(verbatim);
    }
    close + 1
}

/// The `}` closing a `${` whose contents start at `from`, allowing nesting.
fn matching_brace(text: &str, from: usize, escape: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b if b == escape as u8 => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}
