//! Every file of the shared corpus lints without a panic or a hang.

mod common;

use std::time::Duration;

use vwe_lint::discover;
use vwe_lint::lint;
use vwe_lint::source::FileKind;

#[test]
fn every_corpus_file_lints_without_panic() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let settings = common::settings_with_preview();
    let mut panicked = Vec::new();
    let mut count = 0;
    for (folder, kind) in [
        ("compose", FileKind::Compose),
        ("dockerfile", FileKind::Dockerfile),
        ("dockerfile-templated", FileKind::Dockerfile),
    ] {
        let mut paths = Vec::new();
        common::files(&corpus.join(folder), &mut paths);
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let kind = discover::kind_by_name(&path).unwrap_or(kind);
            count += 1;
            let result = std::panic::catch_unwind(|| {
                // Alone, and as part of the project it belongs to (its base,
                // overlays, includes and extends).
                let (source, encoding_error) = lint::source_from_bytes(path.clone(), kind, bytes);
                let alone = lint::lint(source, &settings, encoding_error).diagnostics.len();
                alone + lint::lint_file(&path, &settings).map_or(0, |checked| checked.diagnostics.len())
            });
            if result.is_err() {
                panicked.push(path);
            }
        }
    }
    assert!(count > 2000, "the corpus holds over 2,000 files, found {count}");
    assert!(
        panicked.is_empty(),
        "panicked on {} files: {panicked:#?}",
        panicked.len()
    );
}

#[test]
fn the_binary_lints_the_whole_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let output = common::run_in(
        &corpus,
        &["--format", "json", "compose", "dockerfile"],
        None,
        Duration::from_secs(120),
    );
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        common::stderr(&output)
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(findings.as_array().unwrap().len() > 1000);
}
