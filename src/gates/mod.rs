//! Evaluate: each gate is a pure function from the inputs it declares to findings. Gates never
//! do I/O and never fail. A gate names the typed input it reads (`Input`, built from what was
//! loaded by its `Input::from_loaded`); when one of them could not be loaded the gate does not
//! run and is reported as not evaluated, with the reason, while the other gates run.

pub mod advisories;
pub mod bans;
pub mod build;
pub mod kev;
pub mod licenses;
pub mod lints;
pub mod lockfile;
pub mod sources;
pub mod support;
pub mod violations;
pub mod waivers;
pub mod yanked;

use crate::finding::{Finding, Gate};
use crate::load::{Loaded, Needs};
use crate::policy::{Policy, Stage};
use crate::report::GateRun;
use jiff::Timestamp;

/// What every gate reads: the policy in force, the stage and "now".
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The policy in force.
    pub policy: &'a Policy,
    /// The stage checked for.
    pub stage: Stage,
    /// "Now": `SOURCE_DATE_EPOCH` when set, else the clock. Expiry and age are judged against it.
    pub now: Timestamp,
}

impl Ctx<'_> {
    /// Today's date (UTC), as expiry and end-of-support dates are compared with it.
    pub fn today(&self) -> jiff::civil::Date {
        self.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }
}

/// What the selected gates need loaded, so the loader reads nothing more than they use.
pub fn needs(gates: &[Gate]) -> Needs {
    let any = |wanted: &[Gate]| gates.iter().any(|g| wanted.contains(g));
    Needs {
        lock: any(&[Gate::Advisories, Gate::Sources, Gate::Bans, Gate::Licenses, Gate::Support]),
        db: any(&[Gate::Advisories, Gate::Build, Gate::Support]),
        kev: any(&[Gate::Advisories]),
        yanked: any(&[Gate::Advisories, Gate::Support]),
        histories: any(&[Gate::Support]),
        graph: any(&[Gate::Licenses, Gate::Support]),
        project: any(&[Gate::Lints, Gate::Build]),
        paths: any(&[Gate::Sources]),
    }
}

/// Runs the selected gates over what was loaded, applies the policy's waivers and sorts the
/// findings; returns them with every gate's status. The gates run side by side: each is a pure
/// function of what was loaded, and what they find is sorted afterwards, so the order in which
/// they finish changes nothing.
pub fn run(loaded: &Loaded, gates: &[Gate], now: Timestamp) -> (Vec<Finding>, Vec<GateRun>) {
    let early = run_early(loaded, gates, now);
    run_rest(loaded, gates, now, early)
}

/// What some of the gates found, or why they were not evaluated, before the others ran.
pub struct Early(Vec<(Gate, Result<Judged, String>)>);

/// Whether a gate reads what only `cargo metadata` says (the members, their project files, the
/// graph): the others read the lockfile, manifests, database and index, which are loaded while
/// cargo is still running.
fn reads_cargo(gate: Gate) -> bool {
    let needs = needs(&[gate]);
    needs.graph || needs.project
}

/// Runs the selected gates that do not read `cargo metadata`'s answer, while cargo runs.
pub fn run_early(loaded: &Loaded, gates: &[Gate], now: Timestamp) -> Early {
    let early: Vec<Gate> = gates.iter().copied().filter(|&g| !reads_cargo(g)).collect();
    Early(evaluate_all(loaded, &early, now))
}

/// Runs the selected gates [`run_early`] did not, and finishes the run as [`run`] does.
pub fn run_rest(
    loaded: &Loaded,
    gates: &[Gate],
    now: Timestamp,
    early: Early,
) -> (Vec<Finding>, Vec<GateRun>) {
    let Early(mut results) = early;
    let rest: Vec<Gate> = gates.iter().copied().filter(|g| !results.iter().any(|(e, _)| e == g)).collect();
    results.extend(evaluate_all(loaded, &rest, now));
    let mut findings = Vec::new();
    let mut runs = Vec::new();
    for &gate in gates {
        let Some(at) = results.iter().position(|(g, _)| *g == gate) else { continue };
        match results.swap_remove(at).1 {
            Ok((found, note)) => {
                findings.extend(found);
                runs.push(GateRun { note, ..GateRun::evaluated(gate) });
            }
            Err(reason) => runs.push(GateRun::not_evaluated(gate, reason)),
        }
    }
    let ctx = Ctx { policy: &loaded.policy.policy, stage: loaded.stage, now };
    findings.extend(lockfile::stale(loaded, gates, &runs));
    findings.extend(policy_weakened(loaded, &runs));
    let evaluated: Vec<Gate> = runs.iter().filter(|r| r.is_evaluated()).map(|r| r.gate).collect();
    waivers::apply(&mut findings, &ctx, loaded.db.ok(), &evaluated);
    crate::finding::sort(&mut findings);
    (findings, runs)
}

/// Evaluates `gates` side by side, each on a helper thread.
fn evaluate_all(loaded: &Loaded, gates: &[Gate], now: Timestamp) -> Vec<(Gate, Result<Judged, String>)> {
    let ctx = Ctx { policy: &loaded.policy.policy, stage: loaded.stage, now };
    std::thread::scope(|s| {
        let ctx = &ctx;
        let handles: Vec<_> = gates
            .iter()
            .map(|&gate| {
                s.spawn(move || {
                    crate::process::yield_to_children();
                    (gate, evaluate(gate, ctx, loaded))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

/// With `--base`: each way the work tree's policy is weaker, reported by the gate it concerns
/// when that gate ran.
fn policy_weakened(loaded: &Loaded, runs: &[GateRun]) -> Vec<Finding> {
    use crate::finding::{Code, Level};
    loaded
        .weakened
        .iter()
        .filter(|w| runs.iter().any(|r| r.gate == w.gate && r.is_evaluated()))
        .map(|w| {
            let mut f = Finding::new(Code::PolicyWeakened, Level::Deny, format!("the work tree's policy is weaker than the base revision's: {}", w.message))
                .help("a change that lowers the gate takes effect once merged on its own, after review by whoever owns the policy; until then the base revision's policy applies")
                .at(w.location.clone());
            f.gate = w.gate;
            f
        })
        .collect()
}

/// What one gate found, and what it says of what it judged (see [`GateRun::note`]).
type Judged = (Vec<Finding>, Option<String>);

/// One gate: its input, then its check.
fn evaluate(gate: Gate, ctx: &Ctx<'_>, loaded: &Loaded) -> Result<Judged, String> {
    let found = match gate {
        Gate::Advisories => {
            let input = advisories::Input::from_loaded(loaded)?;
            let mut found = advisories::check(ctx, &input);
            kev::apply(&mut found, ctx, input.kev);
            found
        }
        Gate::Lints => lints::check(ctx, &lints::Input::from_loaded(loaded)?),
        Gate::Build => build::check(ctx, &build::Input::from_loaded(loaded)?),
        Gate::Sources => sources::check(ctx, &sources::Input::from_loaded(loaded)?),
        Gate::Bans => bans::check(ctx, &bans::Input::from_loaded(loaded)?),
        Gate::Licenses => licenses::check(ctx, &licenses::Input::from_loaded(loaded)?),
        Gate::Support => {
            let (found, summary) = support::check(ctx, &support::Input::from_loaded(loaded)?);
            return Ok((found, Some(summary)));
        }
    };
    Ok((found, None))
}

/// An input's `Err` for a gate's input builder: "Cargo.lock could not be read: <why>".
pub fn missing(what: &str, reason: String) -> String {
    format!("{what} could not be loaded: {reason}")
}
