//! What every lockfile gate shares: `Cargo.lock` with the workspace members located in it (the
//! roots a dependency path starts from, and the directories of path packages), and the
//! `lockfile-stale` finding, reported once per run when `Cargo.lock` is out of date with the
//! manifests: whatever the lockfile gates judged is then not what a build would use.

use crate::finding::{Code, Finding, Gate, Level, Location};
use crate::graph::Source;
use crate::load::Loaded;
use crate::load::lockfile::Lock;
use crate::load::manifests::Manifest;
use crate::report::GateRun;
use std::collections::BTreeMap;

/// `Cargo.lock` and what the manifests say about its path packages.
pub struct LockGraph<'a> {
    /// The lockfile.
    pub lock: &'a Lock,
    /// The entries of the workspace members (all path packages when the manifests could not be
    /// read).
    pub roots: Vec<usize>,
    /// The directory of each path package found in the manifests, relative to the workspace root.
    dirs: BTreeMap<usize, String>,
}

impl<'a> LockGraph<'a> {
    /// The lockfile and, where they could be read, the members' manifests.
    pub fn from_loaded(l: &'a Loaded) -> Result<Self, String> {
        let lock = l.lock.get().map_err(|e| super::missing("Cargo.lock", e))?;
        Ok(Self::new(lock, l.manifests.ok().map(Vec::as_slice), &l.outside, &l.ws.root))
    }

    /// Locates the members and path packages of `lock` in `manifests` (the members') and
    /// `outside` (the path packages their `path` dependencies reach beyond them).
    pub fn new<'b>(
        lock: &'a Lock,
        manifests: Option<&'b [Manifest]>,
        outside: &'b [Manifest],
        root: &std::path::Path,
    ) -> Self {
        let mut roots = Vec::new();
        let mut dirs = BTreeMap::new();
        // The manifest of that name and version, else of that name (a version bumped in the
        // manifest and not yet locked, which `lockfile-stale` reports).
        let find = |all: &'b [Manifest], p: &crate::load::lockfile::LockedPackage| -> Option<&'b Manifest> {
            let named = || all.iter().filter(|m| m.name == p.name);
            named().find(|m| m.version.as_ref().is_none_or(|v| *v == p.version)).or_else(|| named().next())
        };
        for i in lock.path_packages() {
            let p = &lock.packages[i];
            let member = manifests.and_then(|all| find(all, p));
            let reached = find(outside, p).map(|m| m.dir().to_path_buf());
            let declared = manifests
                .into_iter()
                .flatten()
                .chain(outside)
                .flat_map(|m| &m.deps)
                .find(|d| d.name == p.name && d.path.is_some())
                .and_then(|d| d.path.clone());
            if member.is_some() || manifests.is_none() {
                roots.push(i);
            }
            let dir = member.map(|m| m.dir().to_path_buf()).or(reached).or(declared);
            if let Some(dir) = dir {
                dirs.insert(i, crate::paths::relative(&dir, root));
            }
        }
        LockGraph { lock, roots, dirs }
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
        self.roots.contains(&i)
    }

    /// "app 1.0.0 -> hyper 0.14.9 -> h2 0.3.27".
    pub fn path_to(&self, i: usize) -> String {
        self.lock.path_to(&self.roots, i).join(" -> ")
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
