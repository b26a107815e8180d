//! `--fix` keeps its promises on multi-file projects, proven by the files
//! themselves: no panic, every written file parses without a repeated key
//! whatever `--select` says, and a second run has nothing left to do.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{run_in, stderr};

const LIMIT: Duration = Duration::from_secs(60);

/// A fixture project copied into a temporary directory.
fn project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::repo().join("fixtures/hostile/fix").join(name), dir.path());
    dir
}

fn assert_no_panic(output: &std::process::Output) {
    let code = output.status.code();
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}: {}", stderr(output));
    assert!(!stderr(output).contains("panicked"), "{}", stderr(output));
}

/// Lints, fixes, and checks what was written: it parses with no repeated key
/// (S001/S002 alone), and `--diff` finds nothing more to fix.
fn fix_keeps_its_promises(dir: &Path) {
    assert_no_panic(&run_in(dir, &["."], None, LIMIT));
    assert_no_panic(&run_in(dir, &["--fix", "--unsafe-fixes", "."], None, LIMIT));
    let syntax = run_in(dir, &["--select", "S001,S002", "."], None, LIMIT);
    assert_eq!(syntax.status.code(), Some(0), "{}", common::stdout(&syntax));
    let diff = run_in(dir, &["--diff", "--unsafe-fixes", "."], None, LIMIT);
    assert_eq!(diff.status.code(), Some(0), "{}", common::stdout(&diff));
}

#[test]
fn a_flow_logging_base_with_a_block_override_is_fixed_in_each_file() {
    let dir = project("flow-logging-block-override");
    fix_keeps_its_promises(dir.path());
    let override_file = std::fs::read_to_string(dir.path().join("compose.override.yaml")).unwrap();
    assert!(override_file.contains("        max-file: \"3\"\n"), "{override_file}");
}

#[test]
fn limits_inherited_through_extends_from_another_file_do_not_crash() {
    let dir = project("extends-limits-other-file");
    fix_keeps_its_promises(dir.path());
    let common_file = std::fs::read_to_string(dir.path().join("common.yaml")).unwrap();
    let original =
        std::fs::read_to_string(common::repo().join("fixtures/hostile/fix/extends-limits-other-file/common.yaml"))
            .unwrap();
    assert_eq!(common_file, original, "a file the project only refers to was written");
}

#[test]
fn a_reset_value_is_never_rewritten_nor_repeated() {
    let dir = project("reset-restart");
    // Without S002 selected, a repeated key used to go unnoticed: every
    // round added `restart:` to the base again.
    assert_no_panic(&run_in(dir.path(), &["--select", "C5,C6", "--fix", "."], None, LIMIT));
    fix_keeps_its_promises(dir.path());
    let override_file = std::fs::read_to_string(dir.path().join("compose.override.yaml")).unwrap();
    assert_eq!(override_file, "services:\n  api:\n    restart: !reset null");
    let base = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    assert_eq!(base.matches("restart:").count(), 1, "{base}");
}

#[test]
fn flow_mappings_without_a_final_newline_stay_valid_yaml() {
    let dir = project("flow-no-newline");
    fix_keeps_its_promises(dir.path());
}

#[test]
fn a_fix_run_with_select_still_refuses_to_break_a_file() {
    let dir = project("flow-logging-block-override");
    assert_no_panic(&run_in(dir.path(), &["--select", "C602", "--fix", "."], None, LIMIT));
    let syntax = run_in(dir.path(), &["--select", "S001,S002", "."], None, LIMIT);
    assert_eq!(syntax.status.code(), Some(0), "{}", common::stdout(&syntax));
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn a_restart_policy_variants_disagree_on_is_set_in_each_variant_own_file() {
    let dir = project("variant-relabels-lifecycle");
    let base = read(dir.path(), "compose.yaml");
    fix_keeps_its_promises(dir.path());
    assert_eq!(read(dir.path(), "compose.yaml"), base, "the shared base was rewritten");
    let local = read(dir.path(), "compose.override.yaml");
    assert_eq!(local.matches("    restart: \"no\"\n").count(), 2, "{local}");
    let production = read(dir.path(), "compose.prod.yaml");
    assert_eq!(
        production.matches("    restart: unless-stopped\n").count(),
        2,
        "{production}"
    );
}

#[test]
fn a_restart_policy_inherited_through_extends_by_another_lifecycle_is_reported_not_flipped() {
    let dir = project("extends-another-lifecycle");
    let original = read(dir.path(), "compose.yaml");
    fix_keeps_its_promises(dir.path());
    assert_eq!(read(dir.path(), "compose.yaml"), original);
    let lint = run_in(dir.path(), &["--select", "C503", "."], None, LIMIT);
    assert!(
        common::stdout(&lint).contains("on service `redis` (lifecycle `infrastructure`)"),
        "{}",
        common::stdout(&lint)
    );
}

#[test]
fn a_limit_inherited_through_extends_by_a_service_with_another_standard_is_reported_not_flipped() {
    let dir = project("extends-other-limits");
    let original = read(dir.path(), "compose.yaml");
    fix_keeps_its_promises(dir.path());
    assert_eq!(read(dir.path(), "compose.yaml"), original);
    let lint = run_in(dir.path(), &["--select", "C504", "."], None, LIMIT);
    assert!(
        common::stdout(&lint).contains("`deploy.resources.limits.memory: 1G` on service `backend`"),
        "{}",
        common::stdout(&lint)
    );
}
