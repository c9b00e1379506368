//! FDA level of support and end of support per component, decided once and used by the SBOM,
//! the support gate and the evidence addendum.
//!
//! Sources, strongest first: the policy's `[[support]]` entries (first match in file order), a
//! RustSec `unmaintained` advisory ("no longer maintained"), workspace membership ("actively
//! maintained" by the manufacturer).

use crate::finding::Location;
use crate::policy::{SupportLevel, SupportRule};
use jiff::civil::Date;

/// Where a component's support data came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportSource {
    /// A `[[support]]` entry in the policy.
    Policy,
    /// A RustSec `unmaintained` advisory.
    RustsecUnmaintained,
    /// The component is a workspace member, maintained by the manufacturer.
    WorkspaceMember,
}

impl SupportSource {
    /// The value of the `cargo-spdf:fda:supportSource` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::RustsecUnmaintained => "rustsec-unmaintained",
            Self::WorkspaceMember => "workspace-member",
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
    /// Where it came from; `None` when nothing applies.
    pub source: Option<SupportSource>,
    /// The policy entry it came from.
    pub location: Option<Location>,
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

/// Decides the support data of one component, field by field, strongest source first: a
/// `[[support]]` entry (first match in file order), then a RustSec `unmaintained` advisory (whose
/// id is `unmaintained`), then workspace membership. So an entry that gives only a justification
/// or an end-of-support date keeps the level RustSec or membership gives.
pub fn resolve(name: &str, member: bool, unmaintained: Option<&str>, rules: &[SupportRule]) -> Support {
    let rule = rules.iter().find(|r| r.matches(name));
    let fallback = match (unmaintained, member) {
        (Some(id), _) => Some((
            SupportLevel::NoLongerMaintained,
            SupportSource::RustsecUnmaintained,
            format!("RustSec advisory {id} reports the crate as unmaintained"),
        )),
        (None, true) => Some((
            SupportLevel::ActivelyMaintained,
            SupportSource::WorkspaceMember,
            "developed and maintained by the manufacturer as part of the product".to_owned(),
        )),
        (None, false) => None,
    };
    let level = rule.and_then(|r| r.level).or(fallback.as_ref().map(|f| f.0));
    let source = match (rule, &fallback) {
        (Some(r), _) if r.level.is_some() => Some(SupportSource::Policy),
        (_, Some(f)) => Some(f.1),
        (Some(_), None) => Some(SupportSource::Policy),
        (None, None) => None,
    };
    Support {
        level,
        end_of_support: rule.and_then(|r| r.end_of_support),
        justification: rule.and_then(|r| r.justification.clone()).or(fallback.map(|f| f.2)),
        source,
        location: rule.map(|r| r.location.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str, level: Option<SupportLevel>, justification: Option<&str>) -> SupportRule {
        SupportRule {
            patterns: vec![glob::Pattern::new(pattern).unwrap()],
            level,
            end_of_support: Some(jiff::civil::date(2028, 12, 31)),
            justification: justification.map(str::to_owned),
            location: Location { file: "spdf.toml".into(), line: Some(3) },
        }
    }

    #[test]
    fn policy_beats_rustsec_beats_membership() {
        let rules = [rule("tokio*", Some(SupportLevel::ActivelyMaintained), None)];
        let s = resolve("tokio-util", false, Some("RUSTSEC-1"), &rules);
        assert_eq!(
            (s.level, s.source),
            (Some(SupportLevel::ActivelyMaintained), Some(SupportSource::Policy))
        );
        let s = resolve("atty", true, Some("RUSTSEC-2024-0375"), &rules);
        assert_eq!(s.level, Some(SupportLevel::NoLongerMaintained));
        assert_eq!(s.source, Some(SupportSource::RustsecUnmaintained));
        let s = resolve("my-app", true, None, &rules);
        assert_eq!(s.source, Some(SupportSource::WorkspaceMember));
        let s = resolve("serde", false, None, &rules);
        assert!(!s.is_stated());
        assert_eq!(s.source, None);
    }

    #[test]
    fn a_rule_without_a_level_keeps_the_level_rustsec_gives() {
        let rules = [rule("*", None, Some("no supplier statement; reviewed each release"))];
        let s = resolve("atty", false, Some("RUSTSEC-2024-0375"), &rules);
        assert_eq!(s.level, Some(SupportLevel::NoLongerMaintained));
        assert_eq!(s.source, Some(SupportSource::RustsecUnmaintained));
        assert_eq!(s.justification.as_deref(), Some("no supplier statement; reviewed each release"));
        let s = resolve("serde", false, None, &rules);
        assert_eq!((s.level, s.source), (None, Some(SupportSource::Policy)));
    }

    #[test]
    fn the_first_matching_rule_wins_and_may_give_only_a_justification() {
        let rules = [
            rule("serde", None, Some("pinned; reviewed yearly")),
            rule("*", Some(SupportLevel::Abandoned), None),
        ];
        let s = resolve("serde", false, None, &rules);
        assert_eq!(s.level, None);
        assert!(s.is_stated());
        assert!(s.has_ended(jiff::civil::date(2029, 1, 1)));
        assert!(!s.has_ended(jiff::civil::date(2028, 12, 31)));
    }
}
