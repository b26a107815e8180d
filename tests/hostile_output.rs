//! Text from the linted files never reaches the output raw: terminal
//! escapes and line breaks in values, keys and file names are shown in a
//! visible form in every format, so nothing can retitle or clear a
//! terminal, nor forge a finding or a GitHub annotation.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{binary, repo, run_command, stdout};

/// A name that would forge a concise line and clear the screen if printed raw.
const HOSTILE_NAME: &str = "x\ncompose.yaml:1:1: C000 [error] forged\u{1b}[2J\u{9b}1m.yaml";

/// The hostile compose file (escapes in keys, values and comments; C1, DEL
/// and a bidi override raw in the text) under its own name and under
/// [`HOSTILE_NAME`], in a fresh directory.
fn hostile_project() -> tempfile::TempDir {
    let text = std::fs::read(repo().join("fixtures/hostile/output/compose.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), &text).unwrap();
    std::fs::write(dir.path().join(HOSTILE_NAME), &text).unwrap();
    dir
}

fn lint(dir: &Path, format: &str) -> String {
    let mut command = binary();
    command
        .current_dir(dir)
        .args(["--format", format, "--color", "always", "compose.yaml", HOSTILE_NAME]);
    let output = run_command(command, None, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(1), "{format}: {}", common::stderr(&output));
    stdout(&output)
}

/// A character that acts on a terminal instead of being shown.
fn acts_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The escape sequences of the human format's own colours: `ESC [ digits ; m`.
fn without_own_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let length = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .filter(|&end| after[end..].starts_with('m'));
        match length {
            Some(end) => rest = &after[end + 1..],
            None => {
                out.push_str(&rest[at..at + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn no_format_passes_control_characters_through() {
    let dir = hostile_project();
    for format in common::format_names() {
        let format = format.as_str();
        let mut report = lint(dir.path(), format);
        if format == "human" {
            report = without_own_colours(&report);
        }
        let raw: Vec<(usize, char)> = report
            .char_indices()
            .filter(|&(_, c)| acts_on_terminal(c) && c != '\n')
            .collect();
        assert!(raw.is_empty(), "{format} passes {raw:?} through:\n{report}");
    }
}

#[test]
fn concise_shows_one_line_per_finding() {
    let dir = hostile_project();
    let findings: Vec<serde_json::Value> = serde_json::from_str(&lint(dir.path(), "json")).unwrap();
    let concise = lint(dir.path(), "concise");
    let lines: Vec<&str> = concise.lines().collect();
    // Every finding, then the summary line.
    assert_eq!(lines.len(), findings.len() + 1, "{concise}");
    let from_hostile_file = lines.iter().filter(|line| line.starts_with("x\\ncompose.yaml")).count();
    assert_eq!(from_hostile_file * 2, findings.len(), "{concise}");
}

#[test]
fn github_shows_one_command_per_finding() {
    let dir = hostile_project();
    let findings: Vec<serde_json::Value> = serde_json::from_str(&lint(dir.path(), "json")).unwrap();
    let github = lint(dir.path(), "github");
    assert_eq!(github.lines().count(), findings.len(), "{github}");
    assert!(github.lines().all(|line| line.starts_with("::")), "{github}");
}

#[test]
fn json_keeps_the_exact_file_name() {
    let dir = hostile_project();
    let findings: Vec<serde_json::Value> = serde_json::from_str(&lint(dir.path(), "json")).unwrap();
    assert!(findings.iter().any(|finding| finding["file"] == HOSTILE_NAME));
}

#[test]
fn xml_formats_parse() {
    let dir = hostile_project();
    for format in ["checkstyle", "junit"] {
        let report = lint(dir.path(), format);
        roxmltree::Document::parse(&report).unwrap_or_else(|error| panic!("{format}: {error}\n{report}"));
    }
}
