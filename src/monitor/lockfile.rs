//! Load: the crates.io components of every archived product version as one lockfile, so that
//! the advisories gate's own matching ([`crate::gates::advisories::matches`]) and the yanked
//! lookups ([`crate::load::yanked::look_up`]) apply to them as they are, once for all versions.

use super::archive::Archived;
use crate::load::lockfile::Lock;
use std::collections::BTreeSet;

/// The lockfile of every crates.io component (each name and version once).
pub fn union<'a>(archives: impl IntoIterator<Item = &'a Archived>) -> anyhow::Result<Lock> {
    let pairs: BTreeSet<(String, semver::Version)> = archives
        .into_iter()
        .flat_map(|a| {
            a.components
                .iter()
                .filter(|c| c.crates_io)
                .filter_map(|c| Some((c.name.clone(), semver::Version::parse(&c.version).ok()?)))
        })
        .collect();
    Ok(Lock::of_crates_io("archived SBOMs", pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_archive_no_package() {
        let lock = union([]).unwrap();
        assert!(lock.packages.is_empty());
    }
}
