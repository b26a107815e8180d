//! Snapshots of the fixtures: each rule's fixtures (`fixtures/rules/<CODE>/`)
//! linted with that rule alone, so a new rule changes no other rule's
//! snapshots; and the violations project linted with every rule.

mod common;

use std::path::{Path, PathBuf};

use vwe_lint::discover;
use vwe_lint::lint::{self, Checked};
use vwe_lint::report;
use vwe_lint::settings::{Overrides, Settings};

/// The human and the JSON report of `checked`.
fn report(checked: &[Checked]) -> String {
    let human = report::human::render(checked, false);
    let json = report::json::render(checked);
    format!(
        "{human}{}\n\n--- json ---\n{json}",
        report::summary_line(report::Counts::of(checked), checked.len())
    )
}

/// Settings that run the one rule `code` (no config file in effect).
fn only(code: &str) -> Settings {
    let empty = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        select: Some(vec![code.to_string()]),
        ..Overrides::default()
    };
    Settings::load(empty.path(), &overrides).unwrap()
}

/// `path` relative to the repository, as the snapshots name it.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(common::repo()).unwrap().to_path_buf()
}

/// Rules whose findings are about other rules' findings (a suppression that
/// silences nothing): their fixtures run every rule and keep only their own.
const ABOUT_OTHER_RULES: &[&str] = &["S008"];

/// The report of a rule's fixture, linted with that rule alone (the rule's
/// code names the fixture's directory).
fn render(path: &Path) -> String {
    let code = path.parent().unwrap().file_name().unwrap().to_str().unwrap();
    let checked = if ABOUT_OTHER_RULES.contains(&code) {
        let mut checked = lint::lint_file(&relative(path), &common::default_settings()).unwrap();
        checked.diagnostics.retain(|diagnostic| diagnostic.code() == code);
        checked
    } else {
        lint::lint_file(&relative(path), &only(code)).unwrap()
    };
    let others: Vec<_> = common::codes(&checked)
        .into_iter()
        .filter(|found| *found != code)
        .collect();
    assert!(others.is_empty(), "{}: other rules ran: {others:?}", path.display());
    report(&[checked])
}

#[test]
fn rule_fixtures() {
    insta::glob!("../fixtures/rules", "*/*", |path| {
        // Subdirectories hold what fixtures refer to (env files, build contexts).
        if path.is_dir() {
            return;
        }
        insta::assert_snapshot!(render(path));
    });
}

#[test]
fn violations_project_with_every_rule() {
    let settings = common::settings_with_preview();
    let mut targets = discover::discover(&[PathBuf::from("fixtures/vwe-violations")]).unwrap();
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    let checked: Vec<_> = targets
        .iter()
        .map(|target| lint::lint_file(&target.path, &settings).unwrap())
        .collect();
    insta::assert_snapshot!(report(&checked));
}

#[test]
fn demo_project_is_clean() {
    let settings = common::default_settings();
    let targets = discover::discover(&[common::repo().join("fixtures/vwe")]).unwrap();
    assert!(targets.len() >= 5, "the demo project has compose files and Dockerfiles");
    for target in targets {
        let checked = lint::lint_file(&target.path, &settings).unwrap();
        let found: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.rule.code, d.message))
            .collect();
        assert!(found.is_empty(), "{}: {found:#?}", target.path.display());
    }
}
