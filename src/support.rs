//! FDA level of support and end of support per component, decided once and used by the SBOM,
//! the support gate and the evidence addendum.
//!
//! Each field comes from the strongest source that gives it: the policy's first matching
//! `[[support]]` entry, then a RustSec `unmaintained` advisory ("no longer maintained"), then
//! workspace membership ("actively maintained" by the manufacturer, when `[sbom] manufacturer`
//! names one), then the crate's release activity in the crates.io index (see [`activity`]).
//! Where no end-of-support date is declared, the justification says why, naming what the level
//! rests on; where no level can be given at all, [`Support::gap`] says why, for the gate.

pub mod activity;

use crate::finding::Location;
use crate::load::yanked::History;
use crate::policy::{Policy, SupportLevel, SupportRule, SupportThresholds};
use activity::Activity;
use jiff::Timestamp;
use jiff::civil::Date;

/// Where a component's level of support came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SupportSource {
    /// A `[[support]]` entry in the policy.
    Policy,
    /// A RustSec `unmaintained` advisory.
    RustsecUnmaintained,
    /// The component is a workspace member, maintained by the manufacturer.
    WorkspaceMember,
    /// The crate's release activity in the crates.io index.
    RegistryActivity,
}

impl SupportSource {
    /// The value of the `cargo-spdf:fda:supportSource` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::RustsecUnmaintained => "rustsec-unmaintained",
            Self::WorkspaceMember => "workspace-member",
            Self::RegistryActivity => "registry-activity",
        }
    }
}

/// A component's support data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Support {
    /// FDA level of support.
    pub level: Option<SupportLevel>,
    /// End-of-support date.
    pub end_of_support: Option<Date>,
    /// Why a value cannot be given (or its basis).
    pub justification: Option<String>,
    /// Where the level came from (the policy's, when an entry gives only a justification);
    /// `None` when nothing applies.
    pub source: Option<SupportSource>,
    /// The policy entry that applies.
    pub location: Option<Location>,
    /// When the policy entry was last assessed.
    pub assessed: Option<Date>,
    /// Who assessed it.
    pub assessed_by: Option<String>,
    /// What replaces the component should its support end.
    pub replacement_plan: Option<String>,
    /// The crate's release activity, when the index gave it.
    pub activity: Option<Activity>,
    /// Why the release history is unknown, for a crates.io package whose index file was not read.
    pub history_unknown: Option<String>,
    /// Why no level of support can be given, when none is.
    pub gap: Option<String>,
}

impl Support {
    /// Whether the FDA's "level of support, or a justification" is met.
    pub fn is_stated(&self) -> bool {
        self.level.is_some() || self.justification.is_some()
    }

    /// Whether the end of support has passed by `today`.
    pub fn has_ended(&self, today: Date) -> bool {
        self.end_of_support.is_some_and(|d| d < today)
    }
}

/// What one component's support is decided from.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Crate name.
    pub name: &'a str,
    /// Locked version.
    pub version: &'a semver::Version,
    /// A workspace member.
    pub member: bool,
    /// From crates.io (the index has its release history).
    pub crates_io: bool,
    /// The id of a RustSec `unmaintained` advisory about it.
    pub unmaintained: Option<&'a str>,
    /// Its release history, when the index was consulted.
    pub history: Option<&'a History>,
}

/// What applies to every component: the policy's entries and thresholds, whether a manufacturer
/// is declared, and today.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// `[[support]]` entries.
    pub entries: &'a [SupportRule],
    /// `[support]` thresholds.
    pub thresholds: SupportThresholds,
    /// Whether `[sbom] manufacturer` is declared.
    pub manufacturer: bool,
    /// "Now".
    pub now: Timestamp,
}

impl<'a> Facts<'a> {
    /// The facts about a package of the graph: `unmaintained` is the id of a RustSec
    /// `unmaintained` advisory about it, `histories` what the index gave (`None` when it was not
    /// consulted).
    pub fn of(
        p: &'a crate::graph::Package,
        unmaintained: Option<&'a str>,
        histories: Option<&'a crate::load::yanked::Histories>,
    ) -> Self {
        let crates_io = p.source == crate::graph::Source::CratesIo;
        let history = histories.and_then(|h| h.get(&p.name)).filter(|_| crates_io);
        Facts { name: &p.name, version: &p.version, member: p.member, crates_io, unmaintained, history }
    }
}

impl<'a> Rules<'a> {
    /// The rules of a policy, as of `now`.
    pub fn new(policy: &'a Policy, now: Timestamp) -> Self {
        Rules {
            entries: &policy.support,
            thresholds: policy.support_thresholds,
            manufacturer: policy.sbom.manufacturer.is_some(),
            now,
        }
    }
}

/// A level derived where the policy gives none, with its source and what it rests on.
struct Derived {
    level: SupportLevel,
    source: SupportSource,
    /// Why no end-of-support date can be given, naming the basis.
    justification: String,
}

/// Decides the support data of one component, field by field, strongest source first: a
/// `[[support]]` entry (first match in file order), then a RustSec `unmaintained` advisory,
/// then workspace membership, then release activity. So an entry that gives only a justification
/// or an end-of-support date keeps the level the other sources give.
pub fn resolve(facts: &Facts<'_>, rules: &Rules<'_>) -> Support {
    let rule = rules.entries.iter().find(|r| r.matches(facts.name));
    let (activity, history_unknown) = registry(facts, rules.now);
    let (derived, gap) = derive(facts, rules, activity.as_ref(), history_unknown.as_deref());
    let level = rule.and_then(|r| r.level).or(derived.as_ref().map(|d| d.level));
    let source = match (rule, &derived) {
        (Some(r), _) if r.level.is_some() => Some(SupportSource::Policy),
        (_, Some(d)) => Some(d.source),
        (Some(_), None) => Some(SupportSource::Policy),
        (None, None) => None,
    };
    let end_of_support = rule.and_then(|r| r.end_of_support);
    let justification = rule.and_then(|r| r.justification.clone()).or_else(|| match (end_of_support, rule) {
        (Some(_), _) => None,
        (None, Some(r)) if r.level.is_some() => Some(format!(
            "no end-of-support date is declared; the level of support is the one assessed in {}",
            at(&r.location)
        )),
        (None, _) => derived.map(|d| d.justification),
    });
    Support {
        level,
        end_of_support,
        source,
        location: rule.map(|r| r.location.clone()),
        assessed: rule.and_then(|r| r.assessed),
        assessed_by: rule.and_then(|r| r.assessed_by.clone()),
        replacement_plan: rule.and_then(|r| r.replacement_plan.clone()),
        gap: if level.is_some() || justification.is_some() { None } else { gap },
        justification,
        activity,
        history_unknown,
    }
}

/// The release activity of a crates.io package, or why its history is unknown.
fn registry(facts: &Facts<'_>, now: Timestamp) -> (Option<Activity>, Option<String>) {
    if !facts.crates_io || facts.member {
        return (None, None);
    }
    match facts.history {
        Some(History::Known { releases, cached_at }) => {
            (Some(activity::activity(releases, facts.version, now, *cached_at)), None)
        }
        Some(History::Unknown(reason)) => (None, Some(reason.clone())),
        None => (None, Some("the crates.io index was not consulted".to_owned())),
    }
}

/// The level the advisory, membership or release activity gives, or why none can be given.
fn derive(
    facts: &Facts<'_>,
    rules: &Rules<'_>,
    activity: Option<&Activity>,
    history_unknown: Option<&str>,
) -> (Option<Derived>, Option<String>) {
    if let Some(id) = facts.unmaintained {
        let justification = format!(
            "RustSec advisory {id} reports the crate as unmaintained, so no end-of-support date can be given"
        );
        return (
            Some(Derived {
                level: SupportLevel::NoLongerMaintained,
                source: SupportSource::RustsecUnmaintained,
                justification,
            }),
            None,
        );
    }
    if facts.member {
        if !rules.manufacturer {
            return (
                None,
                Some("a workspace member, and no [sbom] manufacturer is declared to support it".to_owned()),
            );
        }
        let justification = "developed and maintained by the manufacturer as part of the product: supported for as long as the product is".to_owned();
        return (
            Some(Derived {
                level: SupportLevel::ActivelyMaintained,
                source: SupportSource::WorkspaceMember,
                justification,
            }),
            None,
        );
    }
    if !facts.crates_io {
        return (
            None,
            Some("it does not come from crates.io, so no release history tells its support".to_owned()),
        );
    }
    if let Some(reason) = history_unknown {
        return (
            None,
            Some(format!("its release history could not be read from the crates.io index: {reason}")),
        );
    }
    let today = activity::date(rules.now);
    let Some((a, level)) = activity.and_then(|a| Some((a, activity::level(a, rules.thresholds, today)?)))
    else {
        return (
            None,
            Some("the crates.io index gives no publication date for any of its releases".to_owned()),
        );
    };
    (
        Some(Derived {
            level,
            source: SupportSource::RegistryActivity,
            justification: registry_justification(a, rules.thresholds),
        }),
        None,
    )
}

/// "the maintainer declares no end-of-support date; support judged from release activity, last
/// release YYYY-MM-DD (...)".
fn registry_justification(a: &Activity, t: SupportThresholds) -> String {
    let last = a.last_release.map(|d| d.to_string()).unwrap_or_default();
    let cached = a.cached_at.map(|d| format!("; crates.io index as of {d}")).unwrap_or_default();
    format!(
        "the maintainer declares no end-of-support date; support judged from release activity, last release {last} (actively maintained: a release within {} months; abandoned: none within {} months{cached})",
        t.active_within_months, t.abandoned_after_months
    )
}

/// `spdf.toml:12`.
fn at(location: &Location) -> String {
    match location.line {
        Some(line) => format!("{}:{line}", location.file),
        None => location.file.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yanked::{VersionEntry, releases};

    fn rule(pattern: &str, level: Option<SupportLevel>, justification: Option<&str>) -> SupportRule {
        SupportRule {
            patterns: vec![glob::Pattern::new(pattern).unwrap()],
            level,
            end_of_support: Some(jiff::civil::date(2028, 12, 31)),
            justification: justification.map(str::to_owned),
            assessed: Some(jiff::civil::date(2024, 11, 4)),
            assessed_by: Some("Release QA".to_owned()),
            replacement_plan: None,
            location: Location { file: "spdf.toml".into(), line: Some(3) },
        }
    }

    static V: semver::Version = semver::Version::new(1, 0, 0);

    fn facts<'a>(
        name: &'a str,
        member: bool,
        unmaintained: Option<&'a str>,
        history: Option<&'a History>,
    ) -> Facts<'a> {
        Facts { name, version: &V, member, crates_io: !member, unmaintained, history }
    }

    fn rules(entries: &[SupportRule]) -> Rules<'_> {
        Rules {
            entries,
            thresholds: SupportThresholds::default(),
            manufacturer: true,
            now: "2025-01-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn released(date: &str) -> History {
        let entry = VersionEntry { yanked: false, pubtime: Some(format!("{date}T00:00:00Z")) };
        History::Known { releases: releases(&[("1.0.0".to_owned(), entry)].into()), cached_at: None }
    }

    #[test]
    fn policy_beats_rustsec_beats_membership_beats_activity() {
        let rules_list = [rule("tokio*", Some(SupportLevel::ActivelyMaintained), None)];
        let r = rules(&rules_list);
        let s = resolve(&facts("tokio-util", false, Some("RUSTSEC-1"), None), &r);
        assert_eq!(
            (s.level, s.source),
            (Some(SupportLevel::ActivelyMaintained), Some(SupportSource::Policy))
        );
        assert_eq!(
            (s.assessed, s.assessed_by.as_deref()),
            (Some(jiff::civil::date(2024, 11, 4)), Some("Release QA"))
        );
        let s = resolve(&facts("atty", true, Some("RUSTSEC-2024-0375"), None), &r);
        assert_eq!(s.level, Some(SupportLevel::NoLongerMaintained));
        assert_eq!(s.source, Some(SupportSource::RustsecUnmaintained));
        let s = resolve(&facts("my-app", true, None, None), &r);
        assert_eq!(s.source, Some(SupportSource::WorkspaceMember));
        let old = released("2019-05-01");
        let s = resolve(&facts("serde", false, None, Some(&old)), &r);
        assert_eq!(
            (s.level, s.source),
            (Some(SupportLevel::Abandoned), Some(SupportSource::RegistryActivity))
        );
        assert!(s.justification.unwrap().starts_with(
            "the maintainer declares no end-of-support date; support judged from release activity, last release 2019-05-01"
        ));
    }

    #[test]
    fn without_a_level_the_gap_says_why() {
        let r = rules(&[]);
        let unknown = History::Unknown("offline".to_owned());
        let s = resolve(&facts("serde", false, None, Some(&unknown)), &r);
        assert!(!s.is_stated());
        assert_eq!(
            s.gap.as_deref(),
            Some("its release history could not be read from the crates.io index: offline")
        );
        let no_manufacturer = Rules { manufacturer: false, ..r };
        let s = resolve(&facts("my-app", true, None, None), &no_manufacturer);
        assert!(s.gap.unwrap().contains("no [sbom] manufacturer"));
        let git = Facts { crates_io: false, ..facts("fork", false, None, None) };
        assert!(resolve(&git, &r).gap.unwrap().contains("does not come from crates.io"));
    }

    #[test]
    fn a_rule_without_a_level_keeps_the_level_the_other_sources_give() {
        let rules_list = [rule("*", None, Some("no supplier statement; reviewed each release"))];
        let r = rules(&rules_list);
        let s = resolve(&facts("atty", false, Some("RUSTSEC-2024-0375"), None), &r);
        assert_eq!(s.level, Some(SupportLevel::NoLongerMaintained));
        assert_eq!(s.source, Some(SupportSource::RustsecUnmaintained));
        assert_eq!(s.justification.as_deref(), Some("no supplier statement; reviewed each release"));
        let recent = released("2024-06-01");
        let s = resolve(&facts("serde", false, None, Some(&recent)), &r);
        assert_eq!(
            (s.level, s.source),
            (Some(SupportLevel::ActivelyMaintained), Some(SupportSource::RegistryActivity))
        );
        let s = resolve(&facts("serde", false, None, None), &r);
        assert_eq!((s.level, s.source), (None, Some(SupportSource::Policy)));
    }

    #[test]
    fn the_first_matching_rule_wins_and_may_give_only_a_justification() {
        let rules_list = [
            rule("serde", None, Some("pinned; reviewed yearly")),
            rule("*", Some(SupportLevel::Abandoned), None),
        ];
        let s = resolve(&facts("serde", false, None, None), &rules(&rules_list));
        assert_eq!(s.level, None);
        assert!(s.is_stated());
        assert!(s.has_ended(jiff::civil::date(2029, 1, 1)));
        assert!(!s.has_ended(jiff::civil::date(2028, 12, 31)));
    }

    #[test]
    fn a_policy_level_without_a_date_is_justified_by_its_entry() {
        let mut entry = rule("serde", Some(SupportLevel::ActivelyMaintained), None);
        entry.end_of_support = None;
        let s = resolve(&facts("serde", false, None, None), &rules(std::slice::from_ref(&entry)));
        assert_eq!(
            s.justification.as_deref(),
            Some(
                "no end-of-support date is declared; the level of support is the one assessed in spdf.toml:3"
            )
        );
    }
}
