//! Where interpolation variables come from, end to end: `.env` beside the
//! compose file, `--env-file` (repeatable, replacing `.env`), and the process
//! environment, which wins over both.

mod common;

use std::path::Path;
use std::process::Output;

const COMPOSE: &str =
    "services:\n  backend:\n    image: \"vwe/backend:${VWE_IT_TAG}\"\n    privileged: ${VWE_IT_PRIVILEGED}\n";

fn lint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = common::binary();
    command
        .current_dir(dir)
        .args(["--select", "S003,S004", "--format", "json"])
        .args(args)
        .env_remove("VWE_IT_TAG")
        .env_remove("VWE_IT_PRIVILEGED");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// `code line message` of every finding.
fn findings(output: &Output) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            format!(
                "{} {} {}",
                finding["code"].as_str().unwrap(),
                finding["line"],
                finding["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn dot_env_beside_the_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    let unset = findings(&lint(dir.path(), &["compose.yaml"], &[]));
    assert_eq!(unset.len(), 2, "{unset:?}");
    assert!(unset.iter().all(|finding| finding.starts_with("S004")), "{unset:?}");

    std::fs::write(dir.path().join(".env"), "VWE_IT_TAG=1.0\nVWE_IT_PRIVILEGED=maybe\n").unwrap();
    let found = findings(&lint(dir.path(), &["compose.yaml"], &[]));
    assert_eq!(
        found,
        ["S003 4 `services.backend.privileged` must be a boolean (`true` or `false`), found `maybe`"]
    );
}

#[test]
fn the_environment_wins_over_env_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.path().join(".env"), "VWE_IT_TAG=1.0\nVWE_IT_PRIVILEGED=maybe\n").unwrap();
    let found = lint(dir.path(), &["compose.yaml"], &[("VWE_IT_PRIVILEGED", "false")]);
    assert_eq!(findings(&found), Vec::<String>::new());
    assert_eq!(found.status.code(), Some(0));
}

#[test]
fn env_files_replace_dot_env_and_a_later_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.path().join(".env"), "VWE_IT_TAG=1.0\nVWE_IT_PRIVILEGED=true\n").unwrap();
    std::fs::write(dir.path().join("a.env"), "VWE_IT_TAG=2.0\nVWE_IT_PRIVILEGED=maybe\n").unwrap();
    std::fs::write(dir.path().join("b.env"), "VWE_IT_PRIVILEGED=true\n").unwrap();
    let first = findings(&lint(dir.path(), &["--env-file", "a.env", "compose.yaml"], &[]));
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].starts_with("S003 4"), "{first:?}");
    let both = lint(
        dir.path(),
        &["--env-file", "a.env", "--env-file", "b.env", "compose.yaml"],
        &[],
    );
    assert_eq!(findings(&both), Vec::<String>::new());
    // `.env` is not read when env files are given: the tag stays unset here.
    let only_b = findings(&lint(dir.path(), &["--env-file", "b.env", "compose.yaml"], &[]));
    assert_eq!(only_b.len(), 1, "{only_b:?}");
    assert!(
        only_b[0].starts_with("S004 3 variable `VWE_IT_TAG` is not set"),
        "{only_b:?}"
    );
}

#[test]
fn a_missing_env_file_is_a_tool_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    let output = lint(dir.path(), &["--env-file", "missing.env", "compose.yaml"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains("missing.env"),
        "{}",
        common::stderr(&output)
    );
}
