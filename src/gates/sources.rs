//! The sources gate: where every package of the dependency graph comes from. Registries and git
//! repositories must be allowed by the policy, git dependencies must pin a commit, and path
//! dependencies must stay inside the workspace.

use super::Ctx;
use super::lockfile::LockGraph;
use crate::finding::{Code, Finding, Level};
use crate::graph::Source;
use crate::policy::SourcesPolicy;

/// What the gate reads: `Cargo.lock` alone (with the members located in it).
pub type Input<'a> = LockGraph<'a>;

/// Runs the gate.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let policy = &ctx.policy.sources;
    let lock = input.lock;
    let mut out = Vec::new();
    for (i, p) in lock.packages.iter().enumerate().filter(|(i, _)| !input.is_member(*i)) {
        let version = p.version.to_string();
        let source = input.source(i);
        for (code, what, help) in problems(&source, policy) {
            let via = input.path_to(i);
            let mut f =
                Finding::new(code, Level::Deny, format!("{} {version}: {what} (pulled in by {via})", p.name))
                    .package(&p.name, &version)
                    .help(help)
                    .at(Some(lock.location_of(i)));
            f.actual = Some(describe(&source));
            out.push(f);
        }
    }
    out
}

/// What is wrong with a source, with the finding code and the help text.
fn problems(source: &Source, policy: &SourcesPolicy) -> Vec<(Code, String, String)> {
    let mut out = Vec::new();
    match source {
        Source::CratesIo if !policy.allow_registries.iter().any(|r| r == "crates-io") => out.push((
            Code::SourceNotAllowed,
            "comes from crates.io, which the policy does not allow".to_owned(),
            "add \"crates-io\" to [sources] allow-registries, or replace the dependency".to_owned(),
        )),
        Source::Registry { url } if !policy.allow_registries.iter().any(|r| same_url(r, url)) => out.push((
            Code::SourceNotAllowed,
            format!("comes from the registry {url}, which the policy does not allow"),
            format!("add \"{url}\" to [sources] allow-registries if this registry is trusted"),
        )),
        Source::Git { url, pinned, commit } => {
            if !policy.allow_git.iter().any(|prefix| url.starts_with(prefix.as_str())) {
                out.push((
                    Code::SourceNotAllowed,
                    format!("comes from the git repository {url}, which the policy does not allow"),
                    format!("add a prefix of \"{url}\" to [sources] allow-git if this repository is trusted"),
                ));
            }
            if !pinned {
                let locked = commit.as_deref().map(|c| format!(" (locked at {c})")).unwrap_or_default();
                out.push((
                    Code::GitUnpinned,
                    format!("is a git dependency on a branch or tag, not a pinned commit{locked}"),
                    "pin it: `rev = \"<commit>\"` in the dependency's entry in Cargo.toml".to_owned(),
                ));
            }
        }
        Source::Path { dir } if dir.is_empty() && !policy.allow_external_paths => out.push((
            Code::SourceNotAllowed,
            "is a path dependency that no workspace manifest names, so where it lives is unknown".to_owned(),
            "declare it with `path = ...` in a member's Cargo.toml, or set [sources] allow-external-paths = true".to_owned(),
        )),
        Source::Path { dir } if dir.starts_with("..") && !policy.allow_external_paths => out.push((
            Code::SourceNotAllowed,
            format!("is a path dependency outside the workspace ({dir})"),
            "move it into the workspace, publish it to an allowed registry, or set [sources] allow-external-paths = true".to_owned(),
        )),
        _ => {}
    }
    out
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

fn describe(source: &Source) -> String {
    match source {
        Source::CratesIo => "crates.io".to_owned(),
        Source::Registry { url } => format!("registry {url}"),
        Source::Git { url, commit, .. } => {
            format!("git {url}{}", commit.as_deref().map(|c| format!(" @ {c}")).unwrap_or_default())
        }
        Source::Path { dir } => format!("path {dir}"),
    }
}
