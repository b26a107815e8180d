//! Which compose file `vwe-lint env` reads, and the project name Compose
//! gives its containers.

use std::path::{Path, PathBuf};

use crate::compose::ComposeFile;
use crate::compose::interpolate::Environment;
use crate::read::{MAX_FILE_SIZE, read_regular_file};

/// The files Compose reads by default, in its order of preference.
const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The compose file for `path`: the file itself, or the default compose file
/// of a directory.
pub fn compose_file(path: &Path) -> Result<PathBuf, String> {
    let metadata = std::fs::metadata(path).map_err(|error| format!("{}: {error}", path.display()))?;
    if !metadata.is_dir() {
        return Ok(path.to_path_buf());
    }
    DEFAULT_FILES
        .iter()
        .map(|name| path.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            format!(
                "{}: no compose file here ({})",
                path.display(),
                DEFAULT_FILES.join(", ")
            )
        })
}

/// The project name as Compose decides it: `COMPOSE_PROJECT_NAME` (from the
/// environment, else from the `--env-file` files or the project's `.env`),
/// then the file's `name:`, then the directory's name, normalised to what
/// Compose accepts.
pub fn project_name(file: Option<&ComposeFile>, project_dir: &Path, environment: &Environment) -> String {
    const VARIABLE: &str = "COMPOSE_PROJECT_NAME";
    let from_process = environment.process.get(VARIABLE).cloned();
    let from_env_files = || match &environment.env_files {
        Some(vars) => vars.get(VARIABLE).cloned(),
        None => {
            let bytes = read_regular_file(&project_dir.join(".env"), MAX_FILE_SIZE).ok()?;
            dotenv_value(&String::from_utf8_lossy(&bytes), VARIABLE)
        }
    };
    let from_file = || {
        let name = file?.root.get("name")?.as_str()?;
        // An interpolated name is decided by Compose at run time.
        (!name.contains('$')).then(|| name.to_string())
    };
    let from_dir = || {
        let dir = std::fs::canonicalize(project_dir).unwrap_or_else(|_| project_dir.to_path_buf());
        dir.file_name().map(|name| name.to_string_lossy().into_owned())
    };
    let chosen = from_process
        .filter(|name| !name.is_empty())
        .or_else(from_env_files)
        .or_else(from_file)
        .or_else(from_dir)
        .unwrap_or_default();
    normalize(&chosen)
}

/// Lowercase, only `a-z0-9_-`, starting with a letter or digit.
pub fn normalize(name: &str) -> String {
    let kept: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

/// A variable's value in a `.env` text (`NAME=value`, optionally quoted).
fn dotenv_value(text: &str, name: &str) -> Option<String> {
    text.lines().rev().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line.split_once('=')?;
        if key.trim() != name {
            return None;
        }
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|rest| rest.strip_suffix('\'')))
            .unwrap_or(value);
        Some(unquoted.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml;

    #[test]
    fn names_are_normalised_like_compose() {
        assert_eq!(normalize("My Project.v2"), "myprojectv2");
        assert_eq!(normalize("_vwe"), "vwe");
    }

    #[test]
    fn precedence() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("Demo_App");
        std::fs::create_dir(&project).unwrap();
        let parsed = yaml::parse("name: vwe\nservices: {}\n");
        let file = ComposeFile::new(&parsed.documents[0]).unwrap();
        let none = Environment::default();
        assert_eq!(project_name(None, &project, &none), "demo_app");
        assert_eq!(project_name(Some(&file), &project, &none), "vwe");
        std::fs::write(project.join(".env"), "# dotenv\nCOMPOSE_PROJECT_NAME=\"from-dotenv\"\n").unwrap();
        assert_eq!(project_name(Some(&file), &project, &none), "from-dotenv");
        let env_files = Environment {
            env_files: Some([("COMPOSE_PROJECT_NAME".to_string(), "From-File".to_string())].into()),
            ..Environment::default()
        };
        assert_eq!(project_name(Some(&file), &project, &env_files), "from-file");
        let process = Environment {
            process: [("COMPOSE_PROJECT_NAME".to_string(), "Env".to_string())].into(),
            ..env_files
        };
        assert_eq!(project_name(Some(&file), &project, &process), "env");
    }

    #[cfg(unix)]
    #[test]
    fn a_dot_env_that_is_a_fifo_is_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("demo");
        std::fs::create_dir(&project).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(project.join(".env"))
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(project_name(None, &project, &Environment::default()), "demo");
    }
}
