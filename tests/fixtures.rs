//! Snapshots of every per-rule fixture: the human and the JSON report.

mod common;

use std::path::Path;

use vwe_lint::discover;
use vwe_lint::lint;
use vwe_lint::report;

fn render(path: &Path) -> String {
    let settings = common::default_settings();
    let relative = path.strip_prefix(common::repo()).unwrap().to_path_buf();
    let checked = vec![lint::lint_file(&relative, &settings).unwrap()];
    let human = report::human::render(&checked, false);
    let json = report::json::render(&checked);
    format!(
        "{human}{}\n\n--- json ---\n{json}",
        report::summary_line(report::Counts::of(&checked), 1)
    )
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
