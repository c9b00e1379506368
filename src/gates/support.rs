//! The support gate: the FDA's level of support and end of support for every component of the
//! product (the workspace members and what they depend on, build dependencies included, dev
//! dependencies not), decided as the SBOM decides it.

use super::Inputs;
use crate::finding::{Code, Finding, Level, Location};
use crate::graph::Source;
use crate::policy::{Profile, Stage};
use crate::support::{Support, SupportSource};

/// Reports components without a level of support or justification (`support-missing`) and
/// components past their end of support (`support-ended`).
#[expect(
    clippy::unreachable,
    reason = "the loader provides every input the selected gates need (gates::needs)"
)]
pub fn check(inputs: &Inputs<'_>) -> Vec<Finding> {
    let (Some(graph), Some(lock), Some(db)) = (inputs.graph, inputs.lock, inputs.db) else {
        unreachable!("the loader provides the graph, lockfile and database to the support gate");
    };
    let unmaintained = super::advisories::unmaintained(lock, db);
    let roots: Vec<usize> = graph.members().collect();
    let scope = crate::sbom::scope::walk(graph, &roots, false);
    let today = inputs.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let missing_level = missing_level(inputs.policy.profile, inputs.stage);
    let mut findings = Vec::new();
    for &i in scope.included.keys() {
        let p = &graph.packages[i];
        let version = p.version.to_string();
        let advisory = unmaintained.get(&(p.name.clone(), version.clone())).map(String::as_str);
        let support = crate::support::resolve(&p.name, p.member, advisory, &inputs.policy.support);
        let at = match (&support.location, &p.source) {
            (Some(policy_line), _) => Some(policy_line.clone()),
            (None, Source::Path { dir }) => Some(Location { file: format!("{dir}/Cargo.toml"), line: None }),
            (None, _) => Some(lock.location(&p.name, &version)),
        };
        if !support.is_stated()
            && let Some(level) = missing_level
        {
            findings.push(missing(&p.name, &version, level).at(at.clone()));
        }
        if support.has_ended(today) {
            findings.push(ended(&p.name, &version, &support).at(at));
        }
    }
    findings
}

/// `support-missing` denies at the release stage; before it, it warns under the medical and
/// firmware profiles and is not reported under baseline (where FDA support data is not asked for
/// until release).
pub fn missing_level(profile: Profile, stage: Stage) -> Option<Level> {
    match (stage, profile) {
        (Stage::Release, _) => Some(Level::Deny),
        (_, Profile::Medical | Profile::Firmware) => Some(Level::Warn),
        (_, Profile::Baseline) => None,
    }
}

fn missing(name: &str, version: &str, level: Level) -> Finding {
    Finding::new(
        Code::SupportMissing,
        level,
        format!("{name} {version}: no FDA level of support and no justification for its absence"),
    )
    .package(name, version)
    .help(format!(
        "add a [[support]] entry to spdf.toml: packages = [\"{name}\"], level = \"actively maintained\" (or \"no longer maintained\", \"abandoned\"), end-of-support = \"YYYY-MM-DD\", or a justification"
    ))
}

fn ended(name: &str, version: &str, support: &Support) -> Finding {
    let date = support.end_of_support.map(|d| d.to_string()).unwrap_or_default();
    let source = support.source.map_or("", SupportSource::as_str);
    let mut f = Finding::new(
        Code::SupportEnded,
        Level::Deny,
        format!("{name} {version}: end of support was {date} (from the {source} support data)"),
    )
    .package(name, version)
    .help(format!("replace or upgrade `{name}` to a supported version, or record a new end-of-support date with its justification"));
    f.required = Some("end of support in the future".to_owned());
    f.actual = Some(date);
    f
}
