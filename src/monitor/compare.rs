//! Evaluate: one crates.io component's advisories now against what the release listed: new
//! advisories, listed ones whose CVSS rating or patched versions changed, listed ones that were
//! withdrawn or no longer affect the version, and KEV listings the release did not record.

use super::archive::{Component, Statement};
use super::evaluate::{Ctx, advisory_level, clock, waiver};
use super::item::{Change, Item, KevRef, Kind};
use crate::finding::Level;
use crate::gates::advisories::{Match, advisory_ref};
use crate::load::database::Entry;
use crate::policy::AdvisoryKind;
use rustsec::Advisory;
use rustsec::advisory::{Informational, Severity};
use std::collections::BTreeSet;

/// What covers an advisory for a product version, so that it fails nothing.
enum Cover {
    /// Nothing: it is owed action.
    None,
    /// A waiver of the policy in force.
    Waiver(crate::finding::ExceptionRef),
    /// A settled assessment (resolved, not affected, false positive) whose waiver, if any, holds.
    Settled(String),
}

impl Cover {
    fn of(ctx: &Ctx<'_>, ids: &[&str], c: &Component, recorded: &[&Statement]) -> Self {
        if let Some(e) = waiver(ctx.policy, ids, c, ctx.date) {
            return Cover::Waiver(crate::gates::waivers::exception_ref(e));
        }
        let settled = recorded.iter().find(|s| s.settled() && s.waiver_expires.is_none_or(|d| d >= ctx.date));
        match settled {
            Some(s) => Cover::Settled(format!("{} in {}", s.state.as_deref().unwrap_or_default(), s.file)),
            None => Cover::None,
        }
    }

    fn is_none(&self) -> bool {
        matches!(self, Cover::None)
    }

    /// Turns an item into `excepted` when covered.
    fn apply(&self, mut item: Item) -> Item {
        match self {
            Cover::None => return item,
            Cover::Waiver(e) => item.exception = Some(e.clone()),
            Cover::Settled(a) => item.assessment = Some(a.clone()),
        }
        item.level = Level::Excepted;
        item
    }
}

/// The advisory items of one component: new advisories, changed ones, KEV listings, and
/// advisory files that cannot be parsed.
pub fn advisories(ctx: &Ctx<'_>, c: &Component) -> Vec<Item> {
    let mut items = Vec::new();
    for m in ctx.today.affecting.of(c) {
        let advisory = match m {
            Match::Advisory(a) => *a,
            Match::Invalid { file, error } => {
                items.push(invalid(c, file, error));
                continue;
            }
        };
        let ids = ids(advisory);
        let recorded: Vec<&Statement> = ctx.archived.statements_for(&ids, c).collect();
        let cover = Cover::of(ctx, &ids, c, &recorded);
        if recorded.is_empty() {
            items.push(cover.apply(new(ctx, advisory, c)));
        } else {
            // A change is worth a look even where the advisory is waived or settled: it stays a warning.
            items.extend(changed(ctx, advisory, c, &recorded, &cover));
        }
        items.extend(kev(ctx, advisory, c, &recorded).map(|i| cover.apply(i)));
    }
    items
}

/// The advisory's id and aliases.
fn ids(advisory: &Advisory) -> Vec<&str> {
    std::iter::once(advisory.id().as_str())
        .chain(advisory.metadata.aliases.iter().map(|a| a.as_str()))
        .collect()
}

/// The kind of an advisory, as the policy and the items name it.
fn kind(advisory: &Advisory) -> (AdvisoryKind, Kind, &'static str) {
    match &advisory.metadata.informational {
        None => (AdvisoryKind::Vulnerability, Kind::NewVulnerability, "vulnerability"),
        Some(Informational::Unsound) => (AdvisoryKind::Unsound, Kind::NewAdvisory, "unsound"),
        Some(Informational::Unmaintained) => (AdvisoryKind::Unmaintained, Kind::Unmaintained, "unmaintained"),
        Some(_) => (AdvisoryKind::Notice, Kind::NewAdvisory, "notice"),
    }
}

/// The common part of every item about an advisory.
fn about(ctx: &Ctx<'_>, item: Item, advisory: &Advisory, c: &Component) -> Item {
    let mut item = item.package(&c.name, &c.version);
    let mut reference = advisory_ref(advisory);
    reference.kev = ctx.today.kev.map(|k| listed(k, advisory).is_some());
    item.advisory = Some(reference);
    item.advisory_kind = Some(kind(advisory).2);
    item
}

/// An advisory the release did not list.
fn new(ctx: &Ctx<'_>, advisory: &Advisory, c: &Component) -> Item {
    let (policy_kind, item_kind, _) = kind(advisory);
    let level = advisory_level(policy_kind, advisory.severity(), ctx.policy);
    let clock = clock(ctx, advisory, &[]);
    let age = clock.as_ref().map_or_else(String::new, |k| {
        format!(", published {} ({} days ago)", k.published, k.days_since_published)
    });
    let message = format!(
        "{} {}: {} ({}){age}; not in the release's vulnerabilities or VEX",
        c.name,
        c.version,
        advisory.title(),
        advisory.id()
    );
    let mut item = about(ctx, Item::new(item_kind, level, message), advisory, c);
    item.clock = clock;
    item.help.push(fix_help(advisory, c));
    item.help.extend(assess_help(advisory, c));
    item
}

/// What a patch release would change.
fn fix_help(advisory: &Advisory, c: &Component) -> String {
    let patched: Vec<String> = advisory.versions.patched().iter().map(ToString::to_string).collect();
    if patched.is_empty() {
        format!("no patched version of `{}` exists: a patch release must replace or remove it", c.name)
    } else {
        format!(
            "patch release: upgrade `{}` to a version matching {} (`cargo update -p {}`), then release and archive the new bundle",
            c.name,
            patched.join(" or "),
            c.name
        )
    }
}

/// How to record the assessment for the version in the field.
fn assess_help(advisory: &Advisory, c: &Component) -> [String; 2] {
    [
        "assess it for this version and publish the analysis as a VEX statement (pass it with --vex so it is not reported again)".to_owned(),
        format!(
            "or, while the fix is under way, waive it in the policy given with --policy: [[advisories.exceptions]] id = \"{}\", package = \"{}@={}\", reason = \"...\", expires = \"YYYY-MM-DD\"",
            advisory.id(),
            c.name,
            c.version
        ),
    ]
}

/// A listed advisory whose CVSS rating or patched versions differ now.
fn changed(
    ctx: &Ctx<'_>,
    advisory: &Advisory,
    c: &Component,
    recorded: &[&Statement],
    cover: &Cover,
) -> Option<Item> {
    let mut changes = Vec::new();
    // A statement records the rating when it has one, or when cargo-spdf wrote it (it writes
    // every rating there is, so none means unscored); another tool's may just leave it out.
    let rated: Vec<&&Statement> =
        recorded.iter().filter(|s| s.vector.is_some() || s.level.is_some()).collect();
    let before_vector = rated.iter().find_map(|s| s.vector.clone());
    let now_vector = advisory.metadata.cvss.as_ref().map(ToString::to_string);
    let cvss_changed = !rated.is_empty() && !same_vector(before_vector.as_deref(), now_vector.as_deref());
    if cvss_changed {
        changes.push(Change { field: "cvss", before: before_vector, after: now_vector });
    }
    let key = (advisory.id().to_string(), c.name.clone(), c.version.clone());
    if let Some(before) = ctx.archived.patched.get(&key) {
        let now: Vec<String> = advisory.versions.patched().iter().map(ToString::to_string).collect();
        if before.iter().collect::<BTreeSet<_>>() != now.iter().collect::<BTreeSet<_>>() {
            changes.push(Change {
                field: "patched",
                before: Some(before.join(" or ")),
                after: Some(now.join(" or ")),
            });
        }
    }
    if changes.is_empty() {
        return None;
    }
    let level = if cvss_changed && newly_denied(ctx, advisory, recorded) && cover.is_none() {
        Level::Deny
    } else {
        Level::Warn
    };
    let what: Vec<String> = changes
        .iter()
        .map(|c| if c.field == "cvss" { rescored(recorded, advisory) } else { describe(c) })
        .collect();
    let message =
        format!("{} {}: {} changed since the release: {}", c.name, c.version, advisory.id(), what.join("; "));
    let mut item = about(ctx, Item::new(Kind::AdvisoryChanged, level, message), advisory, c);
    item.clock = clock(ctx, advisory, &[released(ctx)]);
    item.changes = changes;
    item.help.push("re-assess it with the new data and update the VEX statement for this version".to_owned());
    item.help.push(fix_help(advisory, c));
    Some(item)
}

/// Whether the new rating makes the advisory fail the policy where the release's did not.
fn newly_denied(ctx: &Ctx<'_>, advisory: &Advisory, recorded: &[&Statement]) -> bool {
    let (policy_kind, _, _) = kind(advisory);
    let before = recorded.iter().find_map(|s| s.level).unwrap_or_else(|| {
        let severity =
            recorded.iter().find_map(|s| s.severity.as_deref()).and_then(|s| s.parse::<Severity>().ok());
        advisory_level(policy_kind, severity, ctx.policy)
    });
    advisory_level(policy_kind, advisory.severity(), ctx.policy) == Level::Deny && before != Level::Deny
}

/// "CVSS rescored from 1.8 (low) to 7.5 (high)".
fn rescored(recorded: &[&Statement], advisory: &Advisory) -> String {
    let score = |score: Option<f64>, severity: Option<&str>| match (score, severity) {
        (Some(s), Some(sev)) => format!("{s:.1} ({sev})"),
        (Some(s), None) => format!("{s:.1}"),
        (None, Some(sev)) => sev.to_owned(),
        (None, None) => "unscored".to_owned(),
    };
    let before = recorded.iter().find(|s| s.vector.is_some() || s.score.is_some());
    let before = score(before.and_then(|s| s.score), before.and_then(|s| s.severity.as_deref()));
    let after =
        score(advisory.metadata.cvss.as_ref().map(|c| c.score()), advisory.severity().map(|s| s.as_str()));
    format!("CVSS rescored from {before} to {after}")
}

/// Two CVSS vectors are the same when equal, or equal but for a `CVSS:3.x/` prefix one omits.
fn same_vector(a: Option<&str>, b: Option<&str>) -> bool {
    let bare = |v: &str| {
        v.split_once('/').filter(|(p, _)| p.starts_with("CVSS:")).map_or(v.to_owned(), |(_, r)| r.to_owned())
    };
    match (a, b) {
        (Some(a), Some(b)) => {
            a == b || (!(a.starts_with("CVSS:") && b.starts_with("CVSS:")) && bare(a) == bare(b))
        }
        (None, None) => true,
        _ => false,
    }
}

fn describe(change: &Change) -> String {
    let or_none =
        |v: &Option<String>| v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "none".to_owned());
    match change.field {
        "cvss" => format!("CVSS {} -> {}", or_none(&change.before), or_none(&change.after)),
        "patched" => format!("patched versions {} -> {}", or_none(&change.before), or_none(&change.after)),
        "withdrawn" => format!("withdrawn on {}", or_none(&change.after)),
        _ => format!("no longer affects this version ({})", or_none(&change.after)),
    }
}

/// The release's date, when known.
fn released(ctx: &Ctx<'_>) -> Option<jiff::civil::Date> {
    ctx.archived.released.map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
}

/// The KEV entry listing one of the advisory's CVE aliases (or its id), as `check` finds it.
fn listed<'k>(
    catalog: &'k crate::load::kev::KevCatalog,
    advisory: &Advisory,
) -> Option<(String, &'k crate::load::kev::KevEntry)> {
    let aliases: Vec<String> = advisory.metadata.aliases.iter().map(ToString::to_string).collect();
    let id = [advisory.id().to_string()];
    let (cve, entry) = catalog.find(&aliases).or_else(|| catalog.find(&id))?;
    Some((cve.to_owned(), entry))
}

/// A KEV listing the release did not record.
fn kev(ctx: &Ctx<'_>, advisory: &Advisory, c: &Component, recorded: &[&Statement]) -> Option<Item> {
    let (cve, entry) = listed(ctx.today.kev?, advisory)?;
    if recorded.iter().any(|s| s.kev == Some(true)) {
        return None;
    }
    let denied = ctx.policy.advisories.deny.contains(&AdvisoryKind::Kev);
    let message = format!(
        "{} {}: {} ({cve}) is in CISA's Known Exploited Vulnerabilities catalog since {}: {}",
        c.name,
        c.version,
        advisory.id(),
        entry.date_added,
        entry.name
    );
    let mut item = about(
        ctx,
        Item::new(Kind::Kev, if denied { Level::Deny } else { Level::Warn }, message),
        advisory,
        c,
    );
    item.clock = clock(ctx, advisory, &[entry.date_added.parse().ok()]);
    item.kev = Some(KevRef {
        cve,
        date_added: entry.date_added.clone(),
        due_date: entry.due_date.clone(),
        required_action: entry.required_action.clone(),
    });
    item.help.push(format!("CISA's required action: {}", entry.required_action));
    item.help.push(
        "the FDA expects known exploited vulnerabilities to be designed out: a patch release out of cycle"
            .to_owned(),
    );
    item.help.push(fix_help(advisory, c));
    Some(item)
}

fn invalid(c: &Component, file: &str, error: &str) -> Item {
    Item::new(
        Kind::DbEntryInvalid,
        Level::Deny,
        format!(
            "{} {}: advisory file {file} cannot be parsed, so this crate cannot be vouched for: {error}",
            c.name, c.version
        ),
    )
    .package(&c.name, &c.version)
    .help("update the advisory database (`cargo spdf db fetch`) or repair the file")
}

/// Advisories the release listed for the component that no longer affect it: withdrawn, or
/// whose versions now leave it out.
pub fn no_longer_affecting(ctx: &Ctx<'_>, c: &Component) -> Vec<Item> {
    let affecting: BTreeSet<String> = ctx
        .today
        .affecting
        .of(c)
        .iter()
        .filter_map(|m| match m {
            Match::Advisory(a) => Some(a.id().to_string()),
            Match::Invalid { .. } => None,
        })
        .collect();
    let listed: Vec<&Statement> = ctx
        .archived
        .statements
        .iter()
        .filter(|s| s.affects.iter().any(|r| super::archive::refers_to(r, c, ctx.archived.serial.as_deref())))
        .collect();
    let mut items = Vec::new();
    for entry in ctx.today.db.entries(&c.name) {
        let Entry::Advisory(advisory) = entry else { continue };
        let ids = ids(advisory);
        let was_listed = listed.iter().any(|s| s.ids().any(|id| ids.contains(&id)));
        if was_listed && !affecting.contains(advisory.id().as_str()) {
            items.push(gone(ctx, advisory, c));
        }
    }
    items
}

/// A listed advisory that was withdrawn or no longer covers the version.
fn gone(ctx: &Ctx<'_>, advisory: &Advisory, c: &Component) -> Item {
    let withdrawn = advisory.metadata.withdrawn.as_ref().map(|d| d.as_str().to_owned());
    let change = match &withdrawn {
        Some(date) => Change { field: "withdrawn", before: None, after: Some(date.clone()) },
        None => Change {
            field: "affected",
            before: Some(c.version.clone()),
            after: Some(format!("patched {}", versions(advisory))),
        },
    };
    let message = format!(
        "{} {}: {} changed since the release: {}",
        c.name,
        c.version,
        advisory.id(),
        describe(&change)
    );
    let mut item = about(ctx, Item::new(Kind::AdvisoryChanged, Level::Warn, message), advisory, c);
    let news = withdrawn.as_deref().and_then(|d| d.parse().ok()).or(released(ctx));
    item.clock = clock(ctx, advisory, &[news]);
    item.changes = vec![change];
    item.help.push("update the VEX statement for this version (state `not_affected` or `false_positive`, with the reason)".to_owned());
    item
}

fn versions(advisory: &Advisory) -> String {
    let patched: Vec<String> = advisory.versions.patched().iter().map(ToString::to_string).collect();
    if patched.is_empty() { "none".to_owned() } else { patched.join(" or ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_compare_with_or_without_their_prefix() {
        let v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        assert!(same_vector(Some(v31), Some(v31)));
        assert!(same_vector(Some("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), Some(v31)));
        assert!(!same_vector(Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), Some(v31)));
        assert!(!same_vector(Some("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), Some(v31)));
        assert!(!same_vector(None, Some(v31)));
        assert!(same_vector(None, None));
    }
}
