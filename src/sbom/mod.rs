//! Render: the workspace, its findings and its policy as one CycloneDX SBOM for the product,
//! with the FDA's support data per component and the vulnerabilities (VEX).
//!
//! Scope: the selected workspace members (all by default, or `-p`) are the product; every
//! package they depend on is a component, with normal dependencies `required` and build-only
//! dependencies and proc-macros `excluded` (they do not ship) and marked by
//! `cargo-spdf:dependencyKind`; dev-only dependencies are left out unless asked for. With a
//! target, only what that target pulls in is listed (the graph is filtered by cargo).

pub mod component;
pub mod cyclonedx;
pub mod vex;

use crate::finding::{Code, Finding};
use crate::graph::Graph;
use crate::graph::scope::{self, Scope};
use crate::load::lockfile::Lock;
use crate::policy::{Origin, Policy};
use crate::report::{DatabaseInfo, TOOL_NAME, TOOL_VERSION};
use crate::support::Support;
use anyhow::bail;
use component::{ComponentInput, bom_ref};
use cyclonedx_bom::external_models::date_time::DateTime;
use cyclonedx_bom::external_models::uri::Uri;
use cyclonedx_bom::models::bom::{Bom, UrnUuid};
use cyclonedx_bom::models::component::{Classification, Component, Components};
use cyclonedx_bom::models::dependency::{Dependencies, Dependency};
use cyclonedx_bom::models::lifecycle::{Lifecycle, Lifecycles, Phase};
use cyclonedx_bom::models::metadata::Metadata;
use cyclonedx_bom::models::organization::OrganizationalEntity;
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::tool::Tools;
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
    /// The time recorded as the SBOM's timestamp.
    pub now: Timestamp,
    /// The workspace directory's name (the product's default name; never a path).
    pub workspace_name: &'a str,
}

/// What to put in the SBOM.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-p`: the members that make up the product (default: all).
    pub packages: Vec<String>,
    /// `--include-dev`.
    pub include_dev: bool,
    /// `--target`, recorded as a property (the graph is already filtered).
    pub target: Option<String>,
    /// Whether to include the `vulnerabilities` section.
    pub vulnerabilities: bool,
}

/// The selected members, by graph index; `-p` names must be workspace members.
pub fn roots(graph: &Graph, packages: &[String]) -> anyhow::Result<Vec<usize>> {
    if packages.is_empty() {
        return Ok(graph.members().collect());
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

/// Builds the SBOM.
pub fn build(inputs: &Inputs<'_>, opts: &Options) -> anyhow::Result<Bom> {
    let roots = roots(inputs.graph, &opts.packages)?;
    let scope = scope::walk(inputs.graph, &roots, opts.include_dev);
    let supports = supports(inputs, &scope);
    let manufacturer = manufacturer(inputs.policy);
    let mut components: Vec<Component> = scope
        .included
        .iter()
        .map(|(&i, &usage)| {
            let p = &inputs.graph.packages[i];
            let sha256 = inputs.lock.checksum(&p.name, &p.version.to_string(), p.source_repr.as_deref());
            let input = ComponentInput {
                package: p,
                usage,
                sha256,
                support: &supports[&i],
                manufacturer: manufacturer.as_ref(),
            };
            component::component(&input)
        })
        .collect();
    let product = product(inputs, &scope, &mut components, manufacturer.as_ref());
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    let in_scope: BTreeSet<String> = components.iter().filter_map(|c| c.bom_ref.clone()).collect();
    let mut bom = Bom {
        serial_number: Some(serial(inputs, opts, "sbom")?),
        metadata: Some(metadata(inputs, opts, Some(product.component), manufacturer)?),
        dependencies: Some(dependencies(inputs.graph, &scope, opts.include_dev, product.depends_on)),
        components: Some(Components(components)),
        ..Bom::default()
    };
    if opts.vulnerabilities {
        bom.vulnerabilities = Some(vulnerabilities(inputs, &in_scope, |r| r.to_owned()));
    }
    Ok(bom)
}

/// Builds the vulnerabilities alone, referring to the SBOM's components by BOM-Link
/// (`urn:cdx:<serial>/1#<bom-ref>`), for `--vex-only`.
pub fn build_vex(inputs: &Inputs<'_>, opts: &Options) -> anyhow::Result<Bom> {
    let roots = roots(inputs.graph, &opts.packages)?;
    let scope = scope::walk(inputs.graph, &roots, opts.include_dev);
    let sbom_serial = serial_uuid(inputs, opts, "sbom");
    let in_scope: BTreeSet<String> =
        scope.included.keys().map(|&i| bom_ref(&inputs.graph.packages[i])).collect();
    let link = |r: &str| format!("urn:cdx:{sbom_serial}/1#{}", percent_encode_fragment(r));
    let mut metadata = metadata(inputs, opts, None, manufacturer(inputs.policy))?;
    let mut props = metadata.properties.take().map(|p| p.0).unwrap_or_default();
    props.push(Property::new("cargo-spdf:sbom:serialNumber", &format!("urn:uuid:{sbom_serial}")));
    props.sort_by(|a, b| a.name.cmp(&b.name));
    metadata.properties = Some(Properties(props));
    Ok(Bom {
        serial_number: Some(serial(inputs, opts, "vex")?),
        metadata: Some(metadata),
        vulnerabilities: Some(vulnerabilities(inputs, &in_scope, link)),
        ..Bom::default()
    })
}

/// Support data of every component in scope.
fn supports(inputs: &Inputs<'_>, scope: &Scope) -> BTreeMap<usize, Support> {
    let unmaintained = unmaintained(inputs.findings);
    scope
        .included
        .keys()
        .chain(&scope.roots)
        .map(|&i| {
            let p = &inputs.graph.packages[i];
            let advisory = unmaintained.get(&(p.name.clone(), p.version.to_string())).map(String::as_str);
            (i, crate::support::resolve(&p.name, p.member, advisory, &inputs.policy.support))
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

fn manufacturer(policy: &Policy) -> Option<OrganizationalEntity> {
    let name = policy.sbom.manufacturer.as_ref()?;
    let mut org = OrganizationalEntity::new(&component::clean(name));
    org.url = policy.sbom.manufacturer_url.as_ref().map(|u| vec![Uri::new(u)]);
    Some(org)
}

struct Product {
    component: Component,
    /// For a product standing for several members: its bom-ref and the members'.
    depends_on: Option<(String, Vec<String>)>,
}

/// The product: the single selected member itself, or (several members, or a product named in
/// the policy) a component standing for the whole, depending on the members.
fn product(
    inputs: &Inputs<'_>,
    scope: &Scope,
    components: &mut Vec<Component>,
    manufacturer: Option<&OrganizationalEntity>,
) -> Product {
    let graph = inputs.graph;
    let root_refs: Vec<String> = scope.roots.iter().map(|&i| bom_ref(&graph.packages[i])).collect();
    if let ([only], None) = (root_refs.as_slice(), &inputs.policy.sbom.product) {
        let at = components.iter().position(|c| c.bom_ref.as_deref() == Some(only.as_str()));
        if let Some(at) = at {
            return Product { component: components.remove(at), depends_on: None };
        }
    }
    let name = inputs.policy.sbom.product.clone().unwrap_or_else(|| inputs.workspace_name.to_owned());
    let versions: BTreeSet<String> =
        scope.roots.iter().map(|&i| graph.packages[i].version.to_string()).collect();
    let version = inputs
        .policy
        .sbom
        .version
        .clone()
        .or_else(|| (versions.len() == 1).then(|| versions.into_iter().next().unwrap_or_default()));
    let reference = format!("product:{name}");
    let mut c = Component::new(
        Classification::Application,
        &component::clean(&name),
        version.as_deref().unwrap_or(""),
        Some(reference.clone()),
    );
    if version.is_none() {
        c.version = None;
    }
    c.supplier = manufacturer.cloned();
    Product { component: c, depends_on: Some((reference, root_refs)) }
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
                .filter(|d| d.normal || d.build || (d.dev && include_dev && scope.roots.contains(&i)))
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

fn metadata(
    inputs: &Inputs<'_>,
    opts: &Options,
    component: Option<Component>,
    manufacturer: Option<OrganizationalEntity>,
) -> anyhow::Result<Metadata> {
    let timestamp = inputs.now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let tool = Component::new(Classification::Application, TOOL_NAME, TOOL_VERSION, None);
    let authors: Vec<_> = inputs.policy.sbom.authors.iter().map(|a| component::contact(a)).collect();
    Ok(Metadata {
        timestamp: Some(DateTime::try_from(timestamp)?),
        tools: Some(Tools::Object { services: None, components: Some(Components(vec![tool])) }),
        authors: (!authors.is_empty()).then_some(authors),
        component,
        supplier: manufacturer.clone(),
        manufacture: manufacturer,
        licenses: None,
        properties: Some(Properties(
            provenance(inputs, opts).into_iter().map(|(k, v)| Property::new(k, &v)).collect(),
        )),
        lifecycles: Some(Lifecycles(vec![Lifecycle::Phase(Phase::Build)])),
    })
}

/// The properties that tie the SBOM to its inputs.
fn provenance(inputs: &Inputs<'_>, opts: &Options) -> Vec<(&'static str, String)> {
    let db = inputs.database;
    let mut props = vec![
        ("cargo-spdf:lockfile:sha256", inputs.lock.sha256.clone()),
        ("cargo-spdf:advisoryDatabase:advisories", db.advisories.to_string()),
        ("cargo-spdf:policy:profile", inputs.policy.profile.as_str().to_owned()),
        ("cargo-spdf:includesDevDependencies", opts.include_dev.to_string()),
    ];
    match &db.identity {
        crate::load::database::Identity::Git { commit } => {
            props.push(("cargo-spdf:advisoryDatabase:commit", commit.clone()))
        }
        crate::load::database::Identity::Digest { sha256 } => {
            props.push(("cargo-spdf:advisoryDatabase:digest", sha256.clone()))
        }
    }
    if let Some(t) = db.last_updated {
        props.push(("cargo-spdf:advisoryDatabase:lastUpdated", t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()));
    }
    match inputs.policy_origin {
        Origin::File { sha256, .. } | Origin::Manifest { sha256, .. } => {
            props.push(("cargo-spdf:policy:sha256", sha256.clone()))
        }
        Origin::BuiltIn => props.push(("cargo-spdf:policy:sha256", "none (built-in profile)".to_owned())),
    }
    if let Some(t) = &opts.target {
        props.push(("cargo-spdf:target", t.clone()));
    }
    props.sort();
    props
}

/// The serial number: a name-based UUID of everything the document is derived from, so the
/// same inputs give the same serial, and `--vex-only` can refer to the SBOM it belongs to.
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
        "{kind}\n{TOOL_NAME} {TOOL_VERSION}\nlockfile {}\npolicy {policy}\ndatabase {db}\npackages {}\ndev {}\ntarget {}\nvulnerabilities {}\ncomponents {}\n",
        inputs.lock.sha256,
        packages.join(","),
        opts.include_dev,
        opts.target.as_deref().unwrap_or(""),
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
