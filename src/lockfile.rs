//! Load: `Cargo.lock` as a linear model, every package with its name, version, source,
//! checksum, resolved dependency edges and the line of its `[[package]]` entry.
//!
//! The file is deserialized once (`toml` + serde) and every dependency is resolved through a
//! name index built once, so the work grows with the size of the file: a lockfile of 20,000
//! packages with 70 dependencies each is read in one pass, where resolving each dependency by
//! scanning every package (as `cargo_lock::Lockfile` does) takes minutes. Formats 1 to 4 are
//! read: format 1 keeps checksums in `[metadata]` and names every dependency in full; formats 2
//! to 4 shorten a dependency to its name (or name and version) where that is unambiguous.
//!
//! Nothing is guessed: a dependency that names no locked package, or more than one, a version
//! that is not semver, a malformed checksum and a package locked twice are errors naming the
//! file, line and column, and every such error in the file is reported at once.

use crate::finding::Location;
use crate::toml_file::{SpannedError, SpannedErrors, TomlFile};
use semver::Version;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

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
        let raw: RawLock = file.parse().map_err(|e| SpannedErrors(vec![e]))?;
        let mut builder = Builder::new(file);
        let format = builder.format(&raw);
        let checksums = builder.metadata_checksums(&raw.metadata);
        let (packages, deps): (Vec<Package>, Vec<Dependencies>) =
            raw.root.into_iter().chain(raw.package).map(|e| builder.package(e, &checksums)).unzip();
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

/// The file as serde reads it.
#[derive(Deserialize)]
struct RawLock {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
    root: Option<Spanned<RawPackage>>,
    #[serde(default)]
    metadata: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// One `[[package]]` entry as serde reads it.
#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: Spanned<String>,
    source: Option<String>,
    checksum: Option<Spanned<String>>,
    // Plain strings: a span per dependency would cost more than the rest of the parse; the
    // position of the rare one that does not resolve is found in the text (Builder::dep_span).
    #[serde(default)]
    dependencies: Vec<String>,
}

/// A package's dependency strings and the offset of its entry, until they are resolved.
struct Dependencies {
    list: Vec<String>,
    entry: usize,
}

/// A dependency as written: `name`, `name version` or `name version (source)`.
#[derive(Debug, PartialEq, Eq)]
struct DepSpec<'a> {
    name: &'a str,
    version: Option<&'a str>,
    source: Option<&'a str>,
}

impl<'a> DepSpec<'a> {
    /// Splits a dependency string; `None` when it has none of the three forms.
    fn parse(text: &'a str) -> Option<Self> {
        if !text.contains(' ') {
            return (!text.is_empty()).then_some(DepSpec { name: text, version: None, source: None });
        }
        let mut parts = text.splitn(3, ' ');
        let name = parts.next().filter(|n| !n.is_empty())?;
        let version = parts.next();
        let source = match parts.next() {
            Some(s) => Some(s.strip_prefix('(')?.strip_suffix(')').filter(|s| !s.is_empty())?),
            None => None,
        };
        if version.is_some_and(str::is_empty) {
            return None;
        }
        Some(DepSpec { name, version, source })
    }

    /// The format 1 `[metadata]` key form: `checksum name version (source)`.
    fn from_checksum_key(key: &'a str) -> Option<Self> {
        let spec = Self::parse(key.strip_prefix("checksum ")?)?;
        spec.version.map(|_| spec)
    }
}

/// Collects errors while the model is built, and turns spans into lines through an index of
/// line starts built once.
struct Builder<'f> {
    file: &'f TomlFile,
    line_starts: Vec<usize>,
    errors: Vec<SpannedError>,
}

/// Format 1 checksums by (name, version, source).
type Checksums = HashMap<(String, String, Option<String>), Option<String>>;

impl<'f> Builder<'f> {
    fn new(file: &'f TomlFile) -> Self {
        let newlines = memchr::memchr_iter(b'\n', file.text.as_bytes()).map(|i| i + 1);
        Builder { file, line_starts: std::iter::once(0).chain(newlines).collect(), errors: Vec::new() }
    }

    /// Where a dependency string is written in the entry at `entry`: the first `"dep"` after the
    /// entry's `dependencies` key (the entry's header when it cannot be found).
    fn dep_span(&self, entry: usize, dep: &str) -> Range<usize> {
        let quoted = format!("\"{dep}\"");
        let found = self.file.text.get(entry..).and_then(|rest| {
            let key = rest.find("dependencies")?;
            let at = entry + key + rest[key..].find(&quoted)?;
            Some(at..at + quoted.len())
        });
        found.unwrap_or(entry..entry)
    }

    /// 1-based line and column of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.file.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    fn line(&self, span: &Range<usize>) -> usize {
        self.line_col(span.start).0
    }

    fn error(&mut self, span: &Range<usize>, message: String) {
        let (line, column) = self.line_col(span.start);
        self.errors.push(SpannedError { file: self.file.display.clone(), line, column, message });
    }

    /// The format: `version = N` where given, else 2 when a package carries its checksum, else 1.
    fn format(&mut self, raw: &RawLock) -> Format {
        let Some(version) = &raw.version else {
            let inline = raw.package.iter().any(|p| p.get_ref().checksum.is_some());
            return if inline { Format::V2 } else { Format::V1 };
        };
        match *version.get_ref() {
            1 => Format::V1,
            2 => Format::V2,
            3 => Format::V3,
            4 => Format::V4,
            n => {
                let message = format!("unsupported lockfile version {n}: formats 1 to 4 are read");
                self.error(&version.span(), message);
                Format::V4
            }
        }
    }

    /// The format 1 checksums in `[metadata]` (`"<none>"` for packages without one).
    fn metadata_checksums(&mut self, metadata: &BTreeMap<Spanned<String>, Spanned<String>>) -> Checksums {
        let mut out = Checksums::new();
        for (key, value) in metadata {
            if !key.get_ref().starts_with("checksum ") {
                continue;
            }
            let Some(spec) = DepSpec::from_checksum_key(key.get_ref()) else {
                self.error(&key.span(), format!("invalid checksum key `{}`", key.get_ref()));
                continue;
            };
            let checksum = match value.get_ref().as_str() {
                "<none>" => None,
                hex => self.checksum(
                    hex,
                    &value.span(),
                    &format!("{} {}", spec.name, spec.version.unwrap_or("")),
                ),
            };
            let id =
                (spec.name.to_owned(), spec.version.unwrap_or("").to_owned(), spec.source.map(str::to_owned));
            out.insert(id, checksum);
        }
        out
    }

    /// A checksum, when it is 64 hexadecimal digits.
    fn checksum(&mut self, hex: &str, span: &Range<usize>, package: &str) -> Option<String> {
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(hex.to_ascii_lowercase());
        }
        self.error(span, format!("invalid checksum of `{package}`: expected 64 hexadecimal digits"));
        None
    }

    /// A package without its dependencies, and its dependency strings (resolved once every
    /// package is known).
    fn package(&mut self, entry: Spanned<RawPackage>, checksums: &Checksums) -> (Package, Dependencies) {
        let line = self.line(&entry.span());
        let offset = entry.span().start;
        let raw = entry.into_inner();
        let (version_text, version_span) = (raw.version.get_ref(), raw.version.span());
        let version = Version::parse(version_text).unwrap_or_else(|e| {
            self.error(
                &version_span,
                format!("invalid version `{version_text}` of package `{}`: {e}", raw.name),
            );
            Version::new(0, 0, 0)
        });
        let checksum = match &raw.checksum {
            Some(c) => self.checksum(c.get_ref(), &c.span(), &format!("{} {version_text}", raw.name)),
            None if checksums.is_empty() => None,
            None => {
                let id = (raw.name.clone(), version_text.clone(), raw.source.clone());
                checksums.get(&id).cloned().flatten()
            }
        };
        let package =
            Package { name: raw.name, version, source: raw.source, checksum, dependencies: Vec::new(), line };
        (package, Dependencies { list: raw.dependencies, entry: offset })
    }

    /// An error at the start of a line.
    fn error_at_line(&mut self, line: usize, message: String) {
        let offset = self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        self.error(&(offset..offset), message);
    }

    fn finish(self, lockfile: Lockfile) -> Result<Lockfile, SpannedErrors> {
        if self.errors.is_empty() { Ok(lockfile) } else { Err(SpannedErrors(self.errors)) }
    }
}

impl Lockfile {
    /// Builds the name index; a package locked twice (same name, version and source) is an error.
    fn index(&mut self, builder: &mut Builder<'_>) {
        for (i, package) in self.packages.iter().enumerate() {
            let ids = self.by_name.entry(package.name.clone()).or_default();
            let same = |id: &&PackageId| {
                let other = &self.packages[id.0];
                other.version == package.version && other.source == package.source
            };
            if let Some(first) = ids.iter().find(same) {
                let message = format!(
                    "package `{} {}` is locked twice; the first entry is at line {}",
                    package.name, package.version, self.packages[first.0].line
                );
                builder.error_at_line(package.line, message);
            }
            ids.push(PackageId(i));
        }
    }

    /// Resolves the dependency strings of every package (in file order) to package ids.
    fn resolve(&mut self, deps: Vec<Dependencies>, builder: &mut Builder<'_>) {
        let mut steps = 0;
        for (i, deps) in deps.into_iter().enumerate() {
            let mut resolved = Vec::with_capacity(deps.list.len());
            for dep in &deps.list {
                match self.resolve_one(dep, &mut steps) {
                    Ok(id) => resolved.push(id),
                    Err(why) => {
                        let owner = &self.packages[i];
                        let message =
                            format!("dependency `{dep}` of `{} {}` {why}", owner.name, owner.version);
                        builder.error(&builder.dep_span(deps.entry, dep), message);
                    }
                }
            }
            self.packages[i].dependencies = resolved;
        }
        self.steps = steps;
    }

    /// The one locked package a dependency string names; the error completes a sentence.
    fn resolve_one(&self, text: &str, steps: &mut usize) -> Result<PackageId, String> {
        let spec = DepSpec::parse(text).ok_or_else(|| {
            "is malformed: expected `name`, `name version` or `name version (source)`".to_owned()
        })?;
        let version = match spec.version {
            Some(v) => Some(Version::parse(v).map_err(|e| format!("has an invalid version: {e}"))?),
            None => None,
        };
        // Format 1 writes every dependency in full: no source there means a path package.
        let exact_source = self.format == Format::V1;
        let candidates = self.by_name.get(spec.name).map_or(&[][..], Vec::as_slice);
        *steps += candidates.len();
        let mut matching = candidates.iter().copied().filter(|id| {
            let p = &self.packages[id.0];
            let source_matches = match spec.source {
                Some(s) => p.source.as_deref() == Some(s),
                None => !exact_source || p.source.is_none(),
            };
            source_matches && version.as_ref().is_none_or(|v| &p.version == v)
        });
        match (matching.next(), matching.next()) {
            (Some(id), None) => Ok(id),
            (None, _) => Err("is not a locked package".to_owned()),
            (Some(_), Some(_)) => Err(format!(
                "is ambiguous: {} locked packages match; the entry must name the {}",
                2 + matching.count(),
                if spec.version.is_none() { "version" } else { "source" }
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIT: &str = CRATES_IO_GIT;
    const SUM_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const SUM_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    fn parse(text: &str) -> Result<Lockfile, SpannedErrors> {
        Lockfile::parse(&TomlFile::from_text(Path::new("/ws/Cargo.lock"), Path::new("/ws"), text.to_owned()))
    }

    /// The errors, with the file as shown to people (`/ws/Cargo.lock` from any other directory).
    fn errors(text: &str) -> Vec<String> {
        let errors = parse(text).unwrap_err().0;
        assert!(errors.iter().all(|e| e.file.ends_with("Cargo.lock")), "{errors:?}");
        errors.iter().map(|e| format!("{}:{}: {}", e.line, e.column, e.message)).collect()
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn deps(lock: &Lockfile, name: &str, version: &str) -> Vec<String> {
        let p = lock.find(name, &v(version), None).unwrap();
        lock.dependencies(p).map(|d| format!("{} {}", d.name, d.version)).collect()
    }

    fn v4() -> String {
        format!(
            "version = 4\n\n\
             [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"log\",\n \"syn 1.0.109\",\n \"syn 2.0.1\",\n]\n\n\
             [[package]]\nname = \"log\"\nversion = \"0.4.22\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_A}\"\n\n\
             [[package]]\nname = \"syn\"\nversion = \"1.0.109\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_B}\"\n\n\
             [[package]]\nname = \"syn\"\nversion = \"2.0.1\"\nsource = \"{CRATES_IO_SPARSE}\"\ndependencies = [\"log\"]\n"
        )
    }

    #[test]
    fn v4_packages_with_sources_checksums_lines_and_edges() {
        let lock = parse(&v4()).unwrap();
        assert_eq!(lock.format, Format::V4);
        let summary: Vec<_> = lock
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.to_string(), p.is_crates_io(), p.checksum.is_some(), p.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("app", "0.1.0".to_owned(), false, false, 3),
                ("log", "0.4.22".to_owned(), true, true, 12),
                ("syn", "1.0.109".to_owned(), true, true, 18),
                ("syn", "2.0.1".to_owned(), true, false, 24),
            ]
        );
        assert_eq!(deps(&lock, "app", "0.1.0"), ["log 0.4.22", "syn 1.0.109", "syn 2.0.1"]);
        assert_eq!(deps(&lock, "syn", "2.0.1"), ["log 0.4.22"]);
        assert_eq!(lock.packages[1].checksum.as_deref(), Some(SUM_A));
        assert_eq!(lock.named("syn").count(), 2);
        assert_eq!(lock.location(&lock.packages[2]), Location { file: "Cargo.lock".into(), line: Some(18) });
        assert_eq!(lock.sha256, crate::digest::sha256_hex(v4().as_bytes()));
        // Each of the 4 dependency strings was compared with the packages of its name only.
        assert_eq!(lock.resolution_steps(), 1 + 2 + 2 + 1);
    }

    #[test]
    fn a_version_locked_from_two_sources_is_told_apart_by_the_source() {
        let other = "registry+https://mirror.example.com/index";
        let text = format!(
            "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"rand 0.8.5 ({other})\"]\n\n\
             [[package]]\nname = \"rand\"\nversion = \"0.8.5\"\nsource = \"{GIT}\"\n\n\
             [[package]]\nname = \"rand\"\nversion = \"0.8.5\"\nsource = \"{other}\"\n"
        );
        let lock = parse(&text).unwrap();
        assert_eq!(lock.format, Format::V3);
        let dep = lock.dependencies(&lock.packages[0]).next().unwrap();
        assert_eq!(dep.source.as_deref(), Some(other));
        assert_eq!(lock.find("rand", &v("0.8.5"), Some(GIT)).unwrap().line, 8);
        assert_eq!(lock.find("rand", &v("0.8.5"), Some(other)).unwrap().line, 13);
        assert!(lock.find("rand", &v("0.8.6"), None).is_none());
    }

    #[test]
    fn v1_reads_the_root_full_dependencies_and_metadata_checksums() {
        let text = format!(
            "[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"log 0.4.22 ({GIT})\",\n \"util 0.1.0\",\n]\n\n\
             [[package]]\nname = \"log\"\nversion = \"0.4.22\"\nsource = \"{GIT}\"\n\n\
             [[package]]\nname = \"util\"\nversion = \"0.1.0\"\n\n\
             [metadata]\n\"checksum log 0.4.22 ({GIT})\" = \"{SUM_A}\"\n\"checksum other 1.0.0 ({GIT})\" = \"<none>\"\n"
        );
        let lock = parse(&text).unwrap();
        assert_eq!(lock.format, Format::V1);
        assert_eq!((lock.packages[0].name.as_str(), lock.packages[0].line), ("app", 1));
        assert_eq!(deps(&lock, "app", "0.1.0"), ["log 0.4.22", "util 0.1.0"]);
        assert_eq!(lock.packages[1].checksum.as_deref(), Some(SUM_A));
        assert_eq!(lock.packages[2].checksum, None);
    }

    #[test]
    fn without_a_version_key_inline_checksums_mean_format_2() {
        let text = format!(
            "[[package]]\nname = \"log\"\nversion = \"0.4.22\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_A}\"\n"
        );
        assert_eq!(parse(&text).unwrap().format, Format::V2);
        assert_eq!(parse("[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n").unwrap().format, Format::V1);
    }

    #[test]
    fn every_error_names_the_file_line_and_column_and_all_are_reported_at_once() {
        let text = format!(
            "version = 4\n\n\
             [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"missing\",\n \"syn\",\n \"log 0.5.0\",\n \"bad name (x\",\n]\n\n\
             [[package]]\nname = \"syn\"\nversion = \"1.0.0\"\nsource = \"{GIT}\"\n\n\
             [[package]]\nname = \"syn\"\nversion = \"2.0.0\"\nsource = \"{GIT}\"\nchecksum = \"abc\"\n\n\
             [[package]]\nname = \"log\"\nversion = \"one\"\n\n\
             [[package]]\nname = \"syn\"\nversion = \"1.0.0\"\nsource = \"{GIT}\"\n"
        );
        assert_eq!(
            errors(&text),
            [
                "22:12: invalid checksum of `syn 2.0.0`: expected 64 hexadecimal digits",
                "26:11: invalid version `one` of package `log`: unexpected character 'o' while parsing major version number",
                "28:1: package `syn 1.0.0` is locked twice; the first entry is at line 13",
                "7:2: dependency `missing` of `app 0.1.0` is not a locked package",
                "8:2: dependency `syn` of `app 0.1.0` is ambiguous: 3 locked packages match; the entry must name the version",
                "9:2: dependency `log 0.5.0` of `app 0.1.0` is not a locked package",
                "10:2: dependency `bad name (x` of `app 0.1.0` is malformed: expected `name`, `name version` or `name version (source)`",
            ]
        );
    }

    #[test]
    fn syntax_errors_unknown_versions_and_missing_keys_are_errors() {
        assert_eq!(
            errors("version = 5\n"),
            ["1:11: unsupported lockfile version 5: formats 1 to 4 are read"]
        );
        let syntax = errors("version = 4\n[[package]\nname = \"a\"\n");
        assert!(syntax.len() == 1 && syntax[0].starts_with("2:"), "{syntax:?}");
        let missing = errors("version = 4\n\n[[package]]\nname = \"a\"\n");
        assert!(missing.len() == 1 && missing[0].contains("missing field `version`"), "{missing:?}");
        let key = errors("[metadata]\n\"checksum a\" = \"<none>\"\n");
        assert_eq!(key, ["2:1: invalid checksum key `checksum a`"]);
    }

    #[test]
    fn dependency_strings_have_three_forms() {
        let spec = |name, version, source| DepSpec { name, version, source };
        assert_eq!(DepSpec::parse("a"), Some(spec("a", None, None)));
        assert_eq!(DepSpec::parse("a 1.0.0"), Some(spec("a", Some("1.0.0"), None)));
        assert_eq!(
            DepSpec::parse("a 1.0.0 (git+https://x?rev=1 2)"),
            Some(spec("a", Some("1.0.0"), Some("git+https://x?rev=1 2")))
        );
        for bad in ["", " a", "a ", "a 1.0.0 x", "a 1.0.0 ()", "a 1.0.0 (x"] {
            assert_eq!(DepSpec::parse(bad), None, "{bad:?}");
        }
    }

    /// A v4 lockfile of `packages` crates.io packages, each depending on the next `deps` (one
    /// name in nineteen locked at two versions, so the edges to them carry the version).
    fn generated(packages: usize, deps: usize) -> String {
        let name = |i: usize| format!("c{:05}", if i % 20 == 1 { i - 1 } else { i });
        let version = |i: usize| if i % 20 == 1 { "0.9.0" } else { "1.0.0" };
        let dep = |i: usize| {
            let twice = i % 20 <= 1;
            if twice { format!("{} {}", name(i), version(i)) } else { name(i) }
        };
        let mut text = String::from("version = 4\n");
        for i in 0..packages {
            text.push_str(&format!(
                "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = \"{GIT}\"\nchecksum = \"{SUM_A}\"\ndependencies = [\n",
                name(i),
                version(i)
            ));
            for j in 1..=deps {
                text.push_str(&format!(" \"{}\",\n", dep((i + j) % packages)));
            }
            text.push_str("]\n");
        }
        text
    }

    #[test]
    fn resolution_is_linear_in_the_edges_on_20000_packages_with_70_dependencies_each() {
        let small = parse(&generated(20_000, 5)).map_err(|e| e.0.len()).unwrap();
        let large = parse(&generated(20_000, 70)).map_err(|e| e.0.len()).unwrap();
        assert_eq!(large.packages.len(), 20_000);
        let edges: usize = large.packages.iter().map(|p| p.dependencies.len()).sum();
        assert_eq!(edges, 20_000 * 70);
        // One name in ten is locked twice: each edge compares with at most two packages
        // (a scan per edge would compare 1.4 million edges with 20,000 packages each).
        assert!(large.resolution_steps() <= 2 * edges, "{}", large.resolution_steps());
        assert!(large.resolution_steps() >= edges);
        // Fourteen times the edges, at most fourteen times the work.
        assert!(large.resolution_steps() <= 14 * small.resolution_steps());
        let first = &large.packages[0];
        let names: Vec<_> =
            large.dependencies(first).take(3).map(|p| format!("{} {}", p.name, p.version)).collect();
        assert_eq!(names, ["c00000 0.9.0", "c00002 1.0.0", "c00003 1.0.0"]);
    }
}
