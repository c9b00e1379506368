//! Load: an archived evidence bundle, verified first. A bundle that does not hold (a changed,
//! missing or added file, a bad signature) is refused and nothing in it is trusted.
//!
//! From a bundle that holds: the product version and its components and vulnerabilities from
//! `sbom.cdx.json` (or `sbom.cdx.xml`), the assessments of `vex.cdx.json`, the patched versions
//! and yanked packages of `report.json`, the time, stage, profile and database of
//! `provenance.json`, and the policy in force from `spdf.toml` (bundles made before it was
//! recorded fall back to their profile's built-in rules).

use super::archive::{Archived, HeldTo, PolicySource, RecordedDatabase, Source};
use super::cdx;
use crate::evidence::check::{self, Checked};
use crate::policy::{self, LoadedPolicy, Origin, Policy, Profile, Stage};
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

/// The file names that make a directory look like an evidence bundle.
const BUNDLE_FILES: [&str; 4] = [check::SUMS, "sbom.cdx.json", "provenance.json", "report.json"];

/// The copy of the policy in force that a bundle records.
pub const POLICY_FILE: &str = "spdf.toml";

/// Why a product version could not be monitored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What was read.
    pub source: Source,
    /// Everything that is wrong with it.
    pub problems: Vec<String>,
}

/// Every evidence bundle below `root`, sorted: each directory holding `SHA256SUMS` or another
/// bundle file (so that a bundle whose digest list was deleted is refused, not skipped).
/// Hidden directories (the partial bundles `evidence` writes before renaming) are skipped.
pub fn find(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    walk(root, &mut out)?;
    out.sort();
    if out.is_empty() {
        anyhow::bail!(
            "{}: no evidence bundle below it (no directory holds a SHA256SUMS)",
            crate::paths::display(root)
        );
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let shown = crate::paths::display(dir);
    let listing = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    let mut subdirs = Vec::new();
    let mut is_bundle = false;
    for entry in listing {
        let entry = entry.map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(|e| anyhow::anyhow!("cannot read {shown}/{name}: {e}"))?;
        if kind.is_dir() && !name.starts_with('.') {
            subdirs.push(entry.path());
        } else if BUNDLE_FILES.contains(&name.as_str()) {
            is_bundle = true;
        }
    }
    if is_bundle {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    subdirs.into_iter().try_for_each(|d| walk(&d, out))
}

/// Verifies and reads the bundle in `dir`; `policy` is the one given with `--policy`.
pub fn load(
    dir: &Path,
    key: Option<&VerifyingKey>,
    policy: Option<&LoadedPolicy>,
) -> Result<Archived, Refusal> {
    let source = Source::Bundle(dir.to_path_buf());
    let refuse = |problems: Vec<String>| Refusal { source: source.clone(), problems };
    let checked = check::check(dir, key).map_err(|e| refuse(vec![format!("{e:#}")]))?;
    if !checked.holds() {
        return Err(refuse(checked.problems));
    }
    read(dir, &checked, policy).map_err(|e| refuse(vec![format!("{e:#}")]))
}

/// Reads a bundle that holds.
fn read(dir: &Path, checked: &Checked, flag: Option<&LoadedPolicy>) -> anyhow::Result<Archived> {
    let (sbom_name, sbom_bytes) = ["sbom.cdx.json", "sbom.cdx.xml"]
        .into_iter()
        .find_map(|n| checked.files.get(n).map(|b| (n, b)))
        .ok_or_else(|| anyhow::anyhow!("{}: the bundle has no sbom.cdx.json", crate::paths::display(dir)))?;
    let doc = cdx::parse(sbom_bytes, &dir.join(sbom_name))?;
    let provenance = match checked.files.get("provenance.json") {
        Some(bytes) => Some(json_file::<Provenance>(bytes, &dir.join("provenance.json"))?),
        None => None,
    };
    let held_to = held_to(dir, checked, flag, provenance.as_ref())?;
    let mut archived = Archived::from_document(Source::Bundle(dir.to_path_buf()), &doc, sbom_name, held_to);
    if let Some(bytes) = checked.files.get("vex.cdx.json") {
        archived.add_vex(&cdx::parse(bytes, &dir.join("vex.cdx.json"))?, "vex.cdx.json");
    }
    if let Some(bytes) = checked.files.get("report.json") {
        let report = json_file::<Report>(bytes, &dir.join("report.json"))?;
        (archived.patched, archived.yanked) = report.recorded();
        archived.yanked_recorded = true;
    }
    if let Some(p) = &provenance {
        archived.released =
            p.time.as_deref().and_then(|t| jiff::Timestamp::from_str(t).ok()).or(archived.released);
        archived.database = p.advisory_database.clone();
    }
    archived.signature = Some(checked.signature);
    if archived.held_to.source == PolicySource::Profile(archived.held_to.policy.profile)
        && provenance.as_ref().is_some_and(|p| p.policy.path.is_some())
    {
        archived.notes.push(format!(
            "the bundle records its policy's digest but not the policy itself (it was made before {POLICY_FILE} was kept in the bundle): the built-in {} rules apply; pass --policy to apply the file",
            archived.held_to.policy.profile
        ));
    }
    Ok(archived)
}

/// The policy a bundle is held to: `--policy`, else its own `spdf.toml`, else its profile.
fn held_to(
    dir: &Path,
    checked: &Checked,
    flag: Option<&LoadedPolicy>,
    provenance: Option<&Provenance>,
) -> anyhow::Result<HeldTo> {
    let stage = provenance.and_then(|p| p.stage.as_deref()).and_then(stage).unwrap_or(Stage::Release);
    if let Some(flag) = flag {
        let path = match &flag.origin {
            Origin::File { path, .. } | Origin::Manifest { path, .. } => path.clone(),
            Origin::BuiltIn => String::new(),
        };
        return Ok(HeldTo { policy: flag.policy.clone(), source: PolicySource::Flag(path), stage });
    }
    if let Some(bytes) = checked.files.get(POLICY_FILE) {
        return Ok(HeldTo {
            policy: recorded_policy(dir, bytes, stage)?,
            source: PolicySource::Recorded,
            stage,
        });
    }
    let profile = provenance.and_then(|p| Profile::parse(&p.policy.profile)).unwrap_or_default();
    let policy = Policy::builtin(profile).with_stage_rules(stage);
    Ok(HeldTo { policy, source: PolicySource::Profile(profile), stage })
}

/// Reads the bundle's `spdf.toml` and makes sure it is the file whose digest was verified.
fn recorded_policy(dir: &Path, verified: &[u8], stage: Stage) -> anyhow::Result<Policy> {
    let path = dir.join(POLICY_FILE);
    let loaded = policy::load(dir, &dir.join("Cargo.toml"), Some(&path), stage)?;
    let same = match &loaded.origin {
        Origin::File { sha256, .. } => *sha256 == crate::digest::sha256_hex(verified),
        _ => false,
    };
    if !same {
        anyhow::bail!("{}: changed while it was being read", crate::paths::display(&path));
    }
    Ok(loaded.policy)
}

fn stage(name: &str) -> Option<Stage> {
    Stage::ALL.into_iter().find(|s| s.as_str() == name)
}

/// Parses one JSON file of the bundle; errors name it, with the line and column.
fn json_file<T: serde::de::DeserializeOwned>(bytes: &[u8], path: &Path) -> anyhow::Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        anyhow::anyhow!("{}:{}:{}: cannot be read: {e}", crate::paths::display(path), e.line(), e.column())
    })
}

/// The part of `provenance.json` monitoring reads.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Provenance {
    time: Option<String>,
    stage: Option<String>,
    policy: ProvenancePolicy,
    advisory_database: Option<RecordedDatabase>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProvenancePolicy {
    path: Option<String>,
    profile: String,
}

/// The part of `report.json` monitoring reads.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Report {
    findings: Vec<ReportFinding>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportFinding {
    code: String,
    actual: Option<String>,
    package: Option<ReportPackage>,
    advisory: Option<ReportAdvisory>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportPackage {
    name: String,
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportAdvisory {
    id: String,
    patched: Vec<String>,
}

type Recorded = (BTreeMap<(String, String, String), Vec<String>>, BTreeMap<(String, String), String>);

impl Report {
    /// The patched versions of each advisory finding, and the yanked findings (`yanked`, or
    /// `unknown` when the status could not be established).
    fn recorded(self) -> Recorded {
        let mut patched = BTreeMap::new();
        let mut yanked = BTreeMap::new();
        for f in self.findings {
            let Some(p) = f.package else { continue };
            if f.code == "yanked" {
                yanked.insert((p.name.clone(), p.version.clone()), f.actual.clone().unwrap_or_default());
            }
            if let Some(a) = f.advisory {
                patched.insert((a.id, p.name, p.version), a.patched);
            }
        }
        (patched, yanked)
    }
}
