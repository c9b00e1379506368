//! The support gate: the FDA's level of support and end of support for every component of the
//! product (the workspace members and what they depend on, build dependencies included, dev
//! dependencies not), decided as the SBOM decides it.

use super::Ctx;
use crate::finding::{Code, Finding, Level, Location};
use crate::graph::{Graph, Source};
use crate::load::Loaded;
use crate::load::database::AdvisoryDb;
use crate::load::lockfile::Lock;
use crate::policy::{Profile, Stage};
use crate::support::{Support, SupportSource};

/// What the gate reads: the dependency graph, `Cargo.lock` and the advisory database (for
/// RustSec's `unmaintained` advisories).
pub struct Input<'a> {
    /// The graph.
    pub graph: &'a Graph,
    /// The lockfile.
    pub lock: &'a Lock,
    /// The advisory database.
    pub db: &'a AdvisoryDb,
}

impl<'a> Input<'a> {
    /// The gate's input.
    pub fn from_loaded(l: &'a Loaded) -> Result<Self, String> {
        Ok(Input {
            graph: l.graph.get().map_err(|e| super::missing("the dependency graph", e))?,
            lock: l.lock.get().map_err(|e| super::missing("Cargo.lock", e))?,
            db: l.db.get().map_err(|e| super::missing("the advisory database", e))?,
        })
    }
}

/// Reports components without a level of support or justification (`support-missing`) and
/// components past their end of support (`support-ended`), over the members that ship and what
/// they pull in.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<Finding> {
    let (graph, lock) = (input.graph, input.lock);
    let unmaintained = super::advisories::unmaintained(lock, input.db);
    let roots = graph.product_members(ctx.policy);
    let scope = crate::graph::scope::walk(graph, &roots, false);
    let today = ctx.today();
    let missing_level = missing_level(ctx.policy.profile, ctx.stage);
    let mut findings = Vec::new();
    for &i in scope.included.keys() {
        let p = &graph.packages[i];
        let version = p.version.to_string();
        let advisory = unmaintained.get(&(p.name.clone(), version.clone())).map(String::as_str);
        let support = crate::support::resolve(&p.name, p.member, advisory, &ctx.policy.support);
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
