//! Render: the workspace, its findings and its policy as one CycloneDX SBOM for the product,
//! with the FDA's support data per component and the vulnerabilities (VEX).
//!
//! Scope: the members that ship (all but the policy's `[members] tools`, or those `-p` names)
//! are the product; every package they depend on is a component, with normal dependencies
//! `required` and build-only dependencies and proc-macros `excluded` (they do not ship) and
//! marked by `cargo-spdf:dependencyKind`; dev-only dependencies are left out unless asked for.
//! Tool members and what only they pull in are listed as excluded build tooling. With a target,
//! only what that target pulls in is listed (the graph is filtered by cargo). The document says
//! what it describes: features, target, what it rests on (`cargo metadata`, or the lockfile when
//! cargo could not run) and what was left out, in its metadata properties and `compositions`.

pub mod authors;
pub mod component;
pub mod cyclonedx;
mod metadata;
mod product;
pub mod vex;

use crate::finding::{Code, Finding};
use crate::graph::Graph;
use crate::graph::scope::{self, Scope, Usage};
use crate::load::kev::KevCatalog;
use crate::load::lockfile::Lock;
use crate::load::product::WorkspacePackage;
use crate::load::yanked::Histories;
use crate::policy::{Origin, Policy};
use crate::report::{DatabaseInfo, TOOL_NAME, TOOL_VERSION};
use crate::support::{Facts, Rules, Support};
use anyhow::bail;
use authors::Person;
use component::{ComponentInput, bom_ref};
use cyclonedx_bom::models::bom::{Bom, UrnUuid};
use cyclonedx_bom::models::component::{Component, Components};
use cyclonedx_bom::models::dependency::{Dependencies, Dependency};
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::vulnerability::Vulnerabilities;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

/// The namespace of the name-based (v5) UUIDs that serial numbers are made of.
const SERIAL_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c1f_3a52_9d0e_4b7a_a8f3_2e5d_9c41_7b06);

/// What the SBOM is built from.
pub struct Inputs<'a> {
    /// The resolved dependency graph.
    pub graph: &'a Graph,
    /// Cargo.lock (hashes, digest).
    pub lock: &'a Lock,
    /// The policy in force.
    pub policy: &'a Policy,
    /// Where it came from.
    pub policy_origin: &'a Origin,
    /// Advisory findings, waivers applied.
    pub findings: &'a [Finding],
    /// The advisory database used.
    pub database: &'a DatabaseInfo,
    /// The KEV catalog, when one was given.
    pub kev: Option<&'a KevCatalog>,
    /// The release histories the crates.io index gave (`None`: it was not consulted).
    pub histories: Option<&'a Histories>,
    /// The root manifest's `[workspace.package]` data.
    pub workspace_package: &'a WorkspacePackage,
    /// The time recorded as the SBOM's timestamp.
    pub now: Timestamp,
    /// The workspace directory's name (the product's default name; never a path).
    pub workspace_name: &'a str,
}

/// What to put in the SBOM.
#[derive(Debug, Clone)]
pub struct Options {
    /// `-p`: the members that make up the product (default: every member that ships).
    pub packages: Vec<String>,
    /// `--include-dev`.
    pub include_dev: bool,
    /// `--target`, recorded as a property (the graph is already filtered).
    pub target: Option<String>,
    /// The feature selection, as [`describe_features`] writes it.
    pub features: String,
    /// Whether to include the `vulnerabilities` section.
    pub vulnerabilities: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            packages: Vec::new(),
            include_dev: false,
            target: None,
            features: describe_features(false, false, &[]),
            vulnerabilities: false,
        }
    }
}

/// The `cargo-spdf:features` value: `all` (`--all-features`), else `default` unless
/// `--no-default-features`, then the features asked for; `none` when nothing is.
pub fn describe_features(all: bool, no_default: bool, features: &[String]) -> String {
    if all {
        return "all".to_owned();
    }
    let mut list: Vec<&str> = features.iter().map(|f| f.trim()).filter(|f| !f.is_empty()).collect();
    list.sort_unstable();
    list.dedup();
    if !no_default {
        list.insert(0, "default");
    }
    if list.is_empty() { "none".to_owned() } else { list.join(",") }
}

/// A BOM, and the people each component's `authors` name (by bom-ref), which 1.6 writes as
/// `authors` and cyclonedx-bom cannot model.
#[derive(Debug, Clone)]
pub struct Sbom {
    /// The document.
    pub bom: Bom,
    /// Component bom-ref -> its authors.
    pub authors: BTreeMap<String, Vec<Person>>,
}

/// The product's members, by graph index: those `-p` names (which must be members), else every
/// member that ships (every member, when the policy names them all as tools).
pub fn roots(graph: &Graph, policy: &Policy, packages: &[String]) -> anyhow::Result<Vec<usize>> {
    if packages.is_empty() {
        let shipped = graph.product_members(policy);
        return Ok(if shipped.is_empty() { graph.members().collect() } else { shipped });
    }
    let mut roots = Vec::new();
    for name in packages {
        match graph.member_named(name) {
            Some(i) => roots.push(i),
            None => {
                let members: Vec<&str> = graph.members().map(|i| graph.packages[i].name.as_str()).collect();
                bail!("-p {name}: not a workspace member (members: {})", members.join(", "));
            }
        }
    }
    roots.sort_unstable();
    roots.dedup();
    Ok(roots)
}

/// What the SBOM lists: the product's scope, and (without `-p`) the tool members and what only
/// they pull in, as build tooling.
struct Listing {
    scope: Scope,
    tools: BTreeSet<usize>,
}

fn listing(inputs: &Inputs<'_>, opts: &Options) -> anyhow::Result<Listing> {
    let graph = inputs.graph;
    let roots = roots(graph, inputs.policy, &opts.packages)?;
    let mut scope = scope::walk(graph, &roots, opts.include_dev);
    let mut tools = BTreeSet::new();
    if opts.packages.is_empty() {
        tools = graph.members().filter(|i| !roots.contains(i) && graph.is_tool(*i, inputs.policy)).collect();
        let tool_roots: Vec<usize> = tools.iter().copied().collect();
        for &i in scope::walk(graph, &tool_roots, false).included.keys() {
            scope.included.entry(i).or_insert(Usage { build: true, ..Usage::default() });
        }
    }
    Ok(Listing { scope, tools })
}

/// Builds the SBOM.
pub fn build(inputs: &Inputs<'_>, opts: &Options) -> anyhow::Result<Sbom> {
    let listing = listing(inputs, opts)?;
    let scope = &listing.scope;
    let supports = supports(inputs, scope);
    let manufacturer = metadata::manufacturer(inputs.policy);
    let repository = product::repository(inputs, scope);
    let mut components: Vec<(Component, Vec<Person>)> = scope
        .included
        .iter()
        .map(|(&i, &usage)| {
            let p = &inputs.graph.packages[i];
            let sha256 = inputs.lock.checksum(&p.name, &p.version.to_string(), p.source_repr.as_deref());
            component::component(&ComponentInput {
                package: p,
                usage,
                tool: listing.tools.contains(&i),
                sha256,
                support: &supports[&i],
                manufacturer: manufacturer.as_ref(),
                product_repository: repository.as_deref(),
            })
        })
        .collect();
    let product =
        product::product(inputs, scope, &mut components, manufacturer.as_ref(), repository.as_deref());
    sort_components(&mut components);
    let mut authors: BTreeMap<String, Vec<Person>> = BTreeMap::new();
    for (c, people) in components.iter().map(|(c, p)| (c, p)).chain([(&product.component, &product.people)]) {
        if let (Some(r), false) = (&c.bom_ref, people.is_empty()) {
            authors.insert(r.clone(), people.clone());
        }
    }
    let product_ref = product.component.bom_ref.clone().unwrap_or_default();
    let in_scope: BTreeSet<String> = components.iter().filter_map(|(c, _)| c.bom_ref.clone()).collect();
    let mut bom = Bom {
        serial_number: Some(serial(inputs, opts, "sbom")?),
        metadata: Some(metadata::metadata(inputs, opts, Some(product.component), manufacturer)?),
        dependencies: Some(dependencies(inputs.graph, scope, opts.include_dev, product.depends_on)),
        compositions: Some(metadata::compositions(inputs, opts, &product_ref)),
        components: Some(Components(components.into_iter().map(|(c, _)| c).collect())),
        ..Bom::default()
    };
    if opts.vulnerabilities {
        bom.vulnerabilities = Some(vulnerabilities(inputs, &in_scope, |r| r.to_owned()));
    }
    Ok(Sbom { bom, authors })
}

/// Builds the vulnerabilities alone, referring to the SBOM's components by BOM-Link
/// (`urn:cdx:<serial>/1#<bom-ref>`), for `--vex-only`.
pub fn build_vex(inputs: &Inputs<'_>, opts: &Options) -> anyhow::Result<Sbom> {
    let listing = listing(inputs, opts)?;
    let sbom_serial = serial_uuid(inputs, opts, "sbom");
    let in_scope: BTreeSet<String> =
        listing.scope.included.keys().map(|&i| bom_ref(&inputs.graph.packages[i])).collect();
    let link = |r: &str| format!("urn:cdx:{sbom_serial}/1#{}", percent_encode_fragment(r));
    let mut metadata = metadata::metadata(inputs, opts, None, metadata::manufacturer(inputs.policy))?;
    let mut props = metadata.properties.take().map(|p| p.0).unwrap_or_default();
    props.push(Property::new("cargo-spdf:sbom:serialNumber", &format!("urn:uuid:{sbom_serial}")));
    props.sort_by(|a, b| a.name.cmp(&b.name));
    metadata.properties = Some(Properties(props));
    let bom = Bom {
        serial_number: Some(serial(inputs, opts, "vex")?),
        metadata: Some(metadata),
        vulnerabilities: Some(vulnerabilities(inputs, &in_scope, link)),
        ..Bom::default()
    };
    Ok(Sbom { bom, authors: BTreeMap::new() })
}

/// Components in the one order every output uses: by name, then version, then bom-ref.
fn sort_components(components: &mut [(Component, Vec<Person>)]) {
    let key = |c: &Component| {
        let version = c.version.as_ref().and_then(|v| semver::Version::parse(v.as_ref()).ok());
        (c.name.to_string(), version, c.bom_ref.clone())
    };
    components.sort_by_cached_key(|(c, _)| key(c));
}

/// Support data of every component in scope.
fn supports(inputs: &Inputs<'_>, scope: &Scope) -> BTreeMap<usize, Support> {
    let unmaintained = unmaintained(inputs.findings);
    let rules = Rules::new(inputs.policy, inputs.now);
    scope
        .included
        .keys()
        .chain(&scope.roots)
        .map(|&i| {
            let p = &inputs.graph.packages[i];
            let advisory = unmaintained.get(&(p.name.clone(), p.version.to_string())).map(String::as_str);
            (i, crate::support::resolve(&Facts::of(p, advisory, inputs.histories), &rules))
        })
        .collect()
}

/// Packages that a RustSec `unmaintained` advisory covers (whatever its level), with its id.
pub fn unmaintained(findings: &[Finding]) -> BTreeMap<(String, String), String> {
    findings
        .iter()
        .filter(|f| f.code == Code::Unmaintained)
        .filter_map(|f| {
            let p = f.package.as_ref()?;
            Some(((p.name.clone(), p.version.clone()), f.advisory.as_ref()?.id.clone()))
        })
        .collect()
}

fn dependencies(
    graph: &Graph,
    scope: &Scope,
    include_dev: bool,
    product: Option<(String, Vec<String>)>,
) -> Dependencies {
    let mut deps: Vec<Dependency> = scope
        .included
        .keys()
        .map(|&i| {
            let mut on: Vec<String> = graph.deps[i]
                .iter()
                .filter(|d| d.normal || d.build || (d.dev && include_dev && scope.is_root(i)))
                .filter(|d| scope.included.contains_key(&d.to))
                .map(|d| bom_ref(&graph.packages[d.to]))
                .collect();
            on.sort();
            on.dedup();
            Dependency { dependency_ref: bom_ref(&graph.packages[i]), dependencies: on }
        })
        .collect();
    if let Some((reference, mut on)) = product {
        on.sort();
        deps.push(Dependency { dependency_ref: reference, dependencies: on });
    }
    deps.sort_by(|a, b| a.dependency_ref.cmp(&b.dependency_ref));
    Dependencies(deps)
}

fn vulnerabilities(
    inputs: &Inputs<'_>,
    in_scope: &BTreeSet<String>,
    target: impl Fn(&str) -> String,
) -> Vulnerabilities {
    let by_name_version: BTreeMap<(String, String), String> = inputs
        .graph
        .packages
        .iter()
        .filter(|p| matches!(p.source, crate::graph::Source::CratesIo))
        .map(|p| ((p.name.clone(), p.version.to_string()), bom_ref(p)))
        .collect();
    let mut entries: Vec<(String, String, cyclonedx_bom::models::vulnerability::Vulnerability)> = inputs
        .findings
        .iter()
        .filter(|f| matches!(f.code, Code::Vulnerability | Code::Unsound | Code::Unmaintained | Code::Notice))
        .filter_map(|f| {
            let p = f.package.as_ref()?;
            let reference = by_name_version.get(&(p.name.clone(), p.version.clone()))?;
            if !in_scope.contains(reference) {
                return None;
            }
            let v = vex::vulnerability(f, target(reference))?;
            Some((f.advisory.as_ref()?.id.clone(), reference.clone(), v))
        })
        .collect();
    entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Vulnerabilities(entries.into_iter().map(|(_, _, v)| v).collect())
}

/// The serial number: a name-based UUID of everything the document is derived from, its time
/// included, so the same inputs at the same `SOURCE_DATE_EPOCH` give the same serial, another
/// time gives another one, and `--vex-only` can refer to the SBOM it belongs to.
fn serial_uuid(inputs: &Inputs<'_>, opts: &Options, kind: &str) -> uuid::Uuid {
    let db = match &inputs.database.identity {
        crate::load::database::Identity::Git { commit } => commit.clone(),
        crate::load::database::Identity::Digest { sha256 } => sha256.clone(),
    };
    let policy = match inputs.policy_origin {
        Origin::File { sha256, .. } | Origin::Manifest { sha256, .. } => sha256.as_str(),
        Origin::BuiltIn => "built-in",
    };
    let mut packages = opts.packages.clone();
    packages.sort();
    let name = format!(
        "{kind}\n{TOOL_NAME} {TOOL_VERSION}\ntime {}\nlockfile {}\npolicy {policy}\ndatabase {db}\nkev {}\npackages {}\ndev {}\ntarget {}\nfeatures {}\nvulnerabilities {}\ncomponents {}\n",
        inputs.now.as_second(),
        inputs.lock.sha256,
        inputs.kev.map(|k| k.version.as_str()).unwrap_or(""),
        packages.join(","),
        opts.include_dev,
        opts.target.as_deref().unwrap_or(""),
        opts.features,
        opts.vulnerabilities,
        inputs.graph.packages.len(),
    );
    uuid::Uuid::new_v5(&SERIAL_NAMESPACE, name.as_bytes())
}

fn serial(inputs: &Inputs<'_>, opts: &Options, kind: &str) -> anyhow::Result<UrnUuid> {
    UrnUuid::new(format!("urn:uuid:{}", serial_uuid(inputs, opts, kind)))
        .map_err(|e| anyhow::anyhow!("invalid serial number: {e:?}"))
}

/// Percent-encodes what a URN fragment cannot carry as is.
fn percent_encode_fragment(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || "-._~:@/!$&'()*+,;=".contains(c) {
                vec![c.to_string()]
            } else {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf).bytes().map(|b| format!("%{b:02X}")).collect()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_described_as_cargo_takes_them() {
        let f = |all, no_default, list: &[&str]| {
            describe_features(all, no_default, &list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
        };
        assert_eq!(f(false, false, &[]), "default");
        assert_eq!(f(false, false, &["std", "serde", "std"]), "default,serde,std");
        assert_eq!(f(false, true, &["std"]), "std");
        assert_eq!(f(false, true, &[]), "none");
        assert_eq!(f(true, true, &["std"]), "all");
    }
}
