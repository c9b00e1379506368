//! Load: what the lints and build gates read about the project itself: the toolchain and its
//! lints, each member's manifest `[lints]` and scanned source files, cargo's configuration and
//! the rustflags it would use, the toolchain file, and whether Cargo.lock is committed.

pub use crate::cargo_config::BuildConfig;
use crate::cargo_config::{self, CargoConfig, Rustflags};
use crate::graph::CargoOptions;
pub use crate::lints::files::SourceFile;
use crate::lints::manifest::{self, MemberLints};
use crate::lints::toolchain::{LintDb, Toolchain};
use crate::members::{self, Member};
use crate::toml_file::{SpannedErrors, TomlFile};
use crate::workspace::Workspace;
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// A member with its manifest lints and sources.
#[derive(Debug)]
pub struct MemberProject {
    /// The member.
    pub member: Member,
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

impl Project {
    /// Loads everything; errors (unreadable or invalid manifests, no toolchain) are exit 2.
    pub fn load(ws: &Workspace, cargo: &CargoOptions) -> anyhow::Result<Self> {
        let mut notes = Vec::new();
        let toolchain = match Toolchain::detect(&ws.root) {
            Ok(t) => t,
            Err(e) => {
                // A toolchain pinned in rust-toolchain.toml but not installed: judge lint names
                // with the default toolchain, and say so.
                // When the default toolchain fails too, the pinned one's error is the one to show.
                let Ok(fallback) = Toolchain::detect(&std::env::temp_dir()) else { return Err(e) };
                notes.push(format!(
                    "the toolchain pinned in the workspace is not installed; lint names were checked against {}",
                    fallback.rustc_version
                ));
                fallback
            }
        };
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let env = cargo_config::process_env();
        let home = cargo_config::cargo_home(&cwd, &env).unwrap_or_else(|| PathBuf::from(".cargo"));
        // The lint list is cached under $CARGO_HOME, never in the inspected tree.
        let lintdb = LintDb::load(&ws.root, &toolchain, Some(&home.join("cargo-spdf")))?;
        let root_manifest = TomlFile::read(&ws.manifest, &ws.root)?;
        let members = members::load(ws, cargo)?;
        let scanned = crate::lints::files::scan_members(members, ws.root.clone())?;
        let mut configs = vec![BuildConfig::load(&ws.root, &ws.root, &home, &env, &toolchain.host)?];
        let mut members = Vec::new();
        for (member, files) in scanned {
            let config = BuildConfig::load(&member.dir, &ws.root, &home, &env, &toolchain.host)?;
            let index = match configs.iter().position(|c| c.same_as(&config)) {
                Some(i) => i,
                None => {
                    configs.push(config);
                    configs.len() - 1
                }
            };
            members.push(member_project(ws, &root_manifest, member, files, index)?);
        }
        notes.extend(configs.iter().flat_map(|c| c.notes.iter().cloned()));
        notes.extend(test_only_note(&members));
        let root = &configs[0];
        let (config, target, rustflags) = (root.config.clone(), root.target.clone(), root.rustflags.clone());
        Ok(Project {
            toolchain,
            lintdb,
            root_manifest,
            members,
            config,
            target,
            rustflags,
            configs,
            toolchain_file: toolchain_file(&ws.root)?,
            lockfile: lockfile_state(&ws.root),
            notes,
            git: crate::vcs::state(&ws.root),
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
    Ok(MemberProject { member, manifest, lints, files, config })
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

fn toolchain_file(root: &Path) -> anyhow::Result<Option<TomlFile>> {
    for name in ["rust-toolchain.toml", "rust-toolchain"] {
        let path = root.join(name);
        if path.is_file() {
            return Ok(Some(TomlFile::read(&path, root)?));
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
