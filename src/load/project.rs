//! Load: what the lints and build gates read about the project itself: the toolchain and its
//! lints, each member's manifest `[lints]` and scanned source files, cargo's configuration and
//! the rustflags it would use, the toolchain file, and whether Cargo.lock is committed.

pub use crate::cargo_config::BuildConfig;
use crate::cargo_config::{self, CargoConfig, Rustflags};
pub use crate::lints::files::SourceFile;
use crate::lints::manifest::{self, MemberLints};
use crate::lints::toolchain::{LintDb, Toolchain};
use crate::load::workspace::Workspace;
use crate::members::Member;
use crate::toml_file::{SpannedErrors, TomlFile};
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// A member with its manifest lints and sources.
#[derive(Debug)]
pub struct MemberProject {
    /// The member.
    pub member: Member,
    /// Its directory relative to the workspace root (`/` separators).
    pub rel_dir: String,
    /// Its manifest.
    pub manifest: TomlFile,
    /// Its `[lints]` flags.
    pub lints: MemberLints,
    /// The source files its targets compile (see [`crate::lints::files`]).
    pub files: Vec<SourceFile>,
    /// The index in [`Project::configs`] of the configuration cargo reads when the member is
    /// built from its own directory.
    pub config: usize,
}

/// Whether Cargo.lock is there and committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockfileState {
    /// No Cargo.lock.
    Missing,
    /// Present, in a git work tree, but not tracked.
    Untracked,
    /// Present and tracked.
    Tracked,
    /// Present; the workspace is not in a git work tree.
    NotInGit,
}

/// The project as the lints and build gates see it.
#[derive(Debug)]
pub struct Project {
    /// The toolchain in use.
    pub toolchain: Toolchain,
    /// Its lints.
    pub lintdb: LintDb,
    /// The root manifest.
    pub root_manifest: TomlFile,
    /// The members.
    pub members: Vec<MemberProject>,
    /// Cargo's configuration, as seen from the workspace root.
    pub config: CargoConfig,
    /// The compile target the rustflags were resolved for.
    pub target: String,
    /// The extra rustflags cargo would use, if any source is present.
    pub rustflags: Option<Rustflags>,
    /// The distinct configurations cargo reads when building from the workspace root (first)
    /// and from each member's directory.
    pub configs: Vec<BuildConfig>,
    /// `rust-toolchain.toml` (or `rust-toolchain`), if present.
    pub toolchain_file: Option<TomlFile>,
    /// Cargo.lock's state.
    pub lockfile: LockfileState,
    /// Things the reader should know about how the project was read.
    pub notes: Vec<String>,
    /// The git state, when the workspace is in a git work tree.
    pub git: Option<crate::vcs::GitState>,
}

impl Project {
    /// The version the workspace builds with: the exact version pinned in rust-toolchain.toml,
    /// else the one `rustc -V` reports.
    pub fn toolchain_version(&self) -> semver::Version {
        self.toolchain_file
            .as_ref()
            .and_then(crate::gates::build::toolchain_channel)
            .and_then(|c| semver::Version::parse(&c).ok())
            .unwrap_or_else(|| self.toolchain.version.clone())
    }
}

/// What the project loader reads before the members are known (in parallel with `cargo
/// metadata`): the toolchain and its lints, the root manifest, the configuration cargo reads at
/// the workspace root, the toolchain file and the git state.
#[derive(Debug)]
pub struct Base {
    toolchain: Toolchain,
    lintdb: LintDb,
    root_manifest: TomlFile,
    home: PathBuf,
    env: std::collections::BTreeMap<String, String>,
    root_config: BuildConfig,
    toolchain_file: Option<TomlFile>,
    lockfile: LockfileState,
    git: Option<crate::vcs::GitState>,
}

impl Project {
    /// Loads what does not depend on the members; errors (an unreadable root manifest,
    /// configuration or toolchain file, no toolchain) keep the lints and build gates from running.
    pub fn load_base(ws: &Workspace) -> anyhow::Result<Base> {
        let toolchain = crate::load::toolchain::version().map_err(anyhow::Error::msg)?.clone();
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let env = cargo_config::process_env();
        let home = cargo_config::cargo_home(&cwd, &env).unwrap_or_else(|| PathBuf::from(".cargo"));
        // The lint list is cached under $CARGO_HOME, never in the inspected tree.
        let lintdb = LintDb::load(&ws.root, &toolchain, Some(&home.join("cargo-spdf")))?;
        let root_manifest = TomlFile::read(&ws.manifest, &ws.root)?;
        let root_config = BuildConfig::load(&ws.root, &ws.root, &home, &env, &toolchain.host)?;
        Ok(Base {
            toolchain,
            lintdb,
            root_manifest,
            home,
            env,
            root_config,
            toolchain_file: toolchain_file(&ws.root)?,
            lockfile: lockfile_state(&ws.root),
            git: crate::vcs::state(&ws.root),
        })
    }

    /// Adds the members: each one's manifest `[lints]`, the source files its targets compile,
    /// and the configuration cargo reads when it is built from its own directory.
    pub fn finish(ws: &Workspace, base: Base, members: Vec<Member>) -> anyhow::Result<Self> {
        let scanned = crate::lints::files::scan_members(members, ws.root.clone())?;
        let host = base.toolchain.host.clone();
        let mut configs = vec![base.root_config];
        let mut projects = Vec::new();
        for (member, files) in scanned {
            let config = BuildConfig::load(&member.dir, &ws.root, &base.home, &base.env, &host)?;
            let index = match configs.iter().position(|c| c.same_as(&config)) {
                Some(i) => i,
                None => {
                    configs.push(config);
                    configs.len() - 1
                }
            };
            projects.push(member_project(ws, &base.root_manifest, member, files, index)?);
        }
        let mut notes: Vec<String> = configs.iter().flat_map(|c| c.notes.iter().cloned()).collect();
        notes.extend(test_only_note(&projects));
        let root = &configs[0];
        let (config, target, rustflags) = (root.config.clone(), root.target.clone(), root.rustflags.clone());
        Ok(Project {
            toolchain: base.toolchain,
            lintdb: base.lintdb,
            root_manifest: base.root_manifest,
            members: projects,
            config,
            target,
            rustflags,
            configs,
            toolchain_file: base.toolchain_file,
            lockfile: base.lockfile,
            notes,
            git: base.git,
        })
    }
}

fn member_project(
    ws: &Workspace,
    root: &TomlFile,
    member: Member,
    files: Vec<SourceFile>,
    config: usize,
) -> anyhow::Result<MemberProject> {
    let manifest = TomlFile::read(&member.manifest, &ws.root)?;
    let lints = manifest::member_lints(&manifest, root).map_err(|e| SpannedErrors(vec![e]))?;
    let rel_dir = crate::paths::relative(&member.dir, &ws.root);
    Ok(MemberProject { member, rel_dir, manifest, lints, files, config })
}

/// How many lowering attributes sit in code that does not ship, which the lints gate leaves out.
fn test_only_note(members: &[MemberProject]) -> Option<String> {
    let count: usize = members.iter().map(|m| crate::lints::files::test_only_lowerings(&m.files)).sum();
    (count > 0).then(|| {
        format!(
            "lints: {count} lint attribute{} in code that does not ship (integration tests, benches, examples, cfg(test)) {} not judged; `check-test-targets = true` in [lints] judges them too",
            if count == 1 { "" } else { "s" },
            if count == 1 { "is" } else { "are" }
        )
    })
}

/// The toolchain file a build of the workspace obeys: rustup looks in the directory cargo runs in
/// and then in each parent, so a workspace inside a larger repository (an examples folder, a
/// board directory) is pinned by the repository's file. Named relative to the workspace root.
fn toolchain_file(root: &Path) -> anyhow::Result<Option<TomlFile>> {
    for dir in root.ancestors() {
        for name in ["rust-toolchain.toml", "rust-toolchain"] {
            let path = dir.join(name);
            if path.is_file() {
                let mut file = TomlFile::read(&path, root)?;
                file.report_name = crate::paths::relative(&path, root);
                return Ok(Some(file));
            }
        }
    }
    Ok(None)
}

fn lockfile_state(root: &Path) -> LockfileState {
    if !root.join("Cargo.lock").is_file() {
        return LockfileState::Missing;
    }
    let git = |args: &[&str]| crate::vcs::git(root).args(args).output();
    match git(&["rev-parse", "--is-inside-work-tree"]) {
        Ok(out) if out.status.success() => match git(&["ls-files", "--error-unmatch", "Cargo.lock"]) {
            Ok(out) if out.status.success() => LockfileState::Tracked,
            _ => LockfileState::Untracked,
        },
        _ => LockfileState::NotInGit,
    }
}
