//! `scripts/new-rule` end to end: in a copy of the repository, scaffold a
//! rule of each kind, write only the checks into the three files the script
//! made, and build and test the copy. Slow (it builds the crate again), so
//! ignored; `.ci/run` runs it.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `program` in `dir` and returns its stdout; panics with its output when it fails.
fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(program);
    command.current_dir(dir).args(args).env_remove("CI");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        common::stdout(&output),
        common::stderr(&output)
    );
    common::stdout(&output)
}

/// The repository's files (tracked, or new and not ignored) copied into `to`.
fn copy_repository(to: &Path) {
    let repo = common::repo();
    let listed = run(
        &repo,
        "git",
        &["ls-files", "--cached", "--others", "--exclude-standard"],
        &[],
    );
    for file in listed.lines() {
        let from = repo.join(file);
        if !from.is_file() {
            continue;
        }
        let target = to.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&from, &target).unwrap();
    }
}

fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

fn snapshots(copy: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = Vec::new();
    common::files(&copy.join("tests/snapshots"), &mut files);
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

#[test]
#[ignore = "slow: builds a copy of the crate; .ci/run runs it"]
fn a_scaffolded_rule_is_three_files() {
    let copy = tempfile::tempdir().unwrap();
    let copy = copy.path();
    copy_repository(copy);
    for (code, name, kind) in [
        ("C704", "every-service", "compose"),
        ("D499", "every-run", "dockerfile"),
        ("X106", "every-built-service", "cross"),
        ("E501", "every-live-service", "live"),
    ] {
        run(copy, "scripts/new-rule", &[code, name, "--kind", kind], &[]);
    }
    // The checks (narrow, so that only the new fixtures change): the only
    // code a new rule needs beyond what the script wrote.
    let compose_check = "    fn check_compose(&self, cx: &ComposeContext, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file else { return };
        for service in file.services().filter(|service| service.name == \"app\") {
            out.push(Diagnostic::new(&META, service.node().span, \"a service named app\"));
        }
    }";
    let empty_compose = "    fn check_compose(&self, _cx: &ComposeContext, _out: &mut Vec<Diagnostic>) {}";
    replace(
        &copy.join("src/rules/compose/every_service.rs"),
        empty_compose,
        compose_check,
    );
    replace(
        &copy.join("src/rules/cross/every_built_service.rs"),
        empty_compose,
        compose_check,
    );
    let dockerfile = copy.join("src/rules/dockerfile/every_run.rs");
    replace(
        &dockerfile,
        "    fn check_dockerfile(&self, _cx: &DockerfileContext, _out: &mut Vec<Diagnostic>) {}",
        "    fn check_dockerfile(&self, cx: &DockerfileContext, out: &mut Vec<Diagnostic>) {
        for run in cx.dockerfile.instructions.iter().filter(|i| i.keyword == Keyword::Run) {
            if cx.source.text[run.span.start..run.span.end].trim() == \"RUN true\" {
                out.push(Diagnostic::new(&META, run.span, \"RUN true\"));
            }
        }
    }",
    );
    replace(
        &dockerfile,
        "use crate::diagnostic::Diagnostic;",
        "use crate::diagnostic::Diagnostic;\nuse crate::dockerfile::parse::Keyword;",
    );

    // Its own target directory: the outer `cargo test` may hold this one's lock.
    let target = common::repo().join("target/scaffold");
    let target = target.to_str().unwrap();
    let cargo_env = [("CARGO_TARGET_DIR", target)];
    run(copy, "cargo", &["fmt", "--check"], &[]);
    let catalog = run(
        copy,
        "cargo",
        &["run", "--quiet", "--", "rules", "--format", "json"],
        &cargo_env,
    );
    let codes: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&catalog)
        .unwrap()
        .iter()
        .map(|rule| rule["code"].as_str().unwrap().to_string())
        .collect();
    for code in ["C704", "D499", "X106", "E501"] {
        assert!(codes.contains(&code.to_string()), "{code} is not registered: {codes:?}");
    }
    let markdown = run(
        copy,
        "cargo",
        &["run", "--quiet", "--", "rules", "--format", "markdown"],
        &cargo_env,
    );
    std::fs::write(copy.join("docs/rules.md"), markdown).unwrap();

    // The new fixtures' snapshots are written; no other snapshot changes.
    let before = snapshots(copy);
    let tests = ["test", "--test", "rule_docs", "--test", "fixtures"];
    run(copy, "cargo", &tests, &[cargo_env[0], ("INSTA_UPDATE", "always")]);
    let after = snapshots(copy);
    let added: Vec<_> = after.keys().filter(|path| !before.contains_key(*path)).collect();
    assert_eq!(added.len(), 3, "{added:?}");
    for code in ["C704", "D499", "X106"] {
        let snapshot = added
            .iter()
            .find(|path| path.to_string_lossy().contains(&format!("@{code}__")))
            .unwrap_or_else(|| panic!("no snapshot of {code}: {added:?}"));
        assert!(
            after[*snapshot].contains(&format!("\"code\": \"{code}\"")),
            "{}",
            after[*snapshot]
        );
    }
    for (path, text) in &before {
        assert_eq!(&after[path], text, "{} changed", path.display());
    }
    // And the copy's tests pass as CI runs them.
    run(copy, "cargo", &tests, &[cargo_env[0], ("CI", "true")]);
}
