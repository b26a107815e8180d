//! Corpus files with random edits: byte flips, lines deleted, duplicated or
//! shifted, truncation, flow and block fragments inserted, scalars swapped.

use std::path::{Path, PathBuf};

use fastrand::Rng;

use super::Case;

/// Bytes that matter to YAML and Dockerfile syntax.
const BYTES: &[u8] = b":{}[],-#&*!|>'\"\\ \t\n\r`$%@";

/// Fragments that mix styles or nest what the rules fix.
const FRAGMENTS: &[&str] = &[
    "logging: {driver: json-file}",
    "  logging:\n    options:\n      max-size: 1m",
    "    healthcheck: {test: [CMD, true], interval: 5s}",
    "restart: !reset null",
    "  <<: *d",
    "x-d: &d {restart: always}",
    "    ports: [8080:80, \"22:22\"]",
    "    depends_on: [db]",
    "  - \"${A:-${B:-${C}}}\"",
    "deploy: {resources: {limits: {memory: 1g}}}",
    "# vwe-lint: ignore[C601]",
    "# vwe-lint: ignore-file[C4O3]",
    "RUN apt-get install curl",
    "MAINTAINER x",
    "RUN <<EOF\necho\nEOF",
    "\u{85}",
    "\u{feff}",
];

/// Compose files and Dockerfiles of the corpus, in a fixed order.
pub fn corpus_files(corpus: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for folder in ["compose", "dockerfile"] {
        crate::common::files(&corpus.join(folder), &mut found);
    }
    found.sort();
    found
}

/// A mutated copy of one corpus file, as the base of a project (with, now
/// and then, a generated overlay beside it).
pub fn case(rng: &mut Rng, files: &[PathBuf]) -> Case {
    let path = &files[rng.usize(..files.len())];
    let mut bytes = std::fs::read(path).unwrap_or_default();
    for _ in 0..rng.usize(1..=4) {
        mutate(rng, &mut bytes);
    }
    let is_dockerfile = path.components().any(|part| part.as_os_str() == "dockerfile");
    let mut case = Case {
        origin: format!("mutated {}", path.display()),
        ..Case::default()
    };
    if is_dockerfile {
        case.add("project/Dockerfile", bytes);
    } else {
        case.add("project/compose.yaml", bytes);
        if rng.u8(..4) == 0 {
            let overlay = super::generate::project(rng);
            if let Some((_, text)) = overlay
                .files
                .into_iter()
                .find(|(name, _)| name == "project/compose.yaml")
            {
                case.add("project/compose.override.yaml", text);
            }
        }
    }
    case
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    if bytes.is_empty() {
        bytes.extend_from_slice(FRAGMENTS[rng.usize(..FRAGMENTS.len())].as_bytes());
        return;
    }
    let mut lines: Vec<Vec<u8>> = bytes.split(|&byte| byte == b'\n').map(<[u8]>::to_vec).collect();
    let line = rng.usize(..lines.len());
    match rng.u8(..8) {
        0 => {
            let at = rng.usize(..bytes.len());
            bytes[at] = BYTES[rng.usize(..BYTES.len())];
            return;
        }
        1 => {
            lines.remove(line);
        }
        2 => {
            let copy = lines[line].clone();
            lines.insert(line, copy);
        }
        3 => {
            let end = (line + rng.usize(1..4)).min(lines.len());
            for shifted in &mut lines[line..end] {
                if rng.bool() {
                    shifted.splice(0..0, *b"  ");
                } else if shifted.starts_with(b"  ") {
                    shifted.drain(..2);
                }
            }
        }
        4 => {
            bytes.truncate(rng.usize(..bytes.len()));
            return;
        }
        5 | 6 => {
            let fragment = FRAGMENTS[rng.usize(..FRAGMENTS.len())];
            let indent: Vec<u8> = lines[line].iter().take_while(|&&byte| byte == b' ').copied().collect();
            let mut inserted = indent;
            inserted.extend_from_slice(fragment.as_bytes());
            lines.insert(line, inserted);
        }
        _ => swap_scalars(rng, &mut lines),
    }
    *bytes = lines.join(&b'\n');
}

/// Swaps the values of two `key: value` lines.
fn swap_scalars(rng: &mut Rng, lines: &mut [Vec<u8>]) {
    let with_value: Vec<(usize, usize)> = lines
        .iter()
        .enumerate()
        .filter_map(|(index, line)| {
            let colon = line.windows(2).position(|pair| pair == b": ")?;
            Some((index, colon + 2))
        })
        .collect();
    if with_value.len() < 2 {
        return;
    }
    let (a, at_a) = with_value[rng.usize(..with_value.len())];
    let (b, at_b) = with_value[rng.usize(..with_value.len())];
    let value_a = lines[a][at_a..].to_vec();
    let value_b = lines[b][at_b..].to_vec();
    lines[a].truncate(at_a);
    lines[a].extend_from_slice(&value_b);
    lines[b].truncate(at_b);
    lines[b].extend_from_slice(&value_a);
}
