//! The SBOM's metadata and compositions: when and by what it was made, who makes the product,
//! the properties that tie it to its inputs (lockfile, advisory database, KEV catalog, policy),
//! and what it describes: the features and target, what its scope rests on (`cargo metadata`, or
//! the lockfile when cargo could not run, an over-approximation) and what it leaves out.

use super::authors;
use super::component::{clean, contact};
use super::{Inputs, Options};
use crate::graph::Basis;
use crate::load::database::Identity;
use crate::policy::{Origin, Policy};
use crate::report::{TOOL_NAME, TOOL_VERSION};
use cyclonedx_bom::external_models::date_time::DateTime;
use cyclonedx_bom::external_models::uri::Uri;
use cyclonedx_bom::models::bom::BomReference;
use cyclonedx_bom::models::component::{Classification, Component, Components};
use cyclonedx_bom::models::composition::{AggregateType, Composition, Compositions};
use cyclonedx_bom::models::lifecycle::{Lifecycle, Lifecycles, Phase};
use cyclonedx_bom::models::metadata::Metadata;
use cyclonedx_bom::models::organization::OrganizationalEntity;
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::tool::Tools;

/// The manufacturer `[sbom]` names, with its web site.
pub fn manufacturer(policy: &Policy) -> Option<OrganizationalEntity> {
    let name = policy.sbom.manufacturer.as_ref()?;
    let mut org = OrganizationalEntity::new(&clean(name));
    org.url =
        policy.sbom.manufacturer_url.as_ref().filter(|u| authors::is_web_url(u)).map(|u| vec![Uri::new(u)]);
    Some(org)
}

/// The metadata.
pub fn metadata(
    inputs: &Inputs<'_>,
    opts: &Options,
    component: Option<Component>,
    manufacturer: Option<OrganizationalEntity>,
) -> anyhow::Result<Metadata> {
    let timestamp = inputs.now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let tool = Component::new(Classification::Application, TOOL_NAME, TOOL_VERSION, None);
    let authors: Vec<_> = authors::people(&inputs.policy.sbom.authors).iter().map(contact).collect();
    Ok(Metadata {
        timestamp: Some(DateTime::try_from(timestamp)?),
        tools: Some(Tools::Object { services: None, components: Some(Components(vec![tool])) }),
        authors: (!authors.is_empty()).then_some(authors),
        component,
        supplier: manufacturer.clone(),
        manufacture: manufacturer,
        licenses: None,
        properties: Some(Properties(
            properties(inputs, opts).into_iter().map(|(k, v)| Property::new(k, &clean(&v))).collect(),
        )),
        lifecycles: Some(Lifecycles(vec![Lifecycle::Phase(Phase::Build)])),
    })
}

/// The properties that tie the SBOM to its inputs and say what it describes.
fn properties(inputs: &Inputs<'_>, opts: &Options) -> Vec<(&'static str, String)> {
    let db = inputs.database;
    let mut props = vec![
        ("cargo-spdf:lockfile:sha256", inputs.lock.sha256.clone()),
        ("cargo-spdf:advisoryDatabase:advisories", db.advisories.to_string()),
        ("cargo-spdf:policy:profile", inputs.policy.profile.as_str().to_owned()),
        ("cargo-spdf:includesDevDependencies", opts.include_dev.to_string()),
        ("cargo-spdf:features", opts.features.clone()),
        ("cargo-spdf:target", opts.target.clone().unwrap_or_else(|| "all".to_owned())),
        ("cargo-spdf:scope:excluded", excluded(opts)),
    ];
    props.push(match &db.identity {
        Identity::Git { commit } => ("cargo-spdf:advisoryDatabase:commit", commit.clone()),
        Identity::Digest { sha256 } => ("cargo-spdf:advisoryDatabase:digest", sha256.clone()),
    });
    if let Some(t) = db.last_updated {
        props.push(("cargo-spdf:advisoryDatabase:lastUpdated", t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()));
    }
    props.push(match inputs.policy_origin {
        Origin::File { sha256, .. } | Origin::Manifest { sha256, .. } => {
            ("cargo-spdf:policy:sha256", sha256.clone())
        }
        Origin::BuiltIn => ("cargo-spdf:policy:sha256", "none (built-in profile)".to_owned()),
    });
    props.extend(basis(inputs));
    props.extend(kev(inputs));
    props.sort();
    props
}

/// What the scope rests on: `cargo metadata`, or the lockfile (why, and that it is an
/// over-approximation).
fn basis(inputs: &Inputs<'_>) -> Vec<(&'static str, String)> {
    match &inputs.graph.basis {
        Basis::Metadata => vec![("cargo-spdf:scope:basis", "cargo-metadata".to_owned())],
        Basis::Lockfile { reason } => vec![
            ("cargo-spdf:scope:basis", "lockfile".to_owned()),
            (
                "cargo-spdf:scope:lockfile",
                format!(
                    "{reason}; every package in Cargo.lock is listed, with dependency kinds from the manifests found on disk: an over-approximation of what ships"
                ),
            ),
        ],
    }
}

/// The KEV catalog's version, release date and age (in whole days, as of the SBOM's time).
fn kev(inputs: &Inputs<'_>) -> Vec<(&'static str, String)> {
    let Some(k) = inputs.kev else { return vec![("cargo-spdf:kev:catalog", "none".to_owned())] };
    let mut props =
        vec![("cargo-spdf:kev:version", k.version.clone()), ("cargo-spdf:kev:released", k.released.clone())];
    props.extend(
        crate::gates::kev::age_days(k, inputs.now).map(|d| ("cargo-spdf:kev:ageDays", d.to_string())),
    );
    props
}

/// What the SBOM leaves out, in words.
fn excluded(opts: &Options) -> String {
    let mut out = Vec::new();
    if !opts.include_dev {
        out.push("dev-dependencies (tests, examples, benches)".to_owned());
    }
    if let Some(t) = &opts.target {
        out.push(format!("dependencies only targets other than {t} use"));
    }
    if out.is_empty() { "nothing".to_owned() } else { out.join("; ") }
}

/// One composition for the product: complete when `cargo metadata` resolved it, unknown when it
/// rests on the lockfile; its bom-ref says what it leaves out, as `cargo-spdf:scope:excluded`.
pub fn compositions(inputs: &Inputs<'_>, opts: &Options, product_ref: &str) -> Compositions {
    let aggregate = match inputs.graph.basis {
        Basis::Metadata => AggregateType::Complete,
        Basis::Lockfile { .. } => AggregateType::Unknown,
    };
    let scope = match inputs.graph.basis {
        Basis::Metadata => "",
        Basis::Lockfile { .. } => "; scope: every package in Cargo.lock (an over-approximation)",
    };
    let reference = format!("composition:product; left out: {}{scope}", excluded(opts));
    Compositions(vec![Composition {
        bom_ref: Some(BomReference::new(reference)),
        aggregate,
        assemblies: Some(vec![BomReference::new(product_ref)]),
        dependencies: Some(vec![BomReference::new(product_ref)]),
        vulnerabilities: None,
        signature: None,
    }])
}
