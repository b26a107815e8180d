// Where every test finds the shared corpus, and how a test that cannot run
// says so. Included by tests/common/mod.rs and, with `include!`, by the unit
// tests that read the corpus, so there is one helper (no inner doc comment:
// `include!` takes items only).

/// The shared corpus: `VWE_CORPUS`, else `../shared/corpus` beside the
/// repository. `None` when it is absent, after [`skip`] said so.
pub fn corpus() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("VWE_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if path.is_dir() {
        return Some(path);
    }
    skip(&format!(
        "the corpus is absent at {} (set VWE_CORPUS to run this test)",
        path.display()
    ));
    None
}

/// Says that the running test is skipped, for `reason`, where `cargo test`
/// shows it: libtest captures `eprintln!` and shows it only for a failure,
/// so the line goes to the process's stderr directly, naming the test. Under
/// `CI` a skip is a failure: CI provides everything the tests need.
pub fn skip(reason: &str) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    assert!(std::env::var_os("CI").is_none(), "{test} cannot run: {reason}");
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {reason}");
}
