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

fn valid_edit(text: &str, edit: &Edit) -> bool {
    edit.span.start <= edit.span.end
        && edit.span.end <= text.len()
        && text.is_char_boundary(edit.span.start)
        && text.is_char_boundary(edit.span.end)
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

fn fix_key(diagnostic: &Diagnostic, fix: &Fix) -> String {
    format!("{}: {}", diagnostic.rule.code, fix.message)
}

/// Fixes the file at `path` in memory, within the project it belongs to
/// (its base and overlays read but not written); `text` stands in for the
/// file's content on disk when given.
pub fn fix_file(path: &Path, text: Option<String>, settings: &Settings, mode: FixMode) -> Result<Fixed, String> {
    let target = crate::discover::Target {
        path: path.to_path_buf(),
        explicit: true,
    };
    let mut provided = std::collections::HashMap::new();
    if let Some(text) = text {
        provided.insert(
            path.to_path_buf(),
            lint::input_from_bytes(path.to_path_buf(), text.into_bytes()),
        );
    }
    let mut fixed = Vec::new();
    for unit in crate::discover::plan(&[target], settings) {
        fixed.extend(fix_unit(lint::read_unit(&unit, &mut provided)?, settings, mode));
    }
    fixed
        .into_iter()
        .find(|fixed| fixed.checked.source.path == path)
        .ok_or_else(|| format!("{}: not fixed", path.display()))
}

/// Errors by code over every file of a unit.
fn unit_error_counts(checked: &[Checked]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for file in checked {
        for (code, count) in error_counts(file) {
            *counts.entry(code).or_insert(0) += count;
        }
    }
    counts
}

fn unit_no_worse(before: &[Checked], after: &[Checked]) -> bool {
    let before = unit_error_counts(before);
    unit_error_counts(after)
        .iter()
        .all(|(code, count)| before.get(code).copied().unwrap_or(0) >= *count)
}

/// Fixes a unit (a Dockerfile, or a compose project) in memory: nothing is
/// written here. A fix may edit any primary file of the unit (a finding in
/// a merged value is fixed in the file that set it), never a file the
/// project only refers to. Returns every file of the unit.
pub fn fix_unit(unit: lint::UnitInput, settings: &Settings, mode: FixMode) -> Vec<Fixed> {
    let variants = unit.variants.clone();
    let files: Vec<(std::path::PathBuf, crate::source::FileKind, Option<Diagnostic>, bool)> = unit
        .files
        .iter()
        .map(|(input, primary)| {
            (
                input.source.path.clone(),
                input.source.kind,
                input.encoding_error.clone(),
                *primary,
            )
        })
        .collect();
    let originals: Vec<String> = unit.files.iter().map(|(input, _)| input.source.text.clone()).collect();
    // Text that was not UTF-8 is reported, never rewritten.
    let fixable: Vec<bool> = files
        .iter()
        .map(|(_, _, encoding_error, primary)| *primary && encoding_error.is_none())
        .collect();
    let relint = |texts: &[String]| {
        let files = files
            .iter()
            .zip(texts)
            .map(|((path, kind, encoding_error, primary), text)| {
                (
                    lint::Input {
                        source: SourceFile::new(path.clone(), *kind, text.clone()),
                        encoding_error: encoding_error.clone(),
                    },
                    *primary,
                )
            })
            .collect();
        lint::lint_unit(
            lint::UnitInput {
                files,
                variants: variants.clone(),
            },
            settings,
        )
    };
    let mut texts = originals.clone();
    let mut current = lint::lint_unit(unit, settings);
    let mut applied = vec![0; current.len()];
    let mut dropped: Vec<(usize, String)> = Vec::new();
    // Texts already reached: fixes that undo each other must not loop.
    let mut seen: HashSet<Vec<String>> = HashSet::from([texts.clone()]);
    let editable = |fix: &Fix, texts: &[String]| {
        fix.edits.iter().all(|edit| {
            let file = edit.span.file as usize;
            file < texts.len() && fixable[file] && valid_edit(&texts[file], edit)
        })
    };
    for _ in 0..MAX_ROUNDS {
        let candidates: Vec<(usize, &Diagnostic, &Fix)> = current
            .iter()
            .enumerate()
            .flat_map(|(file, checked)| checked.diagnostics.iter().map(move |diagnostic| (file, diagnostic)))
            .filter_map(|(file, diagnostic)| diagnostic.fix.as_ref().map(|fix| (file, diagnostic, fix)))
            .filter(|(file, diagnostic, fix)| {
                mode.allows(fix.applicability)
                    && !fix.edits.is_empty()
                    && editable(fix, &texts)
                    && !dropped.contains(&(*file, fix_key(diagnostic, fix)))
            })
            .collect();
        if candidates.is_empty() {
            break;
        }
        let mut chosen: Vec<(usize, &Diagnostic, &Fix)> = Vec::new();
        for candidate in &candidates {
            let clashes = chosen.iter().any(|(_, _, fix)| {
                fix.edits.iter().any(|taken| {
                    candidate
                        .2
                        .edits
                        .iter()
                        .any(|edit| taken.span.file == edit.span.file && conflicts(taken.span, edit.span))
                })
            });
            if !clashes {
                chosen.push(*candidate);
            }
        }
        let apply = |fixes: &[&Fix]| -> Vec<String> {
            texts
                .iter()
                .enumerate()
                .map(|(file, text)| {
                    let edits: Vec<&Edit> = fixes
                        .iter()
                        .flat_map(|fix| fix.edits.iter())
                        .filter(|edit| edit.span.file as usize == file)
                        .collect();
                    if edits.is_empty() {
                        text.clone()
                    } else {
                        apply_edits(text, &edits)
                    }
                })
                .collect()
        };
        let all: Vec<&Fix> = chosen.iter().map(|(_, _, fix)| *fix).collect();
        let next_texts = apply(&all);
        if !seen.insert(next_texts.clone()) {
            break;
        }
        let next = relint(&next_texts);
        if unit_no_worse(&current, &next) {
            for (_, _, fix) in &chosen {
                applied[fix.edits[0].span.file as usize] += 1;
            }
            texts = next_texts;
            current = next;
            continue;
        }
        // Together they made things worse: apply the first fix that is fine
        // alone and let the next round see fresh spans; drop the bad ones.
        let mut progressed = None;
        let mut bad = Vec::new();
        for (file, diagnostic, fix) in &chosen {
            let alone = apply(&[*fix]);
            let next = relint(&alone);
            if unit_no_worse(&current, &next) {
                progressed = Some((fix.edits[0].span.file as usize, alone, next));
                break;
            }
            bad.push((*file, fix_key(diagnostic, fix)));
        }
        dropped.extend(bad);
        if let Some((file, alone, next)) = progressed {
            applied[file] += 1;
            texts = alone;
            current = next;
        }
    }
    current
        .into_iter()
        .enumerate()
        .map(|(file, checked)| Fixed {
            original: originals
                .get(file)
                .cloned()
                .unwrap_or_else(|| checked.source.text.clone()),
            checked,
            applied: applied.get(file).copied().unwrap_or(0),
            dropped: dropped
                .iter()
                .filter(|(at, _)| *at == file)
                .map(|(_, key)| key.clone())
                .collect(),
        })
        .collect()
}

/// One result per file: a file reached from several units (an included
/// file that is also linted itself) is fixed in its own unit only; its
/// findings from every unit are joined, each once.
pub fn merge_fixed(all: Vec<Fixed>) -> Vec<Fixed> {
    let mut order: Vec<std::path::PathBuf> = Vec::new();
    let mut groups: std::collections::HashMap<std::path::PathBuf, Vec<Fixed>> = std::collections::HashMap::new();
    for fixed in all {
        let path = fixed.checked.source.path.clone();
        if !groups.contains_key(&path) {
            order.push(path.clone());
        }
        groups.entry(path).or_default().push(fixed);
    }
    order
        .into_iter()
        .filter_map(|path| {
            let mut group = groups.remove(&path)?;
            let main = group.iter().position(Fixed::changed).unwrap_or(0);
            let Fixed {
                checked,
                original,
                applied,
                dropped,
            } = group.swap_remove(main);
            let mut all = vec![checked];
            all.extend(group.into_iter().map(|other| other.checked));
            Some(Fixed {
                checked: lint::merge_checked(all).swap_remove(0),
                original,
                applied,
                dropped,
            })
        })
        .collect()
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
