//! KEV: advisories whose CVE is in CISA's Known Exploited Vulnerabilities catalog. Each is also a
//! `kev` finding (deny in every profile by default): the FDA expects known exploited
//! vulnerabilities to be designed out. Every advisory finding records whether it is in the
//! catalog. A catalog older than `max-kev-age-days` (7 days at the release stage) is a
//! `kev-stale` finding: CISA adds entries every week, and an old copy misses them.

use super::Ctx;
use crate::finding::{Code, Finding, Level};
use crate::load::kev::KevCatalog;
use crate::policy::{AdvisoryKind, Profile, Stage};
use jiff::Timestamp;

/// Marks advisory findings with their KEV membership and adds a `kev` finding for each listed
/// one; without a catalog, says so (and fails at the release stage).
pub fn apply(findings: &mut Vec<Finding>, ctx: &Ctx<'_>, kev: Option<&KevCatalog>) {
    let Some(catalog) = kev else {
        findings.extend(not_run(ctx));
        return;
    };
    findings.extend(stale(ctx, catalog));
    let level =
        if ctx.policy.advisories.deny.contains(&AdvisoryKind::Kev) { Level::Deny } else { Level::Warn };
    let mut added = Vec::new();
    for f in findings.iter_mut() {
        let Some(advisory) = f.advisory.as_mut() else { continue };
        let listed = catalog.find(&advisory.aliases).or_else(|| catalog.find([&advisory.id]));
        advisory.kev = Some(listed.is_some());
        let Some((cve, entry)) = listed else { continue };
        let mut kev = Finding::new(
            Code::Kev,
            level,
            format!(
                "{}: {} ({cve}) is in CISA's Known Exploited Vulnerabilities catalog since {}: {}",
                f.package.as_ref().map(|p| format!("{} {}", p.name, p.version)).unwrap_or_default(),
                advisory.id,
                entry.date_added,
                entry.name
            ),
        )
        .help(format!("CISA's required action: {}", entry.required_action))
        .help("the FDA expects known exploited vulnerabilities to be designed out: upgrade or remove the component first");
        kev.package = f.package.clone();
        kev.advisory = Some(advisory.clone());
        kev.location = f.location.clone();
        added.push(kev);
    }
    findings.extend(added);
}

/// The catalog's age in whole days at `now`, from its `dateReleased` (0 for a catalog released
/// after `now`); `None` when the release date is not a timestamp or a date.
pub fn age_days(kev: &KevCatalog, now: Timestamp) -> Option<i64> {
    released_age_days(&kev.released, now)
}

/// The age in whole days at `now` of a catalog released at `released` (its `dateReleased`).
pub fn released_age_days(released: &str, now: Timestamp) -> Option<i64> {
    let released = released.trim();
    let at = released.parse::<Timestamp>().ok().or_else(|| {
        let date = released.get(..10)?.parse::<jiff::civil::Date>().ok()?;
        date.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
    })?;
    Some((now.as_second() - at.as_second()).max(0).div_euclid(86_400))
}

/// `kev-stale` when the catalog is older than `max-kev-age-days`, or its age cannot be told.
fn stale(ctx: &Ctx<'_>, catalog: &KevCatalog) -> Option<Finding> {
    let max = ctx.policy.advisories.max_kev_age_days?;
    let age = age_days(catalog, ctx.now);
    if age.is_some_and(|a| a <= i64::from(max)) {
        return None;
    }
    let message = match age {
        Some(days) => format!(
            "the KEV catalog {} was released {days} days ago ({}); the policy allows {max} days (max-kev-age-days)",
            catalog.version, catalog.released
        ),
        None => format!(
            "the KEV catalog {} gives no release date (dateReleased \"{}\"), so its age cannot be told; the policy allows {max} days (max-kev-age-days)",
            catalog.version, catalog.released
        ),
    };
    let mut f = Finding::new(Code::KevStale, Level::Deny, message)
        .help("download the current known_exploited_vulnerabilities.json from https://www.cisa.gov/known-exploited-vulnerabilities-catalog and pass it with --kev (or [kev] catalog)");
    f.required = Some(format!("at most {max} days old"));
    f.actual = Some(age.map_or_else(|| "unknown".to_owned(), |d| format!("{d} days")));
    Some(f)
}

/// Without a catalog: nothing under baseline before release; a note-like warning under the
/// medical and firmware profiles; a deny finding at the release stage.
fn not_run(ctx: &Ctx<'_>) -> Option<Finding> {
    let level = match (ctx.stage, ctx.policy.profile) {
        (Stage::Release, _) => Level::Deny,
        (_, Profile::Medical | Profile::Firmware) => Level::Warn,
        (_, Profile::Baseline) => return None,
    };
    Some(
        Finding::new(Code::Kev, level, "the KEV check did not run: no CISA Known Exploited Vulnerabilities catalog was given")
            .help("pass --kev known_exploited_vulnerabilities.json, set [kev] catalog in spdf.toml, or set CARGO_SPDF_KEV")
            .at(None),
    )
}
