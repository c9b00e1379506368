//! What monitoring reports about a product version: one [`Item`] per thing that is new since the
//! version was released, each of a stable [`Kind`], at a [`Level`] (deny when it would fail the
//! release policy), with the dates and the 30- and 60-day clocks where an advisory is concerned.

use crate::finding::{AdvisoryRef, ExceptionRef, Level, PackageRef};
use serde::Serialize;
use std::fmt;

macro_rules! kinds {
    ($($variant:ident => $name:literal, $desc:literal;)*) => {
        /// A stable, kebab-case item kind. Kinds are public interface: they appear in every
        /// output format and in the documentation, and are never renamed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $(#[doc = $desc] $variant,)*
        }

        impl Kind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [Kind] = &[$(Self::$variant,)*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// One sentence on what the kind means.
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => $desc,)* }
            }
        }
    };
}

kinds! {
    NewVulnerability => "new-vulnerability", "A vulnerability advisory affects a shipped component and is not among the release's vulnerabilities or VEX.";
    NewAdvisory => "new-advisory", "An unsound or notice advisory concerns a shipped component and is not among the release's vulnerabilities or VEX.";
    Unmaintained => "unmaintained", "A shipped component became unmaintained: a RustSec advisory says so, and the release did not list it.";
    AdvisoryChanged => "advisory-changed", "An advisory the release listed changed: its CVSS rating, its patched versions, or it was withdrawn.";
    Kev => "kev", "A vulnerability of a shipped component is now in CISA's Known Exploited Vulnerabilities catalog.";
    Yanked => "yanked", "A shipped crates.io version was yanked since the release, or its yanked status cannot be established.";
    SupportEnded => "support-ended", "A shipped component's end-of-support date has passed.";
    SupportEnding => "support-ending", "A shipped component's end-of-support date is within the --within window.";
    WaiverExpired => "waiver-expired", "The waiver behind a vulnerability's assessment in the release has expired and was not renewed.";
    DbEntryInvalid => "db-entry-invalid", "An advisory file of a shipped crate cannot be parsed, so the crate cannot be vouched for.";
    DbStale => "db-stale", "The advisory database monitored against is older than the release policy allows.";
    KevUnchecked => "kev-unchecked", "No CISA KEV catalog was given, so no KEV listing could be found.";
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The FDA's clocks for a vulnerability: 30 days to fix one whose risk is uncontrolled, 60 to
/// disclose it, counted from when it became known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// The advisory's publication date (YYYY-MM-DD).
    pub published: String,
    /// Whole days from publication to now.
    pub days_since_published: i64,
    /// The day the clocks start: the publication date, or a later date the news is from (the
    /// KEV listing, the withdrawal, the release for a change of unknown date, `--since`).
    pub start: String,
    /// Days left of 30 from `start` (negative: overdue).
    pub days_left_30: i64,
    /// Days left of 60 from `start` (negative: overdue).
    pub days_left_60: i64,
}

/// One field of an advisory that differs from what the release recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `cvss`, `patched`, `withdrawn` or `affected`.
    pub field: &'static str,
    /// What the release recorded (null: nothing); several version requirements are joined by " or ".
    pub before: Option<String>,
    /// What the database says now (null: nothing).
    pub after: Option<String>,
}

/// A KEV catalog entry an item is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevRef {
    /// The CVE listed.
    pub cve: String,
    /// When CISA added it (YYYY-MM-DD).
    pub date_added: String,
    /// CISA's deadline for federal agencies.
    pub due_date: String,
    /// CISA's required action.
    pub required_action: String,
}

/// One new thing about one product version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// What it is.
    pub kind: Kind,
    /// deny when it would fail the release policy, warn otherwise, excepted when a waiver in the
    /// policy or a settled assessment covers it.
    pub level: Level,
    /// One line for people.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub help: Vec<String>,
    /// The component concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// The advisory concerned, as the database has it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<AdvisoryRef>,
    /// The advisory's kind: `vulnerability`, `unsound`, `unmaintained` or `notice`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory_kind: Option<&'static str>,
    /// What changed, for `advisory-changed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// The KEV entry, for `kev`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevRef>,
    /// The dates and clocks, for items about an advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// For `yanked`: `yanked`, or `unknown` when the status could not be established.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// The date the item is about (end of support, waiver expiry), YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The policy's waiver that covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionRef>,
    /// The settled assessment that covers it (`not_affected in vex.cdx.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
}

impl Item {
    /// An item with a kind, level and message.
    pub fn new(kind: Kind, level: Level, message: impl Into<String>) -> Self {
        Item {
            kind,
            level,
            message: message.into(),
            help: Vec::new(),
            package: None,
            advisory: None,
            advisory_kind: None,
            changes: Vec::new(),
            kev: None,
            clock: None,
            status: None,
            date: None,
            exception: None,
            assessment: None,
        }
    }

    /// Adds a line saying what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Sets the package.
    pub fn package(mut self, name: &str, version: &str) -> Self {
        self.package = Some(PackageRef { name: name.to_owned(), version: version.to_owned() });
        self
    }

    /// Whether it is about a vulnerability that still needs action: a new vulnerability or
    /// advisory, or a KEV listing, not covered by a waiver or a settled assessment.
    pub fn unaddressed_vulnerability(&self) -> bool {
        matches!(self.kind, Kind::NewVulnerability | Kind::NewAdvisory | Kind::Kev)
            && self.level != Level::Excepted
    }

    /// The key items are sorted by: package, kind, advisory, message.
    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.package.as_ref(),
            self.kind,
            self.advisory.as_ref().map(|a| a.id.as_str()),
            self.message.as_str(),
        )
    }
}

/// Sorts items into their stable report order.
pub fn sort(items: &mut [Item]) {
    items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn kinds_are_unique_kebab_case_and_documented() {
        let names: BTreeSet<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
        assert_eq!(Kind::ALL.len(), 12);
        for kind in Kind::ALL {
            let name = kind.as_str();
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}");
            assert!(kind.description().ends_with('.'), "{name}");
        }
    }
}
