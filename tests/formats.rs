//! Every output format: a snapshot, and a parse with a real parser (JSON,
//! XML); SARIF is validated against the SARIF 2.1.0 schema.

mod common;

use std::time::Duration;

use vwe_lint::lint::{self, Checked};
use vwe_lint::report::{self, Format};
use vwe_lint::settings::{Overrides, Settings};

/// The showcase project with the rules whose findings are settled, so that
/// new rules do not churn these snapshots.
fn checked() -> Vec<Checked> {
    let overrides = Overrides {
        select: Some(
            ["S007", "C101", "C102", "C503", "D101", "D201"]
                .map(String::from)
                .to_vec(),
        ),
        ..Overrides::default()
    };
    let settings = Settings::load(&common::repo(), &overrides).unwrap();
    let targets = vwe_lint::discover::discover(&["fixtures/vwe-violations".into()]).unwrap();
    targets
        .iter()
        .map(|target| lint::lint_file(&target.path, &settings).unwrap())
        .collect()
}

fn render(format: Format) -> String {
    report::render(format, &checked(), false)
}

#[test]
fn concise() {
    let text = render(Format::Concise);
    assert!(
        text.lines()
            .all(|line| line.starts_with("fixtures/vwe-violations/") && line.contains(" ["))
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_lines() {
    let text = render(Format::JsonLines);
    let objects: Vec<serde_json::Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let array: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
    assert_eq!(
        serde_json::Value::Array(objects),
        array,
        "json-lines holds the json objects"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn github() {
    let text = render(Format::Github);
    for line in text.lines() {
        let (command, message) = line.split_once("::").unwrap().1.split_once("::").unwrap();
        assert!(
            ["error ", "warning ", "notice "]
                .iter()
                .any(|kind| command.starts_with(kind)),
            "{line}"
        );
        assert!(command.contains(",line=") && command.contains(",endColumn=") && command.contains(",title="));
        assert!(!message.contains('\n'));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn checkstyle() {
    let text = render(Format::Checkstyle);
    let document = roxmltree::Document::parse(&text).unwrap();
    let errors = document.descendants().filter(|node| node.has_tag_name("error")).count();
    assert_eq!(
        errors,
        checked().iter().map(|file| file.diagnostics.len()).sum::<usize>()
    );
    insta::assert_snapshot!(text);
}

#[test]
fn junit() {
    let text = render(Format::Junit);
    let document = roxmltree::Document::parse(&text).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let failures = document
        .descendants()
        .filter(|node| node.has_tag_name("failure"))
        .count();
    assert_eq!(root.attribute("failures").unwrap().parse::<usize>().unwrap(), failures);
    insta::assert_snapshot!(text);
}

#[test]
fn gitlab() {
    let text = render(Format::Gitlab);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    assert_eq!(render(Format::Gitlab), text, "and stable");
    insta::assert_snapshot!(text);
}

fn sarif() -> serde_json::Value {
    serde_json::from_str(&render(Format::Sarif)).unwrap()
}

#[test]
fn sarif_snapshot() {
    let mut log = sarif();
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), vwe_lint::rules::all_metas().count());
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string() && rule["helpUri"].is_string());
        assert!(rule["defaultConfiguration"]["level"].is_string());
    }
    // The rule list grows with every rule; the snapshot keeps the results.
    log["runs"][0]["tool"]["driver"]["rules"] = serde_json::json!("(every rule)");
    log["runs"][0]["tool"]["driver"]["version"] = serde_json::json!("(version)");
    insta::assert_snapshot!(serde_json::to_string_pretty(&log).unwrap());
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let schema_path = std::env::var_os("VWE_SARIF_SCHEMA").map(std::path::PathBuf::from);
    let Some(schema_path) = schema_path.filter(|path| path.is_file()) else {
        common::skip("set VWE_SARIF_SCHEMA to the SARIF 2.1.0 schema (.ci/run fetches it) to validate SARIF");
        return;
    };
    // The published schema's `language` patterns are not valid regexes (a
    // stray `]`), which the validator rejects while compiling; our logs set
    // no `language`, so the intended pattern is put in their place.
    let text = std::fs::read_to_string(schema_path).unwrap().replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let log = sarif();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken), "the schema check can fail");
}

#[test]
fn output_file_statistics_quiet_and_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.sarif");
    let report_arg = report.to_str().unwrap();
    let violations = common::repo().join("fixtures/vwe-violations");
    let violations = violations.to_str().unwrap();
    let output = common::run_in(
        dir.path(),
        &["--format", "sarif", "-o", report_arg, violations],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");

    let statistics = common::run_in(
        dir.path(),
        &["--statistics", "--select", "C503,S007", violations],
        None,
        Duration::from_secs(30),
    );
    let text = common::stdout(&statistics);
    assert!(
        text.lines()
            .any(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit())
                && line.contains("C503  [*] restart-policy")),
        "{text}"
    );

    let quiet = common::run_in(
        dir.path(),
        &["--quiet", "--format", "concise", violations],
        None,
        Duration::from_secs(30),
    );
    assert!(!common::stdout(&quiet).contains(" in 3 files"));
    let zero = common::run_in(dir.path(), &["--exit-zero", violations], None, Duration::from_secs(30));
    assert_eq!(zero.status.code(), Some(0));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = common::run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0));
        assert!(common::stdout(&output).contains("vwe-lint"), "{shell}");
        assert!(common::stdout(&output).contains("fail-on"), "{shell}");
    }
    let man = common::stdout(&common::run(&["man"]));
    assert!(man.starts_with(".ie") || man.contains(".TH vwe-lint"), "{man}");
    assert!(man.contains("fail\\-on"));
}
