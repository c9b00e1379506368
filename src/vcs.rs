//! Load: the git state of the workspace (commit, uncommitted changes), for the release stage and
//! the evidence's provenance.

use std::path::Path;
use std::process::Command;

/// The work tree's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// The checked-out commit.
    pub commit: Option<String>,
    /// Paths with uncommitted changes (tracked files modified, or untracked files), relative to
    /// the work tree, as `git status --porcelain` lists them.
    pub changes: Vec<String>,
}

impl GitState {
    /// Whether there are uncommitted changes.
    pub fn dirty(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// A `git -C dir` command that ignores the `GIT_DIR`-style variables a git hook or an outer
/// repository may have set, so it always looks at `dir`'s own repository.
pub fn git(dir: &Path) -> Command {
    let mut cmd = git_command();
    cmd.arg("-C").arg(dir);
    cmd
}

/// A `git` command without the `GIT_DIR`-style variables a git hook or an outer repository may
/// have set.
pub fn git_command() -> Command {
    let mut cmd = Command::new("git");
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_COMMON_DIR",
        "GIT_CEILING_DIRECTORIES",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The git state of `dir`, or `None` when it is not in a git work tree (or git is missing).
pub fn state(dir: &Path) -> Option<GitState> {
    let git = |args: &[&str]| git(dir).args(args).output().ok().filter(|o| o.status.success());
    git(&["rev-parse", "--is-inside-work-tree"])?;
    let commit = git(&["rev-parse", "HEAD"]).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let status = git(&["status", "--porcelain", "--untracked-files=normal", "."])?;
    let changes =
        String::from_utf8_lossy(&status.stdout).lines().map(|l| l.get(3..).unwrap_or(l).to_owned()).collect();
    Some(GitState { commit, changes })
}
