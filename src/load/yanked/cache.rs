//! The index cache on disk: `$CARGO_HOME/cargo-spdf/index-cache/<index>/<crate path>.json`, one
//! small JSON file per crate with its versions' yanked flags and publication times and the HTTP
//! validators (`ETag`, `Last-Modified`) they came with.
//!
//! An entry younger than [`FRESH_FOR`] is used without a request, so repeated checks stay fast;
//! an older one is revalidated with a conditional request. For yanked statuses the cache only
//! saves downloads: it is never an answer when a request fails (the status is then unknown). The
//! release history (what the FDA support data is derived from) may come from it when the index
//! cannot be asked, with the date it was fetched. Reading and writing it is best effort; a cache
//! that cannot be used (including one written in an older format) is a cache miss.

use super::index::Versions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// How long a cached answer is used without asking the index again.
pub const FRESH_FOR: Duration = Duration::from_secs(60 * 60);

/// The cache of one index.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// A cached index file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// When it was fetched or last revalidated (seconds since the Unix epoch).
    pub fetched: u64,
    /// The response's `ETag`.
    pub etag: Option<String>,
    /// The response's `Last-Modified`.
    pub last_modified: Option<String>,
    /// Every version, with whether it is yanked and when it was published.
    pub versions: Versions,
}

impl Entry {
    /// An entry fetched now.
    pub fn now(versions: Versions, etag: Option<String>, last_modified: Option<String>) -> Self {
        Entry { fetched: unix_now(), etag, last_modified, versions }
    }
}

impl Cache {
    /// The cache for the index at `url`, under `$CARGO_HOME/cargo-spdf/index-cache/`, in a
    /// folder named after the index's host and a digest of its URL so mirrors never mix.
    pub fn for_index(url: &Url) -> Option<Self> {
        let host: String = url
            .host_str()?
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
            .collect();
        let digest = crate::digest::sha256_hex(url.as_str().as_bytes());
        let name = format!("{host}-{}", &digest[..16]);
        Some(Cache { dir: crate::paths::cargo_home().join("cargo-spdf/index-cache").join(name) })
    }

    /// The cached entry of the crate at `path` (its index path), if any and readable.
    pub fn read(&self, path: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.file(path)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Whether an entry is recent enough to use without asking the index.
    pub fn is_fresh(&self, entry: &Entry) -> bool {
        let now = unix_now();
        entry.fetched <= now && now - entry.fetched < FRESH_FOR.as_secs()
    }

    /// Stores an entry; failures are ignored (the next run fetches again).
    pub fn write(&self, path: &str, entry: &Entry) {
        let file = self.file(path);
        let Ok(bytes) = serde_json::to_vec(entry) else { return };
        if file.parent().is_some_and(|dir| std::fs::create_dir_all(dir).is_ok()) {
            let _ = crate::output::write_atomic(&file, &bytes);
        }
    }

    fn file(&self, path: &str) -> PathBuf {
        self.dir.join(format!("{path}.json"))
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_age() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache { dir: dir.path().to_path_buf() };
        let version = super::super::index::VersionEntry { yanked: true, pubtime: None };
        let entry = Entry::now([("1.0.0".to_owned(), version)].into(), Some("\"x\"".into()), None);
        cache.write("go/ne/gonelib", &entry);
        let read = cache.read("go/ne/gonelib").unwrap();
        assert_eq!(read.versions, entry.versions);
        assert!(cache.is_fresh(&read));
        assert!(!cache.is_fresh(&Entry { fetched: 0, ..read }));
        assert!(cache.read("3/a/abc").is_none());
        // An entry of the format before publication times were kept is a miss, not an error.
        std::fs::create_dir_all(dir.path().join("ol/dl")).unwrap();
        std::fs::write(
            dir.path().join("ol/dl/oldlib.json"),
            r#"{"fetched":1,"etag":null,"last_modified":null,"versions":{"0.1.0":false}}"#,
        )
        .unwrap();
        assert!(cache.read("ol/dl/oldlib").is_none());
    }

    #[test]
    fn mirrors_have_their_own_folders() {
        let a = Cache::for_index(&Url::parse("https://index.crates.io/").unwrap()).unwrap();
        let b = Cache::for_index(&Url::parse("https://mirror.example/index/").unwrap()).unwrap();
        assert_ne!(a.dir, b.dir);
        assert!(a.dir.file_name().unwrap().to_string_lossy().starts_with("index.crates.io-"));
    }
}
