//! `provenance.json`: everything the bundle was made from and with, so a reviewer can trace
//! every file to its inputs (IEC 62304 5.8, IEC 81001-5-1 5.8.3).

use crate::load::database::Identity;
use crate::policy::Origin;
use crate::report::{Report, TOOL_NAME, TOOL_VERSION};
use serde::Serialize;

/// The schema identifier.
pub const SCHEMA: &str = "cargo-spdf/provenance/v1";

/// The provenance document.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The tool.
    pub tool: Tool,
    /// The stage checked for.
    pub stage: String,
    /// The time recorded (`SOURCE_DATE_EPOCH` when set).
    pub time: String,
    /// Whether `time` comes from `SOURCE_DATE_EPOCH`.
    pub source_date_epoch: bool,
    /// The verdict of the check.
    pub verdict: String,
    /// The workspace.
    pub workspace: Workspace,
    /// The policy.
    pub policy: Policy,
    /// The advisory database.
    pub advisory_database: Option<Database>,
    /// The KEV catalog.
    pub kev_catalog: Option<Kev>,
    /// The toolchain.
    pub toolchain: Toolchain,
    /// The git state.
    pub git: Option<Git>,
}

/// Tool name and version.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// Name.
    pub name: &'static str,
    /// Version.
    pub version: &'static str,
}

/// Workspace identity.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    /// The workspace directory's name.
    pub name: String,
    /// SHA-256 of Cargo.lock.
    pub lockfile_sha256: Option<String>,
    /// Packages in Cargo.lock.
    pub packages: Option<usize>,
}

/// Policy identity.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Path relative to the workspace root, or null for the built-in profile.
    pub path: Option<String>,
    /// SHA-256 of the policy file.
    pub sha256: Option<String>,
    /// Profile.
    pub profile: String,
}

/// Advisory database identity.
#[derive(Debug, Clone, Serialize)]
pub struct Database {
    /// Git commit, for a checkout.
    pub commit: Option<String>,
    /// Content digest, for a plain directory.
    pub digest: Option<String>,
    /// Last update.
    pub last_updated: Option<String>,
    /// Age in days at `time`.
    pub age_days: Option<i64>,
    /// Number of advisories.
    pub advisories: usize,
}

/// KEV catalog identity.
#[derive(Debug, Clone, Serialize)]
pub struct Kev {
    /// `catalogVersion`.
    pub version: String,
    /// `dateReleased`.
    pub released: String,
    /// Entries.
    pub entries: usize,
    /// Age in whole days at `time`, from `released`.
    pub age_days: Option<i64>,
}

/// The toolchain: the one that ran, and the one `rust-toolchain.toml` pins.
#[derive(Debug, Clone, Serialize)]
pub struct Toolchain {
    /// `rustc -V` of the toolchain that ran.
    pub rustc: Option<String>,
    /// `cargo -V` of the toolchain that ran.
    pub cargo: Option<String>,
    /// The `channel` rust-toolchain.toml pins, if any.
    pub pinned: Option<String>,
    /// Whether the toolchain that ran is the pinned one (`null` when nothing exact is pinned or
    /// the running one is unknown).
    pub matches_pin: Option<bool>,
}

/// The git state.
#[derive(Debug, Clone, Serialize)]
pub struct Git {
    /// The commit.
    pub commit: Option<String>,
    /// Whether there were uncommitted changes.
    pub dirty: bool,
    /// How many paths had them.
    pub changed_paths: usize,
}

/// What the report does not carry.
pub struct Extra<'a> {
    /// The workspace directory's name.
    pub workspace_name: &'a str,
    /// Whether `SOURCE_DATE_EPOCH` was set.
    pub source_date_epoch: bool,
    /// `rustc -V`.
    pub rustc: Option<String>,
    /// `cargo -V`.
    pub cargo: Option<String>,
    /// The `channel` rust-toolchain.toml pins.
    pub pinned: Option<String>,
    /// The git state.
    pub git: Option<&'a crate::vcs::GitState>,
    /// The time.
    pub time: String,
    /// The time, for ages.
    pub now: jiff::Timestamp,
}

/// Builds the provenance of a check.
pub fn provenance(report: &Report, extra: &Extra<'_>) -> Provenance {
    let (path, sha256) = match &report.policy.origin {
        Origin::File { path, sha256 } | Origin::Manifest { path, sha256 } => {
            (Some(path.clone()), Some(sha256.clone()))
        }
        Origin::BuiltIn => (None, None),
    };
    Provenance {
        schema: SCHEMA,
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION },
        stage: report.stage.as_str().to_owned(),
        time: extra.time.clone(),
        source_date_epoch: extra.source_date_epoch,
        verdict: report.verdict().to_owned(),
        workspace: Workspace {
            name: extra.workspace_name.to_owned(),
            lockfile_sha256: report.workspace.lockfile_sha256.clone(),
            packages: report.workspace.packages,
        },
        policy: Policy { path, sha256, profile: report.policy.profile.as_str().to_owned() },
        advisory_database: report.database.as_ref().map(|d| Database {
            commit: match &d.identity {
                Identity::Git { commit } => Some(commit.clone()),
                Identity::Digest { .. } => None,
            },
            digest: match &d.identity {
                Identity::Digest { sha256 } => Some(sha256.clone()),
                Identity::Git { .. } => None,
            },
            last_updated: d.last_updated.map(|t| t.to_string()),
            age_days: d.age_days,
            advisories: d.advisories,
        }),
        kev_catalog: report.kev.as_ref().map(|k| Kev {
            version: k.version.clone(),
            released: k.released.clone(),
            entries: k.count,
            age_days: crate::gates::kev::released_age_days(&k.released, extra.now),
        }),
        toolchain: Toolchain {
            rustc: extra.rustc.clone(),
            cargo: extra.cargo.clone(),
            pinned: extra.pinned.clone(),
            matches_pin: match (&extra.pinned, &extra.rustc) {
                (Some(pin), Some(rustc)) if crate::gates::build::is_exact_pin(pin) => {
                    Some(crate::gates::build::pin_matches(pin, rustc))
                }
                _ => None,
            },
        },
        git: extra.git.map(|g| Git {
            commit: g.commit.clone(),
            dirty: g.dirty(),
            changed_paths: g.changes.len(),
        }),
    }
}
