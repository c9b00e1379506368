//! Load: the source files each target of a member compiles, found as rustc finds them: from the
//! target's root, following every `mod name;` (with its `#[path]`, through inline modules and
//! macro bodies such as `cfg_if!`), wherever it leads: hidden directories, `target/`, symlinked
//! directories, outside the member. Files no target reaches (trybuild inputs, fixtures, stale
//! files) are not compiled, so they are not read. Each file is scanned once, recording which
//! targets reach it and whether only under `cfg(test)`.

use super::attrs::{self, FileScan};
use super::fragments::FragmentKind;
use crate::members::{Kind, Member};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A target that compiles a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The target's kind.
    pub kind: Kind,
    /// The target's name.
    pub target: String,
    /// Whether the file is compiled for it only under `cfg(test)` (its test harness).
    pub test_only: bool,
}

impl Reach {
    /// Whether this is code that ships: a library, binary or build script, outside `cfg(test)`.
    pub fn ships(&self) -> bool {
        self.kind.ships() && !self.test_only
    }
}

/// A source file of a member and what the scan found in it.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the workspace root.
    pub path: String,
    /// Absolute path.
    pub abs: PathBuf,
    /// The targets whose crate root this file is.
    pub roots_of: Vec<(Kind, String)>,
    /// The targets that compile it.
    pub reached: Vec<Reach>,
    /// The lint attributes found, or why the file could not be read or parsed.
    pub scan: Result<FileScan, String>,
}

impl SourceFile {
    /// Whether some shipped target compiles the file outside `cfg(test)`.
    pub fn ships(&self) -> bool {
        self.reached.iter().any(Reach::ships)
    }
}

/// The stack the scanner runs on: syn recurses once per nesting level.
pub const SCAN_STACK: usize = 256 << 20;

/// At most this many scanning threads (each with a [`SCAN_STACK`]).
const MAX_SCANNERS: usize = 8;

/// The files of every member, in the members' order, scanned on as many threads as there are
/// cores (at most [`MAX_SCANNERS`]), each with a large stack, a member at a time.
///
/// # Errors
///
/// Only when no scanning thread can be started, or one dies.
pub fn scan_members(
    members: Vec<Member>,
    ws_root: PathBuf,
) -> anyhow::Result<Vec<(Member, Vec<SourceFile>)>> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let workers = cores.min(MAX_SCANNERS).min(members.len()).max(1);
    let next = AtomicUsize::new(0);
    let scan = || {
        crate::process::yield_to_children();
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(member) = members.get(i) else { return out };
            out.push((i, member_files(member, &ws_root)));
        }
    };
    let mut scanned: Vec<(usize, Vec<SourceFile>)> = std::thread::scope(|s| {
        let started: Vec<_> = (0..workers)
            .map(|_| std::thread::Builder::new().stack_size(SCAN_STACK).spawn_scoped(s, scan))
            .filter_map(Result::ok)
            .collect();
        if started.is_empty() {
            anyhow::bail!("the source scanner could not be started");
        }
        let mut all = Vec::with_capacity(members.len());
        for worker in started {
            // A panic's payload is not an error value; the message says what failed.
            all.extend(
                worker.join().map_err(|_panic| anyhow::anyhow!("the source scanner stopped unexpectedly"))?,
            );
        }
        Ok(all)
    })?;
    scanned.sort_by_key(|(i, _)| *i);
    Ok(members.into_iter().zip(scanned).map(|(m, (_, files))| (m, files)).collect())
}

/// One file waiting to be read: its path, whether it owns its directory, and who reaches it.
struct Pending {
    path: PathBuf,
    mod_rs: bool,
    reach: Reach,
}

/// The files a member's targets compile, sorted by path.
pub fn member_files(member: &Member, ws_root: &Path) -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    let mut visited: BTreeSet<(usize, String, Kind, bool)> = BTreeSet::new();
    let mut queue: VecDeque<Pending> = member
        .targets
        .iter()
        .map(|t| Pending {
            path: t.root.clone(),
            mod_rs: true,
            reach: Reach { kind: t.kind, target: t.name.clone(), test_only: false },
        })
        .collect();
    while let Some(next) = queue.pop_front() {
        let key = canonical(&next.path);
        let at = *index.entry(key).or_insert_with(|| {
            files.push(read(member, ws_root, &next.path, &BTreeMap::new()));
            files.len() - 1
        });
        let reach = &next.reach;
        if !visited.insert((at, reach.target.clone(), reach.kind, reach.test_only)) {
            continue;
        }
        files[at].reached.push(reach.clone());
        let Ok(scan) = &files[at].scan else { continue };
        for decl in &scan.mods {
            let Some(child) = decl.candidates(&next.path, next.mod_rs).into_iter().find(|c| c.is_file())
            else {
                continue;
            };
            let mod_rs = decl.path.is_some() || child.file_name().is_some_and(|n| n == "mod.rs");
            let test_only = reach.test_only || decl.test_only;
            queue.push_back(Pending { path: child, mod_rs, reach: Reach { test_only, ..reach.clone() } });
        }
    }
    rescan_fragment_callers(member, ws_root, &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Reads and scans one file.
fn read(
    member: &Member,
    ws_root: &Path,
    path: &Path,
    fragments: &BTreeMap<String, Vec<FragmentKind>>,
) -> SourceFile {
    let roots_of: Vec<(Kind, String)> =
        member.targets.iter().filter(|t| t.root == path).map(|t| (t.kind, t.name.clone())).collect();
    let scan = crate::fsread::read_to_string(path, crate::fsread::limit::SOURCE)
        .map_err(|e| format!("cannot be read: {e}"))
        .and_then(|text| attrs::scan_with(&text, !roots_of.is_empty(), fragments));
    SourceFile {
        path: crate::paths::relative(&crate::paths::absolute(path), ws_root),
        abs: path.to_path_buf(),
        roots_of,
        reached: Vec::new(),
        scan,
    }
}

/// When the member defines macros that build lint attributes from their input, scans again the
/// files that call them, with the macros known.
fn rescan_fragment_callers(member: &Member, ws_root: &Path, files: &mut [SourceFile]) {
    let mut fragments: BTreeMap<String, Vec<FragmentKind>> = BTreeMap::new();
    for m in files.iter().flat_map(|f| f.scan.iter().flat_map(|s| &s.fragment_macros)) {
        fragments.entry(m.name.clone()).or_default().push(m.kind);
    }
    if fragments.is_empty() {
        return;
    }
    for file in files.iter_mut().filter(|f| f.scan.is_ok()) {
        let text = crate::fsread::read_to_string(&file.abs, crate::fsread::limit::SOURCE).unwrap_or_default();
        if fragments.keys().any(|name| text.contains(&format!("{name}!"))) {
            let again = read(member, ws_root, &file.abs, &fragments);
            file.scan = again.scan;
        }
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| crate::paths::absolute(path))
}

/// How many attributes that lower a lint sit in code that does not ship (tests, benches,
/// examples, `cfg(test)`): the gate leaves them out unless the policy asks for them.
pub fn test_only_lowerings(files: &[SourceFile]) -> usize {
    files
        .iter()
        .map(|f| {
            let scan = f.scan.as_ref().map(|s| s.attrs.as_slice()).unwrap_or_default();
            let lowering = scan.iter().filter(|a| a.level <= attrs::AttrLevel::Warn);
            if f.ships() { lowering.filter(|a| a.test_only).count() } else { lowering.count() }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_scanned_side_by_side_come_back_in_their_order_with_their_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let members: Vec<Member> = (0..40)
            .map(|i| {
                let name = format!("m{i:02}");
                let src = root.join(&name).join("src");
                std::fs::create_dir_all(&src).unwrap();
                std::fs::write(src.join("lib.rs"), format!("mod inner{i};\n")).unwrap();
                std::fs::write(src.join(format!("inner{i}.rs")), "#![allow(dead_code)]\n").unwrap();
                Member {
                    name: name.clone(),
                    id: name.clone(),
                    dir: root.join(&name),
                    manifest: root.join(&name).join("Cargo.toml"),
                    edition: "2021".into(),
                    rust_version: None,
                    targets: vec![crate::members::Target { name, kind: Kind::Lib, root: src.join("lib.rs") }],
                }
            })
            .collect();
        let scanned = scan_members(members.clone(), root).unwrap();
        assert_eq!(scanned.len(), 40);
        for (i, (member, files)) in scanned.iter().enumerate() {
            assert_eq!(member, &members[i]);
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            assert_eq!(paths, [format!("m{i:02}/src/inner{i}.rs"), format!("m{i:02}/src/lib.rs")]);
        }
    }
}
