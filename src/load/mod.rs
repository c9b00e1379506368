//! The load phase shared by every subcommand: workspace, policy, and then only what the work
//! at hand needs (lockfile, advisory database, yanked status from the index, `cargo metadata`
//! graph), and for `check --run-clippy` the violations clippy reports.

use crate::cmd::Env;
pub mod database;
pub mod kev;
pub mod project;
pub mod workspace;
pub mod yanked;

use database::AdvisoryDb;
use crate::cli::CommonArgs;
use crate::gates::{Inputs, Needs};
use crate::graph::{self, CargoOptions, Graph};
use kev::KevCatalog;
use crate::lints::clippy_run::{self, ClippyRun};
use crate::policy::{self, LoadedPolicy, Stage};
use project::Project;
use crate::report::human::Verbosity;
use workspace::{Lock, Workspace};
use yanked::Lookup;
use jiff::Timestamp;
use std::collections::BTreeSet;

/// Everything loaded for one run.
pub struct Loaded {
    /// The workspace.
    pub ws: Workspace,
    /// The policy for the stage.
    pub policy: LoadedPolicy,
    /// The stage.
    pub stage: Stage,
    /// Cargo.lock, when needed.
    pub lock: Option<Lock>,
    /// The advisory database, when needed.
    pub db: Option<AdvisoryDb>,
    /// The yanked status of locked crates.io packages, when needed.
    pub yanked: Option<Lookup>,
    /// The dependency graph, when needed.
    pub graph: Option<Graph>,
    /// The project's manifests, sources and configuration, when needed.
    pub project: Option<Project>,
    /// The KEV catalog, when one is given and the advisories are checked.
    pub kev: Option<KevCatalog>,
    /// What clippy reported, after [`Loaded::run_clippy`].
    pub clippy: Option<ClippyRun>,
}

impl Loaded {
    /// Loads what `needs` asks for; every failure is an error (exit code 2).
    pub fn load(
        common: &CommonArgs,
        stage: Stage,
        needs: Needs,
        cargo: &CargoOptions,
        env: &Env,
    ) -> anyhow::Result<Self> {
        let ws = Workspace::locate(common.manifest_path.as_deref())?;
        let policy = policy::load(&ws.root, &ws.manifest, common.policy.as_deref(), stage)?;
        let lock = if needs.lock || needs.yanked || needs.graph { Some(ws.load_lock()?) } else { None };
        let db = if needs.db { Some(open_db(common, &policy, lock.as_ref())?) } else { None };
        let yanked = match (&lock, needs.yanked) {
            (Some(lock), true) => Some(look_up_yanked(lock, env)?),
            _ => None,
        };
        let graph = if needs.graph { Some(graph::load(&ws, cargo)?) } else { None };
        let project = if needs.project { Some(Project::load(&ws, cargo)?) } else { None };
        let kev_path = crate::load::kev::locate(common.kev.as_deref(), policy.policy.kev.as_deref());
        let kev = match kev_path.filter(|_| needs.db) {
            Some(path) => Some(KevCatalog::load(&path)?),
            None => None,
        };
        Ok(Loaded { ws, policy, stage, lock, db, yanked, graph, project, kev, clippy: None })
    }

    /// Compiles the workspace with clippy to count the required lints' violations (see
    /// [`clippy_run`]); does nothing when the project was not loaded. A run that cannot start,
    /// or a workspace that does not build, is an error (exit code 2).
    pub fn run_clippy(&mut self, options: &clippy_run::Options) -> anyhow::Result<()> {
        let Some(project) = &self.project else { return Ok(()) };
        let members: Vec<_> = project.members.iter().map(|m| m.member.clone()).collect();
        let lints = &self.policy.policy.lints;
        self.clippy = Some(clippy_run::run(&self.ws.root, &members, lints, &project.lintdb, options)?);
        Ok(())
    }

    /// The gates' view of what was loaded.
    pub fn inputs(&self, now: Timestamp) -> Inputs<'_> {
        Inputs {
            ws: &self.ws,
            lock: self.lock.as_ref(),
            policy: &self.policy.policy,
            db: self.db.as_ref(),
            yanked: self.yanked.as_ref().map(|y| &y.statuses),
            graph: self.graph.as_ref(),
            project: self.project.as_ref(),
            kev: self.kev.as_ref(),
            clippy: self.clippy.as_ref(),
            stage: self.stage,
            now,
        }
    }
}

impl CargoOptions {
    /// The cargo flags from the common options.
    pub fn from_common(common: &CommonArgs) -> Self {
        CargoOptions {
            offline: common.offline,
            locked: common.locked,
            frozen: common.frozen,
            ..Default::default()
        }
    }
}

/// Opens the database, reading the advisories of the locked crates (none without a lockfile) and
/// of the toolchain; a database missing from the default location is fetched first (see
/// [`crate::cmd::db::fetch_if_missing`]).
fn open_db(common: &CommonArgs, loaded: &LoadedPolicy, lock: Option<&Lock>) -> anyhow::Result<AdvisoryDb> {
    let location = database::locate(common.db.as_deref(), loaded.policy.advisories.db.as_deref());
    crate::cmd::db::fetch_if_missing(&location, common)?;
    let crates: BTreeSet<String> =
        lock.iter().flat_map(|l| l.lockfile.packages.iter().map(|p| p.name.as_str().to_owned())).collect();
    AdvisoryDb::open(&location, &crates)
}

/// The yanked status of the locked crates.io packages: no network under `--offline`, no
/// progress bar under `-q`.
fn look_up_yanked(lock: &Lock, env: &Env) -> anyhow::Result<Lookup> {
    let options = yanked::Options {
        offline: env.offline,
        progress: env.verbosity != Verbosity::Quiet,
        color: env.color,
    };
    yanked::look_up(lock, options)
}
