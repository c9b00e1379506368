//! Reading input files that a pull request may have written: regular files only (a FIFO, device
//! or socket would block the gate or read forever), opened without blocking, read with a size
//! cap, and, where a file must stay inside a tree, refused when a symlink leads out of it.
//!
//! Every loader reads through here, so no input can hang a run or exhaust its memory.

use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

/// Size caps, by kind of input. Real files are far below them; a file above is refused.
pub mod limit {
    /// `Cargo.toml`, `.cargo/config.toml`, `rust-toolchain.toml`, `spdf.toml` and the like.
    pub const CONFIG: u64 = 16 << 20;
    /// `Cargo.lock` (a 20,000-package lockfile is 5 MiB with 5 dependencies each, 27 MiB with 70).
    pub const LOCKFILE: u64 = 256 << 20;
    /// One Rust source file.
    pub const SOURCE: u64 = 32 << 20;
    /// One advisory file of the database.
    pub const ADVISORY: u64 = 4 << 20;
    /// The KEV catalog (about 1.5 MiB today).
    pub const KEV: u64 = 256 << 20;
    /// One file of an evidence bundle, or an SBOM given to `monitor`.
    pub const BUNDLE_FILE: u64 = 1 << 30;
}

/// Reads a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    // Sized from the file's length (within the limit), so that a large file is read into one
    // buffer rather than copied at each doubling; the length only sizes it, what is read counts.
    let expected = file.metadata()?.len().min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    let read = file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    over_limit(read, limit)?;
    Ok(bytes)
}

/// Lower-case hex SHA-256 of a regular file of at most `limit` bytes, read in pieces rather
/// than held in memory whole.
pub fn sha256_hex(path: &Path, limit: u64) -> io::Result<String> {
    use sha2::Digest as _;
    let mut file = open_regular(path)?.take(limit.saturating_add(1));
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0; 256 << 10];
    let mut read = 0;
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(buffer.get(..n).unwrap_or_default());
                read += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    over_limit(read, limit)?;
    Ok(crate::digest::hex(&hasher.finalize()))
}

fn over_limit(read: usize, limit: u64) -> io::Result<()> {
    if u64::try_from(read).unwrap_or(u64::MAX) > limit {
        return Err(io::Error::other(format!("it is larger than the {} limit for such a file", size(limit))));
    }
    Ok(())
}

/// Reads a regular UTF-8 text file of at most `limit` bytes.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("it is not UTF-8 text ({e})")))
}

/// Opens a regular file for reading without blocking on a FIFO, and refuses anything else.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = open_nonblocking(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::other(format!("it is {}, not a regular file", describe(kind))));
    }
    Ok(file)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    // Elsewhere, refuse what is not a regular file before opening it.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    File::open(path)
}

/// What a non-regular file is, for messages.
fn describe(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() { "a directory" } else { "not a file" }
}

/// Checks that `path`, with every symlink resolved, lies inside `root` (also resolved); returns
/// the resolved path. A symlink that leads out of the tree is an error naming where it leads.
pub fn within(path: &Path, root: &Path) -> io::Result<PathBuf> {
    let real = path.canonicalize()?;
    let real_root = root.canonicalize()?;
    if real.starts_with(&real_root) {
        Ok(real)
    } else {
        Err(io::Error::other(format!(
            "it leads out of {} (to {}) through a symlink",
            root.display(),
            real.display()
        )))
    }
}

/// "16 MiB".
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 { format!("{} MiB", bytes >> 20) } else { format!("{bytes} bytes") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "x = 1\n").unwrap();
        assert_eq!(read_to_string(&file, 6).unwrap(), "x = 1\n");
        let err = read_to_string(&file, 5).unwrap_err().to_string();
        assert!(err.contains("larger than the 5 bytes limit"), "{err}");
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(read_to_string(&file, 10).unwrap_err().to_string().contains("not UTF-8"));
    }

    #[test]
    fn a_file_is_hashed_in_pieces_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Cargo.lock");
        let bytes: Vec<u8> = (0..(600usize << 10)).map(|i| u8::try_from(i % 251).unwrap()).collect();
        std::fs::write(&file, &bytes).unwrap();
        assert_eq!(sha256_hex(&file, 1 << 20).unwrap(), crate::digest::sha256_hex(&bytes));
        let err = sha256_hex(&file, 500 << 10).unwrap_err().to_string();
        assert!(err.contains("larger than the 512000 bytes limit"), "{err}");
        assert!(sha256_hex(dir.path(), 10).unwrap_err().to_string().contains("not a regular file"));
    }

    #[test]
    fn directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), 10).unwrap_err().to_string();
        assert!(err.contains("a directory, not a regular file"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Cargo.toml");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let err = read(&fifo, 10).unwrap_err().to_string();
        assert!(err.contains("a FIFO, not a regular file"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_tree_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        let tree = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::fs::write(tree.path().join("inside"), "i").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), tree.path().join("link")).unwrap();
        std::os::unix::fs::symlink(tree.path().join("inside"), tree.path().join("ok")).unwrap();
        assert!(within(&tree.path().join("ok"), tree.path()).is_ok());
        let err = within(&tree.path().join("link"), tree.path()).unwrap_err().to_string();
        assert!(err.contains("leads out of"), "{err}");
    }
}
