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

use crate::finding::Location;
use crate::toml_file::{SpannedErrors, TomlFile};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
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

#[derive(Deserialize)]
struct RawLock<'a> {
    version: Option<u32>,
    #[serde(default, borrow)]
    package: Vec<toml::Spanned<RawPackage<'a>>>,
    metadata: Option<BTreeMap<String, toml::Value>>,
}

#[derive(Deserialize)]
struct RawPackage<'a> {
    name: String,
    #[serde(borrow)]
    version: toml::Spanned<Text<'a>>,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default, borrow)]
    dependencies: Vec<Text<'a>>,
}

/// A string of the file, borrowed where it is written without escapes: a large lockfile's
/// dependency strings (1.4 million in 20,000 entries with 70 each) are then not copied, nor
/// freed one by one.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
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
        let (format, entries, metadata) = match chunked(file) {
            Some(parsed) => parsed,
            None => {
                let raw: RawLock = file.parse()?;
                (raw.version, raw.package.into_iter().map(|e| (0, e)).collect(), raw.metadata)
            }
        };
        let metadata = metadata.unwrap_or_default();
        let built: Vec<_> =
            entries.into_par_iter().map(|(offset, entry)| locked(file, offset, entry, &metadata)).collect();
        let mut packages = Vec::with_capacity(built.len());
        let mut specs = Vec::with_capacity(built.len());
        for entry in built {
            let (package, dependencies) = entry?;
            packages.push(package);
            specs.push(dependencies);
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::with_capacity(packages.len());
        for (i, p) in packages.iter().enumerate() {
            by_name.entry(p.name.clone()).or_default().push(i);
        }
        let mut lock = Lock {
            packages,
            format,
            sha256: crate::digest::sha256_hex(file.text.as_bytes()),
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
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in packages.iter().enumerate() {
            by_name.entry(p.name.clone()).or_default().push(i);
        }
        Lock {
            packages,
            format: None,
            sha256: String::new(),
            report_name: report_name.to_owned(),
            dangling: Vec::new(),
            by_name,
        }
    }

    /// Each package's dependency strings, resolved to entries in parallel (each lookup reads the
    /// indexes alone); what names no entry is kept as dangling, in the file's order.
    fn resolve_edges(&mut self, specs: Vec<Vec<Text<'_>>>) {
        use rayon::prelude::*;
        // The entries by "name version", as a dependency string begins: one lookup per edge
        // (1.4 million in a 20,000-package lockfile), not a comparison with every version of the
        // name.
        let mut by_name_version: HashMap<String, Vec<usize>> = HashMap::with_capacity(self.packages.len());
        for (i, p) in self.packages.iter().enumerate() {
            by_name_version.entry(format!("{} {}", p.name, p.version)).or_default().push(i);
        }
        let this = &*self;
        let resolved: Vec<(Vec<usize>, Vec<Dangling>)> = specs
            .into_par_iter()
            .enumerate()
            .map(|(from, list)| {
                let mut deps = Vec::with_capacity(list.len());
                let mut dangling = Vec::new();
                for Text(spec) in list {
                    match this.resolve(&spec, &by_name_version) {
                        Some(to) => deps.push(to),
                        None => dangling.push(Dangling { from, spec: spec.into_owned() }),
                    }
                }
                deps.sort_unstable();
                deps.dedup();
                (deps, dangling)
            })
            .collect();
        for (from, (deps, dangling)) in resolved.into_iter().enumerate() {
            self.dangling.extend(dangling);
            if let Some(p) = self.packages.get_mut(from) {
                p.deps = deps;
            }
        }
    }

    /// The entry a dependency string names: `name`, `name version` or `name version (source)`;
    /// `by_name_version` indexes the entries by `name version`.
    fn resolve(&self, spec: &str, by_name_version: &HashMap<String, Vec<usize>>) -> Option<usize> {
        let mut parts = spec.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        let candidates = match version {
            Some(v) => by_name_version.get(spec.get(..name.len() + 1 + v.len())?)?,
            None => self.by_name.get(name)?,
        };
        let mut matching = candidates.iter().copied().filter(|&i| {
            source.is_none_or(|s| self.packages.get(i).and_then(|p| p.source.as_deref()) == Some(s))
        });
        let first = matching.next()?;
        let Some(second) = matching.next() else { return Some(first) };
        // Cargo writes the source only to tell a registry package from another; without one, of
        // a path package and a registry package of the same name and version (a member
        // published under the same version), the dependency is the path package.
        if source.is_some() {
            return None;
        }
        let mut local =
            [first, second].into_iter().chain(matching).filter(|&i| self.packages[i].source.is_none());
        match (local.next(), local.next()) {
            (Some(i), None) => Some(i),
            _ => None,
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

    /// The shortest chain of dependencies from one of `roots` to `target`, as labels
    /// (`["app 1.0.0", "hyper 0.14.9", "h2 0.3.27"]`).
    pub fn path_to(&self, roots: &[usize], target: usize) -> Vec<String> {
        let mut previous: Vec<Option<usize>> = vec![None; self.packages.len()];
        let mut seen = vec![false; self.packages.len()];
        let mut queue: std::collections::VecDeque<usize> = roots.iter().copied().collect();
        for &r in roots {
            seen[r] = true;
        }
        while let Some(node) = queue.pop_front() {
            if node == target {
                let mut path = vec![node];
                while let Some(p) = path.last().and_then(|&last| previous[last]) {
                    path.push(p);
                }
                return path.iter().rev().map(|&i| self.packages[i].label()).collect();
            }
            for &dep in &self.packages[node].deps {
                if !seen[dep] {
                    seen[dep] = true;
                    previous[dep] = Some(node);
                    queue.push_back(dep);
                }
            }
        }
        vec![self.packages[target].label()]
    }
}

/// Entries of one chunk, each with the offset of its chunk in the file.
type Entries<'a> = Vec<(usize, toml::Spanned<RawPackage<'a>>)>;

/// A version 1 lockfile's `[metadata]` table.
type Metadata = BTreeMap<String, toml::Value>;

/// Entries per chunk when a large lockfile is parsed in pieces.
const CHUNK: usize = 512;

/// Parses a large lockfile in pieces split at `[[package]]` headers, on every core: a whole
/// 20,000-package file as one TOML document takes several times the time and memory. `None`
/// (parse it whole) for a small file, or when a piece does not parse on its own, so that errors
/// are always the whole file's.
///
/// A piece cut inside a multi-line string leaves that string open in the piece before it, which
/// then does not parse. What pieces parsed apart could not see is a table defined twice, which
/// TOML forbids: so the file is parsed whole unless one part at most holds anything but
/// `[[package]]` entries (version 1's `[metadata]`, say), the part before them counting when it
/// holds more than `version`.
fn chunked(file: &TomlFile) -> Option<(Option<u32>, Entries<'_>, Option<Metadata>)> {
    use rayon::prelude::*;
    let text = &file.text;
    let starts: Vec<usize> = text.match_indices("\n[[package]]\n").map(|(i, _)| i + 1).collect();
    if starts.len() <= CHUNK {
        return None;
    }
    let firsts: Vec<usize> = starts.chunks(CHUNK).map(|c| c[0]).collect();
    let ends = firsts.iter().skip(1).copied().chain(std::iter::once(text.len()));
    let bounds: Vec<(usize, usize)> = firsts.iter().copied().zip(ends).collect();
    let head = text.get(..firsts[0])?;
    let top: RawLock = toml::from_str(head).ok()?;
    let head_keys: toml::Table = toml::from_str(head).ok()?;
    let parsed: Vec<Option<(RawLock, bool)>> = bounds
        .par_iter()
        .map(|&(from, to)| {
            let piece = text.get(from..to)?;
            Some((toml::from_str(piece).ok()?, holds_other_tables(piece)))
        })
        .collect();
    let mut others = usize::from(head_keys.keys().any(|k| k != "version"));
    let mut entries = Vec::new();
    let mut metadata = top.metadata;
    for (piece, &(from, _)) in parsed.into_iter().zip(&bounds) {
        let (raw, other) = piece?;
        others += usize::from(other);
        entries.extend(raw.package.into_iter().map(|e| (from, e)));
        metadata = metadata.or(raw.metadata);
    }
    (others <= 1).then_some((top.version, entries, metadata))
}

/// Whether a piece of a lockfile has a table header other than `[[package]]` (or a line inside
/// a multi-line string that looks like one, which only makes the file be parsed whole).
fn holds_other_tables(piece: &str) -> bool {
    piece.lines().any(|line| {
        let line = line.trim_start_matches([' ', '\t']);
        line.starts_with('[') && line.trim_end() != "[[package]]"
    })
}

/// An entry as the gates see it, with its dependency strings still to resolve; `offset` is where
/// the piece it was parsed from begins.
fn locked<'a>(
    file: &TomlFile,
    offset: usize,
    entry: toml::Spanned<RawPackage<'a>>,
    metadata: &Metadata,
) -> Result<(LockedPackage, Vec<Text<'a>>), crate::toml_file::SpannedError> {
    let span = shifted(&entry.span(), offset);
    let p = entry.into_inner();
    let written = &p.version.get_ref().0;
    let version = semver::Version::parse(written).map_err(|e| {
        file.error(
            &shifted(&p.version.span(), offset),
            format!("package `{}` has an invalid version \"{written}\": {e}", p.name),
        )
    })?;
    let checksum = p.checksum.or_else(|| v1_checksum(metadata, &p.name, written, p.source.as_deref()));
    let package = LockedPackage {
        crates_io: p.source.as_deref().is_some_and(is_crates_io),
        name: p.name,
        version,
        source: p.source,
        checksum,
        deps: Vec::new(),
        line: name_line(file, &span),
    };
    Ok((package, p.dependencies))
}

fn shifted(span: &std::ops::Range<usize>, by: usize) -> std::ops::Range<usize> {
    span.start + by..span.end + by
}

/// The line of an entry's `name = ` key (the first key cargo writes), else of its header.
fn name_line(file: &TomlFile, span: &std::ops::Range<usize>) -> usize {
    let rest = file.text.get(span.start..).unwrap_or_default();
    let next_header = rest.get(1..).and_then(|r| r.find("\n[")).map_or(rest.len(), |at| at + 1);
    let entry = rest.get(..next_header).unwrap_or(rest);
    let offset = entry.find("\nname").map_or(span.start, |at| span.start + at + 1);
    file.line_col(offset).0
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
        assert_eq!(lock.path_to(&[0], 3), ["app 0.1.0", "c 0.3.0"]);
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
