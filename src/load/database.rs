//! Load: the RustSec advisory database, offline first.
//!
//! Only the advisory files of crates that are in the lockfile are read and parsed, so the
//! work grows with the lockfile, not with the database. The database's identity is recorded
//! for provenance: the commit and its date when the directory is a git checkout, otherwise a
//! content digest, computed so that anyone can reproduce it with standard tools:
//!
//! ```text
//! cd DB && find . -type f -not -path './.git/*' | sed 's|^\./||' | LC_ALL=C sort \
//!   | while read -r f; do sha256sum "$f"; done | sha256sum
//! ```
//!
//! that is, SHA-256 over one `<sha256 of the file>  <relative path>` line per file, sorted by path.
//! For a plain directory the date of the newest advisory stands in for the date of the snapshot:
//! the snapshot is at least that new, so the age derived from it errs on the side of "stale".

use anyhow::{Context as _, bail};
use jiff::Timestamp;
use rustsec::{Advisory, Collection};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How the database path was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbSource {
    /// `--db`.
    Flag,
    /// `advisories.db` in the policy.
    Policy,
    /// `CARGO_SPDF_DB`.
    Env,
    /// The cache shared with cargo-audit, `$CARGO_HOME/advisory-db`.
    Default,
}

impl DbSource {
    /// Whether the user named the database; a named database that is missing is an error,
    /// never a reason to fetch.
    pub fn is_explicit(self) -> bool {
        !matches!(self, Self::Default)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Flag => "given with --db",
            Self::Policy => "named by advisories.db in the policy",
            Self::Env => "named by CARGO_SPDF_DB",
            Self::Default => "the default location",
        }
    }
}

/// Where the advisory database is expected.
#[derive(Debug, Clone)]
pub struct DbLocation {
    /// Directory.
    pub path: PathBuf,
    /// How it was chosen.
    pub source: DbSource,
}

/// Chooses the database directory: `--db`, `CARGO_SPDF_DB`, the policy's `advisories.db`, then
/// `$CARGO_HOME/advisory-db` (`~/.cargo/advisory-db`), the copy cargo-audit keeps. What the
/// operator passes (flag, environment) beats what the inspected repository's policy says.
pub fn locate(flag: Option<&Path>, policy: Option<&Path>) -> DbLocation {
    if let Some(p) = flag {
        return DbLocation { path: crate::paths::absolute(p), source: DbSource::Flag };
    }
    if let Some(p) = std::env::var_os("CARGO_SPDF_DB").filter(|v| !v.is_empty()) {
        return DbLocation { path: crate::paths::absolute(Path::new(&p)), source: DbSource::Env };
    }
    if let Some(p) = policy {
        return DbLocation { path: p.to_path_buf(), source: DbSource::Policy };
    }
    DbLocation { path: default_path(), source: DbSource::Default }
}

/// `$CARGO_HOME/advisory-db`, or `~/.cargo/advisory-db`.
pub fn default_path() -> PathBuf {
    crate::paths::cargo_home().join("advisory-db")
}

/// What identifies the exact database content that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A git checkout at this commit.
    Git {
        /// Full commit id.
        commit: String,
    },
    /// A plain directory with this content digest.
    Digest {
        /// SHA-256, as described in the module docs.
        sha256: String,
    },
}

/// One advisory file of a crate in the lockfile.
#[derive(Debug, Clone)]
pub enum Entry {
    /// Parsed.
    Advisory(Box<Advisory>),
    /// Could not be parsed: the gate cannot vouch for the crate.
    Invalid {
        /// Path relative to the database root.
        file: String,
        /// The parse error.
        error: String,
    },
}

/// The advisories of the crates in a lockfile, and the database's identity.
#[derive(Debug)]
pub struct AdvisoryDb {
    /// Directory it was read from.
    pub path: PathBuf,
    /// Commit or digest.
    pub identity: Identity,
    /// Number of advisory files in the whole database.
    pub advisory_count: usize,
    /// When the database was last updated (commit date, or newest advisory date).
    pub last_updated: Option<Timestamp>,
    /// Advisory files read (those of crates in the lockfile, and the toolchain's).
    pub files_read: usize,
    crates: BTreeMap<String, Vec<Entry>>,
    toolchain: Vec<(String, Entry)>,
}

impl AdvisoryDb {
    /// Opens the database at `loc`, reading the advisories of the named crates only.
    pub fn open(loc: &DbLocation, crates: &BTreeSet<String>) -> anyhow::Result<Self> {
        let path = &loc.path;
        let listed = check_layout(loc)?;
        let (identity, last_updated, advisory_count) = match git_head(path) {
            Some((commit, date)) => (Identity::Git { commit }, Some(date), count_advisories(path)?),
            None => {
                let scan = scan_directory(path)?;
                (Identity::Digest { sha256: scan.digest }, scan.newest_advisory, scan.advisories)
            }
        };
        // An empty database would vouch for every crate: it is not a database to judge by.
        if advisory_count == 0 && !crates.is_empty() {
            bail!(
                "advisory database {} ({}) holds no advisories, so it cannot vouch for any crate; point at a real copy of the RustSec database",
                crate::paths::display(path),
                loc.source.describe()
            );
        }
        let toolchain = read_toolchain(path)?;
        let mut by_crate = BTreeMap::new();
        let mut files_read = toolchain.len();
        // Only the crates the database has a folder for: one listing, where opening a folder for
        // each of 20,000 locked names that mostly have none took longer than reading what is there.
        for name in crates.iter().filter(|n| listed.contains(std::ffi::OsStr::new(n.as_str()))) {
            let entries = read_crate(path, name)?;
            files_read += entries.len();
            if !entries.is_empty() {
                by_crate.insert(name.clone(), entries);
            }
        }
        Ok(AdvisoryDb {
            path: path.clone(),
            identity,
            advisory_count,
            last_updated,
            files_read,
            crates: by_crate,
            toolchain,
        })
    }

    /// The advisories of the Rust toolchain itself (`rust/<component>/`), with their component
    /// (`std`, `cargo`, `rustdoc`, ...).
    pub fn toolchain(&self) -> &[(String, Entry)] {
        &self.toolchain
    }

    /// The advisory files of one crate (empty when it has none).
    pub fn entries(&self, name: &str) -> &[Entry] {
        self.crates.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whole days since the last update, as of `now`.
    pub fn age_days(&self, now: Timestamp) -> Option<i64> {
        self.last_updated.map(|t| (now.as_second() - t.as_second()).div_euclid(86_400))
    }
}

/// Checks that `loc` holds a database, and lists what `crates/` holds.
fn check_layout(loc: &DbLocation) -> anyhow::Result<std::collections::HashSet<std::ffi::OsString>> {
    let path = &loc.path;
    let shown = crate::paths::display(path);
    if !path.exists() {
        bail!(
            "advisory database {shown} ({}) does not exist; point at a local copy with --db DIR or CARGO_SPDF_DB, \
             or run `cargo spdf db fetch` to clone it there",
            loc.source.describe()
        );
    }
    if !path.join("crates").is_dir() {
        bail!(
            "{shown} ({}) is not a RustSec advisory database: it has no crates/ directory",
            loc.source.describe()
        );
    }
    let listing = std::fs::read_dir(path.join("crates"))
        .with_context(|| format!("cannot read advisory database {shown}"))?;
    listing
        .map(|entry| entry.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read advisory database {shown}"))
}

/// The commit and commit date when `path` is the top of a git work tree.
fn git_head(path: &Path) -> Option<(String, Timestamp)> {
    if !path.join(".git").exists() {
        return None;
    }
    let out = crate::vcs::git(path).args(["log", "-1", "--format=%H %cI"]).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let (commit, date) = text.trim().split_once(' ')?;
    let date = date.parse::<Timestamp>().ok()?;
    (out.status.success() && commit.len() >= 40).then(|| (commit.to_owned(), date))
}

/// Reads and parses `rust/*/*.md`, the toolchain's advisories (a few dozen files).
fn read_toolchain(db: &Path) -> anyhow::Result<Vec<(String, Entry)>> {
    let Ok(listing) = std::fs::read_dir(db.join("rust")) else { return Ok(Vec::new()) };
    let mut components: Vec<String> = listing
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    components.sort();
    let mut out = Vec::new();
    for component in components {
        for entry in read_collection(db, "rust", &component)? {
            out.push((component.clone(), entry));
        }
    }
    Ok(out)
}

/// Reads and parses `crates/<name>/*.md`.
fn read_crate(db: &Path, name: &str) -> anyhow::Result<Vec<Entry>> {
    read_collection(db, "crates", name)
}

/// Reads and parses `<collection>/<name>/*.md`.
fn read_collection(db: &Path, collection: &str, name: &str) -> anyhow::Result<Vec<Entry>> {
    let dir = db.join(collection).join(name);
    let listing = match std::fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", crate::paths::display(&dir)));
        }
    };
    let mut files = Vec::new();
    for entry in listing {
        let entry = entry.with_context(|| format!("cannot read {}", crate::paths::display(&dir)))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if !file_name.starts_with('.') && file_name.ends_with(".md") {
            files.push(entry.path());
        }
    }
    files.sort();
    let kind = if collection == "rust" { Collection::Rust } else { Collection::Crates };
    Ok(files.iter().map(|f| parse_entry(db, f, name, kind)).collect())
}

fn parse_entry(db: &Path, file: &Path, crate_name: &str, collection: Collection) -> Entry {
    let rel = crate::paths::relative_to(file, db).unwrap_or_else(|| file.display().to_string());
    match parse_advisory(file, crate_name, collection) {
        Ok(advisory) => Entry::Advisory(Box::new(advisory)),
        Err(error) => Entry::Invalid { file: rel, error },
    }
}

/// Parses one advisory file and checks it is filed where it belongs, as rustsec does.
fn parse_advisory(file: &Path, crate_name: &str, collection: Collection) -> Result<Advisory, String> {
    let text =
        crate::fsread::read_to_string(file, crate::fsread::limit::ADVISORY).map_err(|e| e.to_string())?;
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parse_advisory_text(&text, &file_name, crate_name, collection)
}

/// Parses the text of an advisory file named `file_name`, filed under `crates/<crate_name>` (or
/// `rust/<crate_name>`), as [`parse_advisory`] does for a file on disk.
///
/// # Errors
///
/// The reason the entry is invalid: not an advisory, not parseable, or filed in the wrong place.
pub fn parse_advisory_text(
    text: &str,
    file_name: &str,
    crate_name: &str,
    collection: Collection,
) -> Result<Advisory, String> {
    // rustsec 0.34 quotes the first 20 bytes of a file that does not open with the front matter
    // by slicing, which panics when byte 20 falls inside a character; such a file is refused here.
    if !text.starts_with("```toml") {
        return Err("not an advisory: the file does not open with a ```toml front matter block".into());
    }
    let mut advisory: Advisory = text.parse().map_err(|e: rustsec::Error| e.to_string())?;
    let expected = format!("{}.md", advisory.metadata.id);
    if file_name != expected && !file_name.starts_with("RUSTSEC-0000-0000.") {
        return Err(format!("advisory {} is filed as {file_name}", advisory.metadata.id));
    }
    if advisory.metadata.package.as_str() != crate_name {
        return Err(format!(
            "advisory is for crate `{}` but filed under crates/{crate_name}",
            advisory.metadata.package
        ));
    }
    advisory.metadata.collection = Some(collection);
    Ok(advisory)
}

/// Counts advisory files without reading them (for a git checkout, whose identity is its commit).
fn count_advisories(db: &Path) -> anyhow::Result<usize> {
    let mut count = 0;
    for collection in ["crates", "rust"] {
        let Ok(dirs) = std::fs::read_dir(db.join(collection)) else {
            continue;
        };
        for dir in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            count += files.flatten().filter(|f| f.file_name().to_string_lossy().ends_with(".md")).count();
        }
    }
    Ok(count)
}

struct Scan {
    digest: String,
    newest_advisory: Option<Timestamp>,
    advisories: usize,
}

/// Digests every file of a plain database directory and finds its newest advisory date.
fn scan_directory(db: &Path) -> anyhow::Result<Scan> {
    let mut files = Vec::new();
    collect_files(db, db, &mut files)?;
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let facts = super::db_digest::facts(db, &files, |bytes| advisory_date(bytes).map(|d| d.to_string()))?;
    let mut manifest = String::new();
    let mut newest: Option<jiff::civil::Date> = None;
    let mut advisories = 0;
    for ((rel, _), f) in files.iter().zip(&facts) {
        manifest.push_str(&format!("{}  {rel}\n", f.sha256));
        if (rel.starts_with("crates/") || rel.starts_with("rust/")) && rel.ends_with(".md") {
            advisories += 1;
            newest = newest.max(f.date.as_deref().and_then(|d| d.parse().ok()));
        }
    }
    let newest_advisory =
        newest.and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok()).map(|z| z.timestamp());
    Ok(Scan { digest: crate::digest::sha256_hex(manifest.as_bytes()), newest_advisory, advisories })
}

fn collect_files(base: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> anyhow::Result<()> {
    let listing =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", crate::paths::display(dir)))?;
    for entry in listing {
        let entry = entry.with_context(|| format!("cannot read {}", crate::paths::display(dir)))?;
        let path = entry.path();
        let kind =
            entry.file_type().with_context(|| format!("cannot read {}", crate::paths::display(&path)))?;
        if kind.is_dir() {
            if entry.file_name() != ".git" {
                collect_files(base, &path, out)?;
            }
        } else if let Some(rel) = crate::paths::relative_to(&path, base) {
            out.push((rel, path));
        }
    }
    Ok(())
}

/// The `date = "YYYY-MM-DD"` of an advisory's front matter, found without a full parse.
fn advisory_date(bytes: &[u8]) -> Option<jiff::civil::Date> {
    let mut lines = std::str::from_utf8(bytes).ok()?.lines();
    lines.next().filter(|first| first.starts_with("```"))?;
    lines
        .take_while(|l| !l.starts_with("```"))
        .find_map(|l| l.trim().strip_prefix("date = "))
        .and_then(|d| d.trim().trim_matches('"').parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_date_is_read_from_the_front_matter() {
        let text = b"```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\ndate = \"2020-01-31\"\n```\n\n# T\n";
        assert_eq!(advisory_date(text), Some(jiff::civil::date(2020, 1, 31)));
        assert_eq!(advisory_date(b"no date here"), None);
    }

    #[test]
    fn a_file_without_front_matter_is_an_invalid_entry_not_a_crash() {
        // Byte 20 falls inside the three-byte character, where rustsec's own message would slice.
        let text = "# An advisory tit\u{e9}\u{20ac}\u{20ac} without front matter\n";
        let error = parse_advisory_text(text, "RUSTSEC-2020-0001.md", "x", Collection::Crates).unwrap_err();
        assert!(error.contains("front matter"), "{error}");
        let good = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\npackage = \"x\"\ndate = \"2020-01-31\"\n\n[versions]\npatched = []\n```\n\n# T\n\nD\n";
        let advisory = parse_advisory_text(good, "RUSTSEC-2020-0001.md", "x", Collection::Crates).unwrap();
        assert_eq!(advisory.metadata.id.as_str(), "RUSTSEC-2020-0001");
        let misfiled =
            parse_advisory_text(good, "RUSTSEC-2020-0001.md", "y", Collection::Crates).unwrap_err();
        assert!(misfiled.contains("filed under crates/y"), "{misfiled}");
    }
}
