//! The support gate: the FDA's level of support and end of support for every shipped component
//! (the members that ship and what they pull in at runtime; build-only dependencies, tool members
//! and dev dependencies do not ship), decided as the SBOM decides it.

use super::Ctx;
use crate::finding::{Code, Finding, Level, Location};
use crate::graph::{Graph, Source};
use crate::load::Loaded;
use crate::load::database::AdvisoryDb;
use crate::load::lockfile::Lock;
use crate::load::yanked::{INDEX_URL_VAR, Lookup};
use crate::policy::{Stage, SupportLevel};
use crate::support::{Facts, Rules, Support, SupportSource};
use std::collections::BTreeMap;

/// What the gate reads: the dependency graph, `Cargo.lock`, the advisory database (for
/// RustSec's `unmaintained` advisories) and the crates.io index's release histories.
pub struct Input<'a> {
    /// The graph.
    pub graph: &'a Graph,
    /// The lockfile.
    pub lock: &'a Lock,
    /// The advisory database.
    pub db: &'a AdvisoryDb,
    /// What the index says.
    pub index: &'a Lookup,
}

impl<'a> Input<'a> {
    /// The gate's input.
    pub fn from_loaded(l: &'a Loaded) -> Result<Self, String> {
        Ok(Input {
            graph: l.graph.get().map_err(|e| super::missing("the dependency graph", e))?,
            lock: l.lock.get().map_err(|e| super::missing("Cargo.lock", e))?,
            db: l.db.get().map_err(|e| super::missing("the advisory database", e))?,
            index: l.yanked.get().map_err(|e| super::missing("the crates.io index lookups", e))?,
        })
    }
}

/// Reports shipped components without a level of support or justification (`support-missing`,
/// saying why none could be given) and components past their end of support (`support-ended`);
/// with the [`summary`] of the support data, for the report's notes.
pub fn check(ctx: &Ctx<'_>, input: &Input<'_>) -> (Vec<Finding>, String) {
    let all = shipped(ctx, input);
    let summary = summary(&all);
    (findings(ctx, input, all), summary)
}

/// The findings of [`check`].
fn findings(ctx: &Ctx<'_>, input: &Input<'_>, all: Vec<(usize, Support)>) -> Vec<Finding> {
    let today = ctx.today();
    let level = missing_level(ctx.stage);
    let mut findings = Vec::new();
    for (i, support) in all {
        let p = &input.graph.packages[i];
        let version = p.version.to_string();
        let at = match (&support.location, &p.source) {
            (Some(policy_line), _) => Some(policy_line.clone()),
            (None, Source::Path { dir }) => Some(Location { file: manifest_of(dir), line: None }),
            (None, _) => Some(input.lock.location(&p.name, &version)),
        };
        if !support.is_stated() {
            findings.push(missing(&p.name, &version, &support, level).at(at.clone()));
        }
        if support.has_ended(today) {
            findings.push(ended(&p.name, &version, &support).at(at));
        }
    }
    findings
}

/// The support data of every shipped component, by graph index.
pub fn shipped(ctx: &Ctx<'_>, input: &Input<'_>) -> Vec<(usize, Support)> {
    let graph = input.graph;
    let unmaintained = super::advisories::unmaintained(input.lock, input.db);
    let roots = graph.product_members(ctx.policy);
    let scope = crate::graph::scope::walk(graph, &roots, false);
    let rules = Rules::new(ctx.policy, ctx.now);
    scope
        .included
        .iter()
        .filter(|(_, usage)| usage.runtime)
        .map(|(&i, _)| {
            let p = &graph.packages[i];
            let advisory = unmaintained.get(&(p.name.clone(), p.version.to_string())).map(String::as_str);
            (i, crate::support::resolve(&Facts::of(p, advisory, Some(&input.index.histories)), &rules))
        })
        .collect()
}

/// What the gate found, for the report's notes: how many shipped components have a level of
/// support, which, and from what; how many an end of support or a justification.
fn summary(all: &[(usize, Support)]) -> String {
    let mut levels: BTreeMap<Option<SupportLevel>, usize> = BTreeMap::new();
    let mut sources: BTreeMap<SupportSource, usize> = BTreeMap::new();
    for (_, s) in all {
        *levels.entry(s.level).or_default() += 1;
        if let (Some(source), Some(_)) = (s.source, s.level) {
            *sources.entry(source).or_default() += 1;
        }
    }
    let dated = all.iter().filter(|(_, s)| s.end_of_support.is_some()).count();
    let justified =
        all.iter().filter(|(_, s)| s.end_of_support.is_none() && s.justification.is_some()).count();
    let count = |l: Option<SupportLevel>| levels.get(&l).copied().unwrap_or(0);
    let from: Vec<String> = sources.iter().map(|(s, n)| format!("{} {n}", s.as_str())).collect();
    format!(
        "support: {} shipped components: {} actively maintained, {} no longer maintained, {} abandoned, {} without a level (levels from: {}); {dated} with an end-of-support date, {justified} with a justification instead, {} with neither",
        all.len(),
        count(Some(SupportLevel::ActivelyMaintained)),
        count(Some(SupportLevel::NoLongerMaintained)),
        count(Some(SupportLevel::Abandoned)),
        count(None),
        if from.is_empty() { "nothing".to_owned() } else { from.join(", ") },
        all.len() - dated - justified
    )
}

/// `support-missing` denies at the release stage and warns before it, whatever the profile: a
/// component whose support cannot be stated is never passed in silence.
pub fn missing_level(stage: Stage) -> Level {
    match stage {
        Stage::Release => Level::Deny,
        Stage::Local | Stage::PreMerge => Level::Warn,
    }
}

fn manifest_of(dir: &str) -> String {
    if dir.is_empty() { "Cargo.toml".to_owned() } else { format!("{dir}/Cargo.toml") }
}

fn missing(name: &str, version: &str, support: &Support, level: Level) -> Finding {
    let why = support.gap.as_deref().unwrap_or("nothing states it");
    let entry = format!(
        "or add a [[support]] entry to spdf.toml: packages = [\"{name}\"], level = \"actively maintained\" (or \"no longer maintained\", \"abandoned\"), end-of-support = \"YYYY-MM-DD\", or a justification"
    );
    let mut f = Finding::new(
        Code::SupportMissing,
        level,
        format!("{name} {version}: no FDA level of support and no justification for its absence: {why}"),
    )
    .package(name, version);
    if support.history_unknown.is_some() {
        f = f.help(format!("run with access to the crates.io index (or set {INDEX_URL_VAR} to a mirror of it), so that the level is derived from the crate's release activity"));
    } else if why.contains("[sbom] manufacturer") {
        f = f.help("declare the manufacturer in spdf.toml: [sbom] manufacturer = \"...\" (the release stage requires it)");
    }
    f.help(entry)
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
