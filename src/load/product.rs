//! Load: what the root manifest says about the product as a whole, for the SBOM's product
//! component: `[workspace.package]` `version`, `authors` and `repository` (the values members
//! inherit), or the root `[package]`'s when the root is a package.

use crate::toml_file::{SpannedErrors, TomlFile};
use serde::Deserialize;

/// The product's shared package data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspacePackage {
    /// `version`.
    pub version: Option<String>,
    /// `authors`.
    pub authors: Vec<String>,
    /// `repository`.
    pub repository: Option<String>,
}

#[derive(Deserialize, Default)]
struct Manifest {
    workspace: Option<WorkspaceTable>,
    package: Option<PackageTable>,
}

#[derive(Deserialize, Default)]
struct WorkspaceTable {
    package: Option<PackageTable>,
}

/// The keys read; inherited values (`version.workspace = true`) are tables and are skipped.
#[derive(Deserialize, Default)]
struct PackageTable {
    version: Option<toml::Value>,
    authors: Option<toml::Value>,
    repository: Option<toml::Value>,
}

/// Reads the root manifest of the workspace at `root`.
pub fn read(ws: &super::workspace::Workspace) -> anyhow::Result<WorkspacePackage> {
    let file = TomlFile::read(&ws.manifest, &ws.root)?;
    let manifest: Manifest = file.parse().map_err(|e| SpannedErrors(vec![e]))?;
    let shared = manifest.workspace.and_then(|w| w.package).unwrap_or_default();
    let own = manifest.package.unwrap_or_default();
    let text = |v: &Option<toml::Value>| v.as_ref().and_then(toml::Value::as_str).map(str::to_owned);
    let list = |v: &Option<toml::Value>| -> Option<Vec<String>> {
        let items = v.as_ref()?.as_array()?;
        Some(items.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect())
    };
    Ok(WorkspacePackage {
        version: text(&shared.version).or_else(|| text(&own.version)),
        authors: list(&shared.authors).or_else(|| list(&own.authors)).unwrap_or_default(),
        repository: text(&shared.repository).or_else(|| text(&own.repository)),
    })
}
