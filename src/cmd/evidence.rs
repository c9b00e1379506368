//! `cargo spdf evidence`: the release sign-off bundle. Written when the gate fails too (with the
//! verdict), so a failed release candidate is documented; the exit code is the check's.

use super::Env;
use crate::cli::{CommonArgs, EvidenceArgs};
use crate::evidence::{self, addendum, markdown, provenance, sign};
use crate::finding::{Finding, Gate};
use crate::gates;
use crate::graph::CargoOptions;
use crate::load::Loaded;
use crate::load::{Needs, Request};
use crate::report::{self, Report};
use crate::sbom::{self, cyclonedx};
use anyhow::Context as _;

/// Builds and writes the bundle; returns the check's exit code.
pub fn run(common: &CommonArgs, args: &EvidenceArgs, env: &Env) -> anyhow::Result<u8> {
    let out = evidence::check_destination(&args.out, args.force)?;
    let needs = Needs {
        lock: true,
        db: true,
        kev: true,
        yanked: true,
        histories: true,
        graph: true,
        project: true,
        paths: true,
    };
    let request = Request {
        common,
        stage: args.stage,
        needs,
        cargo: CargoOptions::from_common(common),
        env,
        base: None,
    };
    let loaded = Loaded::load(&request)?;
    let (findings, runs) = gates::run(&loaded, &Gate::ALL, env.now);
    let report = super::check::report(&loaded, runs, findings.clone(), env);
    let files = files(&loaded, &portable(&report, &loaded), &findings, env, args)?;
    evidence::write_bundle(&out, &files, args.force)?;
    let mut summary = Vec::new();
    report::human::render(
        &report,
        &mut summary,
        report::human::Options { color: env.color, verbosity: env.verbosity },
    )?;
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    summary.extend(
        format!("evidence written to {}: {}\n", crate::paths::display(&out), names.join(", ")).into_bytes(),
    );
    crate::output::write_stderr(&summary);
    Ok(report.exit_code())
}

/// Every file of the bundle, SHA256SUMS (and its signature) last.
fn files(
    loaded: &Loaded,
    report: &Report,
    findings: &[Finding],
    env: &Env,
    args: &EvidenceArgs,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let options = sbom::Options { vulnerabilities: true, ..sbom::Options::default() };
    let sbom_doc = super::sbom::build(loaded, findings, env, &options, false)?;
    let vex_doc = super::sbom::build(loaded, findings, env, &options, true)?;
    let sbom_json = cyclonedx::write(&sbom_doc, cyclonedx::Format::Json, cyclonedx::SpecVersion::V1_6)?;
    let sbom_xml = cyclonedx::write(&sbom_doc, cyclonedx::Format::Xml, cyclonedx::SpecVersion::V1_6)?;
    let vex_json = cyclonedx::write(&vex_doc, cyclonedx::Format::Json, cyclonedx::SpecVersion::V1_6)?;
    let rows = addendum::rows(&serde_json::from_slice(&sbom_json)?);
    let provenance = provenance::provenance(report, &extra(loaded, env));
    let mut report_json = Vec::new();
    report::json::render(report, &mut report_json)?;
    let mut provenance_json = serde_json::to_vec_pretty(&provenance)?;
    provenance_json.push(b'\n');
    let mut files: Vec<(&'static str, Vec<u8>)> = vec![
        ("fda-sbom-addendum.csv", addendum::render(&rows)?),
        ("provenance.json", provenance_json),
        ("report.json", report_json),
        ("report.md", markdown::render(report, &provenance, &rows).into_bytes()),
        ("sbom.cdx.json", sbom_json),
        ("sbom.cdx.xml", sbom_xml),
        ("vex.cdx.json", vex_json),
    ];
    if let Some(policy) = evidence::policy::recorded(&loaded.ws.root, &loaded.policy.origin)? {
        files.push(("spdf.toml", policy));
        files.sort_by_key(|(name, _)| *name);
    }
    let sums = evidence::sha256sums(&files).into_bytes();
    if let Some(key) = &args.sign_key {
        let key = sign::signing_key(key)?;
        files.push(("SHA256SUMS.sig", sign::sign(&key, &sums)));
    }
    files.push(("SHA256SUMS", sums));
    Ok(files)
}

/// The report as the bundle records it: no absolute local path, the workspace by its name, the
/// advisory database and the KEV catalog by their place in the workspace (or their file name)
/// beside their identity (commit or digest; catalog version).
fn portable(report: &Report, loaded: &Loaded) -> Report {
    let root = &loaded.ws.root;
    let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let place = |path: &str| {
        let path = std::path::Path::new(path);
        crate::paths::relative_to(path, root)
            .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default()
    };
    let mut out = report.clone();
    let mut replacements =
        vec![(format!("{}/", root.display()), String::new()), (root.display().to_string(), ".".to_owned())];
    if let Some(db) = out.database.as_mut() {
        replacements.insert(0, (db.path.clone(), place(&db.path)));
        db.path = place(&db.path);
    }
    if let Some(kev) = out.kev.as_mut() {
        replacements.insert(0, (kev.path.clone(), place(&kev.path)));
        kev.path = place(&kev.path);
    }
    out.workspace.root = name;
    let strip = |text: &mut String| {
        for (from, to) in &replacements {
            if !from.is_empty() && text.contains(from.as_str()) {
                *text = text.replace(from.as_str(), to);
            }
        }
    };
    out.notes.iter_mut().for_each(strip);
    for f in &mut out.findings {
        strip(&mut f.message);
        f.help.iter_mut().for_each(strip);
    }
    out
}

/// What the provenance records beyond the report.
fn extra<'a>(loaded: &'a Loaded, env: &Env) -> provenance::Extra<'a> {
    let project = loaded.project.ok();
    provenance::Extra {
        workspace_name: loaded.ws.root.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        source_date_epoch: std::env::var_os("SOURCE_DATE_EPOCH").is_some_and(|v| !v.is_empty()),
        rustc: project.map(|p| p.toolchain.rustc_version.clone()),
        cargo: cargo_version(&loaded.ws.root),
        pinned: project
            .and_then(|p| p.toolchain_file.as_ref())
            .and_then(crate::gates::build::toolchain_channel),
        git: project.and_then(|p| p.git.as_ref()),
        time: env.now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        now: env.now,
    }
}

/// `cargo -V` of the cargo in use.
fn cargo_version(dir: &std::path::Path) -> Option<String> {
    let cargo = crate::lints::toolchain::tool_path("cargo");
    let out = crate::lints::toolchain::command(&cargo, dir)
        .arg("-V")
        .output()
        .context("cannot run `cargo -V`")
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
