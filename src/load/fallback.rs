//! Load: the dependency graph from `Cargo.lock` and the manifests found on disk, for when
//! `cargo metadata` cannot run (a git source not cached offline, an undownloaded crate, a
//! toolchain problem, a stale lockfile).
//!
//! Every locked package is a node and every lockfile edge an edge, so the graph is an
//! over-approximation of what a build pulls in: target- and feature-gated dependencies are
//! included, and the kind of an edge (normal, build, dev) is taken from the depending package's
//! manifest where it was found, else counted as normal. Manifests are looked for where cargo
//! keeps them: the workspace itself, vendored sources (`[source] directory`), the registry source
//! cache (`$CARGO_HOME/registry/src`) and git checkouts (`$CARGO_HOME/git/checkouts`). A package
//! whose manifest is found nowhere keeps its name, version and source, and says why the rest is
//! unknown ([`crate::graph::Package::unread`]); the gates report it, never pass it.

use super::lockfile::{Lock, LockedPackage};
use super::manifests::{DepKind, Manifest};
use crate::graph::{Basis, Dep, Graph, Package, Source};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Where to look for manifests.
pub struct Places<'a> {
    /// The workspace root.
    pub root: &'a Path,
    /// The workspace members (and path dependencies inside the workspace), already read.
    pub members: &'a [Manifest],
    /// The path packages outside the members that their `path` dependencies reach.
    pub outside: &'a [Manifest],
    /// Vendored source directories from cargo's configuration.
    pub vendor_dirs: &'a [PathBuf],
    /// `$CARGO_HOME`.
    pub cargo_home: &'a Path,
}

/// Builds the graph; `reason` says why `cargo metadata` was not used.
pub fn graph(lock: &Lock, places: &Places<'_>, reason: &str) -> Graph {
    let registry_dirs = registry_src_dirs(places.cargo_home);
    let members: HashMap<(&str, String), &Manifest> =
        places.members.iter().map(|m| ((m.name.as_str(), version_of(m)), m)).collect();
    let mut order: Vec<usize> = (0..lock.packages.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&lock.packages[a], &lock.packages[b]);
        (&pa.name, &pa.version, &pa.source).cmp(&(&pb.name, &pb.version, &pb.source))
    });
    let position: Vec<usize> = {
        let mut pos = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            pos[old] = new;
        }
        pos
    };
    let mut manifests: Vec<Option<Manifest>> = Vec::with_capacity(order.len());
    let mut packages = Vec::with_capacity(order.len());
    for &i in &order {
        let locked = &lock.packages[i];
        let member = locked
            .source
            .is_none()
            .then(|| members.get(&(locked.name.as_str(), locked.version.to_string())).copied())
            .flatten();
        let found = match member {
            Some(m) => Ok(m.clone()),
            None => find_manifest(locked, places, &registry_dirs),
        };
        packages.push(package(locked, found.as_ref(), member.is_some(), places.root));
        manifests.push(found.ok());
    }
    let deps = order
        .iter()
        .zip(&manifests)
        .map(|(&i, manifest)| edges(&lock.packages[i], manifest.as_ref(), lock, &position))
        .collect();
    Graph { packages, deps, basis: Basis::Lockfile { reason: reason.to_owned() } }
}

fn version_of(m: &Manifest) -> String {
    m.version.clone().unwrap_or_else(|| semver::Version::new(0, 0, 0)).to_string()
}

/// The edges of one package, with kinds from its manifest where it was read.
fn edges(locked: &LockedPackage, manifest: Option<&Manifest>, lock: &Lock, position: &[usize]) -> Vec<Dep> {
    let mut kinds: BTreeMap<&str, (bool, bool, bool)> = BTreeMap::new();
    for d in manifest.iter().flat_map(|m| &m.deps) {
        let k = kinds.entry(d.name.as_str()).or_default();
        match d.kind {
            DepKind::Normal => k.0 = true,
            DepKind::Build => k.1 = true,
            DepKind::Dev => k.2 = true,
        }
    }
    let mut out: Vec<Dep> = locked
        .deps
        .iter()
        .map(|&to| {
            let (normal, build, dev) = match kinds.get(lock.packages[to].name.as_str()) {
                Some(&k) if manifest.is_some() => k,
                _ => (true, false, false),
            };
            Dep { to: position[to], normal, build, dev }
        })
        .collect();
    out.sort_by_key(|d| d.to);
    out
}

fn package(
    locked: &LockedPackage,
    manifest: Result<&Manifest, &String>,
    member: bool,
    root: &Path,
) -> Package {
    let source = match &locked.source {
        None => Source::Path {
            dir: manifest.as_ref().map_or_else(|_| String::new(), |m| crate::paths::relative(m.dir(), root)),
        },
        Some(repr) if locked.crates_io => {
            let _ = repr;
            Source::CratesIo
        }
        Some(repr) => crate::graph::parse_source(repr),
    };
    let mut p = Package {
        name: locked.name.clone(),
        version: locked.version.clone(),
        source,
        source_repr: locked.source.clone(),
        member,
        ..Package::bare()
    };
    match manifest {
        Ok(m) => {
            p.license = m.license.clone();
            p.license_file = m.license_file.clone();
            p.authors = m.authors.clone();
            p.description = m.description.clone();
            p.repository = m.repository.clone();
            p.homepage = m.homepage.clone();
            p.documentation = m.documentation.clone();
            p.proc_macro = m.proc_macro;
        }
        Err(reason) => p.unread = Some(reason.clone()),
    }
    p
}

/// The manifest of a dependency, wherever cargo keeps a copy; the error says where it looked.
fn find_manifest(
    locked: &LockedPackage,
    places: &Places<'_>,
    registry_dirs: &[PathBuf],
) -> Result<Manifest, String> {
    let candidates = candidates(locked, places, registry_dirs);
    for path in &candidates {
        if !path.is_file() {
            continue;
        }
        match super::manifests::read_package(path, places.root) {
            Ok(m) if m.name == locked.name && m.version.as_ref().is_none_or(|v| *v == locked.version) => {
                return Ok(m);
            }
            Ok(_) => {}
            Err(e) => return Err(format!("its manifest {} cannot be read: {e:#}", path.display())),
        }
    }
    Err(match &locked.source {
        None => {
            "it is a path dependency whose manifest was not found from the workspace's manifests".to_owned()
        }
        Some(s) if s.starts_with("git+") => {
            "its git checkout is not in cargo's cache ($CARGO_HOME/git/checkouts)".to_owned()
        }
        Some(_) => {
            "it is neither vendored nor in cargo's registry cache ($CARGO_HOME/registry/src)".to_owned()
        }
    })
}

/// Where a package's manifest may be.
fn candidates(locked: &LockedPackage, places: &Places<'_>, registry_dirs: &[PathBuf]) -> Vec<PathBuf> {
    let versioned = format!("{}-{}", locked.name, locked.version);
    let mut out = Vec::new();
    match &locked.source {
        None => {
            let named = places.outside.iter().filter(|m| m.name == locked.name);
            out.extend(named.map(|m| m.path.clone()));
            for m in places.members.iter().chain(places.outside) {
                for d in m.deps.iter().filter(|d| d.name == locked.name) {
                    out.extend(d.path.as_ref().map(|p| p.join("Cargo.toml")));
                }
            }
        }
        Some(source) if source.starts_with("git+") => {
            out.extend(git_checkouts(places.cargo_home, source, &locked.name))
        }
        Some(_) => {
            for dir in places.vendor_dirs {
                out.push(dir.join(&versioned).join("Cargo.toml"));
                out.push(dir.join(&locked.name).join("Cargo.toml"));
            }
            out.extend(registry_dirs.iter().map(|d| d.join(&versioned).join("Cargo.toml")));
        }
    }
    out
}

/// `$CARGO_HOME/registry/src/<index>/`, one per registry cargo has unpacked crates for.
fn registry_src_dirs(cargo_home: &Path) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(cargo_home.join("registry").join("src")) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = listing.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

/// The manifests of a git package's checkout: `$CARGO_HOME/git/checkouts/<repo>-<hash>/<short
/// commit>/`, searched a few levels deep for the package (a repository may hold several).
fn git_checkouts(cargo_home: &Path, source: &str, name: &str) -> Vec<PathBuf> {
    let Some(commit) = source.rsplit_once('#').map(|(_, c)| c) else { return Vec::new() };
    let short = commit.get(..7).unwrap_or(commit);
    let Ok(repos) = std::fs::read_dir(cargo_home.join("git").join("checkouts")) else { return Vec::new() };
    let mut out = Vec::new();
    for repo in repos.flatten() {
        let checkout = repo.path().join(short);
        if checkout.is_dir() {
            manifests_below(&checkout, 4, &mut out);
        }
    }
    out.sort_by_key(|p| (p.components().count(), !p.to_string_lossy().contains(name)));
    out
}

fn manifests_below(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let manifest = dir.join("Cargo.toml");
    if manifest.is_file() {
        out.push(manifest);
    }
    if depth == 0 {
        return;
    }
    let Ok(listing) = std::fs::read_dir(dir) else { return };
    for entry in listing.flatten() {
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.') || name == "target";
        if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
            manifests_below(&entry.path(), depth - 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toml_file::TomlFile;

    #[test]
    fn packages_found_nowhere_say_so_and_kinds_come_from_manifests() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let src = home.join("registry/src/index.crates.io-0000");
        std::fs::create_dir_all(src.join("cc-1.0.0")).unwrap();
        std::fs::write(
            src.join("cc-1.0.0/Cargo.toml"),
            "[package]\nname = \"cc\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n",
        )
        .unwrap();
        let text = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"cc\", \"gitlib\"]\n\n[[package]]\nname = \"cc\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"gitlib\"\nversion = \"0.2.0\"\nsource = \"git+file:///gone/lib?rev=abc#abcdef0123456789\"\n";
        let lock = Lock::parse(&TomlFile::from_text(&dir.path().join("Cargo.lock"), dir.path(), text.into()))
            .unwrap();
        let app = Manifest {
            path: dir.path().join("Cargo.toml"),
            name: "app".into(),
            version: Some(semver::Version::new(0, 1, 0)),
            deps: vec![super::super::manifests::DeclaredDep {
                name: "cc".into(),
                req: None,
                path: None,
                git: false,
                kind: DepKind::Build,
            }],
            ..Manifest::default()
        };
        let places = Places {
            root: dir.path(),
            members: std::slice::from_ref(&app),
            outside: &[],
            vendor_dirs: &[],
            cargo_home: &home,
        };
        let g = graph(&lock, &places, "offline");
        let names: Vec<&str> = g.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["app", "cc", "gitlib"]);
        assert!(g.packages[0].member);
        assert_eq!(g.packages[1].license.as_deref(), Some("MIT"));
        assert!(g.packages[2].unread.as_deref().is_some_and(|r| r.contains("git checkout")));
        assert_eq!(
            g.deps[0],
            [
                Dep { to: 1, normal: false, build: true, dev: false },
                Dep { to: 2, normal: true, build: false, dev: false }
            ]
        );
        assert_eq!(g.basis, Basis::Lockfile { reason: "offline".into() });
    }
}
