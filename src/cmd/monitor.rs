//! `cargo spdf monitor`: resolve the archived product versions, load each (a bundle is verified
//! first, and refused when it does not hold), read the advisory database once for the crates of
//! all of them, evaluate each against it, the KEV catalog and the index, render the report.

use super::Env;
use crate::cli::{CommonArgs, MonitorArgs, MonitorFormat};
use crate::evidence::sign;
use crate::load::database::{self, AdvisoryDb};
use crate::load::kev::KevCatalog;
use crate::load::lockfile::Lock;
use crate::load::yanked::{self, Lookup};
use crate::monitor::archive::Archived;
use crate::monitor::bundle::{self, Refusal};
use crate::monitor::cdx::Document;
use crate::monitor::evaluate::{self, Affecting, Today};
use crate::monitor::report::{Outcome, Report};
use crate::monitor::{csv, human, json, lockfile, sarif, sbom};
use crate::policy::{self, LoadedPolicy, Stage};
use crate::report::human::Verbosity;
use crate::report::{DatabaseInfo, KevInfo};
use ed25519_dalek::VerifyingKey;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// What every product version is read with.
struct Readers {
    key: Option<VerifyingKey>,
    policy: Option<LoadedPolicy>,
    vex: Vec<(String, Document)>,
}

/// What every product version is compared against, read once for all of them.
struct Against {
    db: AdvisoryDb,
    kev: Option<KevCatalog>,
    lookup: Lookup,
}

/// Monitors every product version given and returns the exit code.
pub fn run(common: &CommonArgs, args: &MonitorArgs, env: &Env) -> anyhow::Result<u8> {
    let readers = Readers {
        key: args.key.as_deref().map(sign::verifying_key).transpose()?,
        policy: flag_policy(common)?,
        vex: args.vex.iter().map(|p| Ok((file_name(p), sbom::read(p)?))).collect::<anyhow::Result<_>>()?,
    };
    let loaded = load_all(args, &readers)?;
    let lock = lockfile::union(loaded.iter().filter_map(|r| r.as_ref().ok()))?;
    let against = Against {
        db: open_db(common, readers.policy.as_ref(), &lock)?,
        kev: open_kev(common, readers.policy.as_ref())?,
        lookup: look_up_yanked(&lock, env)?,
    };
    let report = evaluate_all(loaded, &lock, &against, args, env);
    write_report(&report, args, env)?;
    Ok(report.exit_code())
}

/// Evaluates every product version that was read; the refused ones stay in their place.
fn evaluate_all(
    loaded: Vec<Result<Archived, Refusal>>,
    lock: &Lock,
    against: &Against,
    args: &MonitorArgs,
    env: &Env,
) -> Report {
    let affecting = Affecting::new(lock, &against.db);
    let today = Today {
        db: &against.db,
        affecting: &affecting,
        kev: against.kev.as_ref(),
        yanked: Some(&against.lookup.statuses),
        now: env.now,
        since: args.since,
        within_days: i64::from(args.within),
    };
    let outcomes = loaded
        .into_iter()
        .map(|r| match r {
            Ok(a) => Outcome::Monitored { items: evaluate::evaluate(&today, &a), archived: Box::new(a) },
            Err(refusal) => Outcome::Refused(refusal),
        })
        .collect();
    Report {
        now: env.now,
        since: args.since,
        within_days: i64::from(args.within),
        database: DatabaseInfo::new(&against.db, env.now),
        kev: against.kev.as_ref().map(|k| KevInfo::new(k, env.now)),
        index: Some(against.lookup.index.clone()),
        outcomes,
        notes: notes(&against.lookup),
    }
}

/// The KEV catalog: `--kev`, the `--policy` file's `[kev] catalog`, `CARGO_SPDF_KEV`.
fn open_kev(common: &CommonArgs, policy: Option<&LoadedPolicy>) -> anyhow::Result<Option<KevCatalog>> {
    let path = crate::load::kev::locate(common.kev.as_deref(), policy.and_then(|p| p.policy.kev.as_deref()));
    path.map(|p| KevCatalog::load(&p)).transpose()
}

/// `--policy`, read at the release stage, for every product version.
fn flag_policy(common: &CommonArgs) -> anyhow::Result<Option<LoadedPolicy>> {
    let Some(path) = &common.policy else { return Ok(None) };
    let path = crate::paths::absolute(path);
    let root = path.parent().map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf);
    Ok(Some(policy::load(&root, &root.join("Cargo.toml"), Some(&path), Stage::Release)?))
}

/// Every product version in the order given: `--bundle`, `--bundles`, `--sbom`. One that cannot
/// be read is a refusal, and the others are still read; a folder that cannot be listed is an error.
fn load_all(args: &MonitorArgs, readers: &Readers) -> anyhow::Result<Vec<Result<Archived, Refusal>>> {
    let mut bundles: Vec<PathBuf> = args.bundle.iter().map(|p| crate::paths::absolute(p)).collect();
    for dir in &args.bundles {
        bundles.extend(bundle::find(&crate::paths::absolute(dir))?);
    }
    let mut sboms = Vec::new();
    for path in &args.sbom {
        sboms.extend(sbom::find(&crate::paths::absolute(path))?);
    }
    let key = readers.key.as_ref();
    let policy = readers.policy.as_ref();
    let mut loaded = load_bundles(&bundles, key, policy);
    loaded.extend(sboms.iter().map(|file| sbom::load(file, policy)));
    for archived in loaded.iter_mut().filter_map(|r| r.as_mut().ok()) {
        for (file, doc) in &readers.vex {
            archived.add_vex(doc, file);
        }
    }
    Ok(loaded)
}

/// Verifies and reads the bundles, spread over the machine's threads (each bundle is digested
/// whole, which is most of the work), keeping their order.
fn load_bundles(
    dirs: &[PathBuf],
    key: Option<&VerifyingKey>,
    policy: Option<&LoadedPolicy>,
) -> Vec<Result<Archived, Refusal>> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, dirs.len().max(1));
    let chunk = dirs.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = dirs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|d| bundle::load(d, key, policy)).collect::<Vec<_>>())
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Opens the database once, reading the advisories of every archived crates.io crate: `--db`,
/// the `--policy` file's `advisories.db`, `CARGO_SPDF_DB`, else the default location (fetched
/// there first when it is missing, as `check` does).
fn open_db(common: &CommonArgs, policy: Option<&LoadedPolicy>, lock: &Lock) -> anyhow::Result<AdvisoryDb> {
    let location =
        database::locate(common.db.as_deref(), policy.and_then(|p| p.policy.advisories.db.as_deref()));
    super::db::fetch_if_missing(&location, common)?;
    let crates: BTreeSet<String> = lock.packages.iter().map(|p| p.name.clone()).collect();
    AdvisoryDb::open(&location, &crates)
}

/// The yanked status of every archived crates.io component, looked up once.
fn look_up_yanked(lock: &Lock, env: &Env) -> anyhow::Result<Lookup> {
    let options = yanked::Options {
        offline: env.offline,
        progress: env.verbosity != Verbosity::Quiet,
        color: env.color,
        histories: false,
    };
    yanked::look_up(lock, options)
}

fn notes(lookup: &Lookup) -> Vec<String> {
    let mut notes = Vec::new();
    if lookup.skipped_offline {
        notes.push(format!(
            "--offline: the yanked status of {} crates.io packages was not looked up in {}; set {} to a file:// mirror of the index to check it offline",
            lookup.statuses.len(),
            lookup.index,
            crate::load::yanked::INDEX_URL_VAR
        ));
    }
    notes
}

/// Renders the report: machine formats to stdout, the human report to stderr, either to
/// `--output` (written atomically) when given.
fn write_report(report: &Report, args: &MonitorArgs, env: &Env) -> anyhow::Result<()> {
    let to_file = args.output.is_some();
    let mut bytes = Vec::new();
    match args.format {
        MonitorFormat::Human => {
            let opts =
                crate::report::human::Options { color: env.color && !to_file, verbosity: env.verbosity };
            human::render(report, &mut bytes, opts)?;
        }
        MonitorFormat::Json => json::render(report, &mut bytes)?,
        MonitorFormat::Sarif => sarif::render(report, &mut bytes)?,
        MonitorFormat::Csv => csv::render(report, &mut bytes)?,
    }
    match (&args.output, args.format) {
        (Some(path), _) => crate::output::write_atomic(path, &bytes),
        (None, MonitorFormat::Human) => {
            crate::output::write_stderr(&bytes);
            Ok(())
        }
        (None, _) => crate::output::write_stdout(&bytes),
    }
}
