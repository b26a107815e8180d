//! Inputs large enough that work growing with the square of their size
//! would take minutes, run through the real binary: each must finish (the
//! guard is a hang guard, not a timing) with every finding it should have.
//! A linear build runs each in well under two seconds, also in debug.

mod common;

use std::fmt::Write;
use std::time::Duration;

use common::{binary, run_command, stdout};

/// Lints `name` holding `text` (concise output) and counts the findings of each code in `codes`.
fn finding_counts(name: &str, text: &str, codes: &[&str]) -> Vec<usize> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let mut command = binary();
    command.current_dir(dir.path()).args(["--format", "concise", name]);
    let output = run_command(command, None, Duration::from_secs(120));
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let report = stdout(&output);
    codes
        .iter()
        .map(|code| {
            report
                .lines()
                .filter(|line| line.contains(&format!(" {code} [")))
                .count()
        })
        .collect()
}

/// Every finding of a service is checked against the file's findings so
/// far for a twin; thousands of services must not make that quadratic.
#[test]
fn thousands_of_services_with_findings_each() {
    let services = 6_000;
    let mut text = String::from("services:\n");
    for index in 0..services {
        writeln!(text, "  s{index}:\n    image: nginx\n    privileged: true").unwrap();
    }
    assert_eq!(
        finding_counts("compose.yaml", &text, &["C101", "C401", "C503"]),
        [services; 3]
    );
}

/// Two services on each host port: every second one conflicts, and its
/// help names a free port above all of them.
#[test]
fn thousands_of_services_sharing_host_ports() {
    let services = 4_000;
    let mut text = String::from("services:\n");
    for index in 0..services {
        writeln!(
            text,
            "  s{index}:\n    image: nginx:1.25\n    ports:\n      - \"{}:80\"",
            10_000 + index / 2
        )
        .unwrap();
    }
    assert_eq!(finding_counts("compose.yaml", &text, &["C202"]), [services / 2]);
}

/// Each stage builds on the one before; each RUN looks up its SHELL and
/// each stage its parent and root.
#[test]
fn ten_thousand_chained_stages() {
    let stages = 10_000;
    let mut text = String::from("FROM alpine:3.19 AS s0\nSHELL [\"/bin/sh\", \"-c\"]\n");
    for index in 1..stages {
        writeln!(text, "FROM s{} AS s{index}\nRUN a | b", index - 1).unwrap();
    }
    assert_eq!(finding_counts("Dockerfile", &text, &["D411"]), [stages - 1]);
}

/// One stage of many RUNs: the SHELL in effect is not searched per RUN.
#[test]
fn twenty_thousand_runs_in_one_stage() {
    let runs = 20_000;
    let mut text = String::from("FROM alpine:3.19\n");
    for index in 0..runs {
        writeln!(text, "RUN echo {index} | cat").unwrap();
    }
    assert_eq!(finding_counts("Dockerfile", &text, &["D411"]), [runs]);
}

/// Thousands of stages that share a few names: duplicate names and
/// `COPY --from` look names up without scanning the stages.
#[test]
fn thousands_of_stages_sharing_names() {
    let stages = 10_000;
    let mut text = String::new();
    for index in 0..stages {
        writeln!(
            text,
            "FROM alpine:3.19 AS name{}\nCOPY --from=name{} /a /a",
            index % 10,
            (index + 1) % 10
        )
        .unwrap();
    }
    // Each name is first used in the first ten stages; the first nine
    // copy from a stage that comes later.
    assert_eq!(finding_counts("Dockerfile", &text, &["D408", "D407"]), [stages - 10, 9]);
}

/// A long chain of stages, each with many `pip install` RUNs: whether a
/// stage turns pip's cache off is known once per stage, not per RUN.
#[test]
fn pip_installs_through_a_long_chain_of_stages() {
    let (stages, runs) = (800, 50);
    let mut text = String::from("FROM python:3.12-slim AS s0\n");
    for index in 1..stages {
        writeln!(text, "FROM s{} AS s{index}", index - 1).unwrap();
        for _ in 0..runs {
            text.push_str("RUN pip install requests\n");
        }
    }
    assert_eq!(finding_counts("Dockerfile", &text, &["D305"]), [(stages - 1) * runs]);
}

/// Thousands of global ARGs, each naming the image of its own stage: the
/// global ARGs are resolved once, not again for every stage and rule.
#[test]
fn thousands_of_global_args_and_stages() {
    let stages = 5_000;
    let mut text = String::new();
    for index in 0..stages {
        writeln!(text, "ARG IMAGE{index}=alpine:3.19").unwrap();
    }
    for index in 0..stages {
        writeln!(text, "FROM $IMAGE{index} AS s{index}\nRUN a | b").unwrap();
    }
    assert_eq!(finding_counts("Dockerfile", &text, &["D411"]), [stages]);
}
