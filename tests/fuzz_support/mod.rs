//! The fuzz harness: cases (generated projects and mutated corpus files),
//! the invariants every case must keep, and a minimizer of failing cases.

pub mod check;
pub mod dockerfile;
pub mod generate;
pub mod minimize;
pub mod mutate;
pub mod yaml;

use std::path::{Path, PathBuf};

/// A set of files under one root: `project/` is what is linted; `outside/`
/// holds files the project must not read; `select` names the rules `--fix`
/// runs with (all when absent).
#[derive(Default, Clone)]
pub struct Case {
    pub files: Vec<(String, Vec<u8>)>,
    /// Where the case came from, for the report.
    pub origin: String,
}

/// The file naming the rules `--fix` runs with.
pub const SELECT_FILE: &str = "select";

impl Case {
    pub fn add(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.push((path.to_string(), bytes));
    }

    /// The case of `seed`: a third are mutated corpus files (when the corpus
    /// is there), the rest generated projects; some fix with a selection.
    pub fn from_seed(seed: u64, corpus: &[PathBuf]) -> Case {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut case = if !corpus.is_empty() && rng.u8(..3) == 0 {
            mutate::case(&mut rng, corpus)
        } else {
            let mut case = generate::project(&mut rng);
            case.origin = "generated".into();
            case
        };
        if rng.u8(..5) == 0 {
            let select = ["C5,C6", "C502,C601", "D3,D4", "C204,S007,C506"][rng.usize(..4)];
            case.add(SELECT_FILE, select.as_bytes().to_vec());
        }
        case
    }

    pub fn write(&self, root: &Path) -> std::io::Result<()> {
        for (path, bytes) in &self.files {
            let path = root.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }

    /// The case saved under `root` (by [`Case::write`]).
    pub fn read(root: &Path) -> std::io::Result<Case> {
        let mut paths = Vec::new();
        crate::common::files(root, &mut paths);
        paths.sort();
        let mut case = Case {
            origin: root.display().to_string(),
            ..Case::default()
        };
        for path in paths {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            if relative == Path::new(README) {
                continue;
            }
            case.add(&relative.to_string_lossy(), std::fs::read(&path)?);
        }
        Ok(case)
    }
}

/// The note saved with a minimized case.
pub const README: &str = "README";
