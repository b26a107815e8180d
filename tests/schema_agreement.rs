//! Our S003 verdict (any S003 finding or none) agrees with the reference
//! Compose schema's verdict (`schema-verdicts.tsv`, from the Compose
//! Specification's schema) on every compose file of the corpus, except the
//! files listed in [`KNOWN_DIFFERENCES`].

mod common;

use std::collections::BTreeMap;

use vwe_lint::lint;
use vwe_lint::settings::{Overrides, Settings};

/// Files where the reference schema is out of date or wrong, with the reason.
/// The reference is the Compose Specification's schema at one commit; these
/// are docker/compose's own end-to-end fixtures for service `pre_start`
/// hooks, a key added to Compose after that schema revision (compose-go's
/// newer schema accepts it, with an optional `image`):
///
/// | file (under compose/docker-compose/pkg/e2e/testdata/) | reference | ours |
/// |---|---|---|
/// | TestPreStartHookBuildInheritance/compose.yaml | invalid | valid |
/// | TestPreStartHookForceRecreate/compose.yaml | invalid | valid |
/// | TestPreStartHookIdempotentReUp/compose.yaml | invalid | valid |
/// | TestPreStartHookInError/compose.yaml | invalid | valid |
/// | TestPreStartHookMidSequenceFailure/compose.yaml | invalid | valid |
/// | TestPreStartHookNotReRunOnScaleUp/compose.yaml | invalid | valid |
/// | TestPreStartHookReRunOnSpecChange/compose.yaml | invalid | valid |
/// | TestPreStartHookRunsOnceForScaledService/compose.yaml | invalid | valid |
/// | TestPreStartHookSequentialOrder/compose.yaml | invalid | valid |
/// | TestPreStartHookSuccess/compose.yaml | invalid | valid |
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookBuildInheritance/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookForceRecreate/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookIdempotentReUp/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookInError/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookMidSequenceFailure/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookNotReRunOnScaleUp/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookReRunOnSpecChange/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookRunsOnceForScaledService/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookSequentialOrder/compose.yaml",
        PRE_START,
    ),
    (
        "compose/docker-compose/pkg/e2e/testdata/TestPreStartHookSuccess/compose.yaml",
        PRE_START,
    ),
    (
        "compose/compose-go/loader/testdata/compose-depends-on-cycle.yaml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/compose-go/loader/testdata/compose-depends-on-profile-no-cycle.yaml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/compose-go/loader/testdata/compose-depends-on-self.yaml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/dclint/tests/mocks/docker-compose.anchors.yml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/dclint/tests/mocks/docker-compose.correct.yml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/devcontainers-templates/src/docker-existing-docker-compose/.devcontainer/docker-compose.yml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/docker-compose/pkg/e2e/fixtures/build-test/platforms/compose-service-platform-not-in-build-platforms.yaml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/kompose/script/test/fixtures/unused/merge-multiple-compose/compose-new-service-prob.yml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/kompose/script/test/fixtures/unused/merge-multiple-compose/compose-port-prod.yml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/kompose/script/test/fixtures/unused/v3/docker-compose-full-example.yaml",
        BEYOND_THE_SCHEMA,
    ),
    (
        "compose/vscode-dev-containers/containers/docker-existing-docker-compose/.devcontainer/docker-compose.yml",
        BEYOND_THE_SCHEMA,
    ),
];

const PRE_START: &str = "`pre_start` hooks are newer than the reference schema";
/// S003 also reports what Docker Compose refuses beyond its schema
/// (dependency cycles, short ports and volumes, a service with nothing to
/// run, `build.platforms`); `tests/compose_oracle.rs` checks those against
/// Compose itself.
const BEYOND_THE_SCHEMA: &str = "Compose refuses the file beyond the schema (S003's Compose checks)";

#[test]
fn s003_agrees_with_the_reference_schema() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let table = std::fs::read_to_string(corpus.join("schema-verdicts.tsv")).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        select: Some(vec!["S003".to_string()]),
        ..Overrides::default()
    };
    let settings = Settings::load(empty.path(), &overrides).unwrap();
    let known: BTreeMap<&str, &str> = KNOWN_DIFFERENCES.iter().copied().collect();
    let mut checked = 0;
    let mut disagreements = Vec::new();
    let mut stale = Vec::new();
    for line in table.lines().skip(1) {
        let mut columns = line.split('\t');
        let (Some(file), Some(verdict)) = (columns.next(), columns.next()) else {
            continue;
        };
        let expected_invalid = match verdict {
            "invalid" => true,
            "valid" => false,
            other => panic!("unknown verdict {other:?} for {file}"),
        };
        let checked_file = lint::lint_file(&corpus.join(file), &settings).unwrap();
        checked += 1;
        let found: Vec<String> = checked_file
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.rule.code == "S003")
            .map(|diagnostic| {
                let at = checked_file.source.line_col(diagnostic.span.start);
                format!("{}:{}: {}", at.line, at.column, diagnostic.message)
            })
            .collect();
        let agrees = found.is_empty() != expected_invalid;
        match (agrees, known.contains_key(file)) {
            (true, true) => stale.push(file),
            (false, false) => disagreements.push(format!("{file} (reference: {verdict}): {found:?}")),
            _ => {}
        }
    }
    assert!(checked > 1000, "the table lists over 1,000 files, found {checked}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(stale.is_empty(), "listed as differing but agreeing now: {stale:#?}");
}
