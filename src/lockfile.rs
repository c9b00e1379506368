//! Load: `Cargo.lock` as a linear model, every package with its name, version, source,
//! checksum, resolved dependency edges and the line of its `[[package]]` entry.
//!
//! The file is deserialized once (`toml` + serde; a large file in pieces of a few hundred
//! entries, which keeps the parser's tree small) and every dependency is resolved through a name
//! index built once, so the work grows with the size of the file: a lockfile of 20,000 packages
//! with 70 dependencies each reads in about half a second, where resolving each dependency by
//! scanning every package (as `cargo_lock::Lockfile` does) takes minutes. Formats 1 to 4 are
//! read: format 1 keeps checksums in `[metadata]` and names every dependency in full; formats 2
//! to 4 shorten a dependency to its name (or name and version) where that is unambiguous.
//!
//! Nothing is guessed: a dependency that names no locked package, or more than one, a version
//! that is not semver, a malformed checksum and a package locked twice are errors naming the
//! file, line and column, and every such error in the file is reported at once.

use crate::finding::Location;
use crate::toml_file::{SpannedErrors, TomlFile};
use build::{Builder, Dependencies};
use semver::Version;
use std::collections::HashMap;
use std::path::Path;

mod build;
mod raw;

/// crates.io as a git index, as `Cargo.lock` names it.
pub const CRATES_IO_GIT: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// crates.io as a sparse index, as `Cargo.lock` names it.
pub const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

/// The lockfile format (`version = N` at the top; formats 1 and 2 have no such key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// Checksums in `[metadata]`, every dependency written in full.
    V1,
    /// Checksums on the packages, dependencies shortened where unambiguous.
    V2,
    /// As format 2, with `version = 3`.
    V3,
    /// As format 3, with git references in sources URL-encoded (`version = 4`).
    V4,
}

/// A package's position in [`Lockfile::packages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageId(usize);

impl PackageId {
    /// The position in [`Lockfile::packages`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// One `[[package]]` entry (or the format 1 `[root]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The crate name.
    pub name: String,
    /// The locked version.
    pub version: Version,
    /// The source as written (`registry+...`, `sparse+...`, `git+...`); none for path packages.
    pub source: Option<String>,
    /// The SHA-256 checksum of the `.crate` file (registry packages), in lower-case hex.
    pub checksum: Option<String>,
    /// The packages it depends on, in the order the entry lists them.
    pub dependencies: Vec<PackageId>,
    /// 1-based line of the entry's `[[package]]` header.
    pub line: usize,
}

impl Package {
    /// Whether the package comes from crates.io (git or sparse index).
    pub fn is_crates_io(&self) -> bool {
        matches!(self.source.as_deref(), Some(CRATES_IO_GIT | CRATES_IO_SPARSE))
    }
}

/// `Cargo.lock`, parsed and resolved.
#[derive(Debug, Clone)]
pub struct Lockfile {
    /// The file's format.
    pub format: Format,
    /// Every package, in file order.
    pub packages: Vec<Package>,
    /// SHA-256 of the file, in lower-case hex.
    pub sha256: String,
    /// The file's name relative to the workspace root (`Cargo.lock`), as findings show it.
    pub report_name: String,
    by_name: HashMap<String, Vec<PackageId>, foldhash::fast::RandomState>,
    /// Packages compared while resolving dependency strings (see [`Lockfile::resolution_steps`]).
    steps: usize,
}

impl Lockfile {
    /// Reads and parses the lockfile at `path`; `root` is the workspace root findings are
    /// reported relative to.
    pub fn read(path: &Path, root: &Path) -> anyhow::Result<Self> {
        let file = TomlFile::read(path, root)?;
        Ok(Self::parse(&file)?)
    }

    /// Parses a lockfile already read; every error names the file, line and column.
    pub fn parse(file: &TomlFile) -> Result<Self, SpannedErrors> {
        let raw = raw::read(file).map_err(|e| SpannedErrors(vec![e]))?;
        let mut builder = Builder::new(file);
        let format = builder.format(&raw);
        let checksums = builder.metadata_checksums(&raw.metadata);
        let (packages, deps): (Vec<Package>, Vec<Dependencies>) =
            raw.root.into_iter().chain(raw.packages).map(|e| builder.package(e, &checksums)).unzip();
        let mut lockfile = Lockfile {
            format,
            packages,
            sha256: crate::digest::sha256_hex(file.text.as_bytes()),
            report_name: file.report_name.clone(),
            by_name: HashMap::default(),
            steps: 0,
        };
        lockfile.index(&mut builder);
        lockfile.resolve(deps, &mut builder);
        builder.finish(lockfile)
    }

    /// The package with this id.
    pub fn package(&self, id: PackageId) -> &Package {
        &self.packages[id.0]
    }

    /// The packages `package` depends on.
    pub fn dependencies<'a>(&'a self, package: &'a Package) -> impl Iterator<Item = &'a Package> + 'a {
        package.dependencies.iter().map(|id| self.package(*id))
    }

    /// Every locked package of this name (several versions, or one version from several sources).
    pub fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Package> + 'a {
        let ids = self.by_name.get(name).map_or(&[][..], Vec::as_slice);
        ids.iter().map(|id| self.package(*id))
    }

    /// The package of this name and version; `source` (as written in the lockfile) tells apart
    /// the same version from two sources and is only consulted when it must be.
    pub fn find(&self, name: &str, version: &Version, source: Option<&str>) -> Option<&Package> {
        let mut matching = self.named(name).filter(|p| &p.version == version);
        let first = matching.next()?;
        match matching.next() {
            None => Some(first),
            Some(second) => {
                [first, second].into_iter().chain(matching).find(|p| p.source.as_deref() == source)
            }
        }
    }

    /// How many locked packages were compared with a dependency string while the dependencies
    /// were resolved: each string is compared with the packages of its name only, so this is
    /// the number of edges times the number of versions a name is locked at (about one), where
    /// a scan of every package per edge would make it edges x packages.
    pub fn resolution_steps(&self) -> usize {
        self.steps
    }

    /// Where a package's entry is, for a finding.
    pub fn location(&self, package: &Package) -> Location {
        Location { file: self.report_name.clone(), line: Some(package.line) }
    }
}

#[cfg(test)]
mod tests;
