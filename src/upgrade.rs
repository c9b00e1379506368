//! The nearest fix for a locked version: the smallest version above it that one of an
//! advisory's `patched` requirements accepts, preferring the locked version's own semver series
//! (what `cargo update` can reach without touching a `Cargo.toml`).
//!
//! Only the requirements are known offline, not the versions that were published, so the
//! candidates are the lower bounds the requirements name (`>= 0.8.6` gives 0.8.6) and, for
//! requirements without one, the next patch, minor and major version after the locked one.

use semver::{Comparator, Op, Version, VersionReq};

/// The nearest patched version of a locked one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearest {
    /// The version to upgrade to.
    pub version: Version,
    /// Whether it is semver-compatible with the locked version (same major, or same minor for
    /// 0.x, or same patch for 0.0.x), so `cargo update` reaches it.
    pub same_series: bool,
    /// Whether a requirement names this version as its lower bound. When not (`> 1.2.3`, or a
    /// requirement without a lower bound), it is the least version accepted, which may never
    /// have been released: upgrade to it "or later".
    pub named: bool,
}

/// The nearest version above `locked` that a requirement of `patched` accepts, in the locked
/// version's series when there is one there; `None` when no version above it is patched.
pub fn nearest(locked: &Version, patched: &[VersionReq]) -> Option<Nearest> {
    let mut candidates: Vec<(Version, bool)> = patched
        .iter()
        .flat_map(|req| req.comparators.iter().filter_map(lower_bound))
        .chain(bumps(locked).into_iter().map(|v| (v, false)))
        .filter(|(v, _)| v > locked && patched.iter().any(|req| req.matches(v)))
        .collect();
    // Least version first; for the same version, a named bound before a computed one.
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let pick = candidates.iter().find(|(v, _)| compatible(locked, v)).or_else(|| candidates.first())?.clone();
    Some(Nearest { same_series: compatible(locked, &pick.0), version: pick.0, named: pick.1 })
}

/// The least version a comparator accepts, and whether the comparator names it; `None` for an
/// upper bound.
fn lower_bound(c: &Comparator) -> Option<(Version, bool)> {
    let minor = c.minor.unwrap_or(0);
    let patch = c.patch.unwrap_or(0);
    match c.op {
        Op::Exact | Op::GreaterEq | Op::Tilde | Op::Caret | Op::Wildcard => {
            Some((Version { pre: c.pre.clone(), ..Version::new(c.major, minor, patch) }, true))
        }
        Op::Greater => {
            let next = match (c.minor, c.patch) {
                (Some(_), Some(_)) if !c.pre.is_empty() => Version::new(c.major, minor, patch),
                (Some(_), Some(_)) => Version::new(c.major, minor, patch + 1),
                (Some(_), None) => Version::new(c.major, minor + 1, 0),
                (None, _) => Version::new(c.major + 1, 0, 0),
            };
            Some((next, false))
        }
        _ => None,
    }
}

/// The next patch, minor and major release after `v`.
fn bumps(v: &Version) -> [Version; 3] {
    [
        Version::new(v.major, v.minor, v.patch + 1),
        Version::new(v.major, v.minor + 1, 0),
        Version::new(v.major + 1, 0, 0),
    ]
}

/// Whether `to` is in `from`'s semver-compatible series, as a caret requirement reads it.
fn compatible(from: &Version, to: &Version) -> bool {
    match (from.major, from.minor) {
        (0, 0) => to.major == 0 && to.minor == 0 && to.patch == from.patch,
        (0, minor) => to.major == 0 && to.minor == minor,
        (major, _) => to.major == major,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn reqs(list: &[&str]) -> Vec<VersionReq> {
        list.iter().map(|r| VersionReq::parse(r).unwrap()).collect()
    }

    /// The `patched` requirements of an advisory in ../shared/advisory-db, as rustsec parses them.
    fn patched(file: &str) -> Vec<VersionReq> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/advisory-db/crates").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let advisory: rustsec::Advisory = text.parse().unwrap();
        advisory.versions.patched().to_vec()
    }

    fn fix(file: &str, locked: &str) -> Option<(String, bool, bool)> {
        nearest(&v(locked), &patched(file)).map(|n| (n.version.to_string(), n.same_series, n.named))
    }

    #[test]
    fn the_locked_series_is_preferred() {
        // rand: [">= 0.10.1", "< 0.10.0, >= 0.9.3", "< 0.9.0, >= 0.8.6"]
        let rand = "rand/RUSTSEC-2026-0097.md";
        assert_eq!(fix(rand, "0.8.4"), Some(("0.8.6".into(), true, true)));
        assert_eq!(fix(rand, "0.9.0"), Some(("0.9.3".into(), true, true)));
        assert_eq!(fix(rand, "0.10.0"), Some(("0.10.1".into(), true, true)));
        // 0.7 has no patched release: the nearest is in the next series.
        assert_eq!(fix(rand, "0.7.3"), Some(("0.8.6".into(), false, true)));
        // smallvec: [">= 0.6.14, < 1.0.0", ">= 1.6.1"]
        let smallvec = "smallvec/RUSTSEC-2021-0003.md";
        assert_eq!(fix(smallvec, "0.6.13"), Some(("0.6.14".into(), true, true)));
        assert_eq!(fix(smallvec, "1.4.2"), Some(("1.6.1".into(), true, true)));
    }

    #[test]
    fn a_new_series_is_said_to_be_one() {
        // time: [">= 0.2.23"]; 0.1 is a different series.
        assert_eq!(fix("time/RUSTSEC-2020-0071.md", "0.1.43"), Some(("0.2.23".into(), false, true)));
        // hyper: [">= 0.14.10"], from 0.14.9 in the same series.
        assert_eq!(fix("hyper/RUSTSEC-2021-0078.md", "0.14.9"), Some(("0.14.10".into(), true, true)));
    }

    #[test]
    fn a_strict_lower_bound_is_not_a_named_version() {
        // dbn: ["> 0.22.0"]: the least version above is 0.22.1, which may not exist: "or later".
        let dbn = "dbn/RUSTSEC-2024-0377.md";
        assert_eq!(fix(dbn, "0.22.0"), Some(("0.22.1".into(), true, false)));
        assert_eq!(fix(dbn, "0.20.0"), Some(("0.22.1".into(), false, false)));
    }

    #[test]
    fn nothing_above_the_locked_version_is_patched() {
        assert_eq!(nearest(&v("0.6.0"), &reqs(&["< 0.5.0"])), None);
        assert_eq!(nearest(&v("1.0.0"), &[]), None);
        // An upper bound only: the next patch release is the least version above.
        let n = nearest(&v("1.0.0"), &reqs(&["< 2.0.0"])).unwrap();
        assert_eq!((n.version.to_string(), n.named), ("1.0.1".into(), false));
    }

    #[test]
    fn pre_releases_and_zero_zero_series() {
        let n = nearest(&v("1.0.0-beta.1"), &reqs(&[">= 1.0.0-beta.3"])).unwrap();
        assert_eq!(n.version.to_string(), "1.0.0-beta.3");
        assert!(n.same_series);
        let n = nearest(&v("0.0.3"), &reqs(&[">= 0.0.4"])).unwrap();
        assert!(!n.same_series, "0.0.x releases are each their own series");
    }
}
