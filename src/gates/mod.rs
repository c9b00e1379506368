//! Evaluate: each gate is a pure function from what was loaded to findings. Gates never do
//! I/O and never fail; whatever could not be established was either an error at load time
//! or is reported here as a finding.

pub mod advisories;
pub mod waivers;

use crate::advisory_db::AdvisoryDb;
use crate::finding::{Finding, Gate};
use crate::policy::{Policy, Stage};
use crate::workspace::{Lock, Workspace};
use jiff::Timestamp;

/// Everything the gates read.
pub struct Inputs<'a> {
    /// The workspace.
    pub ws: &'a Workspace,
    /// Its lockfile, when a selected gate needs it.
    pub lock: Option<&'a Lock>,
    /// The policy in force.
    pub policy: &'a Policy,
    /// The advisory database, when a selected gate needs it.
    pub db: Option<&'a AdvisoryDb>,
    /// The stage checked for.
    pub stage: Stage,
    /// "Now": `SOURCE_DATE_EPOCH` when set, else the clock. Expiry and age are judged against it.
    pub now: Timestamp,
}

/// The gates this version can evaluate.
pub const AVAILABLE: [Gate; 1] = [Gate::Advisories];

/// Which inputs a gate needs, so the loader reads nothing more than the selected gates use.
pub fn needs_lock(gates: &[Gate]) -> bool {
    gates.contains(&Gate::Advisories)
}

/// Whether the advisory database must be opened.
pub fn needs_db(gates: &[Gate]) -> bool {
    gates.contains(&Gate::Advisories)
}

/// Runs the selected gates, applies the policy's waivers, and sorts the findings.
pub fn run(inputs: &Inputs<'_>, gates: &[Gate]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for gate in gates {
        findings.extend(match gate {
            Gate::Advisories => advisories::check(inputs),
            other => unreachable!("gate {other} is not available; the command layer rejects it"),
        });
    }
    waivers::apply(&mut findings, inputs, gates);
    crate::finding::sort(&mut findings);
    findings
}
