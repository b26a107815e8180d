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

const DOCKERFILE_AS_ROOT: &str = "FROM ubuntu:22.04\nUSER root\n";

#[cfg(unix)]
#[test]
fn a_dockerfile_given_as_a_pipe_is_read_once_and_linted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE_AS_ROOT).unwrap();
    let mut command = std::process::Command::new("bash");
    command.current_dir(dir.path()).arg("-c").arg(format!(
        "'{}' --format concise --select D201 <(cat Dockerfile)",
        env!("CARGO_BIN_EXE_vwe-lint")
    ));
    let output = common::run_command(command, None, LIMIT);
    let report = common::stdout(&output);
    assert!(report.contains("D201 [warning]"), "{report}{}", common::stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{report}");
}

#[test]
fn standard_input_and_named_files_are_all_linted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE_AS_ROOT).unwrap();
    let args = [
        "--format",
        "concise",
        "--select",
        "D201",
        "--stdin-filename",
        "piped.Dockerfile",
        "-",
        "Dockerfile",
    ];
    let output = common::run_in(dir.path(), &args, Some(DOCKERFILE_AS_ROOT), LIMIT);
    let report = common::stdout(&output);
    assert!(report.contains("piped.Dockerfile:2:1: D201"), "{report}");
    assert!(
        report.lines().any(|line| line.starts_with("Dockerfile:2:1: D201")),
        "{report}"
    );
}

#[test]
fn a_file_named_twice_is_linted_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE_AS_ROOT).unwrap();
    let absolute = dir.path().join("Dockerfile");
    let args = ["--format", "concise", "--select", "D201", "Dockerfile", "./Dockerfile"];
    let mut args: Vec<&str> = args.to_vec();
    args.push(absolute.to_str().unwrap());
    args.push(".");
    let output = lint_in(dir.path(), &args);
    let report = common::stdout(&output);
    assert_eq!(report.matches("D201").count(), 1, "{report}");
    assert!(report.contains("in 1 file"), "{report}");
}

#[cfg(unix)]
#[test]
fn a_walk_skips_fifos_named_like_compose_files_and_dockerfiles() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["compose.yaml", "Dockerfile"] {
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .unwrap();
        assert!(status.success());
    }
    std::fs::write(dir.path().join("Dockerfile.dev"), DOCKERFILE_AS_ROOT).unwrap();
    let output = lint_in(dir.path(), &["--format", "concise", "--select", "D201", "."]);
    let report = common::stdout(&output);
    assert!(report.contains("Dockerfile.dev:2:1: D201"), "{report}");
    assert!(report.contains("in 1 file"), "{report}");
}

#[test]
fn a_file_over_the_size_cap_is_a_tool_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"services: {}\n".to_vec();
    text.resize(vwe_lint::read::MAX_FILE_SIZE as usize + 1, b'#');
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let output = lint_in(dir.path(), &["."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains("compose.yaml is larger than 16 MiB"),
        "{}",
        common::stderr(&output)
    );
}

/// A project whose concise report is far larger than a pipe's buffer.
fn many_findings(dir: &Path) {
    let mut text = String::from("services:\n");
    for index in 0..400 {
        text.push_str(&format!(
            "  app{index}:\n    image: vwe/app:1.0\n    privileged: true\n"
        ));
    }
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_error_on_standard_output_is_a_tool_error() {
    let dir = tempfile::tempdir().unwrap();
    many_findings(dir.path());
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = common::binary()
        .current_dir(dir.path())
        .args(["--format", "concise"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot write to standard output"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_closed_pipe_on_standard_output_is_a_tool_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    many_findings(dir.path());
    let mut child = common::binary()
        .current_dir(dir.path())
        .args(["--format", "concise"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Nothing reads the report: once the pipe's buffer is full, the write fails.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_output_file_that_is_an_input_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE_AS_ROOT).unwrap();
    let output = lint_in(dir.path(), &["-o", "./Dockerfile", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains("is also an input"),
        "{}",
        common::stderr(&output)
    );
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(text, DOCKERFILE_AS_ROOT);
}

#[test]
fn control_characters_in_a_path_are_escaped_in_tool_errors() {
    let dir = tempfile::tempdir().unwrap();
    let output = lint_in(dir.path(), &["a\u{1b}[2Jb\nvwe-lint: forged"]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.contains("a\\u{1b}[2Jb\\nvwe-lint: forged"), "{stderr:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
}
