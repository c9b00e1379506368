//! Waivers (`[[advisories.exceptions]]`): applied to the findings of every gate that reports
//! advisories, after those gates have run.
//!
//! A waiver that holds turns a finding into `excepted` (it stays in the report). An expired
//! waiver waives nothing and is itself a deny finding; a waiver that matched nothing is a warning,
//! so that the policy does not keep waivers for problems long gone. A waiver imported from
//! cargo-audit or cargo-deny that still lacks a reason or an expiry warns, and denies at the
//! release stage.

use super::Ctx;
use crate::finding::{AdvisoryRef, Code, ExceptionRef, Finding, Gate, Level, PackageRef};
use crate::load::database::AdvisoryDb;
use crate::policy::Exception;
use jiff::civil::Date;

/// The gates whose findings waivers apply to: the advisories gate (crates) and the build gate
/// (the toolchain's own advisories). A waiver is reported unused only when every gate that could
/// have used it ran.
pub const WAIVABLE: [Gate; 2] = [Gate::Advisories, Gate::Build];

/// Applies the policy's waivers to `findings` and adds `exception-expired` / `exception-unused`.
pub fn apply(findings: &mut Vec<Finding>, ctx: &Ctx<'_>, db: Option<&AdvisoryDb>, gates: &[Gate]) {
    let exceptions = &ctx.policy.advisories.exceptions;
    if !WAIVABLE.iter().any(|g| gates.contains(g)) {
        return;
    }
    let today = ctx.today();
    let mut used = vec![false; exceptions.len()];
    for finding in findings.iter_mut() {
        let (Some(advisory), Some(package)) = (&finding.advisory, &finding.package) else {
            continue;
        };
        let covering = exceptions.iter().enumerate().filter(|(_, e)| covers(e, advisory, package));
        for (i, exception) in covering {
            used[i] = true;
            let holds = !is_expired(exception, today) && too_long(exception, today, ctx.policy).is_none();
            if holds && finding.level != Level::Excepted {
                finding.level = Level::Excepted;
                finding.exception = Some(exception_ref(exception));
            }
        }
    }
    // Toolchain advisories are the build gate's; every other advisory is the advisories gate's.
    let could_have_used = |e: &Exception| {
        gates.contains(if is_toolchain_advisory(e, db) { &Gate::Build } else { &Gate::Advisories })
    };
    for (exception, used) in exceptions.iter().zip(used) {
        if let Some(max) = too_long(exception, today, ctx.policy) {
            findings.push(unbounded(exception, max));
        }
        if is_expired(exception, today) {
            findings.push(expired(exception));
        } else if !used && could_have_used(exception) {
            findings.push(unused(exception));
        }
        if ctx.stage == crate::policy::Stage::Release {
            findings.extend(expiring(exception, today));
        }
        findings.extend(incomplete(exception, ctx.stage));
    }
}

/// A waiver imported from another tool (`imported = true`) that still lacks a reason or an
/// expiry date: a warning while the team works on it, and a release blocker.
fn incomplete(e: &Exception, stage: crate::policy::Stage) -> Option<Finding> {
    if e.incomplete.is_empty() {
        return None;
    }
    let level = if stage == crate::policy::Stage::Release { Level::Deny } else { Level::Warn };
    let missing: Vec<String> = e.incomplete.iter().map(|k| format!("`{k}`")).collect();
    let mut f = Finding::new(
        Code::ExceptionIncomplete,
        level,
        format!("the imported waiver of {}{} has no {} yet", e.id, scope(e), missing.join(" and no ")),
    )
    .help("assess the finding, say why it is acceptable in `reason` and until when in `expires`, then remove `imported = true`; the release stage fails until then")
    .at(Some(e.location.clone()));
    f.exception = Some(exception_ref(e));
    Some(f)
}

/// At the release stage, a waiver that lapses within 30 days is a warning: the release would
/// ship with an assessment about to run out.
fn expiring(e: &Exception, today: Date) -> Option<Finding> {
    let expires = e.expires?;
    let days = (expires - today).get_days();
    if !(0..=30).contains(&days) {
        return None;
    }
    let mut f = Finding::new(
        Code::ExceptionExpiring,
        Level::Warn,
        format!("the waiver of {}{} expires in {days} days ({expires})", e.id, scope(e)),
    )
    .help("re-assess it before the release ships, and renew it with a new `expires` date if it still holds")
    .at(Some(e.location.clone()));
    f.exception = Some(exception_ref(e));
    Some(f)
}

/// Whether a waiver's id is one of the toolchain's advisories (or their aliases).
fn is_toolchain_advisory(e: &Exception, db: Option<&AdvisoryDb>) -> bool {
    db.is_some_and(|db| {
        db.toolchain().iter().any(|(_, entry)| match entry {
            crate::load::database::Entry::Advisory(a) => {
                a.id().as_str() == e.id || a.metadata.aliases.iter().any(|alias| alias.as_str() == e.id)
            }
            crate::load::database::Entry::Invalid { .. } => false,
        })
    })
}

/// Whether a waiver covers an advisory finding: its id is the advisory's id or an alias, and
/// its package scope (if any) matches.
fn covers(exception: &Exception, advisory: &AdvisoryRef, package: &PackageRef) -> bool {
    let id_matches = exception.id == advisory.id || advisory.aliases.contains(&exception.id);
    let package_matches = exception.package.as_ref().is_none_or(|scope| {
        semver::Version::parse(&package.version).is_ok_and(|v| scope.matches(&package.name, &v))
    });
    id_matches && package_matches
}

/// A waiver holds through its expiry date and lapses the day after.
fn is_expired(exception: &Exception, today: Date) -> bool {
    exception.expires.is_some_and(|d| d < today)
}

/// The report form of a waiver.
pub fn exception_ref(e: &Exception) -> ExceptionRef {
    ExceptionRef {
        id: e.id.clone(),
        reason: e.reason.clone(),
        expires: e.expires.map(|d| d.to_string()),
        state: e.state.clone(),
        justification: e.justification.clone(),
        response: e.response.clone(),
        approved_by: e.approved_by.clone(),
        location: e.location.clone(),
    }
}

fn scope(e: &Exception) -> String {
    match &e.package {
        Some(p) => match &p.req {
            Some(req) => format!(" for {}@{req}", p.name),
            None => format!(" for {}", p.name),
        },
        None => String::new(),
    }
}

fn expired(e: &Exception) -> Finding {
    let expires = e.expires.map(|d| d.to_string()).unwrap_or_default();
    let mut f = Finding::new(
        Code::ExceptionExpired,
        Level::Deny,
        format!("the waiver of {}{} expired on {expires} and no longer waives anything", e.id, scope(e)),
    )
    .help("re-assess the finding: fix it, or renew the waiver with a new `expires` date and approval")
    .at(Some(e.location.clone()));
    f.exception = Some(exception_ref(e));
    f
}

/// The bound a waiver's expiry goes beyond, if it does (`max-exception-days`).
fn too_long(e: &Exception, today: Date, policy: &crate::policy::Policy) -> Option<u32> {
    let max = policy.advisories.max_exception_days?;
    let expires = e.expires?;
    ((expires - today).get_days() > i32::try_from(max).unwrap_or(i32::MAX)).then_some(max)
}

/// A waiver that would hold longer than the policy allows waives nothing.
fn unbounded(e: &Exception, max: u32) -> Finding {
    let expires = e.expires.map(|d| d.to_string()).unwrap_or_default();
    let mut f = Finding::new(
        Code::ExceptionTooLong,
        Level::Deny,
        format!("the waiver of {}{} expires on {expires}, more than the {max} days ahead the policy allows; it waives nothing", e.id, scope(e)),
    )
    .help(format!("set `expires` at most {max} days ahead and re-assess then (max-exception-days in [advisories])"))
    .at(Some(e.location.clone()));
    f.exception = Some(exception_ref(e));
    f
}

fn unused(e: &Exception) -> Finding {
    let mut f = Finding::new(
        Code::ExceptionUnused,
        Level::Warn,
        format!("the waiver of {}{} matches no finding", e.id, scope(e)),
    )
    .help("remove it from the policy if the finding is gone for good")
    .at(Some(e.location.clone()));
    f.exception = Some(exception_ref(e));
    f
}
