//! Release activity, from a crate's history in the crates.io index: when the locked version was
//! published, the newest release and the newest semver-compatible one, how many releases came out
//! in the last 12 months, and the level of support the date of the last release suggests.
//!
//! Everything is judged as of "now" (`SOURCE_DATE_EPOCH` when set): a version published after it
//! did not exist yet, so a reproduced run sees what the original one saw.

use crate::load::yanked::Release;
use crate::policy::{SupportLevel, SupportThresholds};
use jiff::Timestamp;
use jiff::civil::Date;
use semver::{Version, VersionReq};

/// What the index says about a crate's releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// When the locked version was published.
    pub published: Option<Date>,
    /// The newest release that is not yanked (stable releases first), with its date.
    pub latest: Option<(Version, Option<Date>)>,
    /// The newest release a `^locked` requirement accepts (what `cargo update` can reach).
    pub latest_compatible: Option<(Version, Option<Date>)>,
    /// The date of the most recent release that is not yanked.
    pub last_release: Option<Date>,
    /// Releases (yanked ones included) in the 12 months before now.
    pub releases_last_12_months: usize,
    /// When the cached copy this was read from was fetched (`None`: the index answered now).
    pub cached_at: Option<Date>,
}

/// The activity of a crate whose `locked` version is in use, as of `now`.
pub fn activity(
    history: &[Release],
    locked: &Version,
    now: Timestamp,
    cached_at: Option<Timestamp>,
) -> Activity {
    let releases: Vec<&Release> = history.iter().filter(|r| r.published.is_none_or(|p| p <= now)).collect();
    let year_ago = date(now).checked_sub(jiff::Span::new().months(12)).ok();
    let compatible = VersionReq::parse(&format!("^{locked}")).ok();
    Activity {
        published: releases.iter().find(|r| &r.version == locked).and_then(|r| r.published).map(date),
        latest: newest(&releases, |_| true),
        latest_compatible: newest(&releases, |r| {
            compatible.as_ref().is_some_and(|req| req.matches(&r.version))
        }),
        last_release: last_release(&releases),
        releases_last_12_months: releases
            .iter()
            .filter_map(|r| r.published.map(date))
            .filter(|d| year_ago.is_some_and(|y| *d > y))
            .count(),
        cached_at: cached_at.map(date),
    }
}

/// The newest release that is not yanked among those `keep` accepts: a stable release when
/// there is one, else a pre-release.
fn newest(releases: &[&Release], keep: impl Fn(&Release) -> bool) -> Option<(Version, Option<Date>)> {
    let candidates = || releases.iter().filter(|r| !r.yanked && keep(r));
    let best = candidates()
        .filter(|r| r.version.pre.is_empty())
        .max_by(|a, b| a.version.cmp(&b.version))
        .or_else(|| candidates().max_by(|a, b| a.version.cmp(&b.version)))?;
    Some((best.version.clone(), best.published.map(date)))
}

/// The newest publication date among the releases that are not yanked (among all of them when
/// every one is yanked).
fn last_release(releases: &[&Release]) -> Option<Date> {
    let dated = |yanked_too: bool| {
        releases.iter().filter(move |r| yanked_too || !r.yanked).filter_map(|r| r.published).max()
    };
    dated(false).or_else(|| dated(true)).map(date)
}

/// The level of support the last release suggests: a release within `active-within-months` is
/// "actively maintained", none within `abandoned-after-months` is "abandoned", in between
/// "no longer maintained". `None` when no release date is known.
pub fn level(activity: &Activity, thresholds: SupportThresholds, today: Date) -> Option<SupportLevel> {
    let last = activity.last_release?;
    let months_ago = |n: u32| today.checked_sub(jiff::Span::new().months(i64::from(n))).ok();
    if months_ago(thresholds.active_within_months).is_some_and(|d| last >= d) {
        Some(SupportLevel::ActivelyMaintained)
    } else if months_ago(thresholds.abandoned_after_months).is_some_and(|d| last < d) {
        Some(SupportLevel::Abandoned)
    } else {
        Some(SupportLevel::NoLongerMaintained)
    }
}

/// The UTC date of a timestamp.
pub fn date(t: Timestamp) -> Date {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yanked::{VersionEntry, releases};

    fn history(entries: &[(&str, bool, Option<&str>)]) -> Vec<Release> {
        let versions = entries
            .iter()
            .map(|(v, yanked, t)| {
                ((*v).to_owned(), VersionEntry { yanked: *yanked, pubtime: t.map(str::to_owned) })
            })
            .collect();
        releases(&versions)
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn activity_as_of_now() {
        let versions = history(&[
            ("0.2.0", false, Some("2021-01-10T00:00:00Z")),
            ("0.2.5", false, Some("2024-03-01T00:00:00Z")),
            ("0.3.0-rc.1", false, Some("2024-06-01T00:00:00Z")),
            ("0.3.0", true, Some("2024-07-01T00:00:00Z")),
            ("0.4.0", false, Some("2026-01-01T00:00:00Z")),
            ("0.1.0", false, None),
        ]);
        let a = activity(&versions, &Version::new(0, 2, 0), at("2025-01-01T00:00:00Z"), None);
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(a.published, Some(d("2021-01-10")));
        // 0.3.0 is yanked and 0.4.0 was not out yet: the newest is the pre-release only when no
        // stable release remains, so 0.2.5.
        assert_eq!(a.latest, Some((Version::new(0, 2, 5), Some(d("2024-03-01")))));
        assert_eq!(a.latest_compatible, Some((Version::new(0, 2, 5), Some(d("2024-03-01")))));
        assert_eq!(a.last_release, Some(d("2024-06-01")));
        assert_eq!(a.releases_last_12_months, 3, "0.2.5, the rc and the yanked 0.3.0");
    }

    #[test]
    fn levels_from_the_last_release() {
        let thresholds = SupportThresholds::default();
        let today = "2025-01-01".parse::<Date>().unwrap();
        let level_at = |last: &str| {
            let a = Activity {
                published: None,
                latest: None,
                latest_compatible: None,
                last_release: Some(last.parse().unwrap()),
                releases_last_12_months: 0,
                cached_at: None,
            };
            level(&a, thresholds, today)
        };
        assert_eq!(level_at("2023-01-01"), Some(SupportLevel::ActivelyMaintained));
        assert_eq!(level_at("2022-12-31"), Some(SupportLevel::NoLongerMaintained));
        assert_eq!(level_at("2020-01-01"), Some(SupportLevel::NoLongerMaintained));
        assert_eq!(level_at("2019-12-31"), Some(SupportLevel::Abandoned));
    }
}
