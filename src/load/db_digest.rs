//! The content digest of a plain advisory database directory, computed from every file's SHA-256
//! (see [`super::database`]), without reading the whole database on every run: each file's digest
//! and advisory date are kept under `$CARGO_HOME/cargo-spdf/db-digest/`, and reused while the file
//! has the same size and modification time (as git's index and rsync decide a file is
//! unchanged); a file that changed, appeared or cannot be matched is read again. The digest itself
//! is always recomputed from the per-file digests, so it names exactly the files present.
//! `CARGO_SPDF_DB_DIGEST_CACHE=0` reads every file every time.

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What is known about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// The advisory's date (`YYYY-MM-DD`), for advisory files.
    pub date: Option<String>,
    size: u64,
    mtime_ns: u128,
}

#[derive(Default, Serialize, Deserialize)]
struct Cache {
    files: BTreeMap<String, Facts>,
}

/// The facts of every file (`(relative name, path)`, in that order), from the cache where the
/// file is unchanged, read (on every core) where not.
pub fn facts(
    db: &Path,
    files: &[(String, PathBuf)],
    date: fn(&[u8]) -> Option<String>,
) -> anyhow::Result<Vec<Facts>> {
    use rayon::prelude::*;
    let cache_file = cache_path(db);
    let cached: Cache = cache_file
        .as_ref()
        .and_then(|p| crate::fsread::read(p, crate::fsread::limit::LOCKFILE).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let facts: Vec<Facts> = files
        .par_iter()
        .map(|(rel, path)| {
            let (size, mtime_ns) =
                stamp(path).with_context(|| format!("cannot read {}", crate::paths::display(path)))?;
            if let Some(hit) =
                cached.files.get(rel).filter(|f| f.size == size && f.mtime_ns == mtime_ns && mtime_ns > 0)
            {
                return Ok(hit.clone());
            }
            let bytes = crate::fsread::read(path, crate::fsread::limit::ADVISORY)
                .with_context(|| format!("cannot read {}", crate::paths::display(path)))?;
            Ok(Facts { sha256: crate::digest::sha256_hex(&bytes), date: date(&bytes), size, mtime_ns })
        })
        .collect::<anyhow::Result<_>>()?;
    let changed = files.len() != cached.files.len()
        || files.iter().zip(&facts).any(|((rel, _), f)| cached.files.get(rel) != Some(f));
    if changed && let Some(path) = cache_file {
        let fresh =
            Cache { files: files.iter().map(|(rel, _)| rel.clone()).zip(facts.iter().cloned()).collect() };
        store(&path, &fresh);
    }
    Ok(facts)
}

/// A file's size and modification time (nanoseconds since the epoch; 0 when unknown, which is
/// never trusted).
fn stamp(path: &Path) -> std::io::Result<(u64, u128)> {
    let meta = std::fs::metadata(path)?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok((meta.len(), mtime))
}

/// `$CARGO_HOME/cargo-spdf/db-digest/<sha256 of the database's path>.json`, unless turned off.
fn cache_path(db: &Path) -> Option<PathBuf> {
    if std::env::var("CARGO_SPDF_DB_DIGEST_CACHE").is_ok_and(|v| v == "0") {
        return None;
    }
    let home = crate::paths::cargo_home();
    let key = crate::digest::sha256_hex(db.to_string_lossy().as_bytes());
    home.is_absolute().then(|| home.join("cargo-spdf").join("db-digest").join(format!("{key}.json")))
}

/// Best effort: a cache that cannot be written is read in full next time.
fn store(path: &Path, cache: &Cache) {
    let Ok(bytes) = serde_json::to_vec(cache) else { return };
    if path.parent().is_some_and(|d| std::fs::create_dir_all(d).is_ok()) {
        let _ = crate::output::write_atomic(path, &bytes);
    }
}
