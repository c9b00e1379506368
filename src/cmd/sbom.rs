//! `cargo spdf sbom`: the CycloneDX SBOM (or the VEX alone) to stdout or a file.

use super::Env;
use crate::load::Loaded;
use crate::cli::{CommonArgs, SbomArgs};
use crate::exit;
use crate::finding::Gate;
use crate::gates::{self, Needs};
use crate::graph::CargoOptions;
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
    let loaded = Loaded::load(
        common,
        args.stage,
        Needs { lock: true, db: true, yanked: false, graph: true, project: false },
        &cargo,
        env,
    )?;
    let findings = gates::run(&loaded.inputs(env.now), &[Gate::Advisories]);
    let options = sbom::Options {
        packages: args.packages.clone(),
        include_dev: args.include_dev,
        target: args.target.clone(),
        vulnerabilities: !args.no_vulnerabilities,
    };
    let bom = build(&loaded, &findings, env, &options, args.vex_only)?;
    cyclonedx::write(bom, args.format, args.spec_version)
}

/// Builds the SBOM (or the VEX document) from what was loaded.
pub fn build(
    loaded: &Loaded,
    findings: &[crate::finding::Finding],
    env: &Env,
    options: &sbom::Options,
    vex_only: bool,
) -> anyhow::Result<cyclonedx_bom::models::bom::Bom> {
    let (Some(graph), Some(lock), Some(db)) = (&loaded.graph, &loaded.lock, &loaded.db) else {
        anyhow::bail!("the SBOM needs the dependency graph, the lockfile and the advisory database");
    };
    let database = DatabaseInfo::new(db, env.now);
    let workspace_name =
        loaded.ws.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let inputs = sbom::Inputs {
        graph,
        lock,
        policy: &loaded.policy.policy,
        policy_origin: &loaded.policy.origin,
        findings,
        database: &database,
        now: env.now,
        workspace_name: &workspace_name,
    };
    if vex_only { sbom::build_vex(&inputs, options) } else { sbom::build(&inputs, options) }
}
