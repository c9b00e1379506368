//! `cargo spdf check`: load what the selected gates need, run them, render the report.

use super::Env;
use crate::advisory_db::{self, AdvisoryDb};
use crate::cli::{CheckArgs, CheckFormat, CommonArgs};
use crate::exit;
use crate::finding::Gate;
use crate::gates::{self, Inputs};
use crate::policy::{self, LoadedPolicy, Origin};
use crate::report::{self, DatabaseInfo, PolicyInfo, Report, WorkspaceInfo};
use crate::workspace::{Lock, Workspace};
use anyhow::bail;
use std::collections::BTreeSet;

/// Runs the check and returns the exit code.
pub fn run(common: &CommonArgs, args: &CheckArgs, env: &Env) -> anyhow::Result<u8> {
    let gates = selected_gates(&args.gates)?;
    let report = evaluate(common, args, env, &gates)?;
    write_report(&report, args, env)?;
    Ok(if report.passed() { exit::OK } else { exit::POLICY_VIOLATION })
}

/// The gates to run: those named with `--gate`, or every available gate.
fn selected_gates(requested: &[Gate]) -> anyhow::Result<Vec<Gate>> {
    if requested.is_empty() {
        return Ok(gates::AVAILABLE.to_vec());
    }
    let mut chosen: Vec<Gate> = requested.to_vec();
    chosen.sort();
    chosen.dedup();
    if let Some(g) = chosen.iter().find(|g| !gates::AVAILABLE.contains(g)) {
        bail!("the {g} gate is not available in this version of cargo-spdf");
    }
    Ok(chosen)
}

/// Loads the inputs and runs the gates.
pub fn evaluate(common: &CommonArgs, args: &CheckArgs, env: &Env, gates: &[Gate]) -> anyhow::Result<Report> {
    let ws = Workspace::locate(common.manifest_path.as_deref())?;
    let loaded = policy::load(&ws.root, &ws.manifest, common.policy.as_deref(), args.stage)?;
    let lock = if gates::needs_lock(gates) { Some(ws.load_lock()?) } else { None };
    let db = match (&lock, gates::needs_db(gates)) {
        (Some(lock), true) => Some(open_db(common, &loaded, lock)?),
        _ => None,
    };
    let inputs = Inputs {
        ws: &ws,
        lock: lock.as_ref(),
        policy: &loaded.policy,
        db: db.as_ref(),
        stage: args.stage,
        now: env.now,
    };
    let findings = gates::run(&inputs, gates);
    Ok(Report {
        stage: args.stage,
        workspace: WorkspaceInfo {
            root: ws.root.display().to_string(),
            lockfile_sha256: lock.as_ref().map(|l| l.sha256.clone()),
            packages: lock.as_ref().map(|l| l.lockfile.packages.len()),
        },
        database: db.as_ref().map(|d| DatabaseInfo::new(d, env.now)),
        policy: PolicyInfo { origin: loaded.origin.clone(), profile: loaded.policy.profile },
        gates: gates.to_vec(),
        findings,
        notes: notes(&loaded),
    })
}

fn open_db(common: &CommonArgs, loaded: &LoadedPolicy, lock: &Lock) -> anyhow::Result<AdvisoryDb> {
    let location = advisory_db::locate(common.db.as_deref(), loaded.policy.advisories.db.as_deref());
    let crates: BTreeSet<String> =
        lock.lockfile.packages.iter().map(|p| p.name.as_str().to_owned()).collect();
    AdvisoryDb::open(&location, &crates)
}

fn notes(loaded: &LoadedPolicy) -> Vec<String> {
    let mut notes = Vec::new();
    if loaded.origin == Origin::BuiltIn {
        notes.push("no spdf.toml or [workspace.metadata.spdf] found: the built-in baseline profile applies (`cargo spdf init` writes a policy)".to_owned());
    }
    notes
}

fn write_report(report: &Report, args: &CheckArgs, env: &Env) -> anyhow::Result<()> {
    let to_file = args.output.is_some();
    let mut bytes = Vec::new();
    match args.format {
        CheckFormat::Human => {
            let opts = report::human::Options { color: env.color && !to_file, verbosity: env.verbosity };
            report::human::render(report, &mut bytes, opts)?;
        }
        CheckFormat::Json => report::json::render(report, &mut bytes)?,
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
