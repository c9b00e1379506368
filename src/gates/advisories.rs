//! The advisories gate: every locked crates.io package against the RustSec database,
//! matched exactly as rustsec (and so cargo-audit) matches them, and (when looked up) whether
//! each was yanked.

use super::Ctx;
use crate::finding::{AdvisoryRef, Code, Finding, Level};
use crate::load::database::{AdvisoryDb, Entry};
use crate::load::kev::KevCatalog;
use crate::load::lockfile::{Lock, LockedPackage};
use crate::load::yanked::Statuses;
use crate::load::{Loaded, Slot};
use crate::policy::{AdvisoryKind, Policy};
use rustsec::Advisory;
use rustsec::advisory::Informational;
use std::collections::BTreeSet;

/// What the gate reads: `Cargo.lock`, the database, and (when they were loaded) the yanked
/// statuses, the KEV catalog and the members' names (so that a member is never taken for a
/// patched copy of a crates.io crate).
pub struct Input<'a> {
    /// The lockfile.
    pub lock: &'a Lock,
    /// The advisory database.
    pub db: &'a AdvisoryDb,
    /// The yanked status of the locked crates.io packages, when looked up.
    pub yanked: Option<&'a Statuses>,
    /// The KEV catalog, when one is named.
    pub kev: Option<&'a KevCatalog>,
    /// The workspace members' names, when the manifests could be read.
    pub members: Option<BTreeSet<&'a str>>,
}

impl<'a> Input<'a> {
    /// The gate's input; a lockfile, database, KEV catalog or index that could not be read keeps
    /// the gate from running.
    pub fn from_loaded(l: &'a Loaded) -> Result<Self, String> {
        let lock = l.lock.get().map_err(|e| super::missing("Cargo.lock", e))?;
        let db = l.db.get().map_err(|e| super::missing("the advisory database", e))?;
        let kev = l.kev.get().map_err(|e| super::missing("the KEV catalog", e))?.as_ref();
        let yanked = match &l.yanked {
            Slot::Ready(lookup) => Some(&lookup.statuses),
            Slot::Failed(e) => return Err(super::missing("the crates.io index", e.clone())),
            Slot::NotNeeded => None,
        };
        let members = l.manifests.ok().map(|m| m.iter().map(|m| m.name.as_str()).collect());
        Ok(Input { lock, db, yanked, kev, members })
    }
}

/// Checks every locked package, its yanked status when it was looked up, then the database's age.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let (lock, db) = (input.lock, input.db);
    let mut findings: Vec<Finding> = matches(lock, db, input.members.as_ref())
        .map(|m| {
            let finding = match m.entry {
                Match::Advisory(advisory) => advisory_finding(advisory, m.package, ctx.policy),
                Match::Invalid { file, error } => invalid_entry(file, error, m.package),
            };
            finding.at(Some(lock.location(&m.package.name, &m.package.version.to_string())))
        })
        .collect();
    if let Some(statuses) = input.yanked {
        findings.extend(super::yanked::check(lock, statuses, ctx.policy));
    }
    findings.extend(stale(db, ctx));
    findings
}

/// An advisory file that concerns a locked package.
pub struct Matched<'a> {
    /// The locked package.
    pub package: &'a LockedPackage,
    /// What the database says about it.
    pub entry: Match<'a>,
}

/// What an advisory file says about a locked package.
pub enum Match<'a> {
    /// A parsed advisory that affects the package's version.
    Advisory(&'a Advisory),
    /// An advisory file of the package's crate that cannot be parsed.
    Invalid {
        /// Path relative to the database root.
        file: &'a str,
        /// The parse error.
        error: &'a str,
    },
}

/// Every advisory that affects a locked crates.io package (in any spelling of crates.io cargo
/// resolves to it), or a path or git copy of one (a `[patch]` with a vendored copy has the name
/// and version of the release it copies, and its flaws unless shown otherwise), and every
/// unparsable advisory file of such a crate, matched as rustsec's `Database::query_vulnerabilities`
/// matches them: withdrawn advisories and advisories for other registries are skipped, version
/// ranges decide. `members` are never copies.
pub fn matches<'a>(
    lock: &'a Lock,
    db: &'a AdvisoryDb,
    members: Option<&BTreeSet<&str>>,
) -> impl Iterator<Item = Matched<'a>> {
    let checked: Vec<&'a LockedPackage> =
        lock.packages.iter().filter(|p| p.crates_io || is_copy(p, members)).collect();
    checked.into_iter().flat_map(move |package| {
        db.entries(&package.name).iter().filter_map(move |entry| {
            let entry = match entry {
                Entry::Advisory(a) if affects(a, package) => Match::Advisory(a),
                Entry::Advisory(_) => return None,
                Entry::Invalid { file, error } => Match::Invalid { file, error },
            };
            Some(Matched { package, entry })
        })
    })
}

/// A path or git package that is not a workspace member: possibly a copy of a crates.io release.
fn is_copy(p: &LockedPackage, members: Option<&BTreeSet<&str>>) -> bool {
    let other_source = match &p.source {
        None => members.is_none_or(|m| !m.contains(p.name.as_str())),
        Some(s) => s.starts_with("git+"),
    };
    other_source && !p.crates_io
}

/// How a finding names a copy's origin, or nothing for a crates.io package.
fn copy_note(p: &LockedPackage) -> Option<String> {
    if p.crates_io {
        return None;
    }
    Some(match &p.source {
        Some(s) => format!("a copy from {}", s.trim_start_matches("git+")),
        None => "a path copy".to_owned(),
    })
}

fn affects(advisory: &Advisory, package: &LockedPackage) -> bool {
    let meta = &advisory.metadata;
    meta.withdrawn.is_none()
        && advisory.versions.is_vulnerable(&package.version)
        && meta.source.as_ref().is_none_or(|s| s.is_default_registry())
}

/// Locked packages that a RustSec `unmaintained` advisory covers, with the advisory's id.
pub fn unmaintained(lock: &Lock, db: &AdvisoryDb) -> std::collections::BTreeMap<(String, String), String> {
    matches(lock, db, None)
        .filter_map(|m| match m.entry {
            Match::Advisory(a) if a.metadata.informational == Some(Informational::Unmaintained) => {
                Some(((m.package.name.clone(), m.package.version.to_string()), a.id().to_string()))
            }
            _ => None,
        })
        .collect()
}

/// The finding for an advisory that affects a package.
fn advisory_finding(advisory: &Advisory, package: &LockedPackage, policy: &Policy) -> Finding {
    let meta = &advisory.metadata;
    let (code, kind) = match &meta.informational {
        None => (Code::Vulnerability, AdvisoryKind::Vulnerability),
        Some(Informational::Unsound) => (Code::Unsound, AdvisoryKind::Unsound),
        Some(Informational::Unmaintained) => (Code::Unmaintained, AdvisoryKind::Unmaintained),
        Some(_) => (Code::Notice, AdvisoryKind::Notice),
    };
    let level = level_for(kind, advisory, policy);
    let name = package.name.as_str();
    let version = package.version.to_string();
    let mut text = message(advisory, name, &version);
    if let Some(copy) = copy_note(package) {
        text.push_str(&format!(" [{copy} of the crates.io release]"));
    }
    let mut finding = Finding::new(code, level, text).package(name, &version);
    finding.advisory = Some(advisory_ref(advisory));
    match copy_note(package) {
        Some(_) => finding.help.push(format!(
            "`{name}` is not taken from crates.io but has the name and version of an affected release: if the copy carries the fix, record it with a waiver (state = \"resolved_with_pedigree\"); otherwise apply the fix to the copy"
        )),
        None => finding.help.push(fix_help(advisory, name, &package.version)),
    }
    finding.help.push(waiver_help(advisory.id().as_str(), name));
    finding
}

/// deny when the policy denies the kind, except a scored vulnerability below the severity
/// threshold; an unscored vulnerability is never below a threshold.
fn level_for(kind: AdvisoryKind, advisory: &Advisory, policy: &Policy) -> Level {
    let rules = &policy.advisories;
    if !rules.deny.contains(&kind) {
        return Level::Warn;
    }
    match (kind, rules.severity_threshold, advisory.severity()) {
        (AdvisoryKind::Vulnerability, Some(threshold), Some(severity)) if severity < threshold => Level::Warn,
        _ => Level::Deny,
    }
}

fn message(advisory: &Advisory, name: &str, version: &str) -> String {
    let mut text = format!("{name} {version}: {} ({})", advisory.title(), advisory.id());
    if let Some(affected) = &advisory.affected {
        let mut platforms: Vec<String> = affected.os.iter().map(|o| o.to_string()).collect();
        platforms.extend(affected.arch.iter().map(|a| a.to_string()));
        if !platforms.is_empty() {
            text.push_str(&format!(" [only on {}]", platforms.join(", ")));
        }
    }
    text
}

/// The advisory fields every output carries.
pub fn advisory_ref(advisory: &Advisory) -> AdvisoryRef {
    let meta = &advisory.metadata;
    let affected = advisory.affected.clone().unwrap_or_default();
    AdvisoryRef {
        id: meta.id.to_string(),
        aliases: meta.aliases.iter().map(ToString::to_string).collect(),
        title: advisory.title().to_owned(),
        cvss: meta.cvss.as_ref().map(ToString::to_string),
        score: meta.cvss.as_ref().map(|c| c.score()),
        severity: advisory.severity().map(|s| s.as_str().to_owned()),
        patched: advisory.versions.patched().iter().map(ToString::to_string).collect(),
        unaffected: advisory.versions.unaffected().iter().map(ToString::to_string).collect(),
        os: affected.os.iter().map(ToString::to_string).collect(),
        arch: affected.arch.iter().map(ToString::to_string).collect(),
        url: format!("https://rustsec.org/advisories/{}.html", meta.id),
        date: meta.date.as_str().to_owned(),
        description: advisory.description().trim().to_owned(),
        kev: None,
    }
}

/// What to do about an advisory: the nearest patched version when there is one ("upgrade rand
/// 0.8.4 to 0.8.6", with the `cargo update` that does it, or the requirement to raise when it is
/// in a new semver series), else what the kind of advisory calls for.
fn fix_help(advisory: &Advisory, name: &str, locked: &semver::Version) -> String {
    let patched = advisory.versions.patched();
    if let Some(n) = crate::upgrade::nearest(locked, patched) {
        return upgrade_help(name, locked, &n);
    }
    if !patched.is_empty() {
        let reqs: Vec<String> = patched.iter().map(ToString::to_string).collect();
        return format!(
            "no patched version is above {locked}: change `{name}` to a version matching {} (raise or change the requirement in Cargo.toml)",
            reqs.join(" or ")
        );
    }
    match &advisory.metadata.informational {
        Some(Informational::Unmaintained) => {
            format!(
                "`{name}` is unmaintained: replace it with a maintained alternative, or remove the dependency"
            )
        }
        Some(Informational::Unsound) | None => {
            format!(
                "no patched version exists: replace `{name}` with an alternative, or remove the dependency"
            )
        }
        Some(_) => {
            format!("read the notice and act on it: https://rustsec.org/advisories/{}.html", advisory.id())
        }
    }
}

/// "upgrade rand 0.8.4 to 0.8.6 (`cargo update -p rand@0.8.4 --precise 0.8.6`)", or for a new
/// semver series, the requirement to raise.
fn upgrade_help(name: &str, locked: &semver::Version, n: &crate::upgrade::Nearest) -> String {
    let to = &n.version;
    match (n.same_series, n.named) {
        (true, true) => {
            format!("upgrade {name} {locked} to {to} (`cargo update -p {name}@{locked} --precise {to}`)")
        }
        (true, false) => {
            format!("upgrade {name} {locked} to {to} or later (`cargo update -p {name}@{locked}`)")
        }
        (false, named) => format!(
            "upgrade {name} {locked} to {to}{}: a new semver series, which `cargo update` does not cross; raise the requirement on `{name}` to \"{to}\" in the Cargo.toml that depends on it",
            if named { "" } else { " or later" }
        ),
    }
}

/// The `[[advisories.exceptions]]` entry that would cover a finding.
pub fn waiver_help(id: &str, name: &str) -> String {
    format!(
        "or, once assessed, waive it in spdf.toml: [[advisories.exceptions]] id = \"{id}\", package = \"{name}\", reason = \"...\", expires = \"YYYY-MM-DD\""
    )
}

fn invalid_entry(file: &str, error: &str, package: &LockedPackage) -> Finding {
    let name = package.name.as_str();
    let version = package.version.to_string();
    Finding::new(
        Code::DbEntryInvalid,
        Level::Deny,
        format!("{name} {version}: advisory file {file} cannot be parsed, so this crate cannot be vouched for: {error}"),
    )
    .package(name, &version)
    .help("update the advisory database (`cargo spdf db fetch`) or repair the file")
}

/// `db-stale` when the database is older than `max-db-age-days`.
fn stale(db: &AdvisoryDb, ctx: &Ctx<'_>) -> Option<Finding> {
    let max = ctx.policy.advisories.max_db_age_days?;
    let age = db.age_days(ctx.now);
    match age {
        Some(age) if age <= i64::from(max) => None,
        _ => {
            let how_old = age.map_or_else(|| "of unknown age".to_owned(), |a| format!("{a} days old"));
            let mut f = Finding::new(
                Code::DbStale,
                Level::Deny,
                format!("the advisory database is {how_old}; the policy allows at most {max} days"),
            )
            .help("update it: `cargo spdf db fetch`, or refresh the local mirror it is read from");
            f.required = Some(format!("<= {max} days"));
            f.actual = Some(age.map_or_else(|| "unknown".to_owned(), |a| format!("{a} days")));
            Some(f)
        }
    }
}
