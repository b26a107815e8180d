//! Reading the files a lint needs, and nothing else: a path that names a
//! FIFO, a device, a directory or a file of `/proc` or `/sys` is refused
//! before a byte is read, and a regular file is read up to a size cap, so
//! no path written in a file under review can hang the run or exhaust memory.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::{self, Diagnostic};
use crate::source::{FileKind, SourceFile, Span};

/// The largest file read: far above any compose file, Dockerfile or env
/// file people write, far below what would strain memory.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Why a file was not read. The message never quotes the file's content.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// Not a regular file: what it is instead ("a FIFO", "a directory", ...).
    NotRegular(&'static str),
    /// A file of a kernel file system (`/proc`, `/sys`): it describes the
    /// machine, not the project.
    Virtual,
    /// Larger than the cap.
    TooLarge {
        limit: u64,
    },
    Unreadable(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("does not exist"),
            ReadError::NotRegular(what) => write!(f, "is {what}, not a regular file"),
            ReadError::Virtual => f.write_str("is a file of the kernel (/proc, /sys), not of the project"),
            ReadError::TooLarge { limit } => write!(f, "is larger than {} MiB", limit / (1024 * 1024)),
            ReadError::Unreadable(error) => write!(f, "cannot be read ({})", error.kind()),
        }
    }
}

/// Reads the regular file at `path` (symlinks followed), at most `limit` bytes.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // The type is checked before opening: opening a FIFO blocks until a writer comes.
    let metadata = std::fs::metadata(path).map_err(from_io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(what_it_is(&metadata)));
    }
    let file = File::open(path).map_err(from_io)?;
    // The path may have been swapped between the two looks: judge what was opened.
    let opened = file.metadata().map_err(from_io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(what_it_is(&opened)));
    }
    if is_virtual(&file) {
        return Err(ReadError::Virtual);
    }
    read_capped(file, opened.len(), limit)
}

/// Reads a file the user named on the command line: a pipe (`<(cat
/// Dockerfile)`) is read too, once, since the user asked for it; a device,
/// a directory or a kernel file is refused.
pub fn read_named_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let metadata = std::fs::metadata(path).map_err(from_io)?;
    if !metadata.is_file() && !is_fifo(&metadata) {
        return Err(ReadError::NotRegular(what_it_is(&metadata)));
    }
    let file = File::open(path).map_err(from_io)?;
    if is_virtual(&file) {
        return Err(ReadError::Virtual);
    }
    read_capped(file, metadata.len(), limit)
}

fn read_capped(file: File, size_hint: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    if size_hint > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(size_hint as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

fn from_io(error: std::io::Error) -> ReadError {
    match error.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Unreadable(error),
    }
}

/// Whether the opened file lies on a proc or sysfs file system, whatever
/// the path that reached it (`../../proc/self/environ`, a symlink, a bind
/// mount): asked of the file system, so no path is resolved.
#[cfg(target_os = "linux")]
fn is_virtual(file: &File) -> bool {
    /// `SYSFS_MAGIC` of linux/magic.h, which rustix does not name.
    const SYSFS_MAGIC: rustix::fs::FsWord = 0x6265_6572;
    rustix::fs::fstatfs(file).is_ok_and(|stat| {
        let kind = stat.f_type as rustix::fs::FsWord;
        kind == rustix::fs::PROC_SUPER_MAGIC || kind == SYSFS_MAGIC
    })
}

#[cfg(not(target_os = "linux"))]
fn is_virtual(_: &File) -> bool {
    false
}

#[cfg(unix)]
fn is_fifo(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    metadata.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::Metadata) -> bool {
    false
}

fn what_it_is(metadata: &std::fs::Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Builds the source from raw bytes: text that is not UTF-8 is read lossily
/// and reported at the first bad byte (S001 in a compose file, S005 in a
/// Dockerfile), so no input is ever refused silently.
pub fn source_from_bytes(path: PathBuf, kind: FileKind, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(path, kind, text), None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            // Found by code: the syntax rules are declared above this layer.
            let code = match kind {
                FileKind::Compose => "S001",
                FileKind::Dockerfile => "S005",
            };
            let meta = diagnostic::find(code).expect("the syntax rules are declared");
            let diagnostic = Diagnostic::new(meta, Span::new(offset, offset + 1), "the file is not valid UTF-8")
                .with_label("invalid byte")
                .with_help("save the file as UTF-8");
            (SourceFile::new(path, kind, text), Some(diagnostic))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::syntax::{dockerfile_syntax, yaml_syntax};

    #[test]
    fn bytes_that_are_not_utf8_are_reported_by_the_syntax_rule_of_their_kind() {
        for (kind, meta) in [
            (FileKind::Compose, &yaml_syntax::META),
            (FileKind::Dockerfile, &dockerfile_syntax::META),
        ] {
            let (source, error) = source_from_bytes(PathBuf::from("f"), kind, b"a\xffb".to_vec());
            assert_eq!(source.text, "a\u{fffd}b");
            let error = error.unwrap();
            assert!(std::ptr::eq(error.rule, meta), "{}", error.rule.code);
            assert_eq!(error.span, Span::new(1, 2));
        }
    }

    #[test]
    fn a_regular_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.env");
        std::fs::write(&path, "A=1\n").unwrap();
        assert_eq!(read_regular_file(&path, MAX_FILE_SIZE).unwrap(), b"A=1\n");
    }

    #[test]
    fn devices_directories_and_kernel_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_regular_file(Path::new("/dev/zero"), MAX_FILE_SIZE),
            Err(ReadError::NotRegular("a device"))
        ));
        assert!(matches!(
            read_regular_file(dir.path(), MAX_FILE_SIZE),
            Err(ReadError::NotRegular("a directory"))
        ));
        assert!(matches!(
            read_regular_file(Path::new("/proc/self/environ"), MAX_FILE_SIZE),
            Err(ReadError::Virtual)
        ));
        assert!(matches!(
            read_named_file(Path::new("/dev/zero"), MAX_FILE_SIZE),
            Err(ReadError::NotRegular("a device"))
        ));
        assert!(matches!(
            read_regular_file(&dir.path().join("missing"), MAX_FILE_SIZE),
            Err(ReadError::NotFound)
        ));
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 11]).unwrap();
        assert!(matches!(
            read_regular_file(&path, 10),
            Err(ReadError::TooLarge { limit: 10 })
        ));
        assert_eq!(read_regular_file(&path, 11).unwrap().len(), 11);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        assert!(matches!(
            read_regular_file(&fifo, MAX_FILE_SIZE),
            Err(ReadError::NotRegular("a FIFO"))
        ));
    }
}
