//! Fetching the advisory database by running `git`.
//!
//! A first fetch clones into a temporary directory beside the target and renames it into place
//! at the end, so an interrupted or failed clone never leaves a half-written database where
//! `check` would read it. An existing checkout is updated with `git fetch <url> HEAD` and a hard
//! reset to what was fetched: the remote's default branch. A directory that is neither missing,
//! empty, nor a git checkout of an advisory database is left alone.

use super::{DEFAULT_URL, HINT, status};
use crate::cmd::Env;
use crate::report::human::Verbosity;
use anyhow::{Context as _, bail};
use std::ffi::OsStr;
use std::io::IsTerminal as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// What is at the target directory.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Nothing, or an empty directory: clone.
    Missing,
    /// The top of a git work tree with a `crates/` directory: update.
    Checkout,
    /// Anything else: refuse.
    Other,
}

/// Clones the database from `url` into `target`, or updates `target` when it is already a git
/// checkout of one. Errors carry git's own message.
pub(super) fn fetch(target: &Path, url: Option<&str>, env: &Env) -> anyhow::Result<()> {
    check_git()?;
    match classify(target)? {
        Target::Missing => clone(target, &resolve(url.unwrap_or(DEFAULT_URL)), env),
        Target::Checkout => {
            let url = match url {
                Some(u) => resolve(u),
                None => origin(target).unwrap_or_else(|| DEFAULT_URL.to_owned()),
            };
            update(target, &url, env)
        }
        Target::Other => bail!("{}", refusal(target)),
    }
}

/// Fails clearly when `git` cannot be run.
fn check_git() -> anyhow::Result<()> {
    match git(None).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => bail!("`git --version` failed ({s}); fetching the advisory database needs a working git"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "fetching the advisory database needs the git command-line tool, and `git` was not found on PATH; \
             install git"
        ),
        Err(e) => Err(e).context("cannot run git to fetch the advisory database"),
    }
}

fn classify(target: &Path) -> anyhow::Result<Target> {
    if !target.exists() {
        return Ok(Target::Missing);
    }
    if !target.is_dir() {
        return Ok(Target::Other);
    }
    let shown = crate::paths::display(target);
    let mut entries = std::fs::read_dir(target).with_context(|| format!("cannot read {shown}"))?;
    if entries.next().is_none() {
        return Ok(Target::Missing);
    }
    Ok(if target.join("crates").is_dir() && is_work_tree_top(target) {
        Target::Checkout
    } else {
        Target::Other
    })
}

/// Whether `dir` is the top of a git work tree (not merely inside one).
fn is_work_tree_top(dir: &Path) -> bool {
    if !dir.join(".git").exists() {
        return false;
    }
    let Ok(top) = run_local(dir, &["rev-parse", "--show-toplevel"]) else { return false };
    match (std::fs::canonicalize(top.trim()), std::fs::canonicalize(dir)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn refusal(target: &Path) -> String {
    let shown = crate::paths::display(target);
    if target.join("crates").is_dir() {
        format!(
            "{shown} is a plain copy of an advisory database, not a git checkout, and db fetch only clones \
             or updates git checkouts; update the copy yourself, or fetch into another directory with --db DIR"
        )
    } else {
        format!(
            "{shown} exists and is not a git checkout of an advisory database; refusing to replace it \
             (remove it, or fetch into another directory with --db DIR)"
        )
    }
}

/// Clones into a temporary directory beside `target`, checks it is an advisory database, and
/// renames it into place.
fn clone(target: &Path, url: &str, env: &Env) -> anyhow::Result<()> {
    refuse_network_when_offline(url, env)?;
    let shown = crate::paths::display(target);
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", crate::paths::display(parent)))?;
    let tmp = tempfile::Builder::new()
        .prefix(".advisory-db-fetch-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a temporary directory beside {shown}"))?;
    status(env, "Cloning", &format!("{url} into {shown}"));
    run_network(env, "clone", &[OsStr::new("--"), OsStr::new(url), tmp.path().as_os_str()], None, url)?;
    if !tmp.path().join("crates").is_dir() {
        bail!("{url} is not a RustSec advisory database: it has no crates/ directory");
    }
    if target.is_dir() {
        // An empty directory (checked by `classify`); `rename` cannot replace one everywhere.
        std::fs::remove_dir(target).with_context(|| format!("cannot replace the empty directory {shown}"))?;
    }
    let cloned = tmp.keep();
    let moved = std::fs::rename(&cloned, target);
    if moved.is_err() {
        let _ = std::fs::remove_dir_all(&cloned);
    }
    match moved {
        // Another run (a parallel CI job) put its clone there first: use that one.
        Err(_) if classify(target)? == Target::Checkout => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot move the cloned database into {shown}")),
        Ok(()) => Ok(()),
    }
}

/// Fetches the remote's default branch and resets the checkout to it.
fn update(target: &Path, url: &str, env: &Env) -> anyhow::Result<()> {
    refuse_network_when_offline(url, env)?;
    status(env, "Updating", &format!("{} from {url}", crate::paths::display(target)));
    let args = [OsStr::new("--"), OsStr::new(url), OsStr::new("HEAD")];
    run_network(env, "fetch", &args, Some(target), url)?;
    run_local(target, &["reset", "--hard", "--quiet", "FETCH_HEAD"])?;
    Ok(())
}

/// The URL of the checkout's `origin` remote.
fn origin(dir: &Path) -> Option<String> {
    run_local(dir, &["remote", "get-url", "origin"])
        .ok()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
}

/// A local path made absolute (git resolves a relative one against its working directory, which
/// is the checkout when updating); URLs as given.
fn resolve(url: &str) -> String {
    if is_local(url) && !url.starts_with("file://") {
        crate::paths::absolute(Path::new(url)).display().to_string()
    } else {
        url.to_owned()
    }
}

/// Whether `url` names a local repository: a `file://` URL or a path, rather than a network URL
/// (`scheme://...`) or scp-like `host:path` (a one-letter "host" is a Windows drive).
fn is_local(url: &str) -> bool {
    let scp_like = url.split_once(':').is_some_and(|(host, _)| host.len() > 1 && !host.contains('/'));
    url.starts_with("file://") || !(url.contains("://") || scp_like)
}

fn refuse_network_when_offline(url: &str, env: &Env) -> anyhow::Result<()> {
    if env.offline && !is_local(url) {
        bail!("--offline forbids fetching from {url}; fetch from a local mirror with --url PATH");
    }
    Ok(())
}

/// Runs a git command that may use the network. With `-q` git is quiet; on a terminal its own
/// progress is shown; otherwise its messages are captured and shown only when it fails.
/// Standard output is never inherited: `check --format json` writes its document there.
fn run_network(env: &Env, sub: &str, args: &[&OsStr], dir: Option<&Path>, url: &str) -> anyhow::Result<()> {
    let mut cmd = git(dir);
    cmd.arg(sub).stdin(Stdio::null()).stdout(Stdio::null());
    let terminal = env.verbosity != Verbosity::Quiet && std::io::stderr().is_terminal();
    match (env.verbosity == Verbosity::Quiet, terminal) {
        (true, _) => cmd.arg("--quiet").stderr(Stdio::piped()),
        (false, true) => cmd.arg("--progress").stderr(Stdio::inherit()),
        (false, false) => cmd.stderr(Stdio::piped()),
    };
    let out = cmd.args(args).output().with_context(|| format!("cannot run `git {sub}`"))?;
    if out.status.success() {
        return Ok(());
    }
    let message = if terminal { "see git's message above".to_owned() } else { git_message(&out.stderr) };
    bail!("`git {sub}` from {url} failed ({}): {message}; {HINT}", out.status)
}

/// git's error output in one line.
fn git_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("Cloning into")).collect();
    if lines.is_empty() { "git gave no message".to_owned() } else { lines.join(" ") }
}

/// Runs a git command that does not use the network, in `dir`; its stdout on success.
fn run_local(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = git(Some(dir))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run `git {}`", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "`git {}` failed in {}: {}",
            args.join(" "),
            crate::paths::display(dir),
            git_message(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `git`, in `dir` when given, unaffected by a surrounding repository's environment (a hook sets
/// `GIT_DIR` and `GIT_INDEX_FILE`, which would point git at the project instead), and without
/// terminal prompts when there is no one to answer them.
fn git(dir: Option<&Path>) -> Command {
    let mut cmd = match dir {
        Some(dir) => crate::vcs::git(dir),
        None => crate::vcs::git_command(),
    };
    if !std::io::stdin().is_terminal() {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_network_urls() {
        for local in
            ["/srv/mirror/advisory-db.git", "../advisory-db", "file:///srv/advisory-db.git", "C:\\m\\db"]
        {
            assert!(is_local(local), "{local}");
        }
        for remote in ["https://github.com/rustsec/advisory-db.git", "ssh://git@host/db", "git@host:db.git"] {
            assert!(!is_local(remote), "{remote}");
        }
    }

    #[test]
    fn git_messages_are_one_line() {
        let stderr = b"Cloning into 'x'...\nfatal: repository '/nowhere' does not exist\n\n";
        assert_eq!(git_message(stderr), "fatal: repository '/nowhere' does not exist");
    }

    #[test]
    fn a_directory_that_is_not_a_checkout_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(classify(dir.path()).unwrap(), Target::Missing);
        std::fs::create_dir(dir.path().join("crates")).unwrap();
        assert_eq!(classify(dir.path()).unwrap(), Target::Other);
        assert!(refusal(dir.path()).contains("plain copy"));
    }
}
