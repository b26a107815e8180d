//! Files a compose project refers to (`include`, `extends.file`, env files,
//! `.env`, `--env-file`): the binary reads none outside the project's root
//! unless `[compose] allow-outside` allows it, reads no FIFO or device, and
//! echoes nothing of a file it refused, in any format.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// Planted in the files outside the project: it must never be printed.
const MARKER: &str = "vwe_marker_7f3a91";

/// A repository (`repo/.git`) holding the fixture `fixtures/hostile/referenced/<name>`,
/// and beside it `outside/`, with files that carry the marker.
fn layout(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    common::copy_tree(&common::repo().join("fixtures/hostile/referenced").join(name), &repo);
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.yaml"),
        format!("services:\n  base:\n    image: {MARKER}\n    environment: [{MARKER}=1]\n  {MARKER}: {{image: x}}\n"),
    )
    .unwrap();
    std::fs::write(outside.join("secret.env"), format!("TAG={MARKER}\n")).unwrap();
    (dir, repo)
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    let mut command = common::binary();
    command
        .env_clear()
        .env("VWE_SECRET_TOKEN", MARKER)
        .current_dir(dir)
        .args(args);
    common::run_command(command, None, Duration::from_secs(20))
}

fn output(output: &Output) -> String {
    common::stdout(output) + &common::stderr(output)
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// The lines of a file outside the project that could leak, where readable.
fn lines_of(path: &str) -> Vec<String> {
    std::fs::read(path)
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .split(['\n', '\0'])
                .map(str::trim)
                .filter(|line| line.len() > 8)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn files_outside_the_project_are_named_never_read_in_every_format() {
    let (_dir, repo) = layout("leak");
    let shadow = lines_of("/etc/shadow");
    for format in common::format_names() {
        let format = format.as_str();
        let result = lint(&repo, &["--format", format, "compose.yaml"]);
        let text = output(&result);
        assert_eq!(result.status.code(), Some(1), "{format}: {text}");
        assert!(!text.contains(MARKER), "{format} leaks an outside file: {text}");
        for line in &shadow {
            assert!(!text.contains(line.as_str()), "{format} leaks /etc/shadow: {text}");
        }
        for named in [
            "/etc/shadow",
            "/proc/self/environ",
            "../outside/secret.yaml",
            "../outside/secret.env",
        ] {
            assert!(text.contains(named), "{format} does not name {named}: {text}");
        }
        assert!(text.contains("outside the project"), "{format}: {text}");
    }
}

#[test]
fn allow_outside_makes_the_directory_readable() {
    let (_dir, repo) = layout("leak");
    std::fs::write(
        repo.join(".vwe-lint.toml"),
        "[compose]\nallow-outside = [\"../outside\"]\n",
    )
    .unwrap();
    let result = lint(&repo, &["--format", "concise", "compose.yaml"]);
    let text = output(&result);
    assert!(text.contains(MARKER), "the allowed file is not read: {text}");
    assert!(!text.contains("../outside/secret.yaml` is outside"), "{text}");
    // What is not allowed stays out.
    assert!(text.contains("`/etc/shadow` is outside the project"), "{text}");
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_at_the_line_that_names_them() {
    let (_dir, repo) = layout("special");
    mkfifo(&repo.join("fifo.yaml"));
    mkfifo(&repo.join("fifo.env"));
    mkfifo(&repo.join(".env"));
    std::fs::write(repo.join(".vwe-lint.toml"), "[compose]\nallow-outside = [\"/dev\"]\n").unwrap();
    let result = lint(&repo, &["--format", "concise", "compose.yaml"]);
    let text = output(&result);
    assert_eq!(result.status.code(), Some(1), "{text}");
    for expected in [
        "compose.yaml:2:5: S006 [error] the included file `fifo.yaml` is a FIFO, not a regular file",
        "compose.yaml:4:15: S006 [error] the env file `/dev/zero` of this include is a device, not a regular file",
        "compose.yaml:6:15: S006 [error] the env file `fifo.env` of this include is a FIFO, not a regular file",
        "compose.yaml:1:1: S004 [error] `./.env` is a FIFO, not a regular file",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[cfg(unix)]
#[test]
fn an_env_file_option_naming_a_fifo_or_a_device_is_a_usage_error() {
    let (dir, repo) = layout("special");
    let fifo = dir.path().join("vars.fifo");
    mkfifo(&fifo);
    for named in [fifo.to_str().unwrap(), "/dev/zero"] {
        let result = lint(&repo, &["--env-file", named, "local.yaml"]);
        let text = output(&result);
        assert_eq!(result.status.code(), Some(2), "{text}");
        assert!(text.contains(&format!("cannot read env file {named}")), "{text}");
        assert!(text.contains("not a regular file"), "{text}");
    }
}

#[test]
fn an_env_file_option_may_name_a_file_outside_the_project() {
    let (dir, repo) = layout("special");
    let vars = dir.path().join("outside/vars.env");
    std::fs::write(&vars, "TAG=1.36.1\n").unwrap();
    let result = lint(
        &repo,
        &["--format", "json", "--env-file", vars.to_str().unwrap(), "local.yaml"],
    );
    let text = output(&result);
    assert!(!text.contains("S004"), "{text}");
    assert!(!text.contains("outside the project"), "{text}");
}

/// A build context or Dockerfile outside the project is a C703 warning that
/// names it; its Dockerfile is not read for the X rules, and a secret file
/// there is not even tested for existence.
#[test]
fn a_build_outside_the_project_is_named_and_never_read_or_probed() {
    let (_dir, repo) = layout("outside-build");
    let outside = repo.parent().unwrap().join("outside");
    std::fs::write(outside.join("Dockerfile"), format!("FROM {MARKER}\nUSER {MARKER}\n")).unwrap();
    let result = lint(
        &repo,
        &["--format", "concise", "--select", "C703,C404,X", "compose.yaml"],
    );
    let text = output(&result);
    assert!(!text.contains(MARKER), "an outside Dockerfile leaks: {text}");
    for outside in [
        "the build context `../outside`",
        "the Dockerfile `../outside/Dockerfile`",
    ] {
        assert!(
            text.contains(&format!("C703 [warning] {outside} of service")),
            "{outside} is not named: {text}"
        );
    }
    assert!(!text.contains("X1"), "an outside Dockerfile was judged: {text}");
    assert!(!text.contains("C404"), "an outside secret file was probed: {text}");
}
