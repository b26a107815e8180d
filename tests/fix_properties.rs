//! `--fix --unsafe-fixes` on every corpus file, in memory: no comment is lost,
//! parsing gets no worse, a second fix changes nothing, CRLF and a BOM stay.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use vwe_lint::discover;
use vwe_lint::fix::{self, FixMode};
use vwe_lint::lint;
use vwe_lint::settings::Settings;
use vwe_lint::source::FileKind;

const BOM: char = '\u{feff}';

/// What fixing one file did, or why it broke a promise.
fn check(path: &std::path::Path, kind: FileKind, settings: &Settings) -> Result<usize, String> {
    let kind = discover::kind_by_name(path).unwrap_or(kind);
    // Within its project (base, overlays, includes), as `vwe-lint --fix` sees it.
    let fixed = fix::fix_file(path, None, settings, FixMode::Unsafe)?;
    // No finding a fix claims to fix remains, unless that fix was dropped
    // (reported) because its result was worse.
    for diagnostic in &fixed.checked.diagnostics {
        let Some(claim) = &diagnostic.fix else { continue };
        let key = format!("{}: {}", diagnostic.rule.code, claim.message);
        if !fixed.dropped.contains(&key) {
            return Err(format!("a fixable finding remains: {key}"));
        }
    }
    if !fixed.changed() {
        return Ok(0);
    }
    let (original, text) = (&fixed.original, &fixed.checked.source.text);
    // Counted, so a fix that deletes one of two equal comments is caught.
    let mut kept: HashMap<String, isize> = HashMap::new();
    for comment in common::comments(text, kind) {
        *kept.entry(comment).or_default() += 1;
    }
    for comment in common::comments(original, kind) {
        let count = kept.entry(comment.clone()).or_default();
        *count -= 1;
        if *count < 0 {
            return Err(format!("lost comment {comment:?}"));
        }
    }
    if original.contains("\r\n") && !common::has_bare_newline(original) && common::has_bare_newline(text) {
        return Err("CRLF became LF".into());
    }
    if original.starts_with(BOM) && !text.starts_with(BOM) {
        return Err("the BOM was lost".into());
    }
    let parse_errors = |checked: &lint::Checked| {
        checked
            .diagnostics
            .iter()
            .filter(|d| matches!(d.rule.code, "S001" | "S002" | "S005"))
            .count()
    };
    let before = lint::lint_file(path, settings)?;
    if parse_errors(&fixed.checked) > parse_errors(&before) {
        return Err("the fix broke parsing".into());
    }
    let again = fix::fix_file(path, Some(text.clone()), settings, FixMode::Unsafe)?;
    if again.changed() {
        return Err(format!("a second fix changed:\n{}", fix::unified_diff(&again)));
    }
    Ok(fixed.applied.len())
}

#[test]
fn fixing_the_corpus_keeps_every_promise() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let started = Instant::now();
    let settings = common::default_settings();
    let mut paths = Vec::new();
    for (folder, kind) in [("compose", FileKind::Compose), ("dockerfile", FileKind::Dockerfile)] {
        let mut found = Vec::new();
        common::files(&corpus.join(folder), &mut found);
        paths.extend(found.into_iter().map(|path| (path, kind)));
    }
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
    let chunk = paths.len().div_ceil(threads).max(1);
    let results: Vec<(PathBuf, Result<usize, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|chunk| {
                let settings = &settings;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(path, kind)| (path.clone(), check(path, *kind, settings)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|handle| handle.join().unwrap()).collect()
    });
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(path, result)| {
            result
                .as_ref()
                .err()
                .map(|error| format!("{}: {error}", path.display()))
        })
        .collect();
    let fixed_files = results
        .iter()
        .filter(|(_, result)| matches!(result, Ok(n) if *n > 0))
        .count();
    let fixes: usize = results.iter().filter_map(|(_, result)| result.as_ref().ok()).sum();
    eprintln!(
        "fixed {fixed_files} of {} corpus files, {fixes} fixes applied, in {:.1?}",
        results.len(),
        started.elapsed()
    );
    assert!(
        results.len() > 2000,
        "the corpus holds over 2,000 files, found {}",
        results.len()
    );
    assert!(
        failures.is_empty(),
        "{} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
