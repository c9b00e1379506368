//! `cargo spdf check`: load what the selected gates need (with `--run-clippy`, compile the
//! workspace with clippy too), run them, render the report.

use super::Env;
use crate::cli::{CheckArgs, CheckFormat, CommonArgs};
use crate::finding::{Finding, Gate};
use crate::gates;
use crate::graph::CargoOptions;
use crate::lints::clippy_run;
use crate::load::{Loaded, Request};
use crate::policy::Origin;
use crate::report::human::Verbosity;
use crate::report::{self, DatabaseInfo, GateRun, PolicyInfo, Report, WorkspaceInfo};

/// Runs the check and returns the exit code.
pub fn run(common: &CommonArgs, args: &CheckArgs, env: &Env) -> anyhow::Result<u8> {
    let gates = selected_gates(&args.gates);
    let report = evaluate(common, args, env, &gates)?;
    write_report(&report, args, env)?;
    Ok(report.exit_code())
}

/// The gates to run: those named with `--gate` (sorted, without repeats), or every gate.
fn selected_gates(requested: &[Gate]) -> Vec<Gate> {
    if requested.is_empty() {
        return Gate::ALL.to_vec();
    }
    let mut chosen: Vec<Gate> = requested.to_vec();
    chosen.sort();
    chosen.dedup();
    chosen
}

/// Loads the inputs (running clippy with `--run-clippy` when the lints gate runs) and runs the gates.
pub fn evaluate(common: &CommonArgs, args: &CheckArgs, env: &Env, gates: &[Gate]) -> anyhow::Result<Report> {
    let request = Request {
        common,
        stage: args.stage,
        needs: gates::needs(gates),
        cargo: CargoOptions::from_common(common),
        env,
        base: args.base.as_deref(),
    };
    let (loaded, mut report) = if args.run_clippy && gates.contains(&Gate::Lints) {
        let mut loaded = Loaded::load(&request)?;
        loaded.run_clippy(&clippy_options(common, args, env))?;
        let (findings, runs) = gates::run(&loaded, gates, env.now);
        let report = report(&loaded, runs, findings, env);
        (loaded, report)
    } else {
        // The lockfile gates run while `cargo metadata` does; the others on its answer.
        let early = |loaded: &Loaded| gates::run_early(loaded, gates, env.now);
        let judge = |loaded: &Loaded, early| {
            let (findings, runs) = gates::run_rest(loaded, gates, env.now, early);
            report(loaded, runs, findings, env)
        };
        Loaded::load_judged(&request, early, judge)?
    };
    loaded.free_beside();
    if args.run_clippy && !gates.contains(&Gate::Lints) {
        report
            .notes
            .push("--run-clippy: clippy did not run, because the lints gate was not selected".to_owned());
    }
    Ok(report)
}

/// How `--run-clippy` runs clippy: cargo's network and lockfile flags as given, a spinner
/// unless `-q`.
fn clippy_options(common: &CommonArgs, args: &CheckArgs, env: &Env) -> clippy_run::Options {
    clippy_run::Options {
        target: args.clippy_target.clone(),
        offline: common.offline,
        locked: common.locked,
        frozen: common.frozen,
        progress: env.verbosity != Verbosity::Quiet,
        color: env.color,
    }
}

/// The report of a run.
pub fn report(loaded: &Loaded, gates: Vec<GateRun>, findings: Vec<Finding>, env: &Env) -> Report {
    let lock = loaded.lock.ok();
    let mut notes = notes(loaded, &findings);
    notes.extend(gates.iter().filter_map(|run| run.note.clone()));
    Report {
        stage: loaded.stage,
        workspace: WorkspaceInfo {
            root: loaded.ws.root.display().to_string(),
            lockfile_sha256: lock.map(|l| l.sha256.clone()),
            packages: lock.map(|l| l.packages.len()),
        },
        database: loaded.db.ok().map(|d| DatabaseInfo::new(d, env.now)),
        policy: PolicyInfo { origin: loaded.policy.origin.clone(), profile: loaded.policy.policy.profile },
        kev: loaded.kev.ok().and_then(Option::as_ref).map(|k| crate::report::KevInfo::new(k, env.now)),
        notes,
        gates,
        findings,
    }
}

fn notes(loaded: &Loaded, findings: &[Finding]) -> Vec<String> {
    let mut notes = loaded.notes.clone();
    notes.extend(other_tools(loaded, findings));
    if let Some(crate::graph::Basis::Lockfile { reason }) = loaded.graph.ok().map(|g| &g.basis) {
        notes.push(format!("{reason}; the licences and support gates judged the graph of Cargo.lock and the manifests on disk (every locked package; dependency kinds from the manifests where found): an over-approximation of what ships"));
    }
    notes.extend(loaded.project.ok().iter().flat_map(|p| p.notes.iter().cloned()));
    notes.extend(crate::load::toolchain::Trusted::chosen_by_workspace_note());
    notes.extend(loaded.clippy.iter().map(|run| run.note()));
    if loaded.policy.origin == Origin::BuiltIn {
        notes.push("no spdf.toml or [workspace.metadata.spdf] found: the built-in baseline profile applies (`cargo spdf init` writes a policy)".to_owned());
    }
    if let Some(lookup) = loaded.yanked.ok().filter(|y| y.skipped_offline) {
        notes.push(format!(
            "--offline: the yanked status of {} crates.io packages was not looked up in {}; set {} to a file:// mirror of the index to check it offline",
            lookup.statuses.len(),
            lookup.index,
            crate::load::yanked::INDEX_URL_VAR
        ));
    }
    notes
}

/// The advisories cargo-audit's or cargo-deny's file ignores and the policy does not waive. Two
/// ids are the same advisory when a finding of this run names both (an id and its alias).
fn other_tools(loaded: &Loaded, findings: &[Finding]) -> Vec<String> {
    let policy = match &loaded.policy.origin {
        Origin::File { path, .. } => path.clone(),
        Origin::Manifest { path, .. } => format!("[workspace.metadata.spdf] in {path}"),
        Origin::BuiltIn => "the built-in baseline policy".to_owned(),
    };
    let waived: Vec<&str> =
        loaded.policy.policy.advisories.exceptions.iter().map(|e| e.id.as_str()).collect();
    let same = |a: &str, b: &str| {
        findings.iter().filter_map(|f| f.advisory.as_ref()).any(|adv| {
            let names = |id: &str| adv.id == id || adv.aliases.iter().any(|alias| alias == id);
            names(a) && names(b)
        })
    };
    crate::load::imported::notes(&loaded.other_tools, &policy, &waived, same)
}

/// Renders the report in the chosen format: machine formats to stdout, the human report to
/// stderr, either to `--output` (written atomically) when given.
fn write_report(report: &Report, args: &CheckArgs, env: &Env) -> anyhow::Result<()> {
    let to_file = args.output.is_some();
    let mut bytes = Vec::new();
    match args.format {
        CheckFormat::Human => {
            let opts = report::human::Options { color: env.color && !to_file, verbosity: env.verbosity };
            report::human::render(report, &mut bytes, opts)?;
        }
        CheckFormat::Json => report::json::render(report, &mut bytes)?,
        CheckFormat::Sarif => report::sarif::render(report, &mut bytes)?,
        CheckFormat::Junit => report::junit::render(report, &mut bytes)?,
        CheckFormat::Github => report::github::render(report, &mut bytes)?,
    }
    if args.format != CheckFormat::Human || args.output.is_some() {
        not_evaluated_on_stderr(report, env);
    }
    match (&args.output, args.format) {
        (Some(path), _) => crate::output::write_atomic(path, &bytes),
        (None, CheckFormat::Human) => {
            crate::output::write_stderr(&bytes);
            Ok(())
        }
        (None, _) => crate::output::write_stdout(&bytes),
    }
}

/// With a machine format (or the report in a file), the gates that were not evaluated are also
/// told on stderr, where a CI log shows them, since the run exits 2 for them.
fn not_evaluated_on_stderr(report: &Report, env: &Env) {
    let label = console::style("error:").red().bold().force_styling(env.color);
    let text: String = report
        .not_evaluated()
        .map(|run| {
            format!(
                "{label} gate `{}` was not evaluated: {}\n",
                run.gate,
                run.status.reason().unwrap_or_default()
            )
        })
        .collect();
    crate::output::write_stderr(text.as_bytes());
}
