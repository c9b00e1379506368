//! The bans gate: crates the policy bans (`[bans] deny`), wherever they are in the dependency
//! graph, with the path that pulls them in.

use super::Ctx;
use super::lockfile::LockGraph;
use crate::finding::{Code, Finding, Level};

/// What the gate reads: `Cargo.lock` alone (with the members located in it).
pub type Input<'a> = LockGraph<'a>;

/// Runs the gate.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let lock = input.lock;
    let mut out = Vec::new();
    for ban in &ctx.policy.bans {
        let hits = lock.packages.iter().enumerate().filter(|(_, p)| {
            p.name == ban.name && ban.version.as_ref().is_none_or(|req| req.matches(&p.version))
        });
        for (i, p) in hits {
            let version = p.version.to_string();
            let why = if ban.reason.is_empty() { String::new() } else { format!(": {}", ban.reason) };
            let mut f = Finding::new(
                Code::Banned,
                Level::Deny,
                format!(
                    "{} {version} is banned by the policy{why} (pulled in by {})",
                    p.name,
                    input.path_to(i)
                ),
            )
            .package(&p.name, &version)
            .help(format!(
                "remove or replace `{}`; the ban is at {}:{}",
                p.name,
                ban.location.file,
                ban.location.line.unwrap_or(0)
            ))
            .at(Some(lock.location_of(i)));
            f.required = Some(match &ban.version {
                Some(req) => format!("not {} {req}", ban.name),
                None => format!("no {}", ban.name),
            });
            out.push(f);
        }
    }
    out
}
