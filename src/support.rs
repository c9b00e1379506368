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

/// Decides the support data of one component.
///
/// `unmaintained` is the id of a RustSec `unmaintained` advisory that covers the component.
pub fn resolve(name: &str, member: bool, unmaintained: Option<&str>, rules: &[SupportRule]) -> Support {
    if let Some(rule) = rules.iter().find(|r| r.matches(name)) {
        return Support {
            level: rule.level,
            end_of_support: rule.end_of_support,
            justification: rule.justification.clone(),
            source: Some(SupportSource::Policy),
            location: Some(rule.location.clone()),
        };
    }
    if let Some(id) = unmaintained {
        return Support {
            level: Some(SupportLevel::NoLongerMaintained),
            justification: Some(format!("RustSec advisory {id} reports the crate as unmaintained")),
            source: Some(SupportSource::RustsecUnmaintained),
            ..Support::default()
        };
    }
    if member {
        return Support {
            level: Some(SupportLevel::ActivelyMaintained),
            justification: Some(
                "developed and maintained by the manufacturer as part of the product".to_owned(),
            ),
            source: Some(SupportSource::WorkspaceMember),
            ..Support::default()
        };
    }
    Support::default()
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
