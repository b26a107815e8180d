//! Writing a fixed file without changing what the file is: a symlink stays
//! a link (its target is written), a hard-linked file keeps its inode, the
//! owner, group and mode stay, a file changed since it was read is left
//! alone, and no temporary file outlives an interrupt.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written, removed if the process is interrupted.
static LIVE_TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE_TEMPORARIES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every temporary file still being written.
fn remove_all(registry: &mut Vec<PathBuf>) {
    for path in registry.drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// On SIGINT, SIGTERM or SIGHUP, removes the temporary files being written,
/// then ends the process as the signal would have.
pub fn remove_temporaries_on_signal() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // The registry stays locked until the process ends, so no
            // temporary file can be made after the removal.
            let mut registry = live();
            remove_all(&mut registry);
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// A temporary file registered as live until it is persisted or dropped.
struct Temporary(Option<tempfile::NamedTempFile>);

impl Temporary {
    fn new_in(dir: &Path) -> std::io::Result<Self> {
        let mut registry = live();
        let file = tempfile::Builder::new().prefix(".vwe-lint-").tempfile_in(dir)?;
        registry.push(file.path().to_path_buf());
        Ok(Self(Some(file)))
    }

    fn file(&self) -> &std::fs::File {
        self.0.as_ref().expect("present until persisted").as_file()
    }

    fn persist(mut self, path: &Path) -> std::io::Result<()> {
        let file = self.0.take().expect("present until persisted");
        let temporary = file.path().to_path_buf();
        let result = file.persist(path).map(drop).map_err(|error| error.error);
        live().retain(|live| *live != temporary);
        result
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(file) = self.0.take() {
            let path = file.path().to_path_buf();
            drop(file);
            live().retain(|live| *live != path);
        }
    }
}

/// Writes `text` to `path` unless the file changed on disk since it was read
/// as `read`. A symlink is followed (the target is written, the link kept).
/// A file with several hard links, or whose owner this process cannot give
/// a new file, is rewritten in place; any other through a temporary file in
/// its directory and a rename, with its mode, owner and group.
pub fn write_atomic(path: &Path, read: &str, text: &str) -> Result<(), String> {
    let error = |error: std::io::Error| format!("{}: {error}", path.display());
    let target = std::fs::canonicalize(path).map_err(error)?;
    let on_disk = std::fs::read(&target).map_err(error)?;
    if on_disk != read.as_bytes() {
        return Err(format!(
            "{}: changed on disk while it was being fixed; not overwritten",
            path.display()
        ));
    }
    let metadata = std::fs::metadata(&target).map_err(error)?;
    if metadata.nlink() > 1 {
        return write_in_place(&target, text).map_err(error);
    }
    let dir = target.parent().unwrap_or(Path::new("/"));
    let temporary = Temporary::new_in(dir).map_err(error)?;
    let owner_kept = std::os::unix::fs::fchown(temporary.file(), Some(metadata.uid()), Some(metadata.gid())).is_ok();
    if !owner_kept {
        drop(temporary);
        return write_in_place(&target, text).map_err(error);
    }
    let mut file = temporary.file();
    file.write_all(text.as_bytes()).map_err(error)?;
    file.set_permissions(metadata.permissions()).map_err(error)?;
    file.sync_all().map_err(error)?;
    temporary.persist(&target).map_err(error)
}

/// Rewrites the file itself: its inode, and so every name, owner and mode, stay.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    const READ: &str = "services: {}\n";
    const FIXED: &str = "services: {api: {}}\n";

    /// The registry of live temporaries is the process's: tests that write
    /// take turns, so the interrupt test removes only its own file.
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static SERIAL: Mutex<()> = Mutex::new(());
        SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[test]
    fn a_file_changed_on_disk_is_not_overwritten() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compose.yaml");
        std::fs::write(&path, "services: {}\n").unwrap();
        std::fs::write(&path, "services: {changed: {}}\n").unwrap();
        let error = write_atomic(&path, "services: {}\n", "fixed\n").unwrap_err();
        assert!(error.contains("changed on disk"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "services: {changed: {}}\n");
    }

    #[test]
    fn an_atomic_write_keeps_the_mode() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM a\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, "FROM a\n", "FROM b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn a_symlink_stays_a_link_and_its_target_is_written() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.yaml");
        let link = dir.path().join("compose.yaml");
        std::fs::write(&target, READ).unwrap();
        std::os::unix::fs::symlink("real.yaml", &link).unwrap();
        write_atomic(&link, READ, FIXED).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), FIXED);
    }

    #[test]
    fn a_hard_link_keeps_its_inode() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compose.yaml");
        let other = dir.path().join("other.yaml");
        std::fs::write(&path, READ).unwrap();
        std::fs::hard_link(&path, &other).unwrap();
        let inode = std::fs::metadata(&path).unwrap().ino();
        write_atomic(&path, READ, FIXED).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(std::fs::read_to_string(&other).unwrap(), FIXED);
    }

    #[test]
    fn owner_and_group_are_kept() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compose.yaml");
        std::fs::write(&path, READ).unwrap();
        // Only root can give a file away; as another user the file stays its own.
        let _ = std::os::unix::fs::chown(&path, Some(1234), Some(1234));
        let before = std::fs::metadata(&path).unwrap();
        write_atomic(&path, READ, FIXED).unwrap();
        let after = std::fs::metadata(&path).unwrap();
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXED);
    }

    #[test]
    fn live_temporaries_are_removed_on_an_interrupt() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let temporary = Temporary::new_in(dir.path()).unwrap();
        let path = temporary.0.as_ref().unwrap().path().to_path_buf();
        // What the signal handler does while a write is under way; the
        // handle is then never dropped (the process ends).
        std::mem::forget(temporary);
        assert!(path.exists());
        remove_all(&mut live());
        assert!(!path.exists());
        assert!(!live().contains(&path));
    }

    #[test]
    fn a_written_file_leaves_no_temporary() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compose.yaml");
        std::fs::write(&path, READ).unwrap();
        write_atomic(&path, READ, FIXED).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("compose.yaml")]);
    }
}
