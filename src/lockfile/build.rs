//! Building the model from what was read: versions, checksums and lines checked, the name
//! index built once, and every dependency string resolved through it.

use super::raw::{At, RawEntry, RawLock};
use super::{Format, Lockfile, Package, PackageId};
use crate::toml_file::{SpannedError, SpannedErrors, TomlFile};
use semver::Version;
use std::collections::HashMap;
use std::ops::Range;

/// A package's dependency strings and the offset of its entry, until they are resolved.
pub(super) struct Dependencies {
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
        let Some(space) = memchr::memchr(b' ', text.as_bytes()) else {
            return (!text.is_empty()).then_some(DepSpec { name: text, version: None, source: None });
        };
        let (name, rest) = (&text[..space], &text[space + 1..]);
        let (version, source) = match rest.split_once(' ') {
            Some((version, source)) => (version, Some(source.strip_prefix('(')?.strip_suffix(')')?)),
            None => (rest, None),
        };
        let empty = name.is_empty() || version.is_empty() || source.is_some_and(str::is_empty);
        (!empty).then_some(DepSpec { name, version: Some(version), source })
    }

    /// The format 1 `[metadata]` key form: `checksum name version (source)`.
    fn from_checksum_key(key: &'a str) -> Option<Self> {
        let spec = Self::parse(key.strip_prefix("checksum ")?)?;
        spec.version.map(|_| spec)
    }
}

/// Collects errors while the model is built, and turns spans into lines through an index of
/// line starts built once.
pub(super) struct Builder<'f> {
    file: &'f TomlFile,
    line_starts: Vec<usize>,
    errors: Vec<SpannedError>,
}

/// Format 1 checksums by (name, version, source).
pub(super) type Checksums = HashMap<(String, String, Option<String>), Option<String>>;

impl<'f> Builder<'f> {
    pub(super) fn new(file: &'f TomlFile) -> Self {
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
    pub(super) fn format(&mut self, raw: &RawLock) -> Format {
        let Some(version) = &raw.version else {
            let inline = raw.packages.iter().any(|p| p.checksum.is_some());
            return if inline { Format::V2 } else { Format::V1 };
        };
        match version.value {
            1 => Format::V1,
            2 => Format::V2,
            3 => Format::V3,
            4 => Format::V4,
            n => {
                let message = format!("unsupported lockfile version {n}: formats 1 to 4 are read");
                self.error(&version.span, message);
                Format::V4
            }
        }
    }

    /// The format 1 checksums in `[metadata]` (`"<none>"` for packages without one).
    pub(super) fn metadata_checksums(&mut self, metadata: &[(At<String>, At<String>)]) -> Checksums {
        let mut out = Checksums::new();
        for (key, value) in metadata {
            if !key.value.starts_with("checksum ") {
                continue;
            }
            let Some(spec) = DepSpec::from_checksum_key(&key.value) else {
                self.error(&key.span, format!("invalid checksum key `{}`", key.value));
                continue;
            };
            let checksum = match value.value.as_str() {
                "<none>" => None,
                hex => {
                    self.checksum(hex, &value.span, &format!("{} {}", spec.name, spec.version.unwrap_or("")))
                }
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
    pub(super) fn package(&mut self, raw: RawEntry, checksums: &Checksums) -> (Package, Dependencies) {
        let line = self.line(&raw.header);
        let version_text = &raw.version.value;
        let version = Version::parse(version_text).unwrap_or_else(|e| {
            let message = format!("invalid version `{version_text}` of package `{}`: {e}", raw.name);
            self.error(&raw.version.span, message);
            Version::new(0, 0, 0)
        });
        let checksum = match &raw.checksum {
            Some(c) => self.checksum(&c.value, &c.span, &format!("{} {version_text}", raw.name)),
            None if checksums.is_empty() => None,
            None => {
                let id = (raw.name.clone(), version_text.clone(), raw.source.clone());
                checksums.get(&id).cloned().flatten()
            }
        };
        let package =
            Package { name: raw.name, version, source: raw.source, checksum, dependencies: Vec::new(), line };
        (package, Dependencies { list: raw.dependencies, entry: raw.header.start })
    }

    /// An error at the start of a line.
    fn error_at_line(&mut self, line: usize, message: String) {
        let offset = self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        self.error(&(offset..offset), message);
    }

    pub(super) fn finish(self, lockfile: Lockfile) -> Result<Lockfile, SpannedErrors> {
        if self.errors.is_empty() { Ok(lockfile) } else { Err(SpannedErrors(self.errors)) }
    }
}

impl Lockfile {
    /// Builds the name index; a package locked twice (same name, version and source) is an error.
    pub(super) fn index(&mut self, builder: &mut Builder<'_>) {
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
    pub(super) fn resolve(&mut self, deps: Vec<Dependencies>, builder: &mut Builder<'_>) {
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
}
