//! Output formats. Every format reads the same linted files; the summary
//! counts are shared.

pub mod human;
pub mod json;

use crate::diagnostic::Severity;
use crate::lint::Checked;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help, through miette.
    Human,
    /// One JSON array of findings.
    Json,
}

/// Finding counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(files: &[Checked]) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// The highest severity found, if anything was.
    pub fn highest(&self) -> Option<Severity> {
        if self.errors > 0 {
            Some(Severity::Error)
        } else if self.warnings > 0 {
            Some(Severity::Warning)
        } else if self.infos > 0 {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// `2 errors, 1 warning in 3 files`, with infos added when there are any.
pub fn summary_line(counts: Counts, files: usize) -> String {
    let mut line = format!(
        "{}, {} in {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(files, "file")
    );
    if counts.infos > 0 {
        line.push_str(&format!(" ({})", plural(counts.infos, "info")));
    }
    line
}
