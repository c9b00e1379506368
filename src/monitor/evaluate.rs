//! Evaluate: what is new for one released product version, against today's advisory database,
//! KEV catalog and index. A pure function of what was loaded, as the gates are: every advisory
//! is matched to the archived components by the advisories gate itself
//! ([`crate::gates::advisories::matches`]), over a lockfile made of the archived components.
//!
//! Per crates.io component: the advisories that affect it and that the release did not list
//! (new), those it listed whose data changed or that were withdrawn, KEV listings it did not
//! record, and a yanked status it did not record. Per component: an end of support passed or
//! near, and an assessment whose waiver ran out. Per product version: a database older than its
//! policy allows, and a missing KEV catalog.

use super::archive::{Archived, Component, Statement};
use super::compare;
use super::item::{self, Clock, Item, Kind};
use crate::finding::Level;
use crate::gates::advisories::{self, Match};
use crate::load::database::AdvisoryDb;
use crate::load::kev::KevCatalog;
use crate::load::lockfile::Lock;
use crate::load::yanked::{Statuses, YankedStatus};
use crate::policy::{AdvisoryKind, Exception, Policy, Profile, Stage};
use jiff::Timestamp;
use jiff::civil::Date;
use rustsec::Advisory;
use std::collections::BTreeMap;

/// What the database says about each archived (crate, version), matched by the advisories gate.
pub struct Affecting<'a>(BTreeMap<(String, String), Vec<Match<'a>>>);

impl<'a> Affecting<'a> {
    /// Matches every package of `lock` (the archived components) against `db`.
    pub fn new(lock: &'a Lock, db: &'a AdvisoryDb) -> Self {
        let mut map: BTreeMap<(String, String), Vec<Match<'a>>> = BTreeMap::new();
        for m in advisories::matches(lock, db, None) {
            map.entry((m.package.name.as_str().to_owned(), m.package.version.to_string()))
                .or_default()
                .push(m.entry);
        }
        Affecting(map)
    }

    /// The matches of one component.
    pub fn of(&self, c: &Component) -> &[Match<'a>] {
        self.0.get(&(c.name.clone(), c.version.clone())).map_or(&[], Vec::as_slice)
    }
}

/// Everything a product version is compared against.
pub struct Today<'a> {
    /// The advisory database.
    pub db: &'a AdvisoryDb,
    /// Its advisories, matched to the archived components.
    pub affecting: &'a Affecting<'a>,
    /// The KEV catalog, when given.
    pub kev: Option<&'a KevCatalog>,
    /// The yanked status of the archived crates.io components, when looked up.
    pub yanked: Option<&'a Statuses>,
    /// "Now": `SOURCE_DATE_EPOCH` when set, else the clock.
    pub now: Timestamp,
    /// `--since`: the clocks start no earlier than this day.
    pub since: Option<Date>,
    /// `--within`: end-of-support dates this many days ahead are reported.
    pub within_days: i64,
}

impl Today<'_> {
    /// Today's date (UTC).
    pub fn date(&self) -> Date {
        self.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }
}

/// One product version under evaluation.
pub struct Ctx<'a> {
    /// What it is compared against.
    pub today: &'a Today<'a>,
    /// The product version.
    pub archived: &'a Archived,
    /// Its policy.
    pub policy: &'a Policy,
    /// Today's date.
    pub date: Date,
}

/// Everything new about a product version, sorted.
pub fn evaluate(today: &Today<'_>, archived: &Archived) -> Vec<Item> {
    let ctx = Ctx { today, archived, policy: &archived.held_to.policy, date: today.date() };
    let mut items = Vec::new();
    for c in &archived.components {
        if c.crates_io {
            items.extend(compare::advisories(&ctx, c));
            items.extend(compare::no_longer_affecting(&ctx, c));
            items.extend(yanked(&ctx, c));
        }
        items.extend(expired_waivers(&ctx, c));
        items.extend(support(&ctx, c));
    }
    items.extend(db_stale(&ctx));
    items.extend(kev_unchecked(&ctx));
    item::sort(&mut items);
    items
}

/// The level an advisory of a kind gets under the policy, as the advisories gate gives it:
/// deny when the policy denies the kind, except a scored vulnerability below the threshold.
pub fn advisory_level(
    kind: AdvisoryKind,
    severity: Option<rustsec::advisory::Severity>,
    policy: &Policy,
) -> Level {
    let rules = &policy.advisories;
    if !rules.deny.contains(&kind) {
        return Level::Warn;
    }
    match (kind, rules.severity_threshold, severity) {
        (AdvisoryKind::Vulnerability, Some(threshold), Some(s)) if s < threshold => Level::Warn,
        _ => Level::Deny,
    }
}

/// The policy's waiver that covers an advisory for a component and holds today: its id is one
/// of `ids` and its package scope (if any) matches, as the waivers of `check` are applied.
pub fn waiver<'p>(policy: &'p Policy, ids: &[&str], c: &Component, today: Date) -> Option<&'p Exception> {
    policy.advisories.exceptions.iter().find(|e| {
        let scope = e
            .package
            .as_ref()
            .is_none_or(|scope| semver::Version::parse(&c.version).is_ok_and(|v| scope.matches(&c.name, &v)));
        ids.contains(&e.id.as_str()) && scope && e.expires.is_none_or(|d| d >= today)
    })
}

/// The clocks of an item about `advisory`: from its publication, or from the latest of `later`
/// (when the news is younger than the advisory) and `--since`.
pub fn clock(ctx: &Ctx<'_>, advisory: &Advisory, later: &[Option<Date>]) -> Option<Clock> {
    let published: Date = advisory.metadata.date.as_str().parse().ok()?;
    let start = later.iter().flatten().chain(ctx.today.since.as_ref()).fold(published, |a, b| a.max(*b));
    let days = |from: Date| i64::from((ctx.date - from).get_days());
    let elapsed = days(start);
    Some(Clock {
        published: published.to_string(),
        days_since_published: days(published),
        start: start.to_string(),
        days_left_30: 30 - elapsed,
        days_left_60: 60 - elapsed,
    })
}

/// A crates.io version yanked (or of unknown status) now that the release did not record yanked.
fn yanked(ctx: &Ctx<'_>, c: &Component) -> Option<Item> {
    let key = (c.name.clone(), c.version.clone());
    let status = ctx.today.yanked?.get(&key)?;
    // Known at the release: yanked then, or unknown then and still unknown.
    let recorded = ctx.archived.yanked.get(&key);
    match (status, recorded.map(String::as_str)) {
        (YankedStatus::Yanked, Some("yanked")) | (YankedStatus::Unknown(_), Some(_)) => return None,
        _ => {}
    }
    let denied = ctx.policy.advisories.deny.contains(&AdvisoryKind::Yanked);
    let level = if denied { Level::Deny } else { Level::Warn };
    let since = if ctx.archived.yanked_recorded { " since the release" } else { "" };
    let item = match status {
        YankedStatus::NotYanked => return None,
        YankedStatus::Yanked => Item::new(
            Kind::Yanked,
            level,
            format!("{} {} was yanked from crates.io{since}", c.name, c.version),
        )
        .help(format!(
            "ship a patch release with another version of `{}` (`cargo update -p {}`)",
            c.name, c.name
        )),
        YankedStatus::Unknown(reason) => Item::new(
            Kind::Yanked,
            level,
            format!("{} {}: the yanked status could not be established: {reason}", c.name, c.version),
        )
        .help(format!(
            "run again with access to the crates.io index, or set {} to a mirror of it",
            crate::load::yanked::INDEX_URL_VAR
        )),
    };
    let mut item = item.package(&c.name, &c.version);
    item.status = Some(if matches!(status, YankedStatus::Yanked) { "yanked" } else { "unknown" });
    Some(item)
}

/// An assessment whose waiver expired, unless a settled assessment or a waiver of the policy
/// renews it.
fn expired_waivers(ctx: &Ctx<'_>, c: &Component) -> Vec<Item> {
    let mine = |s: &&Statement| {
        s.affects.iter().any(|r| super::archive::refers_to(r, c, ctx.archived.serial.as_deref()))
    };
    let statements: Vec<&Statement> = ctx.archived.statements.iter().filter(mine).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut items = Vec::new();
    for s in &statements {
        let Some(expires) = s.waiver_expires.filter(|d| *d < ctx.date) else { continue };
        let ids: Vec<&str> = s.ids().collect();
        let renewed = statements.iter().any(|o| {
            o.ids().any(|id| ids.contains(&id))
                && o.settled()
                && o.waiver_expires.is_none_or(|d| d >= ctx.date)
        }) || waiver(ctx.policy, &ids, c, ctx.date).is_some();
        if renewed || !seen.insert(s.id.clone()) {
            continue;
        }
        let state = s.state.as_deref().unwrap_or("in_triage");
        let mut item = Item::new(
            Kind::WaiverExpired,
            Level::Deny,
            format!(
                "{} {}: the waiver behind the assessment of {} ({state}, {}) expired on {expires}",
                c.name, c.version, s.id, s.file
            ),
        )
        .package(&c.name, &c.version)
        .help("re-assess it: renew the waiver in the policy (--policy) with a new `expires`, publish a new VEX statement (--vex), or ship a patch release");
        item.date = Some(expires.to_string());
        items.push(item);
    }
    items
}

/// An end of support that has passed (deny) or comes within `--within` days (warn).
fn support(ctx: &Ctx<'_>, c: &Component) -> Option<Item> {
    let end = c.end_of_support?;
    let days = i64::from((end - ctx.date).get_days());
    let (kind, level, message) = if end < ctx.date {
        (Kind::SupportEnded, Level::Deny, format!("{} {}: its support ended on {end}", c.name, c.version))
    } else if days <= ctx.today.within_days {
        (
            Kind::SupportEnding,
            Level::Warn,
            format!("{} {}: its support ends on {end}, in {days} days", c.name, c.version),
        )
    } else {
        return None;
    };
    let mut item = Item::new(kind, level, message)
        .package(&c.name, &c.version)
        .help("plan the replacement or the extended support, and record it in the policy's [[support]] entry for the next release");
    item.date = Some(end.to_string());
    Some(item)
}

/// A database older than the policy allows (the release stage allows 7 days unless it says
/// otherwise): monitoring against it can miss what is new.
fn db_stale(ctx: &Ctx<'_>) -> Option<Item> {
    let max = ctx.policy.advisories.max_db_age_days?;
    let age = ctx.today.db.age_days(ctx.today.now);
    if age.is_some_and(|a| a <= i64::from(max)) {
        return None;
    }
    let how_old = age.map_or_else(|| "of unknown age".to_owned(), |a| format!("{a} days old"));
    Some(
        Item::new(
            Kind::DbStale,
            Level::Deny,
            format!("the advisory database is {how_old}; the release policy allows at most {max} days"),
        )
        .help("update it before monitoring (`cargo spdf db fetch`, or refresh the mirror it is read from)"),
    )
}

/// Without a KEV catalog: as `check` has it, a deny at the release stage, a warning under the
/// medical and firmware profiles, nothing otherwise.
fn kev_unchecked(ctx: &Ctx<'_>) -> Option<Item> {
    if ctx.today.kev.is_some() {
        return None;
    }
    let level = match (ctx.archived.held_to.stage, ctx.policy.profile) {
        (Stage::Release, _) => Level::Deny,
        (_, Profile::Medical | Profile::Firmware) => Level::Warn,
        (_, Profile::Baseline) => return None,
    };
    Some(
        Item::new(
            Kind::KevUnchecked,
            level,
            "no CISA Known Exploited Vulnerabilities catalog was given, so no new KEV listing can be found",
        )
        .help(
            "pass --kev known_exploited_vulnerabilities.json (or set CARGO_SPDF_KEV), updated from cisa.gov",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::database::{DbLocation, DbSource};
    use crate::monitor::archive::{HeldTo, PolicySource, Source};
    use crate::monitor::{cdx, lockfile};
    use std::path::Path;

    /// An SBOM of another tool that lists RUSTSEC-2099-0001 as not affected, and nothing else.
    const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5",
        "metadata":{"component":{"name":"pump","version":"2.0.0"}},
        "components":[
          {"bom-ref":"a","name":"vulnlib","version":"1.0.0","purl":"pkg:cargo/vulnlib@1.0.0"},
          {"bom-ref":"b","name":"safelib","version":"1.0.0","purl":"pkg:cargo/safelib@1.0.0"},
          {"bom-ref":"c","name":"gonelib","version":"1.0.0","purl":"pkg:cargo/gonelib@1.0.0?vcs_url=git%2Bhttps://example.org/gonelib"}],
        "vulnerabilities":[{"id":"RUSTSEC-2099-0001","analysis":{"state":"not_affected"},"affects":[{"ref":"a"}]}]}"#;

    #[test]
    fn new_advisories_against_the_database_of_today() {
        let doc = cdx::parse(SBOM.as_bytes(), Path::new("pump.cdx.json")).unwrap();
        let policy = Policy::builtin(Profile::Baseline).with_stage_rules(Stage::Release);
        let held_to =
            HeldTo { policy, source: PolicySource::Profile(Profile::Baseline), stage: Stage::Release };
        let archived =
            Archived::from_document(Source::Sbom("pump.cdx.json".into()), &doc, "pump.cdx.json", held_to);
        let lock = lockfile::union([&archived]).unwrap();
        assert_eq!(lock.packages.len(), 2, "the git dependency is not a crates.io package");
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monitor/advisory-db-new");
        let crates = ["safelib".to_owned(), "vulnlib".to_owned()].into();
        let db = AdvisoryDb::open(&DbLocation { path, source: DbSource::Flag }, &crates).unwrap();
        let affecting = Affecting::new(&lock, &db);
        let today = Today {
            db: &db,
            affecting: &affecting,
            kev: None,
            yanked: None,
            now: "2024-09-02T00:00:00Z".parse().unwrap(),
            since: None,
            within_days: 30,
        };
        let items = evaluate(&today, &archived);
        let keys: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|i| (i.kind.as_str(), i.level.as_str(), i.advisory.as_ref().map_or("", |a| a.id.as_str())))
            .collect();
        assert_eq!(
            keys,
            [
                ("kev-unchecked", "deny", ""),
                ("new-vulnerability", "deny", "RUSTSEC-2099-0011"),
                ("new-vulnerability", "deny", "RUSTSEC-2099-0002"),
            ]
        );
        let clock = items[1].clock.as_ref().unwrap();
        assert_eq!((clock.days_since_published, clock.days_left_30, clock.days_left_60), (7, 23, 53));
    }

    #[test]
    fn the_policy_decides_the_level() {
        let mut policy = Policy::builtin(Profile::Baseline);
        assert_eq!(advisory_level(AdvisoryKind::Vulnerability, None, &policy), Level::Deny);
        assert_eq!(advisory_level(AdvisoryKind::Unmaintained, None, &policy), Level::Warn);
        policy.advisories.severity_threshold = Some(rustsec::advisory::Severity::Medium);
        let low = Some(rustsec::advisory::Severity::Low);
        assert_eq!(advisory_level(AdvisoryKind::Vulnerability, low, &policy), Level::Warn);
        assert_eq!(
            advisory_level(AdvisoryKind::Vulnerability, None, &policy),
            Level::Deny,
            "unscored denies"
        );
    }
}
