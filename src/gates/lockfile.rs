//! What every lockfile gate shares: `Cargo.lock` with the workspace members located in it (the
//! roots a dependency path starts from, and the directories of path packages), and the
//! `lockfile-stale` finding, reported once per run when `Cargo.lock` is out of date with the
//! manifests: whatever the lockfile gates judged is then not what a build would use.

use crate::finding::{Code, Finding, Gate, Level, Location};
use crate::graph::Source;
use crate::load::Loaded;
use crate::load::lockfile::{Lock, PathTree};
use crate::load::manifests::Manifest;
use crate::report::GateRun;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// `Cargo.lock` and what the manifests say about its path packages.
pub struct LockGraph<'a> {
    /// The lockfile.
    pub lock: &'a Lock,
    /// The entries of the workspace members (all path packages when the manifests could not be
    /// read), in file order.
    pub roots: Vec<usize>,
    /// Whether each entry is one of `roots`.
    root: Vec<bool>,
    /// The directory of each path package found in the manifests, relative to the workspace root.
    dirs: BTreeMap<usize, String>,
    /// The shortest dependency paths from the roots, found once when a finding first asks.
    paths: OnceLock<PathTree>,
}

impl<'a> LockGraph<'a> {
    /// The lockfile and, where they could be read, the members' manifests.
    pub fn from_loaded(l: &'a Loaded) -> Result<Self, String> {
        let lock = l.lock.get().map_err(|e| super::missing("Cargo.lock", e))?;
        Ok(Self::new(lock, l.manifests.ok().map(Vec::as_slice), &l.outside, &l.ws.root))
    }

    /// Locates the members and path packages of `lock` in `manifests` (the members') and
    /// `outside` (the path packages their `path` dependencies reach beyond them). Each
    /// manifest and each declared dependency is indexed by name once, so that a workspace of a
    /// thousand members is not searched a thousand times.
    pub fn new<'b>(
        lock: &'a Lock,
        manifests: Option<&'b [Manifest]>,
        outside: &'b [Manifest],
        root: &std::path::Path,
    ) -> Self {
        let members = manifests.map(ByName::new);
        let reached = ByName::new(outside);
        // The first `path` dependency of each name, members' manifests first.
        let mut declared: HashMap<&str, &std::path::PathBuf> = HashMap::new();
        for d in manifests.into_iter().flatten().chain(outside).flat_map(|m| &m.deps) {
            if let Some(path) = &d.path {
                declared.entry(d.name.as_str()).or_insert(path);
            }
        }
        let mut roots = Vec::new();
        let mut dirs = BTreeMap::new();
        for i in lock.path_packages() {
            let p = &lock.packages[i];
            let member = members.as_ref().and_then(|m| m.find(p));
            if member.is_some() || manifests.is_none() {
                roots.push(i);
            }
            let dir = member
                .or_else(|| reached.find(p))
                .map(|m| m.dir().to_path_buf())
                .or_else(|| declared.get(p.name.as_str()).map(|d| d.to_path_buf()));
            if let Some(dir) = dir {
                dirs.insert(i, crate::paths::relative(&dir, root));
            }
        }
        let mut is_root = vec![false; lock.packages.len()];
        for &i in &roots {
            is_root[i] = true;
        }
        LockGraph { lock, roots, root: is_root, dirs, paths: OnceLock::new() }
    }

    /// Where a package comes from; a path package whose directory no manifest names has an
    /// empty `dir`.
    pub fn source(&self, i: usize) -> Source {
        match &self.lock.packages[i].source {
            None => Source::Path { dir: self.dirs.get(&i).cloned().unwrap_or_default() },
            Some(_) if self.lock.packages[i].crates_io => Source::CratesIo,
            Some(s) => crate::graph::parse_source(s),
        }
    }

    /// Whether the entry is a workspace member.
    pub fn is_member(&self, i: usize) -> bool {
        self.root[i]
    }

    /// "app 1.0.0 -> hyper 0.14.9 -> h2 0.3.27".
    pub fn path_to(&self, i: usize) -> String {
        let tree = self.paths.get_or_init(|| self.lock.path_tree(&self.roots));
        self.lock.path_in(tree, i).join(" -> ")
    }
}

/// Manifests by package name, in their order.
struct ByName<'b>(HashMap<&'b str, Vec<&'b Manifest>>);

impl<'b> ByName<'b> {
    fn new(all: &'b [Manifest]) -> Self {
        let mut map: HashMap<&str, Vec<&Manifest>> = HashMap::with_capacity(all.len());
        for m in all {
            map.entry(m.name.as_str()).or_default().push(m);
        }
        ByName(map)
    }

    /// The manifest of that name and version, else of that name (a version bumped in the
    /// manifest and not yet locked, which `lockfile-stale` reports).
    fn find(&self, p: &crate::load::lockfile::LockedPackage) -> Option<&'b Manifest> {
        let named = self.0.get(p.name.as_str())?;
        named.iter().find(|m| m.version.as_ref().is_none_or(|v| *v == p.version)).or(named.first()).copied()
    }
}

/// The gates that judge `Cargo.lock` (directly or through the graph built from it).
const LOCKFILE_GATES: [Gate; 6] =
    [Gate::Advisories, Gate::Sources, Gate::Bans, Gate::Licenses, Gate::Support, Gate::Build];

/// `lockfile-stale`, reported by the first evaluated selected gate that reads the lockfile.
pub fn stale(loaded: &Loaded, gates: &[Gate], runs: &[GateRun]) -> Vec<Finding> {
    let evaluated = |g: &Gate| runs.iter().any(|r| r.gate == *g && r.is_evaluated());
    let Some(&gate) = LOCKFILE_GATES.iter().find(|g| gates.contains(g) && evaluated(g)) else {
        return Vec::new();
    };
    let file = loaded.lock.ok().map_or_else(|| "Cargo.lock".to_owned(), |l| l.report_name.clone());
    loaded
        .stale
        .iter()
        .map(|s| {
            let mut f = Finding::new(
                Code::LockfileStale,
                Level::Deny,
                format!("Cargo.lock is out of date: {}; what was checked is not what a build would use", s.message),
            )
            .help("update the lockfile (`cargo update -w`, or `cargo generate-lockfile`), review the change, commit it, and check again; the gate never rewrites it")
            .at(Some(Location { file: file.clone(), line: s.line }));
            f.gate = gate;
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::manifests::{DeclaredDep, DepKind};
    use crate::toml_file::TomlFile;
    use std::path::{Path, PathBuf};

    const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

    fn lock(text: &str) -> Lock {
        Lock::parse(&TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.to_owned()))
            .unwrap()
    }

    fn package(text: &mut String, name: &str, version: &str, source: bool, deps: &[&str]) {
        text.push_str(&format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"));
        if source {
            text.push_str(&format!("source = \"{CRATES_IO}\"\n"));
        }
        let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
        text.push_str(&format!("dependencies = [{}]\n\n", deps.join(", ")));
    }

    fn manifest(path: &str, name: &str, version: &str, path_deps: &[(&str, &str)]) -> Manifest {
        Manifest {
            path: PathBuf::from(path),
            name: name.to_owned(),
            version: Some(version.parse().unwrap()),
            deps: path_deps
                .iter()
                .map(|(name, dir)| DeclaredDep {
                    name: (*name).to_owned(),
                    req: None,
                    path: Some(PathBuf::from(dir)),
                    git: false,
                    kind: DepKind::Normal,
                })
                .collect(),
            ..Manifest::default()
        }
    }

    /// app (member) -> helper (path package reached outside the workspace) -> serde; tool
    /// (member, bumped to 0.2.0 in its manifest, locked at 0.1.0) -> shim (path package no
    /// manifest was read for, declared by tool) -> serde.
    fn workspace() -> (Lock, Vec<Manifest>, Vec<Manifest>) {
        let mut text = String::from("version = 4\n\n");
        package(&mut text, "app", "1.0.0", false, &["helper"]);
        package(&mut text, "helper", "0.1.0", false, &["serde"]);
        package(&mut text, "serde", "1.0.0", true, &[]);
        package(&mut text, "shim", "0.1.0", false, &["serde"]);
        package(&mut text, "tool", "0.1.0", false, &["shim"]);
        let members = vec![
            manifest("/ws/app/Cargo.toml", "app", "1.0.0", &[("helper", "/libs/helper")]),
            manifest("/ws/tool/Cargo.toml", "tool", "0.2.0", &[("shim", "/ws/vendor/shim")]),
        ];
        let outside = vec![manifest("/libs/helper/Cargo.toml", "helper", "0.1.0", &[])];
        (lock(&text), members, outside)
    }

    #[test]
    fn members_path_packages_and_their_directories_are_located() {
        let (lock, members, outside) = workspace();
        let graph = LockGraph::new(&lock, Some(&members), &outside, Path::new("/ws"));
        assert_eq!(graph.roots, [0, 4], "app, and tool whose manifest version was bumped");
        assert!(graph.is_member(0) && graph.is_member(4) && !graph.is_member(1) && !graph.is_member(3));
        let dir = |i| match graph.source(i) {
            Source::Path { dir } => dir,
            other => panic!("{other:?}"),
        };
        assert_eq!(dir(0), "app");
        assert_eq!(dir(1), "../libs/helper", "from the manifest read outside the workspace");
        assert_eq!(dir(3), "vendor/shim", "from the path dependency that declares it");
        assert_eq!(graph.path_to(2), "app 1.0.0 -> helper 0.1.0 -> serde 1.0.0");
        assert_eq!(graph.path_to(3), "tool 0.1.0 -> shim 0.1.0");
        assert_eq!(graph.path_to(4), "tool 0.1.0");
    }

    #[test]
    fn without_manifests_every_path_package_is_a_root() {
        let (lock, _, outside) = workspace();
        let graph = LockGraph::new(&lock, None, &outside, Path::new("/ws"));
        assert_eq!(graph.roots, [0, 1, 3, 4]);
        assert_eq!(graph.path_to(2), "helper 0.1.0 -> serde 1.0.0");
    }

    #[test]
    fn of_two_manifests_of_one_name_the_locked_version_is_the_member() {
        let mut text = String::from("version = 4\n\n");
        package(&mut text, "dup", "1.0.0", false, &[]);
        package(&mut text, "dup", "2.0.0", false, &[]);
        let lock = lock(&text);
        let members = vec![
            manifest("/ws/new/Cargo.toml", "dup", "2.0.0", &[]),
            manifest("/ws/old/Cargo.toml", "dup", "1.0.0", &[]),
        ];
        let graph = LockGraph::new(&lock, Some(&members), &[], Path::new("/ws"));
        assert_eq!(graph.source(0), Source::Path { dir: "old".into() });
        assert_eq!(graph.source(1), Source::Path { dir: "new".into() });
    }
}
