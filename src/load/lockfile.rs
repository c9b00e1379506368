//! Load: `Cargo.lock`, the one input every lockfile gate judges, read once: its packages, their
//! sources and checksums, the dependency edges between them, and the line of every entry.
//!
//! The file is parsed here rather than with `cargo_lock::Lockfile`, which resolves every
//! dependency by scanning all packages (quadratic: 150 s for 20,000 packages with 70
//! dependencies each) and refuses a lockfile whose entry was removed, which is a stale lockfile
//! to report, not an unreadable one. Every lockfile version cargo writes (1 to 4) is read:
//! dependencies are `name`, `name version` or `name version (source)`, and version 1 keeps
//! checksums in `[metadata]`. Edges are resolved through a name index built once, so the whole
//! load is linear in the size of the file. Sources are parsed with `cargo_lock::SourceId`.

mod raw;
mod resolve;

use crate::finding::Location;
use crate::toml_file::{SpannedErrors, TomlFile};
use raw::{Metadata, newlines, pieces};
use std::collections::HashMap;
use std::path::Path;

/// One `[[package]]` entry.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    /// Crate name.
    pub name: String,
    /// Exact version.
    pub version: semver::Version,
    /// The `source` string as written (`None` for path packages, workspace members included).
    pub source: Option<String>,
    /// Whether the source is crates.io, in any spelling cargo resolves to it.
    pub crates_io: bool,
    /// The SHA-256 checksum of the `.crate` file (registry packages).
    pub checksum: Option<String>,
    /// The packages it depends on (indexes into [`Lock::packages`]).
    pub deps: Vec<usize>,
    /// 1-based line of its `[[package]]` header.
    pub line: usize,
}

impl LockedPackage {
    /// `name version`.
    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// A dependency an entry lists that no entry matches: an entry was removed or edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dangling {
    /// The entry that lists it.
    pub from: usize,
    /// The dependency as written.
    pub spec: String,
}

/// `Cargo.lock`, parsed.
#[derive(Debug, Clone)]
pub struct Lock {
    /// The entries, in file order.
    pub packages: Vec<LockedPackage>,
    /// The format version (`version = N`; absent in version 1 and 2 files).
    pub format: Option<u32>,
    /// SHA-256 of the bytes read: exactly what every gate judged.
    pub sha256: String,
    /// Name relative to the workspace root (`Cargo.lock`).
    pub report_name: String,
    /// Dependencies that match no entry.
    pub dangling: Vec<Dangling>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Lock {
    /// Reads and parses a lockfile; errors name the file, line and column.
    pub fn read(path: &Path, root: &Path) -> anyhow::Result<Self> {
        let file = TomlFile::read(path, root)?;
        Self::parse(&file).map_err(|e| SpannedErrors(vec![e]).into())
    }

    /// Parses a lockfile's text.
    pub fn parse(file: &TomlFile) -> Result<Self, crate::toml_file::SpannedError> {
        use rayon::prelude::*;
        let (sha256, parsed) =
            rayon::join(|| crate::digest::sha256_hex(file.text.as_bytes()), || pieces(file));
        let (format, pieces, metadata) = parsed?;
        let metadata = metadata.unwrap_or_default();
        let built: Vec<_> = pieces.into_par_iter().map(|piece| piece.build(file, &metadata)).collect();
        let mut packages = Vec::new();
        let mut specs = Vec::new();
        let mut line =
            1 + newlines(file.text.as_bytes().get(..built.first().map_or(0, |b| b.from)).unwrap_or_default());
        for piece in built {
            for entry in piece.entries {
                let (mut package, dependencies) = entry?;
                package.line += line;
                packages.push(package);
                specs.push(dependencies);
            }
            line += piece.newlines;
        }
        let by_name = by_name(&packages);
        let mut lock = Lock {
            packages,
            format,
            sha256,
            report_name: file.report_name.clone(),
            dangling: Vec::new(),
            by_name,
        };
        lock.resolve_edges(specs);
        Ok(lock)
    }

    /// A lockfile of crates.io packages without edges, for inputs that are not a `Cargo.lock`
    /// (the components of archived SBOMs); every entry is at line 0 of `report_name`.
    pub fn of_crates_io(
        report_name: &str,
        packages: impl IntoIterator<Item = (String, semver::Version)>,
    ) -> Self {
        const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
        let packages: Vec<LockedPackage> = packages
            .into_iter()
            .map(|(name, version)| LockedPackage {
                name,
                version,
                source: Some(CRATES_IO.to_owned()),
                crates_io: true,
                checksum: None,
                deps: Vec::new(),
                line: 0,
            })
            .collect();
        let by_name = by_name(&packages);
        Lock {
            packages,
            format: None,
            sha256: String::new(),
            report_name: report_name.to_owned(),
            dangling: Vec::new(),
            by_name,
        }
    }

    /// The entries of one crate name.
    pub fn named(&self, name: &str) -> impl Iterator<Item = (usize, &LockedPackage)> {
        self.by_name.get(name).into_iter().flatten().map(|&i| (i, &self.packages[i]))
    }

    /// The entry of a package; `source` (as cargo writes it) tells apart packages of the same
    /// name and version.
    pub fn find(&self, name: &str, version: &str, source: Option<&str>) -> Option<&LockedPackage> {
        let mut same = self.named(name).map(|(_, p)| p).filter(|p| p.version.to_string() == version);
        let first = same.next()?;
        match same.next() {
            None => Some(first),
            Some(second) => [first, second].into_iter().chain(same).find(|p| p.source.as_deref() == source),
        }
    }

    /// The checksum Cargo.lock records for a package (registry packages only).
    pub fn checksum(&self, name: &str, version: &str, source: Option<&str>) -> Option<String> {
        self.find(name, version, source)?.checksum.clone()
    }

    /// Where a package's `[[package]]` entry is.
    pub fn location(&self, name: &str, version: &str) -> Location {
        let line = self.named(name).find(|(_, p)| p.version.to_string() == version).map(|(_, p)| p.line);
        Location { file: self.report_name.clone(), line }
    }

    /// Where an entry is.
    pub fn location_of(&self, index: usize) -> Location {
        Location { file: self.report_name.clone(), line: self.packages.get(index).map(|p| p.line) }
    }

    /// The path packages (no source): the workspace members and path dependencies.
    pub fn path_packages(&self) -> impl Iterator<Item = usize> + '_ {
        self.packages.iter().enumerate().filter(|(_, p)| p.source.is_none()).map(|(i, _)| i)
    }

    /// The shortest chains of dependencies from `roots` to every entry they reach: one
    /// breadth-first walk, which every dependency path of a run is then read from.
    pub fn path_tree(&self, roots: &[usize]) -> PathTree {
        let mut previous: Vec<Option<usize>> = vec![None; self.packages.len()];
        let mut seen = vec![false; self.packages.len()];
        let mut queue: std::collections::VecDeque<usize> = roots.iter().copied().collect();
        for &r in roots {
            seen[r] = true;
        }
        while let Some(node) = queue.pop_front() {
            for &dep in &self.packages[node].deps {
                if !seen[dep] {
                    seen[dep] = true;
                    previous[dep] = Some(node);
                    queue.push_back(dep);
                }
            }
        }
        PathTree { previous, seen }
    }

    /// The shortest chain of dependencies from one of the tree's roots to `target`, as labels
    /// (`["app 1.0.0", "hyper 0.14.9", "h2 0.3.27"]`); the target alone when no root reaches it.
    pub fn path_in(&self, tree: &PathTree, target: usize) -> Vec<String> {
        if !tree.seen[target] {
            return vec![self.packages[target].label()];
        }
        let mut path = vec![target];
        while let Some(p) = path.last().and_then(|&last| tree.previous[last]) {
            path.push(p);
        }
        path.iter().rev().map(|&i| self.packages[i].label()).collect()
    }
}

/// What [`Lock::path_tree`] found: the entry each reached entry was first reached from.
pub struct PathTree {
    previous: Vec<Option<usize>>,
    seen: Vec<bool>,
}

/// The entries of each crate name, in file order.
fn by_name(packages: &[LockedPackage]) -> HashMap<String, Vec<usize>> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::with_capacity(packages.len());
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.name.clone()).or_default().push(i);
    }
    by_name
}

/// A version 1 lockfile's checksum: `"checksum NAME VERSION (SOURCE)" = "HASH"` in `[metadata]`.
fn v1_checksum(metadata: &Metadata, name: &str, version: &str, source: Option<&str>) -> Option<String> {
    let key = format!("checksum {name} {version} ({})", source?);
    metadata.get(&key)?.as_str().filter(|c| *c != "<none>").map(str::to_owned)
}

/// Whether a lockfile source is crates.io as cargo would resolve it: the registry at
/// `github.com/rust-lang/crates.io-index` or the sparse index at `index.crates.io`, in any case,
/// with or without `.git`, trailing slashes, `http` or `https`.
pub fn is_crates_io(source: &str) -> bool {
    let Some((kind, url)) = source.split_once('+') else { return false };
    let url = url.split(['?', '#']).next().unwrap_or(url).to_ascii_lowercase();
    let url = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(&url);
    let url = url.trim_end_matches('/');
    let url = url.strip_suffix(".git").unwrap_or(url).trim_end_matches('/');
    match kind {
        "registry" => url == "github.com/rust-lang/crates.io-index",
        "sparse" => url == "index.crates.io",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::raw::{CHUNK, RawLock, chunked};
    use super::*;

    fn parse(text: &str) -> Lock {
        Lock::parse(&TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.to_owned()))
            .unwrap()
    }

    const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

    #[test]
    fn edges_lines_and_checksums() {
        let lock = parse(&format!(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"b 1.0.0\",\n \"b 2.0.0\",\n \"c\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"aa\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"{CRATES_IO}\"\n\n[[package]]\nname = \"c\"\nversion = \"0.3.0\"\nsource = \"{CRATES_IO}\"\ndependencies = [\"gone\"]\n"
        ));
        assert_eq!(lock.packages.len(), 4);
        assert_eq!(lock.packages[0].deps, [1, 2, 3]);
        assert_eq!(lock.packages[1].line, 13);
        assert_eq!(lock.checksum("b", "1.0.0", Some(CRATES_IO)).as_deref(), Some("aa"));
        assert_eq!(lock.dangling, [Dangling { from: 3, spec: "gone".into() }]);
        let tree = lock.path_tree(&[0]);
        assert_eq!(lock.path_in(&tree, 3), ["app 0.1.0", "c 0.3.0"]);
        assert_eq!(lock.path_in(&tree, 0), ["app 0.1.0"]);
        // From c, nothing reaches app: the path is app alone.
        assert_eq!(lock.path_in(&lock.path_tree(&[3]), 0), ["app 0.1.0"]);
        assert!(lock.packages[1].crates_io && !lock.packages[0].crates_io);
    }

    #[test]
    fn a_dependency_without_a_source_is_the_path_package_of_that_name_and_version() {
        let lock = parse(&format!(
            "version = 4\n\n[[package]]\nname = \"g\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"g\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\n\n[[package]]\nname = \"tool\"\nversion = \"0.1.0\"\ndependencies = [\n \"g 1.0.0\",\n \"g 1.0.0 ({CRATES_IO})\",\n]\n"
        ));
        assert_eq!(lock.dangling, []);
        assert_eq!(lock.packages[2].deps, [0, 1]);
    }

    #[test]
    fn version_1_checksums_come_from_metadata() {
        let lock = parse(&format!(
            "[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\n\n[metadata]\n\"checksum b 1.0.0 ({CRATES_IO})\" = \"bb\"\n"
        ));
        assert_eq!(lock.packages[0].checksum.as_deref(), Some("bb"));
        assert_eq!(lock.format, None);
    }

    #[test]
    fn every_spelling_of_crates_io_is_crates_io() {
        for s in [
            CRATES_IO,
            "registry+https://github.com/rust-lang/crates.io-index.git",
            "registry+https://github.com/rust-lang/crates.io-index/",
            "registry+https://GitHub.com/Rust-Lang/Crates.io-Index",
            "registry+http://github.com/rust-lang/crates.io-index",
            "sparse+https://index.crates.io/",
            "sparse+https://INDEX.crates.io",
        ] {
            assert!(is_crates_io(s), "{s}");
        }
        for s in [
            "registry+https://example.com/crates.io-index",
            "git+https://github.com/rust-lang/crates.io-index",
            "sparse+https://index.crates.io.evil.com/",
        ] {
            assert!(!is_crates_io(s), "{s}");
        }
    }

    #[test]
    fn a_large_file_parsed_in_pieces_is_the_same_as_parsed_whole() {
        let mut text = String::from("# comment\nversion = 4\n\n");
        for i in 0..(3 * CHUNK + 7) {
            let dep =
                if i == 100 { "gone".to_owned() } else { format!("c{}", (i * 7 + 1) % (3 * CHUNK + 7)) };
            text.push_str(&format!(
                "[[package]]\nname = \"c{i}\"\nversion = \"1.0.{i}\"\nsource = \"{CRATES_IO}\"\ndependencies = [\n \"{dep}\",\n]\n\n"
            ));
        }
        let file = TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.clone());
        assert!(chunked(&file).is_some());
        let pieces = Lock::parse(&file).unwrap();
        let raw: RawLock = file.parse().unwrap();
        assert_eq!(raw.package.len(), pieces.packages.len());
        assert_eq!(pieces.packages[600].line, text.lines().position(|l| l == "name = \"c600\"").unwrap() + 1);
        assert_eq!(pieces.dangling, [Dangling { from: 100, spec: "gone".into() }]);
        assert_eq!(pieces.packages[5].deps, [36]);
        let bad = text.replace("version = \"1.0.1500\"", "version = \"x\"");
        let err =
            Lock::parse(&TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), bad.clone()))
                .unwrap_err();
        assert_eq!(err.line, bad.lines().position(|l| l == "version = \"x\"").unwrap() + 1, "{err}");
    }

    /// A lockfile of `n` entries, each depending on another.
    fn large(n: usize) -> String {
        let mut text = String::from("version = 4\n\n");
        for i in 0..n {
            text.push_str(&format!(
                "[[package]]\nname = \"c{i}\"\nversion = \"1.0.{i}\"\nsource = \"{CRATES_IO}\"\ndependencies = [\n \"c{}\",\n]\n\n",
                (i + 1) % n
            ));
        }
        text
    }

    #[test]
    fn a_table_defined_twice_is_an_error_whichever_pieces_hold_it() {
        let mut text = large(3 * CHUNK);
        let second = text.match_indices("[[package]]\nname = \"c1000\"").next().unwrap().0;
        text.insert_str(second, "[metadata]\na = 1\n\n");
        text.push_str("[metadata]\nb = 2\n");
        let file = TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text);
        assert!(chunked(&file).is_none());
        let err = Lock::parse(&file).unwrap_err();
        assert!(err.to_string().contains("duplicate"), "{err}");
    }

    #[test]
    fn a_dependency_written_with_escapes_is_resolved() {
        let text = large(2 * CHUNK).replace("\"c7\",", "\"\\u00637\",");
        let lock = parse(&text);
        assert_eq!(lock.packages[6].deps, [7]);
        assert_eq!(lock.dangling, []);
    }

    #[test]
    fn an_empty_file_locks_nothing() {
        assert!(parse("").packages.is_empty());
    }
}
