//! Load: every input a run reads, and nothing else. One loader per input (workspace, lockfile,
//! manifests, policy, advisory database and its fetch, KEV catalog, yanked lookups, `cargo
//! metadata`, project files), run in parallel where they do not depend on each other, with
//! `cargo metadata` (the slowest) started first.
//!
//! The workspace and the policy are needed by everything: failing to load either is an error
//! (exit 2). Every other input is a [`Slot`]: loaded, not needed for this run, or failed with a
//! reason. A gate whose input failed is reported as not evaluated (exit 2) while the other gates
//! still run ([`crate::gates::run`]). When `cargo metadata` cannot run, the graph falls back to
//! the lockfile ([`fallback`]), and says so.
//!
//! Cargo writes its answer tens of milliseconds before it has exited: [`Loaded::load_judged`]
//! builds on that answer and judges it meanwhile, and returns the verdict only once cargo's
//! successful exit confirms the answer; otherwise what was built on it is rebuilt from cargo's
//! final word, and judged again.
//!
//! Nothing here writes into the workspace: `cargo metadata` runs `--locked`, and `Cargo.lock` is
//! hashed before and after so the report's digest is that of the bytes every gate judged.

pub mod cargo_answer;
pub mod database;
pub mod db_digest;
pub mod fallback;
pub mod imported;
pub mod kev;
pub mod lockfile;
pub mod manifests;
pub mod metadata;
pub mod metadata_cache;
pub mod product;
pub mod project;
pub mod stale;
pub mod toolchain;
pub mod workspace;
pub mod yanked;

use crate::cargo_config::CargoConfig;
use crate::cli::CommonArgs;
use crate::cmd::Env;
use crate::graph::{CargoOptions, Graph};
use crate::lints::clippy_run::{self, ClippyRun};
use crate::members::Member;
use crate::policy::{self, LoadedPolicy, Stage};
use crate::report::human::Verbosity;
use database::AdvisoryDb;
use kev::KevCatalog;
use lockfile::Lock;
use manifests::Manifest;
use project::Project;
use std::collections::BTreeSet;
use workspace::Workspace;
use yanked::Lookup;

/// One input: loaded, not needed by this run, or failed with the reason.
#[derive(Debug)]
pub enum Slot<T> {
    /// Not asked for.
    NotNeeded,
    /// Loaded.
    Ready(T),
    /// Could not be loaded: what went wrong, whole.
    Failed(String),
}

impl<T> Slot<T> {
    /// The input, or why it is not there.
    pub fn get(&self) -> Result<&T, String> {
        match self {
            Self::Ready(v) => Ok(v),
            Self::Failed(reason) => Err(reason.clone()),
            Self::NotNeeded => Err("it was not loaded for this command".to_owned()),
        }
    }

    /// The input, if loaded.
    pub fn ok(&self) -> Option<&T> {
        match self {
            Self::Ready(v) => Some(v),
            _ => None,
        }
    }

    fn from(result: anyhow::Result<T>) -> Self {
        match result {
            Ok(v) => Self::Ready(v),
            Err(e) => Self::Failed(format!("{e:#}")),
        }
    }

    fn when(needed: bool, load: impl FnOnce() -> anyhow::Result<T>) -> Self {
        if needed { Self::from(load()) } else { Self::NotNeeded }
    }
}

/// What to load beyond the workspace and policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// `Cargo.lock` (and the manifests it is checked against).
    pub lock: bool,
    /// The advisory database (implies the lockfile: only locked crates are read).
    pub db: bool,
    /// The KEV catalog, when one is named.
    pub kev: bool,
    /// The yanked status of locked crates.io packages (implies the lockfile; uses the index).
    pub yanked: bool,
    /// With `yanked`: each crate's release history too (the support data).
    pub histories: bool,
    /// The dependency graph (`cargo metadata`, else the lockfile's).
    pub graph: bool,
    /// The project's manifests, sources and configuration (implies the members).
    pub project: bool,
    /// The manifests of the path packages beyond the members (where the sources gate locates
    /// them; implied by the graph, whose lockfile fallback reads them).
    pub paths: bool,
}

/// What a run asks the loaders for.
pub struct Request<'a> {
    /// The common flags.
    pub common: &'a CommonArgs,
    /// The stage.
    pub stage: Stage,
    /// The inputs wanted.
    pub needs: Needs,
    /// Cargo's flags.
    pub cargo: CargoOptions,
    /// The resolved settings.
    pub env: &'a Env,
    /// `--base REV`: judge by the policy of this git revision, and report how the work tree's
    /// policy is weaker.
    pub base: Option<&'a str>,
}

/// Everything loaded for one run.
pub struct Loaded {
    /// The workspace.
    pub ws: Workspace,
    /// The policy for the stage.
    pub policy: LoadedPolicy,
    /// The stage.
    pub stage: Stage,
    /// `Cargo.lock`.
    pub lock: Slot<Lock>,
    /// The workspace members' manifests, read without cargo.
    pub manifests: Slot<Vec<Manifest>>,
    /// The manifests of the path packages outside the members that their `path` dependencies
    /// reach, as far as they could be read (see [`manifests::outside`]).
    pub outside: Vec<Manifest>,
    /// How `Cargo.lock` is out of date with the manifests (empty when it is not, or unknown).
    pub stale: Vec<stale::Stale>,
    /// The advisory database.
    pub db: Slot<AdvisoryDb>,
    /// The KEV catalog (`None` when none is named).
    pub kev: Slot<Option<KevCatalog>>,
    /// The yanked status of locked crates.io packages.
    pub yanked: Slot<Lookup>,
    /// The members and their targets, from `cargo metadata`.
    pub members: Slot<Vec<Member>>,
    /// The dependency graph: `cargo metadata`'s, or the lockfile's (see its `basis`).
    pub graph: Slot<Graph>,
    /// The project's manifests, sources and configuration.
    pub project: Slot<Project>,
    /// The root manifest's `[workspace.package]` data, for the SBOM's product (with the graph).
    pub workspace_package: Slot<product::WorkspacePackage>,
    /// What clippy reported, after [`Loaded::run_clippy`].
    pub clippy: Option<ClippyRun>,
    /// Things the reader should know about how the inputs were read.
    pub notes: Vec<String>,
    /// With `--base`: how the work tree's policy is weaker than the base revision's.
    pub weakened: Vec<policy::weakened::Weakening>,
    /// cargo-audit's and cargo-deny's files in the workspace, for the note on the advisories
    /// they ignore that the policy does not waive.
    pub other_tools: Vec<Result<imported::ToolConfig, imported::Unreadable>>,
}

impl Loaded {
    /// Frees what was loaded on a thread of its own, beside the report being written: the graph,
    /// database and sources are tens of thousands of allocations, milliseconds the report need
    /// not wait for. Nothing loaded holds a file, lock or process, so the process may exit
    /// before the thread is done.
    pub fn free_beside(self) {
        let _ = std::thread::Builder::new().name("free".to_owned()).spawn(helper(move || drop(self)));
    }

    /// Loads what `req.needs` asks for. Only the workspace and the policy are errors here.
    pub fn load(req: &Request<'_>) -> anyhow::Result<Self> {
        Self::load_judged(req, |_| (), |_, ()| ()).map(|(loaded, ())| loaded)
    }

    /// Loads like [`Loaded::load`], and judges what was loaded: `early` with what does not come
    /// from `cargo metadata`, while cargo runs, then `judge` with `early`'s result once cargo's
    /// answer is in. Both must only read, and `early` must not read the members, the graph, the
    /// project or `stale`, which are not loaded yet when it runs. Cargo writes its answer some
    /// milliseconds before it has exited: `judge` runs on that answer meanwhile, and its verdict
    /// is returned only once cargo's exit confirms the answer. When it does not (cargo failed
    /// after answering, or wrote more), what was loaded from it is replaced by what cargo's
    /// final word gives, and both run again.
    pub fn load_judged<E, T>(
        req: &Request<'_>,
        early: impl Fn(&Self) -> E,
        judge: impl Fn(&Self, E) -> T,
    ) -> anyhow::Result<(Self, T)> {
        let needs = normalized(req.needs);
        let ws = Workspace::locate(req.common.manifest_path.as_deref())?;
        let config = Slot::when(needs.graph || needs.project, load_config);
        let manifests = Slot::when(needs.lock || needs.project, || manifests::members(&ws));
        let member_paths: Option<Vec<std::path::PathBuf>> =
            manifests.ok().map(|m| m.iter().map(|m| m.path.clone()).collect());
        let manifests_failed = match &manifests {
            Slot::Failed(e) => Some(e.clone()),
            _ => None,
        };
        std::thread::scope(|s| {
            let (handed_over, answer) = std::sync::mpsc::channel();
            // `cargo metadata` first: the slowest input, and the one the rest does not wait on.
            let metadata = s.spawn(|| {
                let hand_over = move |m: metadata::Metadata| drop(handed_over.send(m));
                let paths = member_paths.as_deref();
                call_metadata(&ws, &req.cargo, needs, &config, paths, manifests_failed.as_deref(), &hand_over)
            });
            let mut loaded = Self::load_early(ws.clone(), manifests, req, needs)?;
            let base = loaded.load_rest(req, needs);
            let judged_early = early(&loaded);
            // The answer handed over early, else (cargo exited without one) cargo's final word.
            let (first, pending) = match answer.recv() {
                Ok(m) => (MetadataOutcome::Answered(m), Some(metadata)),
                Err(_) => (join(metadata), None),
            };
            loaded.apply_metadata(needs, &config, first, base);
            let mut verdict = judge(&loaded, judged_early);
            if let Some(metadata) = pending {
                match join(metadata) {
                    MetadataOutcome::AsHandedOver => {}
                    last => {
                        let base = Slot::when(needs.project, || Project::load_base(&loaded.ws));
                        loaded.apply_metadata(needs, &config, last, base);
                        verdict = judge(&loaded, early(&loaded));
                    }
                }
            }
            loaded.check_lockfile_unchanged()?;
            Ok((loaded, verdict))
        })
    }

    /// What the other loaders need first: the policy and the lockfile.
    fn load_early(
        ws: Workspace,
        manifests: Slot<Vec<Manifest>>,
        req: &Request<'_>,
        needs: Needs,
    ) -> anyhow::Result<Self> {
        let (policy, weakened, mut notes) = load_policy(&ws, req)?;
        let other_tools = imported::load(&ws.root);
        let lock = Slot::when(needs.lock, || ws.load_lock());
        let outside = match manifests.ok() {
            Some(members) if needs.paths => manifests::outside(members, &ws.root),
            _ => Vec::new(),
        };
        let mut loaded = Loaded {
            ws,
            policy,
            stage: req.stage,
            lock,
            manifests,
            outside,
            stale: Vec::new(),
            db: Slot::NotNeeded,
            kev: Slot::NotNeeded,
            yanked: Slot::NotNeeded,
            members: Slot::NotNeeded,
            graph: Slot::NotNeeded,
            project: Slot::NotNeeded,
            workspace_package: Slot::NotNeeded,
            clippy: None,
            notes: std::mem::take(&mut notes),
            other_tools,
            weakened,
        };
        loaded.workspace_package = Slot::when(needs.graph, || product::read(&loaded.ws));
        Ok(loaded)
    }

    /// Everything after the lockfile, in parallel beside `cargo metadata`: the database, the
    /// KEV catalog, the yanked lookups, and the project files that do not depend on cargo's
    /// answer (returned, for [`Loaded::apply_metadata`]).
    fn load_rest(&mut self, req: &Request<'_>, needs: Needs) -> Slot<project::Base> {
        let this = &*self;
        let (base, db, kev, yanked) = std::thread::scope(|s| {
            let base = s.spawn(helper(|| Slot::when(needs.project, || Project::load_base(&this.ws))));
            let db = s.spawn(helper(|| Slot::when(needs.db, || this.open_db(req.common))));
            let kev = s.spawn(helper(|| Slot::when(needs.kev, || this.open_kev(req.common))));
            let yanked = Slot::when(needs.yanked, || this.look_up_yanked(req.env, needs.histories));
            (join(base), join(db), join(kev), yanked)
        });
        self.db = db;
        self.kev = kev;
        self.yanked = yanked;
        base
    }

    /// What follows from `cargo metadata`'s outcome: the members, the graph, the project, and
    /// whether `Cargo.lock` is out of date. Each call replaces what an earlier one set.
    fn apply_metadata(
        &mut self,
        needs: Needs,
        config: &Slot<CargoConfig>,
        outcome: MetadataOutcome,
        base: Slot<project::Base>,
    ) {
        let (members, graph, mut stale) = self.metadata_results(needs, config, outcome);
        // The lockfile's own check says what is out of date; cargo's verdict stands where it
        // finds nothing more.
        if let (Slot::Ready(lock), Slot::Ready(manifests)) = (&self.lock, &self.manifests) {
            let own = stale::check(lock, manifests);
            if !own.is_empty() {
                stale = own;
            }
        }
        self.stale = stale;
        self.graph = graph;
        self.project = match (&members, base) {
            (_, _) if !needs.project => Slot::NotNeeded,
            (Slot::Ready(m), Slot::Ready(base)) => Slot::from(Project::finish(&self.ws, base, m.clone())),
            (Slot::Failed(e), _) => Slot::Failed(e.clone()),
            (_, Slot::Failed(e)) => Slot::Failed(e),
            _ => Slot::Failed("the workspace members were not loaded".to_owned()),
        };
        self.members = members;
    }

    /// The members and graph from what `cargo metadata` answered; when the full call failed, the
    /// graph falls back to the lockfile (and the members came from `--no-deps`).
    fn metadata_results(
        &self,
        needs: Needs,
        config: &Slot<CargoConfig>,
        outcome: MetadataOutcome,
    ) -> (Slot<Vec<Member>>, Slot<Graph>, Vec<stale::Stale>) {
        let config = config.ok();
        match outcome {
            MetadataOutcome::NotNeeded => (Slot::NotNeeded, Slot::NotNeeded, Vec::new()),
            MetadataOutcome::NotRun(reason) => {
                (Slot::Failed(reason.clone()), self.fallback_graph(needs, &reason, config), Vec::new())
            }
            MetadataOutcome::Skipped(reason) => {
                (Slot::Failed(reason.clone()), Slot::Failed(reason), Vec::new())
            }
            MetadataOutcome::Answered(m) => {
                (Slot::Ready(m.members), m.graph.map_or(Slot::NotNeeded, Slot::Ready), Vec::new())
            }
            MetadataOutcome::AsHandedOver => {
                let reason = "`cargo metadata`'s answer was not kept".to_owned();
                (Slot::Failed(reason.clone()), Slot::Failed(reason), Vec::new())
            }
            MetadataOutcome::Failed { failure, members } => {
                let reason = format!("`cargo metadata` failed: {}", failure.message());
                let stale = match &failure {
                    metadata::Failure::Stale(m) => {
                        vec![stale::Stale { message: self.cargo_says_stale(m), line: None }]
                    }
                    metadata::Failure::Other(_) => Vec::new(),
                };
                let members = match members {
                    Some(Ok(m)) => Slot::Ready(m.members),
                    Some(Err(f)) => {
                        Slot::Failed(format!("`cargo metadata --no-deps` failed: {}", f.message()))
                    }
                    None => Slot::Failed(reason.clone()),
                };
                (members, self.fallback_graph(needs, &reason, config), stale)
            }
        }
    }

    /// The lockfile's graph, when the graph is needed and the lockfile and manifests loaded.
    fn fallback_graph(&self, needs: Needs, reason: &str, config: Option<&CargoConfig>) -> Slot<Graph> {
        if !needs.graph {
            return Slot::NotNeeded;
        }
        let (lock, members) = match (self.lock.get(), self.manifests.get()) {
            (Ok(l), Ok(m)) => (l, m),
            (Err(e), _) | (_, Err(e)) => {
                return Slot::Failed(format!("{reason}; and the lockfile graph cannot stand in for it: {e}"));
            }
        };
        let vendor_dirs = config.map(CargoConfig::vendor_dirs).unwrap_or_default();
        let home = crate::paths::cargo_home();
        let places = fallback::Places {
            root: &self.ws.root,
            members,
            outside: &self.outside,
            vendor_dirs: &vendor_dirs,
            cargo_home: &home,
        };
        Slot::Ready(fallback::graph(lock, &places, reason))
    }

    /// Opens the database, reading the advisories of the locked crates and of the toolchain; a
    /// database missing from the default location is fetched first.
    fn open_db(&self, common: &CommonArgs) -> anyhow::Result<AdvisoryDb> {
        let location = database::locate(common.db.as_deref(), self.policy.policy.advisories.db.as_deref());
        crate::cmd::db::fetch_if_missing(&location, common)?;
        // Without a lockfile only the toolchain's advisories are read (the build gate's).
        let crates: BTreeSet<String> =
            self.lock.ok().iter().flat_map(|l| l.packages.iter().map(|p| p.name.clone())).collect();
        AdvisoryDb::open(&location, &crates)
    }

    fn open_kev(&self, common: &CommonArgs) -> anyhow::Result<Option<KevCatalog>> {
        kev::locate(common.kev.as_deref(), self.policy.policy.kev.as_deref())
            .map(|p| KevCatalog::load(&p))
            .transpose()
    }

    /// The yanked status of the locked crates.io packages: no network under `--offline`, no
    /// progress bar under `-q`.
    fn look_up_yanked(&self, env: &Env, needs_histories: bool) -> anyhow::Result<Lookup> {
        let lock = self.lock.get().map_err(|e| anyhow::anyhow!("Cargo.lock could not be read: {e}"))?;
        let options = yanked::Options {
            offline: env.offline,
            progress: env.verbosity != Verbosity::Quiet,
            color: env.color,
            histories: needs_histories,
        };
        yanked::look_up(lock, options)
    }

    /// `Cargo.lock` must be byte for byte what it was when read: a run never changes the
    /// workspace, and the report's digest must be that of the bytes every gate judged.
    fn check_lockfile_unchanged(&self) -> anyhow::Result<()> {
        let Slot::Ready(lock) = &self.lock else { return Ok(()) };
        let path = self.ws.lockfile_path();
        let now = crate::fsread::sha256_hex(&path, crate::fsread::limit::LOCKFILE).ok();
        if now.as_deref() != Some(lock.sha256.as_str()) {
            anyhow::bail!(
                "{} changed while it was being checked; nothing was judged, run again",
                crate::paths::display(&path)
            );
        }
        Ok(())
    }

    /// Compiles the workspace with clippy to count the required lints' violations (see
    /// [`clippy_run`]); does nothing when the project was not loaded. A run that cannot start,
    /// or a workspace that does not build, is an error (exit code 2).
    pub fn run_clippy(&mut self, options: &clippy_run::Options) -> anyhow::Result<()> {
        let Slot::Ready(project) = &self.project else { return Ok(()) };
        let members: Vec<_> = project.members.iter().map(|m| m.member.clone()).collect();
        let lints = &self.policy.policy.lints;
        self.clippy = Some(clippy_run::run(&self.ws.root, &members, lints, &project.lintdb, options)?);
        Ok(())
    }
}

/// The policy in force: the work tree's, or with `--base REV` the base revision's, with the
/// ways the work tree's is weaker and its diff (as notes).
fn load_policy(
    ws: &Workspace,
    req: &Request<'_>,
) -> anyhow::Result<(LoadedPolicy, Vec<policy::weakened::Weakening>, Vec<String>)> {
    let head = policy::load(&ws.root, &ws.manifest, req.common.policy.as_deref(), req.stage)?;
    let Some(rev) = req.base else { return Ok((head, Vec::new(), Vec::new())) };
    let (base, base_text) = policy::base::load_at_revision(&ws.root, rev, req.stage)?;
    let weakened = policy::weakened::weakenings(&base.policy, &head.policy);
    let head_text =
        crate::fsread::read_to_string(&ws.root.join("spdf.toml"), crate::fsread::limit::CONFIG).ok();
    let diff =
        policy::base::diff_lines(base_text.as_deref().unwrap_or(""), head_text.as_deref().unwrap_or(""), 40);
    let mut notes = vec![format!(
        "--base {rev}: the policy of {rev} applies; the work tree's spdf.toml {} ({} weaker requirements)",
        if diff.is_empty() { "is the same" } else { "differs and is not applied" },
        weakened.len()
    )];
    notes.extend(diff.into_iter().map(|line| format!("spdf.toml change: {line}")));
    Ok((base, weakened, notes))
}

/// What the `cargo metadata` thread found.
enum MetadataOutcome {
    /// Neither the graph nor the members were asked for.
    NotNeeded,
    /// What it needs could not be prepared (the configuration, the toolchain): the reason.
    NotRun(String),
    /// Inputs cargo would hang on or choke on: not run, and no graph either.
    Skipped(String),
    /// Its answer.
    Answered(metadata::Metadata),
    /// The answer handed over while cargo was exiting stands.
    AsHandedOver,
    /// The full call failed; `members` is the `--no-deps` call's answer when the members were
    /// needed too.
    Failed {
        /// Why the full call failed.
        failure: metadata::Failure,
        /// The `--no-deps` answer, when asked for.
        members: Option<Result<metadata::Metadata, metadata::Failure>>,
    },
}

/// One `cargo metadata` call (full when the graph is needed, else `--no-deps`), and the
/// `--no-deps` one when the full one fails and the members are needed. It is not started on
/// manifests or a lockfile that cannot be read (a FIFO would hang cargo).
fn call_metadata(
    ws: &Workspace,
    cargo: &CargoOptions,
    needs: Needs,
    config: &Slot<CargoConfig>,
    members: Option<&[std::path::PathBuf]>,
    manifests_failed: Option<&str>,
    early: metadata::Early<'_>,
) -> MetadataOutcome {
    if !needs.graph && !needs.project {
        return MetadataOutcome::NotNeeded;
    }
    let config = match config.get() {
        Ok(c) => c,
        Err(e) => return MetadataOutcome::NotRun(e),
    };
    let host = match toolchain::host() {
        Ok(h) => h,
        Err(e) => return MetadataOutcome::NotRun(e),
    };
    let lockfile = std::fs::metadata(ws.lockfile_path());
    let unreadable = match (manifests_failed, &lockfile) {
        (Some(e), _) => Some(format!("the workspace's manifests cannot be read: {e}")),
        (None, Ok(meta)) if !meta.is_file() => Some("Cargo.lock is not a regular file".to_owned()),
        _ => None,
    };
    if let Some(reason) = unreadable {
        return MetadataOutcome::Skipped(format!("`cargo metadata` was not run: {reason}"));
    }
    let request = |resolve| metadata::Request { ws, cargo, resolve, config, host: &host, members };
    match metadata::run(&request(needs.graph), Some(early)) {
        Ok(metadata::Reply::Here(m)) => MetadataOutcome::Answered(m),
        Ok(metadata::Reply::AsHandedOver) => MetadataOutcome::AsHandedOver,
        Err(failure) => {
            let no_deps = || match metadata::run(&request(false), None)? {
                metadata::Reply::Here(m) => Ok(m),
                metadata::Reply::AsHandedOver => {
                    Err(metadata::Failure::Other("the `--no-deps` answer was not kept".to_owned()))
                }
            };
            let members = (needs.graph && needs.project).then(no_deps);
            MetadataOutcome::Failed { failure, members }
        }
    }
}

/// What each input implies: the database reads only locked crates, the project needs members.
fn normalized(mut needs: Needs) -> Needs {
    needs.lock |= needs.db || needs.yanked || needs.graph || needs.paths;
    needs.paths |= needs.graph;
    needs.kev &= needs.db;
    needs
}

/// Cargo's configuration as a build from the current directory reads it.
fn load_config() -> anyhow::Result<CargoConfig> {
    use anyhow::Context as _;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let env = crate::cargo_config::process_env();
    let home =
        crate::cargo_config::cargo_home(&cwd, &env).unwrap_or_else(|| std::path::PathBuf::from(".cargo"));
    CargoConfig::load(&cwd, &home, env)
}

impl Loaded {
    /// Cargo's "would have to update the lockfile" message, without its advice and local paths.
    fn cargo_says_stale(&self, message: &str) -> String {
        let message = message.split(": help:").next().unwrap_or(message);
        let message = message.replace(&self.ws.lockfile_path().display().to_string(), "Cargo.lock");
        format!("cargo would have to update it (`cargo metadata --locked`: {message})")
    }
}

/// A helper thread's body: it yields to the child processes first (see
/// [`crate::process::yield_to_children`]).
fn helper<T>(body: impl FnOnce() -> T) -> impl FnOnce() -> T {
    || {
        crate::process::yield_to_children();
        body()
    }
}

/// A scoped thread's result; a panic in a loader is re-raised, not swallowed.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
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
