//! The real binary, as users and CI run it.

mod common;

use std::time::Duration;

use common::{run, run_in, stderr, stdout};

fn json(output: &std::process::Output) -> Vec<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(&output.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const VIOLATING: &str = "version: '3'\nservices:\n  db:\n    image: postgres\n";

#[test]
fn demo_project_is_clean_and_summarised() {
    let output = run(&["fixtures/vwe"]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    assert!(
        text.trim_end().ends_with("0 errors, 0 warnings in 5 files") || text.contains("0 errors, 0 warnings in"),
        "{text}"
    );
}

#[test]
fn findings_exit_1_with_snippet_and_help() {
    let output = run(&[
        "--color",
        "never",
        "--select",
        "C503",
        "fixtures/rules/C503/compose.policies.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("C503(restart-policy)"), "{text}");
    assert!(
        text.contains("fixtures/rules/C503/compose.policies.yaml:7:14"),
        "relative path and position: {text}"
    );
    assert!(text.contains("restart: 'on-failure'"), "source snippet: {text}");
    assert!(text.contains("help: restart: 'unless-stopped'"), "help line: {text}");
    assert!(
        text.contains("errors, ") && text.contains("warnings in 1 file"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no color with --color never");
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let path = "fixtures/rules/C102/compose.floating.yaml";
    let always = run(&["--color", "always", path]);
    assert!(stdout(&always).contains('\u{1b}'));
    let auto = common::binary()
        .current_dir(common::repo())
        .env("NO_COLOR", "1")
        .arg(path)
        .output()
        .unwrap();
    assert!(!stdout(&auto).contains('\u{1b}'));
}

#[test]
fn json_has_exactly_the_documented_keys() {
    let output = run(&[
        "--format",
        "json",
        "fixtures/rules/S007/compose.version.yaml",
        "fixtures/rules/C503/compose.policies.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let findings = json(&output);
    assert!(!findings.is_empty());
    let keys = [
        "code",
        "column",
        "end_column",
        "end_line",
        "file",
        "fix",
        "help",
        "line",
        "message",
        "name",
        "severity",
    ];
    for finding in &findings {
        let mut actual: Vec<&str> = finding.as_object().unwrap().keys().map(String::as_str).collect();
        actual.sort_unstable();
        assert_eq!(actual, keys);
    }
    let sort_key = |f: &serde_json::Value| {
        (
            f["file"].as_str().unwrap().to_string(),
            f["line"].as_u64(),
            f["column"].as_u64(),
            f["code"].as_str().unwrap().to_string(),
        )
    };
    assert!(
        findings.windows(2).all(|pair| sort_key(&pair[0]) <= sort_key(&pair[1])),
        "sorted"
    );
    let version = findings.iter().find(|f| f["code"] == "S007").unwrap();
    assert_eq!(version["file"], "fixtures/rules/S007/compose.version.yaml");
    assert_eq!(
        (
            version["line"].as_u64(),
            version["column"].as_u64(),
            version["end_column"].as_u64()
        ),
        (Some(1), Some(1), Some(8))
    );
    assert_eq!(version["fix"]["applicability"], "safe");
    assert_eq!(version["fix"]["edits"][0]["content"], "");
}

#[test]
fn tool_errors_exit_2_with_one_line() {
    for args in [
        &["no/such/path"][..],
        &["--format", "yaml", "."],
        &["--select", "C999", "fixtures/vwe"],
        &["rule", "nope"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        if args[0] != "--format" {
            assert_eq!(
                stderr(&output).trim().lines().count(),
                1,
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn discovery_picks_compose_files_and_dockerfiles_and_honours_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let service = "services:\n  redis:\n    image: redis\n";
    for name in [
        "compose.yaml",
        "docker-compose.prod.yml",
        "docker-compose-dev.yml",
        "sub/compose.override.yaml",
        "config.yml",
        "ignored/compose.yaml",
    ] {
        write(dir.path(), name, service);
    }
    for name in [
        "Dockerfile",
        "Dockerfile.dev",
        "app.Dockerfile",
        "web.dockerfile",
        "Dockerfile-not",
    ] {
        write(dir.path(), name, "FROM ubuntu\n");
    }
    write(dir.path(), ".gitignore", "ignored/\n");
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = run_in(
        dir.path(),
        &["--format", "json", "--select", "C102,D102"],
        None,
        Duration::from_secs(30),
    );
    let mut files: Vec<String> = json(&output)
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    assert_eq!(
        files,
        [
            "Dockerfile",
            "Dockerfile.dev",
            "app.Dockerfile",
            "compose.yaml",
            "docker-compose-dev.yml",
            "docker-compose.prod.yml",
            "sub/compose.override.yaml",
            "web.dockerfile"
        ]
    );
    // Named explicitly, any name is linted; its kind comes from its content.
    let output = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--select",
            "C102,D102",
            "config.yml",
            "Dockerfile-not",
        ],
        None,
        Duration::from_secs(30),
    );
    let codes: Vec<String> = json(&output)
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["D102", "C102"]);
}

#[test]
fn stdin_with_a_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(
        dir.path(),
        &["--format", "json", "--stdin-filename", "deploy/compose.yaml", "-"],
        Some(VIOLATING),
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(1));
    let findings = json(&output);
    assert!(findings.iter().all(|f| f["file"] == "deploy/compose.yaml"));
    assert!(findings.iter().any(|f| f["code"] == "S007"));
    let output = run_in(
        dir.path(),
        &["--format", "json", "--stdin-filename", "Dockerfile", "-"],
        Some("FROM ubuntu:22.04\nUSER app\n"),
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn select_ignore_and_fail_on() {
    let file = "fixtures/rules/C503/compose.policies.yaml";
    let only = json(&run(&["--format", "json", "--select", "restart-policy", file]));
    assert!(only.iter().all(|f| f["code"] == "C503") && !only.is_empty());
    let none = run(&["--format", "json", "--ignore", "C5", file]);
    assert!(json(&none).iter().all(|f| f["code"] != "C503"));
    // C503 is a warning: failing only on errors passes.
    let lenient = run(&["--select", "C503", "--fail-on", "error", file]);
    assert_eq!(lenient.status.code(), Some(0));
    let strict = run(&["--select", "C503", file]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn config_file_selects_overrides_and_ignores() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy/compose.yaml", VIOLATING);
    write(dir.path(), "legacy/compose.yaml", VIOLATING);
    write(
        dir.path(),
        ".vwe-lint.toml",
        r#"
[rules]
ignore = ["obsolete-version"]

[rules.severity]
C102 = "error"

[standards.images]
approved = ["postgres:16"]

[[per-file-ignores]]
glob = "legacy/**"
codes = ["C102", "C503"]
"#,
    );
    let nested = dir.path().join("deploy");
    let output = run_in(
        &nested,
        &["--format", "json", "--select", "S,C1,C503", ".", "../legacy"],
        None,
        Duration::from_secs(30),
    );
    let findings = json(&output);
    let summary: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [("compose.yaml", "C503", "warning"), ("compose.yaml", "C102", "error")];
    assert_eq!(
        summary,
        expected.map(|(file, code, severity)| (file.to_string(), code.to_string(), severity.to_string()))
    );
}

#[test]
fn config_errors_point_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[rules]\nselect = [\"C503\", \"C999\"]\n",
            ".vwe-lint.toml:2:19: unknown rule `C999`",
        ),
        (
            "[rules]\nselct = [\"C503\"]\n",
            ".vwe-lint.toml:2:1: unknown field `selct`",
        ),
        ("[standards.healthcheck]\nretries = \"three\"\n", ".vwe-lint.toml:2:11:"),
        (
            "[standards.imagez]\napproved = []\n",
            ".vwe-lint.toml:1:12: unknown field `imagez`",
        ),
        (
            "[rules.severity]\nC503 = \"fatal\"\n",
            ".vwe-lint.toml:2:8: unknown severity `fatal`",
        ),
    ];
    for (config, expected) in cases {
        write(dir.path(), ".vwe-lint.toml", config);
        let output = run_in(dir.path(), &["."], None, Duration::from_secs(30));
        assert_eq!(output.status.code(), Some(2), "{config}");
        let message = stderr(&output);
        assert!(message.contains(expected), "{config}: {message}");
        assert_eq!(message.trim().lines().count(), 1, "{message}");
    }
}

#[test]
fn suppression_comments() {
    let output = run(&[
        "--format",
        "json",
        "--select",
        "S008,C101,C102,C503",
        "fixtures/rules/S008/compose.stale.yaml",
    ]);
    let codes: Vec<(String, u64)> = json(&output)
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("S008".to_string(), 1),
            ("S008".to_string(), 4),
            ("S008".to_string(), 6),
            ("S008".to_string(), 6)
        ]
    );
}

#[test]
fn rules_list_and_rule_doc() {
    let list = stdout(&run(&["rules"]));
    assert!(
        list.lines()
            .any(|line| line.starts_with("C503") && line.contains("restart-policy") && line.contains("safe"))
    );
    let by_code = stdout(&run(&["rule", "C503"]));
    let by_name = stdout(&run(&["rule", "restart-policy"]));
    assert!(by_code.starts_with("# C503 restart-policy"));
    assert_eq!(by_code, by_name);
}

#[test]
fn hostile_yaml_finishes_quickly_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let mut laughs =
        String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        laughs.push_str(&format!("a{level}: &a{level} [{}]\n", vec![previous; 9].join(",")));
    }
    write(dir.path(), "compose.laughs.yaml", &laughs);
    write(dir.path(), "compose.deep.yaml", &"[".repeat(100_000));
    let output = run_in(
        dir.path(),
        &["--format", "json", "--select", "S001"],
        None,
        Duration::from_secs(10),
    );
    let files: Vec<String> = json(&output)
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert!(
        files.contains(&"compose.laughs.yaml".to_string()) && files.contains(&"compose.deep.yaml".to_string()),
        "{files:?}"
    );
}

#[test]
fn any_bytes_give_a_diagnostic_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), [0xff, 0xfe, b':', 0, b'\n', 0x80]).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), [b'F', b'R', 0xc3, b'\n', 0xff]).unwrap();
    let output = run_in(dir.path(), &["--format", "json"], None, Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let codes: Vec<String> = json(&output)
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"S001".to_string()) && codes.contains(&"S005".to_string()),
        "{codes:?}"
    );
}

#[test]
fn every_finding_shows_its_place_snippet_and_help() {
    let dir = "fixtures/vwe-violations";
    let findings = json(&run(&["--format", "json", dir]));
    let human = stdout(&run(&["--color", "never", dir]));
    let files: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert!(files.contains("fixtures/vwe-violations/docker-compose.yml"));
    assert!(files.contains("fixtures/vwe-violations/backend/Dockerfile"));
    assert!(findings.len() >= 8, "several findings: {}", findings.len());
    for finding in &findings {
        let place = format!(
            "[{}:{}:{}]",
            finding["file"].as_str().unwrap(),
            finding["line"],
            finding["column"]
        );
        assert!(human.contains(&place), "no snippet header {place} in:\n{human}");
        let source_line = format!("{} │", finding["line"]);
        assert!(human.contains(&source_line), "no source line {source_line}");
    }
    assert_eq!(
        human.matches("  help: ").count(),
        findings.len(),
        "one help line per finding:\n{human}"
    );
}

#[test]
fn every_compose_rule_fires_on_the_violations_project() {
    // Preview rules too: each is shown there before it leaves preview.
    let findings = json(&run(&["--format", "json", "--preview", "fixtures/vwe-violations"]));
    let fired: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    let missing: Vec<&str> = vwe_lint::rules::all_metas()
        .map(|meta| meta.code)
        .filter(|code| code.starts_with('C') && !fired.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "C rules that do not fire on fixtures/vwe-violations: {missing:?}"
    );
}
