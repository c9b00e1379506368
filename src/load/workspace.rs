//! Load: where the workspace is, found from `--manifest-path` or the current directory as cargo
//! finds it, without running cargo.

use crate::toml_file::{SpannedErrors, TomlFile};
use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The workspace being checked.
#[derive(Debug, Clone)]
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
                if !p.exists() {
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
    pub fn load_lock(&self) -> anyhow::Result<super::lockfile::Lock> {
        let path = self.lockfile_path();
        if std::fs::symlink_metadata(&path).is_err() {
            bail!(
                "{} does not exist: the gate checks exact locked versions; run `cargo generate-lockfile` and commit the result",
                crate::paths::display(&path)
            );
        }
        super::lockfile::Lock::read(&path, &self.root)
    }
}

fn find_upwards(from: &Path) -> anyhow::Result<PathBuf> {
    from.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|p| p.exists())
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
