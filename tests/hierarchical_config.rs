//! Each file is linted with the nearest `.vwe-lint.toml` at or above its
//! directory, up to the repository root; `extend` inherits; `exclude`
//! skips paths. Each test builds a temporary git repository and runs the
//! real binary from its root.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// A service that breaks several standards (C5xx, C6xx, …).
const ONE_SERVICE: &str = "services:\n  web:\n    image: nginx:1.27\n";

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository with one compose file at the root, one in `team/` and one
/// in `team/deep/`.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    for dir in [".", "team", "team/deep"] {
        write(repo.path(), &format!("{dir}/compose.yaml"), ONE_SERVICE);
    }
    repo
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::run_in(dir, args, None, Duration::from_secs(60))
}

/// The codes reported per file.
fn codes_by_file(output: &Output) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}{}", common::stdout(output), common::stderr(output)));
    let mut by_file = std::collections::BTreeMap::<String, BTreeSet<String>>::new();
    for finding in findings {
        by_file
            .entry(finding["file"].as_str().unwrap().to_string())
            .or_default()
            .insert(finding["code"].as_str().unwrap().to_string());
    }
    by_file
}

fn severity_of(output: &Output, file: &str, code: &str) -> String {
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let finding = findings
        .iter()
        .find(|finding| finding["file"] == file && finding["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {file}"));
    finding["severity"].as_str().unwrap().to_string()
}

#[test]
fn each_file_gets_its_nearest_config_and_extend_inherits() {
    let repo = repository();
    write(
        repo.path(),
        ".vwe-lint.toml",
        "[rules]\nselect = [\"C5\", \"C6\"]\nignore = [\"C601\"]\n",
    );
    // Nearer: selects only C6 (so C601 comes back), nothing inherited.
    write(
        repo.path(),
        "team/.vwe-lint.toml",
        "[rules]\nselect = [\"C6\"]\nignore = []\n",
    );
    // Nearest: inherits team's selection and gives C601 another severity.
    write(
        repo.path(),
        "team/deep/.vwe-lint.toml",
        "extend = \"../.vwe-lint.toml\"\n[rules.severity]\nC601 = \"error\"\n",
    );
    let output = run(repo.path(), &["-f", "json", "."]);
    let by_file = codes_by_file(&output);
    let root = &by_file["compose.yaml"];
    assert!(root.iter().any(|code| code.starts_with("C5")), "{by_file:#?}");
    assert!(!root.contains("C601"), "{by_file:#?}");
    let team = &by_file["team/compose.yaml"];
    assert!(
        team.contains("C601") && team.iter().all(|code| code.starts_with("C6")),
        "{by_file:#?}"
    );
    let deep = &by_file["team/deep/compose.yaml"];
    assert!(deep.contains("C601"), "{by_file:#?}");
    assert_eq!(severity_of(&output, "team/deep/compose.yaml", "C601"), "error");
    assert_eq!(severity_of(&output, "team/compose.yaml", "C601"), "warning");
    assert!(deep.iter().all(|code| code.starts_with("C6")), "{by_file:#?}");

    // `--config` names one config for every file.
    let one = codes_by_file(&run(
        repo.path(),
        &["-f", "json", "--config", "team/.vwe-lint.toml", "."],
    ));
    assert_eq!(one.len(), 3, "{one:#?}");
    assert!(
        one.values()
            .all(|codes| codes.iter().all(|code| code.starts_with("C6"))),
        "{one:#?}"
    );

    // Run from a subdirectory, the files there still get their own configs.
    let from_team = codes_by_file(&run(&repo.path().join("team"), &["-f", "json", "deep"]));
    assert!(
        from_team["deep/compose.yaml"].iter().all(|code| code.starts_with("C6")),
        "{from_team:#?}"
    );
}

#[test]
fn show_settings_names_the_config_files_of_a_file() {
    let repo = repository();
    write(repo.path(), ".vwe-lint.toml", "fail-on = \"error\"\n");
    write(
        repo.path(),
        "team/.vwe-lint.toml",
        "extend = \"../.vwe-lint.toml\"\n[rules]\nignore = [\"C601\"]\n",
    );
    let shown = run(repo.path(), &["--show-settings", "team/compose.yaml"]);
    assert_eq!(shown.status.code(), Some(0), "{}", common::stderr(&shown));
    let text = common::stdout(&shown);
    let root_config = repo.path().join(".vwe-lint.toml").canonicalize().unwrap();
    let team_config = repo.path().join("team/.vwe-lint.toml").canonicalize().unwrap();
    let root_at = text.find(&root_config.display().to_string()).expect(&text);
    let team_at = text.find(&team_config.display().to_string()).expect(&text);
    assert!(root_at < team_at, "the extended config first:\n{text}");
    assert!(text.contains("fail-on: error"), "inherited:\n{text}");
    assert!(text.contains("  disabled: C601"), "{text}");

    let root = common::stdout(&run(repo.path(), &["--show-settings", "compose.yaml"]));
    assert!(!root.contains(&team_config.display().to_string()), "{root}");
    assert!(root.contains("  disabled: none"), "{root}");

    let verbose = run(repo.path(), &["-v", "-f", "json", "."]);
    let said = common::stderr(&verbose);
    assert!(said.contains(&team_config.display().to_string()), "{said}");
    assert!(said.contains("1 unit"), "{said}");
}

#[test]
fn a_config_above_the_repository_root_does_not_apply() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), ".vwe-lint.toml", "[rules]\nselect = [\"C601\"]\n");
    let repo = outside.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(&repo, "compose.yaml", ONE_SERVICE);
    let by_file = codes_by_file(&run(&repo, &["-f", "json", "."]));
    assert!(by_file["compose.yaml"].len() > 1, "all rules ran: {by_file:#?}");
    // Without `.git`, the search goes on to the filesystem root, as ruff's.
    std::fs::remove_dir(repo.join(".git")).unwrap();
    let by_file = codes_by_file(&run(&repo, &["-f", "json", "."]));
    assert_eq!(by_file["compose.yaml"], BTreeSet::from(["C601".to_string()]));
}

#[test]
fn exclude_skips_walked_paths_and_force_exclude_named_ones() {
    let repo = repository();
    write(repo.path(), "vendor/lib/compose.yaml", ONE_SERVICE);
    write(
        repo.path(),
        ".vwe-lint.toml",
        "exclude = [\"vendor\"]\nextend-exclude = [\"team/deep/*\"]\n",
    );
    let files = |output: &Output| codes_by_file(output).into_keys().collect::<Vec<_>>();
    let walked = run(repo.path(), &["-f", "json", "."]);
    assert_eq!(files(&walked), ["compose.yaml", "team/compose.yaml"]);

    // A path named on the command line is linted, unless `--force-exclude`.
    let named = run(repo.path(), &["-f", "json", "vendor/lib/compose.yaml"]);
    assert_eq!(files(&named), ["vendor/lib/compose.yaml"]);
    let forced = run(
        repo.path(),
        &[
            "-f",
            "json",
            "--force-exclude",
            "vendor/lib/compose.yaml",
            "team/deep/compose.yaml",
        ],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", common::stderr(&forced));
    assert!(files(&forced).is_empty());
    assert!(
        !common::stderr(&forced).contains("no compose files"),
        "{}",
        common::stderr(&forced)
    );

    // `--exclude` replaces the config's list; `--extend-exclude` adds to it.
    let replaced = run(repo.path(), &["-f", "json", "--exclude", "team", "."]);
    assert_eq!(files(&replaced), ["compose.yaml", "vendor/lib/compose.yaml"]);
    let extended = run(repo.path(), &["-f", "json", "--extend-exclude", "compose.yaml", "."]);
    assert!(files(&extended).is_empty(), "{:?}", files(&extended));
}

#[test]
fn config_chain_errors_point_into_the_file_that_has_them() {
    let repo = repository();
    write(repo.path(), ".vwe-lint.toml", "[rules]\nignore = [\"C999\"]\n");
    write(repo.path(), "team/.vwe-lint.toml", "extend = \"../.vwe-lint.toml\"\n");
    let broken = run(repo.path(), &["team"]);
    assert_eq!(broken.status.code(), Some(2));
    let said = common::stderr(&broken);
    let root_config = repo.path().join(".vwe-lint.toml").canonicalize().unwrap();
    assert!(said.contains(&format!("{}:2:", root_config.display())), "{said}");
    assert!(said.contains("unknown rule `C999`"), "{said}");

    // A circle, and a missing file, are errors at the `extend` line.
    write(repo.path(), ".vwe-lint.toml", "extend = \"team/.vwe-lint.toml\"\n");
    let circle = common::stderr(&run(repo.path(), &["team"]));
    assert!(
        circle.contains("leads back to a config already in the chain"),
        "{circle}"
    );
    write(repo.path(), "team/.vwe-lint.toml", "extend = \"../missing.toml\"\n");
    let missing = common::stderr(&run(repo.path(), &["team"]));
    assert!(
        missing.contains("team/.vwe-lint.toml:1:10: cannot read the extended config"),
        "{missing}"
    );

    // Lifecycles that conflict only across the chain are found too.
    write(
        repo.path(),
        ".vwe-lint.toml",
        "[standards.lifecycles]\nservice = [\"api\"]\n",
    );
    write(
        repo.path(),
        "team/.vwe-lint.toml",
        "extend = \"../.vwe-lint.toml\"\n[standards.lifecycles]\njob = [\"api\"]\n",
    );
    let conflict = common::stderr(&run(repo.path(), &["team"]));
    assert!(conflict.contains("`api` is in two lifecycles"), "{conflict}");
}
