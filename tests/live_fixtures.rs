//! Every E rule without an engine: each case of `fixtures/rules/E…/` is a
//! compose project and a recorded engine answer (`engine.json`, a snapshot,
//! or `unreachable.json`). A `fail-…` case must report its rule, a `pass-…`
//! case must not; the report itself is a snapshot.

mod common;

use std::path::Path;

use vwe_lint::engine::command;
use vwe_lint::engine::{Snapshot, Unreachable};
use vwe_lint::report;

/// The recorded answer of a case directory.
fn recorded(dir: &Path) -> Result<Snapshot, Unreachable> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    if let Some(text) = read("engine.json") {
        return Ok(serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", dir.display())));
    }
    let text = read("unreachable.json").unwrap_or_else(|| panic!("{}: no recorded engine answer", dir.display()));
    Err(serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", dir.display())))
}

#[test]
fn every_live_rule_from_recorded_snapshots() {
    let settings = common::default_settings();
    let mut cases = 0;
    insta::glob!("../fixtures/rules", "E*/*", |dir| {
        let relative = dir.strip_prefix(common::repo()).unwrap();
        let code = relative.parent().unwrap().file_name().unwrap().to_str().unwrap();
        let case = dir.file_name().unwrap().to_str().unwrap();
        let checked = command::check(relative, &settings, |_| recorded(dir)).unwrap();
        let codes: Vec<&str> = checked
            .files
            .iter()
            .flat_map(|file| &file.diagnostics)
            .map(|diagnostic| diagnostic.rule.code)
            .collect();
        match case.split('-').next() {
            Some("fail") => assert!(codes.contains(&code), "{case}: {code} expected, got {codes:?}"),
            Some("pass") => assert!(!codes.contains(&code), "{case}: no {code} expected, got {codes:?}"),
            _ => panic!("{case}: a case is named fail-… or pass-…"),
        }
        cases += 1;
        let human = report::human::render(&checked.files, false);
        insta::assert_snapshot!(format!(
            "{human}{}",
            report::summary_line(report::Counts::of(&checked.files), checked.files.len())
        ));
    });
    assert!(cases >= 30, "only {cases} cases found");
}

#[test]
fn the_scope_is_the_project_and_its_job_names() {
    let settings = common::default_settings();
    let dir = common::repo().join("fixtures/rules/E401/fail-unlabelled-worldgen-at-the-job");
    let relative = dir.strip_prefix(common::repo()).unwrap();
    let mut asked = None;
    command::check(relative, &settings, |scope| {
        let prefixes: Vec<String> = scope.job_prefixes.iter().map(|prefix| prefix.to_string()).collect();
        asked = Some((scope.project.to_string(), prefixes));
        recorded(&dir)
    })
    .unwrap();
    assert_eq!(asked, Some(("vwe".to_string(), vec!["vwe-worldgen-".to_string()])));
}

#[test]
fn fingerprints_leave_out_what_changes_between_runs() {
    let settings = common::default_settings();
    let dir = common::repo().join("fixtures/rules/E402/fail-restarting");
    let relative = dir.strip_prefix(common::repo()).unwrap();
    let fingerprints = |restarts: i64| {
        let mut snapshot = recorded(&dir).unwrap();
        for container in &mut snapshot.containers {
            if container.restart_count > 0 {
                container.restart_count = restarts;
                container.name = format!("vwe-worker-{restarts}");
            }
        }
        let checked = command::check(relative, &settings, |_| Ok(snapshot)).unwrap();
        let gitlab: serde_json::Value = serde_json::from_str(&report::gitlab::render(&checked.files)).unwrap();
        let sarif: serde_json::Value = serde_json::from_str(&report::sarif::render(&checked.files)).unwrap();
        let message = gitlab[0]["description"].as_str().unwrap().to_string();
        (
            message,
            gitlab[0]["fingerprint"].clone(),
            sarif["runs"][0]["results"][0]["partialFingerprints"].clone(),
        )
    };
    let (first_message, first_gitlab, first_sarif) = fingerprints(7);
    let (second_message, second_gitlab, second_sarif) = fingerprints(8);
    assert_ne!(first_message, second_message, "the messages tell the counts");
    assert_eq!(first_gitlab, second_gitlab);
    assert_eq!(first_sarif, second_sarif);
    assert!(first_gitlab.is_string() && first_sarif.is_object());
}
