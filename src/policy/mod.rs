//! `spdf.toml`: finding, reading and validating the policy.
//!
//! The policy is read in two phases, as cargo-deny does: [`raw`] deserializes it with unknown
//! keys rejected and spans kept, `validate` checks every value and collects every error
//! before failing, so one run shows all that is wrong with a policy file.

pub mod base;
pub mod lints;
pub mod members;
mod profile;
pub mod raw;
pub mod supply;
mod validate;
pub mod weakened;

pub use lints::{BuildPolicy, ExternalSettings, LintException, LintsPolicy, Requirement};
pub use members::MembersPolicy;
pub use profile::Profile;
pub use supply::{Ban, LicensesPolicy, SourcesPolicy};
pub use validate::is_advisory_id;

use crate::finding::Location;
use crate::toml_file::{SpannedErrors, TomlFile};
use anyhow::Context as _;
use jiff::civil::Date;
use raw::RawPolicy;
use semver::VersionReq;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The lifecycle stage a check runs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// A developer's machine.
    #[default]
    Local,
    /// The CI gate before a merge.
    PreMerge,
    /// Release sign-off.
    Release,
}

impl Stage {
    /// Every stage.
    pub const ALL: [Stage; 3] = [Self::Local, Self::PreMerge, Self::Release];

    /// The name used on the command line and in `[stage.<name>]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::PreMerge => "pre-merge",
            Self::Release => "release",
        }
    }
}

/// A kind of advisory finding that `advisories.deny` can list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdvisoryKind {
    /// A vulnerability advisory.
    Vulnerability,
    /// An informational `unsound` advisory.
    Unsound,
    /// An informational `unmaintained` advisory.
    Unmaintained,
    /// An informational `notice` advisory.
    Notice,
    /// A yanked crate version.
    Yanked,
    /// A CVE in the KEV catalog.
    Kev,
}

impl AdvisoryKind {
    /// Every kind.
    pub const ALL: [AdvisoryKind; 6] =
        [Self::Vulnerability, Self::Unsound, Self::Unmaintained, Self::Notice, Self::Yanked, Self::Kev];

    /// The name used in `advisories.deny` (the same as the finding code).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vulnerability => "vulnerability",
            Self::Unsound => "unsound",
            Self::Unmaintained => "unmaintained",
            Self::Notice => "notice",
            Self::Yanked => "yanked",
            Self::Kev => "kev",
        }
    }
}

/// CVSS severity, for `severity-threshold`.
pub use rustsec::advisory::Severity;

/// The validated policy in force for one stage.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The built-in profile the policy starts from.
    pub profile: Profile,
    /// `[advisories]`.
    pub advisories: Advisories,
    /// `[sbom]`.
    pub sbom: SbomPolicy,
    /// `[[support]]`, in file order (the first matching entry applies).
    pub support: Vec<SupportRule>,
    /// `[support]`: how release activity is judged where no entry gives a level.
    pub support_thresholds: SupportThresholds,
    /// `[lints]`, laid over the profile's.
    pub lints: LintsPolicy,
    /// `[build]`, laid over the profile's.
    pub build: BuildPolicy,
    /// `[kev] catalog` (absolute).
    pub kev: Option<PathBuf>,
    /// `[sources]`.
    pub sources: SourcesPolicy,
    /// `[bans] deny`.
    pub bans: Vec<Ban>,
    /// `[licenses]`.
    pub licenses: LicensesPolicy,
    /// `[members]`: tool members and their requirements.
    pub members: MembersPolicy,
}

/// Validated `[sbom]`.
#[derive(Debug, Clone, Default)]
pub struct SbomPolicy {
    /// Product name (default: the single selected member, else the workspace directory name).
    pub product: Option<String>,
    /// Product version (default: the single selected member's version).
    pub version: Option<String>,
    /// Manufacturer name.
    pub manufacturer: Option<String>,
    /// Manufacturer web site.
    pub manufacturer_url: Option<String>,
    /// SBOM authors.
    pub authors: Vec<String>,
    /// The product's source repository.
    pub repository: Option<String>,
}

/// How the level of support is derived from release activity where the policy gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportThresholds {
    /// A release within this many months is "actively maintained" (default 24).
    pub active_within_months: u32,
    /// No release within this many months is "abandoned" (default 60); in between, "no longer
    /// maintained".
    pub abandoned_after_months: u32,
}

impl Default for SupportThresholds {
    fn default() -> Self {
        SupportThresholds { active_within_months: 24, abandoned_after_months: 60 }
    }
}

/// The FDA's three levels of support, in the guidance's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SupportLevel {
    /// "actively maintained".
    ActivelyMaintained,
    /// "no longer maintained".
    NoLongerMaintained,
    /// "abandoned".
    Abandoned,
}

impl SupportLevel {
    /// Every level.
    pub const ALL: [SupportLevel; 3] = [Self::ActivelyMaintained, Self::NoLongerMaintained, Self::Abandoned];

    /// The FDA's phrase.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActivelyMaintained => "actively maintained",
            Self::NoLongerMaintained => "no longer maintained",
            Self::Abandoned => "abandoned",
        }
    }
}

/// One validated `[[support]]` entry.
#[derive(Debug, Clone)]
pub struct SupportRule {
    /// Crate name patterns.
    pub patterns: Vec<glob::Pattern>,
    /// Level of support, if given.
    pub level: Option<SupportLevel>,
    /// End of support, if given.
    pub end_of_support: Option<Date>,
    /// Justification, if given.
    pub justification: Option<String>,
    /// When the entry was last assessed.
    pub assessed: Option<Date>,
    /// Who assessed it.
    pub assessed_by: Option<String>,
    /// What replaces the component should its support end.
    pub replacement_plan: Option<String>,
    /// Where it is written.
    pub location: Location,
}

impl SupportRule {
    /// Whether the entry covers a crate.
    pub fn matches(&self, name: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(name))
    }
}

/// Validated `[advisories]`.
#[derive(Debug, Clone)]
pub struct Advisories {
    /// Database directory named by the policy (absolute).
    pub db: Option<PathBuf>,
    /// Kinds that fail the gate (default: the profile's).
    pub deny: BTreeSet<AdvisoryKind>,
    /// Vulnerabilities scored below this warn instead (default: none, all deny).
    pub severity_threshold: Option<Severity>,
    /// Maximum database age in days (default: no limit).
    pub max_db_age_days: Option<u32>,
    /// How many days ahead a waiver may expire (default: the profile's; none under baseline).
    pub max_exception_days: Option<u32>,
    /// Maximum KEV catalog age in days, from its release date (default: no limit; 7 at the
    /// release stage).
    pub max_kev_age_days: Option<u32>,
    /// Waivers.
    pub exceptions: Vec<Exception>,
}

/// A waiver: a finding the team has assessed and accepted, with the VEX statement for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The advisory id (or one of its aliases) it covers.
    pub id: String,
    /// Restricts it to one crate, optionally to matching versions.
    pub package: Option<PackageScope>,
    /// Why it is acceptable.
    pub reason: String,
    /// Last day it holds.
    pub expires: Option<Date>,
    /// CycloneDX analysis state.
    pub state: Option<String>,
    /// CycloneDX analysis justification.
    pub justification: Option<String>,
    /// CycloneDX analysis responses.
    pub response: Vec<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// What a waiver marked `imported = true` still lacks (`reason`, `expires`); empty for
    /// every other waiver. Such a waiver is an `exception-incomplete` finding until completed.
    pub incomplete: Vec<&'static str>,
    /// Where it is written.
    pub location: Location,
}

/// The `reason` of an imported waiver that was imported without one.
pub const NO_REASON_IMPORTED: &str = "none given yet (imported waiver; see exception-incomplete)";

/// `package = "name"` or `package = "name@requirement"` on a waiver.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageScope {
    /// Crate name.
    pub name: String,
    /// Versions covered; all when absent.
    pub req: Option<VersionReq>,
}

impl PackageScope {
    /// Whether the scope covers a package.
    pub fn matches(&self, name: &str, version: &semver::Version) -> bool {
        self.name == name && self.req.as_ref().is_none_or(|r| r.matches(version))
    }
}

/// Where the policy came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A `spdf.toml` (or `--policy`) file.
    File {
        /// Path relative to the workspace root where possible.
        path: String,
        /// SHA-256 of the file.
        sha256: String,
    },
    /// `[workspace.metadata.spdf]` in the root manifest.
    Manifest {
        /// Path of the manifest relative to the workspace root.
        path: String,
        /// SHA-256 of the manifest.
        sha256: String,
    },
    /// No policy was found; the built-in baseline profile applies.
    BuiltIn,
}

/// A loaded policy and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The policy in force for the requested stage.
    pub policy: Policy,
    /// Its origin.
    pub origin: Origin,
}

/// The manifest keys that may hold a policy.
#[derive(Deserialize)]
struct ManifestTables {
    workspace: Option<MetadataTable>,
    package: Option<MetadataTable>,
}

#[derive(Deserialize)]
struct MetadataTable {
    metadata: Option<SpdfTable>,
}

#[derive(Deserialize)]
struct SpdfTable {
    spdf: Option<RawPolicy>,
}

/// Finds and reads the policy for `stage`: `explicit` (from `--policy`) if given, otherwise
/// `spdf.toml` at the workspace root, otherwise `[workspace.metadata.spdf]` (or
/// `[package.metadata.spdf]`) in the root manifest, otherwise the built-in baseline.
pub fn load(
    root: &Path,
    root_manifest: &Path,
    explicit: Option<&Path>,
    stage: Stage,
) -> anyhow::Result<LoadedPolicy> {
    let default_file = root.join("spdf.toml");
    let (file, raw) = match explicit {
        Some(path) => {
            let file =
                TomlFile::read(path, root).context("cannot read the policy file given with --policy")?;
            let raw = parse_raw(&file)?;
            (Some(file), Some(raw))
        }
        // Anything named spdf.toml is the policy: a directory, a dangling symlink, an unreadable
        // or non-UTF-8 file is an error, never a silent fall-back to the baseline profile.
        None if std::fs::symlink_metadata(&default_file).is_ok() => {
            let file = TomlFile::read(&default_file, root)?;
            let raw = parse_raw(&file)?;
            reject_second_policy(root_manifest, root, &file)?;
            (Some(file), Some(raw))
        }
        None => match read_manifest_policy(root_manifest, root)? {
            Some((file, raw)) => (Some(file), Some(raw)),
            None => (None, None),
        },
    };
    let origin = match &file {
        None => Origin::BuiltIn,
        Some(f) if f.path == root_manifest => Origin::Manifest {
            path: f.report_name.clone(),
            sha256: crate::digest::sha256_hex(f.text.as_bytes()),
        },
        Some(f) => {
            Origin::File { path: f.report_name.clone(), sha256: crate::digest::sha256_hex(f.text.as_bytes()) }
        }
    };
    let policy = match (file, raw) {
        (Some(file), Some(raw)) => validated(raw, &file, stage)?,
        _ => Policy::builtin(Profile::Baseline).with_stage_rules(stage),
    };
    Ok(LoadedPolicy { policy, origin })
}

/// Parses and validates the policy held by `file` (an `spdf.toml`) for `stage`, as [`load`] does
/// for the file it finds.
///
/// # Errors
///
/// Every TOML, type and validation error in the file, each with its line and column.
pub fn from_file(file: &TomlFile, stage: Stage) -> Result<Policy, SpannedErrors> {
    validated(parse_raw(file)?, file, stage)
}

/// An `spdf.toml`'s text as the raw policy, before validation.
pub(super) fn parse_raw(file: &TomlFile) -> Result<RawPolicy, SpannedErrors> {
    file.parse::<RawPolicy>().map_err(|e| SpannedErrors(vec![e]))
}

/// A raw policy validated for `stage`, with the stage's rules applied.
pub(super) fn validated(raw: RawPolicy, file: &TomlFile, stage: Stage) -> Result<Policy, SpannedErrors> {
    Ok(validate::validate(raw, file, stage).map_err(SpannedErrors)?.with_stage_rules(stage))
}

/// The policy table of a manifest's text, if it has one.
pub(crate) fn manifest_policy(file: &TomlFile) -> anyhow::Result<Option<RawPolicy>> {
    let tables: ManifestTables = file.parse().map_err(|e| SpannedErrors(vec![e]))?;
    Ok([tables.workspace, tables.package].into_iter().flatten().find_map(|t| t.metadata.and_then(|m| m.spdf)))
}

/// Validates a policy, for tests of what reads validated policies.
#[cfg(test)]
pub(crate) fn validate_for_tests(raw: RawPolicy, file: &TomlFile, stage: Stage) -> Policy {
    validate::validate(raw, file, stage).unwrap_or_else(|e| panic!("{}", SpannedErrors(e)))
}

/// Reads the policy table from the root manifest, if it has one.
fn read_manifest_policy(manifest: &Path, root: &Path) -> anyhow::Result<Option<(TomlFile, RawPolicy)>> {
    let file = TomlFile::read(manifest, root)?;
    let tables: ManifestTables = file.parse().map_err(|e| SpannedErrors(vec![e]))?;
    let raw = [tables.workspace, tables.package]
        .into_iter()
        .flatten()
        .find_map(|t| t.metadata.and_then(|m| m.spdf));
    Ok(raw.map(|raw| (file, raw)))
}

/// Two policies for one workspace is ambiguous; refuse rather than pick one silently.
fn reject_second_policy(manifest: &Path, root: &Path, file: &TomlFile) -> anyhow::Result<()> {
    if manifest.is_file() && read_manifest_policy(manifest, root).ok().flatten().is_some() {
        anyhow::bail!(
            "{} and [workspace.metadata.spdf] in {} both define a policy; keep one of them",
            file.display,
            crate::paths::display(manifest)
        );
    }
    Ok(())
}

impl Policy {
    /// Whether a member is a tool that does not ship (see [`MembersPolicy`]).
    pub fn is_tool(&self, name: &str, rel_dir: &str) -> bool {
        self.members.is_tool(name, rel_dir)
    }

    /// The lints a member is held to: the tools' for a tool member, else the product's.
    pub fn lints_for(&self, name: &str, rel_dir: &str) -> &LintsPolicy {
        if self.is_tool(name, rel_dir) { &self.members.tools_lints } else { &self.lints }
    }

    /// The build settings a member is held to: the tools' for a tool member, else the product's.
    pub fn build_for(&self, name: &str, rel_dir: &str) -> &BuildPolicy {
        if self.is_tool(name, rel_dir) { &self.members.tools_build } else { &self.build }
    }

    /// What the release stage adds where the policy leaves it open: an advisory database and a
    /// KEV catalog at most 7 days old, and a committed Cargo.lock.
    pub fn with_stage_rules(mut self, stage: Stage) -> Self {
        if stage == Stage::Release {
            self.advisories.max_db_age_days.get_or_insert(7);
            self.advisories.max_kev_age_days.get_or_insert(7);
            self.build.require_lockfile = true;
        }
        self
    }

    /// The policy a built-in profile gives on its own.
    pub fn builtin(profile: Profile) -> Self {
        Policy {
            profile,
            advisories: Advisories {
                db: None,
                deny: profile.default_deny(),
                severity_threshold: None,
                max_db_age_days: None,
                max_exception_days: profile.max_exception_days(),
                max_kev_age_days: None,
                exceptions: Vec::new(),
            },
            sbom: SbomPolicy::default(),
            support: Vec::new(),
            support_thresholds: SupportThresholds::default(),
            lints: LintsPolicy {
                required: profile.required_lints(),
                exceptions: Vec::new(),
                allow_reasoned_deviations: true,
                check_test_targets: false,
            },
            build: profile.build(),
            kev: None,
            sources: SourcesPolicy::default(),
            bans: Vec::new(),
            licenses: LicensesPolicy { allow: None, exempt_members: true, location: None },
            members: MembersPolicy {
                tools: Vec::new(),
                tools_profile: Profile::Baseline,
                tools_lints: LintsPolicy {
                    required: Profile::Baseline.required_lints(),
                    exceptions: Vec::new(),
                    allow_reasoned_deviations: true,
                    check_test_targets: false,
                },
                tools_build: Profile::Baseline.build(),
            },
        }
    }
}
