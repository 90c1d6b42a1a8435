//! Writing a file so that it appears whole or not at all, and replaces only a regular file.
//!
//! [`AtomicFile`] writes into a temporary file created exclusively, under an unpredictable
//! name, in the target's folder (`.NAME.XXXXXX.partial`), and renames it onto the target
//! once complete; dropped before that, the temporary file is removed. A name planted where
//! the temporary file goes (a symbolic link to another file, say) is never opened, and
//! something at the target that is not a regular file (a symbolic link, a named pipe, a
//! device, a folder) is refused with what it is, rather than replaced by a regular file.
//! Every command that writes a file goes through here, and a missing folder on the way to
//! the target is created, the same way for every command.
//!
//! Uses: std and tempfile only.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors of this module; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Something other than a regular file is at the target.
    #[error(
        "{path} is {kind}, not a regular file: pad replaces only regular files; \
         remove it or choose another path"
    )]
    NotRegular {
        /// The target.
        path: PathBuf,
        /// What is there ("a symbolic link", "a named pipe (FIFO)", …).
        kind: &'static str,
    },
    /// The target's folder is missing and cannot be created (a regular file on the way, say).
    #[error("cannot write {path}: its folder {folder} cannot be created: {cause}")]
    Folder {
        /// The target.
        path: PathBuf,
        /// The folder.
        folder: PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
    /// The target's folder does not take the file.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The target.
        path: PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
}

/// A file being written beside `target`, moved onto it by [`AtomicFile::commit`].
#[derive(Debug)]
pub struct AtomicFile {
    temporary: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file beside `target`, after checking that `target` is absent or
    /// a regular file.
    pub fn create(target: &Path) -> Result<AtomicFile, FileError> {
        check_replaceable(target)?;
        let folder = match target.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        // A missing folder is created, for every command alike.
        std::fs::create_dir_all(folder).map_err(|cause| FileError::Folder {
            path: target.to_path_buf(),
            folder: folder.to_path_buf(),
            cause,
        })?;
        let name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // Read and write for all, less the umask, as `File::create` makes it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temporary =
            builder.tempfile_in(folder).map_err(|cause| FileError::Write { path: target.to_path_buf(), cause })?;
        Ok(AtomicFile { temporary, target: target.to_path_buf() })
    }

    /// The temporary file, to write into.
    pub fn file(&mut self) -> &mut File {
        self.temporary.as_file_mut()
    }

    /// A second handle on the temporary file, for a writer that owns its destination.
    pub fn handle(&self) -> Result<File, FileError> {
        self.temporary.as_file().try_clone().map_err(|cause| self.error(cause))
    }

    /// The file being replaced.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the complete file onto the target (checked again: something may have been put
    /// there since [`AtomicFile::create`]).
    pub fn commit(self) -> Result<(), FileError> {
        check_replaceable(&self.target)?;
        let AtomicFile { temporary, target } = self;
        temporary.persist(&target).map_err(|error| FileError::Write { path: target.clone(), cause: error.error })?;
        Ok(())
    }

    fn error(&self, cause: std::io::Error) -> FileError {
        FileError::Write { path: self.target.clone(), cause }
    }
}

/// Writes `bytes` to `target` through an [`AtomicFile`].
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let mut file = AtomicFile::create(target)?;
    let written = file.file().write_all(bytes).and_then(|()| file.file().flush());
    written.map_err(|cause| file.error(cause))?;
    file.commit()
}

/// Refuses a target that exists and is not a regular file, saying what it is. A symbolic
/// link is refused even when it points to a regular file: renaming onto it would replace the
/// link, not the file it names.
fn check_replaceable(target: &Path) -> Result<(), FileError> {
    let kind = match std::fs::symlink_metadata(target) {
        Ok(metadata) => metadata.file_type(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(cause) => return Err(FileError::Write { path: target.to_path_buf(), cause }),
    };
    if kind.is_file() {
        return Ok(());
    }
    Err(FileError::NotRegular { path: target.to_path_buf(), kind: describe(&kind) })
}

/// What a file type is, for people.
fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_existing_file_is_replaced_whole_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old content, longer than the new one\n").unwrap();
        write_atomically(&target, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn an_unfinished_file_leaves_the_target_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old\n").unwrap();
        let mut file = AtomicFile::create(&target).unwrap();
        file.file().write_all(b"half").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me\n").unwrap();
        let target = dir.path().join("out.csv");
        // The name the temporary file used to have, predictable.
        std::os::unix::fs::symlink(&victim, dir.path().join("out.csv.partial")).unwrap();
        write_atomically(&target, b"result\n").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "result\n");
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me\n").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let fifo = dir.path().join("fifo.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let folder = dir.path().join("folder.csv");
        std::fs::create_dir(&folder).unwrap();
        for (path, kind) in [(&link, "a symbolic link"), (&fifo, "a named pipe (FIFO)"), (&folder, "a folder")] {
            let error = write_atomically(path, b"result\n").unwrap_err();
            let message = error.to_string();
            assert!(message.contains(&format!("is {kind}, not a regular file")), "{message}");
            assert!(message.contains(&path.display().to_string()), "{message}");
        }
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(names(dir.path()), ["fifo.csv", "folder.csv", "link.csv", "victim.txt"]);
    }
}
