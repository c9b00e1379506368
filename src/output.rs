//! Writing outputs: to stdout, stderr, or a file that appears whole or not at all.

use anyhow::{Context as _, bail};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed into place,
/// so a failed run never leaves a half-written file behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let shown = crate::paths::display(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!("cannot write {shown}: directory {} does not exist", crate::paths::display(dir));
    }
    if path.is_dir() {
        bail!("cannot write {shown}: it is a directory");
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cargo-spdf-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // The usual mode (0644 under the common umask), not the 0600 of a private temporary.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).with_context(|| format!("cannot write {shown}"))?;
    tmp.write_all(bytes).and_then(|()| tmp.flush()).with_context(|| format!("cannot write {shown}"))?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {shown}"))?;
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("cannot write to stdout"),
        _ => Ok(()),
    }
}

/// Writes to stderr, ignoring failures: there is nowhere left to report them.
pub fn write_stderr(bytes: &[u8]) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(bytes).and_then(|()| err.flush());
}
