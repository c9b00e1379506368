//! Load: CycloneDX SBOMs given with `--sbom`, ours or another tool's, and VEX documents given
//! with `--vex`. A directory stands for every `*.cdx.json` and `*.cdx.xml` below it, the layout
//! cargo-cyclonedx writes (one SBOM per crate, beside its `Cargo.toml`); each SBOM is one
//! product version.

use super::archive::{Archived, HeldTo, PolicySource, Source};
use super::bundle::Refusal;
use super::cdx::{self, Document};
use crate::policy::{LoadedPolicy, Origin, Policy, Profile, Stage};
use std::path::{Path, PathBuf};

/// The SBOM files `path` stands for: itself, or for a directory every `*.cdx.json` and
/// `*.cdx.xml` below it (hidden directories and `target/` skipped), sorted.
pub fn find(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    out.sort();
    if out.is_empty() {
        anyhow::bail!("{}: no *.cdx.json or *.cdx.xml below it", crate::paths::display(path));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let shown = crate::paths::display(dir);
    let listing = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    for entry in listing {
        let entry = entry.map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(|e| anyhow::anyhow!("cannot read {shown}/{name}: {e}"))?;
        if kind.is_dir() && !name.starts_with('.') && name != "target" {
            walk(&entry.path(), out)?;
        } else if kind.is_file() && (name.ends_with(".cdx.json") || name.ends_with(".cdx.xml")) {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// Reads a CycloneDX document; errors name the file.
pub fn read(path: &Path) -> anyhow::Result<Document> {
    let bytes = crate::fsread::read(path, crate::fsread::limit::BUNDLE_FILE)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", crate::paths::display(path)))?;
    cdx::parse(&bytes, path)
}

/// Reads one SBOM as a product version, held to `--policy` or else the baseline profile at the
/// release stage.
pub fn load(path: &Path, policy: Option<&LoadedPolicy>) -> Result<Archived, Refusal> {
    let source = Source::Sbom(path.to_path_buf());
    let doc = read(path).map_err(|e| Refusal { source: source.clone(), problems: vec![format!("{e:#}")] })?;
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let held_to = match policy {
        Some(p) => {
            let path = match &p.origin {
                Origin::File { path, .. } | Origin::Manifest { path, .. } => path.clone(),
                Origin::BuiltIn => String::new(),
            };
            HeldTo { policy: p.policy.clone(), source: PolicySource::Flag(path), stage: Stage::Release }
        }
        None => HeldTo {
            policy: Policy::builtin(Profile::Baseline).with_stage_rules(Stage::Release),
            source: PolicySource::Profile(Profile::Baseline),
            stage: Stage::Release,
        },
    };
    Ok(Archived::from_document(source, &doc, &file, held_to))
}
