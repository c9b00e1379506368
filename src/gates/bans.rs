//! The bans gate: crates the policy bans (`[bans] deny`), wherever they are in the dependency
//! graph, with the path that pulls them in.

use super::Inputs;
use crate::finding::{Code, Finding, Level};

/// Runs the gate.
#[expect(
    clippy::unreachable,
    reason = "the loader provides every input the selected gates need (gates::needs)"
)]
pub fn check(inputs: &Inputs<'_>) -> Vec<Finding> {
    let (Some(graph), Some(lock)) = (inputs.graph, inputs.lock) else {
        unreachable!("the loader provides the graph and lockfile to the bans gate");
    };
    let mut out = Vec::new();
    for ban in &inputs.policy.bans {
        let hits = graph.packages.iter().enumerate().filter(|(_, p)| {
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
                    graph.path_to(i).join(" -> ")
                ),
            )
            .package(&p.name, &version)
            .help(format!(
                "remove or replace `{}`; the ban is at {}:{}",
                p.name,
                ban.location.file,
                ban.location.line.unwrap_or(0)
            ))
            .at(Some(lock.location(&p.name, &version)));
            f.required = Some(match &ban.version {
                Some(req) => format!("not {} {req}", ban.name),
                None => format!("no {}", ban.name),
            });
            out.push(f);
        }
    }
    out
}
