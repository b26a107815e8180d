//! Bulk suppressions, after ESLint's `--suppress-all`: the findings a
//! repository has when it adopts vwe-lint are counted in
//! `vwe-lint-suppressions.json`, and later runs report only what goes
//! beyond those counts. A finding is counted by file, rule and message, not
//! by line, so unrelated edits do not revive it, and a new finding (another
//! service, another key) has a message of its own and is reported alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compose::referenced::lexical;
use crate::diagnostic::Diagnostic;
use crate::lint::Checked;

pub const FILE_NAME: &str = "vwe-lint-suppressions.json";

/// File (relative to the suppressions file's directory, `/`-separated) →
/// rule code → message → how many findings it suppresses.
type Counts = BTreeMap<String, FileCounts>;

/// One file's counts: by rule code, then by message.
type FileCounts = BTreeMap<String, BTreeMap<String, usize>>;

/// The suppressions of one run, and where they are kept.
pub struct Suppressions {
    pub path: PathBuf,
    counts: Counts,
}

/// An entry that suppresses more findings than there are: it would hide a
/// finding that comes back, so it is reported until pruned.
#[derive(Debug, PartialEq, Eq)]
pub struct Stale {
    pub file: String,
    pub code: String,
    pub message: String,
    pub unused: usize,
}

/// Where the suppressions are kept: `--suppressions-location`, else beside
/// the config file in use, else at the repository root (the nearest
/// directory above `cwd` with `.git`), else in `cwd`.
pub fn location(explicit: Option<&Path>, config: Option<&Path>, cwd: &Path) -> PathBuf {
    if let Some(explicit) = explicit {
        return cwd.join(explicit);
    }
    let dir = config
        .and_then(Path::parent)
        .map(|dir| cwd.join(dir))
        .or_else(|| {
            cwd.ancestors()
                .find(|ancestor| ancestor.join(".git").exists())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| cwd.to_path_buf());
    dir.join(FILE_NAME)
}

/// How many findings of `code` with `message` one file's counts hold.
fn count_of(rules: Option<&FileCounts>, code: &str, message: &str) -> usize {
    rules
        .and_then(|rules| rules.get(code))
        .and_then(|messages| messages.get(message))
        .copied()
        .unwrap_or(0)
}

impl Suppressions {
    /// The suppressions at `path`; none when the file does not exist. A
    /// file that is there but not readable as suppressions is an error: a
    /// gate must not pass on a file it could not read.
    pub fn load(path: PathBuf) -> Result<Self, String> {
        let counts = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| {
                format!(
                    "{}: not a suppressions file ({error}); `--suppress-all` writes a new one",
                    path.display()
                )
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Counts::new(),
            Err(error) => return Err(format!("{}: {error}", path.display())),
        };
        Ok(Self { path, counts })
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Counts today's findings as suppressed: every rule's, or only those
    /// of `codes`. The counts of other rules and files stay.
    pub fn suppress(&mut self, checked: &[Checked], codes: Option<&[String]>, cwd: &Path) {
        for (file, found) in self.found(checked, cwd) {
            for (code, messages) in found {
                if codes.is_some_and(|codes| !codes.iter().any(|wanted| wanted.eq_ignore_ascii_case(&code))) {
                    continue;
                }
                self.counts.entry(file.clone()).or_default().insert(code, messages);
            }
        }
    }

    /// Lowers every count to the findings that still occur, and drops the
    /// entries left at zero.
    pub fn prune(&mut self, checked: &[Checked], cwd: &Path) {
        let found = self.found(checked, cwd);
        for (file, rules) in &mut self.counts {
            for (code, messages) in rules.iter_mut() {
                for (message, count) in messages.iter_mut() {
                    *count = (*count).min(count_of(found.get(file), code, message));
                }
                messages.retain(|_, count| *count > 0);
            }
            rules.retain(|_, messages| !messages.is_empty());
        }
        self.counts.retain(|_, rules| !rules.is_empty());
    }

    /// Removes the suppressed findings from `checked`. Where a file has more
    /// findings of one rule and message than counted, all of them stay:
    /// counts cannot tell the new one apart. Returns the stale entries.
    pub fn apply(&self, checked: &mut [Checked], cwd: &Path) -> Vec<Stale> {
        let found = self.found(checked, cwd);
        let mut stale = Vec::new();
        for (file, rules) in &self.counts {
            for (code, messages) in rules {
                for (message, &count) in messages {
                    let occurs = count_of(found.get(file), code, message);
                    if occurs < count {
                        stale.push(Stale {
                            file: file.clone(),
                            code: code.clone(),
                            message: message.clone(),
                            unused: count - occurs,
                        });
                    }
                }
            }
        }
        for file in checked.iter_mut() {
            let Some(key) = self.key(&file.source.path, cwd) else {
                continue;
            };
            let (Some(rules), Some(found)) = (self.counts.get(&key), found.get(&key)) else {
                continue;
            };
            file.diagnostics.retain(|diagnostic| {
                let (code, message) = (diagnostic.rule.code, identity(diagnostic));
                count_of(Some(found), code, message) > count_of(Some(rules), code, message)
            });
        }
        stale
    }

    /// Writes the counts, sorted, so the file diffs well in review.
    pub fn write(&self) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(&self.counts).map_err(|error| error.to_string())?;
        text.push('\n');
        std::fs::write(&self.path, text).map_err(|error| format!("{}: {error}", self.path.display()))
    }

    /// The findings of `checked` counted as the file stores them.
    fn found(&self, checked: &[Checked], cwd: &Path) -> Counts {
        let mut counts = Counts::new();
        for file in checked {
            let Some(key) = self.key(&file.source.path, cwd) else {
                continue;
            };
            for diagnostic in &file.diagnostics {
                *counts
                    .entry(key.clone())
                    .or_default()
                    .entry(diagnostic.rule.code.to_string())
                    .or_default()
                    .entry(identity(diagnostic).to_string())
                    .or_default() += 1;
            }
        }
        counts
    }

    /// A linted file's key: its path relative to the suppressions file's
    /// directory (`../app/compose.yaml` for a file kept in `ci/`).
    fn key(&self, path: &Path, cwd: &Path) -> Option<String> {
        let dir = lexical(&cwd.join(self.path.parent()?));
        let path = lexical(&cwd.join(path));
        let (dir, path): (Vec<_>, Vec<_>) = (dir.components().collect(), path.components().collect());
        let common = dir.iter().zip(&path).take_while(|(a, b)| a == b).count();
        let mut parts = vec!["..".to_string(); dir.len() - common];
        parts.extend(
            path[common..]
                .iter()
                .map(|part| part.as_os_str().to_string_lossy().into_owned()),
        );
        Some(parts.join("/"))
    }
}

/// What identifies a finding across runs: its message, or the stable part
/// of it that live findings keep apart.
fn identity(diagnostic: &Diagnostic) -> &str {
    diagnostic.identity.as_deref().unwrap_or(&diagnostic.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn checked(path: &str, messages: &[&str]) -> Checked {
        let source = SourceFile::new(PathBuf::from(path), FileKind::Compose, String::new());
        let meta = crate::rules::find_all("C501")[0];
        Checked {
            source,
            diagnostics: messages
                .iter()
                .map(|message| Diagnostic::new(meta, crate::source::Span::point(0), message.to_string()))
                .collect(),
        }
    }

    fn suppressions(dir: &Path) -> Suppressions {
        Suppressions::load(dir.join(FILE_NAME)).unwrap()
    }

    #[test]
    fn a_new_message_is_reported_alone_and_a_repeated_one_with_its_twins() {
        let dir = tempfile::tempdir().unwrap();
        let mut kept = suppressions(dir.path());
        kept.suppress(&[checked("compose.yaml", &["web", "db"])], None, dir.path());
        let mut later = [checked("compose.yaml", &["web", "db", "cache"])];
        assert!(kept.apply(&mut later, dir.path()).is_empty());
        let left: Vec<&str> = later[0].diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(left, ["cache"]);
        let mut twice = [checked("compose.yaml", &["web", "web"])];
        let stale = kept.apply(&mut twice, dir.path());
        assert_eq!(twice[0].diagnostics.len(), 2, "counts cannot tell which `web` is new");
        assert_eq!(stale.len(), 1, "`db` no longer occurs: {stale:?}");
    }

    #[test]
    fn pruning_keeps_only_what_still_occurs() {
        let dir = tempfile::tempdir().unwrap();
        let mut kept = suppressions(dir.path());
        kept.suppress(&[checked("a/compose.yaml", &["web", "web", "db"])], None, dir.path());
        kept.prune(&[checked("a/compose.yaml", &["web"])], dir.path());
        kept.write().unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(FILE_NAME)).unwrap()).unwrap();
        assert_eq!(written, serde_json::json!({"a/compose.yaml": {"C501": {"web": 1}}}));
    }

    #[test]
    fn a_file_that_is_no_suppressions_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{\"a\": 1}").unwrap();
        assert!(Suppressions::load(dir.path().join(FILE_NAME)).is_err());
    }
}
