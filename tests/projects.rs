//! Snapshots of the compose projects under fixtures/projects: each directory
//! linted as `vwe-lint --format concise .` run in it (its own `.vwe-lint.toml`
//! and `.env` files in effect, no variables from the environment), so every
//! finding shows the file and line that set the merged value it is about.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// Runs the binary in `dir` with nothing in its environment: the fixtures'
/// variables come from their `.env` files only.
fn run_clean(dir: &Path, args: &[&str]) -> Output {
    let mut command = common::binary();
    command.env_clear().current_dir(dir).args(args);
    common::run_command(command, None, Duration::from_secs(60))
}

#[test]
fn project_fixtures() {
    let root = common::repo().join("fixtures/projects");
    insta::glob!("../fixtures/projects", "*", |dir| {
        // The pattern matches the directory itself too.
        if !dir.is_dir() || dir == root {
            return;
        }
        let output = run_clean(dir, &["--format", "concise", "."]);
        let stderr = common::stderr(&output);
        assert!(stderr.is_empty(), "{}: {stderr}", dir.display());
        let report = format!("{}--- exit {}", common::stdout(&output), output.status.code().unwrap());
        insta::assert_snapshot!(report);
    });
}

/// `[[compose.projects]]` names files no directory walk would take for
/// compose files (`deploy/base.yml`); the declared project is a production
/// variant, so the base's bind mount is C304's at the base's line.
#[test]
fn a_declared_project_is_linted_from_its_directory() {
    let dir = common::repo().join("fixtures/projects/declared");
    let output = run_clean(&dir, &["--format", "concise", "--quiet", "."]);
    let report = common::stdout(&output);
    assert!(
        report.contains("deploy/base.yml:34:9: C304 [warning] service `backend` bind-mounts the host path `./config`"),
        "{report}"
    );
    assert!(
        report.contains(
            "deploy/live.yml:8:9: C304 [warning] service `backend` bind-mounts the host path `/srv/vwe/uploads`"
        ),
        "{report}"
    );
    assert!(
        !report.contains(&*dir.to_string_lossy()),
        "paths are relative: {report}"
    );
}

/// As `docker compose -f deploy/base.yml -f ops/live.yml`, a declared
/// project resolves its overlay's `env_file` and variables from the first
/// file's directory, not from the overlay's own.
#[test]
fn a_declared_overlay_in_another_directory_resolves_from_the_project_directory() {
    let dir = common::repo().join("fixtures/projects/across-dirs");
    let output = run_clean(&dir, &["--format", "concise", "."]);
    let report = common::stdout(&output);
    assert!(!report.contains("C702") && !report.contains("S004"), "{report}");
    assert_eq!(output.status.code(), Some(0), "{report}");
    let config = common::stdout(&run_clean(&dir, &["config", "."]));
    assert!(config.contains("image: vwe/api:1.1"), "{config}");
    assert!(config.contains("env_file: ./env/live.env"), "{config}");
}

/// `--fix` on the production overlay writes that file only: the base it is
/// merged over is read, its findings reported, but never written.
#[test]
fn fix_edits_only_the_named_file_of_a_project() {
    let fixture = common::repo().join("fixtures/projects/overlay");
    let copy = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture, copy.path());
    let output = common::run_in(
        copy.path(),
        &["--format", "concise", "--fix", "docker-compose.prod.yml"],
        None,
        Duration::from_secs(60),
    );
    let report = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}{}", common::stderr(&output));

    for untouched in ["docker-compose.yml", "docker-compose.override.yml"] {
        assert_eq!(
            std::fs::read(copy.path().join(untouched)).unwrap(),
            std::fs::read(fixture.join(untouched)).unwrap(),
            "{untouched} was written"
        );
    }
    // The named file was fixed: S007 removed its `version:`.
    let prod = std::fs::read_to_string(copy.path().join("docker-compose.prod.yml")).unwrap();
    let original = std::fs::read_to_string(fixture.join("docker-compose.prod.yml")).unwrap();
    assert_eq!(prod, original.replace("version: \"3.8\"\n", ""));
    assert!(!report.contains(" S007 "), "{report}");

    // The base's findings in the production variant are still reported,
    // C506 although it has a safe fix: the base is not the user's to fix here.
    let in_base = |code: &str| {
        report
            .lines()
            .any(|line| line.starts_with("docker-compose.yml:") && line.contains(&format!(" {code} ")))
    };
    assert!(in_base("C304"), "{report}");
    assert!(in_base("C506"), "{report}");
}
