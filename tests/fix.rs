//! `--fix`: the fixed output of every fixture with a fixable finding
//! (snapshots, clippy's `.fixed` style), and the promises every fix keeps.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{run_in, stdout};
use vwe_lint::fix::{self, FixMode};
use vwe_lint::lint;

#[test]
fn fixed_fixtures() {
    let settings = common::default_settings();
    insta::glob!("../fixtures/rules", "*/*", |path| {
        // Fixture folders hold supporting files (build contexts, env files).
        if path.is_dir() {
            return;
        }
        let relative = path.strip_prefix(common::repo()).unwrap();
        let fixed = fix::fix_file(relative, None, &settings, FixMode::Unsafe).unwrap();
        let kind = fixed.checked.source.kind;
        if !fixed.changed() {
            return;
        }
        let text = &fixed.checked.source.text;
        for comment in common::comments(&fixed.original, kind) {
            assert!(
                text.contains(&comment),
                "{}: lost comment {comment:?}",
                relative.display()
            );
        }
        if !common::has_bare_newline(&fixed.original) && fixed.original.contains("\r\n") {
            assert!(
                !common::has_bare_newline(text),
                "{}: CRLF became LF",
                relative.display()
            );
        }
        let before = lint::lint_file(relative, &settings).unwrap();
        let parse_errors = |checked: &lint::Checked| {
            checked
                .diagnostics
                .iter()
                .filter(|d| matches!(d.rule.code, "S001" | "S005"))
                .count()
        };
        assert!(
            parse_errors(&fixed.checked) <= parse_errors(&before),
            "{}: the fix broke parsing",
            relative.display()
        );
        let again = fix::fix_file(relative, Some(text.clone()), &settings, FixMode::Unsafe).unwrap();
        assert!(
            !again.changed(),
            "{}: a second --fix changed:\n{}",
            relative.display(),
            fix::unified_diff(&again)
        );
        insta::assert_snapshot!(format!("fixes applied: {}\n{}", fixed.applied.len(), text));
    });
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const BROKEN: &str = "version: '3.8'\nservices:\n  # the cache\n  redis:\n    image: redis:7-alpine # pinned\n";
const FIXED: &str = "services:\n  # the cache\n  redis:\n    image: redis:7-alpine # pinned\n    restart: always\n";

#[test]
fn fix_writes_the_file_and_a_second_fix_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", BROKEN);
    let output = run_in(
        dir.path(),
        &["--fix", "--color", "never", "--select", "S007,C503"],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(), FIXED);
    let text = stdout(&output);
    assert!(text.contains("compose.yaml: 2 fixes applied"), "{text}");
    assert_eq!(output.status.code(), Some(0), "nothing remains: {text}");
    let again = run_in(
        dir.path(),
        &["--fix", "--select", "S007,C503"],
        None,
        Duration::from_secs(30),
    );
    assert!(!stdout(&again).contains("applied"));
    assert_eq!(std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(), FIXED);
}

#[test]
fn diff_changes_nothing_and_exits_1_when_there_is_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", BROKEN);
    let output = run_in(
        dir.path(),
        &["--diff", "--select", "S007,C503"],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(1));
    let diff = stdout(&output);
    assert!(diff.starts_with("--- a/compose.yaml\n+++ b/compose.yaml\n"), "{diff}");
    assert!(
        diff.contains("-version: '3.8'\n") && diff.contains("+    restart: always\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(),
        BROKEN
    );
    write(dir.path(), "compose.yaml", FIXED);
    let clean = run_in(
        dir.path(),
        &["--diff", "--select", "S007,C503"],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(stdout(&clean), "");
}

#[test]
fn stdin_fix_prints_the_fixed_text() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(
        dir.path(),
        &[
            "--fix",
            "--select",
            "S007,C503",
            "--stdin-filename",
            "compose.yaml",
            "-",
        ],
        Some(BROKEN),
        Duration::from_secs(30),
    );
    assert_eq!(stdout(&output), FIXED);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn fixing_the_violations_project_leaves_only_findings_without_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::repo().join("fixtures/vwe-violations"), dir.path());
    let diff = run_in(dir.path(), &["--diff", "--unsafe-fixes"], None, Duration::from_secs(60));
    assert_eq!(diff.status.code(), Some(1));
    let fixed = run_in(
        dir.path(),
        &["--fix", "--unsafe-fixes", "--format", "json"],
        None,
        Duration::from_secs(60),
    );
    let remaining: Vec<serde_json::Value> = serde_json::from_slice(&fixed.stdout).unwrap();
    let with_fix: Vec<&serde_json::Value> = remaining.iter().filter(|finding| !finding["fix"].is_null()).collect();
    assert!(with_fix.is_empty(), "fixable findings remain: {with_fix:#?}");
    let again = run_in(dir.path(), &["--diff", "--unsafe-fixes"], None, Duration::from_secs(60));
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    // What a person reviews: the diff --fix made.
    insta::assert_snapshot!(stdout(&diff));
}

/// 1,000 services whose standard memory limit (512M) is below the 1G they
/// reserve: every C504 fix adds a C505 error and is dropped. Judging the
/// fixes one by one takes two lints of the whole project per fix, minutes
/// in a debug build; blaming the services that hold the new errors takes two.
#[test]
fn a_fix_run_whose_fixes_all_add_errors_lints_a_few_times_not_once_per_fix() {
    const SERVICES: usize = 1000;
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::new();
    let mut compose = String::from("# vwe-lint: ignore-file[C501, C503, C601]\nservices:\n");
    for index in 0..SERVICES {
        config.push_str(&format!("[standards.resources.s{index}]\nmemory_limit = \"512M\"\n"));
        compose.push_str(&format!(
            "  s{index}:\n    image: vwe/s{index}:1.0\n    deploy:\n      resources:\n        reservations:\n          memory: 1G\n"
        ));
    }
    write(dir.path(), ".vwe-lint.toml", &config);
    write(dir.path(), "compose.yaml", &compose);
    let output = run_in(
        dir.path(),
        &["--fix", "--unsafe-fixes", "--format", "concise", "."],
        None,
        Duration::from_secs(60),
    );
    // The C504 findings stay: exit 1.
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let dropped = common::stderr(&output)
        .lines()
        .chain(stdout(&output).lines())
        .filter(|line| line.ends_with("C504: add the standard resource limits (it adds an error)"))
        .count();
    assert_eq!(dropped, SERVICES);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(),
        compose
    );
}

/// Runs `--fix` on `projects` projects in a temporary directory, each
/// needing a fix, and sends SIGTERM once the first is written (they are
/// written in order, each through a temporary file). Returns how the process
/// ended, whether the last project was still unwritten, and the files other
/// than `compose.yaml` left in the projects.
fn interrupt_fix_while_writing(projects: usize) -> (std::process::ExitStatus, bool, Vec<std::path::PathBuf>) {
    const ORIGINAL: &str = "services:\n  redis:\n    image: redis:7-alpine\n";
    let dir = tempfile::tempdir().unwrap();
    let project = |index: usize| dir.path().join(format!("d{index:04}"));
    for index in 0..projects {
        std::fs::create_dir(project(index)).unwrap();
        write(&project(index), "compose.yaml", ORIGINAL);
    }
    let mut child = common::binary()
        .current_dir(dir.path())
        .args(["--fix", "--select", "C503", "--format", "concise", "."])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first = project(0).join("compose.yaml");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&first).unwrap() == ORIGINAL {
        assert!(child.try_wait().unwrap().is_none(), "ended before writing");
        assert!(std::time::Instant::now() < deadline, "never wrote");
        std::thread::sleep(Duration::from_millis(1));
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let last = std::fs::read_to_string(project(projects - 1).join("compose.yaml")).unwrap();
    let left = (0..projects)
        .flat_map(|index| std::fs::read_dir(project(index)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| !path.ends_with("compose.yaml"))
        .collect();
    (status, last == ORIGINAL, left)
}

/// A temporary file lives for a fraction of each write: several interrupts
/// make it all but certain that one lands while a temporary exists.
#[test]
fn sigterm_while_writing_fixes_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    for _ in 0..5 {
        let (status, interrupted, left) = interrupt_fix_while_writing(400);
        assert_eq!(status.signal(), Some(15), "{status:?}");
        assert!(interrupted, "the writing ended before the signal");
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}
