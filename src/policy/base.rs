//! The policy of a base revision (`check --base REV`): read from git, not from the work tree,
//! so that at pre-merge the gate judges a pull request by the policy it is to be merged into,
//! and the pull request's own changes to the policy are shown and reported, not applied.

use super::raw::RawPolicy;
use super::{LoadedPolicy, Origin, Policy, Profile, Stage};
use crate::toml_file::TomlFile;
use anyhow::{Context as _, bail};
use std::path::Path;

/// The base revision's policy, and the text of its policy file (if it had one).
pub fn load_at_revision(
    root: &Path,
    rev: &str,
    stage: Stage,
) -> anyhow::Result<(LoadedPolicy, Option<String>)> {
    verify_revision(root, rev)?;
    if let Some(text) = show(root, rev, "spdf.toml")? {
        let file = TomlFile::from_text(&root.join("spdf.toml"), root, text.clone());
        let raw = super::parse_raw(&file)?;
        let policy = validate(raw, &file, stage, rev)?;
        let origin = Origin::File {
            path: format!("spdf.toml@{rev}"),
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        };
        return Ok((LoadedPolicy { policy, origin }, Some(text)));
    }
    if let Some(text) = show(root, rev, "Cargo.toml")? {
        let file = TomlFile::from_text(&root.join("Cargo.toml"), root, text.clone());
        if let Some(raw) = super::manifest_policy(&file)? {
            let policy = validate(raw, &file, stage, rev)?;
            let origin = Origin::Manifest {
                path: format!("Cargo.toml@{rev}"),
                sha256: crate::digest::sha256_hex(text.as_bytes()),
            };
            return Ok((LoadedPolicy { policy, origin }, None));
        }
    }
    Ok((
        LoadedPolicy {
            policy: Policy::builtin(Profile::Baseline).with_stage_rules(stage),
            origin: Origin::BuiltIn,
        },
        None,
    ))
}

fn validate(raw: RawPolicy, file: &TomlFile, stage: Stage, rev: &str) -> anyhow::Result<Policy> {
    super::validated(raw, file, stage)
        .with_context(|| format!("the policy of the base revision {rev} is not valid"))
}

fn verify_revision(root: &Path, rev: &str) -> anyhow::Result<()> {
    let out = crate::vcs::git(root)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"))
        .output()
        .context("cannot run git to read the base revision's policy")?;
    if !out.status.success() {
        bail!("--base {rev}: not a commit of the repository at {}", crate::paths::display(root));
    }
    Ok(())
}

/// A file of the revision, relative to `root`; `None` when the revision does not have it.
fn show(root: &Path, rev: &str, file: &str) -> anyhow::Result<Option<String>> {
    let out = crate::vcs::git(root)
        .args(["show", "--no-textconv", "--end-of-options"])
        .arg(format!("{rev}:./{file}"))
        .output()
        .context("cannot run git to read the base revision's policy")?;
    if !out.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8(out.stdout).with_context(|| format!("{file} at {rev} is not UTF-8"))?;
    Ok(Some(text))
}

/// The pull request's changes to the policy file, as unified-diff lines (at most `limit`).
pub fn diff_lines(base: &str, head: &str, limit: usize) -> Vec<String> {
    let diff = similar::TextDiff::from_lines(base, head);
    let mut out = Vec::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => continue,
        };
        out.push(format!("{sign} {}", change.value().trim_end()));
    }
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("... and {more} more changed lines"));
    }
    out
}
