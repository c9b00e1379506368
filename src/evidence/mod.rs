//! Render: the release evidence bundle, written whole or not at all.
//!
//! The bundle is made in a temporary directory beside the destination and renamed into place at
//! the end, so an interrupted or failed run leaves no partial bundle; an existing bundle is
//! replaced only with `--force` (and then only once the new one is complete).

pub mod addendum;
pub mod check;
pub mod markdown;
pub mod policy;
pub mod provenance;
pub mod sign;

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};

/// The digest list, as `sha256sum` writes it (and `sha256sum -c` checks it).
pub fn sha256sums(files: &[(&str, Vec<u8>)]) -> String {
    files.iter().map(|(name, bytes)| format!("{}  {name}\n", crate::digest::sha256_hex(bytes))).collect()
}

/// Refuses an existing destination unless `force`; returns the absolute destination.
pub fn check_destination(out: &Path, force: bool) -> anyhow::Result<PathBuf> {
    let out = crate::paths::absolute(out);
    let shown = crate::paths::display(&out);
    if out.exists() && !force {
        bail!("{shown} already exists; use --force to replace it");
    }
    if out.exists() && !out.is_dir() {
        bail!("{shown} exists and is not a directory");
    }
    let parent = out.parent().context("the bundle directory has no parent")?;
    // An archive of bundles (`evidence/1.4.0`) may not exist yet: make it.
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot write {shown}: cannot create {}", crate::paths::display(parent)))?;
    Ok(out)
}

/// Writes `files` as the bundle at `out`: into a temporary directory beside it, then renamed.
/// Without `force` the rename never replaces a bundle, even one another run finished in the
/// meantime (the second of two runs racing for `out` fails); with it, an old bundle is replaced
/// only once the new one is complete.
pub fn write_bundle(out: &Path, files: &[(&str, Vec<u8>)], force: bool) -> anyhow::Result<()> {
    let shown = crate::paths::display(out);
    let parent = out.parent().context("the bundle directory has no parent")?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.partial-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // The usual mode (0755 under the common umask), not the 0700 of a private temporary.
        builder.permissions(std::fs::Permissions::from_mode(0o777));
    }
    let tmp =
        builder.tempdir_in(parent).with_context(|| format!("cannot create a directory beside {shown}"))?;
    for (file, bytes) in files {
        std::fs::write(tmp.path().join(file), bytes)
            .with_context(|| format!("cannot write {file} for {shown}"))?;
    }
    if force { replace_dir(tmp, out) } else { place_dir(tmp, out) }
}

/// Moves the finished bundle into place where nothing is: renaming a directory onto a
/// non-empty one fails, so a bundle that appeared since the destination was checked is kept.
fn place_dir(tmp: tempfile::TempDir, out: &Path) -> anyhow::Result<()> {
    let shown = crate::paths::display(out);
    if out.exists() {
        bail!("{shown} already exists (another run wrote it); use --force to replace it");
    }
    let tmp_path = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp_path, out) {
        let _ = std::fs::remove_dir_all(&tmp_path);
        if out.exists() {
            bail!("{shown} already exists (another run wrote it); use --force to replace it");
        }
        return Err(e).with_context(|| format!("cannot move the bundle into {shown}"));
    }
    Ok(())
}

/// Moves the finished bundle into place; an old bundle is moved aside first and deleted last.
fn replace_dir(tmp: tempfile::TempDir, out: &Path) -> anyhow::Result<()> {
    let shown = crate::paths::display(out);
    let old = if out.exists() {
        let parent = out.parent().context("the bundle directory has no parent")?;
        let aside = tempfile::Builder::new().prefix(".replaced-").tempdir_in(parent)?;
        let target = aside.path().join("bundle");
        std::fs::rename(out, &target).with_context(|| format!("cannot move the old {shown} aside"))?;
        Some(aside)
    } else {
        None
    };
    let tmp_path = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp_path, out) {
        let _ = std::fs::remove_dir_all(&tmp_path);
        if let Some(aside) = &old {
            let _ = std::fs::rename(aside.path().join("bundle"), out);
        }
        return Err(e).with_context(|| format!("cannot move the bundle into {shown}"));
    }
    drop(old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sha256sum_compatible() {
        let sums = sha256sums(&[("a.txt", b"abc".to_vec())]);
        assert_eq!(sums, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.txt\n");
    }

    #[test]
    fn a_bundle_replaces_the_old_one_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("evidence");
        write_bundle(&out, &[("a", b"1".to_vec())], false).unwrap();
        assert!(check_destination(&out, false).is_err());
        let raced = write_bundle(&out, &[("b", b"2".to_vec())], false).unwrap_err().to_string();
        assert!(raced.contains("already exists"), "{raced}");
        assert!(out.join("a").exists());
        write_bundle(&out, &[("b", b"2".to_vec())], true).unwrap();
        assert!(!out.join("a").exists() && out.join("b").exists());
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["evidence"]);
    }
}
