//! C406 judges the interpolated source of a bind mount, except where it is
//! the home directory of whoever runs Compose: run as root (as CI is), the
//! linter reads `$HOME/…` as `/root/…`, which says nothing about the machine
//! the project is deployed on.

mod common;

use std::time::Duration;

#[test]
fn a_mount_under_home_is_not_a_mount_of_root_s_home() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  app:\n    image: vwe/app:1.0\n    volumes:\n      - $HOME/app/config:/config\n      - ${HOME}/app/data:/data\n      - /root/app:/app\n",
    )
    .unwrap();
    let mut command = common::binary();
    command.current_dir(dir.path()).env("HOME", "/root").args([
        "--format",
        "concise",
        "--select",
        "C406",
        "compose.yaml",
    ]);
    let output = common::run_command(command, None, Duration::from_secs(60));
    let report = common::stdout(&output);
    let findings: Vec<&str> = report.lines().filter(|line| line.contains(" C406 ")).collect();
    assert_eq!(findings.len(), 1, "{report}");
    assert!(findings[0].contains("compose.yaml:7:"), "{report}");
}
