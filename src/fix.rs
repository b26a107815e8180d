//! `--fix`: apply the fixes of findings as byte-range edits of the original
//! text, in rounds until nothing fixable is left, and write atomically.
//!
//! Every round lints the current text, applies the fixes whose edits do not
//! overlap, and lints the result. A round whose result parses worse or has an
//! error the text did not have is retried fix by fix; a fix that still makes
//! things worse is dropped and reported, never written.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::{self, Checked};
use crate::settings::Settings;
use crate::source::{SourceFile, Span};

/// Rounds before giving up on reaching a fixed point (each round applies at
/// least one fix, so only pathological fix chains get here).
const MAX_ROUNDS: usize = 16;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    Safe,
    /// `--unsafe-fixes`: safe and unsafe ones.
    Unsafe,
}

impl FixMode {
    fn allows(self, applicability: Applicability) -> bool {
        applicability == Applicability::Safe || self == FixMode::Unsafe
    }
}

/// What fixing one file did.
pub struct Fixed {
    /// The file as it is after the fixes, with the findings that remain.
    pub checked: Checked,
    /// The text as read.
    pub original: String,
    pub applied: usize,
    /// Fixes that were not applied because their result was worse, as
    /// `CODE: fix message`.
    pub dropped: Vec<String>,
}

impl Fixed {
    pub fn changed(&self) -> bool {
        self.original != self.checked.source.text
    }
}

/// Applies `edits` (which must not overlap) to `text`.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in sorted {
        out.push_str(&text[cursor..edit.span.start]);
        out.push_str(&edit.content);
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    out
}

/// Two edit sets conflict when their spans overlap, or when they insert at the
/// same place (the order of the insertions would be arbitrary).
fn conflicts(a: Span, b: Span) -> bool {
    let overlap = a.start < b.end && b.start < a.end;
    let insertion_touches = (a.is_empty() || b.is_empty()) && (a.start == b.end || b.start == a.end);
    overlap || a.start == b.start || insertion_touches
}

fn valid_edits(text: &str, fix: &Fix) -> bool {
    fix.edits.iter().all(|edit| {
        edit.span.start <= edit.span.end
            && edit.span.end <= text.len()
            && text.is_char_boundary(edit.span.start)
            && text.is_char_boundary(edit.span.end)
    })
}

/// Error findings by code: a fix must not add to any of them.
fn error_counts(checked: &Checked) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for diagnostic in checked
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
    {
        *counts.entry(diagnostic.rule.code).or_insert(0) += 1;
    }
    counts
}

fn no_worse(before: &Checked, after: &Checked) -> bool {
    let before = error_counts(before);
    error_counts(after)
        .iter()
        .all(|(code, count)| before.get(code).copied().unwrap_or(0) >= *count)
}

fn fix_key(diagnostic: &Diagnostic, fix: &Fix) -> String {
    format!("{}: {}", diagnostic.rule.code, fix.message)
}

/// Fixes `source` in memory: nothing is written here.
pub fn fix_source(source: SourceFile, settings: &Settings, base_text: Option<&str>, mode: FixMode) -> Fixed {
    let original = source.text.clone();
    let (path, kind) = (source.path.clone(), source.kind);
    let relint = |text: String| lint::lint(SourceFile::new(path.clone(), kind, text), settings, None, base_text);
    let mut current = lint::lint(source, settings, None, base_text);
    let mut applied = 0;
    let mut dropped: Vec<String> = Vec::new();
    // Texts already reached: fixes that undo each other must not loop.
    let mut seen: HashSet<String> = HashSet::from([current.source.text.clone()]);
    for _ in 0..MAX_ROUNDS {
        let text = current.source.text.clone();
        let candidates: Vec<(&Diagnostic, &Fix)> = current
            .diagnostics
            .iter()
            .filter_map(|diagnostic| diagnostic.fix.as_ref().map(|fix| (diagnostic, fix)))
            .filter(|(diagnostic, fix)| {
                mode.allows(fix.applicability)
                    && valid_edits(&text, fix)
                    && !dropped.contains(&fix_key(diagnostic, fix))
            })
            .collect();
        if candidates.is_empty() {
            break;
        }
        let mut chosen: Vec<(&Diagnostic, &Fix)> = Vec::new();
        for candidate in &candidates {
            let clashes = chosen.iter().any(|(_, fix)| {
                fix.edits
                    .iter()
                    .any(|taken| candidate.1.edits.iter().any(|edit| conflicts(taken.span, edit.span)))
            });
            if !clashes {
                chosen.push(*candidate);
            }
        }
        let edits: Vec<&Edit> = chosen.iter().flat_map(|(_, fix)| fix.edits.iter()).collect();
        let next = relint(apply_edits(&text, &edits));
        if !seen.insert(next.source.text.clone()) {
            break;
        }
        if no_worse(&current, &next) {
            applied += chosen.len();
            current = next;
            continue;
        }
        // Together they made things worse: apply the first fix that is fine
        // alone and let the next round see fresh spans; drop the bad ones.
        for (diagnostic, fix) in chosen {
            let alone: Vec<&Edit> = fix.edits.iter().collect();
            let next = relint(apply_edits(&text, &alone));
            if no_worse(&current, &next) {
                applied += 1;
                current = next;
                break;
            }
            dropped.push(fix_key(diagnostic, fix));
        }
    }
    Fixed {
        checked: current,
        original,
        applied,
        dropped,
    }
}

/// Writes `text` to `path` atomically (a temporary file in the same
/// directory, then a rename), keeping the file's permissions, unless the file
/// changed on disk since it was read as `read`.
pub fn write_atomic(path: &Path, read: &str, text: &str) -> Result<(), String> {
    let on_disk = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    if on_disk != read.as_bytes() {
        return Err(format!(
            "{}: changed on disk while it was being fixed; not overwritten",
            path.display()
        ));
    }
    let permissions = std::fs::metadata(path)
        .map_err(|error| format!("{}: {error}", path.display()))?
        .permissions();
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    temporary
        .write_all(text.as_bytes())
        .map_err(|error| format!("{}: {error}", path.display()))?;
    temporary
        .as_file()
        .set_permissions(permissions)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    temporary
        .persist(path)
        .map_err(|error| format!("{}: {}", path.display(), error.error))?;
    Ok(())
}

/// A unified diff of what fixing did, with the path as the user gave it.
pub fn unified_diff(fixed: &Fixed) -> String {
    let path = &fixed.checked.source.path;
    let (old, new) = if path.is_absolute() {
        (path.display().to_string(), path.display().to_string())
    } else {
        (format!("a/{}", path.display()), format!("b/{}", path.display()))
    };
    similar::TextDiff::from_lines(&fixed.original, &fixed.checked.source.text)
        .unified_diff()
        .context_radius(3)
        .header(&old, &new)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order() {
        let text = "abcdef";
        let insert = Edit::insert(3, "X");
        let replace = Edit::replace(Span::new(0, 1), "A");
        let delete = Edit::delete(Span::new(4, 6));
        assert_eq!(apply_edits(text, &[&delete, &insert, &replace]), "AbcXd");
    }

    #[test]
    fn a_file_changed_on_disk_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compose.yaml");
        std::fs::write(&path, "services: {}\n").unwrap();
        std::fs::write(&path, "services: {changed: {}}\n").unwrap();
        let error = write_atomic(&path, "services: {}\n", "fixed\n").unwrap_err();
        assert!(error.contains("changed on disk"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "services: {changed: {}}\n");
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM a\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, "FROM a\n", "FROM b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn conflicting_spans() {
        assert!(conflicts(Span::new(0, 4), Span::new(3, 5)));
        assert!(conflicts(Span::point(3), Span::point(3)));
        assert!(conflicts(Span::point(3), Span::new(1, 3)));
        assert!(!conflicts(Span::new(0, 3), Span::new(3, 5)));
        assert!(!conflicts(Span::point(2), Span::point(5)));
    }
}
