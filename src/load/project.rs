//! Load: what the lints and build gates read about the project itself: the toolchain and its
//! lints, each member's manifest `[lints]` and scanned source files, cargo's configuration and
//! the rustflags it would use, the toolchain file, and whether Cargo.lock is committed.

use crate::cargo_config::{CargoConfig, Rustflags};
use crate::lints::attrs::{self, FileScan};
use crate::lints::manifest::{self, MemberLints};
use crate::lints::toolchain::{LintDb, Toolchain};
use crate::load::workspace::Workspace;
use crate::members::{Kind, Member};
use crate::toml_file::{SpannedErrors, TomlFile};
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// A source file of a member and what the scan found in it.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the workspace root.
    pub path: String,
    /// Absolute path.
    pub abs: PathBuf,
    /// The targets whose crate root this file is.
    pub roots_of: Vec<(Kind, String)>,
    /// The lint attributes found, or why the file could not be parsed.
    pub scan: Result<FileScan, String>,
}

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
    /// Every `.rs` file under its directory (nested packages and `target/` excluded).
    pub files: Vec<SourceFile>,
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
    /// Cargo's configuration, as seen from the current directory.
    pub config: CargoConfig,
    /// The compile target the rustflags were resolved for.
    pub target: String,
    /// The extra rustflags cargo would use, if any source is present.
    pub rustflags: Option<Rustflags>,
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
/// metadata`): the toolchain and its lints, the root manifest, the rustflags, the toolchain file
/// and the git state.
#[derive(Debug)]
pub struct Base {
    toolchain: Toolchain,
    lintdb: LintDb,
    root_manifest: TomlFile,
    config: CargoConfig,
    target: String,
    rustflags: Option<Rustflags>,
    toolchain_file: Option<TomlFile>,
    lockfile: LockfileState,
    notes: Vec<String>,
    git: Option<crate::vcs::GitState>,
}

impl Project {
    /// Loads what does not depend on the members; errors (an unreadable root manifest or
    /// toolchain file, no toolchain) are the lints and build gates' reason not to run.
    pub fn load_base(ws: &Workspace, config: CargoConfig) -> anyhow::Result<Base> {
        let toolchain = crate::load::toolchain::version().map_err(anyhow::Error::msg)?.clone();
        // The lint list is cached where cargo writes its own output (ignored by version control).
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .filter(|v| !v.is_empty())
            .map_or_else(|| ws.root.join("target"), |d| crate::paths::absolute(Path::new(&d)));
        let cache = target_dir.join("cargo-spdf");
        let lintdb = LintDb::load(&ws.root, &toolchain, Some(&cache))?;
        let root_manifest = TomlFile::read(&ws.manifest, &ws.root)?;
        let target = config.build_target().unwrap_or_else(|| toolchain.host.clone());
        let probe = config.rustflags_for_cfg_probe(&target);
        let cfgs = if config.files().is_empty() {
            Vec::new()
        } else {
            target_cfgs(&ws.root, &target, probe.as_ref())
        };
        let rustflags = config.rustflags(&target, &cfgs);
        Ok(Base {
            toolchain,
            lintdb,
            root_manifest,
            config,
            target,
            rustflags,
            toolchain_file: toolchain_file(&ws.root)?,
            lockfile: lockfile_state(&ws.root),
            notes: Vec::new(),
            git: crate::vcs::state(&ws.root),
        })
    }

    /// Adds the members: each one's manifest `[lints]` and its scanned sources (in parallel).
    pub fn finish(ws: &Workspace, base: Base, members: Vec<Member>) -> anyhow::Result<Self> {
        use rayon::prelude::*;
        let member_dirs: Vec<PathBuf> = members.iter().map(|m| m.dir.clone()).collect();
        let members = members
            .into_par_iter()
            .map(|m| member_project(ws, &base.root_manifest, m, &member_dirs))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Project {
            toolchain: base.toolchain,
            lintdb: base.lintdb,
            root_manifest: base.root_manifest,
            members,
            config: base.config,
            target: base.target,
            rustflags: base.rustflags,
            toolchain_file: base.toolchain_file,
            lockfile: base.lockfile,
            notes: base.notes,
            git: base.git,
        })
    }
}

fn member_project(
    ws: &Workspace,
    root: &TomlFile,
    member: Member,
    member_dirs: &[PathBuf],
) -> anyhow::Result<MemberProject> {
    let manifest = TomlFile::read(&member.manifest, &ws.root)?;
    let lints = manifest::member_lints(&manifest, root).map_err(|e| SpannedErrors(vec![e]))?;
    let mut paths = Vec::new();
    rust_files(&member.dir, &member.dir, member_dirs, &mut paths)?;
    paths.sort();
    use rayon::prelude::*;
    let files = paths
        .into_par_iter()
        .map(|path| {
            let roots_of: Vec<(Kind, String)> =
                member.targets.iter().filter(|t| t.root == path).map(|t| (t.kind, t.name.clone())).collect();
            let scan = crate::fsread::read_to_string(&path, crate::fsread::limit::SOURCE)
                .map_err(|e| e.to_string())
                .and_then(|text| attrs::scan(&text, !roots_of.is_empty()));
            // The scan keeps no spans; free what proc-macro2 keeps of this file on this thread.
            proc_macro2::extra::invalidate_current_thread_spans();
            SourceFile { path: crate::paths::relative(&path, &ws.root), abs: path, roots_of, scan }
        })
        .collect();
    let rel_dir = crate::paths::relative(&member.dir, &ws.root);
    Ok(MemberProject { member, rel_dir, manifest, lints, files })
}

/// Every `.rs` file under `dir`, leaving out `target/`, hidden directories, and directories that
/// hold another package (a nested member or a test fixture).
fn rust_files(top: &Path, dir: &Path, member_dirs: &[PathBuf], out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let listing =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", crate::paths::display(dir)))?;
    for entry in listing {
        let entry = entry.with_context(|| format!("cannot read {}", crate::paths::display(dir)))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let other_package =
                path != top && (path.join("Cargo.toml").is_file() || member_dirs.contains(&path));
            if !(name == "target" || name.starts_with('.') || other_package) {
                rust_files(top, &path, member_dirs, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `rustc --print cfg --target <target>` with the probe flags cargo uses, for matching
/// `[target.'cfg(...)']` tables.
fn target_cfgs(dir: &Path, target: &str, probe: Option<&Rustflags>) -> Vec<cargo_platform::Cfg> {
    let flags: Vec<String> = probe.iter().flat_map(|p| p.flags.iter().map(|f| f.value.clone())).collect();
    let flags = crate::load::metadata::probe_flags(&flags);
    let rustc = crate::lints::toolchain::tool_path("rustc");
    let out = crate::lints::toolchain::command(&rustc, dir)
        .args(["--print", "cfg", "--target", target])
        .args(flags)
        .output();
    let Ok(out) = out else { return Vec::new() };
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.parse().ok()).collect()
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
