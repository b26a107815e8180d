//! Reading the files a compose project refers to (`include`, `extends.file`,
//! an include's `env_file`, `.env`, the Dockerfiles services build): only
//! under the project's root or a directory the config allows, only regular
//! files within the size cap, and each once per run while it is unchanged.
//! A path written in a file under review is a stranger's choice: it must not
//! make the run read, and then echo, the machine's files.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::SystemTime;

use crate::read::{MAX_FILE_SIZE, ReadError, read_regular_file};
use crate::source::parent_dir;

/// Where a project may read from.
#[derive(Debug)]
pub struct Reach {
    /// The directory of the project's primary file; `None` for standard input.
    primary_dir: Option<PathBuf>,
    config_path: Option<PathBuf>,
    /// Canonical; `None` when the project has no file on disk. Found the
    /// first time a referenced file is read: most projects read none.
    root: OnceLock<Option<PathBuf>>,
    /// Canonical directories the config allows besides the root.
    allowed: Vec<PathBuf>,
}

impl Reach {
    /// The reach of a project whose primary file is `primary`: the
    /// repository holding it (the nearest ancestor with `.git`), else the
    /// directory of the config file in use when it holds the file, else the
    /// file's own directory; plus the `allow-outside` directories.
    pub fn of_project(primary: Option<&Path>, config_path: Option<&Path>, allowed: &[PathBuf]) -> Reach {
        Reach {
            primary_dir: primary.map(|primary| parent_dir(primary).to_path_buf()),
            config_path: config_path.map(Path::to_path_buf),
            root: OnceLock::new(),
            allowed: allowed.to_vec(),
        }
    }

    /// The project's root, for messages.
    pub fn root(&self) -> Option<&Path> {
        self.root
            .get_or_init(|| {
                let dir = self.primary_dir.as_deref()?.canonicalize().ok()?;
                let repository = dir.ancestors().find(|ancestor| ancestor.join(".git").exists());
                let config_dir = self
                    .config_path
                    .as_deref()
                    .and_then(|config_path| parent_dir(config_path).canonicalize().ok())
                    .filter(|config_dir| dir.starts_with(config_dir));
                Some(repository.map(Path::to_path_buf).or(config_dir).unwrap_or(dir))
            })
            .as_deref()
    }

    /// Whether `path` lies outside the root and every allowed directory
    /// (where it points, or as written when it does not exist: either way
    /// the answer says nothing about what is there). `false` without a root.
    pub fn is_outside(&self, path: &Path) -> bool {
        self.root().is_some()
            && !match path.canonicalize() {
                Ok(canonical) => self.admits(&canonical),
                Err(_) => self.admits(&lexical(path)),
            }
    }

    fn admits(&self, canonical: &Path) -> bool {
        self.root()
            .into_iter()
            .chain(self.allowed.iter().map(PathBuf::as_path))
            .any(|dir| canonical.starts_with(dir))
    }
}

/// Why a referenced file was not read. Names no content of it.
#[derive(Debug)]
pub enum Refusal {
    /// Outside the root and every allowed directory.
    Outside {
        root: PathBuf,
    },
    Read(ReadError),
}

impl Refusal {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Refusal::Read(ReadError::NotFound))
    }

    /// What to do about it.
    pub fn help(&self, path: &Path) -> String {
        match self {
            Refusal::Outside { .. } => format!(
                "move the file into the project, or allow its directory in `.vwe-lint.toml`: `[compose] allow-outside = [\"{}\"]`",
                path.parent().unwrap_or(path).display()
            ),
            Refusal::Read(ReadError::NotFound) => format!("create `{}` or fix the path", path.display()),
            Refusal::Read(_) => "name a regular, readable file of the project".to_string(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Outside { root } => write!(
                f,
                "is outside the project (root `{}`); vwe-lint reads no file outside it — allow its directory with `[compose] allow-outside`",
                root.display()
            ),
            Refusal::Read(error) => error.fmt(f),
        }
    }
}

/// The bytes of the file at `path` if `reach` admits it, from the run's
/// cache when the file is unchanged since it was read.
pub fn read(reach: &Reach, path: &Path) -> Result<Arc<[u8]>, Refusal> {
    let Some(root) = reach.root() else {
        return Err(Refusal::Read(ReadError::NotFound));
    };
    let canonical = match path.canonicalize() {
        Ok(canonical) => canonical,
        // Judged as written, so that a missing file outside says "outside",
        // not whether it exists.
        Err(_) if !reach.admits(&lexical(path)) => {
            return Err(Refusal::Outside {
                root: root.to_path_buf(),
            });
        }
        Err(_) => return Err(Refusal::Read(ReadError::NotFound)),
    };
    if !reach.admits(&canonical) {
        return Err(Refusal::Outside {
            root: root.to_path_buf(),
        });
    }
    cached_read(&canonical).map_err(Refusal::Read)
}

/// A file's bytes, with the length and modification time they were read at.
struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    bytes: Arc<[u8]>,
    /// How often the disk was read for it (tests count these).
    reads: usize,
}

static CACHE: LazyLock<Mutex<HashMap<PathBuf, Cached>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn cached_read(canonical: &Path) -> Result<Arc<[u8]>, ReadError> {
    let metadata = std::fs::metadata(canonical).ok();
    let stamp = metadata
        .as_ref()
        .map(|metadata| (metadata.len(), metadata.modified().ok()));
    let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let (Some(cached), Some((len, modified))) = (cache.get(canonical), stamp)
        && metadata.as_ref().is_some_and(std::fs::Metadata::is_file)
        && cached.len == len
        && cached.modified == modified
    {
        return Ok(cached.bytes.clone());
    }
    let bytes: Arc<[u8]> = read_regular_file(canonical, MAX_FILE_SIZE)?.into();
    let (len, modified) = stamp.unwrap_or((bytes.len() as u64, None));
    let reads = cache.get(canonical).map_or(0, |cached| cached.reads) + 1;
    cache.insert(
        canonical.to_path_buf(),
        Cached {
            len,
            modified,
            bytes: bytes.clone(),
            reads,
        },
    );
    Ok(bytes)
}

/// How often the disk was read for the file at `path` in this process.
#[cfg(test)]
pub fn disk_reads(path: &Path) -> usize {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.get(&canonical).map_or(0, |cached| cached.reads)
}

/// `path` made absolute with `.` and `..` resolved by name.
pub fn lexical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("app")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/x.yaml"), "x: 1\n").unwrap();
        std::fs::write(repo.join("shared.yaml"), "y: 1\n").unwrap();
        (dir, repo)
    }

    #[test]
    fn the_root_is_the_repository_and_nothing_outside_is_read() {
        let (dir, repo) = repository();
        let reach = Reach::of_project(Some(&repo.join("app/compose.yaml")), None, &[]);
        assert_eq!(reach.root(), Some(repo.canonicalize().unwrap().as_path()));
        assert!(read(&reach, &repo.join("app/../shared.yaml")).is_ok());
        let outside = repo.join("app/../../outside/x.yaml");
        assert!(matches!(read(&reach, &outside), Err(Refusal::Outside { .. })));
        assert!(matches!(
            read(&reach, Path::new("/etc/passwd")),
            Err(Refusal::Outside { .. })
        ));
        // A missing file outside is outside, whether or not it exists.
        assert!(matches!(
            read(&reach, &repo.join("../outside/missing")),
            Err(Refusal::Outside { .. })
        ));
        assert!(read(&reach, &repo.join("missing")).unwrap_err().is_not_found());
        let allowed = Reach::of_project(
            Some(&repo.join("app/compose.yaml")),
            None,
            &[dir.path().join("outside").canonicalize().unwrap()],
        );
        assert_eq!(&*read(&allowed, &outside).unwrap(), b"x: 1\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_project_is_outside() {
        let (dir, repo) = repository();
        std::os::unix::fs::symlink(dir.path().join("outside/x.yaml"), repo.join("link.yaml")).unwrap();
        let reach = Reach::of_project(Some(&repo.join("compose.yaml")), None, &[]);
        assert!(matches!(
            read(&reach, &repo.join("link.yaml")),
            Err(Refusal::Outside { .. })
        ));
    }

    #[test]
    fn without_a_repository_the_config_directory_then_the_file_directory_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(project.join("app")).unwrap();
        let file = project.join("app/compose.yaml");
        let config = project.join(".vwe-lint.toml");
        let canonical = |path: &Path| path.canonicalize().unwrap();
        let with_config = Reach::of_project(Some(&file), Some(&config), &[]);
        assert_eq!(with_config.root(), Some(canonical(&project).as_path()));
        let config_elsewhere = dir.path().join("other/.vwe-lint.toml");
        std::fs::create_dir_all(dir.path().join("other")).unwrap();
        let alone = Reach::of_project(Some(&file), Some(&config_elsewhere), &[]);
        assert_eq!(alone.root(), Some(canonical(&project.join("app")).as_path()));
    }

    #[test]
    fn an_unchanged_file_is_read_from_disk_once() {
        let (_dir, repo) = repository();
        let path = repo.join("once.env");
        std::fs::write(&path, "A=1\n").unwrap();
        let reach = Reach::of_project(Some(&repo.join("compose.yaml")), None, &[]);
        for _ in 0..5 {
            assert_eq!(&*read(&reach, &path).unwrap(), b"A=1\n");
        }
        assert_eq!(disk_reads(&path), 1);
        std::fs::write(&path, "A=22\n").unwrap();
        assert_eq!(&*read(&reach, &path).unwrap(), b"A=22\n");
        assert_eq!(disk_reads(&path), 2);
    }
}
