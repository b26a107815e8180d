//! Bringing vwe-lint into an existing repository: today's findings are
//! counted once (`--suppress-all`), and the gate then reports only what is
//! new. Each test works in a temporary git repository (a `.git` directory
//! marks its root) and runs the real binary.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

const SUPPRESSIONS: &str = "vwe-lint-suppressions.json";

/// A service that breaks several standards: no healthcheck, no limits, …
const ONE_SERVICE: &str = "services:\n  web:\n    image: nginx:1.27\n";

fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    std::fs::create_dir(repo.path().join("app")).unwrap();
    std::fs::write(repo.path().join("app/compose.yaml"), ONE_SERVICE).unwrap();
    repo
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::run_in(dir, args, None, Duration::from_secs(60))
}

fn codes_and_messages(output: &Output) -> Vec<(String, String)> {
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    findings
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap().to_string(),
                finding["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn suppress_all_then_only_new_findings_fail_the_gate() {
    let repo = repository();
    let before = run(repo.path(), &["--format", "json", "app"]);
    assert_eq!(before.status.code(), Some(1), "the service breaks the standards");

    // Run from a subdirectory: the file still goes to the repository root.
    let adopted = run(&repo.path().join("app"), &["--suppress-all", "--format", "json", "."]);
    assert_eq!(adopted.status.code(), Some(0), "{}", common::stderr(&adopted));
    assert!(codes_and_messages(&adopted).is_empty());
    let written = std::fs::read_to_string(repo.path().join(SUPPRESSIONS)).unwrap();
    assert!(written.contains("\"app/compose.yaml\""), "{written}");

    let quiet = run(repo.path(), &["--format", "json", "app"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", common::stderr(&quiet));

    // Unrelated edits (a comment moves every line) do not revive them.
    std::fs::write(
        repo.path().join("app/compose.yaml"),
        format!("# the web tier\n\n{ONE_SERVICE}    # its image\n"),
    )
    .unwrap();
    let moved = run(repo.path(), &["--format", "json", "app"]);
    assert_eq!(moved.status.code(), Some(0), "{}", common::stdout(&moved));

    // A new service is new findings, reported alone.
    std::fs::write(
        repo.path().join("app/compose.yaml"),
        format!("{ONE_SERVICE}  cache:\n    image: redis:7-alpine\n"),
    )
    .unwrap();
    let grown = run(repo.path(), &["--format", "json", "app"]);
    assert_eq!(grown.status.code(), Some(1));
    let found = codes_and_messages(&grown);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|(_, message)| message.contains("cache")),
        "only the new service's findings: {found:#?}"
    );
}

#[test]
fn a_fixed_finding_leaves_a_stale_entry_until_pruned() {
    let repo = repository();
    assert_eq!(run(repo.path(), &["--suppress-all", "app"]).status.code(), Some(0));
    // The healthcheck is added: its suppression no longer occurs.
    std::fs::write(
        repo.path().join("app/compose.yaml"),
        format!(
            "{ONE_SERVICE}    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n      timeout: 10s\n      retries: 3\n"
        ),
    )
    .unwrap();
    let stale = run(repo.path(), &["app"]);
    assert_eq!(stale.status.code(), Some(1), "a stale entry fails the gate");
    assert!(
        common::stderr(&stale).contains("--prune-suppressions"),
        "{}",
        common::stderr(&stale)
    );
    let before = std::fs::read_to_string(repo.path().join(SUPPRESSIONS)).unwrap();
    assert!(before.contains("C501"), "{before}");

    let pruned = run(repo.path(), &["--prune-suppressions", "app"]);
    assert_eq!(pruned.status.code(), Some(0), "{}", common::stderr(&pruned));
    let after = std::fs::read_to_string(repo.path().join(SUPPRESSIONS)).unwrap();
    assert!(!after.contains("C501"), "{after}");
    assert_eq!(run(repo.path(), &["app"]).status.code(), Some(0));
}

#[test]
fn suppress_rule_counts_one_rule_and_a_typo_is_refused() {
    let repo = repository();
    let one = run(repo.path(), &["--suppress-rule", "C501", "--format", "json", "app"]);
    let left = codes_and_messages(&one);
    assert!(
        !left.is_empty() && left.iter().all(|(code, _)| code != "C501"),
        "{left:#?}"
    );
    assert_eq!(one.status.code(), Some(1), "the other rules still fail");

    let typo = run(repo.path(), &["--suppress-rule", "C5O1", "app"]);
    assert_eq!(typo.status.code(), Some(2), "{}", common::stderr(&typo));
}

#[test]
fn a_broken_suppressions_file_fails_closed() {
    let repo = repository();
    std::fs::write(repo.path().join(SUPPRESSIONS), "{\"app/compose.yaml\": 3}").unwrap();
    let output = run(repo.path(), &["app"]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
}

#[test]
fn the_location_can_be_chosen() {
    let repo = repository();
    let output = run(
        repo.path(),
        &["--suppress-all", "--suppressions-location", "ci/baseline.json", "app"],
    );
    // The directory must exist: vwe-lint creates no directories.
    assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
    std::fs::create_dir(repo.path().join("ci")).unwrap();
    let output = run(
        repo.path(),
        &["--suppress-all", "--suppressions-location", "ci/baseline.json", "app"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let written = std::fs::read_to_string(repo.path().join("ci/baseline.json")).unwrap();
    assert!(written.contains("\"../app/compose.yaml\""), "{written}");
    assert!(!repo.path().join(SUPPRESSIONS).exists());
    let gate = run(repo.path(), &["--suppressions-location", "ci/baseline.json", "app"]);
    assert_eq!(gate.status.code(), Some(0), "{}", common::stderr(&gate));
}

/// The names ruff and hadolint users type: `--output-format`, `-f`, and
/// `--format` still.
#[test]
fn output_format_has_the_names_users_type() {
    let repo = repository();
    let long = run(repo.path(), &["--output-format", "json", "app"]);
    let short = run(repo.path(), &["-f", "json", "app"]);
    let old = run(repo.path(), &["--format", "json", "app"]);
    assert!(!codes_and_messages(&long).is_empty());
    assert_eq!(long.stdout, short.stdout);
    assert_eq!(long.stdout, old.stdout);
}

/// A file with a safe fix (C602: logging options) for `--fix` to apply.
const FIXABLE: &str = "services:\n  web:\n    image: nginx:1.27\n    logging:\n      driver: json-file\n";

#[test]
fn fix_only_applies_fixes_and_ignores_what_remains() {
    let repo = repository();
    std::fs::write(repo.path().join("app/compose.yaml"), FIXABLE).unwrap();
    let output = run(repo.path(), &["--fix-only", "app"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    assert!(common::stdout(&output).is_empty(), "{}", common::stdout(&output));
    assert!(
        common::stderr(&output).contains("applied"),
        "{}",
        common::stderr(&output)
    );
    let fixed = std::fs::read_to_string(repo.path().join("app/compose.yaml")).unwrap();
    assert_ne!(fixed, FIXABLE);

    std::fs::write(repo.path().join("app/compose.yaml"), FIXABLE).unwrap();
    let strict = run(repo.path(), &["--fix-only", "--exit-non-zero-on-fix", "app"]);
    assert_eq!(strict.status.code(), Some(1), "a fix was applied");
    let again = run(repo.path(), &["--fix-only", "--exit-non-zero-on-fix", "app"]);
    assert_eq!(again.status.code(), Some(0), "nothing left to fix");
}

#[test]
fn no_files_found_is_said_and_fails_with_strict() {
    let repo = repository();
    std::fs::create_dir(repo.path().join("docs")).unwrap();
    let output = run(repo.path(), &["docs"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        common::stderr(&output).contains("no compose files or Dockerfiles found in docs"),
        "{}",
        common::stderr(&output)
    );
    let strict = run(repo.path(), &["--strict", "docs"]);
    assert_eq!(strict.status.code(), Some(2), "{}", common::stderr(&strict));
}

#[test]
fn add_ignore_marks_every_finding_inline_once() {
    let repo = repository();
    std::fs::write(
        repo.path().join("app/Dockerfile"),
        "FROM ubuntu:latest\nRUN apt-get update && \\\n    apt-get install -y curl\n",
    )
    .unwrap();
    let output = run(repo.path(), &["--add-ignore=accepted at adoption", "app"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    assert!(common::stderr(&output).contains("added"), "{}", common::stderr(&output));
    let compose = std::fs::read_to_string(repo.path().join("app/compose.yaml")).unwrap();
    assert!(compose.contains("  # vwe-lint: ignore["), "{compose}");
    assert!(compose.contains("] accepted at adoption\n"), "{compose}");

    let gate = run(repo.path(), &["app"]);
    assert_eq!(gate.status.code(), Some(0), "{}", common::stdout(&gate));

    let dockerfile = std::fs::read_to_string(repo.path().join("app/Dockerfile")).unwrap();
    let again = run(repo.path(), &["--add-ignore=accepted at adoption", "app"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app/compose.yaml")).unwrap(),
        compose
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app/Dockerfile")).unwrap(),
        dockerfile
    );
}

/// On every corpus file: the comments leave only the findings no comment
/// can place (a Dockerfile without FROM, a line that is no instruction),
/// every compose file still parses, and a second run changes nothing.
#[test]
fn add_ignore_on_the_corpus_silences_every_placeable_finding() {
    let Some(corpus) = common::corpus() else { return };
    let copy = tempfile::tempdir().unwrap();
    std::fs::create_dir(copy.path().join(".git")).unwrap();
    for kind in ["compose", "dockerfile"] {
        std::fs::create_dir(copy.path().join(kind)).unwrap();
        common::copy_tree(&corpus.join(kind), &copy.path().join(kind));
    }
    let first = run(copy.path(), &["--add-ignore=corpus", "-q", "."]);
    assert_eq!(first.status.code(), Some(0), "{}", common::stderr(&first));
    let left = codes_and_messages(&run(copy.path(), &["-f", "json", "."]));
    assert!(
        left.iter()
            .all(|(code, message)| code == "S005"
                && (message.contains("FROM") || message.contains("unknown instruction"))),
        "{left:#?}"
    );
    assert!(
        !left.iter().any(|(code, _)| code == "S001"),
        "a written file no longer parses"
    );
    let mut before = Vec::new();
    common::files(copy.path(), &mut before);
    let read = |paths: &[std::path::PathBuf]| {
        paths
            .iter()
            .map(|path| std::fs::read(path).unwrap())
            .collect::<Vec<_>>()
    };
    let texts = read(&before);
    assert_eq!(
        run(copy.path(), &["--add-ignore=corpus", "-q", "."]).status.code(),
        Some(0)
    );
    assert!(read(&before) == texts, "a second run changed a file");
}

/// `--show-files` says what a run would lint, and lints nothing.
#[test]
fn show_files_lists_each_dockerfile_and_each_variant() {
    let dir = common::repo().join("fixtures/vwe");
    let output = run(&dir, &["--show-files", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let listed = common::stdout(&output);
    assert!(listed.contains("dockerfile  backend/Dockerfile\n"), "{listed}");
    assert!(listed.contains("compose     docker-compose.yml\n"), "{listed}");
    assert!(
        listed.contains("compose     docker-compose.yml + docker-compose.prod.yml  (production)\n"),
        "{listed}"
    );
    assert!(!listed.contains("error"), "{listed}");
}

/// `--with-projects` (the hooks pass it): a commit that touches only a
/// Dockerfile is checked with the compose project that builds it.
#[test]
fn with_projects_reports_what_a_named_dockerfile_breaks_in_its_project() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    std::fs::create_dir_all(repo.path().join("backend")).unwrap();
    std::fs::create_dir_all(repo.path().join("other")).unwrap();
    std::fs::write(
        repo.path().join("compose.yaml"),
        "services:\n  api:\n    build: ./backend\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n",
    )
    .unwrap();
    // Another project with findings of its own, which no named file touches.
    std::fs::write(repo.path().join("other/compose.yaml"), ONE_SERVICE).unwrap();
    let dockerfile = repo.path().join("backend/Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM python:3.11-slim\nUSER 1000\nCMD [\"python\", \"-m\", \"app\"]\n",
    )
    .unwrap();

    let alone = run(repo.path(), &["-f", "json", "backend/Dockerfile"]);
    assert_eq!(alone.status.code(), Some(0), "{}", common::stdout(&alone));
    let with_projects = run(repo.path(), &["-f", "json", "--with-projects", "backend/Dockerfile"]);
    assert_eq!(
        with_projects.status.code(),
        Some(1),
        "{}",
        common::stdout(&with_projects)
    );
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&with_projects.stdout).unwrap();
    let files: Vec<(&str, &str)> = findings
        .iter()
        .map(|finding| (finding["file"].as_str().unwrap(), finding["code"].as_str().unwrap()))
        .collect();
    assert!(files.contains(&("compose.yaml", "X101")), "{files:?}");
    assert!(
        files
            .iter()
            .all(|(file, code)| *file == "backend/Dockerfile" || *code == "X101"),
        "only the named file's findings and those about it: {files:?}"
    );

    // From a subdirectory, the repository is still searched.
    let from_backend = run(
        &repo.path().join("backend"),
        &["-f", "concise", "--with-projects", "Dockerfile"],
    );
    assert!(
        common::stdout(&from_backend).contains("../compose.yaml:5:13: X101"),
        "{}",
        common::stdout(&from_backend)
    );

    // Installing curl mends it.
    std::fs::write(
        &dockerfile,
        "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\nUSER 1000\nCMD [\"python\", \"-m\", \"app\"]\n",
    )
    .unwrap();
    let mended = run(repo.path(), &["-f", "json", "--with-projects", "backend/Dockerfile"]);
    assert_eq!(mended.status.code(), Some(0), "{}", common::stdout(&mended));
}

/// A file that other compose files `extends` is linted in their project
/// too when named with `--with-projects`.
#[test]
fn with_projects_lints_an_extended_file_with_the_project_that_extends_it() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    common::copy_tree(&common::repo().join("fixtures/projects/extends"), repo.path());
    let alone = common::stdout(&run(repo.path(), &["--show-files", "common/python.yml"]));
    assert!(alone.contains("compose     common/python.yml\n"), "{alone}");
    let in_project = run(repo.path(), &["-f", "json", "--with-projects", "common/python.yml"]);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&in_project.stdout).unwrap();
    assert!(
        findings.iter().all(|finding| finding["file"] == "common/python.yml"),
        "{findings:#?}"
    );
    // What `backend` (in docker-compose.yml) inherits from the named file.
    assert!(
        findings
            .iter()
            .any(|finding| finding["code"] == "C602" && finding["message"].as_str().unwrap().contains("`backend`")),
        "{findings:#?}"
    );
    let shown = common::stdout(&run(
        repo.path(),
        &["--with-projects", "--show-files", "common/python.yml"],
    ));
    assert!(
        shown.contains("docker-compose.yml"),
        "the extending project is linted: {shown}"
    );
}

/// A named `.env` is no compose file: the projects beside it, whose
/// variables it sets, are linted and reported instead.
#[test]
fn with_projects_reports_the_projects_a_named_env_file_sets_variables_for() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    std::fs::write(
        repo.path().join("compose.yaml"),
        "services:\n  web:\n    image: ${IMAGE}\n",
    )
    .unwrap();
    std::fs::write(repo.path().join(".env"), "IMAGE=nginx:1.27\n").unwrap();
    let output = run(repo.path(), &["-f", "json", "--with-projects", ".env"]);
    let found = codes_and_messages(&output);
    assert!(
        found
            .iter()
            .any(|(code, message)| code == "C101" && message.contains("nginx:1.27")),
        "the image .env sets is judged: {found:#?}"
    );
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        findings.iter().all(|finding| finding["file"] == "compose.yaml"),
        "{findings:#?}"
    );
}

/// `--show-fixes`: the fixes `--fix` would apply (stderr), then those it applied.
#[test]
fn show_fixes_lists_the_fixes_available_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "version: \"3\"\nservices:\n  web:\n    image: redis:7-alpine\n    restart: always\n",
    )
    .unwrap();
    let available = run(dir.path(), &["--show-fixes", "-f", "concise", "."]);
    let said = common::stderr(&available);
    assert!(
        said.contains("compose.yaml:1:1: S007 remove `version:` (safe fix)"),
        "{said}"
    );
    assert!(
        said.contains("compose.yaml:5:14: C503 set `restart: unless-stopped` (safe fix)"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&compose).unwrap().lines().next(),
        Some("version: \"3\"")
    );

    let applied = run(dir.path(), &["--show-fixes", "--fix", "-f", "concise", "."]);
    let out = common::stdout(&applied);
    assert!(out.contains("compose.yaml: 3 fixes applied\n"), "{out}");
    assert!(out.contains("\n  S007: remove `version:`\n"), "{out}");
    assert!(out.contains("\n  C503: set `restart: unless-stopped`\n"), "{out}");
    let clean = run(dir.path(), &["--show-fixes", "-f", "concise", "."]);
    assert!(
        common::stderr(&clean).contains("No fixes available."),
        "{}",
        common::stderr(&clean)
    );
}

/// A rule in preview (new, for its first release) runs only when asked:
/// upgrading vwe-lint never adds findings that break a gate.
#[test]
fn preview_rules_run_only_when_asked() {
    let preview: Vec<&str> = vwe_lint::rules::all_metas()
        .filter(|meta| meta.preview)
        .map(|meta| meta.code)
        .collect();
    assert!(
        preview.contains(&"C405"),
        "C405 is the rule in preview here: {preview:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  cache:\n    image: redis:7-alpine\n    command: redis-server --requirepass hunter2\n",
    )
    .unwrap();
    let fired = |args: &[&str]| -> bool {
        let mut all = vec!["-f", "json"];
        all.extend_from_slice(args);
        all.push(".");
        codes_and_messages(&run(dir.path(), &all))
            .iter()
            .any(|(code, _)| code == "C405")
    };
    assert!(!fired(&[]), "not by default");
    assert!(!fired(&["--select", "C4"]), "not by a prefix");
    assert!(!fired(&["--select", "ALL"]), "not by ALL");
    assert!(fired(&["--preview"]));
    assert!(fired(&["--select", "C405"]), "named by its code");
    assert!(fired(&["--select", "credential-in-value"]), "named by its name");
    std::fs::write(dir.path().join(".vwe-lint.toml"), "preview = true\n").unwrap();
    assert!(fired(&[]), "preview = true in the config");
    std::fs::write(dir.path().join(".vwe-lint.toml"), "[rules]\nselect = [\"C405\"]\n").unwrap();
    assert!(fired(&[]), "named in the config's select");

    let listed = common::stdout(&run(dir.path(), &["rules"]));
    let line = listed.lines().find(|line| line.starts_with("C405")).unwrap();
    assert!(line.contains("(preview)"), "{line}");
    let json: Vec<serde_json::Value> =
        serde_json::from_str(&common::stdout(&run(dir.path(), &["rules", "--format", "json"]))).unwrap();
    let entry = json.iter().find(|rule| rule["code"] == "C405").unwrap();
    assert_eq!(entry["preview"], true);
    assert!(
        json.iter()
            .filter(|rule| rule["code"] != "C405")
            .all(|rule| rule["preview"] == false)
    );
}
