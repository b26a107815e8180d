//! The pre-commit hooks, run for real with `pre-commit try-repo` against this
//! repository: a violating compose file is blocked with its findings shown,
//! a clean one passes. Slow (pre-commit builds the crate), so it is ignored by
//! default; `.ci/run` runs it with `--ignored`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn try_repo(dir: &Path, hook: &str) -> Output {
    Command::new("pre-commit")
        .current_dir(dir)
        // pre-commit builds the hook with `cargo install`: one shared target
        // directory lets the later runs reuse the first build, and a lighter
        // release profile keeps the test's build short.
        .env("CARGO_TARGET_DIR", common::repo().join("target/pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .args(["try-repo", common::repo().to_str().unwrap(), hook, "--color", "never"])
        .output()
        .unwrap()
}

fn pre_commit_available() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
#[ignore = "slow: pre-commit builds the crate; .ci/run runs it"]
fn hooks_block_a_violating_commit_and_pass_a_clean_one() {
    if !pre_commit_available() {
        common::skip("`pre-commit` is not installed (pip install pre-commit)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "version: '3'\nservices:\n  db:\n    image: postgres\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.yml"), "not: [a compose file\n").unwrap();
    git(dir.path(), &["add", "."]);
    let blocked = try_repo(dir.path(), "vwe-lint");
    let text = String::from_utf8_lossy(&blocked.stdout);
    assert!(!blocked.status.success(), "the violating file is blocked:\n{text}");
    assert!(
        text.contains("C101") && text.contains("docker-compose.yml"),
        "findings shown:\n{text}"
    );
    assert!(
        !text.contains("notes.yml"),
        "only compose files and Dockerfiles are passed:\n{text}"
    );

    let fixed = try_repo(dir.path(), "vwe-lint-fix");
    assert!(!fixed.status.success(), "pre-commit fails when a hook changes files");
    let text = std::fs::read_to_string(dir.path().join("docker-compose.yml")).unwrap();
    assert!(!text.contains("version:"), "--fix removed `version:`:\n{text}");

    // A clean project: the demo, which follows every standard.
    let clean_dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::repo().join("fixtures/vwe"), clean_dir.path());
    git(clean_dir.path(), &["init", "-q"]);
    git(clean_dir.path(), &["add", "."]);
    let clean = try_repo(clean_dir.path(), "vwe-lint");
    let out = String::from_utf8_lossy(&clean.stdout);
    assert!(clean.status.success(), "the clean project passes:\n{out}");
    assert!(out.contains("Passed"), "{out}");

    // The concise hook: one line per finding; the config's `exclude`
    // holds for the files pre-commit names (`--force-exclude`).
    std::fs::create_dir(clean_dir.path().join("legacy")).unwrap();
    std::fs::write(
        clean_dir.path().join("legacy/compose.yaml"),
        "services:\n  db:\n    image: postgres\n",
    )
    .unwrap();
    git(clean_dir.path(), &["add", "."]);
    let concise = try_repo(clean_dir.path(), "vwe-lint-concise");
    let out = String::from_utf8_lossy(&concise.stdout);
    assert!(!concise.status.success(), "{out}");
    assert!(out.contains("legacy/compose.yaml:3:12: C101 [error]"), "{out}");
    std::fs::write(clean_dir.path().join(".vwe-lint.toml"), "exclude = [\"legacy\"]\n").unwrap();
    git(clean_dir.path(), &["add", "."]);
    let excluded = try_repo(clean_dir.path(), "vwe-lint-concise");
    let out = String::from_utf8_lossy(&excluded.stdout);
    assert!(excluded.status.success(), "the excluded file is skipped:\n{out}");
}

/// A commit that changes only a Dockerfile is checked with the compose
/// project that builds it: dropping `curl` breaks the service's healthcheck.
#[test]
#[ignore = "slow: pre-commit builds the crate; .ci/run runs it"]
fn a_dockerfile_only_commit_is_checked_with_its_compose_project() {
    if !pre_commit_available() {
        common::skip("`pre-commit` is not installed (pip install pre-commit)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("backend")).unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  api:\n    build: ./backend\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n",
    )
    .unwrap();
    let dockerfile = dir.path().join("backend/Dockerfile");
    let install = "RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n";
    let rest = "USER 1000\nCMD [\"python\", \"-m\", \"app\"]\n";
    std::fs::write(&dockerfile, format!("FROM python:3.11-slim\n{install}{rest}")).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "a service and its image"]);
    std::fs::write(&dockerfile, format!("FROM python:3.11-slim\n{rest}")).unwrap();
    git(dir.path(), &["add", "backend/Dockerfile"]);
    let blocked = try_repo(dir.path(), "vwe-lint-concise");
    let out = String::from_utf8_lossy(&blocked.stdout);
    assert!(!blocked.status.success(), "{out}");
    assert!(out.contains("X101"), "the compose healthcheck needs curl:\n{out}");
}
