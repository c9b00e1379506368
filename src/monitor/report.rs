//! The monitoring report every output format is made from: per product version, what is new
//! (or why it could not be monitored), and the provenance of what it was compared against.

use super::archive::Archived;
use super::bundle::Refusal;
use super::item::{Item, Kind};
use crate::finding::Level;
use crate::report::{DatabaseInfo, KevInfo};
use jiff::Timestamp;
use jiff::civil::Date;

/// What became of one product version.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It was read, verified where it is a bundle, and compared.
    Monitored {
        /// The product version.
        archived: Box<Archived>,
        /// What is new about it.
        items: Vec<Item>,
    },
    /// It could not be read, or is a bundle that does not hold: nothing in it is trusted.
    Refused(Refusal),
}

/// The figures of one product version's row in the summary table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Row {
    /// New vulnerability advisories.
    pub new_vulnerabilities: usize,
    /// New KEV listings.
    pub kev: usize,
    /// Days since publication of the oldest vulnerability still owed action.
    pub oldest_unaddressed_days: Option<i64>,
    /// Items that deny.
    pub deny: usize,
    /// Items that warn.
    pub warn: usize,
    /// Items a waiver or a settled assessment covers.
    pub excepted: usize,
}

impl Outcome {
    /// `fail` (something new would fail the release policy), `review` (new warnings only), `ok`
    /// (nothing new) or `refused`.
    pub fn verdict(&self) -> &'static str {
        match self {
            Self::Refused(_) => "refused",
            Self::Monitored { items, .. } if items.iter().any(|i| i.level == Level::Deny) => "fail",
            Self::Monitored { items, .. } if items.iter().any(|i| i.level == Level::Warn) => "review",
            Self::Monitored { .. } => "ok",
        }
    }

    /// The summary figures (all zero for a refused version).
    pub fn row(&self) -> Row {
        let Self::Monitored { items, .. } = self else { return Row::default() };
        let count =
            |kind: Kind| items.iter().filter(|i| i.kind == kind && i.level != Level::Excepted).count();
        let level = |l: Level| items.iter().filter(|i| i.level == l).count();
        Row {
            new_vulnerabilities: count(Kind::NewVulnerability),
            kev: count(Kind::Kev),
            oldest_unaddressed_days: items
                .iter()
                .filter(|i| i.unaddressed_vulnerability())
                .filter_map(|i| i.clock.as_ref().map(|c| c.days_since_published))
                .max(),
            deny: level(Level::Deny),
            warn: level(Level::Warn),
            excepted: level(Level::Excepted),
        }
    }

    /// Where it was read from.
    pub fn source(&self) -> &super::archive::Source {
        match self {
            Self::Monitored { archived, .. } => &archived.source,
            Self::Refused(r) => &r.source,
        }
    }

    /// The product version, when it was read.
    pub fn archived(&self) -> Option<&Archived> {
        match self {
            Self::Monitored { archived, .. } => Some(archived),
            Self::Refused(_) => None,
        }
    }

    /// Its items (none for a refused version).
    pub fn items(&self) -> &[Item] {
        match self {
            Self::Monitored { items, .. } => items,
            Self::Refused(_) => &[],
        }
    }

    /// The release date (YYYY-MM-DD), when known.
    pub fn released(&self) -> Option<String> {
        let released = self.archived()?.released?;
        Some(released.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string())
    }
}

/// The outcome of a monitoring run.
#[derive(Debug, Clone)]
pub struct Report {
    /// "Now".
    pub now: Timestamp,
    /// `--since`.
    pub since: Option<Date>,
    /// `--within`.
    pub within_days: i64,
    /// The advisory database compared against.
    pub database: DatabaseInfo,
    /// The KEV catalog, when given.
    pub kev: Option<KevInfo>,
    /// The index yanked status was read from, when it was looked up.
    pub index: Option<String>,
    /// Every product version, in the order given.
    pub outcomes: Vec<Outcome>,
    /// Things the reader should know that are not items.
    pub notes: Vec<String>,
}

/// How many product versions had each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdicts {
    /// `fail`.
    pub fail: usize,
    /// `review`.
    pub review: usize,
    /// `ok`.
    pub ok: usize,
    /// `refused`.
    pub refused: usize,
}

impl Report {
    /// How many product versions had each verdict.
    pub fn verdicts(&self) -> Verdicts {
        let mut v = Verdicts::default();
        for o in &self.outcomes {
            match o.verdict() {
                "fail" => v.fail += 1,
                "review" => v.review += 1,
                "ok" => v.ok += 1,
                _ => v.refused += 1,
            }
        }
        v
    }

    /// `fail` when a version fails or was refused, else `pass`.
    pub fn verdict(&self) -> &'static str {
        let v = self.verdicts();
        if v.fail + v.refused > 0 { "fail" } else { "pass" }
    }

    /// 2 when a product version could not be read or was refused (whatever the others found),
    /// else 1 when something new would fail its release policy, else 0.
    pub fn exit_code(&self) -> u8 {
        let v = self.verdicts();
        if v.refused > 0 {
            crate::exit::TOOL_ERROR
        } else if v.fail > 0 {
            crate::exit::POLICY_VIOLATION
        } else {
            crate::exit::OK
        }
    }

    /// The date monitoring judged against (UTC).
    pub fn today(&self) -> Date {
        self.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }
}
