//! Render: the neutral report every output format is made from, and one file per format.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod sarif_log;

use crate::finding::{Finding, Gate, Level};
use crate::load::database::{AdvisoryDb, Identity};
use crate::policy::{Origin, Profile, Stage};
use jiff::Timestamp;

/// This tool's name and version, as recorded in every output.
pub const TOOL_NAME: &str = env!("CARGO_PKG_NAME");
/// See [`TOOL_NAME`].
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The outcome of a check, with the provenance of everything it read.
#[derive(Debug, Clone)]
pub struct Report {
    /// Stage checked for.
    pub stage: Stage,
    /// The workspace.
    pub workspace: WorkspaceInfo,
    /// The advisory database, when it was used.
    pub database: Option<DatabaseInfo>,
    /// The policy.
    pub policy: PolicyInfo,
    /// The KEV catalog, when one was used.
    pub kev: Option<KevInfo>,
    /// Every selected gate, and whether it could be evaluated.
    pub gates: Vec<GateRun>,
    /// Findings in report order.
    pub findings: Vec<Finding>,
    /// Things the reader should know that are not findings (which defaults applied, what was skipped).
    pub notes: Vec<String>,
}

/// Whether a selected gate was evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateStatus {
    /// Its inputs loaded and it ran.
    Evaluated,
    /// An input it needs could not be loaded; nothing it would judge is vouched for.
    NotEvaluated {
        /// What could not be loaded, and why.
        reason: String,
    },
}

impl GateStatus {
    /// `evaluated` or `not-evaluated`, as every output format names it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Evaluated => "evaluated",
            Self::NotEvaluated { .. } => "not-evaluated",
        }
    }

    /// Why the gate was not evaluated, if it was not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Evaluated => None,
            Self::NotEvaluated { reason } => Some(reason),
        }
    }
}

/// One selected gate and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRun {
    /// The gate.
    pub gate: Gate,
    /// Whether it was evaluated.
    pub status: GateStatus,
    /// What the gate says of what it judged, for the report's notes (the support gate's summary
    /// of the support data).
    pub note: Option<String>,
}

impl GateRun {
    /// A gate that ran.
    pub fn evaluated(gate: Gate) -> Self {
        GateRun { gate, status: GateStatus::Evaluated, note: None }
    }

    /// A gate that could not run, and why.
    pub fn not_evaluated(gate: Gate, reason: impl Into<String>) -> Self {
        GateRun { gate, status: GateStatus::NotEvaluated { reason: reason.into() }, note: None }
    }

    /// Whether it ran.
    pub fn is_evaluated(&self) -> bool {
        self.status == GateStatus::Evaluated
    }
}

/// Workspace provenance.
#[derive(Debug, Clone)]
pub struct WorkspaceInfo {
    /// Absolute root.
    pub root: String,
    /// SHA-256 of Cargo.lock, when read.
    pub lockfile_sha256: Option<String>,
    /// Packages in Cargo.lock, when read.
    pub packages: Option<usize>,
}

/// Advisory database provenance.
#[derive(Debug, Clone)]
pub struct DatabaseInfo {
    /// Directory.
    pub path: String,
    /// Commit or digest.
    pub identity: Identity,
    /// Advisories in the whole database.
    pub advisories: usize,
    /// Last update (commit date, or newest advisory for a plain directory).
    pub last_updated: Option<Timestamp>,
    /// Age in whole days at check time.
    pub age_days: Option<i64>,
    /// Advisory files read (those of locked crates).
    pub files_read: usize,
}

impl DatabaseInfo {
    /// Provenance of an opened database, as of `now`.
    pub fn new(db: &AdvisoryDb, now: Timestamp) -> Self {
        DatabaseInfo {
            path: db.path.display().to_string(),
            identity: db.identity.clone(),
            advisories: db.advisory_count,
            last_updated: db.last_updated,
            age_days: db.age_days(now),
            files_read: db.files_read,
        }
    }
}

/// KEV catalog provenance.
#[derive(Debug, Clone)]
pub struct KevInfo {
    /// Where it was read from.
    pub path: String,
    /// `catalogVersion`.
    pub version: String,
    /// `dateReleased`.
    pub released: String,
    /// Number of entries.
    pub count: usize,
    /// Whole days from `dateReleased` to the run's "now" (`None` when the date is unreadable).
    pub age_days: Option<i64>,
}

impl KevInfo {
    /// Provenance of a loaded catalog, its age judged at `now`.
    pub fn new(kev: &crate::load::kev::KevCatalog, now: jiff::Timestamp) -> Self {
        KevInfo {
            path: kev.path.display().to_string(),
            version: kev.version.clone(),
            released: kev.released.clone(),
            count: kev.count,
            age_days: crate::gates::kev::age_days(kev, now),
        }
    }
}

/// Policy provenance.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    /// Where it came from.
    pub origin: Origin,
    /// Base profile.
    pub profile: Profile,
}

/// Counts per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Deny findings.
    pub deny: usize,
    /// Warnings.
    pub warn: usize,
    /// Waived findings.
    pub excepted: usize,
}

impl Report {
    /// Counts the findings per level.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.level {
                Level::Deny => s.deny += 1,
                Level::Warn => s.warn += 1,
                Level::Excepted => s.excepted += 1,
            }
        }
        s
    }

    /// Whether no finding denies. A run can pass this and still have gates that were not
    /// evaluated: see [`Report::complete`].
    pub fn passed(&self) -> bool {
        self.summary().deny == 0
    }

    /// Whether every selected gate was evaluated.
    pub fn complete(&self) -> bool {
        self.gates.iter().all(GateRun::is_evaluated)
    }

    /// The gates that were not evaluated.
    pub fn not_evaluated(&self) -> impl Iterator<Item = &GateRun> {
        self.gates.iter().filter(|g| !g.is_evaluated())
    }

    /// The exit code: 2 when a selected gate was not evaluated (whatever the others found),
    /// else 1 when a finding denies, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.complete() {
            crate::exit::TOOL_ERROR
        } else if self.passed() {
            crate::exit::OK
        } else {
            crate::exit::POLICY_VIOLATION
        }
    }

    /// "3 denied, 2 warnings, 1 waived; gates: advisories, lints; stage local, profile baseline".
    pub fn counts_line(&self) -> String {
        let s = self.summary();
        let gates: Vec<&str> = self.gates.iter().map(|g| g.gate.as_str()).collect();
        format!(
            "{} denied, {} warning{}, {} waived; gates: {}; stage {}, profile {}",
            s.deny,
            s.warn,
            if s.warn == 1 { "" } else { "s" },
            s.excepted,
            gates.join(", "),
            self.stage.as_str(),
            self.policy.profile
        )
    }

    /// `pass`, or `fail` when a finding denies or a selected gate was not evaluated (a gate
    /// that did not run is never a pass; the exit code, 2, tells the two apart).
    pub fn verdict(&self) -> &'static str {
        if self.passed() && self.complete() { "pass" } else { "fail" }
    }

    /// "incomplete: gate licenses was not evaluated", when a selected gate was not.
    pub fn incomplete(&self) -> Option<String> {
        let names: Vec<&str> = self.not_evaluated().map(|g| g.gate.as_str()).collect();
        match names.as_slice() {
            [] => None,
            [one] => Some(format!("incomplete: gate {one} was not evaluated")),
            many => Some(format!("incomplete: gates {} were not evaluated", many.join(", "))),
        }
    }

    /// The verdict in capitals, and the rest of the verdict line: the counts, after what made
    /// the run incomplete ("FAIL", "incomplete: gate licenses was not evaluated; 3 denied, …").
    pub fn verdict_line(&self) -> (String, String) {
        let counts = self.counts_line();
        let rest = match self.incomplete() {
            Some(incomplete) => format!("{incomplete}; {counts}"),
            None => counts,
        };
        (self.verdict().to_uppercase(), rest)
    }
}

/// "gate licenses not evaluated: REASON": what every format says of a gate that did not run.
pub fn not_evaluated_message(gate: Gate, reason: &str) -> String {
    format!("gate {gate} not evaluated: {reason}")
}

/// What to do about a gate that was not evaluated, whatever the reason.
pub fn not_evaluated_help(gate: Gate) -> String {
    format!(
        "make what could not be loaded load, and run again: until then nothing the {gate} gate checks is vouched for, and the run exits 2 whatever the other gates found"
    )
}

/// The text lines of a finding for a format that shows one message: the message, then
/// `help: …` per help entry; for a waived finding, the waiver's reason (`waived: …`) instead of
/// the help, which would only say how to waive it. Each line is a prefix and the text, which a
/// format escapes as it needs.
pub fn message_lines(f: &Finding) -> Vec<(&'static str, &str)> {
    let mut lines = vec![("", f.message.as_str())];
    match (&f.exception, f.level) {
        (Some(e), Level::Excepted) => lines.push(("waived: ", e.reason.as_str())),
        _ => lines.extend(f.help.iter().map(|h| ("help: ", h.as_str()))),
    }
    lines
}

/// [`message_lines`] joined with line breaks, unescaped: the text of a SARIF result.
pub fn full_message(f: &Finding) -> String {
    message_lines(f)
        .into_iter()
        .map(|(prefix, text)| format!("{prefix}{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}
