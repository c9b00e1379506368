//! Evaluate: each gate is a pure function from what was loaded to findings. Gates never do
//! I/O and never fail; whatever could not be established was either an error at load time
//! or is reported here as a finding.

pub mod advisories;
pub mod bans;
pub mod build;
pub mod kev;
pub mod licenses;
pub mod lints;
pub mod sources;
pub mod support;
pub mod violations;
pub mod waivers;
pub mod yanked;

use crate::load::database::AdvisoryDb;
use crate::finding::{Finding, Gate};
use crate::graph::Graph;
use crate::policy::{Policy, Stage};
use crate::load::project::Project;
use crate::load::workspace::{Lock, Workspace};
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
    /// The yanked status of every locked crates.io package, when a selected gate needs it.
    pub yanked: Option<&'a crate::load::yanked::Statuses>,
    /// The `cargo metadata` graph, when a selected gate needs it.
    pub graph: Option<&'a Graph>,
    /// The project's manifests, sources and configuration, when a selected gate needs them.
    pub project: Option<&'a Project>,
    /// The KEV catalog, when given.
    pub kev: Option<&'a crate::load::kev::KevCatalog>,
    /// What clippy reported about the required lints, when `check --run-clippy` ran it.
    pub clippy: Option<&'a crate::lints::clippy_run::ClippyRun>,
    /// The stage checked for.
    pub stage: Stage,
    /// "Now": `SOURCE_DATE_EPOCH` when set, else the clock. Expiry and age are judged against it.
    pub now: Timestamp,
}

/// What to load beyond the workspace and policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// Cargo.lock.
    pub lock: bool,
    /// The advisory database (implies the lockfile: only locked crates are read).
    pub db: bool,
    /// The yanked status of locked crates.io packages (implies the lockfile; uses the index).
    pub yanked: bool,
    /// The `cargo metadata` graph.
    pub graph: bool,
    /// The project's manifests, sources and configuration.
    pub project: bool,
}

/// What the selected gates need loaded, so the loader reads nothing more than they use.
pub fn needs(gates: &[Gate]) -> Needs {
    let any = |wanted: &[Gate]| gates.iter().any(|g| wanted.contains(g));
    Needs {
        lock: any(&[Gate::Advisories, Gate::Sources, Gate::Bans, Gate::Licenses, Gate::Support]),
        db: any(&[Gate::Advisories, Gate::Build, Gate::Support]),
        yanked: any(&[Gate::Advisories]),
        graph: any(&[Gate::Sources, Gate::Bans, Gate::Licenses, Gate::Support]),
        project: any(&[Gate::Lints, Gate::Build]),
    }
}

/// Runs the selected gates, applies the policy's waivers, and sorts the findings.
pub fn run(inputs: &Inputs<'_>, gates: &[Gate]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for gate in gates {
        findings.extend(match gate {
            Gate::Advisories => {
                let mut found = advisories::check(inputs);
                kev::apply(&mut found, inputs);
                found
            }
            Gate::Lints => lints::check(inputs),
            Gate::Build => build::check(inputs),
            Gate::Sources => sources::check(inputs),
            Gate::Bans => bans::check(inputs),
            Gate::Licenses => licenses::check(inputs),
            Gate::Support => support::check(inputs),
        });
    }
    waivers::apply(&mut findings, inputs, gates);
    crate::finding::sort(&mut findings);
    findings
}
