//! `cargo spdf sbom`: the CycloneDX SBOM (or the VEX alone) to stdout or a file.

use super::Env;
use crate::cli::{CommonArgs, SbomArgs};
use crate::exit;
use crate::finding::Gate;
use crate::gates;
use crate::graph::{Basis, CargoOptions};
use crate::load::{Loaded, Needs, Request};
use crate::report::DatabaseInfo;
use crate::sbom::{self, cyclonedx};

/// Writes the SBOM and returns the exit code (0: the SBOM does not judge the policy).
pub fn run(common: &CommonArgs, args: &SbomArgs, env: &Env) -> anyhow::Result<u8> {
    let bytes = render(common, args, env)?;
    match &args.output {
        Some(path) => crate::output::write_atomic(path, &bytes)?,
        None => crate::output::write_stdout(&bytes)?,
    }
    Ok(exit::OK)
}

/// Loads, evaluates the advisories, and serializes.
pub fn render(common: &CommonArgs, args: &SbomArgs, env: &Env) -> anyhow::Result<Vec<u8>> {
    let cargo = CargoOptions {
        features: args.features.clone(),
        all_features: args.all_features,
        no_default_features: args.no_default_features,
        target: args.target.clone(),
        ..CargoOptions::from_common(common)
    };
    let request = Request {
        common,
        stage: args.stage,
        needs: Needs {
            lock: true,
            db: true,
            kev: true,
            yanked: true,
            histories: true,
            graph: true,
            ..Needs::default()
        },
        cargo,
        env,
        base: None,
    };
    let loaded = Loaded::load(&request)?;
    let findings = advisory_findings(&loaded, env)?;
    warn_if_lockfile_scope(&loaded, env);
    let options = sbom::Options {
        packages: args.packages.clone(),
        include_dev: args.include_dev,
        target: args.target.clone(),
        features: sbom::describe_features(args.all_features, args.no_default_features, &args.features),
        vulnerabilities: !args.no_vulnerabilities,
    };
    let doc = build(&loaded, &findings, env, &options, args.vex_only)?;
    cyclonedx::write(&doc, args.format, args.spec_version)
}

/// The advisories gate's findings, which the SBOM lists as vulnerabilities; an SBOM without them
/// would claim there are none, so a gate that cannot run is an error here.
pub fn advisory_findings(loaded: &Loaded, env: &Env) -> anyhow::Result<Vec<crate::finding::Finding>> {
    let (findings, runs) = gates::run(loaded, &[Gate::Advisories], env.now);
    if let Some(reason) = runs.iter().find_map(|r| r.status.reason()) {
        anyhow::bail!("the SBOM's vulnerabilities cannot be established: {reason}");
    }
    Ok(findings)
}

/// Says on stderr when the SBOM rests on the lockfile rather than on `cargo metadata` (the
/// document says so too, in its `compositions` and `cargo-spdf:scope:*` properties).
fn warn_if_lockfile_scope(loaded: &Loaded, env: &Env) {
    if let Some(Basis::Lockfile { reason }) = loaded.graph.ok().map(|g| &g.basis)
        && env.verbosity != crate::report::human::Verbosity::Quiet
    {
        let label = console::style("warning:").yellow().bold().force_styling(env.color);
        crate::output::write_stderr(
            format!("{label} {reason}; the SBOM lists every package in Cargo.lock (an over-approximation of what ships), and says so in its compositions\n").as_bytes(),
        );
    }
}

/// Builds the SBOM (or the VEX document) from what was loaded.
pub fn build(
    loaded: &Loaded,
    findings: &[crate::finding::Finding],
    env: &Env,
    options: &sbom::Options,
    vex_only: bool,
) -> anyhow::Result<sbom::Sbom> {
    let graph =
        loaded.graph.get().map_err(|e| anyhow::anyhow!("the SBOM needs the dependency graph: {e}"))?;
    let lock = loaded.lock.get().map_err(|e| anyhow::anyhow!("the SBOM needs Cargo.lock: {e}"))?;
    let db = loaded.db.get().map_err(|e| anyhow::anyhow!("the SBOM needs the advisory database: {e}"))?;
    let database = DatabaseInfo::new(db, env.now);
    let workspace_name =
        loaded.ws.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let workspace_package = loaded.workspace_package.ok().cloned().unwrap_or_default();
    let inputs = sbom::Inputs {
        graph,
        lock,
        policy: &loaded.policy.policy,
        policy_origin: &loaded.policy.origin,
        findings,
        database: &database,
        kev: loaded.kev.ok().and_then(Option::as_ref),
        histories: loaded.yanked.ok().map(|l| &l.histories),
        workspace_package: &workspace_package,
        now: env.now,
        workspace_name: &workspace_name,
    };
    if vex_only { sbom::build_vex(&inputs, options) } else { sbom::build(&inputs, options) }
}
