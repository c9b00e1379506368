//! The product, `metadata.component`: the single selected member itself, or (several members, or
//! a product named in the policy) a component standing for the whole that depends on the
//! members, with a version, a supplier and a package URL of its own.

use super::authors::{self, Person};
use super::component::{bom_ref, clean, contact, support_properties, vcs};
use super::{Inputs, Scope};
use crate::support::{Facts, Rules};
use cyclonedx_bom::external_models::uri::Uri;
use cyclonedx_bom::models::component::{Classification, Component};
use cyclonedx_bom::models::organization::OrganizationalEntity;
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::prelude::{NormalizedString, Purl};
use std::collections::BTreeSet;
use std::str::FromStr as _;

/// The product component, the people its authors name, and, for a component standing for
/// several members, its bom-ref and the members'.
pub struct Product {
    /// The component.
    pub component: Component,
    /// Its authors.
    pub people: Vec<Person>,
    /// `(product ref, member refs)` when it stands for members.
    pub depends_on: Option<(String, Vec<String>)>,
}

/// The product's repository: `[sbom] repository`, else `[workspace.package] repository`, else
/// the single member's own.
pub fn repository(inputs: &Inputs<'_>, scope: &Scope) -> Option<String> {
    let single = match scope.roots.as_slice() {
        [only] => inputs.graph.packages[*only].repository.clone(),
        _ => None,
    };
    [inputs.policy.sbom.repository.clone(), inputs.workspace_package.repository.clone(), single]
        .into_iter()
        .flatten()
        .find(|u| authors::is_web_url(u))
}

/// The product; the single member's component is taken out of `components` to become it.
pub fn product(
    inputs: &Inputs<'_>,
    scope: &Scope,
    components: &mut Vec<(Component, Vec<Person>)>,
    manufacturer: Option<&OrganizationalEntity>,
    repository: Option<&str>,
) -> Product {
    let graph = inputs.graph;
    let root_refs: Vec<String> = scope.roots.iter().map(|&i| bom_ref(&graph.packages[i])).collect();
    if let ([only], None) = (root_refs.as_slice(), &inputs.policy.sbom.product) {
        let at = components.iter().position(|(c, _)| c.bom_ref.as_deref() == Some(only.as_str()));
        if let Some(at) = at {
            let (component, people) = components.remove(at);
            return Product { component, people, depends_on: None };
        }
    }
    let name = inputs.policy.sbom.product.clone().unwrap_or_else(|| inputs.workspace_name.to_owned());
    let version = version(inputs, scope);
    let reference = format!("product:{name}");
    let mut c = Component::new(
        Classification::Application,
        &clean(&name),
        version.as_deref().unwrap_or(""),
        Some(reference.clone()),
    );
    if version.is_none() {
        c.version = None;
    }
    let people = authors::people(&inputs.workspace_package.authors);
    c.supplier = Some(supplier(manufacturer, &people, repository));
    c.author = (!people.is_empty())
        .then(|| NormalizedString::new(&people.iter().map(Person::display).collect::<Vec<_>>().join(", ")));
    c.purl = purl(&name, version.as_deref(), manufacturer, repository).and_then(|u| Purl::from_str(&u).ok());
    c.properties = Some(support(inputs, &name, version.as_deref()));
    Product { component: c, people, depends_on: Some((reference, root_refs)) }
}

/// The product's own support data: the manufacturer's, as for a member (or a `[[support]]`
/// entry naming the product).
fn support(inputs: &Inputs<'_>, name: &str, version: Option<&str>) -> Properties {
    let version =
        version.and_then(|v| semver::Version::parse(v).ok()).unwrap_or(semver::Version::new(0, 0, 0));
    let facts =
        Facts { name, version: &version, member: true, crates_io: false, unmaintained: None, history: None };
    let s = crate::support::resolve(&facts, &Rules::new(inputs.policy, inputs.now));
    let mut props = support_properties(&s);
    props.sort();
    Properties(props.into_iter().map(|(k, v)| Property::new(k, &clean(&v))).collect())
}

/// `[sbom] version`, else `[workspace.package] version`, else the members' common version.
fn version(inputs: &Inputs<'_>, scope: &Scope) -> Option<String> {
    let versions: BTreeSet<String> =
        scope.roots.iter().map(|&i| inputs.graph.packages[i].version.to_string()).collect();
    let common = (versions.len() == 1).then(|| versions.into_iter().next()).flatten();
    inputs.policy.sbom.version.clone().or_else(|| inputs.workspace_package.version.clone()).or(common)
}

/// The manufacturer, else the workspace's authors, else a supplier stated as unknown; with the
/// repository as its URL where it has none.
fn supplier(
    manufacturer: Option<&OrganizationalEntity>,
    people: &[Person],
    repository: Option<&str>,
) -> OrganizationalEntity {
    let mut org = match manufacturer {
        Some(m) => m.clone(),
        None => {
            let names: Vec<&str> = people.iter().map(Person::label).collect();
            let name = if names.is_empty() {
                "unknown (no [sbom] manufacturer is declared)".to_owned()
            } else {
                names.join(", ")
            };
            let contacts: Vec<_> =
                people.iter().filter(|p| p.name.is_some() || p.email.is_some()).map(contact).collect();
            OrganizationalEntity {
                bom_ref: None,
                name: Some(NormalizedString::new(&clean(&name))),
                url: None,
                contact: (!contacts.is_empty()).then_some(contacts),
            }
        }
    };
    if org.url.is_none() {
        org.url = repository.map(|r| vec![Uri::new(r)]);
    }
    org
}

/// `pkg:generic/<manufacturer>/<name>@<version>?vcs_url=git+<repository>`: the product is not a
/// crate, so not a `pkg:cargo` URL; the manufacturer and the repository, where known, make it
/// unambiguous.
fn purl(
    name: &str,
    version: Option<&str>,
    manufacturer: Option<&OrganizationalEntity>,
    repository: Option<&str>,
) -> Option<String> {
    let mut builder = purl::GenericPurlBuilder::new("generic".to_owned(), name);
    if let Some(m) = manufacturer.and_then(|m| m.name.as_ref()) {
        builder = builder.with_namespace(m.to_string());
    }
    if let Some(v) = version {
        builder = builder.with_version(v.to_owned());
    }
    if let Some(repo) = repository {
        builder = builder.with_qualifier("vcs_url", vcs(repo)).ok()?;
    }
    builder.build().ok().map(|p| p.to_string())
}
