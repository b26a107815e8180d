//! Which files are compose files or Dockerfiles, walking the paths the user
//! named (gitignore-aware), and grouping compose files into projects.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::compose::model::Variant;
use crate::settings::{Exclusions, Settings};
use crate::source::{FileId, FileKind};

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

/// The overlay Compose applies to a base file by default, in its order.
pub const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// A file of a planned unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    /// Linted at the user's request (see [`crate::compose::model::ProjectFile::primary`]).
    pub primary: bool,
}

/// One unit of work: a Dockerfile (one file, no variants), or a compose
/// project: its files and the variants it is deployed as (indexes into `files`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub files: Vec<PlannedFile>,
    pub variants: Vec<Variant>,
}

/// Adds the files of the projects declared in `[compose]` that lie under one
/// of the directories in `paths`: their names need not look like compose
/// files, so the walk does not find them itself.
pub fn add_declared(targets: &mut Vec<Target>, paths: &[PathBuf], settings: &Settings) {
    let dirs: Vec<PathBuf> = paths
        .iter()
        .filter(|path| path.is_dir())
        .filter_map(|path| Some((path, path.canonicalize().ok()?)))
        .map(|(_, canonical)| canonical)
        .collect();
    for project in &settings.compose.projects {
        for file in &project.files {
            let Ok(canonical) = file.canonicalize() else { continue };
            let Some(dir) = dirs.iter().find(|dir| canonical.starts_with(dir)) else {
                continue;
            };
            if targets.iter().any(|target| same_file(&target.path, file)) {
                continue;
            }
            // Shown relative to the directory the user named, as the walk shows paths.
            let named = paths
                .iter()
                .find(|path| path.canonicalize().ok().as_ref() == Some(dir))
                .cloned()
                .unwrap_or_default();
            let relative = canonical
                .strip_prefix(dir)
                .map(Path::to_path_buf)
                .unwrap_or(canonical.clone());
            targets.push(Target {
                path: tidy(&named.join(relative)),
                explicit: false,
            });
        }
    }
}

/// Whether a compose file makes a production variant (its name is one of
/// the standards' production files).
pub fn is_production(path: &Path, settings: &Settings) -> bool {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    settings.standards.production.files.iter().any(|file| file == name)
}

/// Groups the targets into units. Compose files in one directory form a
/// project, as Compose sees them: the base file (`compose.yaml`, …) with
/// `docker-compose.override.yml` merged in is the default variant, and every
/// other compose file there is a variant of its own over the base
/// (`docker compose -f docker-compose.yml -f docker-compose.prod.yml`).
/// Projects declared in `[compose]` come first and take their files out of
/// this grouping. A base or override the user did not name is read but not
/// written.
pub fn plan(targets: &[Target], settings: &Settings) -> Vec<Unit> {
    plan_with_kinds(targets, settings, &|_| None)
}

/// [`plan`], where `known_kind` gives the kind of a named file already read
/// (so that it is not read again to sniff it).
pub fn plan_with_kinds(
    targets: &[Target],
    settings: &Settings,
    known_kind: &dyn Fn(&Path) -> Option<FileKind>,
) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut claimed: HashSet<PathBuf> = HashSet::new();
    for project in &settings.compose.projects {
        let named = |path: &PathBuf| targets.iter().any(|target| same_file(&target.path, path));
        if !project.files.iter().any(named) {
            continue;
        }
        claimed.extend(project.files.iter().filter_map(|path| path.canonicalize().ok()));
        units.push(Unit {
            files: project
                .files
                .iter()
                .map(|path| {
                    let target = targets.iter().find(|target| same_file(&target.path, path));
                    PlannedFile {
                        path: target.map_or_else(|| path.clone(), |target| target.path.clone()),
                        primary: target.is_some(),
                    }
                })
                .collect(),
            variants: vec![Variant {
                files: (0..project.files.len() as FileId).collect(),
                production: project.production,
            }],
        });
    }
    let mut by_dir: Vec<(PathBuf, Vec<&Target>)> = Vec::new();
    let mut dir_index: HashMap<PathBuf, usize> = HashMap::new();
    for target in targets {
        let claimed_here = !claimed.is_empty()
            && target
                .path
                .canonicalize()
                .is_ok_and(|canonical| claimed.contains(&canonical));
        if claimed_here {
            continue;
        }
        let kind = kind_by_name(&target.path)
            .or_else(|| {
                target
                    .explicit
                    .then(|| known_kind(&target.path).unwrap_or_else(|| kind_of_path(&target.path)))
            })
            .unwrap_or(FileKind::Compose);
        if kind == FileKind::Dockerfile {
            units.push(Unit {
                files: vec![PlannedFile {
                    path: target.path.clone(),
                    primary: true,
                }],
                variants: Vec::new(),
            });
            continue;
        }
        let dir = crate::source::parent_dir(&target.path).to_path_buf();
        match dir_index.get(&dir) {
            Some(&at) => by_dir[at].1.push(target),
            None => {
                dir_index.insert(dir.clone(), by_dir.len());
                by_dir.push((dir, vec![target]));
            }
        }
    }
    for (dir, group) in by_dir {
        plan_directory(&dir, &group, settings, &mut units);
    }
    units
}

/// A file linted as a project of its own.
fn standalone(target: &Target, settings: &Settings) -> Unit {
    Unit {
        files: vec![PlannedFile {
            path: target.path.clone(),
            primary: true,
        }],
        variants: vec![Variant {
            files: vec![0],
            production: is_production(&target.path, settings),
        }],
    }
}

fn plan_directory(dir: &Path, group: &[&Target], settings: &Settings, units: &mut Vec<Unit>) {
    // A walk has seen every compose file of the directory: the base and the
    // override are among the targets if they exist. Named files say nothing
    // about their neighbours, which are looked for on disk.
    let walked = group.iter().all(|target| !target.explicit);
    let on_disk = |names: &[&str]| {
        names.iter().find_map(|name| {
            if walked {
                let found = group
                    .iter()
                    .find(|target| target.path.file_name().and_then(|file| file.to_str()) == Some(*name));
                return found.map(|target| target.path.clone());
            }
            let candidate = join_tidy(dir, name);
            candidate.is_file().then_some(candidate)
        })
    };
    let named = |path: &Path| group.iter().any(|target| same_file(&target.path, path));
    // Read (and parsed) only when a question needs them: most directories
    // hold one compose file, which asks none.
    let contents: Vec<OnceCell<Option<Content>>> = group.iter().map(|_| OnceCell::new()).collect();
    let content = |at: usize| contents[at].get_or_init(|| Content::read(&group[at].path)).as_ref();
    // A file the others `extends` from holds parts of their services, not
    // a deployment: it is linted with the project of a file that extends it,
    // and its services are judged as the extending services merge them.
    let extends = |at: usize, path: &Path| {
        content(at).is_some_and(|content| {
            content
                .extends
                .iter()
                .any(|file| same_file(&join_tidy(dir, file), path))
        })
    };
    let is_library = |path: &Path| (0..group.len()).any(|at| !same_file(&group[at].path, path) && extends(at, path));
    let Some(base) = on_disk(&BASE_NAMES) else {
        let mut attached = vec![false; group.len()];
        for (at, target) in group.iter().enumerate() {
            if is_library(&target.path) {
                continue;
            }
            let mut unit = standalone(target, settings);
            for (library, other) in group.iter().enumerate() {
                if !attached[library] && library != at && extends(at, &other.path) {
                    attached[library] = true;
                    unit.files.push(PlannedFile {
                        path: other.path.clone(),
                        primary: true,
                    });
                }
            }
            units.push(unit);
        }
        // A file only other libraries extend (a chain, a cycle) is linted alone.
        for (at, target) in group.iter().enumerate() {
            if !attached[at] && is_library(&target.path) {
                units.push(standalone(target, settings));
            }
        }
        return;
    };
    let override_file = on_disk(&OVERRIDE_NAMES);
    let (base_read, base_at) = (
        OnceCell::new(),
        group.iter().position(|target| same_file(&target.path, &base)),
    );
    let base_content = || {
        let read = || base_at.map_or_else(|| Content::read(&base), |at| content(at).cloned());
        base_read.get_or_init(read).as_ref()
    };
    let mut files = vec![PlannedFile {
        path: group
            .iter()
            .find(|target| same_file(&target.path, &base))
            .map_or(base.clone(), |target| target.path.clone()),
        primary: named(&base),
    }];
    let mut variants = Vec::new();
    let mut default = vec![0];
    if let Some(override_file) = &override_file {
        files.push(PlannedFile {
            path: group
                .iter()
                .find(|target| same_file(&target.path, override_file))
                .map_or(override_file.clone(), |target| target.path.clone()),
            primary: named(override_file),
        });
        default.push(1);
    }
    if files.iter().any(|file| file.primary) {
        variants.push(Variant {
            production: is_production(&files[default.len() - 1].path, settings),
            files: default,
        });
    }
    for (at, target) in group.iter().enumerate() {
        let is_base_or_override =
            same_file(&target.path, &base) || override_file.as_ref().is_some_and(|path| same_file(&target.path, path));
        if is_base_or_override {
            continue;
        }
        if is_library(&target.path) {
            files.push(PlannedFile {
                path: target.path.clone(),
                primary: true,
            });
            continue;
        }
        let name = target
            .path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        // Another base name (a directory with both compose.yaml and
        // docker-compose.yml), a file named with another kind of name, or
        // an alternative to the base that runs on its own, is a project
        // of its own.
        let alternative = !name.to_ascii_lowercase().contains("override")
            && content(at)
                .zip(base_content())
                .is_some_and(|(content, base)| content.is_alternative_to(base));
        if BASE_NAMES.contains(&name) || kind_by_name(&target.path).is_none() || alternative {
            units.push(standalone(target, settings));
            continue;
        }
        variants.push(Variant {
            files: vec![0, files.len() as FileId],
            production: is_production(&target.path, settings),
        });
        files.push(PlannedFile {
            path: target.path.clone(),
            primary: true,
        });
    }
    units.push(Unit { files, variants });
}

/// What planning reads of a compose file's content.
#[derive(Clone)]
struct Content {
    /// Each service it names, with the keys it sets.
    services: Vec<(String, Vec<String>)>,
    /// The files its services extend (`extends.file`), as written.
    extends: Vec<String>,
}

impl Content {
    /// `None` for a file that cannot be read here (a pipe, read once by the caller).
    fn read(path: &Path) -> Option<Content> {
        let bytes = crate::read::read_regular_file(path, crate::read::MAX_FILE_SIZE).ok()?;
        let parsed = crate::compose::yaml::parse(&String::from_utf8_lossy(&bytes));
        let services = parsed
            .documents
            .first()
            .and_then(|root| root.get("services"))
            .and_then(crate::compose::yaml::Node::as_mapping);
        let mut content = Content {
            services: Vec::new(),
            extends: Vec::new(),
        };
        for service in services.into_iter().flat_map(|services| services.iter()) {
            let keys = service
                .value
                .as_mapping()
                .into_iter()
                .flat_map(|mapping| mapping.iter());
            content.services.push((
                service.key.as_str().unwrap_or_default().to_string(),
                keys.filter_map(|entry| entry.key.as_str().map(str::to_string))
                    .collect(),
            ));
            if let Some(file) = service
                .value
                .get("extends")
                .and_then(|extends| extends.get("file")?.as_str())
            {
                content.extends.push(file.to_string());
            }
        }
        Some(content)
    }

    /// Whether this file, beside `base`, is an alternative to it rather
    /// than an overlay: every service it names is complete on its own (has
    /// an `image:` or a `build:`), and the services it shares with the base
    /// (at least one) repeat every setting of the base's but the image or
    /// build it swaps. An overlay leaves settings to the base; a file that
    /// only adds services relies on the base's for its references.
    fn is_alternative_to(&self, base: &Content) -> bool {
        let complete = !self.services.is_empty()
            && self
                .services
                .iter()
                .all(|(_, keys)| keys.iter().any(|key| key == "image" || key == "build"));
        let mut shared = self
            .services
            .iter()
            .filter_map(|(name, keys)| Some((keys, &base.services.iter().find(|(other, _)| other == name)?.1)))
            .peekable();
        complete
            && shared.peek().is_some()
            && shared.all(|(keys, base_keys)| {
                base_keys
                    .iter()
                    .filter(|key| !matches!(key.as_str(), "image" | "build"))
                    .all(|key| keys.contains(key))
            })
    }
}

/// `dir/name`, without a leading `./` for the current directory.
fn join_tidy(dir: &Path, name: &str) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || a.file_name() == b.file_name()
            && match (a.canonicalize(), b.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
}

/// The kind of a named file by its name or extension, reading it only when
/// neither says (and only a regular file: a pipe is read once, by the caller).
fn kind_of_path(path: &Path) -> FileKind {
    let bytes = crate::read::read_regular_file(path, crate::read::MAX_FILE_SIZE).unwrap_or_default();
    kind_of_named(path, &String::from_utf8_lossy(&bytes))
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
    discover_excluding(paths, &Exclusions::default(), false)
}

/// [`discover`], skipping the files and directories `exclusions` names
/// while walking; a path named on the command line only with `force`
/// (`--force-exclude`: pre-commit names every file it checks).
pub fn discover_excluding(paths: &[PathBuf], exclusions: &Exclusions, force: bool) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    for path in paths {
        if force && exclusions.excludes_with_parents(path) {
            continue;
        }
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
        let excluded = exclusions.clone();
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .filter_entry(move |entry| {
                entry.file_name() != ".git" && (entry.depth() == 0 || !excluded.excludes(entry.path()))
            })
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
    if paths.len() > 1 {
        // `compose.yaml` and `$PWD/compose.yaml`, or a file and its directory, name one file: lint it once.
        // Known by device and inode: one stat per file, where a canonical path costs one per component.
        let mut seen = HashSet::new();
        targets.retain(|target| match std::fs::metadata(&target.path) {
            Ok(metadata) => seen.insert(file_identity(&metadata)),
            Err(_) => true,
        });
    }
    Ok(targets)
}

fn file_identity(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
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
    fn alternatives_beside_a_base_are_projects_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            Target { path, explicit: false }
        };
        let targets = [
            write(
                "docker-compose.yml",
                "services:\n  web:\n    build: .\n    restart: always\n  db:\n    image: postgres:16\n  cache:\n    extends: {file: docker-compose.common.yml, service: cache}\n",
            ),
            write("docker-compose.common.yml", "services:\n  cache:\n    image: redis:7\n"),
            write(
                "docker-compose.images.yml",
                "services:\n  web:\n    image: vwe/web:1.0\n    restart: always\n  db:\n    image: postgres:16\n",
            ),
            // Images for the base's services, the rest left to the base: an overlay.
            write("docker-compose.prod.yml", "services:\n  web:\n    image: vwe/web:1.0\n"),
            // Services of its own only, which may refer to the base's: an overlay.
            write(
                "docker-compose.monitoring.yml",
                "services:\n  probe:\n    image: vwe/probe:1.0\n",
            ),
            write(
                "docker-compose.dev.yml",
                "services:\n  web:\n    environment: {DEBUG: \"1\"}\n",
            ),
            write(
                "docker-compose.override.prod.yml",
                "services:\n  web:\n    image: vwe/web:1.0\n    restart: always\n",
            ),
        ];
        let settings = Settings::load(dir.path(), &crate::settings::Overrides::default()).unwrap();
        let units = plan(&targets, &settings);
        let names = |unit: &Unit| -> Vec<String> {
            unit.variants
                .iter()
                .map(|variant| {
                    let files: Vec<String> = variant
                        .files
                        .iter()
                        .map(|&at| {
                            unit.files[at as usize]
                                .path
                                .file_name()
                                .unwrap()
                                .to_string_lossy()
                                .into_owned()
                        })
                        .collect();
                    files.join("+")
                })
                .collect()
        };
        let planned: Vec<Vec<String>> = units.iter().map(names).collect();
        assert_eq!(
            planned,
            [
                vec!["docker-compose.images.yml".to_string()],
                vec![
                    "docker-compose.yml".to_string(),
                    "docker-compose.yml+docker-compose.prod.yml".to_string(),
                    "docker-compose.yml+docker-compose.monitoring.yml".to_string(),
                    "docker-compose.yml+docker-compose.dev.yml".to_string(),
                    "docker-compose.yml+docker-compose.override.prod.yml".to_string(),
                ],
            ]
        );
        // The file `db` extends from is linted with the project, in no variant of its own.
        assert!(
            units[1]
                .files
                .iter()
                .any(|file| file.path.ends_with("docker-compose.common.yml"))
        );
    }

    #[test]
    fn a_file_extended_by_a_standalone_file_is_linted_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            Target { path, explicit: false }
        };
        let targets = [
            write("docker-compose.common.yml", "services:\n  base:\n    restart: always\n"),
            write(
                "docker-compose.dev.yml",
                "services:\n  web:\n    image: x\n    extends: {file: docker-compose.common.yml, service: base}\n",
            ),
        ];
        let settings = Settings::load(dir.path(), &crate::settings::Overrides::default()).unwrap();
        let units = plan(&targets, &settings);
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].files.len(), 2);
        assert_eq!(units[0].variants.len(), 1);
        assert!(
            units[0].files[units[0].variants[0].files[0] as usize]
                .path
                .ends_with("docker-compose.dev.yml")
        );
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
