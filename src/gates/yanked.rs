//! Yanked crates, part of the advisories gate: a locked version that was yanked from crates.io,
//! and a version whose yanked status could not be established. Both are `yanked` findings,
//! deny when the policy denies `yanked`, else warn: an unknown status is never a silent pass.

use crate::finding::{Code, Finding, Level};
use crate::load::lockfile::Lock;
use crate::load::yanked::{CRATE_NOT_IN_INDEX, INDEX_URL_VAR, Statuses, VERSION_NOT_IN_INDEX, YankedStatus};
use crate::policy::{AdvisoryKind, Policy};

/// `required` of a yanked finding.
const REQUIRED: &str = "not yanked";

/// One finding per locked package that is yanked or whose status is unknown.
pub fn check(lock: &Lock, statuses: &Statuses, policy: &Policy) -> Vec<Finding> {
    let level =
        if policy.advisories.deny.contains(&AdvisoryKind::Yanked) { Level::Deny } else { Level::Warn };
    statuses
        .iter()
        .filter_map(|((name, version), status)| {
            let finding = match status {
                YankedStatus::NotYanked => return None,
                YankedStatus::Yanked => yanked(name, version, level),
                YankedStatus::Unknown(reason) => unknown(name, version, reason, level),
            };
            Some(finding.at(Some(lock.location(name, version))))
        })
        .collect()
}

fn yanked(name: &str, version: &str, level: Level) -> Finding {
    let mut f = Finding::new(Code::Yanked, level, format!("{name} {version} was yanked from crates.io"))
        .package(name, version)
        .help(format!("update to a version that is not yanked (`cargo update -p {name}`)"));
    f.required = Some(REQUIRED.to_owned());
    f.actual = Some("yanked".to_owned());
    f
}

fn unknown(name: &str, version: &str, reason: &str, level: Level) -> Finding {
    let mut f = Finding::new(
        Code::Yanked,
        level,
        format!("{name} {version}: the yanked status could not be established: {reason}"),
    )
    .package(name, version)
    .help(unknown_help(reason));
    f.required = Some(REQUIRED.to_owned());
    f.actual = Some("unknown".to_owned());
    f
}

/// What to do about an unknown status: a package the index does not list needs its source or
/// the mirror checked; any other cause needs the index to be reachable.
fn unknown_help(reason: &str) -> String {
    if reason == CRATE_NOT_IN_INDEX || reason == VERSION_NOT_IN_INDEX {
        format!(
            "check that the package comes from crates.io and, if {INDEX_URL_VAR} names a mirror, that the mirror is complete and current"
        )
    } else {
        format!(
            "run again with access to the crates.io index, or set {INDEX_URL_VAR} to a mirror of it (http://, https:// or file://)"
        )
    }
}
