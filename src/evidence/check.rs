//! Checking an evidence bundle: every file listed in `SHA256SUMS` is there with its digest,
//! nothing else is, and (with a key) the signature over `SHA256SUMS` holds.
//!
//! Each file is read once, as a stream, and only a regular file inside the bundle is read: a
//! symlink (which could lead out of an archived bundle years later), a FIFO or a device is a
//! problem, never followed. The bytes of the files a caller wants are handed back, so what it
//! goes on to parse is exactly what was verified (a file swapped after the check is never read).

use super::sign;
use anyhow::{Context as _, bail};
use ed25519_dalek::VerifyingKey;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The digest list of a bundle.
pub const SUMS: &str = "SHA256SUMS";
/// The signature over [`SUMS`].
pub const SIGNATURE: &str = "SHA256SUMS.sig";

/// What became of the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// Checked with the key given, and valid.
    Valid,
    /// Checked with the key given, and not valid (or missing): see the problems.
    Invalid,
    /// Present, but no key was given to check it with.
    NotChecked,
    /// The bundle is not signed, and no key was given.
    Absent,
}

impl Signature {
    /// The stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::NotChecked => "not-checked",
            Self::Absent => "absent",
        }
    }
}

/// The outcome of checking a bundle.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The contents of every file listed in `SHA256SUMS` whose digest matched, by name.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Every way the bundle differs from what was signed off; empty when it holds.
    pub problems: Vec<String>,
    /// The signature's status.
    pub signature: Signature,
    /// Number of files `SHA256SUMS` lists.
    pub listed: usize,
}

impl Checked {
    /// Whether the bundle is exactly what `SHA256SUMS` (and the signature) describe.
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the bundle in `dir`. A directory without a readable, well-formed `SHA256SUMS` is not a
/// bundle, and an error; a bundle that differs from its digests or signature is `problems`.
pub fn check(dir: &Path, key: Option<&VerifyingKey>) -> anyhow::Result<Checked> {
    check_keeping(dir, key, &|_| true)
}

/// As [`check`], keeping the contents of only the files `keep` names (the others are streamed
/// through the digest and dropped, so a bundle of any size is checked in bounded memory).
pub fn check_keeping(
    dir: &Path,
    key: Option<&VerifyingKey>,
    keep: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Checked> {
    let shown = crate::paths::display(dir);
    let sums = refuse_symlink(&dir.join(SUMS))
        .and_then(|()| crate::fsread::read_to_string(&dir.join(SUMS), crate::fsread::limit::BUNDLE_FILE))
        .with_context(|| format!("{shown} is not an evidence bundle: cannot read its {SUMS}"))?;
    let listing = parse_sums(&sums).with_context(|| format!("{shown}/{SUMS} is not a digest list"))?;
    let mut problems = Vec::new();
    let mut files = BTreeMap::new();
    for (name, digest) in &listing {
        match digest_file(&dir.join(name), keep(name)) {
            Ok((actual, bytes)) if actual == *digest => {
                files.extend(bytes.map(|b| (name.clone(), b)));
            }
            Ok(_) => {
                problems.push(format!("{name}: its SHA-256 does not match {SUMS} (the file was changed)"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{name}: listed in {SUMS} but missing"))
            }
            Err(e) => problems.push(format!("{name}: cannot be read: {e}")),
        }
    }
    problems.extend(unlisted(dir, &listing)?);
    let signature = signature(dir, sums.as_bytes(), key, &mut problems)?;
    Ok(Checked { files, problems, signature, listed: listing.len() })
}

/// A symlink where a bundle file should be is refused: it could point anywhere by the time the
/// bundle is verified.
fn refuse_symlink(path: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("it is a symlink, and a bundle holds only regular files"));
    }
    Ok(())
}

/// The SHA-256 of a regular file, streamed; its bytes too when `keep`.
fn digest_file(path: &Path, keep: bool) -> std::io::Result<(String, Option<Vec<u8>>)> {
    use sha2::Digest as _;
    use std::io::Read as _;
    refuse_symlink(path)?;
    let mut file = crate::fsread::open_regular(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut kept = keep.then(Vec::new);
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total = total.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        if let Some(k) = kept.as_mut() {
            if total > crate::fsread::limit::BUNDLE_FILE {
                return Err(std::io::Error::other("it is larger than a bundle file may be"));
            }
            k.extend_from_slice(chunk);
        }
    }
    Ok((crate::digest::hex(&hasher.finalize()), kept))
}

/// `<sha256>  <name>` lines, as `sha256sum` writes them; names are plain file names.
fn parse_sums(sums: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut listing = BTreeMap::new();
    for (n, line) in sums.lines().enumerate() {
        let Some((digest, name)) = line.split_once("  ") else {
            bail!("line {}: not a `<sha256>  <file>` line", n + 1);
        };
        let name = name.trim_start_matches('*');
        let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
        if !plain || name == SUMS || name == SIGNATURE {
            bail!("line {}: `{name}` is not a file of the bundle", n + 1);
        }
        if listing.insert(name.to_owned(), digest.to_ascii_lowercase()).is_some() {
            bail!("line {}: `{name}` is listed twice", n + 1);
        }
    }
    Ok(listing)
}

/// Entries of the directory that `SHA256SUMS` does not list (besides itself and its signature).
fn unlisted(dir: &Path, listing: &BTreeMap<String, String>) -> anyhow::Result<Vec<String>> {
    let shown = crate::paths::display(dir);
    let mut extra = BTreeSet::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {shown}"))? {
        let name = entry.with_context(|| format!("cannot read {shown}"))?.file_name();
        let name = name.to_string_lossy().into_owned();
        if !listing.contains_key(&name) && name != SUMS && name != SIGNATURE {
            extra.insert(name);
        }
    }
    Ok(extra.into_iter().map(|name| format!("{name}: in the bundle but not listed in {SUMS}")).collect())
}

/// Checks the signature when a key is given; without one, only says whether there is one.
fn signature(
    dir: &Path,
    sums: &[u8],
    key: Option<&VerifyingKey>,
    problems: &mut Vec<String>,
) -> anyhow::Result<Signature> {
    let path = dir.join(SIGNATURE);
    let present = std::fs::symlink_metadata(&path).is_ok();
    let Some(key) = key else {
        return Ok(if present { Signature::NotChecked } else { Signature::Absent });
    };
    if !present {
        problems.push(format!("{SIGNATURE} is missing, so the signature cannot be checked"));
        return Ok(Signature::Invalid);
    }
    let sig = match refuse_symlink(&path).and_then(|()| crate::fsread::read(&path, 64 << 10)) {
        Ok(sig) => sig,
        Err(e) => {
            problems.push(format!("{SIGNATURE}: cannot be read: {e}"));
            return Ok(Signature::Invalid);
        }
    };
    Ok(match sign::verify(key, sums, &sig) {
        Ok(()) => Signature::Valid,
        Err(e) => {
            problems.push(format!("{SIGNATURE}: {e}"));
            Signature::Invalid
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let owned: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, t)| (*n, t.as_bytes().to_vec())).collect();
        for (name, bytes) in &owned {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        std::fs::write(dir.path().join(SUMS), super::super::sha256sums(&owned)).unwrap();
        dir
    }

    #[test]
    fn a_bundle_that_holds_hands_back_its_files() {
        let dir = bundle(&[("a.json", "{}"), ("b.txt", "b")]);
        let checked = check(dir.path(), None).unwrap();
        assert!(checked.holds(), "{:?}", checked.problems);
        assert_eq!(checked.files.keys().collect::<Vec<_>>(), ["a.json", "b.txt"]);
        assert_eq!(checked.files["b.txt"], b"b");
        assert_eq!((checked.signature, checked.listed), (Signature::Absent, 2));
    }

    #[test]
    fn changed_missing_and_added_files_are_problems() {
        let dir = bundle(&[("a.json", "{}"), ("b.txt", "b"), ("c.txt", "c")]);
        std::fs::write(dir.path().join("a.json"), "{\"x\":1}").unwrap();
        std::fs::remove_file(dir.path().join("b.txt")).unwrap();
        std::fs::write(dir.path().join("extra.txt"), "x").unwrap();
        let checked = check(dir.path(), None).unwrap();
        assert_eq!(
            checked.problems,
            [
                "a.json: its SHA-256 does not match SHA256SUMS (the file was changed)",
                "b.txt: listed in SHA256SUMS but missing",
                "extra.txt: in the bundle but not listed in SHA256SUMS",
            ]
        );
        assert_eq!(checked.files.keys().collect::<Vec<_>>(), ["c.txt"]);
    }

    #[test]
    fn a_directory_without_a_digest_list_is_not_a_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let err = format!("{:#}", check(dir.path(), None).unwrap_err());
        assert!(err.contains("is not an evidence bundle: cannot read its SHA256SUMS"), "{err}");
        std::fs::write(dir.path().join(SUMS), "abc  ../etc/passwd\n").unwrap();
        let err = format!("{:#}", check(dir.path(), None).unwrap_err());
        assert!(err.contains("line 1: `../etc/passwd` is not a file of the bundle"), "{err}");
    }
}
