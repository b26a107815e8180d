//! `--fix`: apply the fixes of findings as byte-range edits of the original
//! text, in rounds until nothing fixable is left, and write atomically.
//!
//! Every round lints the current text, applies the fixes whose edits do not
//! overlap, and lints the result. A round whose result parses worse or has an
//! error the text did not have finds its culprits (by the services the new
//! errors are in, then by halving); a fix that makes things worse is dropped
//! and reported, never written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use crate::compose::edit::FileText;
use crate::compose::model::Variant;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::{self, Checked};
use crate::settings::Settings;
use crate::source::{FileId, FileKind, SourceFile, Span};

/// Rounds before giving up on reaching a fixed point (each round applies at
/// least one fix, so only pathological fix chains get here).
const MAX_ROUNDS: usize = 16;

mod write;
pub use write::{remove_temporaries_on_signal, write_atomic};

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
    /// The fixes applied, as `CODE: fix message`, in the order applied.
    pub applied: Vec<String>,
    /// Fixes that were not applied because their result was worse, as
    /// `CODE: fix message`.
    pub dropped: Vec<String>,
}

impl Fixed {
    pub fn changed(&self) -> bool {
        self.original != self.checked.source.text
    }
}

/// Applies to `file` those of `edits` made in it (which must not overlap):
/// the one place an edit meets a text, so an edit of another file, or one
/// out of the text's bounds, is never applied to it.
pub fn apply_edits(file: FileText, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().copied().filter(|edit| file.holds(edit.span)).collect();
    sorted.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let text = file.text();
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in sorted {
        if edit.span.start < cursor {
            continue;
        }
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

/// Why a pending fix was not applied, as reported after `CODE: fix message`.
const BREAKS_SYNTAX: &str = "the file would not parse, or would repeat a key";
const ADDS_ERRORS: &str = "it adds an error";
const UNDONE: &str = "another fix undoes it";
const CHANGES_NOTHING: &str = "it changes nothing";
const TOO_MANY_ROUNDS: &str = "still pending after the last round";

/// A fix found in one round: the file of its finding, and its finding.
type Candidate<'a> = (usize, &'a Diagnostic, &'a Fix);

/// YAML syntax errors and repeated keys in a compose text: what no fix may
/// add, whatever rules are selected (S001 and S002 may not be).
fn syntax_problems(kind: FileKind, text: &str) -> usize {
    match kind {
        FileKind::Compose => {
            let parsed = crate::compose::yaml::parse(text);
            parsed.errors.len() + parsed.duplicate_keys.len()
        }
        FileKind::Dockerfile => 0,
    }
}

/// Splits `items` into those `ok` accepts together and those it rejects,
/// halving a rejected group until single items are left: with `k` bad items
/// of `n`, about `k·log n` calls, one when all are good.
fn bisect<T: Copy>(items: &[T], mut ok: impl FnMut(&[T]) -> bool) -> (Vec<T>, Vec<T>) {
    let mut kept: Vec<T> = Vec::new();
    let mut rejected = Vec::new();
    let mut groups = vec![items];
    while let Some(group) = groups.pop() {
        if group.is_empty() {
            continue;
        }
        let mut trial = kept.clone();
        trial.extend_from_slice(group);
        if ok(&trial) {
            kept = trial;
        } else if let [single] = group {
            rejected.push(*single);
        } else {
            let (left, right) = group.split_at(group.len() / 2);
            groups.push(right);
            groups.push(left);
        }
    }
    (kept, rejected)
}

/// Which of `fixes` (by index) edit a compose service that holds, in the
/// fixed texts `after`, an error of a code that became more frequent, with
/// that service as (file, index): the likely cause of the new errors, found
/// with one parse per changed file.
fn blame(
    fixes: &[Candidate],
    kinds: &[FileKind],
    before: &[String],
    after: &[String],
    checked_before: &[Checked],
    checked_after: &[Checked],
) -> HashMap<usize, (usize, usize)> {
    let counts_before = unit_error_counts(checked_before);
    let grown: HashSet<&str> = unit_error_counts(checked_after)
        .into_iter()
        .filter(|(code, count)| counts_before.get(code).copied().unwrap_or(0) < *count)
        .map(|(code, _)| code)
        .collect();
    let mut blamed = HashMap::new();
    for (file, (old, new)) in before.iter().zip(after).enumerate() {
        if old == new || kinds.get(file) != Some(&FileKind::Compose) {
            continue;
        }
        let services = service_ranges(new);
        let service_at = |offset: usize| {
            let index = services.partition_point(|range| range.end < offset);
            services.get(index).filter(|range| range.start <= offset).map(|_| index)
        };
        let with_errors: HashSet<usize> = checked_after
            .get(file)
            .into_iter()
            .flat_map(|checked| &checked.diagnostics)
            .filter(|diagnostic| diagnostic.severity == Severity::Error && grown.contains(diagnostic.rule.code))
            .filter_map(|diagnostic| service_at(diagnostic.span.start))
            .collect();
        let edits: Vec<(usize, &Edit)> = fixes
            .iter()
            .enumerate()
            .flat_map(|(index, (_, _, fix))| fix.edits.iter().map(move |edit| (index, edit)))
            .collect();
        for (index, start) in edited_offsets(FileText::new(file as FileId, old), &edits) {
            if let Some(service) = service_at(start).filter(|service| with_errors.contains(service)) {
                blamed.insert(index, (file, service));
            }
        }
    }
    blamed
}

/// The byte ranges of the service entries (name to value) of a compose
/// text, in order.
fn service_ranges(text: &str) -> Vec<Range<usize>> {
    let parsed = crate::compose::yaml::parse(text);
    let services = parsed
        .documents
        .first()
        .and_then(|root| root.get("services"))
        .and_then(|services| services.as_mapping());
    services
        .into_iter()
        .flat_map(|mapping| mapping.iter())
        .map(|entry| entry.key.span.start..entry.key.span.end.max(entry.value.span.end))
        .collect()
}

/// Where each edit of `file` that [`apply_edits`] applies starts in its
/// result, with the tag it is given with.
fn edited_offsets(file: FileText, edits: &[(usize, &Edit)]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<&(usize, &Edit)> = edits.iter().filter(|(_, edit)| file.holds(edit.span)).collect();
    sorted.sort_by_key(|(_, edit)| (edit.span.start, edit.span.end));
    let mut cursor = 0;
    let mut shift: isize = 0;
    let mut out = Vec::new();
    for (tag, edit) in sorted {
        if edit.span.start < cursor {
            continue;
        }
        out.push((*tag, edit.span.start.saturating_add_signed(shift)));
        shift += edit.content.len() as isize - edit.span.len() as isize;
        cursor = edit.span.end;
    }
    out
}

/// The state of a unit after a round.
struct State {
    texts: Vec<String>,
    current: Vec<Checked>,
    /// Per file, the fixes applied so far (`CODE: fix message`).
    applied: Vec<Vec<String>>,
    /// The fixes applied in the round that led here.
    keys: Vec<(usize, String)>,
}

/// Fixes a unit (a Dockerfile, or a compose project) in memory: nothing is
/// written here. A fix may edit any primary file of the unit (a finding in
/// a merged value is fixed in the file that set it), never a file the
/// project only refers to. Returns every file of the unit.
///
/// A round's fixes are applied together when the result has no new YAML
/// problem in any file and no new error. Otherwise the fixes that edit a
/// service holding a new error are dropped, and the culprits among the rest
/// are found by halving. Fixes that would undo an earlier round (two rules, or two
/// variants, wanting different values) are all dropped and the text goes
/// back to before the first of them, so a second `--fix` finds nothing to do.
/// Every fix not applied is reported with its reason.
pub fn fix_unit(unit: lint::UnitInput, settings: &Settings, mode: FixMode) -> Vec<Fixed> {
    let variants = unit.variants.clone();
    let files: Vec<FileFacts> = unit
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
    let relint = |texts: &[String]| relint_texts(&files, &variants, texts, settings);
    let current = lint::lint_unit(unit, settings);
    let mut state = State {
        applied: vec![Vec::new(); current.len()],
        texts: originals.clone(),
        current,
        keys: Vec::new(),
    };
    let mut dropped: Vec<(usize, String, &'static str)> = Vec::new();
    // The states reached, in order: a round that comes back to one of them
    // means its fixes and those since undo each other.
    let mut history: Vec<State> = Vec::new();
    let mut rounds = 0;
    loop {
        let candidates = candidates(&state, &fixable, mode, &dropped);
        if candidates.is_empty() {
            break;
        }
        if rounds == MAX_ROUNDS {
            dropped.extend(
                candidates
                    .iter()
                    .map(|(file, diagnostic, fix)| (*file, fix_key(diagnostic, fix), TOO_MANY_ROUNDS)),
            );
            break;
        }
        rounds += 1;
        let chosen = non_conflicting(&candidates);
        let apply = |fixes: &[Candidate]| -> Vec<String> {
            state
                .texts
                .iter()
                .enumerate()
                .map(|(file, text)| {
                    let edits: Vec<&Edit> = fixes.iter().flat_map(|(_, _, fix)| fix.edits.iter()).collect();
                    apply_edits(FileText::new(file as FileId, text), &edits)
                })
                .collect()
        };
        let before: Vec<usize> = files
            .iter()
            .zip(&state.texts)
            .map(|((_, kind, _, _), text)| syntax_problems(*kind, text))
            .collect();
        let parses = |fixes: &[Candidate]| {
            apply(fixes)
                .iter()
                .zip(&state.texts)
                .enumerate()
                .all(|(file, (next, text))| next == text || syntax_problems(files[file].1, next) <= before[file])
        };
        let (parsing, broken) = bisect(&chosen, parses);
        let mut relinted = None;
        let together = apply(&parsing);
        let all = if parsing.is_empty() {
            Vec::new()
        } else {
            relint(&together)
        };
        let (kept, worse) = if parsing.is_empty() || unit_no_worse(&state.current, &all) {
            relinted = (!parsing.is_empty()).then_some(all);
            (parsing, Vec::new())
        } else {
            // The only fix that edits a service holding a new error is
            // dropped unheard (halving them all costs two lints per fix when
            // every fix is bad); the others, and fixes that share such a
            // service (any of them may be the cause), are tried together,
            // and halved only when that still adds an error.
            let kinds: Vec<FileKind> = files.iter().map(|(_, kind, _, _)| *kind).collect();
            let (suspects, rest) = lone_suspects(&parsing, &kinds, &state, &together, &all);
            let (kept, mut worse) = bisect(&rest, |fixes| {
                let next = relint(&apply(fixes));
                let fine = unit_no_worse(&state.current, &next);
                if fine {
                    // The last accepted trial is the kept set: its lint is the next state's.
                    relinted = Some(next);
                }
                fine
            });
            worse.extend(suspects);
            (kept, worse)
        };
        dropped.extend(rejected(broken, BREAKS_SYNTAX));
        dropped.extend(rejected(worse, ADDS_ERRORS));
        if kept.is_empty() {
            continue;
        }
        let next = State {
            texts: apply(&kept),
            current: Vec::new(),
            applied: applied_after(&state.applied, &kept),
            keys: kept
                .iter()
                .map(|(file, diagnostic, fix)| (*file, fix_key(diagnostic, fix)))
                .collect(),
        };
        advance(
            &mut state,
            &mut history,
            next,
            |texts| relinted.unwrap_or_else(|| relint(texts)),
            &mut dropped,
        );
    }
    fixed_files(state, originals, &dropped)
}

/// The fixes applied to each file, with `kept` applied too.
fn applied_after(applied: &[Vec<String>], kept: &[Candidate]) -> Vec<Vec<String>> {
    let mut applied = applied.to_vec();
    for (_, diagnostic, fix) in kept {
        applied[fix.edits[0].span.file as usize].push(fix_key(diagnostic, fix));
    }
    applied
}

/// Fixes not applied, each with why.
fn rejected(candidates: Vec<Candidate>, why: &'static str) -> Vec<(usize, String, &'static str)> {
    candidates
        .into_iter()
        .map(|(file, diagnostic, fix)| (file, fix_key(diagnostic, fix), why))
        .collect()
}

/// What a unit's file is besides its text: path, kind, encoding error, and
/// whether it is one of the unit's own files (not one it reads).
type FileFacts = (std::path::PathBuf, FileKind, Option<Diagnostic>, bool);

/// Lints the unit's files with `texts`.
fn relint_texts(files: &[FileFacts], variants: &[Variant], texts: &[String], settings: &Settings) -> Vec<Checked> {
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
            variants: variants.to_vec(),
        },
        settings,
    )
}

/// Moves on to `next` (whose lint `relint` gives), unless its fixes change
/// nothing or lead back to an earlier text: then they are dropped, and with
/// a return every fix since is dropped too and the state goes back there.
fn advance(
    state: &mut State,
    history: &mut Vec<State>,
    mut next: State,
    relint: impl FnOnce(&[String]) -> Vec<Checked>,
    dropped: &mut Vec<(usize, String, &'static str)>,
) {
    if next.texts == state.texts {
        dropped.extend(next.keys.into_iter().map(|(file, key)| (file, key, CHANGES_NOTHING)));
        return;
    }
    if let Some(back) = history.iter().position(|earlier| earlier.texts == next.texts) {
        // Back to an earlier text: drop every fix since, and return there.
        let mut undone = next.keys;
        while history.len() > back {
            undone.append(&mut state.keys);
            let Some(earlier) = history.pop() else { break };
            *state = earlier;
        }
        dropped.extend(undone.into_iter().map(|(file, key)| (file, key, UNDONE)));
        return;
    }
    next.current = relint(&next.texts);
    history.push(std::mem::replace(state, next));
}

/// The fixes of this round: allowed by the mode, with edits that all lie
/// in fixable files as they are now, and not dropped before.
fn candidates<'a>(
    state: &'a State,
    fixable: &[bool],
    mode: FixMode,
    dropped: &[(usize, String, &'static str)],
) -> Vec<Candidate<'a>> {
    let editable = |fix: &Fix, texts: &[String]| {
        fix.edits.iter().all(|edit| {
            let file = edit.span.file as usize;
            file < texts.len() && fixable[file] && FileText::new(edit.span.file, &texts[file]).holds(edit.span)
        })
    };
    state
        .current
        .iter()
        .enumerate()
        .flat_map(|(file, checked)| checked.diagnostics.iter().map(move |diagnostic| (file, diagnostic)))
        .filter_map(|(file, diagnostic)| diagnostic.fix.as_ref().map(|fix| (file, diagnostic, fix)))
        .filter(|(file, diagnostic, fix)| {
            mode.allows(fix.applicability)
                && !fix.edits.is_empty()
                && editable(fix, &state.texts)
                && !dropped
                    .iter()
                    .any(|(at, key, _)| at == file && *key == fix_key(diagnostic, fix))
        })
        .collect()
}

/// The fixes that alone edit a service holding a new error (dropped
/// unheard), and the rest.
fn lone_suspects<'a>(
    parsing: &[Candidate<'a>],
    kinds: &[FileKind],
    state: &State,
    together: &[String],
    all: &[Checked],
) -> (Vec<Candidate<'a>>, Vec<Candidate<'a>>) {
    let blamed = blame(parsing, kinds, &state.texts, together, &state.current, all);
    let mut per_service: HashMap<(usize, usize), usize> = HashMap::new();
    for service in blamed.values() {
        *per_service.entry(*service).or_insert(0) += 1;
    }
    let (suspects, rest): (Vec<_>, Vec<_>) = parsing.iter().enumerate().partition(|(index, _)| {
        blamed
            .get(index)
            .is_some_and(|service| per_service.get(service) == Some(&1))
    });
    let candidates =
        |indexed: Vec<(usize, &Candidate<'a>)>| indexed.into_iter().map(|(_, candidate)| *candidate).collect();
    (candidates(suspects), candidates(rest))
}

/// Each file's outcome: its last lint, its text before, the fixes applied
/// and those dropped, with why.
fn fixed_files(state: State, originals: Vec<String>, dropped: &[(usize, String, &'static str)]) -> Vec<Fixed> {
    let State {
        current, mut applied, ..
    } = state;
    current
        .into_iter()
        .enumerate()
        .map(|(file, checked)| Fixed {
            original: originals
                .get(file)
                .cloned()
                .unwrap_or_else(|| checked.source.text.clone()),
            checked,
            applied: applied.get_mut(file).map(std::mem::take).unwrap_or_default(),
            dropped: dropped
                .iter()
                .filter(|(at, _, _)| *at == file)
                .map(|(_, key, why)| format!("{key} ({why})"))
                .collect(),
        })
        .collect()
}

/// The candidates whose edits touch none of an earlier one's, in order.
fn non_conflicting<'a>(candidates: &[Candidate<'a>]) -> Vec<Candidate<'a>> {
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in candidates {
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
    chosen
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
        assert_eq!(
            apply_edits(FileText::new(0, text), &[&delete, &insert, &replace]),
            "AbcXd"
        );
    }

    #[test]
    fn an_edit_of_another_file_is_never_applied() {
        let other = Edit::insert(2, "X").in_file(1);
        let beyond = Edit::insert(99, "Y");
        assert_eq!(apply_edits(FileText::new(0, "abc"), &[&other, &beyond]), "abc");
        assert_eq!(apply_edits(FileText::new(1, "abc"), &[&other]), "abXc");
    }

    #[test]
    fn halving_costs_one_trial_when_all_are_good_and_few_for_one_bad() {
        let items: Vec<usize> = (0..1024).collect();
        let mut trials = 0;
        let (kept, rejected) = bisect(&items, |_| {
            trials += 1;
            true
        });
        assert_eq!((kept.len(), rejected.len(), trials), (1024, 0, 1));
        let mut trials = 0;
        let (kept, rejected) = bisect(&items, |set| {
            trials += 1;
            !set.contains(&700)
        });
        assert_eq!((kept.len(), rejected), (1023, vec![700]));
        assert!(trials <= 2 * 10 + 1, "{trials} trials");
    }

    #[test]
    fn edited_offsets_follow_the_earlier_edits() {
        let grow = Edit::replace(Span::new(0, 1), "AAA");
        let overlapped = Edit::replace(Span::new(0, 2), "-");
        let insert = Edit::insert(3, "X");
        let offsets = edited_offsets(
            FileText::new(0, "abcdef"),
            &[(7, &insert), (5, &grow), (6, &overlapped)],
        );
        // `ab` overlaps the first edit and is skipped, as apply_edits skips it.
        assert_eq!(offsets, vec![(5, 0), (7, 5)]);
    }

    #[test]
    fn the_fix_in_the_service_of_a_new_error_is_blamed() {
        let before = "services:\n  a:\n    image: x\n  b:\n    image: y\n".to_string();
        let into_a = Edit::insert(28, "    k: v\n");
        let into_b = Edit::insert(before.len(), "    k: v\n");
        let fix = |edit: &Edit| Fix {
            applicability: Applicability::Safe,
            message: "add k".to_string(),
            edits: vec![edit.clone()],
        };
        let (fix_a, fix_b) = (fix(&into_a), fix(&into_b));
        let after = apply_edits(FileText::new(0, &before), &[&into_a, &into_b]);
        assert!(after.contains("  a:\n    image: x\n    k: v\n  b:"), "{after}");
        let checked = |text: &str, errors: Vec<Span>| Checked {
            source: SourceFile::new("compose.yaml", FileKind::Compose, text.to_string()),
            diagnostics: errors
                .into_iter()
                .map(|span| Diagnostic::new(&crate::rules::compose::privileged::META, span, "error"))
                .collect(),
        };
        // A new error in `b`, on a line the fix did not write.
        let image_b = after.find("image: y").unwrap();
        let error_in_b = Span::new(image_b, image_b + 5);
        let trigger = Diagnostic::new(&crate::rules::compose::privileged::META, Span::point(0), "x");
        let candidates: Vec<Candidate> = vec![(0, &trigger, &fix_a), (0, &trigger, &fix_b)];
        let blamed = blame(
            &candidates,
            &[FileKind::Compose],
            std::slice::from_ref(&before),
            std::slice::from_ref(&after),
            &[checked(&before, Vec::new())],
            &[checked(&after, vec![error_in_b])],
        );
        assert_eq!(blamed, HashMap::from([(1, (0, 1))]));
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
