//! `vwe-lint config`: the merged, interpolated model of a compose project,
//! printed by the real binary.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use common::{run, run_in, stderr, stdout};
use vwe_lint::compose::model::Project;
use vwe_lint::compose::yaml::{self, Node};
use vwe_lint::discover::{self, Target};
use vwe_lint::lint;

/// Runs `vwe-lint config <args>` in the repository; the output must be clean.
fn config(args: &[&str]) -> String {
    let mut all = vec!["config"];
    all.extend_from_slice(args);
    let output = run(&all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{all:?}\n{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(stderr(&output), "", "{all:?}");
    stdout(&output)
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn overlay_with_interpolation_and_reset() {
    insta::assert_snapshot!(config(&["fixtures/config/overlay"]));
}

#[test]
fn overlay_with_origins() {
    insta::assert_snapshot!(config(&["--origins", "fixtures/config/overlay"]));
}

#[test]
fn extends_another_file() {
    insta::assert_snapshot!(config(&["fixtures/config/extends"]));
}

#[test]
fn extends_with_origins() {
    insta::assert_snapshot!(config(&["fixtures/config/extends", "--origins"]));
}

#[test]
fn include() {
    insta::assert_snapshot!(config(&["fixtures/config/include"]));
}

#[test]
fn include_with_origins() {
    insta::assert_snapshot!(config(&["--origins", "fixtures/config/include"]));
}

#[test]
fn one_variant_is_picked_by_its_last_file() {
    let by_name = config(&["fixtures/config/overlay", "--variant", "compose.prod.yaml"]);
    let by_path = config(&[
        "fixtures/config/overlay",
        "--variant",
        "fixtures/config/overlay/compose.prod.yaml",
    ]);
    assert_eq!(by_name, by_path);
    assert!(!by_name.contains("# variant"), "{by_name}");
    assert!(by_name.contains("    restart: always\n"), "{by_name}");
    assert!(by_name.contains("      - \"8080:80\"\n"), "{by_name}");

    let output = run(&["config", "fixtures/config/overlay", "--variant", "compose.staging.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(error.contains("no variant ends with `compose.staging.yaml`"), "{error}");
    assert!(
        error.contains("compose.yaml + fixtures/config/overlay/compose.prod.yaml"),
        "{error}"
    );
}

#[test]
fn a_file_prints_the_variants_that_use_it() {
    let prod = config(&["fixtures/config/overlay/compose.prod.yaml"]);
    assert_eq!(
        prod,
        config(&["fixtures/config/overlay", "--variant", "compose.prod.yaml"])
    );
    let default = config(&["fixtures/config/overlay/compose.override.yaml"]);
    assert!(default.contains("MODE: dev"), "{default}");
    assert!(!default.contains("# variant"), "{default}");
}

#[test]
fn env_file_replaces_dot_env() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.env",
        "VWE_CONFIG_TEST_NGINX_TAG=from-env-file\nVWE_CONFIG_TEST_MODE=\"8080\"\n",
    );
    let env_file = dir.path().join("config.env");
    let text = config(&[
        "fixtures/config/overlay/compose.override.yaml",
        "--env-file",
        env_file.to_str().unwrap(),
    ]);
    assert!(text.contains("    image: nginx:from-env-file\n"), "{text}");
    // Interpolated, so a string to Compose, however it was written.
    assert!(text.contains("      MODE: \"8080\"\n"), "{text}");
}

/// The models of every variant of the compose project in `dir`, built in this process.
fn models(dir: &Path) -> Vec<Node> {
    let settings = common::default_settings();
    let mut targets: Vec<Target> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file() && discover::kind_by_name(path).is_some())
        .map(|path| Target { path, explicit: false })
        .collect();
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    let mut roots = Vec::new();
    for unit in discover::plan(&targets, &settings) {
        if unit.variants.is_empty() {
            continue;
        }
        let input = lint::read_unit(&unit, &mut HashMap::new()).unwrap();
        let files = input
            .files
            .into_iter()
            .map(|(input, primary)| (input.source, input.encoding_error, primary))
            .collect();
        let mut project = Project::new(files, input.variants, &settings);
        for variant in project.variants.clone() {
            let root = project.model(&variant.files).root.unwrap();
            roots.push(vwe_lint::config_command::printable(&project, &variant, &root));
        }
    }
    roots
}

#[test]
fn the_output_parses_back_to_the_model() {
    for dir in [
        "fixtures/vwe",
        "fixtures/config/overlay",
        "fixtures/config/extends",
        "fixtures/config/include",
    ] {
        let expected = models(&common::repo().join(dir));
        for origins in [false, true] {
            let args: &[&str] = if origins { &[dir, "--origins"] } else { &[dir] };
            let text = config(args);
            let parsed = yaml::parse(&text);
            assert!(parsed.errors.is_empty(), "{dir}: {:?}\n{text}", parsed.errors);
            assert!(parsed.duplicate_keys.is_empty(), "{dir}");
            assert_eq!(
                parsed.documents.len(),
                expected.len(),
                "{dir}: one document per variant"
            );
            for (document, model) in parsed.documents.iter().zip(&expected) {
                assert!(
                    document.same_value(model),
                    "{dir}: the output differs from the model\n{text}"
                );
            }
            if expected.len() > 1 {
                assert!(text.starts_with("# variant: "), "{text}");
            }
        }
    }
}

#[test]
fn the_demo_project_prints_both_variants() {
    let text = config(&["fixtures/vwe"]);
    let headers: Vec<&str> = text.lines().filter(|line| line.starts_with("# variant: ")).collect();
    assert_eq!(
        headers,
        [
            "# variant: fixtures/vwe/docker-compose.yml",
            "# variant: fixtures/vwe/docker-compose.yml + fixtures/vwe/docker-compose.prod.yml"
        ]
    );
    assert!(text.contains("\nname: vwe\n"), "{text}");
}

#[test]
fn a_missing_include_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "compose.yaml",
        "include:\n  - db/missing.yaml\nservices:\n  app:\n    image: example/app:1.0.0\n",
    );
    let output = run_in(dir.path(), &["config"], None, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "compose.yaml:2:5: the included file `db/missing.yaml` does not exist\n"
    );
    // The rest of the model is still printed.
    assert_eq!(stdout(&output), "services:\n  app:\n    image: example/app:1.0.0\n");
}

#[test]
fn broken_files_and_required_variables_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  app:\n    image: \"example/app:${VWE_CONFIG_TEST_UNSET_TAG}\"\n    command: ${VWE_CONFIG_TEST_REQUIRED:?set it}\n  loop:\n    extends: loop\n",
    );
    write(dir.path(), "compose.override.yaml", "services: [\n");
    let output = run_in(dir.path(), &["config"], None, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let error = stderr(&output);
    for line in [
        "compose.yaml:3:25: warning: variable `VWE_CONFIG_TEST_UNSET_TAG` is not set",
        "compose.yaml:4:14: required variable `VWE_CONFIG_TEST_REQUIRED` is not set: set it\n",
        "compose.yaml:6:14: `extends` forms a cycle: loop → loop\n",
        "compose.override.yaml:2:1: ",
    ] {
        assert!(error.contains(line), "{line:?} in\n{error}");
    }

    // An unset variable alone is only a warning.
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  app:\n    image: \"app:${VWE_CONFIG_TEST_UNSET_TAG}\"\n",
    );
    write(dir.path(), "compose.override.yaml", "services: {}\n");
    let output = run_in(dir.path(), &["config"], None, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning: variable `VWE_CONFIG_TEST_UNSET_TAG`"));
    assert_eq!(stdout(&output), "services:\n  app:\n    image: \"app:\"\n");
}

#[test]
fn no_compose_file_is_a_tool_error() {
    let output = run(&["config", "fixtures/config"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no compose file in fixtures/config"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");

    let output = run(&["config", "fixtures/vwe/backend/Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not a compose file"), "{}", stderr(&output));

    let output = run(&["config", "fixtures/config/nothing-here"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("fixtures/config/nothing-here"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_closed_pipe_is_no_panic() {
    use std::process::Stdio;
    let mut child = common::binary()
        .current_dir(common::repo())
        .args(["config", "--origins", "fixtures/vwe"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.code().is_some(), "killed by a signal");
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn the_current_directory_is_the_default() {
    let dir = common::repo().join("fixtures/config/include");
    let output = run_in(&dir, &["config"], None, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let from_repo = config(&["fixtures/config/include"]);
    assert_eq!(stdout(&output), from_repo);
    let with_origins = run_in(&dir, &["config", "--origins"], None, Duration::from_secs(60));
    assert!(
        stdout(&with_origins).contains("    image: postgres:16.4  # db/compose.yaml:3\n"),
        "{}",
        stdout(&with_origins)
    );
}
