//! Load: the crates.io components of every archived product version as one lockfile, so that
//! the advisories gate's own matching ([`crate::gates::advisories::matches`]) and the yanked
//! lookups ([`crate::yanked::look_up`]) apply to them as they are, once for all versions.

use super::archive::Archived;
use crate::workspace::Lock;
use anyhow::Context as _;
use cargo_lock::{Lockfile, Name, Package, ResolveVersion, SourceId, Version};
use std::collections::BTreeSet;
use std::str::FromStr as _;

/// The lockfile of every crates.io component (each name and version once).
pub fn union<'a>(archives: impl IntoIterator<Item = &'a Archived>) -> anyhow::Result<Lock> {
    let pairs: BTreeSet<(&str, &str)> = archives
        .into_iter()
        .flat_map(|a| {
            a.components.iter().filter(|c| c.crates_io).map(|c| (c.name.as_str(), c.version.as_str()))
        })
        .collect();
    let packages = pairs.into_iter().filter_map(|(name, version)| package(name, version)).collect();
    let lockfile = Lockfile {
        version: ResolveVersion::V3,
        packages,
        root: None,
        metadata: Default::default(),
        patch: Default::default(),
    };
    // Lock is read from a file (it keeps the lines of its entries); this one lives only as long
    // as the reading takes.
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let path = dir.path().join("Cargo.lock");
    std::fs::write(&path, lockfile.to_string()).context("cannot write a temporary lockfile")?;
    Lock::read(&path, dir.path())
}

fn package(name: &str, version: &str) -> Option<Package> {
    Some(Package {
        name: Name::from_str(name).ok()?,
        version: Version::parse(version).ok()?,
        source: Some(SourceId::default()),
        checksum: None,
        dependencies: Vec::new(),
        replace: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crates_io_component_once() {
        let lock = union([]).unwrap();
        assert!(lock.lockfile.packages.is_empty());
        let p = package("vulnlib", "1.0.0").unwrap();
        assert!(p.source.as_ref().is_some_and(|s| s.is_default_registry()));
        assert!(package("vulnlib", "not-a-version").is_none());
    }
}
