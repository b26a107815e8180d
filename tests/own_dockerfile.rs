//! vwe-lint's own Dockerfile follows the standards it checks.

mod common;

#[test]
fn the_own_dockerfile_passes_with_no_warning() {
    let output = common::run(&["--format", "concise", "--fail-on", "warning", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stdout(&output));
    let text = common::stdout(&output);
    assert!(!text.contains("[error]") && !text.contains("[warning]"), "{text}");
}
