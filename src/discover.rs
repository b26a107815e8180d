//! Which files are compose files or Dockerfiles, and walking the paths the
//! user named (gitignore-aware).

use std::path::{Path, PathBuf};

use crate::source::FileKind;

/// The kind a file has by its name alone, as a directory walk decides.
pub fn kind_by_name(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let is_yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if is_yaml && (lower.starts_with("compose") || lower.starts_with("docker-compose")) {
        return Some(FileKind::Compose);
    }
    if name == "Dockerfile" || name.starts_with("Dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(FileKind::Dockerfile);
    }
    None
}

/// The kind of a file the user named explicitly: by name where it says, else
/// by extension, else by content (a Dockerfile starts with an instruction).
pub fn kind_of_named(path: &Path, text: &str) -> FileKind {
    if let Some(kind) = kind_by_name(path) {
        return kind;
    }
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") {
        return FileKind::Compose;
    }
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or("");
    let word = first.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    if matches!(word.as_str(), "FROM" | "ARG") || lower.contains("dockerfile") {
        FileKind::Dockerfile
    } else {
        FileKind::Compose
    }
}

/// The file names Compose looks for by default, in its order.
pub const BASE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// For a compose file that is not itself a base file, the base file beside
/// it, which it overlays (`docker-compose.prod.yml` over `docker-compose.yml`).
pub fn base_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if BASE_NAMES.contains(&name) {
        return None;
    }
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    BASE_NAMES
        .iter()
        .map(|base| dir.join(base))
        .find(|candidate| candidate.is_file())
}

/// A file to lint and whether the user named it (then its name does not matter).
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    pub explicit: bool,
}

/// Walks `paths`: directories recursively (honouring .gitignore, entering
/// hidden directories), files as they are. Errors name the path.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| format!("{}: {error}", path.display()))?;
        if !metadata.is_dir() {
            targets.push(Target {
                path: path.clone(),
                explicit: true,
            });
            continue;
        }
        let mut found = Vec::new();
        // Hidden directories such as `.devcontainer` hold real compose files;
        // only git's own directory is skipped.
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = entry.map_err(|error| error.to_string())?;
            if entry.file_type().is_some_and(|kind| kind.is_file()) && kind_by_name(entry.path()).is_some() {
                found.push(Target {
                    path: tidy(entry.path()),
                    explicit: false,
                });
            }
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        targets.extend(found);
    }
    Ok(targets)
}

/// `./x` as `x`, as people write relative paths.
fn tidy(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for compose in [
            "compose.yaml",
            "docker-compose.prod.yml",
            "docker-compose-dev.yml",
            "compose.override.yaml",
        ] {
            assert_eq!(kind_by_name(Path::new(compose)), Some(FileKind::Compose), "{compose}");
        }
        for dockerfile in ["Dockerfile", "Dockerfile.dev", "app.Dockerfile", "app.dockerfile"] {
            assert_eq!(
                kind_by_name(Path::new(dockerfile)),
                Some(FileKind::Dockerfile),
                "{dockerfile}"
            );
        }
        for other in ["config.yml", "Dockerfile-old", "compose.json", "README.md"] {
            assert_eq!(kind_by_name(Path::new(other)), None, "{other}");
        }
    }

    #[test]
    fn named_files_are_sniffed() {
        assert_eq!(
            kind_of_named(Path::new("build/recipe"), "# comment\nFROM alpine\n"),
            FileKind::Dockerfile
        );
        assert_eq!(
            kind_of_named(Path::new("stack.yml"), "services: {}\n"),
            FileKind::Compose
        );
    }
}
