//! Load: what the crates.io sparse index (or a mirror of it named by `CARGO_SPDF_INDEX_URL`)
//! says about every crates.io package in `Cargo.lock`: whether the locked version is yanked, and
//! the crate's release history (every version, its yanked flag and its publication time), which
//! the FDA support data is derived from.
//!
//! The index holds one file per crate (`1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcdef`, lower-cased),
//! one JSON line per published version with its `vers`, `yanked` flag and `pubtime`. Only
//! packages whose source is crates.io are looked up: path, git and other-registry packages are
//! skipped, since the crates.io index says nothing about them (and the names of in-house crates
//! are never sent to it).
//!
//! Once the index URL is valid nothing here is an error: a lookup that fails gives
//! [`YankedStatus::Unknown`] with the reason, and the advisories gate reports it (and fails
//! closed when the policy denies `yanked`). Over HTTP, up to [`WORKERS`] crates are fetched at
//! once, each request with a timeout, and the answers are kept in a cache on disk for an hour
//! (then revalidated with a conditional request). `--offline` makes no request at all; a
//! `file://` index is a directory on disk, not the network, and is read even then.
//!
//! A yanked status is only ever the index's answer of this run. A release history may come from
//! the cache when the index cannot be asked (offline, unreachable), marked with the date it was
//! fetched: publication dates do not change, and a history that is a little old errs towards a
//! lower level of support. With neither, it is [`History::Unknown`] and the support gate says so.

mod cache;
mod index;

pub use index::{DEFAULT_INDEX, INDEX_URL_VAR, VersionEntry, Versions};

use crate::load::lockfile::Lock;
use index::{Fetched, Index};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many index files are fetched at once.
pub const WORKERS: usize = 8;

/// Lookups above this number show a progress bar (when stderr is a terminal).
const PROGRESS_ABOVE: usize = 20;

/// What the index says about one locked version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YankedStatus {
    /// The version was yanked.
    Yanked,
    /// The version is published and not yanked.
    NotYanked,
    /// The status could not be established; the reason says why (offline, the index could not
    /// be read, the crate or version is not in the index).
    Unknown(String),
}

/// The status of every locked crates.io package, by (name, version).
pub type Statuses = BTreeMap<(String, String), YankedStatus>;

/// A crate's release history, as the index gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    /// Every published version.
    Known {
        /// The versions, with their yanked flags and publication times, parsed.
        releases: Vec<Release>,
        /// When the cache this came from was filled; `None` when the index answered in this run.
        cached_at: Option<Timestamp>,
    },
    /// The history could not be read: why (offline without a cached copy, the index could not
    /// be reached, the crate is not in the index).
    Unknown(String),
}

/// One published version of a crate, parsed once as its history is read (the support data of
/// every component is derived from it more than once a run, and the history is read while
/// `cargo metadata` runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: semver::Version,
    /// Whether it is yanked.
    pub yanked: bool,
    /// When it was published, when the index says and the time parses.
    pub published: Option<Timestamp>,
}

/// The releases of an index file: a version that is not semver is left out, a publication time
/// that does not parse is unknown.
pub fn releases(versions: &Versions) -> Vec<Release> {
    versions
        .iter()
        .filter_map(|(v, entry)| {
            let version = semver::Version::parse(v).ok()?;
            let published = entry.pubtime.as_deref().and_then(|t| t.parse::<Timestamp>().ok());
            Some(Release { version, yanked: entry.yanked, published })
        })
        .collect()
}

/// The release history of every locked crates.io crate, by name.
pub type Histories = BTreeMap<String, History>;

/// The outcome of looking up a lockfile's packages.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The index that was (or would have been) read.
    pub index: String,
    /// The status of every locked crates.io package.
    pub statuses: Statuses,
    /// The release history of every locked crates.io crate.
    pub histories: Histories,
    /// The index is remote and `--offline` was given, so nothing was looked up.
    pub skipped_offline: bool,
}

/// How to look up.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// No network use (`--offline`, `--frozen`).
    pub offline: bool,
    /// A progress bar may be shown (not under `-q`).
    pub progress: bool,
    /// The progress bar may use colour.
    pub color: bool,
    /// Keep each crate's release history (for the support data), reading the cached copy where
    /// the index is not asked; without it, offline, nothing is read.
    pub histories: bool,
}

/// The reason given for every package when `--offline` keeps the index from being consulted.
pub const OFFLINE_REASON: &str = "offline (--offline or --frozen): the index was not consulted";

/// The reason given when the index has no file for the crate.
pub const CRATE_NOT_IN_INDEX: &str = "crate not in the index";

/// The reason given when the crate's index file does not list the locked version.
pub const VERSION_NOT_IN_INDEX: &str = "version not in the index";

/// Looks up every crates.io package of `lock`. Only a bad `CARGO_SPDF_INDEX_URL` (or a
/// `file://` index that does not exist) is an error.
pub fn look_up(lock: &Lock, options: Options) -> anyhow::Result<Lookup> {
    let url = index::index_url()?;
    let packages = crates_io_packages(lock);
    let names: Vec<&str> =
        packages.iter().map(|(n, _)| n.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    if options.offline && index::is_remote(&url) {
        let index = Index::open(&url, cache::Cache::for_index(&url))?;
        let unknown = YankedStatus::Unknown(OFFLINE_REASON.to_owned());
        let statuses = packages.iter().map(|p| (p.clone(), unknown.clone())).collect();
        let offline = Err(format!("{OFFLINE_REASON}, and no copy of the crate's file is cached"));
        let histories = if options.histories {
            names.iter().map(|&n| (n.to_owned(), history(&index, n, Some(&offline)))).collect()
        } else {
            Default::default()
        };
        return Ok(Lookup { index: url.to_string(), statuses, histories, skipped_offline: true });
    }
    let index = Index::open(&url, cache::Cache::for_index(&url))?;
    let fetched = fetch_all(&index, &names, &progress_bar(names.len(), options));
    let statuses = packages
        .iter()
        .map(|(name, version)| {
            let status = status(fetched.get(name.as_str()), version);
            ((name.clone(), version.clone()), status)
        })
        .collect();
    let histories = names.iter().map(|&n| (n.to_owned(), history(&index, n, fetched.get(n)))).collect();
    Ok(Lookup { index: url.to_string(), statuses, histories, skipped_offline: false })
}

/// A crate's history from what its index file gave: the answer of this run, else the cached
/// copy (whatever its age, with its date), else why it is unknown.
fn history(index: &Index, name: &str, fetched: Option<&Result<Fetched, String>>) -> History {
    match fetched {
        Some(Ok(Fetched::Versions(versions))) => {
            History::Known { releases: releases(versions), cached_at: None }
        }
        Some(Ok(Fetched::NotFound)) => History::Unknown(CRATE_NOT_IN_INDEX.to_owned()),
        Some(Err(error)) => match index.cached(name) {
            Some(entry) => History::Known {
                releases: releases(&entry.versions),
                cached_at: i64::try_from(entry.fetched).ok().and_then(|s| Timestamp::from_second(s).ok()),
            },
            None => History::Unknown(error.clone()),
        },
        None => History::Unknown("not looked up".to_owned()),
    }
}

/// (name, version) of every locked package whose source is crates.io.
fn crates_io_packages(lock: &Lock) -> BTreeSet<(String, String)> {
    lock.packages.iter().filter(|p| p.crates_io).map(|p| (p.name.clone(), p.version.to_string())).collect()
}

/// Fetches the index file of every crate, [`WORKERS`] at a time.
fn fetch_all<'n>(
    index: &Index,
    names: &[&'n str],
    bar: &ProgressBar,
) -> BTreeMap<&'n str, Result<Fetched, String>> {
    let next = AtomicUsize::new(0);
    let worker = || {
        crate::process::yield_to_children();
        let mut out = Vec::new();
        while let Some(name) = names.get(next.fetch_add(1, Ordering::Relaxed)) {
            out.push((*name, index.fetch(name)));
            bar.inc(1);
        }
        out
    };
    let results = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS.min(names.len())).map(|_| scope.spawn(worker)).collect();
        let joined = workers.into_iter().map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        joined.flatten().collect()
    });
    bar.finish_and_clear();
    results
}

/// The status of one version, from what its crate's index file gave.
fn status(fetched: Option<&Result<Fetched, String>>, version: &str) -> YankedStatus {
    let unknown = |reason: &str| YankedStatus::Unknown(reason.to_owned());
    match fetched {
        Some(Ok(Fetched::Versions(versions))) => match versions.get(version).map(|v| v.yanked) {
            Some(true) => YankedStatus::Yanked,
            Some(false) => YankedStatus::NotYanked,
            None => unknown(VERSION_NOT_IN_INDEX),
        },
        Some(Ok(Fetched::NotFound)) => unknown(CRATE_NOT_IN_INDEX),
        Some(Err(error)) => unknown(error),
        None => unknown("not looked up"),
    }
}

/// A cargo-style progress bar on stderr for long runs; hidden when stderr is not a terminal,
/// under `-q`, or for a handful of lookups.
fn progress_bar(lookups: usize, options: Options) -> ProgressBar {
    if !options.progress || lookups <= PROGRESS_ABOVE || !console::Term::stderr().is_term() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(u64::try_from(lookups).ok(), ProgressDrawTarget::stderr());
    let template = if options.color {
        "{prefix:>12.cyan.bold} [{bar:27}] {pos}/{len}"
    } else {
        "{prefix:>12} [{bar:27}] {pos}/{len}"
    };
    let style = ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix("Yanked");
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_of_a_version() {
        let entry = |yanked| VersionEntry { yanked, pubtime: None };
        let versions =
            Ok(Fetched::Versions([("1.0.0".to_owned(), entry(true)), ("1.0.1".into(), entry(false))].into()));
        assert_eq!(status(Some(&versions), "1.0.0"), YankedStatus::Yanked);
        assert_eq!(status(Some(&versions), "1.0.1"), YankedStatus::NotYanked);
        assert_eq!(status(Some(&versions), "2.0.0"), YankedStatus::Unknown(VERSION_NOT_IN_INDEX.into()));
        assert_eq!(
            status(Some(&Ok(Fetched::NotFound)), "1.0.0"),
            YankedStatus::Unknown(CRATE_NOT_IN_INDEX.into())
        );
        assert_eq!(status(Some(&Err("boom".into())), "1.0.0"), YankedStatus::Unknown("boom".into()));
    }
}
