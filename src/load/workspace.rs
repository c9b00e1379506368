//! Load: where the workspace is, and its `Cargo.lock`. `cargo metadata` is run only for the
//! gates and outputs that need it (see [`crate::graph`]); the lockfile-only gates never pay for it.

use crate::finding::Location;
use crate::toml_file::{SpannedErrors, TomlFile};
use anyhow::{Context as _, bail};
use cargo_lock::Lockfile;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The workspace being checked.
#[derive(Debug)]
pub struct Workspace {
    /// Absolute workspace root directory.
    pub root: PathBuf,
    /// The root `Cargo.toml`.
    pub manifest: PathBuf,
    /// The manifest named on the command line (or found from the current directory).
    pub start_manifest: PathBuf,
}

/// The parts of a manifest that decide the workspace root.
#[derive(Deserialize, Default)]
struct RootKeys {
    workspace: Option<WorkspaceKeys>,
    package: Option<PackageKeys>,
}

#[derive(Deserialize, Default)]
struct WorkspaceKeys {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize, Default)]
struct PackageKeys {
    workspace: Option<String>,
}

impl Workspace {
    /// Finds the workspace from `--manifest-path` or the current directory, as cargo does:
    /// the manifest itself when it has `[workspace]`, its `package.workspace` when set, else
    /// the nearest parent manifest with a `[workspace]` whose members include it.
    pub fn locate(manifest_path: Option<&Path>) -> anyhow::Result<Self> {
        let start = match manifest_path {
            Some(p) => {
                let p = crate::paths::absolute(p);
                if p.file_name().is_none_or(|n| n != "Cargo.toml") {
                    bail!(
                        "the manifest path must be a path to a Cargo.toml file: {}",
                        crate::paths::display(&p)
                    );
                }
                if !p.is_file() {
                    bail!("manifest path {} does not exist", crate::paths::display(&p));
                }
                p
            }
            None => find_upwards(&crate::paths::absolute(Path::new(".")))?,
        };
        let dir = start.parent().context("manifest has no parent directory")?.to_path_buf();
        let keys = read_keys(&start, &dir)?;
        let root = if keys.workspace.is_some() {
            dir.clone()
        } else if let Some(ws) = keys.package.and_then(|p| p.workspace) {
            crate::paths::absolute(&dir.join(ws))
        } else {
            enclosing_workspace(&dir)?.unwrap_or_else(|| dir.clone())
        };
        Ok(Workspace { manifest: root.join("Cargo.toml"), root, start_manifest: start })
    }

    /// Path of `Cargo.lock`.
    pub fn lockfile_path(&self) -> PathBuf {
        self.root.join("Cargo.lock")
    }

    /// Reads and parses `Cargo.lock`; a missing or unparsable lockfile is an error.
    pub fn load_lock(&self) -> anyhow::Result<Lock> {
        let path = self.lockfile_path();
        if !path.is_file() {
            bail!(
                "no Cargo.lock at {}: the gate checks exact locked versions; run `cargo generate-lockfile` and commit the result",
                crate::paths::display(&path)
            );
        }
        Lock::read(&path, &self.root)
    }
}

fn find_upwards(from: &Path) -> anyhow::Result<PathBuf> {
    from.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|p| p.is_file())
        .with_context(|| format!("could not find Cargo.toml in {} or any parent directory", from.display()))
}

fn read_keys(manifest: &Path, root: &Path) -> anyhow::Result<RootKeys> {
    let file = TomlFile::read(manifest, root)?;
    file.parse::<RootKeys>().map_err(|e| SpannedErrors(vec![e]).into())
}

/// The nearest parent directory whose manifest has a `[workspace]` listing `member_dir`.
fn enclosing_workspace(member_dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    for dir in member_dir.ancestors().skip(1) {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let Some(ws) = read_keys(&manifest, dir)?.workspace else {
            continue;
        };
        let matches = |patterns: &[String]| {
            patterns.iter().any(|m| {
                glob::Pattern::new(&dir.join(m).to_string_lossy()).is_ok_and(|p| p.matches_path(member_dir))
            })
        };
        if matches(&ws.members) && !matches(&ws.exclude) {
            return Ok(Some(dir.to_path_buf()));
        }
        return Ok(None);
    }
    Ok(None)
}

/// `Cargo.lock`, parsed, with its digest and the line of every package entry.
#[derive(Debug)]
pub struct Lock {
    /// The parsed lockfile.
    pub lockfile: Lockfile,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Name relative to the workspace root (`Cargo.lock`).
    pub report_name: String,
    lines: HashMap<(String, String), usize>,
}

impl Lock {
    /// Reads and parses a lockfile; parse errors name the file, line and column.
    pub fn read(path: &Path, root: &Path) -> anyhow::Result<Self> {
        let file = TomlFile::read(path, root)?;
        let lockfile: Lockfile = file.parse().map_err(|e| SpannedErrors(vec![e]))?;
        Ok(Lock {
            lockfile,
            sha256: crate::digest::sha256_hex(file.text.as_bytes()),
            lines: package_lines(&file.text),
            report_name: file.report_name,
        })
    }

    /// The SHA-256 checksum Cargo.lock records for a package (registry packages only); `source`
    /// (as cargo writes it) tells apart packages of the same name and version.
    pub fn checksum(&self, name: &str, version: &str, source: Option<&str>) -> Option<String> {
        let candidates = self
            .lockfile
            .packages
            .iter()
            .filter(|p| p.name.as_str() == name && p.version.to_string() == version);
        let mut candidates: Vec<_> = candidates.collect();
        if candidates.len() > 1 {
            candidates.retain(|p| p.source.as_ref().map(ToString::to_string).as_deref() == source);
        }
        candidates.first()?.checksum.as_ref().map(ToString::to_string)
    }

    /// Where a package's `[[package]]` entry is.
    pub fn location(&self, name: &str, version: &str) -> Location {
        Location {
            file: self.report_name.clone(),
            line: self.lines.get(&(name.to_owned(), version.to_owned())).copied(),
        }
    }
}

/// Maps (name, version) to the line of the `name = ...` key of its `[[package]]` entry.
fn package_lines(text: &str) -> HashMap<(String, String), usize> {
    let mut out = HashMap::new();
    let mut current: Option<(String, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            current = None;
        } else if let Some(name) = line.strip_prefix("name = ") {
            current = Some((name.trim_matches('"').to_owned(), i + 1));
        } else if let (Some(version), Some((name, at))) = (line.strip_prefix("version = "), &current) {
            out.insert((name.clone(), version.trim_matches('"').to_owned()), *at);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_lines_point_at_the_name_key() {
        let text = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"0.2.1\"\n";
        let lines = package_lines(text);
        assert_eq!(lines.get(&("a".into(), "1.0.0".into())), Some(&4));
        assert_eq!(lines.get(&("b".into(), "0.2.1".into())), Some(&8));
        assert_eq!(lines.len(), 2);
    }
}
