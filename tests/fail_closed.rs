//! Fail closed: a mistake in a suppression comment, a config value, or the
//! way inputs are named never makes a run look cleaner than it is.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn lint_in(dir: &Path, args: &[&str]) -> Output {
    common::run_in(dir, args, None, LIMIT)
}

fn privileged_with(comment: &str) -> String {
    format!("{comment}\nservices:\n  app:\n    image: vwe/app:1.0\n    privileged: true\n")
}

#[test]
fn an_unknown_code_in_a_suppression_silences_nothing_and_fails_the_run() {
    for comment in [
        "# vwe-lint: ignore-file[C99]",
        "# vwe-lint: ignore-file[C4O3]",
        "# vwe-lint: ignore-file[C403",
        "# vwe-lint: ignore-file[]",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), privileged_with(comment)).unwrap();
        let output = lint_in(dir.path(), &["--format", "concise", "--select", "C403,S008"]);
        let report = common::stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{comment}\n{report}");
        assert!(
            report.contains("C403 [error]"),
            "{comment}: C403 stays reported\n{report}"
        );
        assert!(report.contains("S008 [warning]"), "{comment}\n{report}");
    }
}

#[test]
fn the_valid_codes_beside_an_unknown_one_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    let text = privileged_with("# vwe-lint: ignore-file[C403, C4O3]");
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let output = lint_in(dir.path(), &["--format", "concise", "--select", "C403,S008"]);
    let report = common::stdout(&output);
    assert!(!report.contains("C403 ["), "{report}");
    assert!(report.contains("S008 [warning] unknown rule `C4O3`"), "{report}");
    assert_eq!(output.status.code(), Some(1), "{report}");
}

#[test]
fn a_stale_suppression_is_a_warning_unless_the_config_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let text = "services:\n  app:\n    image: vwe/app:1.0 # vwe-lint: ignore[C403]\n";
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let output = lint_in(dir.path(), &["--select", "C403,S008"]);
    assert_eq!(output.status.code(), Some(1), "{}", common::stdout(&output));
    std::fs::write(dir.path().join(".vwe-lint.toml"), "[rules.severity]\nS008 = \"info\"\n").unwrap();
    let output = lint_in(dir.path(), &["--select", "C403,S008"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stdout(&output));
}

#[test]
fn an_invalid_standards_value_is_a_config_error_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let text = "services:\n  app:\n    image: vwe/app:1.0\n";
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    std::fs::write(
        dir.path().join(".vwe-lint.toml"),
        "[standards.restart]\nservice = \"sometimes\"\n",
    )
    .unwrap();
    let output = lint_in(dir.path(), &["--fix"]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
    assert!(
        common::stderr(&output).contains(".vwe-lint.toml:2:11: `sometimes` is not a restart policy"),
        "{}",
        common::stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(), text);
}
