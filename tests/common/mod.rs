//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use vwe_lint::lint::{self, Checked};
use vwe_lint::settings::{Overrides, Settings};
use vwe_lint::source::FileKind;

include!("corpus.rs");

/// Every `--format` name, from the enum the CLI parses, so a new format is
/// covered by every test that loops over them.
pub fn format_names() -> Vec<String> {
    use clap::ValueEnum;
    vwe_lint::report::Format::value_variants()
        .iter()
        .filter_map(|format| format.to_possible_value())
        .map(|value| value.get_name().to_string())
        .collect()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Default settings (no config file in effect).
pub fn default_settings() -> Settings {
    let empty = tempfile::tempdir().unwrap();
    Settings::load(empty.path(), &Overrides::default()).unwrap()
}

/// Default settings with the rules in preview too (`--preview`): what tests
/// of every rule use.
pub fn settings_with_preview() -> Settings {
    let empty = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        preview: true,
        ..Overrides::default()
    };
    Settings::load(empty.path(), &overrides).unwrap()
}

/// Lints `text` as a file of `kind` named `name`.
pub fn lint_text(name: &str, kind: FileKind, text: &str, settings: &Settings) -> Checked {
    let (source, encoding_error) = lint::source_from_bytes(PathBuf::from(name), kind, text.as_bytes().to_vec());
    lint::lint(source, settings, encoding_error)
}

pub fn codes(checked: &Checked) -> Vec<&'static str> {
    checked
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.rule.code)
        .collect()
}

pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vwe-lint"));
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    command
}

/// Runs the binary in `dir` with `args`, feeding `stdin`, and kills it after
/// `limit`: a hang guard, not a performance assertion.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>, limit: Duration) -> Output {
    let mut command = binary();
    command.current_dir(dir).args(args);
    run_command(command, stdin, limit)
}

/// Runs `command` (the binary, set up by the caller) to its end, feeding it
/// `stdin`; panics when it takes longer than `limit`.
pub fn run_command(mut command: Command, stdin: Option<&str>, limit: Duration) -> Output {
    let mut child = command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    // Drain the pipes while waiting, or a large report would block the child.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

pub fn run(args: &[&str]) -> Output {
    run_in(&repo(), args, None, Duration::from_secs(60))
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Comment texts of a file: what a fix must never lose.
pub fn comments(text: &str, kind: FileKind) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let hash = match kind {
                FileKind::Compose => line
                    .find(" #")
                    .map(|index| index + 1)
                    .or_else(|| line.trim_start().starts_with('#').then(|| line.find('#').unwrap())),
                FileKind::Dockerfile => line.trim_start().starts_with('#').then(|| line.find('#').unwrap()),
            }?;
            Some(line[hash..].trim_end_matches('\r').to_string())
        })
        .collect()
}

/// Whether some line ends in a bare `\n` (not `\r\n`).
pub fn has_bare_newline(text: &str) -> bool {
    text.match_indices('\n')
        .any(|(index, _)| index == 0 || text.as_bytes()[index - 1] != b'\r')
}

/// Every file under `dir`, recursively.
pub fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Copies a directory tree (fixture projects into a temporary directory).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
